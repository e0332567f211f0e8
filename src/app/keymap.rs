//! The keys of the list view: one table that drives both the app and the
//! help overlay and footer hints, so they can never drift apart.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

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
    /// Leave (asks if work is pending).
    Quit,
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
    /// The app itself.
    App,
}

impl Group {
    /// Every group, in help order.
    pub const ALL: [Group; 5] = [
        Group::Move,
        Group::Find,
        Group::Act,
        Group::Instances,
        Group::App,
    ];

    /// Heading in the help overlay.
    pub fn title(self) -> &'static str {
        match self {
            Group::Move => "Move",
            Group::Find => "Find",
            Group::Act => "Block",
            Group::Instances => "Instances",
            Group::App => "App",
        }
    }
}

/// One key: a code and the modifiers that must be held.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key {
    /// The key code.
    pub code: KeyCode,
    /// Required modifiers (Shift is implied by the character itself).
    pub mods: KeyModifiers,
}

const fn key(code: KeyCode) -> Key {
    Key {
        code,
        mods: KeyModifiers::NONE,
    }
}

const fn ch(c: char) -> Key {
    key(KeyCode::Char(c))
}

const fn ctrl(c: char) -> Key {
    Key {
        code: KeyCode::Char(c),
        mods: KeyModifiers::CONTROL,
    }
}

impl Key {
    /// Whether a key event is this key. Shift is ignored for characters
    /// (`G`, `?`) and Shift-Tab, since terminals differ in reporting it.
    pub fn matches(&self, event: &KeyEvent) -> bool {
        let ignore_shift = matches!(event.code, KeyCode::Char(_) | KeyCode::BackTab);
        let mut mods = event.modifiers;
        if ignore_shift {
            mods.remove(KeyModifiers::SHIFT);
        }
        self.code == event.code && self.mods == mods
    }

    /// How the key is written in help and hints.
    pub fn label(&self) -> String {
        let base = match self.code {
            KeyCode::Char(' ') => "Space".to_string(),
            KeyCode::Char(c) => c.to_string(),
            KeyCode::Down => "↓".to_string(),
            KeyCode::Up => "↑".to_string(),
            KeyCode::PageDown => "PgDn".to_string(),
            KeyCode::PageUp => "PgUp".to_string(),
            KeyCode::Home => "Home".to_string(),
            KeyCode::End => "End".to_string(),
            KeyCode::Tab => "Tab".to_string(),
            KeyCode::BackTab => "Shift-Tab".to_string(),
            KeyCode::Esc => "Esc".to_string(),
            KeyCode::Enter => "Enter".to_string(),
            other => format!("{other:?}"),
        };
        if self.mods.contains(KeyModifiers::CONTROL) {
            format!("Ctrl-{}", base.to_uppercase())
        } else {
            base
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
        help: "filter by name or number as you type (Enter keeps it, Esc clears it)",
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
        help: "sort: as listed, by name, by number",
        hint: None,
    },
    Binding {
        keys: &[ch('v')],
        command: Command::BlockedView,
        group: Group::Find,
        help: "view: every contact, or only those known blocked here",
        hint: Some("blocked view"),
    },
    Binding {
        keys: &[ch('b')],
        command: Command::ToggleBlock,
        group: Group::Act,
        help: "block the contact, or unblock it if known blocked",
        hint: Some("block/unblock"),
    },
    Binding {
        keys: &[ch(' ')],
        command: Command::Mark,
        group: Group::Act,
        help: "mark or unmark the contact",
        hint: None,
    },
    Binding {
        keys: &[ch('*')],
        command: Command::MarkAll,
        group: Group::Act,
        help: "mark every shown contact (again: unmark them)",
        hint: None,
    },
    Binding {
        keys: &[ch('B')],
        command: Command::BulkBlock,
        group: Group::Act,
        help: "block the marked contacts (or this one) on chosen instances",
        hint: None,
    },
    Binding {
        keys: &[ch('U')],
        command: Command::BulkUnblock,
        group: Group::Act,
        help: "unblock the marked contacts (or this one) on chosen instances",
        hint: None,
    },
    Binding {
        keys: &[ch('a')],
        command: Command::AddNumber,
        group: Group::Act,
        help: "block any number, typed in any common format",
        hint: None,
    },
    Binding {
        keys: &[ch('u')],
        command: Command::Undo,
        group: Group::Act,
        help: "undo the last action (single or bulk)",
        hint: Some("undo"),
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
        keys: &[ch(':')],
        command: Command::CommandLine,
        group: Group::App,
        help: "command line: instance, block, unblock, filter, quit (Tab completes)",
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
            Command::NextInstance => "next_instance",
            Command::PrevInstance => "prev_instance",
            Command::Refresh => "refresh",
            Command::CommandLine => "command_line",
            Command::Help => "help",
            Command::Messages => "messages",
            Command::History => "history",
            Command::Quit => "quit",
        }
    }
}

/// Parses a key as written in the profile: `x`, `X`, `ctrl-d`, `space`,
/// `tab`, `shift-tab`, `enter`, `esc`, `up`, `down`, `pgup`, `pgdn`,
/// `home`, `end`, `f1`…`f12`.
pub fn parse_key(text: &str) -> Result<Key, String> {
    let lower = text.trim().to_lowercase();
    let (ctrl, rest) = match lower
        .strip_prefix("ctrl-")
        .or_else(|| lower.strip_prefix("ctrl+"))
    {
        Some(rest) => (true, rest.to_string()),
        None => (false, lower.clone()),
    };
    let code = match rest.as_str() {
        "space" => KeyCode::Char(' '),
        "tab" => KeyCode::Tab,
        "shift-tab" | "backtab" => KeyCode::BackTab,
        "enter" => KeyCode::Enter,
        "esc" | "escape" => KeyCode::Esc,
        "up" => KeyCode::Up,
        "down" => KeyCode::Down,
        "left" => KeyCode::Left,
        "right" => KeyCode::Right,
        "pgup" | "pageup" => KeyCode::PageUp,
        "pgdn" | "pagedown" => KeyCode::PageDown,
        "home" => KeyCode::Home,
        "end" => KeyCode::End,
        f if f.starts_with('f') && f[1..].parse::<u8>().is_ok_and(|n| (1..=12).contains(&n)) => {
            KeyCode::F(f[1..].parse().unwrap_or(1))
        }
        _ => {
            // A single character keeps its case: `B` is not `b`.
            let original = text.trim();
            let ch = if ctrl {
                original.get(5..).unwrap_or_default()
            } else {
                original
            };
            let mut chars = ch.chars();
            match (chars.next(), chars.next()) {
                (Some(c), None) if !c.is_control() => {
                    KeyCode::Char(if ctrl { c.to_ascii_lowercase() } else { c })
                }
                _ => {
                    return Err(format!(
                        "\"{text}\" is not a key (try x, ctrl-x, space, tab, f5...)"
                    ));
                }
            }
        }
    };
    Ok(Key {
        code,
        mods: if ctrl {
            KeyModifiers::CONTROL
        } else {
            KeyModifiers::NONE
        },
    })
}

/// One command with its keys, owned so the profile can change them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// What the keys do.
    pub command: Command,
    /// The keys, the first one shown in hints.
    pub keys: Vec<Key>,
    /// Help group.
    pub group: Group,
    /// Help text.
    pub help: &'static str,
    /// Footer label, if any.
    pub hint: Option<&'static str>,
}

/// The keys of the list view in force: the defaults, with the profile's
/// `[keys]` on top.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keymap {
    /// Every command, in help order.
    pub entries: Vec<Entry>,
}

impl Default for Keymap {
    fn default() -> Self {
        Keymap {
            entries: BINDINGS
                .iter()
                .map(|b| Entry {
                    command: b.command,
                    keys: b.keys.to_vec(),
                    group: b.group,
                    help: b.help,
                    hint: b.hint,
                })
                .collect(),
        }
    }
}

impl Keymap {
    /// The defaults with `overrides` (command name → keys) applied. Every
    /// problem is reported: unknown commands, unreadable keys, and a key
    /// bound to two commands.
    pub fn with_overrides(overrides: &[(String, Vec<String>)]) -> Result<Keymap, Vec<String>> {
        let mut map = Keymap::default();
        let mut problems = Vec::new();
        for (name, keys) in overrides {
            let Some(entry) = map.entries.iter_mut().find(|e| e.command.name() == name) else {
                let known: Vec<&str> = BINDINGS.iter().map(|b| b.command.name()).collect();
                problems.push(format!(
                    "[keys] {name}: no such command (commands: {})",
                    known.join(", ")
                ));
                continue;
            };
            let parsed: Vec<Key> = keys
                .iter()
                .filter_map(|k| {
                    parse_key(k)
                        .map_err(|e| problems.push(format!("[keys] {name}: {e}")))
                        .ok()
                })
                .collect();
            if parsed.is_empty() {
                problems.push(format!("[keys] {name}: give at least one key"));
                continue;
            }
            entry.keys = parsed;
        }
        for (i, a) in map.entries.iter().enumerate() {
            for b in &map.entries[i + 1..] {
                for k in a.keys.iter().filter(|k| b.keys.contains(k)) {
                    problems.push(format!(
                        "[keys] {} is bound to both {} and {}: give one of them another key",
                        k.label(),
                        a.command.name(),
                        b.command.name()
                    ));
                }
            }
        }
        if problems.is_empty() {
            Ok(map)
        } else {
            Err(problems)
        }
    }

    /// The command a key event means in the list view.
    pub fn command_for(&self, event: &KeyEvent) -> Option<Command> {
        self.entries
            .iter()
            .find(|e| e.keys.iter().any(|k| k.matches(event)))
            .map(|e| e.command)
    }
}

/// Whether the event is Ctrl-C, which quits from every mode.
pub fn is_interrupt(event: &KeyEvent) -> bool {
    ctrl('c').matches(event)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_key_is_bound_twice() {
        let keys: Vec<Key> = BINDINGS
            .iter()
            .flat_map(|b| b.keys.iter().copied())
            .collect();
        for (i, a) in keys.iter().enumerate() {
            assert!(!keys[i + 1..].contains(a), "{} is bound twice", a.label());
        }
    }

    #[test]
    fn shift_is_ignored_for_characters() {
        let map = Keymap::default();
        let ev = KeyEvent::new(KeyCode::Char('G'), KeyModifiers::SHIFT);
        assert_eq!(map.command_for(&ev), Some(Command::Bottom));
        let ev = KeyEvent::new(KeyCode::BackTab, KeyModifiers::SHIFT);
        assert_eq!(map.command_for(&ev), Some(Command::PrevInstance));
        let ev = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
        assert_eq!(map.command_for(&ev), Some(Command::Quit));
        assert!(is_interrupt(&ev));
        let ev = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::NONE);
        assert_eq!(map.command_for(&ev), None);
    }

    #[test]
    fn overrides_replace_keys_and_refuse_conflicts() {
        let over = |pairs: &[(&str, &[&str])]| {
            pairs
                .iter()
                .map(|(c, k)| (c.to_string(), k.iter().map(|s| s.to_string()).collect()))
                .collect::<Vec<_>>()
        };
        let map = Keymap::with_overrides(&over(&[
            ("toggle_block", &["x"]),
            ("refresh", &["ctrl-r", "f5"]),
        ]))
        .unwrap();
        let x = KeyEvent::new(KeyCode::Char('x'), KeyModifiers::NONE);
        assert_eq!(map.command_for(&x), Some(Command::ToggleBlock));
        let b = KeyEvent::new(KeyCode::Char('b'), KeyModifiers::NONE);
        assert_eq!(map.command_for(&b), None, "the old key is free");
        let f5 = KeyEvent::new(KeyCode::F(5), KeyModifiers::NONE);
        assert_eq!(map.command_for(&f5), Some(Command::Refresh));
        let errors = Keymap::with_overrides(&over(&[
            ("refresh", &["q"]),
            ("nope", &["z"]),
            ("undo", &["ctrl-"]),
        ]))
        .unwrap_err();
        assert!(
            errors
                .iter()
                .any(|e| e.contains("q is bound to both refresh and quit")),
            "{errors:?}"
        );
        assert!(
            errors.iter().any(|e| e.contains("nope: no such command")),
            "{errors:?}"
        );
        assert!(
            errors.iter().any(|e| e.contains("is not a key")),
            "{errors:?}"
        );
    }

    #[test]
    fn parses_key_names() {
        assert_eq!(parse_key("B").unwrap(), ch('B'));
        assert_eq!(parse_key("ctrl-D").unwrap(), ctrl('d'));
        assert_eq!(parse_key("space").unwrap(), ch(' '));
        assert_eq!(parse_key("shift-tab").unwrap(), key(KeyCode::BackTab));
        assert_eq!(parse_key("PgDn").unwrap(), key(KeyCode::PageDown));
        assert!(parse_key("hyper-x").is_err());
    }

    #[test]
    fn labels() {
        assert_eq!(ctrl('c').label(), "Ctrl-C");
        assert_eq!(key(KeyCode::BackTab).label(), "Shift-Tab");
        assert_eq!(ch('/').label(), "/");
    }
}
