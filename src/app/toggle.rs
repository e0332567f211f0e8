//! `b`: block one contact, or unblock it when the ledger knows it
//! blocked, from the list (the selected row) or from its details. Refused,
//! and said, on a read-only instance and for an instance's own number; a
//! second `b` while the first is in flight queues the wish.

use super::bulk::{Begun, Then, send_toggle};
use super::core::Core;
use super::ops::{error, info, read_only};

/// `b` on the contact `jid` (with its `@lid`, named `who`) of `instance`:
/// sent, queued, refused (each said), or waiting for its reason when
/// the profile asks one.
pub(crate) fn toggle(
    state: &mut Core,
    instance: usize,
    jid: String,
    lid: Option<String>,
    who: String,
) -> Begun {
    if read_only(state, instance) {
        return Begun::Sent(Vec::new());
    }
    if state.instances[instance].is_own(&jid) {
        error(
            state,
            format!(
                "{who} is this instance's own number: an instance cannot block itself · nothing was sent"
            ),
        );
        return Begun::Sent(Vec::new());
    }
    let inst = &mut state.instances[instance];
    let name = inst.name.clone();
    if let Some(pending) = inst.pending.get_mut(&jid) {
        let wanted = !pending.desired();
        pending.queued = (wanted != pending.sending).then_some(wanted);
        let text = match pending.queued {
            Some(true) => format!("will block {who} on {name} once the pending request returns"),
            Some(false) => {
                format!("will unblock {who} on {name} once the pending request returns")
            }
            None => format!("queued change to {who} withdrawn"),
        };
        info(state, text);
        return Begun::Sent(Vec::new());
    }
    let block = !inst
        .known_of_jid(&jid, lid.as_deref())
        .is_some_and(|k| k.blocked);
    if state.ask_reason {
        return Begun::AsksWhy(Then::Toggle {
            instance,
            jid,
            lid,
            block,
            who,
        });
    }
    Begun::Sent(send_toggle(state, instance, jid, lid, block, &who, None))
}
