//! `block`, `unblock` and `resume`: batches run through the app's own
//! update (the same routing, settling, refusals and summary as the
//! terminal UI), reported in the order of the batch.

use std::collections::HashMap;
use std::io::{IsTerminal, Write};

use serde_json::{Value, json};

use crate::app::batch::{Batch, Item, items_left};
use crate::app::{ApiJob, ApiResult, ErrorInfo, ErrorKind, Msg, State, update};
use crate::cli::args::ChangeArgs;
use crate::cli::failure::{Failure, exit, fail};
use crate::cli::output::{self, Table};
use crate::cli::session::{Local, Session};
use crate::model::change::Change;
use crate::model::number::list::{Entry, Source, needs_no_region, read_entries, read_list};
use crate::model::number::{Region, Target, phone_digits, shown_jid};

/// `block` or `unblock`: reads the numbers, plans as the bulk dialog
/// does, then records and sends the batch.
pub(crate) async fn change(local: Local, args: ChangeArgs, change: Change) -> Result<(), Failure> {
    let entries = entries(&args)?;
    let chosen = targets(&local, args.instance.as_deref(), args.all)?;
    refuse_read_only(&local, &chosen)?;
    let known = local.known()?;
    let mut state = local.state(&known);
    let mut s = local.connect()?;
    // The server is asked first only when the numbers cannot be read
    // without it (a national form on an instance of no set country) or
    // with --all (only connected instances take part); else a number
    // that cannot be read sends nothing at all.
    let needs_region = entries.iter().any(|e| !needs_no_region(&e.text))
        && chosen
            .iter()
            .any(|&i| state.instances[i].region().is_none());
    let asked_first = args.all || needs_region;
    if asked_first {
        learn_instances(&mut s, &mut state).await?;
    }
    let regions: Vec<Option<Region>> = chosen
        .iter()
        .map(|&i| state.instances[i].region())
        .collect();
    let names: Vec<String> = chosen
        .iter()
        .map(|&i| s.profile.instances[i].name.clone())
        .collect();
    let named: Vec<(&str, Option<Region>)> = names
        .iter()
        .zip(&regions)
        .map(|(name, region)| (name.as_str(), *region))
        .collect();
    let targets = read_targets(entries, &named, args.skip_invalid)?;
    if !asked_first {
        // The instances' own numbers, which are never sent to them.
        learn_instances(&mut s, &mut state).await?;
    }
    let items = plan(&s, &state, &chosen, &targets, change, args.all)?;
    let label = format!(
        "{} {} number(s) on {} (command line)",
        change.verb(),
        targets.len(),
        names.join(", ")
    );
    let reason = args
        .reason
        .as_deref()
        .and_then(crate::model::change::reason_of);
    let effects = crate::app::bulk::start(&mut state, label, items, false, reason);
    drive(&mut s, &mut state, effects, args.json).await
}

/// `resume`: sends what is left of every unfinished batch, one after the
/// other.
pub(crate) async fn resume(local: Local, json_out: bool) -> Result<(), Failure> {
    let open = local
        .ledger
        .unfinished_batches()
        .map_err(|e| fail(exit::INTERNAL, e.to_string()))?;
    if open.is_empty() {
        if json_out {
            output::json(&json!([]))?;
        } else {
            output::line("no unfinished batch")?;
        }
        return Ok(());
    }
    let every: Vec<usize> = (0..local.profile.instances.len()).collect();
    refuse_read_only(&local, &every)?;
    let known = local.known()?;
    let mut state = local.state(&known);
    let mut s = local.connect()?;
    let mut worst = Ok(());
    for b in open {
        let items = items_left(&b, |name| s.instance_index(name).ok());
        let effects = crate::app::bulk::resume(&mut state, b.id, &b.label, items);
        if let Err(e) = drive(&mut s, &mut state, effects, json_out).await {
            worst = Err(e);
        }
    }
    worst
}

/// Asks the server for every instance's state and gives it to the app, as
/// the UI does at start: its country, its own number (never sent to it),
/// whether it is connected.
async fn learn_instances(s: &mut Session, state: &mut State) -> Result<(), Failure> {
    let answer = s.ask(ApiJob::LoadInstances).await?;
    if !matches!(answer, ApiResult::Instances(_)) {
        return Err(fail(exit::INTERNAL, "unexpected answer from the worker"));
    }
    let effects = update(state, Msg::Api(answer));
    s.carry_out(effects)?;
    Ok(())
}

/// The typed numbers read for their instances; refusals stop everything
/// unless `--skip-invalid` (and something is left).
fn read_targets(
    entries: Vec<Entry>,
    named: &[(&str, Option<Region>)],
    skip_invalid: bool,
) -> Result<Vec<Target>, Failure> {
    let list = read_list(entries, named);
    if !list.bad.is_empty() {
        let lines: Vec<String> = list
            .bad
            .iter()
            .map(|(entry, why)| format!("  {}: {why}", entry.source))
            .collect();
        let summary = format!(
            "{} number(s) could not be read:\n{}",
            list.bad.len(),
            lines.join("\n")
        );
        if !skip_invalid || list.good.is_empty() {
            return Err(fail(
                exit::USAGE,
                format!("nothing sent: {summary}\n(--skip-invalid sends the others)"),
            ));
        }
        eprintln!("ryze-contacts: skipped: {summary}");
    }
    for (entry, target) in &list.good {
        if !needs_no_region(&entry.text) {
            eprintln!(
                "ryze-contacts: {}: {} read as {}",
                entry.source,
                entry.text,
                target.preview()
            );
        }
    }
    Ok(list.good.into_iter().map(|(_, t)| t).collect())
}

/// The bulk dialog's rules: an @lid belongs to one instance, and with
/// `--all` an instance that is not connected is left out; both are said
/// before anything is sent.
fn plan(
    s: &Session,
    state: &State,
    chosen: &[usize],
    targets: &[Target],
    change: Change,
    all: bool,
) -> Result<Vec<Item>, Failure> {
    let home = (!all && chosen.len() == 1).then(|| chosen[0]);
    let jids: Vec<(String, Option<String>)> = targets.iter().map(|t| (t.jid(), None)).collect();
    let plan = crate::app::plan::plan(
        &jids,
        home,
        chosen,
        |i| !all || state.instances[i].connection.is_connected(),
        change.is_block(),
        all,
    );
    for warning in plan.warnings(|i| s.profile.instances[i].name.clone()) {
        eprintln!("ryze-contacts: {warning}");
    }
    if plan.items.is_empty() {
        return Err(fail(
            exit::API,
            "nothing sent: no instance can take these numbers",
        ));
    }
    Ok(plan.items)
}

/// What came of a batch as it ran: one report row per answered item, in
/// the batch's order, and the answers contrary to the request.
#[derive(Default)]
struct Answers {
    rows: Vec<(usize, Value)>,
    contrary: usize,
    /// The instances that answered, in profile order.
    instances: std::collections::BTreeSet<usize>,
}

/// Runs the app's update over the worker's answers until the batch has
/// ended, its close is recorded and every count has settled; then
/// reports it. `effects` start it (`bulk::start`, `bulk::resume`).
async fn drive(
    s: &mut Session,
    state: &mut State,
    effects: Vec<crate::app::Effect>,
    json_out: bool,
) -> Result<(), Failure> {
    let Some(order) = state.batch.as_ref().map(batch_order) else {
        // The app refused before anything was recorded (its own number).
        let why = state
            .status
            .as_ref()
            .map_or("nothing to send", |st| st.text.as_str());
        return Err(fail(exit::USAGE, why.to_string()));
    };
    let progress = std::io::stderr().is_terminal();
    let mut ended = s.carry_out(effects)?;
    let mut answers = Answers::default();
    let mut closed = false;
    let settling = |state: &State| (0..state.instances.len()).any(|i| state.settling.busy(i));
    loop {
        let finished = state.batch.is_none() && !settling(state);
        // A batch finished by its answers sends its close; wait for it,
        // so a finished batch is never offered for resuming.
        let closes = ended
            .as_ref()
            .is_some_and(|b| b.held_by.is_none() && b.claim_error.is_none());
        if finished && (closed || !closes) {
            break;
        }
        let result = s.next().await?;
        match &result {
            ApiResult::BatchCreated(Err(e)) => return Err(fail(exit::INTERNAL, e.summary())),
            ApiResult::BatchClosed => closed = true,
            ApiResult::Block {
                instance,
                jid,
                block,
                result,
                ..
            } => answers.note(s, &order, *instance, jid, *block, result),
            _ => {}
        }
        let effects = update(state, Msg::Api(result));
        if let Some(b) = s.carry_out(effects)? {
            ended = Some(b);
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
    }
    if progress {
        eprintln!();
    }
    let Some(batch) = ended else {
        return Err(fail(exit::INTERNAL, "the batch ended without a summary"));
    };
    report(s, state, &batch, answers, json_out)
}

/// Where each item of a batch stands in its order (the profile's order of
/// instances), before anything is sent.
fn batch_order(batch: &Batch) -> HashMap<(usize, String), usize> {
    batch
        .queued()
        .enumerate()
        .map(|(n, item)| ((item.instance, item.jid.clone()), n))
        .collect()
}

impl Answers {
    /// Keeps one answer's report row.
    fn note(
        &mut self,
        s: &Session,
        order: &HashMap<(usize, String), usize>,
        instance: usize,
        jid: &str,
        block: bool,
        result: &Result<crate::app::BlockDone, ErrorInfo>,
    ) {
        let name = &s.profile.instances[instance].name;
        self.instances.insert(instance);
        if let Err(e) = result {
            tracing::warn!(instance = %name, number = %shown_jid(jid), error = %e.summary(), "batch item failed");
            self.contrary += usize::from(e.kind == ErrorKind::Contrary);
        }
        let at = order
            .get(&(instance, jid.to_string()))
            .copied()
            .unwrap_or(usize::MAX);
        self.rows
            .push((at, item_report(name, jid, Change::of(block), result)));
    }
}

/// Prints a finished batch (one row per item in the batch's order, the
/// settled count of each instance) and gives its exit.
fn report(
    s: &Session,
    state: &State,
    batch: &Batch,
    mut answers: Answers,
    json_out: bool,
) -> Result<(), Failure> {
    answers.rows.sort_by_key(|(at, _)| *at);
    let rows: Vec<Value> = answers.rows.into_iter().map(|(_, r)| r).collect();
    // The settled count of each instance that answered, in profile order.
    let counts: Vec<(&str, Option<u64>)> = answers
        .instances
        .iter()
        .map(|&i| {
            (
                s.profile.instances[i].name.as_str(),
                state.instances[i].blocked_count,
            )
        })
        .collect();
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
    batch_exit(batch, answers.contrary, state.team_ledger)
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
fn item_report(
    instance: &str,
    jid: &str,
    asked: Change,
    result: &Result<crate::app::BlockDone, ErrorInfo>,
) -> Value {
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
            "asked": asked.verb(),
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

/// Refuses, before anything is read or sent, when one of `chosen` is
/// read-only.
fn refuse_read_only(local: &Local, chosen: &[usize]) -> Result<(), Failure> {
    let read_only: Vec<&str> = chosen
        .iter()
        .map(|&i| &local.profile.instances[i])
        .filter(|i| i.read_only)
        .map(|i| i.name.as_str())
        .collect();
    if read_only.is_empty() {
        return Ok(());
    }
    Err(fail(
        exit::USAGE,
        format!(
            "read-only: nothing is sent to {} (read_only in the profile, or --read-only); nothing was sent",
            read_only.join(", ")
        ),
    ))
}

/// Which instances a command acts on.
pub(crate) fn targets(
    local: &Local,
    instance: Option<&str>,
    all: bool,
) -> Result<Vec<usize>, Failure> {
    if all {
        return Ok((0..local.profile.instances.len()).collect());
    }
    match instance {
        Some(name) => Ok(vec![local.instance_index(name)?]),
        None if local.profile.instances.len() == 1 => Ok(vec![0]),
        None => Err(fail(
            exit::USAGE,
            "the profile has several instances: name one with --instance NAME, or use --all",
        )),
    }
}
