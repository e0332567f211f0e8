//! The list's keys in the Live view (`L`): they move, filter, show
//! details, mark senders and block them, on the feed's rows instead of
//! the contacts. `B` opens the bulk dialog for the marked senders (or the
//! selected row's) on every instance, all chosen, Cancel focused, `Why?`
//! ready with `spam wave` for a wave (or the row's flag); the batch is the
//! one `B` starts in the list.
//! Keys that mean nothing here say where they work.

use super::view::{self, move_by, move_to, selected_row, shown_len};
use crate::app::bulk::{busy, cancel};
use crate::app::effect::Effect;
use crate::app::ops::read_only_text;
use crate::app::ops::{error, info};
use crate::app::overlays::enable_live;
use crate::app::overlays::live_details::LiveDetails;
use crate::app::overlays::targets::{BatchDialog, DialogFocus, per_instance};
use crate::app::state::{Overlay, Pager, State};
use crate::keys::Command;

/// A list command, where the Live view gives it a meaning of its own
/// (`L` and `E` anywhere); `None` lets the list handle it.
pub fn on_command(state: &mut State, command: Command) -> Option<Vec<Effect>> {
    match command {
        Command::Live => return Some(toggle(state)),
        Command::EnableLive => {
            let (offer, effects) = enable_live::offer(state);
            if let Some(offer) = offer {
                state.overlay = Some(Overlay::EnableLive(offer));
            }
            return Some(effects);
        }
        _ if !state.live.shown => return None,
        _ => {}
    }
    let page = state.list_height().saturating_sub(2).max(1) as isize;
    let live = &mut state.live;
    match command {
        Command::Down => move_by(live, 1),
        Command::Up => move_by(live, -1),
        Command::PageDown => move_by(live, page),
        Command::PageUp => move_by(live, -page),
        Command::Top => move_to(live, 0),
        Command::Bottom => move_to(live, usize::MAX),
        Command::Filter => state.overlay = Some(Overlay::Filter),
        Command::ClearFilter => clear_filter(state),
        Command::Mark => mark(state),
        Command::MarkAll => mark_all(state),
        Command::BulkBlock | Command::BulkUnblock => {
            open_dialog(state, command == Command::BulkBlock);
        }
        Command::Details => details(state),
        Command::ToggleBlock | Command::Sort | Command::BlockedView => elsewhere(state, command),
        _ => return None,
    }
    Some(Vec::new())
}

/// `L`: the Live view, or back to the contacts. The first time, each
/// instance's WebSocket configuration is read, to say why a feed is
/// refused and offer to enable it.
fn toggle(state: &mut State) -> Vec<Effect> {
    state.live.shown = !state.live.shown;
    if !state.live.shown {
        return Vec::new();
    }
    let unknown: Vec<usize> = (0..state.instances.len())
        .filter(|&i| state.live.health[i].config.is_none())
        .collect();
    super::on::ask_configs(state, &unknown)
}

/// Esc: cancels what a running batch has not sent, else clears the filter.
fn clear_filter(state: &mut State) {
    if cancel(state) || state.live.view.filter.is_empty() {
        return;
    }
    state.live.view.filter.clear();
    let names: Vec<String> = state.instances.iter().map(|i| i.name.clone()).collect();
    view::refilter(&mut state.live, &names);
}

/// Space: marks or unmarks the selected row's sender, and moves on.
fn mark(state: &mut State) {
    let Some(row) = selected_row(&state.live) else {
        return;
    };
    if !row.is_blockable() {
        info(
            state,
            "only the sender of a private message can be marked: groups and channels cannot be blocked",
        );
        return;
    }
    let who = row.message().map(super::words::who).unwrap_or_default();
    if let Some(key) = row.sender_key().map(str::to_string) {
        // Rows come in all the time: say who the key took, as the
        // contact list does.
        let verb = if state.live.marks.remove(&key) {
            "unmarked"
        } else {
            state.live.marks.insert(key);
            "marked"
        };
        let n = state.live.marks.len();
        info(state, format!("{verb} {who} · {n} marked"));
    }
    move_by(&mut state.live, 1);
}

/// `*`: marks the senders of every shown row that can be blocked (on a
/// filter of `⚑`, the wave), or unmarks them when they all are.
fn mark_all(state: &mut State) {
    let live = &state.live;
    let mut shown: Vec<String> = (0..shown_len(live))
        .filter_map(|i| view::seq_at(live, i))
        .filter_map(|seq| live.row(seq))
        .filter(|row| row.is_blockable())
        .filter_map(|row| row.sender_key().map(str::to_string))
        .collect();
    shown.sort_unstable();
    shown.dedup();
    if shown.iter().all(|k| live.marks.contains(k)) {
        for k in &shown {
            state.live.marks.remove(k);
        }
        info(state, format!("unmarked {} senders", shown.len()));
    } else {
        let n = shown.len();
        state.live.marks.extend(shown);
        info(state, format!("marked {n} senders"));
    }
}

/// `B` / `U`: the bulk dialog for the marked senders, or the selected
/// row's, on every instance that may be sent to.
fn open_dialog(state: &mut State, block: bool) {
    if busy(state) {
        return;
    }
    let writable: Vec<bool> = state.instances.iter().map(|i| !i.read_only).collect();
    if !writable.contains(&true) {
        let all: Vec<usize> = (0..state.instances.len()).collect();
        let text = read_only_text(state, &all);
        error(state, text);
        return;
    }
    let Some((targets, names, home, why)) = targets(state) else {
        return;
    };
    let mut dialog = BatchDialog {
        block,
        targets,
        names,
        names_top: 0,
        per_instance: Vec::new(),
        chosen: writable,
        cursor: home.unwrap_or(state.current),
        focus: DialogFocus::Cancel,
        home,
        why: if block { why } else { String::new() },
        from_live: true,
    };
    dialog.per_instance = per_instance(state, &dialog);
    state.overlay = Some(Overlay::Targets(dialog));
}

/// The senders `B` acts on: (JID, `@lid`) each, each named,
/// the instance a lone sender wrote to (where its `@lid` applies), and
/// the reason `Why?` starts with (see [`why_of`]).
type Targets = (
    Vec<(String, Option<String>)>,
    Vec<String>,
    Option<usize>,
    String,
);

/// What `Why?` starts with for these rows: `spam wave` when one of them is
/// in a wave, else the first flag's reason, else nothing (the operator
/// says why).
fn why_of(rows: &[&super::feed::Row]) -> String {
    use crate::model::flags::Flag;
    let flags = || rows.iter().flat_map(|r| r.flags.iter());
    if flags().any(|f| matches!(f, Flag::Wave { .. })) {
        return "spam wave".to_string();
    }
    flags().next().map(Flag::reason).unwrap_or_default()
}

/// The marked senders, else the selected row's; `None` (and why) when
/// there is none that can be blocked.
fn targets(state: &mut State) -> Option<Targets> {
    let live = &state.live;
    let rows: Vec<&super::feed::Row> = if live.marks.is_empty() {
        selected_row(live).into_iter().collect()
    } else {
        live.marks
            .iter()
            .filter_map(|key| live.latest_of(key))
            .collect()
    };
    let Some(first) = rows.first() else {
        info(
            state,
            "no row selected: the live feed has shown nothing yet",
        );
        return None;
    };
    if !first.is_blockable() {
        let what = match first.message() {
            Some(m) => format!(
                "a {} cannot be blocked: WhatsApp blocks people, not groups or channels",
                m.chat.word()
            ),
            None => "an instance's state is nobody to block".to_string(),
        };
        error(state, format!("{what} · nothing was sent"));
        return None;
    }
    let home = (rows.len() == 1).then_some(first.instance);
    let mut targets = Vec::new();
    let mut names = Vec::new();
    for m in rows.iter().filter_map(|r| r.message()) {
        let Some(jid) = m.sender.jid() else { continue };
        targets.push((jid, m.sender.lid.clone()));
        names.push(super::words::who(m));
    }
    Some((targets, names, home, why_of(&rows)))
}

/// `Enter`: the selected row's details.
fn details(state: &mut State) {
    match view::selected_row(&state.live).map(|r| r.seq) {
        Some(seq) => {
            state.overlay = Some(Overlay::LiveDetails(LiveDetails {
                seq,
                pager: Pager::default(),
            }));
        }
        None => info(state, "no row selected"),
    }
}

/// A key of the contact list that means nothing here: where it works.
fn elsewhere(state: &mut State, command: Command) {
    let live = state.keymap.label_of(Command::Live);
    let text = match command {
        Command::ToggleBlock => {
            let b = state.keymap.label_of(Command::BulkBlock);
            format!(
                "in the live feed, {b} blocks the sender on every instance; {live} goes back to the contacts"
            )
        }
        _ => format!("that key sorts or narrows the contact list: {live} goes back to it"),
    };
    info(state, text);
}
