//! The help overlay's lines: every key of every context in force (the
//! profile may have remapped them), and a legend for the symbols. Pure,
//! so scrolling and search use the lines that are drawn.

use super::command_line::LINE_COMMANDS;
use crate::app::pager::LineKind;
use crate::keys::{Command, Context, Group, Keymap};
use crate::util::text::{fit, width, wrap};

/// Before a name in the list: the contact is marked. A glyph of its own:
/// `●` already says "connected" on the tabs.
pub const MARKED: &str = "◆";

/// The symbols the list and tabs use, and what they mean; the keys they
/// name are the keys in force. No two meanings share a symbol.
pub fn legend(keymap: &Keymap) -> Vec<(&'static str, String)> {
    let key = |command| keymap.label_of(command);
    vec![
        ("●", "instance connected".into()),
        (
            "○",
            "instance not connected (disconnected, logged out, temp banned)".into(),
        ),
        ("◌", "instance connecting".into()),
        (
            "!",
            "instance not found, or its state could not be read".into(),
        ),
        ("⊘", "blocked, as the ledger knows it".into()),
        ("⠋", "a request in flight (the spinner turns)".into()),
        (
            MARKED,
            format!(
                "before a name: the contact is marked for {}/{}",
                key(Command::BulkBlock),
                key(Command::BulkUnblock)
            ),
        ),
        ("~", "before a name: the contact's own push name".into()),
        (
            "⚑",
            format!(
                "live: a flagged sender (a spam wave, the deny list, a keyword); {} blocks it on every instance",
                key(Command::BulkBlock)
            ),
        ),
        (
            "✖",
            format!(
                "an error; {} shows every message in full",
                key(Command::Messages)
            ),
        ),
    ]
}

/// The help rows of a context: (group, keys in force, what they do). The
/// command line's key names every `:` command, from their table, so the
/// row never lists fewer than there are.
pub fn key_rows(keymap: &Keymap, context: Context) -> Vec<(Group, String, String)> {
    let rows = keymap.help(context);
    if context != Context::List {
        return rows
            .into_iter()
            .map(|(group, keys, help)| (group, keys, help.to_string()))
            .collect();
    }
    // The list's rows are its entries, in their order.
    rows.into_iter()
        .zip(&keymap.entries)
        .map(|((group, keys, help), entry)| {
            let help = if entry.action == Command::CommandLine {
                command_line_help(keymap, help)
            } else {
                help.to_string()
            };
            (group, keys, help)
        })
        .collect()
}

/// What the command line's key does (`help`, from the key table),
/// followed by every command of [`LINE_COMMANDS`] and the key that
/// completes: `command line: instance, block, … (Tab completes)`.
fn command_line_help(keymap: &Keymap, help: &str) -> String {
    let names: Vec<&str> = LINE_COMMANDS.iter().map(|spec| spec.name).collect();
    let complete = keymap
        .line
        .label_of(crate::keys::LineAction::Complete)
        .map_or(String::new(), |k| format!(" ({k} completes)"));
    format!("{help}: {}{complete}", names.join(", "))
}

/// Column of the help texts: keys are written before it.
const KEYS_WIDTH: usize = 18;

/// Help at `width` columns; with a `search`, only the lines that contain
/// it (case ignored), under their headings.
pub fn lines(keymap: &Keymap, search: &str, width_cols: usize) -> Vec<(LineKind, String)> {
    let search = search.to_lowercase();
    let sections = sections(keymap, &search);
    laid_out(sections, &search, width_cols)
}

/// A titled list of (keys, what they do).
pub type Section = (String, Vec<(String, String)>);

/// Every section of the help, unsearched: the keys of each context, the
/// `:` commands and the symbols. The manual page's KEYS are these.
pub fn all_sections(keymap: &Keymap) -> Vec<Section> {
    sections(keymap, "")
}

/// The help's sections, keeping only the rows that hold `search`
/// (lowercase; empty keeps all): the keys of each context, the `:`
/// commands, the symbols.
fn sections(keymap: &Keymap, search: &str) -> Vec<Section> {
    let wanted = |keys: &str, help: &str| {
        search.is_empty()
            || keys.to_lowercase().contains(search)
            || help.to_lowercase().contains(search)
    };
    let mut sections = key_sections(keymap, &wanted);
    sections.extend(commands_section(keymap, &wanted));
    sections.extend(legend_section(keymap, &wanted));
    sections
}

/// Whether a row (keys or symbol, and its help) is kept.
type Wanted<'a> = dyn Fn(&str, &str) -> bool + 'a;

/// A section per context, and per group of the list's keys; those left
/// empty by the search are left out.
fn key_sections(keymap: &Keymap, wanted: &Wanted) -> Vec<Section> {
    let mut sections: Vec<Section> = Vec::new();
    for context in Context::ALL {
        let rows = key_rows(keymap, context);
        let groups: Vec<Option<Group>> = match context {
            Context::List => Group::ALL.iter().copied().map(Some).collect(),
            _ => vec![None],
        };
        for group in groups {
            let title = match group {
                Some(g) => format!("{} · {}", context.title(), g.title()),
                None => context.title().to_string(),
            };
            let shown: Vec<(String, String)> = rows
                .iter()
                .filter(|(g, _, _)| group.is_none_or(|want| *g == want))
                .filter(|(_, keys, help)| wanted(keys, help))
                .map(|(_, keys, help)| (keys.clone(), help.clone()))
                .collect();
            if !shown.is_empty() {
                sections.push((title, shown));
            }
        }
    }
    sections
}

/// The `:` commands, titled with the keys that open and complete the
/// line; `None` when the search leaves none.
fn commands_section(keymap: &Keymap, wanted: &Wanted) -> Option<Section> {
    let commands: Vec<(String, String)> = LINE_COMMANDS
        .iter()
        .map(|spec| {
            let typed = format!(":{} {}", spec.name, spec.arg);
            let help = match spec.short {
                Some(short) => format!("{} (also :{short})", spec.help),
                None => spec.help.to_string(),
            };
            (typed.trim_end().to_string(), help)
        })
        .filter(|(typed, help)| wanted(typed, help))
        .collect();
    if commands.is_empty() {
        return None;
    }
    let open = keymap.label_of(Command::CommandLine);
    let complete = keymap
        .line
        .label_of(crate::keys::LineAction::Complete)
        .map_or(String::new(), |k| format!(", {k} completes"));
    Some((
        format!("Commands ({open} opens the line{complete})"),
        commands,
    ))
}

/// The symbols and what they mean; `None` when the search leaves none.
fn legend_section(keymap: &Keymap, wanted: &Wanted) -> Option<Section> {
    let legend: Vec<(String, String)> = legend(keymap)
        .into_iter()
        .filter(|(symbol, meaning)| wanted(symbol, meaning))
        .map(|(symbol, meaning)| (symbol.to_string(), meaning))
        .collect();
    (!legend.is_empty()).then(|| ("Symbols".to_string(), legend))
}

/// The sections at `width_cols`: keys and text side by side when wide
/// enough, else text below its keys.
fn laid_out(sections: Vec<Section>, search: &str, width_cols: usize) -> Vec<(LineKind, String)> {
    let mut lines = Vec::new();
    // Wide enough: keys and text side by side; narrow: text below keys.
    let side_by_side = width_cols >= KEYS_WIDTH + 24;
    for (title, rows) in sections {
        if !lines.is_empty() {
            lines.push((LineKind::Text, String::new()));
        }
        lines.push((LineKind::InfoHeading, fit(&title, width_cols)));
        for (keys, help) in rows {
            if side_by_side && width(&keys) < KEYS_WIDTH - 2 {
                let room = width_cols.saturating_sub(KEYS_WIDTH);
                for (n, part) in wrap(&help, room).into_iter().enumerate() {
                    let head = if n == 0 { keys.as_str() } else { "" };
                    let pad = KEYS_WIDTH - 2 - width(head);
                    lines.push((LineKind::Text, format!("  {head}{}{part}", " ".repeat(pad))));
                }
            } else {
                lines.push((LineKind::Text, fit(&format!("  {keys}"), width_cols)));
                for part in wrap(&help, width_cols.saturating_sub(4)) {
                    lines.push((LineKind::Detail, format!("    {part}")));
                }
            }
        }
    }
    if lines.is_empty() {
        lines.push((
            LineKind::Detail,
            format!("Nothing in help matches \"{search}\"."),
        ));
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_and_symbol_is_in_help_at_any_width() {
        let map = Keymap::default();
        for width_cols in [36, 76, 120] {
            let text: String = lines(&map, "", width_cols)
                .into_iter()
                .map(|(_, l)| {
                    assert!(width(&l) <= width_cols, "{l:?} wider than {width_cols}");
                    l + "\n"
                })
                .collect();
            for context in Context::ALL {
                for (_, keys, _) in map.help(context) {
                    assert!(text.contains(&keys), "{keys} missing at {width_cols}");
                }
            }
            for (symbol, _) in legend(&map) {
                assert!(text.contains(symbol));
            }
        }
    }

    #[test]
    fn the_command_line_key_names_every_command() {
        let map = Keymap::default();
        let rows = key_rows(&map, Context::List);
        let (_, keys, help) = rows
            .iter()
            .find(|(_, _, help)| help.starts_with("command line"))
            .expect("the : row");
        assert_eq!(keys, ":");
        for spec in LINE_COMMANDS {
            assert!(help.contains(spec.name), "{} missing: {help}", spec.name);
        }
        assert!(help.ends_with("(Tab completes)"), "{help}");
        let shown: String = lines(&map, "", 200).into_iter().map(|(_, l)| l).collect();
        assert!(shown.contains(help.as_str()), "drawn as generated");
    }

    #[test]
    fn the_readme_names_every_command_of_the_line() {
        let readme = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"));
        let row = readme
            .lines()
            .find(|l| l.starts_with("| `:` |"))
            .expect("the README's : row");
        for spec in LINE_COMMANDS {
            let typed = format!("`{} {}", spec.name, spec.arg);
            assert!(
                row.contains(typed.trim_end()),
                "{} missing: {row}",
                spec.name
            );
        }
    }

    #[test]
    fn no_two_meanings_share_a_symbol() {
        let legend = legend(&Keymap::default());
        let mut symbols: Vec<&str> = legend.iter().map(|(symbol, _)| *symbol).collect();
        symbols.sort_unstable();
        symbols.dedup();
        assert_eq!(symbols.len(), legend.len(), "{legend:?}");
    }

    #[test]
    fn the_legend_names_the_keys_in_force() {
        let overrides: crate::keys::Overrides = vec![
            (String::new(), "bulk_block".into(), vec!["f2".into()]),
            (String::new(), "bulk_unblock".into(), vec!["f3".into()]),
            (String::new(), "messages".into(), vec!["f4".into()]),
        ];
        let map = Keymap::with_overrides(&overrides).unwrap();
        let meanings: Vec<String> = legend(&map).into_iter().map(|(_, m)| m).collect();
        assert!(meanings.contains(&"before a name: the contact is marked for F2/F3".to_string()));
        assert!(meanings.contains(&"an error; F4 shows every message in full".to_string()));
        assert!(
            !meanings
                .iter()
                .any(|m| m.contains("B/U") || m.contains(" m "))
        );
    }

    #[test]
    fn search_keeps_matching_lines_under_their_heading() {
        let map = Keymap::default();
        let found: Vec<String> = lines(&map, "UNDO", 100)
            .into_iter()
            .map(|(_, l)| l)
            .collect();
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(found[0].contains("Block"), "{found:?}");
        assert!(found[1].contains("undo the last action"));
        let none = lines(&map, "zzzz", 100);
        assert_eq!(none.len(), 1);
        assert!(none[0].1.contains("Nothing in help matches"));
    }
}
