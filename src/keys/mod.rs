//! Every key of the app, per context: the contact list, a line being
//! typed (filter, number, command line), a dialog (quit, resume, the bulk
//! targets) and an overlay that pages through text (help, details, the
//! message log, history). Each context has one table of actions and
//! their default keys; the profile's `[keys]` remaps any of them; help
//! and the footer are generated from the table in force.

use ratatui::crossterm::event::KeyEvent;

mod contexts;
mod key;
mod list;
mod table;

pub use contexts::{DialogAction, LineAction, OverlayAction};
pub use key::{Key, parse_key};
pub use list::{BINDINGS, Binding, Command, Group};
pub use table::{Action, Entry, Table};

/// Where the keys go: each context has its own table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    /// The contact list.
    List,
    /// A line being typed: the filter, a number, the command line.
    Line,
    /// A dialog: quit, resume, the bulk targets.
    Dialog,
    /// An overlay that pages through text: help, details, messages,
    /// history.
    Overlay,
}

impl Context {
    /// Every context, in help order.
    pub const ALL: [Context; 4] = [
        Context::List,
        Context::Line,
        Context::Dialog,
        Context::Overlay,
    ];

    /// The `[keys.NAME]` table of the profile (`[keys]` for the list).
    pub fn name(self) -> &'static str {
        match self {
            Context::List => "",
            Context::Line => "line",
            Context::Dialog => "dialog",
            Context::Overlay => "overlay",
        }
    }

    /// Heading in the help overlay.
    pub fn title(self) -> &'static str {
        match self {
            Context::List => "The list",
            Context::Line => "Typing (filter, number, command line)",
            Context::Dialog => "Dialogs",
            Context::Overlay => "Help, details, messages, history",
        }
    }
}

/// Every key in force: the defaults, with the profile's `[keys]` on top.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keymap {
    /// The contact list.
    pub entries: Vec<Entry<Command>>,
    /// A line being typed.
    pub line: Table<LineAction>,
    /// Dialogs.
    pub dialog: Table<DialogAction>,
    /// Overlays.
    pub overlay: Table<OverlayAction>,
}

impl Default for Keymap {
    fn default() -> Self {
        Keymap {
            entries: BINDINGS
                .iter()
                .map(|b| Entry {
                    action: b.command,
                    keys: b.keys.to_vec(),
                    group: b.group,
                    help: b.help,
                    hint: b.hint,
                })
                .collect(),
            line: contexts::line_table(),
            dialog: contexts::dialog_table(),
            overlay: contexts::overlay_table(),
        }
    }
}

/// Overrides of one `[keys]` table: (context name, `""` for the list;
/// action; keys).
pub type Overrides = Vec<(String, String, Vec<String>)>;

impl Keymap {
    /// The defaults with `overrides` applied. Every problem is reported:
    /// unknown contexts and actions, unreadable keys, and a key bound to
    /// two actions of one context.
    pub fn with_overrides(overrides: &Overrides) -> Result<Keymap, Vec<String>> {
        let mut map = Keymap::default();
        let mut problems = Vec::new();
        let of = |context: &str| -> Vec<(String, Vec<String>)> {
            overrides
                .iter()
                .filter(|(c, _, _)| c == context)
                .map(|(_, a, k)| (a.clone(), k.clone()))
                .collect()
        };
        for (context, _, _) in overrides {
            if !Context::ALL.iter().any(|c| c.name() == context) {
                problems.push(format!(
                    "[keys.{context}]: no such context (contexts: [keys], [keys.line], [keys.dialog], [keys.overlay])"
                ));
            }
        }
        problems.dedup();
        let mut list = Table {
            entries: std::mem::take(&mut map.entries),
        };
        list.apply("", &of(""), &mut problems);
        map.entries = list.entries;
        map.line.apply("line", &of("line"), &mut problems);
        map.dialog.apply("dialog", &of("dialog"), &mut problems);
        map.overlay.apply("overlay", &of("overlay"), &mut problems);
        if problems.is_empty() {
            Ok(map)
        } else {
            Err(problems)
        }
    }

    /// How messages name the key of `command` in force: its first key
    /// (`/`, `F5`), or `:` and its name when no key is bound.
    pub fn label_of(&self, command: Command) -> String {
        self.entries
            .iter()
            .find(|e| e.action == command)
            .and_then(|e| e.keys.first())
            .map_or_else(|| format!(":{}", command.name()), Key::label)
    }

    /// The command a key event means in the list.
    pub fn command_for(&self, event: &KeyEvent) -> Option<Command> {
        self.entries
            .iter()
            .find(|e| e.keys.iter().any(|k| k.matches(event)))
            .map(|e| e.action)
    }

    /// Help lines of a context: (keys as written, what they do).
    pub fn help(&self, context: Context) -> Vec<(Group, String, &'static str)> {
        fn rows<A: Action>(entries: &[Entry<A>]) -> Vec<(Group, String, &'static str)> {
            entries
                .iter()
                .map(|e| {
                    let keys: Vec<String> = e.keys.iter().map(Key::label).collect();
                    (e.group, keys.join(", "), e.help)
                })
                .collect()
        }
        match context {
            Context::List => rows(&self.entries),
            Context::Line => rows(&self.line.entries),
            Context::Dialog => rows(&self.dialog.entries),
            Context::Overlay => rows(&self.overlay.entries),
        }
    }
}

impl Action for Command {
    fn name(self) -> &'static str {
        Command::name(self)
    }
}

#[cfg(test)]
mod tests {
    use super::key::{ch, ctrl, key};
    use super::*;
    use ratatui::crossterm::event::{KeyCode, KeyModifiers};

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
        let ev = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::NONE);
        assert_eq!(map.command_for(&ev), None);
    }

    #[test]
    fn overrides_replace_keys_and_refuse_conflicts() {
        let over = |pairs: &[(&str, &[&str])]| {
            pairs
                .iter()
                .map(|(c, k)| {
                    let (context, action) = c.split_once('.').unwrap_or(("", c));
                    (
                        context.to_string(),
                        action.to_string(),
                        k.iter().map(|s| s.to_string()).collect(),
                    )
                })
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
            errors.iter().any(|e| e.contains("nope: no such action")),
            "{errors:?}"
        );
        assert!(
            errors.iter().any(|e| e.contains("is not a key")),
            "{errors:?}"
        );
    }

    #[test]
    fn every_context_can_be_remapped() {
        let pairs: Overrides = vec![
            ("dialog".into(), "yes".into(), vec!["g".into()]),
            (
                "overlay".into(),
                "close".into(),
                vec!["x".into(), "ctrl-c".into()],
            ),
            ("line".into(), "submit".into(), vec!["ctrl-j".into()]),
        ];
        let map = Keymap::with_overrides(&pairs).unwrap();
        let g = KeyEvent::new(KeyCode::Char('g'), KeyModifiers::NONE);
        assert_eq!(map.dialog.action_for(&g), Some(DialogAction::Yes));
        let y = KeyEvent::new(KeyCode::Char('y'), KeyModifiers::NONE);
        assert_eq!(map.dialog.action_for(&y), None);
        let x = KeyEvent::new(KeyCode::Char('x'), KeyModifiers::NONE);
        assert_eq!(map.overlay.action_for(&x), Some(OverlayAction::Close));
        let ctrl_j = KeyEvent::new(KeyCode::Char('j'), KeyModifiers::CONTROL);
        assert_eq!(map.line.action_for(&ctrl_j), Some(LineAction::Submit));
        let bad: Overrides = vec![
            ("dialogs".into(), "yes".into(), vec!["g".into()]),
            ("overlay".into(), "down".into(), vec!["q".into()]),
            ("line".into(), "submit".into(), vec!["5".into()]),
        ];
        let errors = Keymap::with_overrides(&bad).unwrap_err();
        assert!(
            errors
                .iter()
                .any(|e| e.contains("[keys.dialogs]: no such context")),
            "{errors:?}"
        );
        assert!(
            errors
                .iter()
                .any(|e| e.contains("[keys.overlay] q is bound to both close and down")),
            "{errors:?}"
        );
        assert!(
            errors
                .iter()
                .any(|e| e.contains("[keys.line] submit: 5 is typed as text in a line")),
            "{errors:?}"
        );
    }

    #[test]
    fn the_one_ctrl_c_rule_is_in_every_table() {
        let map = Keymap::default();
        let ev = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
        assert_eq!(map.command_for(&ev), Some(Command::Quit));
        assert_eq!(map.line.action_for(&ev), Some(LineAction::Cancel));
        assert_eq!(map.dialog.action_for(&ev), Some(DialogAction::No));
        assert_eq!(map.overlay.action_for(&ev), Some(OverlayAction::Close));
        assert_eq!(
            Key {
                code: KeyCode::F(5),
                mods: KeyModifiers::NONE
            }
            .label(),
            "F5"
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
