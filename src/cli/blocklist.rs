//! `blocklist add|remove|list|import|retract`: the team's list of numbers
//! every instance must block, kept in the ledger. Numbers are read as
//! everywhere else (a national form in the instances' country, said).

use std::io::BufRead;

use serde_json::json;

use crate::cli::args::{BlocklistAction, ListAddArgs, ListImportArgs};
use crate::cli::failure::{Failure, exit, fail};
use crate::cli::output::{Column, Table, say};
use crate::engine::{Engine, Flow};
use crate::model::blocklist::{Entry, jid_of, shown_target};
use crate::model::blocklist_file::Reader;
use crate::model::number::list::needs_no_region;
use crate::model::number::{Region, Target, read_typed, shown_jid};
use crate::protocol::{Job, JobResult, LedgerRead, LedgerWrite, ListChange, Msg, Request};
use crate::util::dates::{now_unix, parse_rfc3339, parse_span, rfc3339};

/// The list's columns on a terminal.
const COLUMNS: [Column; 6] = [
    Column::keep("NUMBER"),
    Column::spare("REASON"),
    Column::cut("SOURCE"),
    Column::spare("OPERATOR"),
    Column::keep("ADDED"),
    Column::keep("EXPIRES"),
];

/// Entries added to the ledger at once by an import.
const CHUNK: usize = 10_000;

/// Runs `blocklist …`.
pub(crate) async fn blocklist(engine: &mut Engine, action: BlocklistAction) -> Result<(), Failure> {
    match action {
        BlocklistAction::Add(args) => add(engine, args).await,
        BlocklistAction::Remove { numbers } => remove(engine, numbers).await,
        BlocklistAction::List(out) => list(engine, out.json).await,
        BlocklistAction::Import(args) => import(engine, args).await,
        BlocklistAction::Retract { source } => {
            let n = change(engine, ListChange::Retract(source.clone())).await?;
            if n == 0 {
                say(&format!(
                    "no entry of source {source} lists a number: nothing ended (`ryze-contacts blocklist list` shows each entry's source)"
                ));
            } else {
                say(&format!(
                    "{} of source {source} ended; what others added stays · `ryze-contacts plan` shows what the list itself blocked and now unblocks",
                    entries(n)
                ));
            }
            Ok(())
        }
    }
}

/// `1 entry`, `3 entries`.
fn entries(n: usize) -> String {
    if n == 1 {
        "1 entry".to_string()
    } else {
        format!("{n} entries")
    }
}

/// `blocklist add`.
async fn add(engine: &mut Engine, args: ListAddArgs) -> Result<(), Failure> {
    let now = now_unix();
    let expires = match (&args.span, &args.until) {
        (Some(span), _) => Some(now + parse_span(span).map_err(|e| fail(exit::USAGE, e))?),
        (None, Some(until)) => Some(parse_rfc3339(until).map_err(|e| fail(exit::USAGE, e))?),
        (None, None) => None,
    };
    if expires.is_some_and(|at| at <= now) {
        return Err(fail(exit::USAGE, "that time is past: nothing added"));
    }
    let region = region_for(engine, &args.numbers).await?;
    let mut entries = Vec::new();
    let mut bad = Vec::new();
    for (i, text) in args.numbers.iter().enumerate() {
        match read_typed(text, region) {
            Ok(target) => entries.push(entry(&target, &args, now, expires)),
            Err(e) => bad.push(format!("  argument {}: {text}: {}", i + 1, e.brief())),
        }
    }
    if !bad.is_empty() {
        return Err(fail(
            exit::USAGE,
            format!(
                "nothing added: {} number(s) could not be read:\n{}",
                bad.len(),
                bad.join("\n")
            ),
        ));
    }
    let n = change(engine, ListChange::Add(entries)).await?;
    let updated = args.numbers.len() - n;
    say(&format!(
        "{n} added, {updated} updated · `ryze-contacts plan` shows what applying them does"
    ));
    Ok(())
}

/// The entry of `target`, as `blocklist add` gives it.
fn entry(target: &Target, args: &ListAddArgs, now: i64, expires: Option<i64>) -> Entry {
    Entry {
        target: target_text(target),
        reason: args
            .reason
            .as_deref()
            .and_then(crate::model::change::reason_of),
        source: args.source.clone(),
        operator: None,
        added: now,
        expires,
        removed: None,
    }
}

/// How the list keeps a target: E.164 digits, or the JID.
fn target_text(target: &Target) -> String {
    match target.e164() {
        Some(e164) => e164.trim_start_matches('+').to_string(),
        None => target.jid(),
    }
}

/// `blocklist remove`.
async fn remove(engine: &mut Engine, numbers: Vec<String>) -> Result<(), Failure> {
    let region = region_for(engine, &numbers).await?;
    let mut targets = Vec::new();
    for (i, text) in numbers.iter().enumerate() {
        let target = read_typed(text, region).map_err(|e| {
            fail(
                exit::USAGE,
                format!(
                    "argument {}: {text}: {} · nothing removed",
                    i + 1,
                    e.brief()
                ),
            )
        })?;
        targets.push(target_text(&target));
    }
    let n = change(engine, ListChange::Remove(targets)).await?;
    say(&format!(
        "{} ended · `ryze-contacts plan` shows what the list itself blocked and now unblocks",
        entries(n)
    ));
    Ok(())
}

/// Gives a change to the ledger; how many entries it touched.
async fn change(engine: &mut Engine, change: ListChange) -> Result<usize, Failure> {
    let job = Job::Write(LedgerWrite::Blocklist(change));
    match engine
        .ask(job, |r| matches!(r, JobResult::ListChanged(_)))
        .await
    {
        JobResult::ListChanged(result) => result.map_err(|e| fail(exit::INTERNAL, e.summary())),
        _ => Err(fail(exit::INTERNAL, "unexpected answer from the worker")),
    }
}

/// The country national forms are read in, when any of `numbers` needs
/// one: every instance's must agree (issue 15's rule); said on stderr.
async fn region_for(engine: &mut Engine, numbers: &[String]) -> Result<Option<Region>, Failure> {
    instances_region(engine, numbers.iter().any(|n| !needs_no_region(n))).await
}

/// The instances' country, when `needed`: it must be one for all.
async fn instances_region(engine: &mut Engine, needed: bool) -> Result<Option<Region>, Failure> {
    if !needed {
        return Ok(None);
    }
    engine
        .run(Msg::Request(Request::LoadInstances), |s, _| {
            if s.instances_loading() {
                Flow::Continue
            } else {
                Flow::Stop
            }
        })
        .await;
    let state = engine.state();
    let regions: Vec<Region> = state.instances.iter().filter_map(|i| i.region()).collect();
    match regions.first() {
        Some(first) if regions.iter().all(|r| r == first) => {
            say(&format!(
                "numbers without +country read as {} numbers (the instances' country)",
                first.name()
            ));
            Ok(Some(*first))
        }
        Some(_) => Err(fail(
            exit::USAGE,
            "the instances are in different countries: type the numbers with their +country code",
        )),
        None => Err(fail(
            exit::USAGE,
            "no instance's country is known: type the numbers with their +country code",
        )),
    }
}

/// `blocklist list`: one line per entry that lists its number now (one
/// JSON object a line with `--json`).
async fn list(engine: &mut Engine, json_out: bool) -> Result<(), Failure> {
    let answer = engine
        .ask(Job::Read(LedgerRead::Blocklist), |r| {
            matches!(r, JobResult::Blocklist(_))
        })
        .await;
    let JobResult::Blocklist(read) = answer else {
        return Err(fail(exit::INTERNAL, "unexpected answer from the worker"));
    };
    let (entries, _) = read.map_err(|e| fail(exit::INTERNAL, e.summary()))?;
    let now = now_unix();
    let mut table = (!json_out).then(|| Table::with_columns(&COLUMNS));
    // On a terminal a number reads as its country writes it; else E.164.
    let on_terminal = table.as_ref().is_some_and(Table::is_terminal);
    for e in entries.iter().filter(|e| e.is_active(now)) {
        let number = if on_terminal {
            shown_jid(&jid_of(&e.target))
        } else {
            shown_target(&e.target)
        };
        // On a terminal, times to the minute (UTC), as `history` shows them.
        let time = if on_terminal {
            crate::util::dates::short
        } else {
            rfc3339
        };
        let added = time(e.added);
        let expires = e.expires.map(time);
        match table.as_mut() {
            Some(t) => t.row(&[
                number.as_str(),
                e.reason.as_deref().unwrap_or("-"),
                &e.source,
                e.operator.as_deref().unwrap_or("-"),
                &added,
                expires.as_deref().unwrap_or("never"),
            ])?,
            None => crate::cli::output::json_line(&json!({
                "number": number,
                "reason": e.reason,
                "source": e.source,
                "operator": e.operator,
                "added": added,
                "expires": expires,
            }))?,
        }
    }
    if let Some(t) = table {
        t.finish()?;
    }
    Ok(())
}

/// `blocklist import`: the file read a line at a time and added in
/// chunks; a bad line refuses the whole file (each named with its line
/// number) unless `--skip-invalid`. Standard input is kept in a private
/// temporary file first, as it can be read only once.
async fn import(engine: &mut Engine, mut args: ListImportArgs) -> Result<(), Failure> {
    let _kept = if args.file.as_os_str() == "-" {
        let mut kept = tempfile::NamedTempFile::new()
            .map_err(|e| fail(exit::INTERNAL, format!("cannot keep standard input: {e}")))?;
        std::io::copy(&mut std::io::stdin().lock(), &mut kept)
            .map_err(|e| fail(exit::USAGE, format!("cannot read standard input: {e}")))?;
        args.file = kept.path().to_path_buf();
        if args.source.is_none() {
            args.source = Some("stdin".into());
        }
        Some(kept)
    } else {
        None
    };
    let source = args.source.clone().unwrap_or_else(|| {
        args.file
            .file_stem()
            .map_or("import".into(), |s| s.to_string_lossy().into_owned())
    });
    // A first pass reads and checks every line (nothing is added when one
    // is bad); the second adds, a chunk at a time.
    let region = import_region(engine, &args).await?;
    let bad = check_file(&args, region)?;
    if !bad.is_empty() && !args.skip_invalid {
        return Err(fail(
            exit::USAGE,
            format!(
                "nothing imported: {} line(s) are not numbers:\n{}\n(--skip-invalid imports the others)",
                bad.len(),
                bad.join("\n")
            ),
        ));
    }
    for line in &bad {
        say(&format!("skipped {}", line.trim()));
    }
    let (added, read) = add_file(engine, &args, &source, region).await?;
    say(&format!(
        "{read} number(s) read, {added} added, {} updated (source {source})",
        read - added
    ));
    Ok(())
}

/// The lines of the file.
fn open_file(args: &ListImportArgs) -> Result<Reader<Box<dyn BufRead>>, Failure> {
    let file = std::fs::File::open(&args.file).map_err(|e| {
        fail(
            exit::USAGE,
            format!("cannot read {}: {e}", args.file.display()),
        )
    })?;
    Ok(Reader::new(Box::new(std::io::BufReader::new(file))))
}

/// The country the file's national forms are read in, when it has any.
async fn import_region(
    engine: &mut Engine,
    args: &ListImportArgs,
) -> Result<Option<Region>, Failure> {
    let needs = open_file(args)?
        .filter_map(Result::ok)
        .any(|row| !needs_no_region(&row.text));
    instances_region(engine, needs).await
}

/// Every bad line of the file, named with its number.
fn check_file(args: &ListImportArgs, region: Option<Region>) -> Result<Vec<String>, Failure> {
    let mut bad = Vec::new();
    for row in open_file(args)? {
        match row {
            Ok(row) => {
                if let Err(e) = read_typed(&row.text, region) {
                    bad.push(format!("  line {}: {}: {}", row.line, row.text, e.brief()));
                }
            }
            Err(b) => bad.push(format!("  line {}: {}", b.line, b.why)),
        }
    }
    Ok(bad)
}

/// Adds the good lines of the file, a chunk at a time; (added, read).
async fn add_file(
    engine: &mut Engine,
    args: &ListImportArgs,
    source: &str,
    region: Option<Region>,
) -> Result<(usize, usize), Failure> {
    let now = now_unix();
    let (mut added, mut read) = (0, 0);
    let mut chunk = Vec::with_capacity(CHUNK);
    for row in open_file(args)?.filter_map(Result::ok) {
        let Ok(target) = read_typed(&row.text, region) else {
            continue;
        };
        read += 1;
        chunk.push(Entry {
            target: target_text(&target),
            reason: row
                .reason
                .or_else(|| args.reason.clone())
                .as_deref()
                .and_then(crate::model::change::reason_of),
            source: source.to_string(),
            operator: None,
            added: now,
            expires: None,
            removed: None,
        });
        if chunk.len() == CHUNK {
            added += change(engine, ListChange::Add(std::mem::take(&mut chunk))).await?;
        }
    }
    if !chunk.is_empty() {
        added += change(engine, ListChange::Add(chunk)).await?;
    }
    Ok((added, read))
}
