//! The `:` command line: one table of commands ([`LINE_COMMANDS`]) that
//! parsing, Tab completion (of commands and instance names) and the help
//! all read.

use ratatui::crossterm::event::{KeyCode, KeyEvent};

use super::after::{After, Step, close, stay};
use crate::app::bulk::{self, Begun, Then};
use crate::app::core::Core;
use crate::app::effect::Effect;
use crate::app::line::{Edit, edit};
use crate::app::lookups;
use crate::app::ops::{error, info, read_only, refilter, refresh, switch_instance};

/// Where a command leads: another overlay.
#[derive(Debug)]
pub(crate) enum LineNext {
    /// `:help`.
    Help,
    /// `:messages`.
    Messages,
    /// `:history`.
    History,
    /// `:quit` (which asks first while work is pending).
    Quit,
    /// A number whose reason is asked.
    Reason(Then),
}

/// A `:` command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineCommand {
    /// Switch to an instance.
    Instance,
    /// Block a typed number.
    Block,
    /// Unblock a typed number.
    Unblock,
    /// Set the filter.
    Filter,
    /// Reload the list.
    Refresh,
    /// Open the message log.
    Messages,
    /// Open the instance's history.
    History,
    /// Open the help.
    Help,
    /// Leave.
    Quit,
}

/// One command of the table: how it is typed and what it does.
pub struct LineSpec {
    /// The command.
    pub command: LineCommand,
    /// Its name.
    pub name: &'static str,
    /// Its one-letter form, when it has one.
    pub short: Option<&'static str>,
    /// What it takes after it (empty: nothing).
    pub arg: &'static str,
    /// What it does, for the help.
    pub help: &'static str,
}

/// Every `:` command: what parsing, completion and the help all read.
pub const LINE_COMMANDS: &[LineSpec] = &[
    LineSpec {
        command: LineCommand::Instance,
        name: "instance",
        short: Some("i"),
        arg: "NAME",
        help: "switch to the instance (name, label or the start of one)",
    },
    LineSpec {
        command: LineCommand::Block,
        name: "block",
        short: Some("b"),
        arg: "NUMBER",
        help: "block a number, contact or not",
    },
    LineSpec {
        command: LineCommand::Unblock,
        name: "unblock",
        short: Some("u"),
        arg: "NUMBER",
        help: "unblock a number",
    },
    LineSpec {
        command: LineCommand::Filter,
        name: "filter",
        short: Some("f"),
        arg: "TEXT",
        help: "filter the list (empty: clear it)",
    },
    LineSpec {
        command: LineCommand::Refresh,
        name: "refresh",
        short: Some("r"),
        arg: "",
        help: "reload the instance's contacts",
    },
    LineSpec {
        command: LineCommand::Messages,
        name: "messages",
        short: Some("m"),
        arg: "",
        help: "every message of this session",
    },
    LineSpec {
        command: LineCommand::History,
        name: "history",
        short: Some("h"),
        arg: "",
        help: "the instance's recorded actions",
    },
    LineSpec {
        command: LineCommand::Help,
        name: "help",
        short: None,
        arg: "",
        help: "this help",
    },
    LineSpec {
        command: LineCommand::Quit,
        name: "quit",
        short: Some("q"),
        arg: "",
        help: "leave (asks when requests are in flight)",
    },
];

impl LineCommand {
    /// The command a typed word names (its name or its one-letter form).
    pub fn parse(word: &str) -> Option<LineCommand> {
        LINE_COMMANDS
            .iter()
            .find(|spec| spec.name == word || spec.short == Some(word))
            .map(|spec| spec.command)
    }

    /// Its row of the table.
    pub fn spec(self) -> &'static LineSpec {
        LINE_COMMANDS
            .iter()
            .find(|spec| spec.command == self)
            .unwrap_or(&LINE_COMMANDS[0])
    }
}

/// The number typed after `:block` (or `:b`), whose identity shows as it
/// is typed; `None` for any other line.
pub fn block_number(line: &str) -> Option<&str> {
    let (verb, number) = line.trim_start().split_once(' ')?;
    (LineCommand::parse(verb) == Some(LineCommand::Block)).then_some(number)
}

/// Keys while the command line is open.
pub(crate) fn on_key(state: &mut Core, mut line: String, key: KeyEvent) -> Step<String, LineNext> {
    // Backspace on an empty line closes it, as in vim.
    let closing = key.code == KeyCode::Backspace && line.is_empty();
    let step = match edit(&mut line, &key, &state.keymap.line) {
        Edit::Cancel => close(Vec::new()),
        Edit::Complete => {
            line = complete(state, &line);
            stay(line)
        }
        Edit::Submit => run(state, line.trim()),
        Edit::Unchanged if closing => close(Vec::new()),
        Edit::Changed | Edit::Unchanged => stay(line),
    };
    typed(state, &step);
    step
}

/// After a key or a paste: a number typed after `:block` is looked up once
/// typing pauses, as in the number prompt; any other line, or a closed
/// one, looks nothing up.
fn typed<N>(state: &mut Core, step: &Step<String, N>) {
    match step {
        (After::Stay(line), _) => match block_number(line) {
            Some(number) => lookups::typed(state, number),
            None => lookups::forget_typed(state),
        },
        _ => lookups::forget_typed(state),
    }
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
fn complete(state: &mut Core, line: &str) -> String {
    let line = line.to_string();
    let (head, candidates): (String, Vec<String>) = match line.split_once(' ') {
        None => (
            String::new(),
            LINE_COMMANDS
                .iter()
                .filter(|spec| spec.name.starts_with(line.as_str()))
                .map(|spec| {
                    if spec.arg.is_empty() {
                        spec.name.to_string()
                    } else {
                        format!("{} ", spec.name)
                    }
                })
                .collect(),
        ),
        Some((word, partial)) if LineCommand::parse(word) == Some(LineCommand::Instance) => (
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
fn run(state: &mut Core, line: &str) -> Step<String, LineNext> {
    let (word, arg) = line.split_once(' ').unwrap_or((line, ""));
    let arg = arg.trim();
    if word.is_empty() {
        return close(Vec::new());
    }
    let Some(command) = LineCommand::parse(word) else {
        let names: Vec<&str> = LINE_COMMANDS.iter().map(|spec| spec.name).collect();
        error(
            state,
            format!("no command \"{word}\": try {}", names.join(", ")),
        );
        return close(Vec::new());
    };
    let spec = command.spec();
    if spec.arg.is_empty() && !arg.is_empty() {
        error(
            state,
            format!(":{word} takes nothing after it (\"{arg}\"): nothing was done"),
        );
        return close(Vec::new());
    }
    let next = |next| (After::Next(next), Vec::new());
    let effects = match command {
        LineCommand::Instance => to_instance(state, arg),
        LineCommand::Block | LineCommand::Unblock if arg.is_empty() => {
            let verb = spec.name;
            error(
                state,
                format!("type the number after :{verb}, e.g. :{verb} +44 7912 345678"),
            );
            Vec::new()
        }
        LineCommand::Block | LineCommand::Unblock if read_only(state, state.current) => Vec::new(),
        LineCommand::Block | LineCommand::Unblock => {
            let block = command == LineCommand::Block;
            // Asked why, as the number prompt asks.
            match bulk::number_batch(state, arg, block, true) {
                Begun::Sent(effects) => effects,
                Begun::AsksWhy(then) => return next(LineNext::Reason(then)),
            }
        }
        LineCommand::Filter => {
            state.filter = arg.to_string();
            refilter(state, None).into_iter().collect()
        }
        LineCommand::Refresh => refresh(state),
        LineCommand::Help => return next(LineNext::Help),
        LineCommand::Messages => return next(LineNext::Messages),
        LineCommand::History => return next(LineNext::History),
        LineCommand::Quit => return next(LineNext::Quit),
    };
    close(effects)
}

/// `:instance NAME`: the profile's rule for finding an instance by name
/// (as `--instance`).
fn to_instance(state: &mut Core, arg: &str) -> Vec<Effect> {
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
            let names: Vec<&str> = state.instances.iter().map(|i| i.name.as_str()).collect();
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

/// The footer's keys while the line is typed (a number after `:block`
/// previews instead; see the footer).
pub(crate) fn hints(keymap: &crate::keys::Keymap) -> Vec<(String, &'static str)> {
    use crate::keys::LineAction;
    keymap.line.hints(&[
        (LineAction::Complete, "complete"),
        (LineAction::Submit, "run"),
        (LineAction::Cancel, "cancel"),
    ])
}
