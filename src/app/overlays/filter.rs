//! The filter line (`/`): the list narrows as it is typed; Enter keeps
//! the filter, Esc clears it, the arrows move the selection meanwhile.
//! Words are found as typed (substring) unless fuzzy matching is asked
//! for (Ctrl-F); each view keeps its own mode, and the line shows it.

use ratatui::crossterm::event::KeyEvent;

use super::after::{After, Step, close, stay};
use crate::app::core::Core;
use crate::app::line::{self, Edit};
use crate::app::ops::{info, move_by, refilter, selected_jid};
use crate::keys::{Keymap, LineAction};
use crate::model::filter::Matching;

/// Keys while the filter is typed (the text is the view's:
/// [`Core::filter`]).
pub(crate) fn on_key(state: &mut Core, key: KeyEvent) -> Step<()> {
    if state.list_view.shown {
        return crate::app::list_view::filter::filter_key(state, &key);
    }
    if state.live.shown {
        return live_key(state, key);
    }
    // Arrows move in the list meanwhile.
    match state.keymap.line.action_for(&key) {
        Some(LineAction::Down) => move_by(state, 1),
        Some(LineAction::Up) => move_by(state, -1),
        Some(LineAction::Matching) => return (After::Stay(()), switch_matching(state)),
        _ => {}
    }
    match line::edit(&mut state.filter, &key, &state.keymap.line) {
        Edit::Submit => close(Vec::new()),
        Edit::Cancel => {
            state.filter.clear();
            // The selection stays on the contact it was on.
            let keep = selected_jid(state);
            close(refilter(state, keep).into_iter().collect())
        }
        Edit::Changed => (After::Stay(()), refilter(state, None).into_iter().collect()),
        Edit::Complete | Edit::Unchanged => stay(()),
    }
}

/// Switches the shown view's filter between substring and fuzzy
/// matching, says what the new mode finds, and filters again.
fn switch_matching(state: &mut Core) -> Vec<crate::app::effect::Effect> {
    let view = state.view;
    let now = state.matching().other();
    match now {
        Matching::Fuzzy => state.fuzzy_views.insert(view),
        Matching::Substring => state.fuzzy_views.remove(&view),
    };
    let key = state
        .keymap
        .line
        .label_of(LineAction::Matching)
        .unwrap_or_default();
    let text = match now {
        Matching::Fuzzy => format!(
            "fuzzy filter: each word's letters in order, so it finds more than you typed; check the list before marking ({key}: back to substring)"
        ),
        Matching::Substring => {
            format!("substring filter: each word as typed, case and accents ignored ({key}: fuzzy)")
        }
    };
    info(state, text);
    let keep = selected_jid(state);
    refilter(state, keep).into_iter().collect()
}

/// The footer's keys while the filter is typed; the matching key names
/// the mode it switches to (`None`: the Live view's filter, which has no
/// modes).
pub(crate) fn hints(keymap: &Keymap, matching: Option<Matching>) -> Vec<(String, &'static str)> {
    let mut wanted = vec![(LineAction::Submit, "keep"), (LineAction::Cancel, "clear")];
    if let Some(matching) = matching {
        wanted.push((LineAction::Matching, matching.other().word()));
    }
    wanted.push((LineAction::Down, "move"));
    keymap.line.hints(&wanted)
}

/// Keys while the Live view's filter is typed: the same line, over the
/// feed's rows.
fn live_key(state: &mut Core, key: KeyEvent) -> Step<()> {
    use crate::app::live::view;
    match state.keymap.line.action_for(&key) {
        Some(LineAction::Down) => view::move_by(&mut state.live, 1),
        Some(LineAction::Up) => view::move_by(&mut state.live, -1),
        _ => {}
    }
    let names: Vec<String> = state.instances.iter().map(|i| i.name.clone()).collect();
    match line::edit(&mut state.live.view.filter, &key, &state.keymap.line) {
        Edit::Submit => close(Vec::new()),
        Edit::Cancel => {
            state.live.view.filter.clear();
            view::refilter(&mut state.live, &names);
            close(Vec::new())
        }
        Edit::Changed => {
            view::refilter(&mut state.live, &names);
            stay(())
        }
        Edit::Complete | Edit::Unchanged => stay(()),
    }
}

/// A paste typed into the filter.
pub(crate) fn on_paste(state: &mut Core, line: &str) -> Step<()> {
    if state.list_view.shown {
        state.list_view.filter.push_str(line);
        crate::app::list_view::refilter(state);
        return stay(());
    }
    if state.live.shown {
        state.live.view.filter.push_str(line);
        let names: Vec<String> = state.instances.iter().map(|i| i.name.clone()).collect();
        crate::app::live::view::refilter(&mut state.live, &names);
        return stay(());
    }
    state.filter.push_str(line);
    (After::Stay(()), refilter(state, None).into_iter().collect())
}
