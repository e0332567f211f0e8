//! The help overlay's lines: every key of every context in force (the
//! profile may have remapped them), and a legend for the symbols. Pure,
//! so scrolling and search use the lines that are drawn.

use super::command_line::LINE_COMMANDS;
use crate::app::pager::LineKind;
use crate::keys::{Command, Context, Group, Keymap};
use crate::util::text::{fit, width, wrap};

/// The symbols the list and tabs use, and what they mean; the keys they
/// name are the keys in force.
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
            "●",
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
type Section = (String, Vec<(String, String)>);

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
        let rows = keymap.help(context);
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
                .map(|(_, keys, help)| (keys.clone(), help.to_string()))
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
