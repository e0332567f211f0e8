//! Every key of the app, per context: the contact list, a line being
//! typed (filter, number, command line), a dialog (quit, resume, the bulk
//! targets) and an overlay that pages through text (help, details, the
//! message log, history). Each context has one table of actions and
//! their default keys; the profile's `[keys]` remaps any of them; help
//! and the footer are generated from the table in force.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

mod contexts;
mod list;

pub use contexts::{DialogAction, LineAction, OverlayAction};
pub use list::{BINDINGS, Binding, Command, Group};

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
            KeyCode::Backspace => "Backspace".to_string(),
            KeyCode::Left => "←".to_string(),
            KeyCode::Right => "→".to_string(),
            KeyCode::F(n) => format!("F{n}"),
            other => format!("{other:?}"),
        };
        if self.mods.contains(KeyModifiers::CONTROL) {
            format!("Ctrl-{}", base.to_uppercase())
        } else {
            base
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

/// An action of one context, named in the profile's `[keys]`.
pub trait Action: Copy + Eq + std::fmt::Debug + 'static {
    /// The name used in the profile.
    fn name(self) -> &'static str;
}

/// One action with its keys, owned so the profile can change them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry<A> {
    /// What the keys do.
    pub action: A,
    /// The keys, the first one shown in hints.
    pub keys: Vec<Key>,
    /// Help group (list actions; other contexts have one group).
    pub group: Group,
    /// Help text.
    pub help: &'static str,
    /// Footer label, if the footer shows it.
    pub hint: Option<&'static str>,
}

/// The keys of one context in force.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table<A> {
    /// Every action, in help order.
    pub entries: Vec<Entry<A>>,
}

impl<A: Action> Table<A> {
    /// The action a key event means here.
    pub fn action_for(&self, event: &KeyEvent) -> Option<A> {
        self.entries
            .iter()
            .find(|e| e.keys.iter().any(|k| k.matches(event)))
            .map(|e| e.action)
    }

    /// How messages name the first key of `action` in force, when it has
    /// one.
    pub fn label_of(&self, action: A) -> Option<String> {
        self.keys_of(action).first().map(Key::label)
    }

    /// The keys of `action`.
    pub fn keys_of(&self, action: A) -> &[Key] {
        self.entries
            .iter()
            .find(|e| e.action == action)
            .map_or(&[], |e| e.keys.as_slice())
    }

    /// Applies `[keys]` overrides (action name → keys) of this context,
    /// reporting unknown actions, unreadable keys and keys bound twice.
    fn apply(
        &mut self,
        context: &str,
        overrides: &[(String, Vec<String>)],
        problems: &mut Vec<String>,
    ) {
        let table = if context.is_empty() {
            "[keys]".to_string()
        } else {
            format!("[keys.{context}]")
        };
        for (name, keys) in overrides {
            let known: Vec<&str> = self.entries.iter().map(|e| e.action.name()).collect();
            let Some(entry) = self.entries.iter_mut().find(|e| e.action.name() == name) else {
                problems.push(format!(
                    "{table} {name}: no such action (here: {})",
                    known.join(", ")
                ));
                continue;
            };
            let parsed: Vec<Key> = keys
                .iter()
                .filter_map(|k| {
                    parse_key(k)
                        .map_err(|e| problems.push(format!("{table} {name}: {e}")))
                        .ok()
                })
                .collect();
            if parsed.is_empty() {
                problems.push(format!("{table} {name}: give at least one key"));
                continue;
            }
            // In a line, a plain character is text: binding one would stop
            // it being typed (a 5 in a number).
            if context == "line"
                && let Some(k) = parsed.iter().find(|k| {
                    matches!(k.code, KeyCode::Char(_))
                        && !k.mods.intersects(KeyModifiers::CONTROL | KeyModifiers::ALT)
                })
            {
                problems.push(format!(
                    "{table} {name}: {} is typed as text in a line; use a key with Ctrl or Alt, or a special key",
                    k.label()
                ));
                continue;
            }
            entry.keys = parsed;
        }
        for (i, a) in self.entries.iter().enumerate() {
            for b in &self.entries[i + 1..] {
                for k in a.keys.iter().filter(|k| b.keys.contains(k)) {
                    problems.push(format!(
                        "{table} {} is bound to both {} and {}: give one of them another key",
                        k.label(),
                        a.action.name(),
                        b.action.name()
                    ));
                }
            }
        }
    }
}

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
