//! `block`, `unblock` and `resume`: requests the engine runs with the
//! same code as the bulk dialog and the resume offer (reading, plan,
//! refusals, batch, settling), reported here in the order of the batch.

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
    engine: &mut Engine,
    args: ChangeArgs,
    change: Change,
) -> Result<(), Failure> {
    let entries = entries(&args)?;
    let instances = super::choose::instances(engine, args.instance.as_deref(), args.all)?;
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
    run_request(engine, request, args.json).await
}

/// Runs `request` to the end of its batch and reports it; an answer
/// another desk's overtook or contests fails it.
pub(crate) async fn run_request(
    engine: &mut Engine,
    request: Request,
    json_out: bool,
) -> Result<(), Failure> {
    let batch = run_batch(engine, request).await?;
    report(engine, &batch, json_out)?;
    match super::overtaken::check(engine, &batch).await {
        Some(overtaken) => Err(overtaken),
        None => Ok(()),
    }
}

/// `resume`: sends what is left of every unfinished batch, one after the
/// other.
pub(crate) async fn resume(engine: &mut Engine, json_out: bool) -> Result<(), Failure> {
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
        if let Err(e) = run_request(engine, Request::Resume(b), json_out).await {
            worst = Err(e);
        }
    }
    worst
}

/// What a batch's run has seen so far: its end, a refusal, a signal.
struct Watch {
    /// Progress goes to stderr (a terminal).
    progress: bool,
    /// The batch, once it ended.
    ended: Option<Batch>,
    /// Why nothing (more) is done.
    refused: Option<Failure>,
}

impl Watch {
    /// Takes the front end's effects and the state after one message;
    /// says whether the run is over: the batch ended and every answer is
    /// recorded, or it was refused, or nothing is left going on, no plan
    /// still being made either (a failure said in the status bar, such as
    /// a ledger that refused the batch: never a wait for ever).
    fn on(&mut self, state: &crate::app::State, effects: Vec<Effect>) -> Flow {
        for effect in effects {
            match effect {
                Effect::Tell(text) => output::say(&text),
                Effect::Refused { text, usage } => {
                    let code = if usage { exit::USAGE } else { exit::API };
                    self.refused = Some(fail(code, text));
                }
                Effect::BatchEnded(b) => self.ended = Some(*b),
                Effect::Quit if state.batch.is_none() && self.ended.is_none() => {
                    let text = "interrupted: nothing was sent".to_string();
                    self.refused = Some(fail(exit::INTERRUPTED, text));
                }
                _ => {}
            }
        }
        if self.progress
            && let Some(b) = &state.batch
        {
            let (answered, total, failed) = (b.done + b.failed, b.total, b.failed);
            output::progress(&format!("{answered}/{total} answered, {failed} failed "));
        }
        let idle = state.batch.is_none()
            && state.waiting.is_none()
            && state.resuming.is_none()
            && state.blocklist.wanted.is_none()
            && !state.instances_loading()
            && state.is_quiet();
        if self.ended.is_none() && self.refused.is_none() && idle {
            let why = state.status.as_ref().map(|s| s.text.clone());
            let why = why.unwrap_or_else(|| "nothing was sent".to_string());
            self.refused = Some(fail(exit::INTERNAL, why));
        }
        let done = self.refused.is_some() || (self.ended.is_some() && state.is_quiet());
        if done { Flow::Stop } else { Flow::Continue }
    }
}

/// Runs one request to the end of its batch, and until the ledger has
/// every answer and every count has settled. What the app tells goes to
/// stderr as it comes, with the progress on a terminal. The first SIGINT
/// or SIGTERM stops sending (what is in flight finishes and the batch is
/// reported); a second one ends the process at once.
async fn run_batch(engine: &mut Engine, request: Request) -> Result<Batch, Failure> {
    let mut watch = Watch {
        progress: output::stderr_is_terminal(),
        ended: None,
        refused: None,
    };
    let signals = tokio::spawn(stop_on_signals(engine.sender()));
    engine
        .run(Msg::Request(request), |state, effects| {
            watch.on(state, effects)
        })
        .await;
    signals.abort();
    if watch.progress {
        output::note("");
    }
    if let Some(refusal) = watch.refused {
        return Err(refusal);
    }
    watch
        .ended
        .ok_or_else(|| fail(exit::INTERNAL, "the batch ended without a summary"))
}

/// Turns the first SIGINT or SIGTERM into [`Msg::Terminate`] (the batch
/// stops sending and is reported); a second one exits at once (130).
async fn stop_on_signals(tx: tokio::sync::mpsc::UnboundedSender<Msg>) {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let (Ok(mut int), Ok(mut term)) = (
            signal(SignalKind::interrupt()),
            signal(SignalKind::terminate()),
        ) else {
            return;
        };
        let mut seen = 0;
        loop {
            tokio::select! {
                _ = int.recv() => {}
                _ = term.recv() => {}
            }
            seen += 1;
            if seen > 1 {
                output::say(
                    "interrupted again: stopped at once; `ryze-contacts resume` sends what is left",
                );
                std::process::exit(i32::from(exit::INTERRUPTED));
            }
            output::say(
                "interrupted: nothing more is sent; waiting for the answers in flight (again to stop at once)",
            );
            let _ = tx.send(Msg::Terminate);
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tx;
    }
}

/// An answer of the batch: the item and what became of it.
type Answer = (Item, Result<ItemDone, ErrorInfo>);

/// Prints a finished batch (one row per item in the batch's order, the
/// settled count of each instance that answered) and gives its exit.
fn report(engine: &Engine, batch: &Batch, json_out: bool) -> Result<(), Failure> {
    let state = engine.state();
    let name = |i: usize| state.instances[i].name.as_str();
    let mut answers: Vec<&Answer> = batch.answers.iter().collect();
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
    rows.extend(batch.not_on_whatsapp.iter().map(|(item, why)| {
        let outcome = format!("NOT SENT: not on WhatsApp ({why})");
        let hint = "not on WhatsApp: nothing to block";
        left_out_report(name(item.instance), item, why, hint, outcome)
    }));
    rows.extend(batch.unmatched.iter().map(|(item, why)| {
        let outcome = format!("NOT SENT: hidden number not matched ({why})");
        let hint = "a hidden number goes to another instance by the number its lookup gives";
        left_out_report(name(item.instance), item, why, hint, outcome)
    }));
    if json_out {
        json_report(batch, &counts, rows)?;
    } else {
        text_report(&counts, &rows)?;
    }
    report_exit(batch, &answers, state.team_ledger)
}

/// The batch as one JSON object: its totals, the settled counts and a
/// row per item.
fn json_report(
    batch: &Batch,
    counts: &[(&str, Option<u64>)],
    rows: Vec<Value>,
) -> Result<(), Failure> {
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
    Ok(())
}

/// The settled counts on standard error, a row per item on standard
/// output.
fn text_report(counts: &[(&str, Option<u64>)], rows: &[Value]) -> Result<(), Failure> {
    for (name, n) in counts {
        let n = n.map_or("?".to_string(), |n| n.to_string());
        output::note(&format!("{name}: blocked {n} on the server now"));
    }
    let mut table = Table::stdout();
    for r in rows {
        let field = |k: &str| r[k].as_str().unwrap_or_default().to_string();
        table.row(&[field("instance"), field("number"), field("outcome")])?;
    }
    table.finish()?;
    Ok(())
}

/// The exit of a reported batch: [`batch_exit`]'s, then a partial or
/// failed one when numbers not on WhatsApp were left out.
fn report_exit(batch: &Batch, answers: &[&Answer], team_ledger: bool) -> Result<(), Failure> {
    let contrary = answers
        .iter()
        .filter(|(_, r)| matches!(r, Err(e) if e.kind == ErrorKind::Contrary))
        .count();
    batch_exit(batch, contrary, team_ledger)?;
    let code = if batch.done > 0 {
        exit::PARTIAL
    } else {
        exit::API
    };
    if !batch.not_on_whatsapp.is_empty() {
        let n = batch.not_on_whatsapp.len();
        return Err(fail(
            code,
            format!("{n} number(s) not on WhatsApp: left out, nothing sent to them"),
        ));
    }
    if !batch.unmatched.is_empty() {
        let n = batch.unmatched.len();
        return Err(fail(
            code,
            format!("{n} hidden number(s) not matched by a lookup: left out there"),
        ));
    }
    Ok(())
}

/// The row of a change left out before anything was sent: a number not
/// on WhatsApp, a hidden number no lookup matched.
fn left_out_report(instance: &str, item: &Item, why: &str, hint: &str, outcome: String) -> Value {
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
        "hint": hint,
        "outcome": outcome,
    })
}

/// The exit of a batch: 0 when all worked; 3 when every request failed
/// (refused, unreachable, or answered contrary to the request) or none
/// was sent; 4 when some worked and some failed; 1 when answers could
/// not be recorded.
fn batch_exit(batch: &Batch, contrary: usize, team: bool) -> Result<(), Failure> {
    if let Some(failure) = not_resumed(batch) {
        return Err(failure);
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

/// A batch that did not run to its end: a signal stopped it (130, the
/// rest left for `resume`); or, resumed, its claim could not be asked or
/// another run holds it (1: nothing was done here, which a script must
/// be able to tell from success).
fn not_resumed(batch: &Batch) -> Option<Failure> {
    if batch.interrupted {
        return Some(fail(
            exit::INTERRUPTED,
            format!(
                "interrupted: {} answered, {} of {} not sent: `ryze-contacts resume` sends them",
                batch.done + batch.failed,
                batch.unsent,
                batch.total
            ),
        ));
    }
    if let Some(why) = &batch.claim_error {
        return Some(fail(
            exit::INTERNAL,
            format!("{}: not resumed: {why}", batch.label),
        ));
    }
    // Not ours to send: whoever holds it sends it, once.
    let (operator, since) = batch.held_by.as_ref()?;
    Some(fail(
        exit::INTERNAL,
        format!(
            "{}: not resumed: {operator} is resuming it (its last progress {}); nothing was sent twice · run `ryze-contacts resume` again once it has stopped",
            batch.label,
            crate::util::dates::rfc3339(*since)
        ),
    ))
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

/// Digits a number has at least: an argument with fewer is a piece of
/// one (`+55`, `41`), never a number of its own.
const FEWEST_DIGITS: usize = 5;

/// Numbers the shell split over several arguments (`block +55 41
/// 98979-0060`, unquoted), as they were meant: each run of two or more
/// arguments made only of digits and number punctuation, one of them too
/// short to be a number, joined by spaces (a `+` starts another run).
fn split_numbers(numbers: &[String]) -> Vec<String> {
    let is_piece = |a: &str| {
        a.chars().any(|c| c.is_ascii_digit())
            && a.chars().all(|c| c.is_ascii_digit() || "+-().".contains(c))
    };
    let is_short = |a: &str| a.chars().filter(char::is_ascii_digit).count() < FEWEST_DIGITS;
    let mut found = Vec::new();
    let mut run: Vec<&str> = Vec::new();
    let mut flush = |run: &mut Vec<&str>| {
        if run.len() > 1 && run.iter().any(|a| is_short(a)) {
            found.push(run.join(" "));
        }
        run.clear();
    };
    for arg in numbers.iter().map(String::as_str) {
        // A `+` begins another number; anything else ends the run.
        if !is_piece(arg) || arg.starts_with('+') {
            flush(&mut run);
        }
        if is_piece(arg) {
            run.push(arg);
        }
    }
    flush(&mut run);
    found
}

/// The typed entries: the arguments, then the lines of `--from`. A number
/// the shell split is refused, saying how to quote it.
fn entries(args: &ChangeArgs) -> Result<Vec<Entry>, Failure> {
    if let Some(number) = split_numbers(&args.numbers).first() {
        return Err(fail(
            exit::USAGE,
            format!(
                "{number} came as {} arguments: quote a number with spaces: '{number}' (nothing was sent)",
                number.split(' ').count()
            ),
        ));
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn args(text: &str) -> Vec<String> {
        text.split(' ').map(str::to_string).collect()
    }

    #[test]
    fn a_number_split_by_the_shell_is_found_whole() {
        assert_eq!(
            split_numbers(&args("+55 41 98979-0060")),
            ["+55 41 98979-0060"]
        );
        assert_eq!(
            split_numbers(&args("+447912345678 +1 650 253-0000")),
            ["+1 650 253-0000"]
        );
        assert!(split_numbers(&args("+5541989790060 +447912345678")).is_empty());
        assert!(split_numbers(&args("5541989790060")).is_empty());
        assert!(
            split_numbers(&args("+55 call-me")).is_empty(),
            "one piece alone is left to the reading, which says why"
        );
    }
}
