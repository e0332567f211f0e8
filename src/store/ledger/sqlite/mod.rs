//! The ledger in a SQLite file in the data folder: each write one atomic
//! transaction that survives a crash mid-write. A file SQLite reports as
//! damaged is moved aside, never deleted; a newer schema is refused.
//!
//! Here its [`Ledger`] face, each method one call into a part: the open
//! ledger itself is in `handle`, opening the file (waiting, repair) in
//! `file`, its tables and versions in `schema`, reads in `read`, writes
//! in `write`, claims on batches in `claim`, and SQLite's errors in the
//! ledger's words in `error`. The parts never import this file.

use std::path::Path;
use std::time::Duration;

use super::contract::{
    BUSY_WAIT, BatchItem, BatchStatus, BlockEntry, Claim, HistoryEntry, KnownState, Ledger,
    LedgerDump, LedgerError, LedgerStatus, LookedUp, Outcome, UnfinishedBatch,
};
use crate::util::files;

mod blocklist;
mod claim;
mod error;
mod file;
mod handle;
mod identity;
mod read;
mod schema;
mod write;

pub use handle::{FILE_NAME, SqliteLedger};

impl SqliteLedger {
    /// Opens (or creates) the ledger in `data_dir`, waiting up to
    /// [`BUSY_WAIT`] for a ledger another program holds. See
    /// [`SqliteLedger::open_waiting`].
    pub fn open(data_dir: &Path) -> Result<(SqliteLedger, Option<String>), LedgerError> {
        Self::open_waiting(data_dir, BUSY_WAIT, || {})
    }

    /// Opens (or creates) the ledger in `data_dir`, private to the user.
    ///
    /// Only a file that SQLite itself reports as corrupt or not a database
    /// is moved aside (under a name no other file has; never deleted), and
    /// the returned notice says where it went. A ledger that another
    /// program holds is waited for: `on_busy` is called once when the wait
    /// starts, and after `wait` the ledger is refused, untouched. Any other
    /// failure (a full disk, no permission, a symbolic link) is reported
    /// and changes nothing.
    pub fn open_waiting(
        data_dir: &Path,
        wait: Duration,
        on_busy: impl FnOnce(),
    ) -> Result<(SqliteLedger, Option<String>), LedgerError> {
        let (ledger, notice) = file::open_in(data_dir, wait, on_busy)?;
        if !files::others_can_write(data_dir) {
            return Ok((ledger, notice));
        }
        let warning = format!(
            "the data folder {} can be written by other users, who could replace the ledger: keep it in a folder of your own (--data-dir)",
            data_dir.display()
        );
        let notice = match notice {
            Some(notice) => format!("{notice} · {warning}"),
            None => warning,
        };
        Ok((ledger, Some(notice)))
    }
}

impl Ledger for SqliteLedger {
    fn skipped_rows(&self) -> usize {
        self.skipped.get()
    }

    fn record_intent(
        &self,
        instance: &str,
        jid: &str,
        lid: Option<&str>,
        block: bool,
        operator: &str,
        reason: Option<&str>,
    ) -> Result<i64, LedgerError> {
        write::record_intent(self, instance, jid, lid, block, operator, reason)
    }

    fn record_outcome(&mut self, id: i64, outcome: &Outcome) -> Result<i64, LedgerError> {
        write::record_outcome(self, id, outcome)
    }

    fn owner_of(&self, instance: &str, id: &str) -> Result<Option<String>, LedgerError> {
        read::owner_of(self, instance, id)
    }

    fn known(&self) -> Result<Vec<KnownState>, LedgerError> {
        read::known(self)
    }

    fn create_batch(
        &mut self,
        label: &str,
        items: &[BatchItem],
        operator: &str,
    ) -> Result<(i64, Vec<i64>), LedgerError> {
        write::create_batch(self, label, items, operator)
    }

    fn close_batch(&self, batch: i64, status: BatchStatus) -> Result<(), LedgerError> {
        write::close_batch(self, batch, status)
    }

    fn unfinished_batches(&self) -> Result<Vec<UnfinishedBatch>, LedgerError> {
        read::unfinished_batches(self)
    }

    fn history(
        &self,
        instance: Option<&str>,
        since: Option<i64>,
        limit: usize,
    ) -> Result<Vec<HistoryEntry>, LedgerError> {
        read::history(self, instance, since, limit)
    }

    fn outcome_of(&self, id: i64) -> Result<Option<String>, LedgerError> {
        read::outcome_of(self, id)
    }

    fn status(&self) -> Result<LedgerStatus, LedgerError> {
        read::status(self)
    }

    fn change_mark(&self) -> Result<Option<i64>, LedgerError> {
        read::change_mark(self)
    }

    fn dump(&self) -> Result<LedgerDump, LedgerError> {
        read::dump(self)
    }

    fn claim_batch(&self, batch: i64, operator: &str) -> Result<Claim, LedgerError> {
        claim::claim_batch(self, batch, operator)
    }

    fn record_identity(&self, looked: &LookedUp) -> Result<(), LedgerError> {
        identity::record(self, looked)
    }

    fn identities(&self, numbers: &[String], since: i64) -> Result<Vec<LookedUp>, LedgerError> {
        identity::read(self, numbers, since)
    }

    fn blocklist_add(&mut self, entries: &[BlockEntry]) -> Result<usize, LedgerError> {
        blocklist::add(self, entries)
    }

    fn blocklist_remove(&self, targets: &[String], at: i64) -> Result<usize, LedgerError> {
        blocklist::remove(self, targets, at)
    }

    fn blocklist_retract(&self, source: &str, at: i64) -> Result<usize, LedgerError> {
        blocklist::retract(self, source, at)
    }

    fn blocklist(&self) -> Result<Vec<BlockEntry>, LedgerError> {
        blocklist::entries(self)
    }

    fn applied(&self) -> Result<Vec<(String, String)>, LedgerError> {
        blocklist::applied(self)
    }

    fn adopt_unanswered(&mut self) -> Result<usize, LedgerError> {
        write::adopt_unanswered(self)
    }
}
