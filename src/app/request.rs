//! Headless commands as messages, run by the code the dialogs and
//! prompts use: one reading of numbers, one plan, one batch, one wording
//! of every refusal. What the screen shows in its status bar, a command
//! tells on stderr ([`Effect::Tell`]); a refusal ends it
//! ([`Effect::Refused`]).

use super::batch::items_left;
use super::batch_start;
use super::bulk;
use super::core::{Core, Waiting};
use super::effect::Effect;
use super::ops::{load_contacts, load_instances};
use crate::model::change::Change;
use crate::model::number::list::{needs_no_region, read_list};
use crate::model::number::{Region, Target};
use crate::protocol::{ChangeRequest, Request};
use crate::store::ledger::UnfinishedBatch;

/// Runs one headless request.
pub(super) fn on_request(state: &mut Core, request: Request) -> Vec<Effect> {
    match request {
        Request::Change(change) => begin_change(state, change),
        Request::Resume(batch) => resume(state, batch),
        Request::LoadContacts { instance } => load_contacts(state, instance).into_iter().collect(),
        Request::LoadInstances => load_instances(state).into_iter().collect(),
        Request::Plan { instances } => super::blocklist::want(state, instances, None),
        Request::Apply { instances, id } => match refuse_read_only(state, &instances) {
            Some(refusal) => vec![refusal],
            None => super::blocklist::want(state, instances, Some(id)),
        },
        Request::Watch(watch) => super::live::on::watch(state, &watch.instances),
    }
}

/// The instances' states came in: a change or a resume waiting for them
/// goes on.
pub(super) fn after_states(state: &mut Core) -> Vec<Effect> {
    if state.instances_loading() {
        return Vec::new();
    }
    if let Some(batch) = state.resuming.take() {
        return resume_checked(state, &batch);
    }
    let Some(waiting) = state.waiting.take() else {
        return Vec::new();
    };
    let mut effects = Vec::new();
    let targets = match waiting.targets {
        Some(targets) => targets,
        None => match read_targets(state, &waiting.change, &mut effects) {
            Some(targets) => targets,
            None => return effects,
        },
    };
    effects.extend(plan_and_start(state, &waiting.change, &targets));
    effects
}

/// `block` / `unblock`: refused at once on a read-only instance. The
/// server is asked for the instances' states first (their countries,
/// their own numbers, whether they are connected); when the numbers can
/// be read without it, they are read first, so that a number that cannot
/// be read sends nothing at all.
fn begin_change(state: &mut Core, change: ChangeRequest) -> Vec<Effect> {
    if let Some(refusal) = refuse_read_only(state, &change.instances) {
        return vec![refusal];
    }
    state.lookups.enabled = change.lookup;
    state.lookups.keep_unverified = !change.lookup;
    let needs_region = change.entries.iter().any(|e| !needs_no_region(&e.text))
        && change
            .instances
            .iter()
            .any(|&i| state.instances[i].region().is_none());
    let mut effects = Vec::new();
    let targets = if change.all || needs_region {
        None
    } else {
        match read_targets(state, &change, &mut effects) {
            Some(targets) => Some(targets),
            None => return effects,
        }
    };
    state.waiting = Some(Waiting { change, targets });
    effects.extend(load_instances(state));
    effects.extend(after_states(state));
    effects
}

/// A refusal when one of `chosen` is read-only, in the words the screen
/// uses.
fn refuse_read_only(state: &mut Core, chosen: &[usize]) -> Option<Effect> {
    let read_only: Vec<usize> = chosen
        .iter()
        .copied()
        .filter(|&i| state.instances[i].read_only)
        .collect();
    let first = *read_only.first()?;
    super::ops::read_only(state, first);
    Some(Effect::Refused {
        text: super::ops::read_only_text(state, &read_only),
        usage: true,
    })
}

/// The typed numbers read for the chosen instances' countries; what
/// cannot be read refuses everything, unless `--skip-invalid` (and
/// something is left), and each national form says how it was read.
fn read_targets(
    state: &Core,
    change: &ChangeRequest,
    effects: &mut Vec<Effect>,
) -> Option<Vec<Target>> {
    let named: Vec<(&str, Option<Region>)> = change
        .instances
        .iter()
        .map(|&i| {
            (
                state.instances[i].name.as_str(),
                state.instances[i].region(),
            )
        })
        .collect();
    let list = read_list(change.entries.clone(), &named);
    if !list.bad.is_empty() {
        let lines: Vec<String> = list
            .bad
            .iter()
            .map(|(entry, why)| format!("  {}: {why}", entry.source))
            .collect();
        let summary = format!(
            "{} number(s) could not be read:\n{}",
            list.bad.len(),
            lines.join("\n")
        );
        if !change.skip_invalid || list.good.is_empty() {
            effects.push(Effect::Refused {
                text: format!("nothing sent: {summary}\n(--skip-invalid sends the others)"),
                usage: true,
            });
            return None;
        }
        effects.push(Effect::Tell(format!("skipped: {summary}")));
    }
    for (entry, target) in &list.good {
        if !needs_no_region(&entry.text) {
            effects.push(Effect::Tell(format!(
                "{}: {} read as {}",
                entry.source,
                entry.text,
                target.preview()
            )));
        }
    }
    Some(list.good.into_iter().map(|(_, t)| t).collect())
}

/// The bulk dialog's plan of `targets` on the chosen instances (with
/// `--all`, only connected ones take part), said before anything is
/// sent, then the batch.
fn plan_and_start(state: &mut Core, change: &ChangeRequest, targets: &[Target]) -> Vec<Effect> {
    let chosen = &change.instances;
    let home = (!change.all && chosen.len() == 1).then(|| chosen[0]);
    let jids: Vec<(String, Option<String>)> = targets.iter().map(|t| (t.jid(), None)).collect();
    let plan = super::plan::plan(
        &jids,
        home,
        chosen,
        |i| !change.all || state.instances[i].connection.is_connected(),
        change.block,
        change.all,
    );
    let mut effects: Vec<Effect> = plan
        .warnings(|i| state.instances[i].name.clone())
        .into_iter()
        .map(Effect::Tell)
        .collect();
    if plan.items.is_empty() && plan.hidden.is_empty() {
        effects.push(Effect::Refused {
            text: "nothing sent: no instance can take these numbers".into(),
            usage: false,
        });
        return effects;
    }
    let names: Vec<&str> = chosen
        .iter()
        .map(|&i| state.instances[i].name.as_str())
        .collect();
    let label = format!(
        "{} {} number(s) on {} (command line)",
        Change::of(change.block).verb(),
        targets.len(),
        names.join(", ")
    );
    let planned = batch_start::Planned {
        items: plan.items,
        hidden: plan.hidden,
    };
    effects.extend(batch_start::start_with(
        state,
        label,
        planned,
        crate::app::batch::Kind::Action,
        change.reason.clone(),
        !change.skip_invalid,
    ));
    let refused = effects.iter().any(|e| matches!(e, Effect::Refused { .. }));
    if state.batch.is_none() && !refused {
        // Refused before anything was recorded (an own number, a
        // read-only instance): the status bar says why.
        let text = state
            .status
            .as_ref()
            .map_or_else(|| "nothing to send".to_string(), |s| s.text.clone());
        effects.push(Effect::Refused { text, usage: true });
    }
    effects
}

/// `resume`: what is left of one unfinished batch, once the instances'
/// states say their own numbers (a row of the ledger naming one is never
/// sent).
fn resume(state: &mut Core, batch: UnfinishedBatch) -> Vec<Effect> {
    let every: Vec<usize> = (0..state.instances.len()).collect();
    if let Some(refusal) = refuse_read_only(state, &every) {
        return vec![refusal];
    }
    state.resuming = Some(batch);
    let mut effects: Vec<Effect> = load_instances(state).into_iter().collect();
    effects.extend(after_states(state));
    effects
}

/// What is left of `batch`, for the instances that still exist, each row
/// checked like typed input (skipped rows are named), claimed first
/// (nothing is sent twice).
fn resume_checked(state: &mut Core, batch: &UnfinishedBatch) -> Vec<Effect> {
    let left = items_left(
        batch,
        |name| state.instances.iter().position(|i| i.name == name),
        |i, jid| state.instances[i].is_own(jid),
    );
    let skipped = left.skipped_text();
    if left.items.is_empty() {
        let why = skipped.unwrap_or_else(|| "no instance of this profile is in it".into());
        return vec![Effect::Refused {
            text: format!("{}: nothing was sent: {why}", batch.label),
            usage: false,
        }];
    }
    let mut effects: Vec<Effect> = skipped.into_iter().map(Effect::Tell).collect();
    effects.extend(bulk::resume(state, batch.id, &batch.label, left.items));
    effects
}
