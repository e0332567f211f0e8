//! One key as the app names it: a code and the modifiers held, how the
//! profile writes it, and how help and messages show it.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// One key: a code and the modifiers that must be held.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key {
    /// The key code.
    pub code: KeyCode,
    /// Required modifiers (Shift is implied by the character itself).
    pub mods: KeyModifiers,
}

pub(super) const fn key(code: KeyCode) -> Key {
    Key {
        code,
        mods: KeyModifiers::NONE,
    }
}

pub(super) const fn ch(c: char) -> Key {
    key(KeyCode::Char(c))
}

pub(super) const fn ctrl(c: char) -> Key {
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
