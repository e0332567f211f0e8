//! `block`, `unblock` and `resume`: requests the engine runs with the
//! same code as the bulk dialog and the resume offer (reading, plan,
//! refusals, batch, settling), reported here in the order of the batch.

use std::io::{IsTerminal, Write};

use serde_json::{Value, json};

use crate::app::Effect;
use crate::app::batch::{Batch, Item, ItemDone};
use crate::cli::args::ChangeArgs;
use crate::cli::failure::{Failure, exit, fail};
use crate::cli::output::{self, Table};
use crate::engine::{Engine, Flow};
use crate::model::change::Change;
use crate::model::number::list::{Entry, Source, read_entries};
use crate::model::number::{phone_digits, shown_jid};
use crate::protocol::{ChangeRequest, ErrorInfo, ErrorKind, Msg, Request};

/// `block` or `unblock`: the numbers on the chosen instances, as the
/// bulk dialog would send them.
pub(crate) async fn change(
    mut engine: Engine,
    args: ChangeArgs,
    change: Change,
) -> Result<(), Failure> {
    let entries = entries(&args)?;
    let instances = super::choose::instances(&engine, args.instance.as_deref(), args.all)?;
    let request = Request::Change(ChangeRequest {
        entries,
        instances,
        block: change.is_block(),
        all: args.all,
        reason: args
            .reason
            .as_deref()
            .and_then(crate::model::change::reason_of),
        skip_invalid: args.skip_invalid,
        lookup: !args.no_lookup,
    });
    let batch = run_batch(&mut engine, request).await?;
    report(&engine, &batch, args.json)
}

/// `resume`: sends what is left of every unfinished batch, one after the
/// other.
pub(crate) async fn resume(mut engine: Engine, json_out: bool) -> Result<(), Failure> {
    let open = std::mem::take(&mut engine.unfinished);
    if open.is_empty() {
        if json_out {
            output::json(&json!([]))?;
        } else {
            output::line("no unfinished batch")?;
        }
        return Ok(());
    }
    let mut worst = Ok(());
    for b in open {
        let result = match run_batch(&mut engine, Request::Resume(b)).await {
            Ok(batch) => report(&engine, &batch, json_out),
            Err(e) => Err(e),
        };
        if let Err(e) = result {
            worst = Err(e);
        }
    }
    worst
}

/// Runs one request to the end of its batch, and until the ledger has
/// every answer and every count has settled. What the app tells goes to
/// stderr as it comes, with the progress on a terminal.
async fn run_batch(engine: &mut Engine, request: Request) -> Result<Batch, Failure> {
    let progress = std::io::stderr().is_terminal();
    let mut ended: Option<Batch> = None;
    let mut refused: Option<Failure> = None;
    engine
        .run(Msg::Request(request), |state, effects| {
            for effect in effects {
                match effect {
                    Effect::Tell(text) => eprintln!("ryze-contacts: {text}"),
                    Effect::Refused { text, usage } => {
                        let code = if usage { exit::USAGE } else { exit::API };
                        refused = Some(fail(code, text));
                    }
                    Effect::BatchEnded(b) => ended = Some(*b),
                    _ => {}
                }
            }
            if progress && let Some(b) = &state.batch {
                eprint!(
                    "\r{}/{} answered, {} failed ",
                    b.done + b.failed,
                    b.total,
                    b.failed
                );
                let _ = std::io::stderr().flush();
            }
            let done = refused.is_some() || (ended.is_some() && state.is_quiet());
            if done { Flow::Stop } else { Flow::Continue }
        })
        .await;
    if progress {
        eprintln!();
    }
    if let Some(refusal) = refused {
        return Err(refusal);
    }
    ended.ok_or_else(|| fail(exit::INTERNAL, "the batch ended without a summary"))
}

/// Prints a finished batch (one row per item in the batch's order, the
/// settled count of each instance that answered) and gives its exit.
fn report(engine: &Engine, batch: &Batch, json_out: bool) -> Result<(), Failure> {
    let state = engine.state();
    let name = |i: usize| state.instances[i].name.as_str();
    let mut answers: Vec<&(Item, Result<ItemDone, ErrorInfo>)> = batch.answers.iter().collect();
    // Actions are recorded in the batch's order.
    answers.sort_by_key(|(item, _)| item.action);
    let mut answered: Vec<usize> = answers.iter().map(|(item, _)| item.instance).collect();
    answered.sort_unstable();
    answered.dedup();
    let counts: Vec<(&str, Option<u64>)> = answered
        .iter()
        .map(|&i| (name(i), state.instances[i].blocked_count))
        .collect();
    let mut rows: Vec<Value> = answers
        .iter()
        .map(|(item, result)| item_report(name(item.instance), item, result))
        .collect();
    rows.extend(
        batch
            .not_on_whatsapp
            .iter()
            .map(|(item, why)| absent_report(name(item.instance), item, why)),
    );
    if json_out {
        let blocked_count: serde_json::Map<String, Value> = counts
            .iter()
            .map(|(name, n)| (name.to_string(), json!(n)))
            .collect();
        output::json(&json!({
            "batch": batch.id.unwrap_or_default(),
            "label": batch.label,
            "done": batch.done - batch.unrecorded,
            "failed": batch.failed,
            "unrecorded": batch.unrecorded,
            "held_back": batch.held_back,
            "unsent": batch.unsent,
            "left_to": batch.held_by.as_ref().map(|(operator, _)| operator),
            "blocked_count": blocked_count,
            "results": rows,
        }))?;
    } else {
        for (name, n) in &counts {
            let n = n.map_or("?".to_string(), |n| n.to_string());
            eprintln!("{name}: blocked {n} on the server now");
        }
        let mut table = Table::stdout();
        for r in &rows {
            let field = |k: &str| r[k].as_str().unwrap_or_default().to_string();
            table.row(&[field("instance"), field("number"), field("outcome")])?;
        }
        table.finish()?;
    }
    let contrary = answers
        .iter()
        .filter(|(_, r)| matches!(r, Err(e) if e.kind == ErrorKind::Contrary))
        .count();
    batch_exit(batch, contrary, state.team_ledger)?;
    absent_exit(batch)
}

/// The exit of a batch that left out numbers not on WhatsApp.
fn absent_exit(batch: &Batch) -> Result<(), Failure> {
    if batch.not_on_whatsapp.is_empty() {
        return Ok(());
    }
    let n = batch.not_on_whatsapp.len();
    let code = if batch.done > 0 {
        exit::PARTIAL
    } else {
        exit::API
    };
    Err(fail(
        code,
        format!("{n} number(s) not on WhatsApp: left out, nothing sent to them"),
    ))
}

/// The row of a number left out because it is not on WhatsApp.
fn absent_report(instance: &str, item: &Item, why: &str) -> Value {
    let jid = item.jid.as_str();
    json!({
        "instance": instance,
        "number": shown_jid(jid),
        "e164": phone_digits(jid).map(|d| format!("+{d}")),
        "jid": jid,
        "ok": false,
        "asked": Change::of(item.block).verb(),
        "status": null,
        "error": why,
        "hint": "not on WhatsApp: nothing to block",
        "outcome": format!("NOT SENT: not on WhatsApp ({why})"),
    })
}

/// The exit of a batch: 0 when all worked; 3 when every request failed
/// (refused, unreachable, or answered contrary to the request) or none
/// was sent; 4 when some worked and some failed; 1 when answers could
/// not be recorded.
fn batch_exit(batch: &Batch, contrary: usize, team: bool) -> Result<(), Failure> {
    if let Some(why) = &batch.claim_error {
        return Err(fail(
            exit::INTERNAL,
            format!("{}: not resumed: {why}", batch.label),
        ));
    }
    if let Some((operator, _)) = &batch.held_by {
        // Not ours to send: whoever holds it sends it, once.
        eprintln!(
            "ryze-contacts: {}: {operator} is resuming it; nothing was sent twice",
            batch.label
        );
        return Ok(());
    }
    if batch.unsent > 0 {
        return Err(fail(
            if batch.done > 0 {
                exit::PARTIAL
            } else {
                exit::API
            },
            format!(
                "{} of {} not sent: the server does not answer; once it does, `ryze-contacts resume` sends them",
                batch.unsent, batch.total
            ),
        ));
    }
    if batch.unrecorded > 0 {
        let held = if batch.held_back > 0 {
            format!(" and {} more not sent", batch.held_back)
        } else {
            String::new()
        };
        return Err(fail(
            exit::INTERNAL,
            format!(
                "{} answered by the server but not recorded{held}: the ledger cannot be written; {}, then run `ryze-contacts resume`: it sends them again (harmless) and records them",
                batch.unrecorded,
                crate::app::bulk::ledger_hint(team)
            ),
        ));
    }
    let contrary = if contrary > 0 {
        format!(" ({contrary} answered contrary to the request)")
    } else {
        String::new()
    };
    match (batch.done, batch.failed) {
        (_, 0) => Ok(()),
        (0, failed) => Err(fail(
            exit::API,
            format!("all {failed} request(s) failed{contrary}"),
        )),
        (done, failed) => Err(fail(
            exit::PARTIAL,
            format!("{failed} of {} request(s) failed{contrary}", done + failed),
        )),
    }
}

/// One item's row of the report.
fn item_report(instance: &str, item: &Item, result: &Result<ItemDone, ErrorInfo>) -> Value {
    let jid = item.jid.as_str();
    let number = shown_jid(jid);
    let e164 = phone_digits(jid).map(|d| format!("+{d}"));
    match result {
        Ok(done) => {
            let state = Change::of(done.outcome.blocked).done_word();
            let state = match &done.ledger_error {
                Some(why) => format!("{state} on the server, not recorded ({why})"),
                None => state.to_string(),
            };
            json!({
                "instance": instance,
                "number": number,
                "e164": e164,
                "jid": jid,
                "ok": true,
                "blocked": done.outcome.blocked,
                "contact_jid": done.outcome.contact_jid,
                "blocked_count": done.outcome.blocked_count,
                "recorded": done.ledger_error.is_none(),
                "outcome": state,
            })
        }
        Err(e) => json!({
            "instance": instance,
            "number": number,
            "e164": e164,
            "jid": jid,
            "ok": false,
            "asked": Change::of(item.block).verb(),
            "status": e.status,
            "error": e.message,
            "hint": e.hint,
            "outcome": format!("FAILED: {}", e.summary()),
        }),
    }
}

/// The typed entries: the arguments, then the lines of `--from`.
fn entries(args: &ChangeArgs) -> Result<Vec<Entry>, Failure> {
    let mut entries: Vec<Entry> = args
        .numbers
        .iter()
        .enumerate()
        .map(|(i, text)| Entry {
            source: Source::Argument(i + 1),
            text: text.clone(),
        })
        .collect();
    if let Some(path) = &args.from {
        let stdin = path.as_os_str() == "-";
        let read = if stdin {
            read_entries(std::io::stdin().lock())
        } else {
            let file = std::fs::File::open(path)
                .map_err(|e| fail(exit::USAGE, format!("cannot read {}: {e}", path.display())))?;
            read_entries(std::io::BufReader::new(file))
        };
        let name = if stdin {
            "standard input".to_string()
        } else {
            path.display().to_string()
        };
        entries.extend(read.map_err(|why| fail(exit::USAGE, format!("{name}: {why}")))?);
    }
    if entries.is_empty() {
        return Err(fail(
            exit::USAGE,
            "no number given: pass numbers or --from FILE",
        ));
    }
    Ok(entries)
}
