//! The keys of the contact list: what each does, its default keys, its
//! help text and footer hint. One table drives the app, the help overlay
//! and the footer, so they can never drift apart.

use ratatui::crossterm::event::KeyCode;

use super::key::{Key, ch, ctrl, key};

/// What a user can ask for from the list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    /// Next row.
    Down,
    /// Previous row.
    Up,
    /// One page down.
    PageDown,
    /// One page up.
    PageUp,
    /// First row.
    Top,
    /// Last row.
    Bottom,
    /// Start typing a filter.
    Filter,
    /// Clear the filter.
    ClearFilter,
    /// Cycle the order: as listed, by name, by number.
    Sort,
    /// Switch between every contact and the known blocked ones.
    BlockedView,
    /// Block, or unblock if known blocked.
    ToggleBlock,
    /// Mark or unmark the contact for a bulk action.
    Mark,
    /// Mark every shown contact (or unmark them if all are marked).
    MarkAll,
    /// Block the marked contacts (or the selected one), on chosen instances.
    BulkBlock,
    /// Unblock the marked contacts (or the selected one), on chosen instances.
    BulkUnblock,
    /// Type any number to block.
    AddNumber,
    /// Revert the last action.
    Undo,
    /// Do again the last action reverted.
    Redo,
    /// Next instance.
    NextInstance,
    /// Previous instance.
    PrevInstance,
    /// Reload contacts and instance states.
    Refresh,
    /// Open the `:` command line.
    CommandLine,
    /// Show every key.
    Help,
    /// Show this session's messages in full.
    Messages,
    /// Show the ledger's actions on this instance.
    History,
    /// Show everything known of the selected contact.
    Details,
    /// Leave (asks if work is pending).
    Quit,
    /// Suspend to the shell (`fg` comes back), from any context.
    Suspend,
    /// Show the live feed (again: the contact list).
    Live,
    /// Offer to enable the WebSocket of the instances whose live feed the
    /// server refuses.
    EnableLive,
    /// Show the team's blocklist (again: the contact list).
    Blocklist,
    /// Add the marked numbers (or the selected one) to the blocklist.
    ListAdd,
    /// In the Blocklist view: show the plan that makes every instance
    /// follow the list.
    ListPlan,
    /// In the Blocklist view: apply the plan shown.
    ListApply,
}

/// Groups of the help overlay.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Group {
    /// Moving in the list.
    Move,
    /// Finding a contact.
    Find,
    /// Acting on contacts.
    Act,
    /// Instances.
    Instances,
    /// The live feed.
    Live,
    /// The team's blocklist.
    Blocklist,
    /// The app itself.
    App,
}

impl Group {
    /// Every group, in help order.
    pub const ALL: [Group; 7] = [
        Group::Move,
        Group::Find,
        Group::Act,
        Group::Instances,
        Group::Live,
        Group::Blocklist,
        Group::App,
    ];

    /// Heading in the help overlay.
    pub fn title(self) -> &'static str {
        match self {
            Group::Move => "Move",
            Group::Find => "Find",
            Group::Act => "Block",
            Group::Instances => "Instances",
            Group::Live => "Live feed",
            Group::Blocklist => "Blocklist",
            Group::App => "App",
        }
    }
}

/// Keys bound to one command, with its help text.
#[derive(Debug, Clone, Copy)]
pub struct Binding {
    /// The keys, first one shown in hints.
    pub keys: &'static [Key],
    /// What they do.
    pub command: Command,
    /// Help group.
    pub group: Group,
    /// Help text.
    pub help: &'static str,
    /// Short label for the footer, if the footer shows it.
    pub hint: Option<&'static str>,
}

/// Every binding of the list view.
pub const BINDINGS: &[Binding] = &[
    Binding {
        keys: &[ch('j'), key(KeyCode::Down)],
        command: Command::Down,
        group: Group::Move,
        help: "next contact",
        hint: None,
    },
    Binding {
        keys: &[ch('k'), key(KeyCode::Up)],
        command: Command::Up,
        group: Group::Move,
        help: "previous contact",
        hint: None,
    },
    Binding {
        keys: &[key(KeyCode::PageDown), ctrl('d')],
        command: Command::PageDown,
        group: Group::Move,
        help: "one page down",
        hint: None,
    },
    Binding {
        keys: &[key(KeyCode::PageUp), ctrl('u')],
        command: Command::PageUp,
        group: Group::Move,
        help: "one page up",
        hint: None,
    },
    Binding {
        keys: &[ch('g'), key(KeyCode::Home)],
        command: Command::Top,
        group: Group::Move,
        help: "first contact",
        hint: None,
    },
    Binding {
        keys: &[ch('G'), key(KeyCode::End)],
        command: Command::Bottom,
        group: Group::Move,
        help: "last contact",
        hint: None,
    },
    Binding {
        keys: &[ch('/')],
        command: Command::Filter,
        group: Group::Find,
        help: "filter by name or number as you type: each word as typed, or fuzzy when asked (see Typing)",
        hint: Some("filter"),
    },
    Binding {
        keys: &[key(KeyCode::Esc)],
        command: Command::ClearFilter,
        group: Group::Find,
        help: "clear the filter; cancel what a running batch has not sent",
        hint: None,
    },
    Binding {
        keys: &[ch('s')],
        command: Command::Sort,
        group: Group::Find,
        help: "sort: as listed, by name, by number (country calling code, then number)",
        hint: None,
    },
    Binding {
        keys: &[ch('v')],
        command: Command::BlockedView,
        group: Group::Find,
        help: "view: every contact, or what the ledger knows as blocked here (contacts or not)",
        hint: Some("blocked view"),
    },
    Binding {
        keys: &[ch('b')],
        command: Command::ToggleBlock,
        group: Group::Act,
        help: "block the contact (the selected one, or the one its details show), or unblock it if known blocked",
        hint: Some("block/unblock"),
    },
    Binding {
        keys: &[ch(' ')],
        command: Command::Mark,
        group: Group::Act,
        help: "mark or unmark the contact, then move to the next one (the footer counts the marked)",
        hint: Some("mark"),
    },
    Binding {
        keys: &[ch('*')],
        command: Command::MarkAll,
        group: Group::Act,
        help: "mark every shown contact (again: unmark them); what a fuzzy filter found asks first",
        hint: None,
    },
    Binding {
        keys: &[ch('B')],
        command: Command::BulkBlock,
        group: Group::Act,
        help: "block the marked contacts (or this one) on chosen instances",
        hint: Some("block marked"),
    },
    Binding {
        keys: &[ch('U')],
        command: Command::BulkUnblock,
        group: Group::Act,
        help: "unblock the marked contacts (or this one) on chosen instances",
        hint: Some("unblock marked"),
    },
    Binding {
        keys: &[ch('a')],
        command: Command::AddNumber,
        group: Group::Act,
        help: "block any number, typed in any common format",
        hint: Some("number"),
    },
    Binding {
        keys: &[ch('u')],
        command: Command::Undo,
        group: Group::Act,
        help: "undo the last action; asks first if older, several or on another instance",
        hint: Some("undo"),
    },
    Binding {
        keys: &[ctrl('y')],
        command: Command::Redo,
        group: Group::Act,
        help: "redo: do again the last action reverted (asking first as u does)",
        hint: Some("redo"),
    },
    Binding {
        keys: &[key(KeyCode::Tab)],
        command: Command::NextInstance,
        group: Group::Instances,
        help: "next instance",
        hint: Some("instance"),
    },
    Binding {
        keys: &[key(KeyCode::BackTab)],
        command: Command::PrevInstance,
        group: Group::Instances,
        help: "previous instance",
        hint: None,
    },
    Binding {
        keys: &[ch('r')],
        command: Command::Refresh,
        group: Group::Instances,
        help: "refresh contacts and instance states",
        hint: Some("refresh"),
    },
    Binding {
        keys: &[ch('L')],
        command: Command::Live,
        group: Group::Live,
        help: "live: incoming messages of every instance, newest first, ⚑ on flagged senders; the list's keys move, filter, show details, mark senders and block them there, on every instance (again: the contacts)",
        hint: Some("live"),
    },
    Binding {
        keys: &[ch('E')],
        command: Command::EnableLive,
        group: Group::Live,
        help: "offer to enable the WebSocket of the instances whose live feed the server refuses (asks first; never read-only)",
        hint: None,
    },
    Binding {
        keys: &[ch('T')],
        command: Command::Blocklist,
        group: Group::Blocklist,
        help: "the team's blocklist: every entry with its reason, source, expiry and on how many numbers it is blocked; / filters (again: the contacts)",
        hint: Some("blocklist"),
    },
    Binding {
        keys: &[ch('W')],
        command: Command::ListAdd,
        group: Group::Blocklist,
        help: "add the marked numbers (or the selected one) to the blocklist, from the contacts, the blocked view or the Live view: asks why, then until when",
        hint: Some("to blocklist"),
    },
    Binding {
        keys: &[ch('p')],
        command: Command::ListPlan,
        group: Group::Blocklist,
        help: "in the Blocklist view: the plan that makes every instance follow the list, per instance (again: the entries)",
        hint: Some("plan"),
    },
    Binding {
        keys: &[ch('y')],
        command: Command::ListApply,
        group: Group::Blocklist,
        help: "in the Blocklist view: apply the plan shown, as one batch (recorded, within each token's budget, resumable)",
        hint: Some("apply"),
    },
    Binding {
        keys: &[ch(':')],
        command: Command::CommandLine,
        group: Group::App,
        help: "command line",
        hint: None,
    },
    Binding {
        keys: &[ch('m')],
        command: Command::Messages,
        group: Group::App,
        help: "this session's messages in full: time, instance, text, HTTP status, hint",
        hint: Some("messages"),
    },
    Binding {
        keys: &[key(KeyCode::Enter)],
        command: Command::Details,
        group: Group::Find,
        help: "details: every name, the number, JID and @lid, its history, its last error (the number can be copied from there)",
        hint: None,
    },
    Binding {
        keys: &[ch('h')],
        command: Command::History,
        group: Group::App,
        help: "history: what this app asked of this instance, newest first (/ filters)",
        hint: None,
    },
    Binding {
        keys: &[ch('?')],
        command: Command::Help,
        group: Group::App,
        help: "show this help",
        hint: Some("help"),
    },
    Binding {
        keys: &[ch('q'), ctrl('c')],
        command: Command::Quit,
        group: Group::App,
        help: "quit (asks only if requests are pending)",
        hint: Some("quit"),
    },
    Binding {
        keys: &[ctrl('z')],
        command: Command::Suspend,
        group: Group::App,
        help: "suspend to the shell, anywhere; fg comes back redrawn",
        hint: None,
    },
];

impl Command {
    /// Whether the command does something (an error on screen is then
    /// cleared), rather than move, show help or show the messages.
    pub fn is_action(self) -> bool {
        !matches!(
            self,
            Command::Down
                | Command::Up
                | Command::PageDown
                | Command::PageUp
                | Command::Top
                | Command::Bottom
                | Command::Help
                | Command::Messages
                | Command::History
                | Command::Details
                | Command::Live
                | Command::Blocklist
                | Command::ListPlan
        )
    }

    /// The name used in the profile's `[keys]` table.
    pub fn name(self) -> &'static str {
        match self {
            Command::Down => "down",
            Command::Up => "up",
            Command::PageDown => "page_down",
            Command::PageUp => "page_up",
            Command::Top => "top",
            Command::Bottom => "bottom",
            Command::Filter => "filter",
            Command::ClearFilter => "clear_filter",
            Command::Sort => "sort",
            Command::BlockedView => "blocked_view",
            Command::ToggleBlock => "toggle_block",
            Command::Mark => "mark",
            Command::MarkAll => "mark_all",
            Command::BulkBlock => "bulk_block",
            Command::BulkUnblock => "bulk_unblock",
            Command::AddNumber => "add_number",
            Command::Undo => "undo",
            Command::Redo => "redo",
            Command::NextInstance => "next_instance",
            Command::PrevInstance => "prev_instance",
            Command::Refresh => "refresh",
            Command::CommandLine => "command_line",
            Command::Help => "help",
            Command::Messages => "messages",
            Command::History => "history",
            Command::Details => "details",
            Command::Quit => "quit",
            Command::Suspend => "suspend",
            Command::Live => "live",
            Command::EnableLive => "enable_live",
            Command::Blocklist => "blocklist",
            Command::ListAdd => "blocklist_add",
            Command::ListPlan => "plan",
            Command::ListApply => "apply",
        }
    }
}
