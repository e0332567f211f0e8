//! One context's table of actions and their keys, as the profile may
//! change them: what a key means, and how help and the footer name them.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::key::{Key, parse_key};
use super::list::Group;

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

    /// The first key of each of the `wanted` actions that has one, with
    /// its word: what a footer shows.
    pub fn hints(&self, wanted: &[(A, &'static str)]) -> Vec<(String, &'static str)> {
        wanted
            .iter()
            .filter_map(|(action, word)| Some((self.label_of(*action)?, *word)))
            .collect()
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
    pub(super) fn apply(
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
