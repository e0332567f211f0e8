//! `plan` and `apply`: what makes each instance follow the team's
//! blocklist, shown in a stable order with an id, and sent as one
//! resumable batch, on the same engine and with the same plan the screen
//! shows.

use std::io::{BufRead, IsTerminal};

use serde_json::json;

use crate::app::Effect;
use crate::app::blocklist::is_apply;
use crate::cli::args::{ApplyArgs, PlanArgs};
use crate::cli::failure::{Failure, exit, fail};
use crate::cli::output::{self, Column, Table};
use crate::engine::{Engine, Flow};
use crate::model::blocklist::{Action, Plan, jid_of, shown_target};
use crate::model::number::shown_jid;
use crate::protocol::{Job, JobResult, LedgerWrite, Msg, Request};
use crate::store::ledger::{BatchStatus, Claim};

/// Numbers named in each part of a summary line.
const NAMED: usize = 2;

/// The plan's columns on a terminal.
const COLUMNS: [Column; 4] = [
    Column::keep("INSTANCE"),
    Column::keep("ACTION"),
    Column::keep("NUMBER"),
    Column::cut("REASON"),
];

/// `plan`.
pub(crate) async fn plan(engine: &mut Engine, args: PlanArgs) -> Result<(), Failure> {
    let instances = super::choose::instances(engine, args.instance.as_deref(), true)
        .and_then(|all| narrow(engine, all, args.instance.as_deref()))?;
    let made = make(engine, instances).await?;
    print(engine, &made, args.json)
}

/// `apply`: the plan is made again, shown, confirmed (asked on a
/// terminal, `--yes` or `--plan ID` for scripts), then sent as a batch.
pub(crate) async fn apply(engine: &mut Engine, args: ApplyArgs) -> Result<(), Failure> {
    let instances = super::choose::instances(engine, args.instance.as_deref(), true)
        .and_then(|all| narrow(engine, all, args.instance.as_deref()))?;
    earlier_applies(engine).await?;
    let made = make(engine, instances.clone()).await?;
    if !made.sends() {
        print(engine, &made, args.json)?;
        output::say("nothing to send: every instance follows the blocklist");
        return Ok(());
    }
    let id = match &args.plan {
        Some(id) => id.clone(),
        None if args.yes => made.id.clone(),
        None => confirm(engine, &made)?,
    };
    let request = Request::Apply {
        instances,
        id: Some(id),
    };
    super::batch::run_request(engine, request, args.json).await
}

/// The applies a run left unfinished, each claimed first: one another
/// run is still sending refuses this one (naming who: nothing is sent
/// twice); one whose run stopped is closed, its leftovers dropped.
async fn earlier_applies(engine: &mut Engine) -> Result<(), Failure> {
    let (applies, others) = std::mem::take(&mut engine.unfinished)
        .into_iter()
        .partition::<Vec<_>, _>(|b| is_apply(&b.label));
    engine.unfinished = others;
    for batch in applies {
        let job = Job::Write(LedgerWrite::ClaimBatch { batch: batch.id });
        let answer = engine
            .ask(
                job,
                |r| matches!(r, JobResult::Claimed { batch: b, .. } if *b == batch.id),
            )
            .await;
        let JobResult::Claimed { result, .. } = answer else {
            return Err(fail(exit::INTERNAL, "unexpected answer from the worker"));
        };
        match result.map_err(|e| fail(exit::INTERNAL, e.summary()))? {
            Claim::Theirs { operator, since } => {
                return Err(fail(
                    exit::INTERNAL,
                    format!(
                        "{}: {operator} is applying it (its last progress {}): nothing sent · run `ryze-contacts plan` again once it is done",
                        batch.label,
                        crate::util::dates::rfc3339(since)
                    ),
                ));
            }
            Claim::Ours => {
                // Planned from the list as it was then: never sent in
                // place of the plan made now, which holds whatever of
                // them the list still wants.
                let job = Job::Write(LedgerWrite::CloseBatch {
                    batch: batch.id,
                    status: BatchStatus::Cancelled,
                });
                engine
                    .ask(
                        job,
                        |r| matches!(r, JobResult::BatchClosed { batch: b } if *b == batch.id),
                    )
                    .await;
                output::say(&format!(
                    "{}: an earlier run stopped before its end: its {} unsent change(s) are dropped, the plan is made again from the list as it is now",
                    batch.label,
                    batch.left.len()
                ));
            }
        }
    }
    Ok(())
}

/// `--instance NAME` narrows every instance to that one.
fn narrow(engine: &Engine, all: Vec<usize>, name: Option<&str>) -> Result<Vec<usize>, Failure> {
    match name {
        Some(name) => Ok(vec![super::choose::instance_index(engine, name)?]),
        None => Ok(all),
    }
}

/// Runs the engine until the plan of `instances` is made (or refused).
async fn make(engine: &mut Engine, instances: Vec<usize>) -> Result<Plan, Failure> {
    let mut refused = None;
    engine
        .run(
            Msg::Request(Request::Plan { instances }),
            |state, effects| {
                for effect in effects {
                    if let Effect::Refused { text, .. } = effect {
                        refused = Some(text);
                    }
                }
                if refused.is_some() || state.blocklist.plan.is_some() {
                    Flow::Stop
                } else {
                    Flow::Continue
                }
            },
        )
        .await;
    if let Some(text) = refused {
        return Err(fail(exit::INTERNAL, text));
    }
    engine
        .state()
        .blocklist
        .plan
        .clone()
        .ok_or_else(|| fail(exit::INTERNAL, "no plan was made"))
}

/// Prints the plan: per instance what it does, then each step (one JSON
/// object a line with `--json`), and its id.
fn print(engine: &Engine, made: &Plan, json_out: bool) -> Result<(), Failure> {
    let name = |i: usize| engine.profile().instances[i].name.as_str();
    if json_out {
        for s in &made.steps {
            output::json_line(&json!({
                "instance": name(s.instance),
                "action": s.action.word(),
                "number": shown_target(&s.target),
                "reason": &*s.reason,
                "plan": made.id,
            }))?;
        }
        return Ok(());
    }
    for line in summary(engine, made) {
        output::note(&line);
    }
    let mut table = Table::with_columns(&COLUMNS);
    // On a terminal a number reads as its country writes it; piped, E.164.
    let on_terminal = table.is_terminal();
    let number = |target: &str| {
        if on_terminal {
            shown_jid(&jid_of(target))
        } else {
            shown_target(target)
        }
    };
    for s in &made.steps {
        table.row(&[
            name(s.instance),
            s.action.word(),
            &number(&s.target),
            &s.reason[..],
        ])?;
    }
    table.finish()?;
    if made.sends() {
        output::note(&format!(
            "plan {} · `ryze-contacts apply --plan {}` sends exactly this",
            made.id, made.id
        ));
    } else {
        output::note(&format!("plan {} · nothing to send", made.id));
    }
    Ok(())
}

/// A line per instance: `sales: 12 to block (+55 11 9…, …), 1 to unblock`.
fn summary(engine: &Engine, made: &Plan) -> Vec<String> {
    let mut lines = Vec::new();
    for (i, inst) in engine.profile().instances.iter().enumerate() {
        let mut parts = Vec::new();
        for (action, words) in [
            (Action::Block, "to block"),
            (Action::Unblock, "to unblock"),
            (Action::Refused, "refused"),
            (Action::Unreachable, "unreachable"),
        ] {
            let n = made.count(i, action);
            if n == 0 {
                continue;
            }
            let first: Vec<String> = made
                .steps
                .iter()
                .filter(|s| s.instance == i && s.action == action)
                .take(NAMED)
                .map(|s| shown_jid(&jid_of(&s.target)))
                .collect();
            let more = if n > NAMED { ", …" } else { "" };
            parts.push(format!("{n} {words} ({}{more})", first.join(", ")));
        }
        if !parts.is_empty() {
            lines.push(format!("{}: {}", inst.name, parts.join(", ")));
        }
    }
    if lines.is_empty() {
        lines.push("every instance follows the blocklist: nothing to do".into());
    }
    lines
}

/// Shows the plan and asks on a terminal; the id to send.
fn confirm(engine: &Engine, made: &Plan) -> Result<String, Failure> {
    if !std::io::stdin().is_terminal() {
        return Err(fail(
            exit::USAGE,
            "apply asks before it sends: on a terminal, or pass --yes, or --plan ID from `plan`",
        ));
    }
    print(engine, made, false)?;
    let sends = made
        .steps
        .iter()
        .filter(|s| matches!(s.action, Action::Block | Action::Unblock))
        .count();
    output::ask(&format!("send these {sends} change(s)? [y/N] "));
    let mut answer = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut answer)
        .map_err(|e| fail(exit::USAGE, format!("no answer: {e}")))?;
    if !matches!(answer.trim(), "y" | "Y" | "yes") {
        return Err(fail(exit::OK, "nothing sent"));
    }
    Ok(made.id.clone())
}
