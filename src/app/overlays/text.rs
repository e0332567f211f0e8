//! The overlays that page through text (help, details, the message log,
//! history): their lines for the terminal's size, and their keys.

use ratatui::crossterm::event::KeyEvent;

use super::details::DetailsView;
use super::{details, help, history, messages as log};
use crate::app::core::{Core, Pager};
use crate::app::effect::Effect;
use crate::app::pager::LineKind;
use crate::app::pager::{self, Outcome};
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
    /// A live row's details.
    Live(&'a super::live_details::LiveDetails),
}

impl<'a> TextView<'a> {
    /// Its scrolling and search.
    pub fn pager(self) -> &'a Pager {
        match self {
            TextView::Help(p) | TextView::Messages(p) => p,
            TextView::Details(d) => &d.pager,
            TextView::History(h) => &h.pager,
            TextView::Live(d) => &d.pager,
        }
    }

    /// The list key that opens it: it closes it too.
    fn opener(self) -> Command {
        match self {
            TextView::Help(_) => Command::Help,
            TextView::Messages(_) => Command::Messages,
            TextView::History(_) => Command::History,
            TextView::Details(_) | TextView::Live(_) => Command::Details,
        }
    }
}

/// The lines of `view` from line `top`, at most `count`, and how many
/// there are in all. History lays out only the actions in the window;
/// the others are short and built whole.
pub fn window(
    state: &Core,
    view: TextView<'_>,
    top: usize,
    count: usize,
) -> (usize, Vec<(LineKind, String)>) {
    let width = text_width(state.width);
    let all = match view {
        TextView::Help(p) => help::lines(&state.keymap, &p.search, width),
        TextView::Messages(p) => log::lines(&state.messages, &p.search, width),
        TextView::Details(d) => match state.instances.get(d.instance) {
            Some(inst) => {
                let key = crate::app::lookups::number_of(&d.jid).unwrap_or(&d.jid);
                let who = state.lookups.stand(key, state.now);
                details::lines(d, inst, who, width, state.now)
            }
            None => Vec::new(),
        },
        TextView::History(h) => {
            return history::window(&h.rows, &h.pager.search, width, top, count);
        }
        TextView::Live(d) => super::live_details::lines(state, d, width),
    };
    let total = all.len();
    (total, all.into_iter().skip(top).take(count).collect())
}

/// What a key does in a text overlay, read from its view before its
/// pager changes.
pub(crate) struct TextKey {
    key: KeyEvent,
    /// Lines in all.
    total: usize,
    /// The key is the one that opened it: it closes.
    closes: bool,
    /// What a copy copies (the details' number).
    copy: Option<String>,
}

/// Reads `key` against the open text overlay `view`.
pub(crate) fn read_key(core: &Core, view: TextView<'_>, key: KeyEvent) -> TextKey {
    let (total, _) = window(core, view, 0, 0);
    TextKey {
        key,
        total,
        closes: !view.pager().typing && core.keymap.command_for(&key) == Some(view.opener()),
        copy: match view {
            TextView::Details(d) => Some(details::copy_text(&d.jid)),
            TextView::Live(d) => super::live_details::copy_text(core, d),
            TextView::Help(_) | TextView::Messages(_) | TextView::History(_) => None,
        },
    }
}

/// A key in a text overlay, on its `pager`: whether it stays open, and
/// the effects.
pub(crate) fn on_key(core: &mut Core, pager: &mut Pager, key: TextKey) -> (bool, Vec<Effect>) {
    if key.closes {
        return (false, Vec::new());
    }
    let page = crate::app::layout::overlay_rows(core.height);
    match pager::on_key(pager, &core.keymap, &key.key, key.total, page) {
        Outcome::Close => (false, Vec::new()),
        Outcome::Copy => {
            let Some(text) = key.copy else {
                return (true, Vec::new());
            };
            crate::app::ops::info(
                core,
                format!("copied {text} (through the terminal's clipboard, OSC 52)"),
            );
            (true, vec![Effect::Copy(text)])
        }
        Outcome::Stay => (true, Vec::new()),
    }
}

/// The footer's keys of a text overlay; `copies` for those that copy
/// (details), `blocks` for those whose `b` acts on their contact (a
/// contact's details).
pub(crate) fn hints(
    keymap: &crate::keys::Keymap,
    copies: bool,
    blocks: bool,
) -> Vec<(String, &'static str)> {
    use crate::keys::OverlayAction;
    let mut wanted = vec![
        (OverlayAction::Down, "scroll"),
        (OverlayAction::Search, "search"),
    ];
    if copies {
        wanted.push((OverlayAction::Copy, "copy number"));
    }
    wanted.push((OverlayAction::Close, "close"));
    let mut hints = keymap.overlay.hints(&wanted);
    if blocks {
        // The details act on their contact as its row does.
        hints.push((keymap.label_of(Command::ToggleBlock), "block/unblock"));
    }
    hints
}
