//! The team's blocklist in the app: what the ledger keeps is read, the
//! plan that makes every chosen instance follow it is made with what the
//! app knows (each instance's known blocks, connection and own number,
//! what lookups said of the numbers), and applied as one batch under each
//! token's budget, recorded with `blocklist: <reason>`. The screen and
//! the commands (`plan`, `apply`) ask for the same plan.

use std::collections::HashSet;

use super::batch_start;
use super::core::Core;
use super::effect::Effect;
use super::list_state::Wanted;
use super::lookups;
use super::ops::load_instances;
use crate::model::blocklist::{Action, Plan, Seat, jid_of, plan};
use crate::protocol::{ErrorInfo, Item, LedgerRead, ListRead};

/// How an apply's batch is labelled, before its plan's id.
const APPLY_LABEL: &str = "blocklist: apply plan ";

/// Whether a batch's label is an apply's: what it blocks is the list's
/// own, resumed or not.
pub fn is_apply(label: &str) -> bool {
    label.starts_with(APPLY_LABEL)
}

/// Whether a JID is known blocked on an instance.
type BlockedCheck<'a> = Box<dyn Fn(&str) -> bool + 'a>;

/// Reads the blocklist, unless a read is in flight.
pub fn load(core: &mut Core) -> Vec<Effect> {
    if core.blocklist.loading {
        return Vec::new();
    }
    core.blocklist.loading = true;
    vec![Effect::read(LedgerRead::Blocklist)]
}

/// The ledger took a change of the list, or said why not: what changed
/// shows at the next read.
pub fn on_changed(core: &mut Core, result: Result<usize, ErrorInfo>) -> Vec<Effect> {
    if let Err(e) = result {
        super::ops::error(core, e.lead_and_hint());
    }
    load(core)
}

/// The ledger's blocklist arrived: a plan waiting for it goes on.
pub fn on_list(core: &mut Core, read: ListRead) -> Vec<Effect> {
    let list = &mut core.blocklist;
    list.loading = false;
    match read {
        Ok((entries, applied)) => {
            list.error = None;
            list.entries = Some(entries);
            list.applied.clear();
            for (instance, jid) in applied {
                list.applied.entry(instance).or_default().insert(jid);
            }
        }
        Err(e) => {
            let text = format!("the blocklist was not read: {}", e.lead_and_hint());
            list.error = Some(text.clone());
            if list.wanted.take().is_some() {
                return vec![Effect::Refused { text, usage: false }];
            }
        }
    }
    after(core)
}

/// Asks for the plan of `instances` (applied once made when `apply`, with
/// the id it must have, if any): the blocklist, the instances' states and
/// what lookups said of the listed numbers are read first.
pub fn want(core: &mut Core, instances: Vec<usize>, apply: Option<Option<String>>) -> Vec<Effect> {
    core.blocklist.plan = None;
    core.blocklist.wanted = Some(Wanted {
        instances,
        apply,
        recalled: false,
    });
    core.blocklist.loading = false;
    let mut effects = load(core);
    effects.extend(load_instances(core));
    effects.extend(after(core));
    effects
}

/// Makes the plan asked for once everything it needs is in; applies it
/// when asked to.
pub fn after(core: &mut Core) -> Vec<Effect> {
    let Some(wanted) = core.blocklist.wanted.clone() else {
        return Vec::new();
    };
    if core.blocklist.loading || core.blocklist.entries.is_none() || core.instances_loading() {
        return Vec::new();
    }
    if !wanted.recalled {
        let numbers: Vec<String> = core
            .blocklist
            .active(core.now)
            .filter(|e| !e.target.contains('@'))
            .map(|e| e.target.clone())
            .collect();
        if let Some(w) = core.blocklist.wanted.as_mut() {
            w.recalled = true;
        }
        let effects = lookups::recall(core, numbers);
        if !effects.is_empty() {
            return effects;
        }
    }
    if lookups::recalling(core) {
        return Vec::new();
    }
    core.blocklist.wanted = None;
    let made = make(core, &wanted.instances);
    let effects = match wanted.apply {
        Some(id) => apply(core, &made, id.as_deref()),
        None => Vec::new(),
    };
    core.blocklist.plan = Some(made);
    effects
}

/// The plan of `instances`, from what the app knows now.
pub fn make(core: &Core, instances: &[usize]) -> Plan {
    let entries = core.blocklist.entries.as_deref().unwrap_or_default();
    let none = HashSet::new();
    let checks: Vec<BlockedCheck<'_>> = instances
        .iter()
        .map(|&i| {
            let inst = &core.instances[i];
            Box::new(move |jid: &str| inst.known_of_jid(jid, None).is_some_and(|k| k.blocked))
                as BlockedCheck<'_>
        })
        .collect();
    let seats: Vec<Seat<'_>> = instances
        .iter()
        .zip(&checks)
        .map(|(&i, check)| {
            let inst = &core.instances[i];
            Seat {
                name: &inst.name,
                connected: inst.connection.is_connected(),
                own_jid: inst.own_jid.as_deref(),
                is_blocked: check.as_ref(),
                applied: core.blocklist.applied.get(&inst.name).unwrap_or(&none),
            }
        })
        .collect();
    let absent = |jid: &str| {
        let number = lookups::number_of(jid)?;
        let looked = core.lookups.fresh(number, core.now)?;
        match &looked.identity {
            crate::model::identity::Identity::NotOnWhatsApp { message } => Some(message.clone()),
            _ => None,
        }
    };
    let mut made = plan(entries, &seats, &absent, core.now);
    // The seats are the chosen instances: steps name profile indexes.
    for step in &mut made.steps {
        step.instance = instances[step.instance];
    }
    made
}

/// Sends `made` as one batch (its blocks and unblocks), unless it is not
/// the plan `expected`: then nothing is sent and it says so.
fn apply(core: &mut Core, made: &Plan, expected: Option<&str>) -> Vec<Effect> {
    if let Some(id) = expected.filter(|id| *id != made.id) {
        // The screen shows the new plan in place of the old one.
        super::ops::error(
            core,
            format!(
                "the plan changed since {id} was shown (it is {} now): nothing was sent · look at it again, then apply",
                made.id
            ),
        );
        let text = format!(
            "the plan changed since {id} was shown (it is {} now): nothing sent; look at it again with `plan`",
            made.id
        );
        return vec![Effect::Refused { text, usage: true }];
    }
    let items: Vec<Item> = made
        .steps
        .iter()
        .filter(|s| matches!(s.action, Action::Block | Action::Unblock))
        .map(|s| Item {
            instance: s.instance,
            jid: jid_of(&s.target),
            lid: None,
            block: s.action == Action::Block,
            action: None,
            reason: Some(format!("blocklist: {}", s.reason)),
        })
        .collect();
    if items.is_empty() {
        let text = "the plan is empty: every instance follows the blocklist".to_string();
        super::ops::info(core, text.clone());
        return vec![Effect::Tell(text)];
    }
    let label = format!("{APPLY_LABEL}{} ({} changes)", made.id, items.len());
    let effects = batch_start::start(core, label, items, super::batch::Kind::Action, None);
    if let Some(b) = core.batch.as_mut() {
        b.via_list = true;
    }
    effects
}
