//! `y` in the Blocklist view: the plan shown is sent as one batch, the
//! batch `apply` sends (recorded with the operator and `blocklist:
//! <reason>`, within each token's budget, resumable). The plan is made
//! again first and sent only if it is still the one shown. An apply left
//! open in the ledger is claimed first: another desk's is named and
//! nothing is sent; one an earlier run left is closed, its leftovers
//! dropped (they were planned from the list as it was then: the plan
//! made now holds whatever of them the list still wants).

use crate::app::bulk;
use crate::app::core::Core;
use crate::app::effect::Effect;
use crate::app::ops::{error, info, read_only_text};
use crate::model::blocklist::Action;
use crate::protocol::{ErrorInfo, LedgerRead, LedgerWrite};
use crate::store::ledger::{BatchStatus, Claim, UnfinishedBatch};

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

/// The ledger's open batches: an apply left open is claimed first; else
/// the plan is made again and sent if it is still the one shown.
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
            Some(open) => {
                core.list_view.superseding = Some((open.id, id));
                vec![Effect::write(LedgerWrite::ClaimBatch { batch: open.id })]
            }
            None => send_plan(core, id),
        },
    }
}

/// The plan shown is made again and sent when it is still the same.
fn send_plan(core: &mut Core, id: String) -> Vec<Effect> {
    let every: Vec<usize> = (0..core.instances.len()).collect();
    crate::app::blocklist::want(core, every, Some(Some(id)))
}

/// The claim on an apply left open came back (`true` when it was the one
/// waited for): another desk's goes on and nothing is sent; one this run
/// holds is closed, its leftovers dropped, and the plan shown sent.
pub(crate) fn on_claimed(
    core: &mut Core,
    batch: i64,
    result: &Result<Claim, ErrorInfo>,
) -> Option<Vec<Effect>> {
    let (open, id) = core
        .list_view
        .superseding
        .take_if(|(open, _)| *open == batch)?;
    Some(match result {
        Ok(Claim::Theirs { operator, since }) => {
            let ago = crate::util::dates::age(core.now, *since);
            let text = super::held::held_text(core, operator, &ago);
            info(core, text);
            Vec::new()
        }
        Ok(Claim::Ours) => {
            info(
                core,
                "an earlier apply stopped before its end: what it left unsent is dropped, the plan shown is sent in its place",
            );
            let mut effects = vec![Effect::write(LedgerWrite::CloseBatch {
                batch: open,
                status: BatchStatus::Cancelled,
            })];
            effects.extend(send_plan(core, id));
            effects
        }
        Err(e) => {
            error(
                core,
                format!("{} · nothing was sent · {}", e.lead(), e.hint),
            );
            Vec::new()
        }
    })
}
