//! Operations the key handlers, dialogs and the command line share:
//! telling the user (status bar and message log), moving, refiltering,
//! switching instance, refreshing. They work on the core only (never the
//! overlay slot), so the overlays import them and never each other.

use std::sync::Arc;

use super::core::{Core, Load, MAX_MESSAGES, Message, Status, View};
use super::effect::Effect;
use crate::model::contacts::ContactStore;
use crate::model::filter::{FilterJob, Keep, filter};
use crate::protocol::{ApiCall, ErrorInfo};

/// Shows a brief success or notice in the status bar (it expires), and
/// keeps it in the message log.
pub fn info(state: &mut Core, text: impl Into<String>) {
    show(state, text.into(), false, None, None);
}

/// Shows an error of ours (it stays until the next action), and keeps it
/// in the message log.
pub fn error(state: &mut Core, text: impl Into<String>) {
    show(state, text.into(), true, None, None);
}

/// Shows an error about `instance` (it stays until the next action), and
/// keeps it in the message log under that instance's name.
pub fn error_on(state: &mut Core, instance: usize, text: impl Into<String>) {
    let name = state.instances.get(instance).map(|i| i.name.clone());
    show(state, text.into(), true, None, name);
}

/// Shows a failed request: the reason first (the server's words, or
/// ours), then the HTTP status, then what it was about, then what to do.
pub fn failure(state: &mut Core, instance: usize, about: &str, e: &ErrorInfo) {
    let text = format!("{} · {about} · {}", e.lead(), e.hint);
    let name = state.instances.get(instance).map(|i| i.name.clone());
    show(state, text, true, Some(e), name);
}

/// Logs a failure and shows it, unless an error is on screen already (it
/// stays: the first problem is the one to read).
pub fn failure_behind(state: &mut Core, instance: usize, about: &str, e: &ErrorInfo) {
    let shown = state.status.clone().filter(|s| s.is_error);
    failure(state, instance, about, e);
    if shown.is_some() {
        state.status = shown;
    }
}

fn show(
    state: &mut Core,
    text: String,
    is_error: bool,
    e: Option<&ErrorInfo>,
    instance: Option<String>,
) {
    let instance = instance.unwrap_or_else(|| state.instance().name.clone());
    if state.messages.len() >= MAX_MESSAGES {
        state.messages.remove(0);
    }
    state.messages.push(Message {
        at: state.now,
        instance,
        text: text.clone(),
        status: e.and_then(|e| e.status),
        hint: e.map(|e| e.hint.clone()),
        is_error,
    });
    state.status = Some(Status {
        text,
        is_error,
        since: state.ticks,
    });
}

/// Asks for an instance's contacts unless a request is already in flight:
/// repeated refreshes collapse into one.
pub fn load_contacts(state: &mut Core, instance: usize) -> Option<Effect> {
    let inst = &mut state.instances[instance];
    if inst.is_loading() {
        return None;
    }
    if inst.load == Load::Loaded {
        inst.refreshing = true;
    } else {
        inst.load = Load::Loading;
    }
    Some(Effect::call(ApiCall::LoadContacts { instance }))
}

/// Asks for every instance's state unless a request is in flight.
pub fn load_instances(state: &mut Core) -> Option<Effect> {
    if state.instances_loading() {
        return None;
    }
    state.instances_polled = true;
    Some(Effect::call(ApiCall::LoadInstances))
}

/// Selects row `index` (clamped) and keeps it on screen.
pub fn move_to(state: &mut Core, index: usize) {
    state.selected = index.min(state.visible.len().saturating_sub(1));
    scroll_into_view(state);
}

pub fn move_by(state: &mut Core, delta: isize) {
    let target = state.selected.saturating_add_signed(delta);
    move_to(state, target);
}

/// Keeps the selected row on screen (see [`crate::app::layout::window`]).
pub fn scroll_into_view(state: &mut Core) {
    state.offset = crate::app::layout::window(
        state.selected,
        state.offset,
        state.list_height(),
        state.visible.len(),
    );
}

/// The JID of the selected row.
pub fn selected_jid(state: &Core) -> Option<String> {
    state.selected_contact().map(|c| c.jid().to_string())
}

/// In the blocked view, adds after `rows` (the contacts) the numbers the
/// ledger knows as blocked that are not contacts, filtered alike;
/// elsewhere returns `rows`.
pub fn with_outsiders(state: &mut Core, mut rows: Vec<u32>) -> Vec<u32> {
    let (filter_text, sort, view) = (state.filter.clone(), state.sort, state.view);
    let matching = state.matching();
    let inst = state.instance_mut();
    if view != View::Blocked {
        inst.outsiders = Arc::new(ContactStore::default());
        return rows;
    }
    inst.outsiders = Arc::new(inst.find_outsiders());
    let base = inst.contacts.len() as u32;
    rows.extend(
        filter(&inst.outsiders, &filter_text, matching, sort, &Keep::All)
            .into_iter()
            .map(|i| base + i),
    );
    rows
}

/// Recomputes the view of the shown instance (filter, sort, blocked view),
/// keeping the selection on `keep` (a JID) when it is still there. Small
/// lists are done at once; large ones become an [`Effect::Filter`] and the
/// current rows stay until its result arrives.
pub fn refilter(state: &mut Core, keep: Option<String>) -> Option<Effect> {
    if state.headless {
        return None;
    }
    state.filter_generation += 1;
    let inst = &state.instances[state.current];
    let keep_view = match state.view {
        View::All => Keep::All,
        View::Blocked => Keep::Only(Arc::new(inst.known_blocked_ids())),
    };
    if inst.contacts.len() > state.sync_filter_limit {
        state.keep_selected = keep;
        return Some(Effect::Filter(FilterJob {
            instance: state.current,
            generation: state.filter_generation,
            store: inst.contacts.clone(),
            query: state.filter.clone(),
            matching: state.matching(),
            sort: state.sort,
            keep: keep_view,
        }));
    }
    let rows = filter(
        &inst.contacts,
        &state.filter,
        state.matching(),
        state.sort,
        &keep_view,
    );
    let rows = with_outsiders(state, rows);
    state.keep_selected = keep;
    let (current, generation) = (state.current, state.filter_generation);
    on_filtered(state, current, generation, rows);
    None
}

/// Shows a filter result unless a newer one is already shown.
pub fn on_filtered(state: &mut Core, instance: usize, generation: u64, rows: Vec<u32>) {
    if instance != state.current || generation <= state.shown_generation {
        return;
    }
    state.shown_generation = generation;
    state.visible = rows;
    let inst = &state.instances[state.current];
    let position = state.keep_selected.take().and_then(|jid| {
        state
            .visible
            .iter()
            .position(|&i| inst.row(i).is_some_and(|c| c.jid() == jid))
    });
    match position {
        Some(p) => state.selected = p,
        None => {
            state.selected = 0;
            state.offset = 0;
        }
    }
    scroll_into_view(state);
}

pub fn switch_instance(state: &mut Core, delta: isize) -> Vec<Effect> {
    let n = state.instances.len();
    if n < 2 {
        return Vec::new();
    }
    let (selected, offset) = (state.selected, state.offset);
    let inst = state.instance_mut();
    inst.selected = selected;
    inst.offset = offset;
    state.current = (state.current as isize + delta).rem_euclid(n as isize) as usize;
    let (selected, offset) = (state.instance().selected, state.instance().offset);
    let keep = state
        .instance()
        .contacts
        .get(selected as u32)
        .map(|c| c.jid().to_string());
    // The other instance's rows must not show under this one's name while
    // a large filter runs.
    state.visible.clear();
    let mut effects: Vec<Effect> = refilter(state, keep).into_iter().collect();
    if effects.is_empty() {
        state.selected = selected.min(state.visible.len().saturating_sub(1));
        state.offset = offset;
        scroll_into_view(state);
    }
    state.status = None;
    let current = state.current;
    if state.instance().load == Load::NotStarted {
        effects.extend(load_contacts(state, current));
    }
    effects
}

/// `r`: reloads the instance states and the shown contacts.
pub fn refresh(state: &mut Core) -> Vec<Effect> {
    let current = state.current;
    let effects: Vec<Effect> = load_instances(state)
        .into_iter()
        .chain(load_contacts(state, current))
        .collect();
    let what = if effects.is_empty() {
        "already refreshing"
    } else {
        "refreshing"
    };
    let text = format!("{what} {}…", state.instance().name);
    info(state, text);
    effects
}

/// Refuses (saying so) a change on a read-only instance.
pub fn read_only(state: &mut Core, instance: usize) -> bool {
    if !state.instances.get(instance).is_some_and(|i| i.read_only) {
        return false;
    }
    let text = read_only_text(state, &[instance]);
    error(state, text);
    true
}

/// The refusal of a change on read-only `instances`, for the screen and
/// the command line alike.
pub fn read_only_text(state: &Core, instances: &[usize]) -> String {
    let names: Vec<&str> = instances
        .iter()
        .map(|&i| state.instances[i].name.as_str())
        .collect();
    format!(
        "read-only: no block or unblock is sent to {} (read_only in the profile, or --read-only) · nothing was sent",
        names.join(", ")
    )
}
