//! The app's behaviour: `update(state, msg) -> effects`, pure.

use ratatui::crossterm::event::{KeyEvent, MouseButton, MouseEvent, MouseEventKind};

use super::bulk;
use super::clock::LEDGER_POLL_TICKS;
use super::effect::Effect;
use super::ops::{
    error, info, load_contacts, load_instances, move_by, move_to, on_filtered, refilter, refresh,
    scroll_into_view, selected_jid, switch_instance, with_outsiders,
};
use super::overlays;
use super::state::{Core, INFO_TICKS, Overlay, POLL_TICKS, State, View};
use super::tabs;
use crate::keys::Command;
use crate::protocol::{Job, LedgerRead, Msg};

/// Applies one message to the state and returns what must happen next.
/// The screen is drawn again after every message but a timer tick; a
/// tick asks for it with [`Effect::Redraw`] when something it shows moved.
pub fn update(state: &mut State, msg: Msg) -> Vec<Effect> {
    let effects = route(state, msg);
    // Whatever changed the list's area (error lines that came or went, a
    // resize, a filter, a refresh), the selected row stays on screen.
    scroll_into_view(state);
    super::live::view::keep_in_view(state);
    super::list_view::keep_in_view(state);
    // Every job passes here on its way out: the counts know what is in
    // flight per instance (see `settle`), and the writes the ledger has
    // not answered yet are counted.
    let jobs = effects.iter().filter_map(|e| match e {
        Effect::Job(job) => Some(job),
        _ => None,
    });
    state.writes_in_flight += jobs.clone().filter(|j| matches!(j, Job::Write(_))).count();
    state.settling.sent(jobs);
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
        Msg::Worker(result) => super::results::on_result(state, result),
        Msg::Request(request) => super::request::on_request(state, request),
        Msg::Cached {
            instance,
            store,
            saved_at,
        } => super::results::on_cached(state, instance, store, saved_at),
        Msg::Filtered {
            instance,
            generation,
            rows,
        } => {
            filtered(state, instance, generation, rows);
            Vec::new()
        }
        Msg::Unfinished(batches) => {
            offer_resume(state, batches);
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
        Msg::Throttled { instances, until } => throttled(state, &instances, until),
        Msg::Notice(text) => {
            error(state, text);
            Vec::new()
        }
        Msg::Terminate => terminate(state),
        Msg::Suspend => vec![Effect::Suspend],
        Msg::Live(msg) => super::live::on::on_live(state, msg),
    }
}

/// A signal that ends the process: the screen quits; a headless batch
/// first stops sending and reports what it did.
fn terminate(state: &mut State) -> Vec<Effect> {
    let mut effects = if state.headless {
        super::bulk::interrupt(state)
    } else {
        Vec::new()
    };
    effects.push(Effect::Quit);
    effects
}

/// A filter's result: the shown instance's rows, then the numbers that
/// are no contact (in the blocked view).
fn filtered(state: &mut Core, instance: usize, generation: u64, rows: Vec<u32>) {
    let rows = if instance == state.current {
        with_outsiders(state, rows)
    } else {
        rows
    };
    on_filtered(state, instance, generation, rows);
}

/// WhatsApp throttles some instances: said once while they go slower,
/// with for how long.
fn throttled(state: &mut Core, instances: &[usize], until: i64) -> Vec<Effect> {
    let now = state.now;
    let mut names = Vec::new();
    let mut said = true;
    for &i in instances {
        let Some(inst) = state.instances.get_mut(i) else {
            continue;
        };
        said &= inst.slow_until > now;
        inst.slow_until = until;
        names.push(inst.name.clone());
    }
    if said {
        return Vec::new();
    }
    let minutes = (until - now).max(60) / 60;
    let text = format!(
        "WhatsApp is throttling {}: requests go at half pace for {minutes} min and are retried · nothing to do",
        names.join(", ")
    );
    info(state, text.clone());
    // A headless command says it on standard error.
    vec![Effect::Tell(text)]
}

/// Batches a previous run left: offered for resuming.
fn offer_resume(state: &mut State, batches: Vec<crate::store::ledger::UnfinishedBatch>) {
    if let Some(offer) = super::overlays::resume::offer(state, batches) {
        state.overlay = Some(Overlay::Resume {
            offer,
            resume_focused: false,
        });
    }
}

fn start(state: &mut State) -> Vec<Effect> {
    let mut effects: Vec<Effect> = load_instances(state).into_iter().collect();
    // The shown instance first, then the others in the background so that
    // switching is instant.
    let order = std::iter::once(state.current)
        .chain((0..state.instances.len()).filter(|i| *i != state.current))
        .collect::<Vec<_>>();
    for i in order {
        effects.extend(load_contacts(state, i));
    }
    // The live feed of every instance, for the Live view and the tabs.
    let every: Vec<usize> = (0..state.instances.len()).collect();
    effects.extend(super::live::on::open_feeds(state, &every));
    // The blocklist, for its view and the blocks that expired.
    effects.extend(super::list_view::on_start(state));
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
    effects.extend(super::lookups::on_tick(state));
    effects.extend(super::live::on::on_tick(state));
    effects.extend(super::list_view::keys::on_tick(state));
    // What other runs on the ledger changed shows within seconds; not
    // while this run's own batch writes to it.
    if state.ticks.is_multiple_of(LEDGER_POLL_TICKS)
        && state.known_loading.is_none()
        && state.batch.is_none()
    {
        state.known_loading = Some(state.answers);
        effects.push(Effect::read(LedgerRead::Known));
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
        let Some(command) = state.keymap.command_for(&key) else {
            return Vec::new();
        };
        // The Blocklist view and the Live view give some of the list's
        // keys a meaning of their own.
        if let Some(effects) = super::list_view::keys::on_command(state, command) {
            return effects;
        }
        if let Some(effects) = super::live::keys::on_command(state, command) {
            return effects;
        }
        return on_command(state, command);
    };
    let (core, slot) = state.parts();
    super::overlays::on_key(core, slot, overlay, key)
}

/// Wheel scrolls; a click selects a row or switches to a tab. Only in
/// the contact list: dialogs and prompts keep the keyboard's attention,
/// and the Live and Blocklist views' rows are not the contacts' (a click
/// there must never move the contact list's selection unseen).
fn on_mouse(state: &mut State, mouse: MouseEvent) -> Vec<Effect> {
    if state.overlay.is_some() || state.live.shown || state.list_view.shown {
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

/// A key that moves the selection: a row, a page, to either end.
fn move_command(state: &mut State, command: Command) {
    let page = state.list_height() as isize;
    match command {
        Command::Down => move_by(state, 1),
        Command::Up => move_by(state, -1),
        Command::PageDown => move_by(state, page),
        Command::PageUp => move_by(state, -page),
        Command::Top => move_to(state, 0),
        _ => {
            let last = state.visible.len().saturating_sub(1);
            move_to(state, last);
        }
    }
}

fn on_command(state: &mut State, command: Command) -> Vec<Effect> {
    // An error stays until the next action; moving and reading do not
    // count (the log keeps it either way).
    if command.is_action() && state.status.as_ref().is_some_and(|s| s.is_error) {
        state.status = None;
    }
    match command {
        Command::Down
        | Command::Up
        | Command::PageDown
        | Command::PageUp
        | Command::Top
        | Command::Bottom => move_command(state, command),
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
        Command::MarkAll => {
            if let Some(ask) = overlays::mark_all::star(state) {
                state.overlay = Some(Overlay::MarkAll(ask));
            }
        }
        Command::NextInstance => return switch_instance(state, 1),
        Command::PrevInstance => return switch_instance(state, -1),
        Command::Refresh => {
            let mut effects = refresh(state);
            effects.extend(super::live::on::retry_feeds(state));
            return effects;
        }
        Command::BulkBlock
        | Command::BulkUnblock
        | Command::AddNumber
        | Command::Undo
        | Command::Redo
        | Command::Help
        | Command::Messages
        | Command::History
        | Command::Details
        | Command::CommandLine
        | Command::Quit => return open_overlay(state, command),
        Command::Suspend => return vec![Effect::Suspend],
        // The Live view's and the Blocklist view's own (see `live::keys`,
        // `list_view::keys`).
        Command::Live
        | Command::EnableLive
        | Command::Blocklist
        | Command::ListAdd
        | Command::ListPlan
        | Command::ListApply => {}
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
            if super::ops::read_only(state, current) => {}
        Command::BulkBlock | Command::BulkUnblock => {
            let block = command == Command::BulkBlock;
            if let Some(dialog) = super::overlays::targets::open_dialog(state, block) {
                state.overlay = Some(Overlay::Targets(dialog));
            }
        }
        Command::AddNumber => state.overlay = Some(Overlay::Prompt(String::new())),
        Command::Undo | Command::Redo => {
            let (offer, effects) = if command == Command::Undo {
                super::overlays::undo::undo(state)
            } else {
                super::overlays::undo::redo(state)
            };
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

/// `b` on the selected row.
fn toggle_block(state: &mut State) -> Vec<Effect> {
    let Some(contact) = state.selected_contact() else {
        info(state, "no contact selected");
        return Vec::new();
    };
    let (jid, lid) = (contact.jid().to_string(), contact.lid().map(str::to_string));
    let who = contact.describe();
    let instance = state.current;
    match super::toggle::toggle(state, instance, jid, lid, who) {
        bulk::Begun::Sent(effects) => effects,
        bulk::Begun::AsksWhy(then) => {
            let (core, slot) = state.parts();
            overlays::ask_why(core, slot, then);
            Vec::new()
        }
    }
}
