//! The profile's text read into its tables with every problem at once,
//! each with its line: every syntax error; every unknown key and every
//! value of the wrong type (a table is read again without it, and what
//! could not be read is noted, so no second problem follows from it). It
//! also keeps where each table and key is, so the checks that come after
//! say the line of what they refuse. No message quotes a value written in the file: any may
//! be a token.

use std::collections::{BTreeMap, HashMap};

use serde::Deserialize;
use serde::de::DeserializeOwned;
use toml::Spanned;
use toml::de::{DeTable, DeValue, ValueDeserializer};

use super::ledger::RawLedger;
use super::live::RawLive;
use super::secret_cmd::TokenCmd;

/// One problem of the profile, with where it is when that is known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Problem {
    /// Its line (1-based).
    pub(super) line: Option<usize>,
    /// Its column (1-based), for syntax errors.
    column: Option<usize>,
    /// What is wrong and what to do.
    text: String,
}

impl Problem {
    /// A problem on `line`.
    pub(super) fn at(line: Option<usize>, text: impl Into<String>) -> Problem {
        Problem {
            line,
            column: None,
            text: text.into(),
        }
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (self.line, self.column) {
            (Some(line), Some(column)) => write!(f, "line {line}, column {column}: {}", self.text),
            (Some(line), None) => write!(f, "line {line}: {}", self.text),
            (None, _) => f.write_str(&self.text),
        }
    }
}

/// Where a table is: the line of its header and of each of its keys;
/// and the keys whose value could not be read (their problem is said
/// already, so the checks after say nothing more of them).
#[derive(Debug, Default, Clone)]
pub(super) struct TablePlace {
    line: Option<usize>,
    keys: HashMap<String, usize>,
    unread: Vec<String>,
}

impl TablePlace {
    /// Whether any of `keys` was written but could not be read.
    pub(super) fn unread(&self, keys: &[&str]) -> bool {
        self.unread.iter().any(|k| keys.contains(&k.as_str()))
    }

    /// A problem of this table, on the line of the first of its keys the
    /// message names (`base_url`, `token_env`…), else of the table.
    pub(super) fn about(&self, text: String) -> Problem {
        let named = text
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .find_map(|word| self.keys.get(word).copied());
        Problem::at(named.or(self.line), text)
    }
}

/// `[defaults]` as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawDefaults {
    pub(super) base_url: Option<String>,
    pub(super) allow_insecure_http: Option<bool>,
    pub(super) region: Option<String>,
    pub(super) read_only: Option<bool>,
    pub(super) operator: Option<String>,
    pub(super) ask_reason: Option<bool>,
    pub(super) reasons: Option<Vec<String>>,
}

/// `[account]` as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawAccount {
    pub(super) token: Option<String>,
    pub(super) token_env: Option<String>,
    pub(super) token_cmd: Option<TokenCmd>,
}

/// One `[[instances]]` table as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawInstance {
    pub(super) name: String,
    pub(super) label: Option<String>,
    pub(super) base_url: Option<String>,
    pub(super) allow_insecure_http: Option<bool>,
    pub(super) region: Option<String>,
    pub(super) token: Option<String>,
    pub(super) token_env: Option<String>,
    pub(super) token_cmd: Option<TokenCmd>,
    pub(super) read_only: Option<bool>,
}

/// `quit = "q"`, `quit = ["q", "ctrl-q"]`, or a context's table
/// (`[keys.dialog]`).
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub(super) enum KeyEntry {
    One(String),
    Many(Vec<String>),
    Context(BTreeMap<String, KeyList>),
}

/// The keys of one action in a context's table.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub(super) enum KeyList {
    One(String),
    Many(Vec<String>),
}

impl KeyList {
    /// The keys, one or several.
    pub(super) fn to_vec(&self) -> Vec<String> {
        match self {
            KeyList::One(k) => vec![k.clone()],
            KeyList::Many(ks) => ks.clone(),
        }
    }
}

/// The profile as written, and where each part is.
#[derive(Debug, Default)]
pub(super) struct Text {
    /// `[defaults]`.
    pub(super) defaults: Option<RawDefaults>,
    /// Where `[defaults]` is.
    pub(super) defaults_at: TablePlace,
    /// `[account]`.
    pub(super) account: Option<RawAccount>,
    /// Where `[account]` is.
    pub(super) account_at: TablePlace,
    /// `[account]` is there but could not be read: its problem is said,
    /// and instances that rely on it say nothing more.
    pub(super) account_unread: bool,
    /// The `[[instances]]` that could be read, with where each is.
    pub(super) instances: Vec<(RawInstance, TablePlace)>,
    /// How many `[[instances]]` tables there are, read or not.
    pub(super) instance_tables: usize,
    /// `[keys]` and its context tables.
    pub(super) keys: BTreeMap<String, KeyEntry>,
    /// Each key's line: (context, `""` for the list; action; line).
    keys_at: Vec<(String, String, usize)>,
    /// The line of `[keys]`.
    keys_line: Option<usize>,
    /// `[ledger]`.
    pub(super) ledger: Option<RawLedger>,
    /// Where `[ledger]` is.
    pub(super) ledger_at: TablePlace,
    /// `[live]`.
    pub(super) live: Option<RawLive>,
    /// Where `[live]` is.
    pub(super) live_at: TablePlace,
}

impl Text {
    /// A problem of the keys, on the line of the last action it names
    /// (the one that came to conflict), within the context it names.
    pub(super) fn keys_problem(&self, text: String) -> Problem {
        let words: Vec<&str> = text
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .collect();
        let named = self
            .keys_at
            .iter()
            .filter(|(context, action, _)| {
                let in_context = context.is_empty() || text.contains(&format!("[keys.{context}]"));
                in_context && words.contains(&action.as_str())
            })
            .map(|(.., line)| *line)
            .max();
        Problem::at(named.or(self.keys_line), text)
    }
}

/// The line and column (1-based) of byte `at` of `text`.
fn line_column(text: &str, at: usize) -> (usize, usize) {
    let before = &text[..at.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// The line of byte `at` of `text`.
fn line_of(text: &str, at: usize) -> usize {
    line_column(text, at).0
}

/// A TOML error as a problem at its line and column, never quoting the
/// file: the parser's messages quote values, any of which may be a
/// token, so every value written in the file is hidden from it; keys
/// stay, so the user can find the place.
fn problem_of(text: &str, e: &toml::de::Error) -> Problem {
    let mut message = e.message().trim().to_string();
    let values = text
        .lines()
        .filter_map(|line| line.split_once('='))
        .flat_map(|(_, value)| {
            value
                .split(|c: char| c.is_whitespace() || "\"',[]{}".contains(c))
                .filter(|fragment| fragment.chars().count() >= 4)
        });
    for value in values {
        message = message.replace(value, "<hidden>");
    }
    let Some(span) = e.span() else {
        return Problem::at(None, message);
    };
    let (line, column) = line_column(text, span.start);
    let key = text.get(span.clone()).unwrap_or_default().trim();
    let key_is_named = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        && !message.contains(key)
        && text[span.end..].trim_start().starts_with('=');
    if key_is_named {
        message = format!("{message} `{key}`");
    }
    Problem {
        line: Some(line),
        column: Some(column),
        text: message,
    }
}

/// Where the table `value` is (the line of its header, or of its key
/// for a dotted one), with the line of each of its keys.
fn place_of(text: &str, value: &Spanned<DeValue<'_>>) -> TablePlace {
    let keys = match value.get_ref() {
        DeValue::Table(table) => table
            .iter()
            .map(|(k, _)| (k.get_ref().to_string(), line_of(text, k.span().start)))
            .collect(),
        _ => HashMap::new(),
    };
    TablePlace {
        line: Some(line_of(text, value.span().start)),
        keys,
        unread: Vec::new(),
    }
}

/// `value` read as a `T`, every problem said: after each error, the
/// entry it is about (an unknown key, a value of the wrong type) is left
/// out, noted in `unread`, and the rest read again. When what is left
/// out was required, the table is left unread (`None`) without a second
/// word about it.
fn lenient<T: DeserializeOwned>(
    text: &str,
    mut value: Spanned<DeValue<'_>>,
    problems: &mut Vec<Problem>,
    unread: &mut Vec<String>,
) -> Option<T> {
    loop {
        let e = match T::deserialize(ValueDeserializer::from(value.clone())) {
            Ok(read) => return Some(read),
            Err(e) => e,
        };
        let missing = |k: &String| e.message() == format!("missing field `{k}`");
        if unread.iter().any(missing) {
            return None;
        }
        problems.push(problem_of(text, &e));
        let at = e.span().map(|span| span.start);
        let DeValue::Table(table) = value.get_mut() else {
            return None;
        };
        let about = |span: std::ops::Range<usize>| at.is_some_and(|at| span.contains(&at));
        let key = table
            .iter()
            .find(|(key, value)| about(key.span()) || about(value.span()))
            .map(|(key, _)| key.get_ref().to_string());
        match key {
            Some(key) => {
                table.remove(key.as_str());
                unread.push(key);
            }
            None => return None,
        }
    }
}

/// Reads the profile's tables. Syntax errors come alone (`Err`): the
/// rest of a text that is not TOML cannot be trusted. Otherwise the
/// tables that could be read come with the problems of those that could
/// not (unknown keys and tables, values of the wrong type).
pub(super) fn read(text: &str) -> Result<(Text, Vec<Problem>), Vec<Problem>> {
    let (doc, errors) = DeTable::parse_recoverable(text);
    if !errors.is_empty() {
        return Err(errors.iter().map(|e| problem_of(text, e)).collect());
    }
    let mut problems = Vec::new();
    let mut out = Text::default();
    for (key, value) in doc.into_inner() {
        let mut at = place_of(text, &value);
        match key.get_ref().as_ref() {
            "defaults" => {
                out.defaults = lenient(text, value, &mut problems, &mut at.unread);
                out.defaults_at = at;
            }
            "account" => {
                out.account = lenient(text, value, &mut problems, &mut at.unread);
                out.account_unread = out.account.is_none();
                out.account_at = at;
            }
            "ledger" => {
                out.ledger = lenient(text, value, &mut problems, &mut at.unread);
                out.ledger_at = at;
            }
            "live" => {
                out.live = lenient(text, value, &mut problems, &mut at.unread);
                out.live_at = at;
            }
            "instances" => read_instances(text, value, &mut out, &mut problems),
            "keys" => read_keys(text, value, &mut out, &mut problems),
            other => problems.push(Problem::at(
                Some(line_of(text, key.span().start)),
                format!(
                    "unknown table or key `{other}`: a profile has [defaults], [account], [[instances]], [keys], [ledger] and [live]"
                ),
            )),
        }
    }
    Ok((out, problems))
}

/// Reads each `[[instances]]` table on its own, so that one that cannot
/// be read does not hide the others' problems.
fn read_instances(
    text: &str,
    value: Spanned<DeValue<'_>>,
    out: &mut Text,
    problems: &mut Vec<Problem>,
) {
    let line = line_of(text, value.span().start);
    let DeValue::Array(tables) = value.into_inner() else {
        problems.push(Problem::at(
            Some(line),
            "instances must be [[instances]] tables, one per instance",
        ));
        return;
    };
    for table in tables.iter() {
        out.instance_tables += 1;
        let mut at = place_of(text, table);
        if let Some(inst) = lenient::<RawInstance>(text, table.clone(), problems, &mut at.unread) {
            out.instances.push((inst, at));
        }
    }
}

/// Reads `[keys]` one action (or context table) at a time, noting the
/// line of each key.
fn read_keys(text: &str, value: Spanned<DeValue<'_>>, out: &mut Text, problems: &mut Vec<Problem>) {
    let line = line_of(text, value.span().start);
    out.keys_line = Some(line);
    let DeValue::Table(table) = value.into_inner() else {
        problems.push(Problem::at(Some(line), "keys must be a [keys] table"));
        return;
    };
    for (name, entry) in table {
        let name_line = line_of(text, name.span().start);
        let name = name.get_ref().to_string();
        match entry.get_ref() {
            DeValue::Table(context) => out.keys_at.extend(context.iter().map(|(action, _)| {
                let at = line_of(text, action.span().start);
                (name.clone(), action.get_ref().to_string(), at)
            })),
            _ => out.keys_at.push((String::new(), name.clone(), name_line)),
        }
        match KeyEntry::deserialize(ValueDeserializer::from(entry)) {
            Ok(keys) => {
                out.keys.insert(name, keys);
            }
            Err(_) => problems.push(Problem::at(
                Some(name_line),
                format!(
                    "[keys] {name}: write keys as a string (\"x\", \"ctrl-r\") or a list of them, or a context's table ([keys.dialog])"
                ),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problems(text: &str) -> Vec<String> {
        match read(text) {
            Ok((_, problems)) | Err(problems) => problems.iter().map(ToString::to_string).collect(),
        }
    }

    #[test]
    fn every_unknown_key_and_wrong_type_is_named_with_its_line() {
        let found = problems(
            "[defaults]\ncolour = \"red\"\nread_only = \"yes\"\n[[instances]]\nname = \"a\"\ntokn = \"SECRET-1\"\nlable = \"x\"\n[extra]\n",
        );
        assert_eq!(found.len(), 5, "{found:#?}");
        assert!(found.contains(&"line 2, column 1: unknown field `colour`, expected one of `base_url`, `allow_insecure_http`, `region`, `read_only`, `operator`, `ask_reason`, `reasons`".to_string()), "{found:#?}");
        assert!(
            found
                .iter()
                .any(|p| p.starts_with("line 3, column 13: invalid type")),
            "{found:#?}"
        );
        assert!(
            found
                .iter()
                .any(|p| p.starts_with("line 6, column 1: unknown field `tokn`")),
            "{found:#?}"
        );
        assert!(
            found
                .iter()
                .any(|p| p.starts_with("line 7, column 1: unknown field `lable`")),
            "{found:#?}"
        );
        assert!(
            found
                .iter()
                .any(|p| p.starts_with("line 8: unknown table or key `extra`")),
            "{found:#?}"
        );
        assert!(!found.iter().any(|p| p.contains("SECRET")), "{found:#?}");
    }

    #[test]
    fn a_table_read_without_its_unknown_keys_is_still_checked() {
        let (text, found) =
            read("[[instances]]\nname = \"a\"\ntokn = \"t\"\n[[instances]]\nname = 3\n")
                .expect("TOML");
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!(text.instance_tables, 2);
        assert_eq!(
            text.instances.len(),
            1,
            "one without the name it needs is left out"
        );
        let (inst, at) = &text.instances[0];
        assert_eq!(inst.name, "a");
        assert_eq!(at.about("instance \"a\": no token".into()).line, Some(1));
        assert_eq!(at.about("name is odd".into()).line, Some(2));
    }

    #[test]
    fn syntax_errors_come_all_at_once() {
        let found = problems("[[instances]]\nname = \"a\"\ntoken = SECRET-x\nregion = BR-y\n");
        assert_eq!(found.len(), 2, "{found:#?}");
        assert!(found[0].starts_with("line 3, column 9"), "{found:#?}");
        assert!(found[1].starts_with("line 4, column 10"), "{found:#?}");
    }

    #[test]
    fn a_keys_problem_is_on_the_line_of_the_action_it_names() {
        let (text, _) =
            read("[keys]\nquit = \"q\"\nrefresh = \"b\"\n[keys.overlay]\nfly = \"z\"\n")
                .expect("TOML");
        let p = text.keys_problem("b is bound to both toggle_block and refresh".into());
        assert_eq!(p.line, Some(3));
        let p = text.keys_problem("[keys.overlay] fly: no such action".into());
        assert_eq!(p.line, Some(5));
    }
}
