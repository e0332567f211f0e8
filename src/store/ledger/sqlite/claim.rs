//! Claims on batches in the SQLite ledger: which run resumes a batch, so
//! that two runs never send it twice.

use rusqlite::{OptionalExtension, params};

use super::handle::SqliteLedger;
use crate::store::ledger::contract::{Claim, LedgerError};
use crate::store::ledger::rules::{Holder, this_host};
use crate::util::dates::now_unix;

/// Claims batch `batch` for `operator`: see
/// [`crate::store::ledger::Ledger::claim_batch`].
pub(super) fn claim_batch(
    l: &SqliteLedger,
    batch: i64,
    operator: &str,
) -> Result<Claim, LedgerError> {
    let now = now_unix();
    let held: Option<Holder> = l
        .conn
        .query_row(
            "SELECT claimed_by, claimed_at, claim_pid, claim_host FROM batches WHERE id = ?1",
            [batch],
            |r| {
                Ok(Holder {
                    operator: r.get(0)?,
                    at: r.get(1)?,
                    pid: r.get(2)?,
                    host: r.get(3)?,
                })
            },
        )
        .optional()
        .map_err(|e| l.err(e))?;
    let Some(holder) = held else {
        return Ok(Claim::Ours);
    };
    if !holder.is_free(now) {
        return Ok(Claim::Theirs {
            operator: holder.operator.unwrap_or_default(),
            since: holder.at.unwrap_or_default(),
        });
    }
    // Taken only if nobody took it since it was read: of two runs
    // claiming at once, one wins.
    let granted = l
        .conn
        .execute(
            "UPDATE batches SET claimed_by = ?2, claimed_at = ?3, claim_pid = ?4, claim_host = ?5
             WHERE id = ?1 AND claimed_by IS ?6 AND claimed_at IS ?7 AND claim_pid IS ?8",
            params![
                batch,
                operator,
                now,
                i64::from(std::process::id()),
                this_host(),
                holder.operator,
                holder.at,
                holder.pid
            ],
        )
        .map_err(|e| l.err(e))?;
    if granted == 1 {
        return Ok(Claim::Ours);
    }
    held_by(l, batch)
}

/// Who holds batch `batch` now (after a claim lost a race).
fn held_by(l: &SqliteLedger, batch: i64) -> Result<Claim, LedgerError> {
    let held: Option<(Option<String>, Option<i64>)> = l
        .conn
        .query_row(
            "SELECT claimed_by, claimed_at FROM batches WHERE id = ?1",
            [batch],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()
        .map_err(|e| l.err(e))?;
    Ok(match held {
        Some((Some(operator), since)) => Claim::Theirs {
            operator,
            since: since.unwrap_or_default(),
        },
        _ => Claim::Ours,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::ledger::{BatchItem, Ledger};

    /// (Other machines' claims and stale ones: `ledger_conformance`.)
    #[test]
    fn a_claim_of_this_machine_lasts_as_long_as_its_run() {
        let dir = tempfile::tempdir().unwrap();
        let (mut ledger, _) = SqliteLedger::open(dir.path()).unwrap();
        let item = BatchItem {
            instance: "sales".into(),
            jid: "5511911110001@s.whatsapp.net".into(),
            lid: None,
            block: true,
            reason: None,
        };
        let (batch, _) = ledger.create_batch("b", &[item], "desk-1").unwrap();
        // Its creator, still running, holds it.
        assert_eq!(ledger.claim_batch(batch, "desk-1").unwrap(), Claim::Ours);
        let hold = |pid: i64| {
            ledger
                .conn
                .execute(
                    "UPDATE batches SET claimed_by = 'desk-2', claimed_at = ?2, claim_pid = ?3, claim_host = ?4 WHERE id = ?1",
                    params![batch, now_unix(), pid, this_host()],
                )
                .unwrap();
        };
        // Another run of this machine that is alive (pid 1 always is) and
        // making progress: not taken.
        hold(1);
        assert!(
            matches!(ledger.claim_batch(batch, "desk-1").unwrap(), Claim::Theirs { operator, .. } if operator == "desk-2")
        );
        // A run of this machine that has ended: taken at once.
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let dead = i64::from(child.id());
        child.wait().unwrap();
        hold(dead);
        assert_eq!(ledger.claim_batch(batch, "desk-1").unwrap(), Claim::Ours);
        // One killed and not reaped yet (a zombie, as right after a
        // `kill -9`): ended too.
        let mut zombie = std::process::Command::new("true").spawn().unwrap();
        let pid = zombie.id();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while !std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|s| {
            s.rsplit(')')
                .next()
                .is_some_and(|r| r.trim_start().starts_with('Z'))
        }) {
            assert!(
                std::time::Instant::now() < deadline,
                "the child never ended"
            );
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        hold(i64::from(pid));
        assert_eq!(ledger.claim_batch(batch, "desk-1").unwrap(), Claim::Ours);
        zombie.wait().unwrap();
    }
}
