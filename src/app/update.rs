//! The app's behaviour: `update(state, msg) -> effects`, pure.

use crate::model::change::Change;
use ratatui::crossterm::event::{KeyEvent, MouseButton, MouseEvent, MouseEventKind};

use std::sync::Arc;

use super::batch::Item;
use super::bulk;
use super::clock::LEDGER_POLL_TICKS;
use super::msg::{ApiJob, ApiResult, BlockDone, ConnState, Effect, ErrorInfo, InstanceStatus, Msg};
use super::ops::{
    error, failure, failure_behind, info, load_contacts, load_instances, move_by, move_to,
    on_filtered, refilter, refresh, scroll_into_view, selected_jid, switch_instance,
    with_outsiders,
};
use super::overlays;
use super::state::{
    Connection, Core, INFO_TICKS, Known, Load, Overlay, POLL_TICKS, Pending, State, View,
};
use super::tabs;
use crate::keys::Command;
use crate::model::contacts::ContactStore;
use crate::store::ledger::KnownState;

/// Applies one message to the state and returns what must happen next.
/// The screen is drawn again after every message but a timer tick; a
/// tick asks for it with [`Effect::Redraw`] when something it shows moved.
pub fn update(state: &mut State, msg: Msg) -> Vec<Effect> {
    let effects = route(state, msg);
    // Whatever changed the list's area (error lines that came or went, a
    // resize, a filter, a refresh), the selected row stays on screen.
    scroll_into_view(state);
    // Every block request passes here on its way out, so the counts know
    // what is in flight per instance (see `settle`).
    state.settling.sent(effects.iter().filter_map(|e| match e {
        Effect::Api(job) => Some(job),
        _ => None,
    }));
    effects
}

fn route(state: &mut State, msg: Msg) -> Vec<Effect> {
    match msg {
        Msg::Start => start(state),
        Msg::Key(key) => on_key(state, key),
        Msg::Mouse(mouse) => on_mouse(state, mouse),
        Msg::Paste(text) => super::paste::on_paste(state, &text),
        Msg::Resize { width, height } => {
            state.width = width;
            state.height = height;
            scroll_into_view(state);
            Vec::new()
        }
        Msg::Tick { now } => on_tick(state, now),
        Msg::Api(result) => on_result(state, result),
        Msg::Cached {
            instance,
            store,
            saved_at,
        } => on_cached(state, instance, store, saved_at),
        Msg::Filtered {
            instance,
            generation,
            rows,
        } => {
            let rows = if instance == state.current {
                with_outsiders(state, rows)
            } else {
                rows
            };
            on_filtered(state, instance, generation, rows);
            Vec::new()
        }
        Msg::Unfinished(batches) => {
            if let Some(offer) = super::overlays::resume::offer(state, batches) {
                state.overlay = Some(Overlay::Resume {
                    offer,
                    resume_focused: false,
                });
            }
            Vec::new()
        }
        Msg::Budget {
            instances,
            remaining,
            limit,
        } => {
            // Instances sharing a token share one budget: the first of
            // them names it.
            let token = instances.first().copied().unwrap_or_default();
            for i in instances {
                if let Some(inst) = state.instances.get_mut(i) {
                    inst.budget = Some((remaining, limit));
                    inst.budget_token = token;
                }
            }
            Vec::new()
        }
        Msg::Notice(text) => {
            error(state, text);
            Vec::new()
        }
        Msg::Terminate => vec![Effect::Quit],
        Msg::Suspend => vec![Effect::Suspend],
    }
}

fn start(state: &mut State) -> Vec<Effect> {
    state.instances_loading = true;
    let mut effects = vec![Effect::Api(ApiJob::LoadInstances)];
    // The shown instance first, then the others in the background so that
    // switching is instant.
    let order = std::iter::once(state.current)
        .chain((0..state.instances.len()).filter(|i| *i != state.current))
        .collect::<Vec<_>>();
    for i in order {
        effects.extend(load_contacts(state, i));
    }
    effects
}

fn on_tick(state: &mut State, now: i64) -> Vec<Effect> {
    state.ticks += 1;
    // Ages like "3m ago" change each minute; spinners turn while busy.
    let mut moved = now / 60 != state.now / 60 || state.is_busy();
    state.now = now;
    if let Some(status) = &state.status
        && !status.is_error
        && state.ticks.saturating_sub(status.since) >= INFO_TICKS
    {
        state.status = None;
        moved = true;
    }
    let mut effects: Vec<Effect> = Vec::new();
    if moved {
        effects.push(Effect::Redraw);
    }
    if state.ticks.is_multiple_of(POLL_TICKS) {
        effects.extend(load_instances(state));
    }
    // What other runs on the ledger changed shows within seconds; not
    // while this run's own batch writes to it.
    if state.ticks.is_multiple_of(LEDGER_POLL_TICKS)
        && state.known_loading.is_none()
        && state.batch.is_none()
    {
        state.known_loading = Some(state.answers);
        effects.push(Effect::Api(ApiJob::LoadKnown));
    }
    effects
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

/// Routes a key to what covers the list, or to the list. The overlay is
/// taken out of the state while its key is handled; it is put back
/// unless the key closes it.
fn on_key(state: &mut State, key: KeyEvent) -> Vec<Effect> {
    // Suspending works in every context, whatever has the keys.
    if state.keymap.command_for(&key) == Some(Command::Suspend) {
        return vec![Effect::Suspend];
    }
    let Some(overlay) = state.overlay.take() else {
        return match state.keymap.command_for(&key) {
            Some(command) => on_command(state, command),
            None => Vec::new(),
        };
    };
    let (core, slot) = state.parts();
    super::overlays::on_key(core, slot, overlay, key)
}

/// Wheel scrolls; a click selects a row or switches to a tab. Only in
/// the list view: dialogs and prompts keep the keyboard's attention.
fn on_mouse(state: &mut State, mouse: MouseEvent) -> Vec<Effect> {
    if state.overlay.is_some() {
        return Vec::new();
    }
    match mouse.kind {
        MouseEventKind::ScrollDown => move_by(state, 3),
        MouseEventKind::ScrollUp => move_by(state, -3),
        MouseEventKind::Down(MouseButton::Left) if mouse.row == 0 => {
            if let Some(target) = tabs::tab_at(state, state.width, mouse.column) {
                let delta = target as isize - state.current as isize;
                if delta != 0 {
                    return switch_instance(state, delta);
                }
            }
        }
        MouseEventKind::Down(MouseButton::Left) => {
            let errors = state.message_lines().len();
            if let Some(row) = crate::app::layout::row_at(mouse.row, state.height, errors) {
                let index = state.offset + row;
                if index < state.visible.len() {
                    state.selected = index;
                }
            }
        }
        _ => {}
    }
    Vec::new()
}

fn on_command(state: &mut State, command: Command) -> Vec<Effect> {
    // An error stays until the next action; moving and reading do not
    // count (the log keeps it either way).
    if command.is_action() && state.status.as_ref().is_some_and(|s| s.is_error) {
        state.status = None;
    }
    let page = state.list_height();
    match command {
        Command::Down => move_by(state, 1),
        Command::Up => move_by(state, -1),
        Command::PageDown => move_by(state, page as isize),
        Command::PageUp => move_by(state, -(page as isize)),
        Command::Top => move_to(state, 0),
        Command::Bottom => {
            let last = state.visible.len().saturating_sub(1);
            move_to(state, last);
        }
        Command::Filter => state.overlay = Some(Overlay::Filter),
        Command::ClearFilter => {
            if bulk::cancel(state) {
                return Vec::new();
            }
            if !state.filter.is_empty() {
                state.filter.clear();
                // The selection stays on the contact it was on.
                let keep = selected_jid(state);
                return refilter(state, keep).into_iter().collect();
            }
        }
        Command::Sort | Command::BlockedView => return on_view_command(state, command),
        Command::ToggleBlock => return toggle_block(state),
        Command::Mark => bulk::mark(state),
        Command::MarkAll => bulk::mark_all(state),
        Command::NextInstance => return switch_instance(state, 1),
        Command::PrevInstance => return switch_instance(state, -1),
        Command::Refresh => return refresh(state),
        Command::BulkBlock
        | Command::BulkUnblock
        | Command::AddNumber
        | Command::Undo
        | Command::Help
        | Command::Messages
        | Command::History
        | Command::Details
        | Command::CommandLine
        | Command::Quit => return open_overlay(state, command),
        Command::Suspend => return vec![Effect::Suspend],
    }
    Vec::new()
}

/// The list's order and view: `s` sorts, `v` shows the known blocked.
fn on_view_command(state: &mut Core, command: Command) -> Vec<Effect> {
    match command {
        Command::Sort => {
            state.sort = state.sort.next();
            let text = format!("sorted {}", state.sort.label());
            info(state, text);
        }
        Command::BlockedView => {
            state.view = match state.view {
                View::All => View::Blocked,
                View::Blocked => View::All,
            };
            let text = match state.view {
                View::All => "showing every contact",
                View::Blocked => "showing what the ledger knows as blocked here, contacts or not",
            };
            info(state, text);
        }
        _ => return Vec::new(),
    }
    let keep = selected_jid(state);
    refilter(state, keep).into_iter().collect()
}

/// The commands that open an overlay (or act at once when nothing needs
/// asking: a single undo, a quit with nothing pending).
fn open_overlay(state: &mut State, command: Command) -> Vec<Effect> {
    let current = state.current;
    match command {
        Command::BulkBlock | Command::BulkUnblock | Command::AddNumber
            if bulk::read_only(state, current) => {}
        Command::BulkBlock | Command::BulkUnblock => {
            let block = command == Command::BulkBlock;
            if let Some(dialog) = super::overlays::targets::open_dialog(state, block) {
                state.overlay = Some(Overlay::Targets(dialog));
            }
        }
        Command::AddNumber => state.overlay = Some(Overlay::Prompt(String::new())),
        Command::Undo => {
            let (offer, effects) = super::overlays::undo::undo(state);
            if let Some(offer) = offer {
                state.overlay = Some(Overlay::Undo(offer));
            }
            return effects;
        }
        Command::Help => overlays::open_help(&mut state.overlay),
        Command::Messages => overlays::open_messages(&mut state.overlay),
        Command::History => {
            let (core, slot) = state.parts();
            return overlays::open_history(core, slot);
        }
        Command::Details => {
            let (core, slot) = state.parts();
            return overlays::open_details(core, slot);
        }
        Command::CommandLine => state.overlay = Some(Overlay::CommandLine(String::new())),
        Command::Quit => {
            let (core, slot) = state.parts();
            return overlays::request_quit(core, slot);
        }
        _ => {}
    }
    Vec::new()
}

fn toggle_block(state: &mut State) -> Vec<Effect> {
    let Some(contact) = state.selected_contact() else {
        info(state, "no contact selected");
        return Vec::new();
    };
    let (jid, lid) = (contact.jid().to_string(), contact.lid().map(str::to_string));
    let who = contact.describe();
    let instance = state.current;
    if bulk::read_only(state, instance) {
        return Vec::new();
    }
    if state.instances[instance].is_own(&jid) {
        error(
            state,
            format!(
                "{who} is this instance's own number: an instance cannot block itself · nothing was sent"
            ),
        );
        return Vec::new();
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
        return Vec::new();
    }
    let block = !inst
        .known_of_jid(&jid, lid.as_deref())
        .is_some_and(|k| k.blocked);
    if state.ask_reason {
        let then = super::bulk::Then::Toggle {
            instance,
            jid,
            lid,
            block,
            who,
        };
        let (core, slot) = state.parts();
        overlays::ask_why(core, slot, then);
        return Vec::new();
    }
    bulk::send_toggle(state, instance, jid, lid, block, &who, None)
}

fn on_result(state: &mut State, result: ApiResult) -> Vec<Effect> {
    match result {
        ApiResult::Instances(results) => {
            state.instances_loading = false;
            for (index, result) in results {
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
            Vec::new()
        }
        ApiResult::Contacts { instance, result } => on_contacts(state, instance, result),
        ApiResult::Block {
            instance,
            jid,
            block,
            batch,
            result,
        } => {
            state.answers += 1;
            let confirmed = result.as_ref().ok().map(|d| d.outcome.blocked);
            let settle = state.settling.answered(instance, &jid, confirmed);
            let mut effects = on_block(state, instance, jid, block, batch, result);
            effects.extend(settle.map(Effect::Api));
            // An open history of that instance follows what the ledger
            // just recorded.
            if overlays::follows(state.overlay.as_ref(), instance) {
                effects.push(Effect::Api(ApiJob::History { instance }));
            }
            effects
        }
        ApiResult::BatchCreated(created) => bulk::on_created(state, created),
        ApiResult::Settled {
            instance,
            jid,
            result,
        } => {
            let again = state.settling.answered(instance, &jid, None);
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
            again.map(Effect::Api).into_iter().collect()
        }
        ApiResult::History { instance, result } => {
            let result = result.map_err(|e| format!("{} · {}", e.lead(), e.hint));
            let (core, slot) = state.parts();
            overlays::on_history(core, slot, instance, result);
            Vec::new()
        }
        ApiResult::Claimed { batch, result } => bulk::on_claimed(state, batch, result),
        ApiResult::Known(result) => on_known(state, result),
        ApiResult::BatchClosed | ApiResult::Probe { .. } => Vec::new(),
    }
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
    let saying_refreshing = state
        .status
        .as_ref()
        .is_some_and(|m| !m.is_error && m.text.ends_with(&format!("refreshing {name}…")));
    if was_refreshing && is_current && saying_refreshing {
        info(state, format!("refreshed {name}: {count} contacts"));
    }
    if gone > 0 {
        let what = if gone == 1 {
            "1 marked contact".to_string()
        } else {
            format!("{gone} marked contacts")
        };
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
    if e.status == Some(503) {
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
        if e.status == Some(503) {
            effects.extend(load_instances(state));
        }
    }
    effects
}

/// Shows a cached list while the fresh one loads, unless it already came.
fn on_cached(
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

/// What a block answer is about: the request, as the row names it.
struct Answered {
    instance: usize,
    jid: String,
    block: bool,
    batch: Option<i64>,
    /// The single toggle it answers (batch items have none).
    pending: Option<Pending>,
    /// `Name (+55 11 9…)` or the number.
    who: String,
    /// The row's `@lid`, when the list gives one.
    row_lid: Option<String>,
}

fn on_block(
    state: &mut State,
    instance: usize,
    jid: String,
    block: bool,
    batch: Option<i64>,
    result: Result<BlockDone, ErrorInfo>,
) -> Vec<Effect> {
    let Some(inst) = state.instances.get_mut(instance) else {
        return Vec::new();
    };
    // A batch item has no per-row toggle state; a single toggle does.
    let pending = batch.is_none().then(|| inst.pending.remove(&jid)).flatten();
    let contact = inst.contacts.find(&jid);
    let who = contact.map_or_else(|| crate::model::number::shown_jid(&jid), |c| c.describe());
    let row_lid = contact.and_then(|c| c.lid()).map(str::to_string);
    let ok = result.is_ok();
    let recorded = super::msg::answer_recorded(&result);
    let answered = Answered {
        instance,
        jid,
        block,
        batch,
        pending,
        who,
        row_lid,
    };
    let mut effects = match result {
        Ok(done) => on_block_done(state, &answered, done),
        Err(e) => on_block_failed(state, &answered, &e),
    };
    if let Some(batch) = batch {
        effects.extend(bulk::on_answer(
            state,
            batch,
            instance,
            &answered.jid,
            ok,
            recorded,
        ));
    }
    effects
}

/// A confirmed block or unblock: the ledger's state, the count, a queued
/// change sent, the message, the undo step.
fn on_block_done(state: &mut State, a: &Answered, done: BlockDone) -> Vec<Effect> {
    let lid = remember_done(state, a, &done);
    let effects = queued_after(state, a, done.outcome.blocked, &lid);
    say_done(state, a, &done, lid);
    effects.into_iter().collect()
}

/// The row's new known state, who made it and why, and the account's
/// count; returns the contact's `@lid` as now known.
fn remember_done(state: &mut Core, a: &Answered, done: &BlockDone) -> Option<String> {
    let operator = (!state.operator.is_empty()).then(|| state.operator.clone());
    let inst = &mut state.instances[a.instance];
    inst.last_error.remove(&a.jid);
    let outcome = &done.outcome;
    let lid = a.row_lid.clone().or_else(|| {
        (outcome
            .contact_jid
            .ends_with(crate::model::number::LID_SUFFIX)
            && outcome.contact_jid != a.jid)
            .then(|| outcome.contact_jid.clone())
    });
    inst.remember(
        &a.jid,
        lid.as_deref(),
        Known {
            blocked: outcome.blocked,
            at: done.recorded_at,
        },
    );
    inst.remember_why(
        &a.jid,
        crate::app::state::Why {
            operator,
            reason: done.reason.clone(),
        },
    );
    if let Some(count) = outcome.blocked_count {
        inst.blocked_count = Some(count);
    }
    lid
}

/// The change `b` queued on the row while its request was in flight,
/// sent now unless the answer already left the row that way.
fn queued_after(
    state: &mut Core,
    a: &Answered,
    final_state: bool,
    lid: &Option<String>,
) -> Option<Effect> {
    let next = a
        .pending
        .and_then(|p| p.queued)
        .filter(|q| *q != final_state)?;
    state.instances[a.instance].pending.insert(
        a.jid.clone(),
        Pending {
            sending: next,
            queued: None,
        },
    );
    Some(Effect::Api(ApiJob::Block {
        instance: a.instance,
        jid: a.jid.clone(),
        lid: lid.clone(),
        block: next,
        action: None,
        batch: None,
        reason: None,
    }))
}

/// What a single answer says (a batch sums its answers up at the end),
/// and the undo history's entry for it.
fn say_done(state: &mut Core, a: &Answered, done: &BlockDone, lid: Option<String>) {
    let name = state.instances[a.instance].name.clone();
    let final_state = done.outcome.blocked;
    let who = &a.who;
    if let Some(why) = &done.ledger_error {
        let hint = bulk::ledger_hint(state.team_ledger);
        error(
            state,
            format!(
                "{who} on {name}: the server answered, but the ledger did not save it: {why} · {hint}"
            ),
        );
    } else if a.batch.is_none() {
        let verb = Change::of(final_state).done_word();
        let mut text = format!("{verb} {who} on {name}");
        if !done.outcome.message.is_empty() {
            text.push_str(&format!(" · server: {}", done.outcome.message));
        }
        if final_state != a.block {
            text.push_str(" · the server reports a different final state");
        }
        info(state, text);
    }
    if a.batch.is_none() {
        let verb = Change::of(final_state).verb();
        state.history.push(super::batch::Done {
            label: format!("{verb} {who} on {name}"),
            items: vec![Item {
                instance: a.instance,
                jid: a.jid.clone(),
                lid,
                block: final_state,
                action: None,
            }],
        });
    }
}

/// A failed block or unblock: the row's last error, a 503 marks the
/// instance disconnected, the message (a batch sums its failures up).
fn on_block_failed(state: &mut State, a: &Answered, e: &ErrorInfo) -> Vec<Effect> {
    let mut effects = Vec::new();
    let inst = &mut state.instances[a.instance];
    let name = inst.name.clone();
    inst.last_error
        .insert(a.jid.clone(), format!("{} · {}", e.lead(), e.hint));
    if e.status == Some(503) {
        inst.connection = Connection::State(ConnState::Disconnected);
        effects.extend(load_instances(state));
    }
    let verb = Change::of(a.block).verb();
    let mut about = format!("{verb} {} on {name}", a.who);
    if a.batch.is_none() {
        if a.pending.and_then(|p| p.queued).is_some() {
            about.push_str(" (the queued change was not sent)");
        }
        failure(state, a.instance, &about, e);
    } else {
        note_batch_failure(state, a.instance, &about, e);
    }
    effects
}

/// Shows a running batch's first failure, without replacing an error
/// already on screen; the batch's summary follows when it ends. Every
/// failure goes to the message log.
fn note_batch_failure(state: &mut State, instance: usize, about: &str, e: &ErrorInfo) {
    if let Some(b) = state.batch.as_mut() {
        b.first_failure
            .get_or_insert_with(|| (e.lead(), e.hint.clone()));
    }
    failure_behind(state, instance, about, e);
}
