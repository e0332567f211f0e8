//! The overlays that page through text (help, details, the message log,
//! history): their lines for the terminal's size, and their keys.

use ratatui::crossterm::event::KeyEvent;

use super::details::DetailsView;
use super::{details, help, history, messages as log};
use crate::app::msg::{ApiJob, Effect};
use crate::app::pager::LineKind;
use crate::app::pager::{self, Outcome};
use crate::app::state::{Overlay, Pager, State};
use crate::keys::Command;

/// Columns of text inside an overlay's borders.
pub fn text_width(width: u16) -> usize {
    width.saturating_sub(2).max(1) as usize
}

/// The overlays that page through text, borrowed from the open one.
#[derive(Debug, Clone, Copy)]
pub enum TextView<'a> {
    /// Every key and symbol.
    Help(&'a Pager),
    /// This session's messages.
    Messages(&'a Pager),
    /// A contact's details.
    Details(&'a DetailsView),
    /// An instance's recorded actions.
    History(&'a history::HistoryView),
}

impl<'a> TextView<'a> {
    /// The text overlay `overlay` is, if it is one.
    pub fn of(overlay: &'a Overlay) -> Option<TextView<'a>> {
        overlay.text()
    }

    /// Its scrolling and search.
    pub fn pager(self) -> &'a Pager {
        match self {
            TextView::Help(p) | TextView::Messages(p) => p,
            TextView::Details(d) => &d.pager,
            TextView::History(h) => &h.pager,
        }
    }

    /// The list key that opens it: it closes it too.
    fn opener(self) -> Command {
        match self {
            TextView::Help(_) => Command::Help,
            TextView::Messages(_) => Command::Messages,
            TextView::History(_) => Command::History,
            TextView::Details(_) => Command::Details,
        }
    }
}

/// The lines of `view` from line `top`, at most `count`, and how many
/// there are in all. History lays out only the actions in the window;
/// the others are short and built whole.
pub fn window(
    state: &State,
    view: TextView<'_>,
    top: usize,
    count: usize,
) -> (usize, Vec<(LineKind, String)>) {
    let width = text_width(state.width);
    let all = match view {
        TextView::Help(p) => help::lines(&state.keymap, &p.search, width),
        TextView::Messages(p) => log::lines(&state.messages, &p.search, width),
        TextView::Details(d) => match state.instances.get(d.instance) {
            Some(inst) => details::lines(d, inst, width, state.now),
            None => Vec::new(),
        },
        TextView::History(h) => {
            return history::window(&h.rows, &h.pager.search, width, top, count);
        }
    };
    let total = all.len();
    (total, all.into_iter().skip(top).take(count).collect())
}

/// A key in a text overlay (taken out of the state; put back unless the
/// key closes it).
pub fn on_key(state: &mut State, mut overlay: Overlay, key: KeyEvent) -> Vec<Effect> {
    let Some(view) = TextView::of(&overlay) else {
        return Vec::new();
    };
    let (total, _) = window(state, view, 0, 0);
    let page = crate::app::layout::overlay_rows(state.height);
    let closes = !view.pager().typing && state.keymap.command_for(&key) == Some(view.opener());
    let Some(pager) = overlay.pager_mut() else {
        return Vec::new();
    };
    if closes {
        return Vec::new();
    }
    let outcome = pager::on_key(pager, &state.keymap, &key, total, page);
    let mut effects = Vec::new();
    match outcome {
        Outcome::Close => return effects,
        Outcome::Copy => {
            if let Overlay::Details(d) = &overlay {
                let text = details::copy_text(&d.jid);
                crate::app::ops::info(
                    state,
                    format!("copied {text} (through the terminal's clipboard, OSC 52)"),
                );
                effects.push(Effect::Copy(text));
            }
        }
        Outcome::Stay => {}
    }
    state.overlay = Some(overlay);
    effects
}

/// Opens help.
pub fn open_help(state: &mut State) {
    state.overlay = Some(Overlay::Help(Pager::default()));
}

/// Opens the message log.
pub fn open_messages(state: &mut State) {
    state.overlay = Some(Overlay::Messages(Pager::default()));
}

/// Opens the history of the shown instance and asks the ledger for it.
pub fn open_history(state: &mut State) -> Vec<Effect> {
    let instance = state.current;
    state.overlay = Some(Overlay::History(history::HistoryView::new(instance)));
    vec![Effect::Api(ApiJob::History { instance })]
}

/// Opens the details of the selected row and asks the ledger for its
/// history.
pub fn open_details(state: &mut State) -> Vec<Effect> {
    // The list row (contacts, then numbers not in contacts), not the
    // index inside whichever store holds it.
    let (Some(&row), Some(jid)) = (
        state.visible.get(state.selected),
        state.selected_contact().map(|c| c.jid().to_string()),
    ) else {
        crate::app::ops::info(state, "no contact selected");
        return Vec::new();
    };
    let instance = state.current;
    state.overlay = Some(Overlay::Details(DetailsView {
        instance,
        jid,
        row,
        pager: Pager::default(),
        history: None,
    }));
    vec![Effect::Api(ApiJob::History { instance })]
}

/// The ledger's actions of `instance` arrived: for the history or the
/// details waiting for them.
pub fn on_history(
    state: &mut State,
    instance: usize,
    result: Result<Vec<crate::store::ledger::HistoryEntry>, String>,
) {
    match state.overlay.as_mut() {
        Some(Overlay::History(h)) if h.instance == instance => {
            h.arrived(result, state.instances.get(instance).map(|i| &*i.contacts));
        }
        Some(Overlay::Details(d)) if d.instance == instance => d.history = Some(result),
        _ => {}
    }
}

/// Whether an open overlay follows `instance`'s ledger (to read it again
/// when an answer is recorded).
pub fn follows(state: &State, instance: usize) -> bool {
    matches!(
        &state.overlay,
        Some(Overlay::History(h)) if h.instance == instance
    ) || matches!(&state.overlay, Some(Overlay::Details(d)) if d.instance == instance)
}

/// The footer's keys of a text overlay; `copies` for those that copy
/// (details).
pub(crate) fn hints(keymap: &crate::keys::Keymap, copies: bool) -> Vec<(String, &'static str)> {
    use crate::keys::OverlayAction;
    let mut wanted = vec![
        (OverlayAction::Down, "scroll"),
        (OverlayAction::Search, "search"),
    ];
    if copies {
        wanted.push((OverlayAction::Copy, "copy number"));
    }
    wanted.push((OverlayAction::Close, "close"));
    super::keys_of(&keymap.overlay, &wanted)
}
