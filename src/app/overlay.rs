//! The overlays that page through text (help, details, the message log,
//! history): their lines for the terminal's size, and their keys.

use ratatui::crossterm::event::KeyEvent;

use super::log::LineKind;
use super::msg::{ApiJob, Effect};
use super::pager::{self, Outcome};
use super::state::{DetailsView, Overlay, Pager, State};
use super::{details, help, history, log};
use crate::keys::Command;

/// Columns of text inside an overlay's borders.
pub fn text_width(width: u16) -> usize {
    width.saturating_sub(2).max(1) as usize
}

/// The lines `overlay` shows now.
pub fn lines(state: &State, overlay: &Overlay) -> Vec<(LineKind, String)> {
    let width = text_width(state.width);
    match overlay {
        Overlay::Help(p) => help::lines(&state.keymap, &p.search, width),
        Overlay::Messages(p) => log::lines(&state.messages, &p.search, width),
        Overlay::Details(d) => match state.instances.get(d.instance) {
            Some(inst) => details::lines(d, inst, width),
            None => Vec::new(),
        },
        Overlay::History(h) => match &h.entries {
            Some(Ok(entries)) => history::lines(entries, &h.names, &h.pager.search, width),
            _ => Vec::new(),
        },
        _ => Vec::new(),
    }
}

/// The list key that opens `overlay`: it closes it too.
fn opener(overlay: &Overlay) -> Option<Command> {
    match overlay {
        Overlay::Help(_) => Some(Command::Help),
        Overlay::Messages(_) => Some(Command::Messages),
        Overlay::History(_) => Some(Command::History),
        Overlay::Details(_) => Some(Command::Details),
        _ => None,
    }
}

/// A key in a text overlay (taken out of the state; put back unless the
/// key closes it).
pub fn on_key(state: &mut State, mut overlay: Overlay, key: KeyEvent) -> Vec<Effect> {
    let total = lines(state, &overlay).len();
    let page = crate::app::layout::overlay_rows(state.height);
    let typing = overlay.pager().is_some_and(|p| p.typing);
    let closes =
        !typing && opener(&overlay).is_some_and(|c| state.keymap.command_for(&key) == Some(c));
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
                super::ops::info(
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
        super::ops::info(state, "no contact selected");
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
            if let (Ok(entries), Some(inst)) = (&result, state.instances.get(instance)) {
                h.names = history::names(entries, inst);
            }
            h.entries = Some(result);
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
