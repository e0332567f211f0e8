//! What the app holds of the team's blocklist: its entries and where the
//! list itself blocked what, as the ledger last said, and the plan asked
//! for (see `blocklist` for what changes it).

use std::collections::{HashMap, HashSet};

use crate::model::blocklist::{Entry, Plan};

/// The blocklist as the app holds it.
#[derive(Debug, Clone, Default)]
pub struct ListState {
    /// The entries (ended ones too), once read.
    pub entries: Option<Vec<Entry>>,
    /// By instance name, the JIDs the list itself blocked there.
    pub applied: HashMap<String, HashSet<String>>,
    /// Why the ledger could not be read, when it could not.
    pub error: Option<String>,
    /// Whether a read is in flight.
    pub loading: bool,
    /// A plan asked for and waiting for what it needs.
    pub wanted: Option<Wanted>,
    /// The last plan made.
    pub plan: Option<Plan>,
}

/// A plan asked for: on which instances, and whether it is applied once
/// made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wanted {
    /// The instances it is made for.
    pub instances: Vec<usize>,
    /// Apply it once made: with the id it must have (`--plan ID`), if
    /// any.
    pub apply: Option<Option<String>>,
    /// Whether what lookups said of the listed numbers was asked of the
    /// ledger.
    pub recalled: bool,
}

impl ListState {
    /// The entries that list their number at `now`.
    pub fn active(&self, now: i64) -> impl Iterator<Item = &Entry> {
        self.entries
            .iter()
            .flatten()
            .filter(move |e| e.is_active(now))
    }
}
