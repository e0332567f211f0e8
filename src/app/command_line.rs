//! The `:` command line: `instance NAME`, `block NUMBER`, `unblock
//! NUMBER`, `filter TEXT`, `refresh`, `help`, `quit`, with Tab completion
//! of command and instance names.

use ratatui::crossterm::event::{KeyCode, KeyEvent};

use super::bulk;
use super::line::{Edit, edit};
use super::msg::Effect;
use super::ops::{error, info, refilter, refresh, request_quit, switch_instance};
use super::state::{Overlay, State};

/// The commands and what they take.
const COMMANDS: &[(&str, &str)] = &[
    ("instance", "NAME"),
    ("block", "NUMBER"),
    ("unblock", "NUMBER"),
    ("filter", "TEXT"),
    ("refresh", ""),
    ("messages", ""),
    ("history", ""),
    ("help", ""),
    ("quit", ""),
];

/// Keys while the command line is open.
pub(super) fn on_key(state: &mut State, mut line: String, key: KeyEvent) -> Vec<Effect> {
    // Backspace on an empty line closes it, as in vim.
    let closing = key.code == KeyCode::Backspace && line.is_empty();
    match edit(&mut line, &key, &state.keymap.line) {
        Edit::Cancel => return Vec::new(),
        Edit::Complete => line = complete(state, &line),
        Edit::Submit => return run(state, line.trim()),
        Edit::Unchanged if closing => return Vec::new(),
        Edit::Changed | Edit::Unchanged => {}
    }
    state.overlay = Some(Overlay::CommandLine(line));
    Vec::new()
}

/// The longest prefix shared by every candidate.
fn common_prefix(candidates: &[String]) -> String {
    let Some(first) = candidates.first() else {
        return String::new();
    };
    let mut end = first.len();
    for c in &candidates[1..] {
        end = end.min(
            first
                .bytes()
                .zip(c.bytes())
                .take_while(|(a, b)| a == b)
                .count(),
        );
    }
    while !first.is_char_boundary(end) {
        end -= 1;
    }
    first[..end].to_string()
}

/// Tab: completes the command name, or the instance name after
/// `instance `; several candidates are listed in the status bar.
fn complete(state: &mut State, line: &str) -> String {
    let line = line.to_string();
    let (head, candidates): (String, Vec<String>) = match line.split_once(' ') {
        None => (
            String::new(),
            COMMANDS
                .iter()
                .filter(|(c, _)| c.starts_with(line.as_str()))
                .map(|(c, arg)| {
                    if arg.is_empty() {
                        c.to_string()
                    } else {
                        format!("{c} ")
                    }
                })
                .collect(),
        ),
        Some(("instance", partial)) => (
            "instance ".to_string(),
            state
                .instances
                .iter()
                .map(|i| i.name.clone())
                .filter(|n| n.to_lowercase().starts_with(&partial.to_lowercase()))
                .collect(),
        ),
        Some(_) => return line,
    };
    match candidates.len() {
        0 => {
            info(state, format!("nothing completes \"{line}\""));
            line
        }
        1 => format!("{head}{}", candidates[0]),
        _ => {
            let prefix = common_prefix(&candidates);
            let names: Vec<&str> = candidates.iter().map(|c| c.trim_end()).collect();
            info(state, names.join("  "));
            if prefix.len() > line.len().saturating_sub(head.len()) {
                format!("{head}{prefix}")
            } else {
                line
            }
        }
    }
}

/// Runs one command line.
fn run(state: &mut State, line: &str) -> Vec<Effect> {
    let (command, arg) = line.split_once(' ').unwrap_or((line, ""));
    let arg = arg.trim();
    match command {
        "" => Vec::new(),
        "instance" | "i" => {
            let names: Vec<(&str, Option<&str>)> = state
                .instances
                .iter()
                .map(|i| (i.name.as_str(), i.label.as_deref()))
                .collect();
            match crate::config::profile::resolve_instance(&names, arg) {
                Some(target) if !arg.is_empty() => {
                    let delta = target as isize - state.current as isize;
                    if delta == 0 {
                        Vec::new()
                    } else {
                        switch_instance(state, delta)
                    }
                }
                _ => {
                    let names: Vec<&str> =
                        state.instances.iter().map(|i| i.name.as_str()).collect();
                    error(
                        state,
                        format!(
                            "no instance \"{arg}\": the profile has {}",
                            names.join(", ")
                        ),
                    );
                    Vec::new()
                }
            }
        }
        "block" | "b" | "unblock" | "u" if arg.is_empty() => {
            let verb = if command.starts_with('b') {
                "block"
            } else {
                "unblock"
            };
            error(
                state,
                format!("type the number after :{verb}, e.g. :{verb} +44 7912 345678"),
            );
            Vec::new()
        }
        "block" | "b" => bulk::number_batch(state, arg, true),
        "unblock" | "u" => bulk::number_batch(state, arg, false),
        "filter" | "f" => {
            state.filter = arg.to_string();
            refilter(state, None).into_iter().collect()
        }
        "refresh" | "r" | "help" | "messages" | "m" | "history" | "h" | "quit" | "q"
            if !arg.is_empty() =>
        {
            error(
                state,
                format!(":{command} takes nothing after it (\"{arg}\"): nothing was done"),
            );
            Vec::new()
        }
        "refresh" | "r" => refresh(state),
        "help" => {
            super::overlay::open_help(state);
            Vec::new()
        }
        "messages" | "m" => {
            super::overlay::open_messages(state);
            Vec::new()
        }
        "history" | "h" => super::overlay::open_history(state),
        "quit" | "q" => request_quit(state),
        other => {
            let names: Vec<&str> = COMMANDS.iter().map(|(c, _)| *c).collect();
            error(
                state,
                format!("no command \"{other}\": try {}", names.join(", ")),
            );
            Vec::new()
        }
    }
}
