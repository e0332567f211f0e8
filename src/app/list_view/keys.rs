//! The keys of the Blocklist view, and the ones that reach it from
//! anywhere: `T` shows it (again: the contacts), `W` adds what the
//! operator points at, `p` shows the plan (again: the entries), `y`
//! applies it. In the view the list's keys move and filter its entries
//! (or scroll the plan); keys that act on contacts say where they work.
//! The offer of expired blocks opens here, when nothing else is open.

use super::{apply, expired, move_by, refilter, show_plan};
use crate::app::bulk::cancel;
use crate::app::effect::Effect;
use crate::app::ops::info;
use crate::app::overlays::expired::ExpiredOffer;
use crate::app::overlays::list_add::ListAsk;
use crate::app::state::{Overlay, State};
use crate::keys::Command;

/// A list command, where the Blocklist view (or `W`) gives it a meaning;
/// `None` lets the Live view or the list handle it.
pub fn on_command(state: &mut State, command: Command) -> Option<Vec<Effect>> {
    if command.is_action() && state.status.as_ref().is_some_and(|s| s.is_error) {
        state.status = None;
    }
    match command {
        Command::Blocklist => return Some(toggle(state)),
        Command::ListAdd => {
            if state.list_view.shown {
                let back = state.keymap.label_of(Command::Blocklist);
                info(
                    state,
                    format!(
                        "the entries are on the list already: {back} goes back to the contacts, whose numbers W adds"
                    ),
                );
            } else if let Some(adding) = super::add::targets(state) {
                state.overlay = Some(Overlay::ListAdd(ListAsk::new(adding)));
            }
            return Some(Vec::new());
        }
        Command::ListPlan | Command::ListApply if !state.list_view.shown => {
            let view = state.keymap.label_of(Command::Blocklist);
            info(
                state,
                format!("the plan is in the Blocklist view: {view} shows it"),
            );
            return Some(Vec::new());
        }
        Command::Live if state.list_view.shown => {
            // The Live view takes the screen.
            state.list_view.shown = false;
            return None;
        }
        _ if !state.list_view.shown => return None,
        _ => {}
    }
    view_command(state, command)
}

/// A command in the view.
fn view_command(state: &mut State, command: Command) -> Option<Vec<Effect>> {
    let page = super::entry_rows(state) as isize;
    match command {
        Command::Down => move_by(state, 1),
        Command::Up => move_by(state, -1),
        Command::PageDown => move_by(state, page),
        Command::PageUp => move_by(state, -page),
        Command::Top => move_by(state, isize::MIN / 2),
        Command::Bottom => move_by(state, isize::MAX / 2),
        Command::Filter => state.overlay = Some(Overlay::Filter),
        Command::ClearFilter => clear(state),
        Command::ListPlan => return Some(plan(state)),
        Command::ListApply => return Some(apply::apply(state)),
        Command::Refresh => {
            let mut effects = crate::app::blocklist::load(state);
            effects.extend(crate::app::ops::refresh(state));
            return Some(effects);
        }
        Command::ToggleBlock
        | Command::Mark
        | Command::MarkAll
        | Command::BulkBlock
        | Command::BulkUnblock
        | Command::Sort
        | Command::BlockedView
        | Command::Details => {
            let back = state.keymap.label_of(Command::Blocklist);
            let plan = state.keymap.label_of(Command::ListPlan);
            info(
                state,
                format!(
                    "that key acts on contacts: {back} goes back to them; here {plan} shows what following the list sends"
                ),
            );
        }
        _ => return None,
    }
    Some(Vec::new())
}

/// `T`: the Blocklist view (read again each time it opens), or back to
/// the contacts.
fn toggle(state: &mut State) -> Vec<Effect> {
    let view = &mut state.list_view;
    view.shown = !view.shown;
    if !view.shown {
        return Vec::new();
    }
    view.plan_shown = false;
    state.live.shown = false;
    crate::app::blocklist::load(state)
}

/// `p`: the plan of every instance (again: the entries).
fn plan(state: &mut State) -> Vec<Effect> {
    if state.list_view.plan_shown {
        state.list_view.plan_shown = false;
        return Vec::new();
    }
    show_plan(state)
}

/// Esc: cancels what a running batch has not sent, else leaves the plan,
/// else clears the filter.
fn clear(state: &mut State) {
    if cancel(state) {
        return;
    }
    if state.list_view.plan_shown {
        state.list_view.plan_shown = false;
    } else if !state.list_view.filter.is_empty() {
        state.list_view.filter.clear();
        refilter(state);
    }
}

/// Offers to unblock what expired, when blocks of the list expired since
/// the last offer and nothing else is open.
pub fn offer_expired(state: &mut State) {
    if state.headless || state.overlay.is_some() {
        return;
    }
    let blocks = expired::expired_blocks(state);
    if blocks.len() <= state.list_view.offered {
        // Fewer now (unblocked, or listed again): the next one is news.
        state.list_view.offered = blocks.len();
        return;
    }
    state.list_view.offered = blocks.len();
    let lines = expired::offer_lines(state, &blocks);
    state.overlay = Some(Overlay::ExpiredOffer(ExpiredOffer {
        count: blocks.len(),
        lines,
        confirm_focused: false,
    }));
}

/// Ticks between two reads of the blocklist (other desks add to it;
/// entries expire as time passes): a minute.
pub const LIST_POLL_TICKS: u64 = 60 * crate::app::clock::TICKS_PER_SECOND;

/// A timer tick: the list is read again every minute (when the read comes,
/// what expired meanwhile is offered).
pub fn on_tick(state: &mut State) -> Vec<Effect> {
    if state.headless || !state.ticks.is_multiple_of(LIST_POLL_TICKS) {
        return Vec::new();
    }
    crate::app::blocklist::load(state)
}

/// The ledger's blocklist arrived: the engine takes it (a plan waiting
/// for it goes on), the view's rows follow, and what expired is offered.
pub fn on_list(state: &mut State, read: crate::protocol::ListRead) -> Vec<Effect> {
    let effects = crate::app::blocklist::on_list(state, read);
    super::on_loaded(state);
    offer_expired(state);
    effects
}

/// The ledger took a change of the list (or said why not): what `W` added
/// is said, and the list is read again.
pub fn on_changed(
    state: &mut State,
    result: Result<usize, crate::protocol::ErrorInfo>,
) -> Vec<Effect> {
    super::on_changed(state, result.is_ok());
    crate::app::blocklist::on_changed(state, result)
}
