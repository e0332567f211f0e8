//! After `block`, `unblock` or `resume`: whether the ledger kept each
//! answer, or another desk's answer overtook it (later by the server's
//! clock) or contests it (the two could not be ordered). Either exits
//! non-zero: the command's answer is not the team's last word.

use crate::app::batch::Batch;
use crate::cli::failure::{Failure, exit, fail};
use crate::engine::Engine;
use crate::model::change::Change;
use crate::model::number::shown_jid;
use crate::protocol::{Job, JobResult, LedgerRead};

/// The answers of `batch` the ledger does not keep as this run's: each
/// said (`+55 11 9… on sales: the ledger keeps unblocked by desk-b, a
/// later answer of the server`, `…: blocked · contested: desk-a blocked,
/// desk-b unblocked 2 s apart`); a failure (4) when there is any.
pub(super) async fn check(engine: &mut Engine, batch: &Batch) -> Option<Failure> {
    let answer = engine
        .ask(Job::Read(LedgerRead::Known), |r| {
            matches!(r, JobResult::Known(_))
        })
        .await;
    let JobResult::Known(Ok(Some(known))) = answer else {
        return None;
    };
    let state = engine.state();
    let said: Vec<String> = batch
        .answers
        .iter()
        .filter_map(|(item, result)| {
            let done = result.as_ref().ok()?;
            let name = &state.instances[item.instance].name;
            let k = known
                .iter()
                .find(|k| &k.instance == name && k.jid == item.jid)?;
            let who = format!("{} on {name}", shown_jid(&item.jid));
            let word = Change::of(k.blocked).done_word();
            match &k.contest {
                Some(contest) => Some(format!("{who}: {word} · contested: {contest}")),
                None if k.blocked != done.outcome.blocked => {
                    let by = k.operator.as_deref().unwrap_or("another desk");
                    Some(format!(
                        "{who}: the ledger keeps {word} by {by}, a later answer of the server"
                    ))
                }
                None => None,
            }
        })
        .collect();
    (!said.is_empty()).then(|| {
        fail(
            exit::PARTIAL,
            format!(
                "{} answer(s) overtaken or contested by another desk's: {}",
                said.len(),
                said.join("; ")
            ),
        )
    })
}
