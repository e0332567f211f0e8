//! The worker's results, each to the part of the app it changes: the
//! instances' states, contact lists (fresh and cached), what the ledger
//! knows, settled counts, history; block answers go to `answers`.

use std::sync::Arc;

use super::answers;
use super::batch_start;
use super::blocklist;
use super::bulk;
use super::effect::Effect;
use super::lookups;
use super::ops::{error, failure, failure_behind, info, load_instances, refilter, selected_jid};
use super::overlays;
use super::state::{Connection, Core, Load, State, View};
use crate::model::contacts::ContactStore;
use crate::protocol::{ConnState, ErrorInfo, InstanceStatus, JobResult};
use crate::store::ledger::KnownState;

/// One worker result.
pub(super) fn on_result(state: &mut State, result: JobResult) -> Vec<Effect> {
    if is_write_answer(&result) {
        state.writes_in_flight = state.writes_in_flight.saturating_sub(1);
    }
    match result {
        JobResult::Instances { states, complete } => {
            on_states(state, states);
            if complete {
                state.instances_polled = false;
            }
            let mut effects = super::request::after_states(state);
            effects.extend(blocklist::after(state));
            effects
        }
        JobResult::Contacts { instance, result } => on_contacts(state, instance, result),
        JobResult::Block { call, answer } => answers::on_answer(state, call, answer),
        JobResult::IntentRecorded {
            item,
            reason,
            result,
        } => answers::on_intent(state, item, reason, result),
        JobResult::Recorded { call, answer, at } => answers::on_recorded(state, call, answer, at),
        JobResult::BatchCreated(created) => bulk::on_created(state, created),
        JobResult::Settled {
            instance,
            jid,
            result,
        } => on_settled(state, instance, &jid, result),
        JobResult::History {
            instance: Some(instance),
            result,
        } => on_history(state, instance, result),
        JobResult::Claimed { batch, result } => on_claimed(state, batch, result),
        JobResult::Lookup { number, result, .. } => {
            let mut effects = lookups::on_lookup(state, number, result);
            effects.extend(batch_start::after_lookups(state));
            effects
        }
        socket @ JobResult::SocketConfig { .. } => super::live::on::on_config(state, socket),
        JobResult::Identities { numbers, result } => {
            let mut effects = lookups::on_identities(state, numbers, result);
            effects.extend(batch_start::after_lookups(state));
            effects.extend(blocklist::after(state));
            effects
        }
        JobResult::Blocklist(read) => super::list_view::keys::on_list(state, read),
        JobResult::ListChanged(result) => super::list_view::keys::on_changed(state, result),
        JobResult::Unfinished(result) => super::list_view::apply::on_unfinished(state, result),
        JobResult::Known(result) => on_known(state, result),
        // Answers for headless commands, which read them as they pass.
        JobResult::History { instance: None, .. }
        | JobResult::Status(_)
        | JobResult::BatchClosed { .. }
        | JobResult::IdentityKept
        | JobResult::Probe { .. } => Vec::new(),
    }
}

/// A claim on a batch: an apply left open that `y` supersedes, else a
/// batch being resumed.
fn on_claimed(
    state: &mut State,
    batch: i64,
    result: Result<crate::store::ledger::Claim, crate::protocol::ErrorInfo>,
) -> Vec<Effect> {
    super::list_view::apply::on_claimed(state, batch, &result)
        .unwrap_or_else(|| bulk::on_claimed(state, batch, result))
}

/// An instance's history, read for the details overlay.
fn on_history(
    state: &mut State,
    instance: usize,
    result: Result<(Vec<crate::store::ledger::HistoryEntry>, usize), ErrorInfo>,
) -> Vec<Effect> {
    let result = result
        .map(|(entries, _)| entries)
        .map_err(|e| e.lead_and_hint());
    let (core, slot) = state.parts();
    overlays::on_history(core, slot, instance, result);
    Vec::new()
}

/// Whether `result` answers a ledger write (see
/// [`Core::writes_in_flight`]).
fn is_write_answer(result: &JobResult) -> bool {
    matches!(
        result,
        JobResult::IntentRecorded { .. }
            | JobResult::BatchCreated(_)
            | JobResult::Recorded { .. }
            | JobResult::Claimed { .. }
            | JobResult::BatchClosed { .. }
            | JobResult::IdentityKept
            | JobResult::ListChanged(_)
    )
}

/// The states one token's server reported.
fn on_states(state: &mut Core, states: Vec<(usize, Result<Option<InstanceStatus>, ErrorInfo>)>) {
    for (index, result) in states {
        let Some(inst) = state.instances.get_mut(index) else {
            continue;
        };
        inst.connection = match result {
            Ok(Some(InstanceStatus {
                state,
                own_region,
                own_jid,
            })) => {
                inst.own_region = own_region;
                inst.own_jid = own_jid;
                Connection::State(state)
            }
            Ok(None) => Connection::NotOnServer,
            Err(e) => Connection::Failed(e),
        };
    }
}

/// A settling answer: the count it gives, or a note that the count shown
/// may be behind.
fn on_settled(
    state: &mut Core,
    instance: usize,
    jid: &str,
    result: Result<Option<u64>, ErrorInfo>,
) -> Vec<Effect> {
    let again = state.settling.answered(instance, jid, None, false);
    match result {
        Ok(Some(count)) => {
            if let Some(inst) = state.instances.get_mut(instance) {
                inst.blocked_count = Some(count);
            }
        }
        Ok(None) => {}
        Err(e) => failure_behind(
            state,
            instance,
            "the blocked count was not confirmed (the one shown may be behind)",
            &e,
        ),
    }
    again.map(Effect::Job).into_iter().collect()
}

/// The ledger read again: each instance takes what it knows now; the
/// shown list follows when that changed.
fn on_known(state: &mut Core, result: Result<Option<Vec<KnownState>>, ErrorInfo>) -> Vec<Effect> {
    let asked_at = state.known_loading.take();
    let Ok(Some(known)) = result else {
        // Unchanged since the last read; or failed: said once at start
        // when it matters, and tried again at the next poll.
        return Vec::new();
    };
    // This run's own answers are newer than a read asked before them,
    // and rows in flight keep what their answer will say.
    if asked_at != Some(state.answers) || state.instances.iter().any(|i| !i.pending.is_empty()) {
        return Vec::new();
    }
    let mut changed_here = false;
    for (index, inst) in state.instances.iter_mut().enumerate() {
        let mine: Vec<&KnownState> = known.iter().filter(|k| k.instance == inst.name).collect();
        let changed = inst.take_known(&mine);
        changed_here |= changed && index == state.current;
    }
    if !changed_here {
        return Vec::new();
    }
    let keep = selected_jid(state);
    let mut effects = vec![Effect::Redraw];
    if state.view == View::Blocked {
        effects.extend(refilter(state, keep));
    }
    effects
}
fn on_contacts(
    state: &mut State,
    instance: usize,
    result: Result<Arc<ContactStore>, ErrorInfo>,
) -> Vec<Effect> {
    let is_current = instance == state.current;
    let keep = is_current.then(|| selected_jid(state)).flatten();
    let Some(inst) = state.instances.get_mut(instance) else {
        return Vec::new();
    };
    let was_refreshing = std::mem::replace(&mut inst.refreshing, false);
    match result {
        Ok(store) => {
            contacts_loaded(state, instance, store, was_refreshing);
            if is_current {
                return refilter(state, keep).into_iter().collect();
            }
            Vec::new()
        }
        Err(e) => contacts_failed(state, instance, &e),
    }
}

/// A list arrived: it replaces the one shown, marks follow their
/// contacts, and what changed is said.
fn contacts_loaded(
    state: &mut State,
    instance: usize,
    store: Arc<ContactStore>,
    was_refreshing: bool,
) {
    let is_current = instance == state.current;
    let inst = &mut state.instances[instance];
    let skipped = store.skipped();
    let name = inst.name.clone();
    let count = store.len();
    let previous = std::mem::replace(&mut inst.contacts, store);
    inst.cached_at = None;
    inst.load = Load::Loaded;
    let gone = inst.keep_marks(&previous);
    if gone > 0 && inst.marks.is_empty() {
        // The next B/U must not fall back on the selected row.
        inst.marks_vanished = gone;
    }
    let saying_refreshing = state
        .status
        .as_ref()
        .is_some_and(|m| !m.is_error && m.text.ends_with(&format!("refreshing {name}…")));
    if was_refreshing && is_current && saying_refreshing {
        info(state, format!("refreshed {name}: {count} contacts"));
    }
    if gone > 0 {
        let what = super::bulk::marked(gone);
        info(
            state,
            format!("{what} left the address book of {name}: unmarked"),
        );
    }
    if skipped > 0 {
        error(
            state,
            format!(
                "{name}: {skipped} row(s) of the server's list were not valid contacts and were skipped · the rest is shown; check base_url if it persists"
            ),
        );
    }
}

/// A list could not be loaded: the one shown stays (cached or previous),
/// else the failure stands in for it; a 503 marks the instance
/// disconnected.
fn contacts_failed(state: &mut State, instance: usize, e: &ErrorInfo) -> Vec<Effect> {
    let is_current = instance == state.current;
    let inst = &mut state.instances[instance];
    let mut effects = Vec::new();
    if e.means_disconnected() {
        inst.connection = Connection::State(ConnState::Disconnected);
    }
    let name = inst.name.clone();
    let kept = if inst.contacts.is_empty() {
        inst.load = Load::Failed(e.clone());
        ""
    } else {
        inst.load = Load::Loaded;
        if inst.cached_at.is_some() {
            " (showing the cached list)"
        } else {
            " (showing the previous list)"
        }
    };
    if is_current {
        failure(
            state,
            instance,
            &format!("contacts of {name} not loaded{kept}"),
            e,
        );
        if e.means_disconnected() {
            effects.extend(load_instances(state));
        }
    }
    effects
}

/// Shows a cached list while the fresh one loads, unless it already came.
pub(super) fn on_cached(
    state: &mut State,
    instance: usize,
    store: Arc<ContactStore>,
    saved_at: i64,
) -> Vec<Effect> {
    let Some(inst) = state.instances.get_mut(instance) else {
        return Vec::new();
    };
    let fresh_pending = inst.load == Load::Loading;
    if !(fresh_pending || inst.load == Load::NotStarted) {
        return Vec::new();
    }
    inst.contacts = store;
    inst.cached_at = Some(saved_at);
    inst.load = Load::Loaded;
    inst.refreshing = fresh_pending;
    if instance == state.current {
        return refilter(state, None).into_iter().collect();
    }
    Vec::new()
}
