//! The keys of the contexts beside the list: a line being typed, a
//! dialog, and an overlay that pages through text. Ctrl-C follows one
//! rule everywhere: it closes what it is in (and quits from the list).

use ratatui::crossterm::event::KeyCode;

use super::key::{Key, ch, ctrl, key};
use super::list::Group;
use super::table::{Action, Entry, Table};

/// What a key does while a line is typed (the filter, a number, the
/// command line). Printable characters are always typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineAction {
    /// Keep the line and act on it.
    Submit,
    /// Leave the line (the filter is cleared).
    Cancel,
    /// Complete the command line.
    Complete,
    /// Delete the character before the cursor.
    DeleteBack,
    /// Clear the line.
    Clear,
    /// Move in the list meanwhile (filter).
    Down,
    /// Move in the list meanwhile (filter).
    Up,
    /// Switch the filter between substring and fuzzy matching.
    Matching,
}

impl Action for LineAction {
    fn name(self) -> &'static str {
        match self {
            LineAction::Submit => "submit",
            LineAction::Cancel => "cancel",
            LineAction::Complete => "complete",
            LineAction::DeleteBack => "delete_back",
            LineAction::Clear => "clear",
            LineAction::Down => "down",
            LineAction::Up => "up",
            LineAction::Matching => "matching",
        }
    }
}

/// What a key does in a dialog (quit, resume, the bulk targets).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DialogAction {
    /// Go ahead at once.
    Yes,
    /// Close the dialog without doing anything.
    No,
    /// Press the focused button (or choose the focused instance).
    Press,
    /// Focus the next part.
    NextFocus,
    /// Focus the previous part.
    PrevFocus,
    /// Next instance in the list.
    Down,
    /// Previous instance in the list.
    Up,
    /// Choose or drop the instance under the cursor.
    Choose,
    /// Choose every instance (again: only the shown one).
    ChooseAll,
}

impl Action for DialogAction {
    fn name(self) -> &'static str {
        match self {
            DialogAction::Yes => "yes",
            DialogAction::No => "no",
            DialogAction::Press => "press",
            DialogAction::NextFocus => "next_focus",
            DialogAction::PrevFocus => "prev_focus",
            DialogAction::Down => "down",
            DialogAction::Up => "up",
            DialogAction::Choose => "choose",
            DialogAction::ChooseAll => "choose_all",
        }
    }
}

/// What a key does in an overlay that pages through text (help,
/// details, the message log, history).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OverlayAction {
    /// Close it (a search being typed is cleared first).
    Close,
    /// One line down.
    Down,
    /// One line up.
    Up,
    /// One page down.
    PageDown,
    /// One page up.
    PageUp,
    /// The first line.
    Top,
    /// The last line.
    Bottom,
    /// Search (help) or filter (history) as you type.
    Search,
    /// Copy the number (details), with the terminal's clipboard.
    Copy,
}

impl Action for OverlayAction {
    fn name(self) -> &'static str {
        match self {
            OverlayAction::Close => "close",
            OverlayAction::Down => "down",
            OverlayAction::Up => "up",
            OverlayAction::PageDown => "page_down",
            OverlayAction::PageUp => "page_up",
            OverlayAction::Top => "top",
            OverlayAction::Bottom => "bottom",
            OverlayAction::Search => "search",
            OverlayAction::Copy => "copy",
        }
    }
}

fn entry<A>(action: A, keys: &[Key], help: &'static str, hint: Option<&'static str>) -> Entry<A> {
    Entry {
        action,
        keys: keys.to_vec(),
        group: Group::App,
        help,
        hint,
    }
}

/// The default keys of a line being typed.
pub fn line_table() -> Table<LineAction> {
    use LineAction::*;
    Table {
        entries: vec![
            entry(
                Submit,
                &[key(KeyCode::Enter)],
                "keep the filter / send the number / run the command",
                Some("keep"),
            ),
            entry(
                Cancel,
                &[key(KeyCode::Esc), ctrl('c')],
                "leave (the filter is cleared)",
                Some("cancel"),
            ),
            entry(Complete, &[key(KeyCode::Tab)], "complete a command", None),
            entry(
                DeleteBack,
                &[key(KeyCode::Backspace)],
                "delete the last character",
                None,
            ),
            entry(Clear, &[ctrl('u')], "clear the line", None),
            entry(
                Down,
                &[key(KeyCode::Down)],
                "next contact while filtering",
                None,
            ),
            entry(
                Up,
                &[key(KeyCode::Up)],
                "previous contact while filtering",
                None,
            ),
            entry(
                Matching,
                &[ctrl('f')],
                "filter: each word as typed (substring, the default) or its letters in order (fuzzy); the filter line shows which, each view keeps its own",
                None,
            ),
        ],
    }
}

/// The default keys of dialogs.
pub fn dialog_table() -> Table<DialogAction> {
    use DialogAction::*;
    Table {
        entries: vec![
            entry(Yes, &[ch('y')], "go ahead", Some("go")),
            entry(
                No,
                &[ch('n'), key(KeyCode::Esc), ch('q'), ctrl('c')],
                "close the dialog, do nothing",
                Some("cancel"),
            ),
            entry(
                Press,
                &[key(KeyCode::Enter)],
                "press the focused button (or choose the instance)",
                None,
            ),
            entry(
                NextFocus,
                &[key(KeyCode::Tab), key(KeyCode::Right), ch('l')],
                "next button; in the bulk dialog, then its names when they do not all fit",
                Some("buttons"),
            ),
            entry(
                PrevFocus,
                &[key(KeyCode::BackTab), key(KeyCode::Left), ch('h')],
                "previous button",
                None,
            ),
            entry(
                Down,
                &[ch('j'), key(KeyCode::Down)],
                "next instance; on the bulk dialog's names, scroll them (past the last: the instances)",
                None,
            ),
            entry(
                Up,
                &[ch('k'), key(KeyCode::Up)],
                "previous instance; above the first, the bulk dialog's names (when they do not all fit), scrolled back",
                None,
            ),
            entry(
                Choose,
                &[ch(' ')],
                "choose or drop the instance",
                Some("choose"),
            ),
            entry(
                ChooseAll,
                &[ch('a')],
                "choose every instance (again: only the shown one)",
                Some("all"),
            ),
        ],
    }
}

/// The default keys of overlays.
pub fn overlay_table() -> Table<OverlayAction> {
    use OverlayAction::*;
    Table {
        entries: vec![
            entry(
                Close,
                &[key(KeyCode::Esc), ch('q'), ctrl('c')],
                "close (a search is cleared first)",
                Some("close"),
            ),
            entry(Down, &[ch('j'), key(KeyCode::Down)], "one line down", None),
            entry(Up, &[ch('k'), key(KeyCode::Up)], "one line up", None),
            entry(
                PageDown,
                &[key(KeyCode::PageDown), ch(' '), ctrl('d')],
                "one page down",
                None,
            ),
            entry(
                PageUp,
                &[key(KeyCode::PageUp), ctrl('u')],
                "one page up",
                None,
            ),
            entry(Top, &[ch('g'), key(KeyCode::Home)], "first line", None),
            entry(Bottom, &[ch('G'), key(KeyCode::End)], "last line", None),
            entry(
                Search,
                &[ch('/')],
                "search help, filter history",
                Some("search"),
            ),
            entry(Copy, &[ch('y')], "copy the number (details)", Some("copy")),
        ],
    }
}
