//! The durable record of every block and unblock this app performed, per
//! instance, with time and result. RyzeAPI cannot list blocked contacts, so
//! this is the only memory of them the app has.
//!
//! The [`Ledger`] trait is what the app and the commands use. Its
//! implementations: the SQLite file in the data folder ([`SqliteLedger`]),
//! and a team's shared PostgreSQL database ([`PgLedger`]) when the profile
//! names one.

use std::path::{Path, PathBuf};
use std::time::Duration;

mod blocklist_rows;
mod contract;
mod identity_rows;
mod pg_blocklist;
mod pg_identity;
mod pg_link;
mod pg_schema;
mod postgres;
mod rules;
mod sqlite;

pub use contract::*;

pub use pg_link::{DEFAULT_PORT, PgTarget};
pub use pg_schema::ImportCounts;
pub use postgres::PgLedger;
pub use sqlite::{FILE_NAME, SqliteLedger};

/// Which ledger a run uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Place {
    /// The SQLite file in this data folder.
    Local(PathBuf),
    /// The team's PostgreSQL database.
    Team(PgTarget),
}

impl Place {
    /// Whether the ledger is shared with other operators.
    pub fn is_team(&self) -> bool {
        matches!(self, Place::Team(_))
    }
}

/// Opens the ledger at `place`: the team's database, or the data folder's
/// file, waiting up to `wait` for one another program holds (`on_busy` is
/// called once when that wait starts).
pub fn open_place(
    place: &Place,
    wait: Duration,
    on_busy: impl FnOnce(),
) -> Result<(Box<dyn Ledger>, Option<String>), LedgerError> {
    match place {
        Place::Local(data_dir) => open_waiting(data_dir, wait, on_busy),
        Place::Team(target) => {
            let (ledger, notice) = PgLedger::open(target.clone())?;
            Ok((Box::new(ledger), notice))
        }
    }
}

/// Opens the ledger for `data_dir`, waiting up to [`BUSY_WAIT`] for one
/// another program holds. See [`open_waiting`].
pub fn open(data_dir: &Path) -> Result<(Box<dyn Ledger>, Option<String>), LedgerError> {
    open_waiting(data_dir, BUSY_WAIT, || {})
}

/// Opens the ledger for `data_dir`, waiting up to `wait` for one another
/// program holds (`on_busy` is called once when the wait starts). The
/// notice, when there is one, says what was done to open it.
pub fn open_waiting(
    data_dir: &Path,
    wait: Duration,
    on_busy: impl FnOnce(),
) -> Result<(Box<dyn Ledger>, Option<String>), LedgerError> {
    let (ledger, notice) = SqliteLedger::open_waiting(data_dir, wait, on_busy)?;
    Ok((Box::new(ledger), notice))
}
