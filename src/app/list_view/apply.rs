//! `y` in the Blocklist view: the plan shown is sent as one batch, the
//! batch `apply` sends (recorded with the operator and `blocklist:
//! <reason>`, within each token's budget, resumable). The plan is made
//! again first and sent only if it is still the one shown. An apply left
//! open in the ledger goes first: resumed when this run may claim it,
//! else the app says which desk is applying it and sends nothing.

use crate::app::batch::items_left;
use crate::app::bulk;
use crate::app::core::Core;
use crate::app::effect::Effect;
use crate::app::ops::{error, info, read_only_text};
use crate::model::blocklist::Action;
use crate::protocol::{ErrorInfo, LedgerRead};
use crate::store::ledger::UnfinishedBatch;

/// `y`: checks what can be sent, then asks the ledger for batches left
/// open (another desk may be applying the list right now).
pub(crate) fn apply(core: &mut Core) -> Vec<Effect> {
    if bulk::busy(core) {
        return Vec::new();
    }
    let shown = core
        .blocklist
        .plan
        .clone()
        .filter(|_| core.list_view.plan_shown && core.blocklist.wanted.is_none());
    let Some(plan) = shown else {
        let plan = core.keymap.label_of(crate::keys::Command::ListPlan);
        info(
            core,
            format!("{plan} shows the plan first: y applies the plan shown"),
        );
        return Vec::new();
    };
    if !plan.sends() {
        info(
            core,
            "nothing to send: every instance follows the blocklist",
        );
        return Vec::new();
    }
    let mut sending: Vec<usize> = plan
        .steps
        .iter()
        .filter(|s| matches!(s.action, Action::Block | Action::Unblock))
        .map(|s| s.instance)
        .collect();
    sending.dedup();
    if sending.iter().all(|&i| core.instances[i].read_only) {
        let text = read_only_text(core, &sending);
        error(core, text);
        return Vec::new();
    }
    core.list_view.applying = Some(plan.id.clone());
    info(
        core,
        format!(
            "applying plan {}: checking that no other desk is applying the list…",
            plan.id
        ),
    );
    vec![Effect::read(LedgerRead::Unfinished)]
}

/// The ledger's open batches: an apply left open goes first (resumed,
/// or said to be another desk's); else the plan is made again and sent
/// if it is still the one shown.
pub(crate) fn on_unfinished(
    core: &mut Core,
    result: Result<Vec<UnfinishedBatch>, ErrorInfo>,
) -> Vec<Effect> {
    let Some(id) = core.list_view.applying.take() else {
        return Vec::new();
    };
    // The entries show while it is sent: their coverage grows with each
    // answer.
    core.list_view.plan_shown = false;
    match result {
        Err(e) => {
            error(
                core,
                format!(
                    "the ledger's open batches could not be read: {} · nothing was sent",
                    e.lead_and_hint()
                ),
            );
            Vec::new()
        }
        Ok(batches) => match batches
            .into_iter()
            .find(|b| crate::app::blocklist::is_apply(&b.label))
        {
            Some(open) => resume_open(core, &open),
            None => {
                let every: Vec<usize> = (0..core.instances.len()).collect();
                crate::app::blocklist::want(core, every, Some(Some(id)))
            }
        },
    }
}

/// An apply left open: what is left of it is resumed once this run holds
/// its claim (another desk's claim keeps it theirs: see `held`).
fn resume_open(core: &mut Core, open: &UnfinishedBatch) -> Vec<Effect> {
    let left = items_left(
        open,
        |name| core.instances.iter().position(|i| i.name == name),
        |i, jid| core.instances[i].is_own(jid),
    );
    if left.items.is_empty() {
        error(
            core,
            format!(
                "{} is left open with nothing this profile can send: `ryze-contacts resume` settles it · nothing was sent",
                open.label
            ),
        );
        return Vec::new();
    }
    let effects = bulk::resume(core, open.id, &open.label, left.items);
    if let Some(b) = core.batch.as_mut() {
        // Its blocks are the list's own, as the first run's were.
        b.via_list = true;
    }
    effects
}
