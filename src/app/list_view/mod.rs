//! The Blocklist view (`T`): the team's list of numbers every instance
//! blocks, its entries ([`rows`]), the plan that makes every instance
//! follow it ([`plan_view`], `p`) and its apply (`y`, [`apply`]); `W`
//! adds what the operator points at ([`add`]); blocks whose entries
//! expired are offered for unblocking, never unblocked silently
//! ([`expired`]). The list's keys move and filter here as in the list.

pub(crate) mod add;
pub(crate) mod apply;
pub mod expired;
pub(crate) mod filter;
pub(crate) mod held;
pub(crate) mod keys;
pub mod plan_view;
pub mod rows;
pub mod state;

pub use state::ListView;

use crate::app::core::Core;
use crate::app::effect::Effect;

/// The rows shown again (after a read of the list or a new filter); the
/// selection stays in range.
pub fn refilter(core: &mut Core) {
    let view = &mut core.list_view;
    view.rows = match &core.blocklist.entries {
        Some(entries) => rows::matching(entries, &view.filter),
        None => Vec::new(),
    };
    view.selected = view.selected.min(view.rows.len().saturating_sub(1));
}

/// Rows of entries on screen: the list's area less the view's summary
/// and column header.
pub fn entry_rows(core: &Core) -> usize {
    core.list_height().saturating_sub(2).max(1)
}

/// Keeps the selected entry on screen, and the plan's window in range.
pub fn keep_in_view(core: &mut Core) {
    if !core.list_view.shown {
        return;
    }
    let rows = entry_rows(core);
    let plan_lines = if core.list_view.plan_shown {
        plan_view::lines(core).len()
    } else {
        0
    };
    let view = &mut core.list_view;
    view.offset = crate::app::layout::window(view.selected, view.offset, rows, view.rows.len());
    let plan_rows = core.list_height();
    let view = &mut core.list_view;
    view.plan_offset = view.plan_offset.min(plan_lines.saturating_sub(plan_rows));
}

/// The terminal UI's start: the list is read (for the view, and for the
/// expired blocks the app offers to unblock).
pub fn on_start(core: &mut Core) -> Vec<Effect> {
    crate::app::blocklist::load(core)
}

/// The list was read: the view's rows follow it.
pub fn on_loaded(core: &mut Core) {
    refilter(core);
}

/// The ledger took a change of the list: what `W` added is said.
pub fn on_changed(core: &mut Core, ok: bool) {
    if let Some(text) = core.list_view.adding.take().filter(|_| ok) {
        let view = core.keymap.label_of(crate::keys::Command::Blocklist);
        let plan = core.keymap.label_of(crate::keys::Command::ListPlan);
        crate::app::ops::info(
            core,
            format!(
                "added to the blocklist: {text} · {view} shows the list, {plan} there the plan"
            ),
        );
    }
}

/// Shows the Blocklist view on its plan, and asks for the plan of every
/// instance.
pub fn show_plan(core: &mut Core) -> Vec<Effect> {
    core.live.shown = false;
    let view = &mut core.list_view;
    view.shown = true;
    view.plan_shown = true;
    view.plan_offset = 0;
    let every: Vec<usize> = (0..core.instances.len()).collect();
    crate::app::blocklist::want(core, every, None)
}

/// Moves the selection (or scrolls the plan) by `delta`.
pub(crate) fn move_by(core: &mut Core, delta: isize) {
    let view = &mut core.list_view;
    if view.plan_shown {
        view.plan_offset = view.plan_offset.saturating_add_signed(delta);
        return;
    }
    let last = view.rows.len().saturating_sub(1) as isize;
    view.selected = (view.selected as isize)
        .saturating_add(delta)
        .clamp(0, last.max(0)) as usize;
}
