//! What a run knows of numbers and asks about them: the state of the
//! lookups (see `lookups` for what changes it).

use std::collections::{HashMap, VecDeque};

use crate::model::identity::{Identity, LookedUp};

/// Ticks the typed number stays unchanged before it is looked up.
pub(super) const TYPING_PAUSE_TICKS: u64 = 2;

/// The lookups of a run: what is known, what is asked, what waits.
#[derive(Debug, Clone)]
pub struct Lookups {
    /// Whether numbers are looked up at all (`--no-lookup` turns it off).
    pub enabled: bool,
    /// Whether the ledger notes the numbers sent without a lookup as
    /// unverified (`--no-lookup`).
    pub keep_unverified: bool,
    /// What is known of numbers (the ledger's lookups of the last day,
    /// and this run's), by number.
    pub known: HashMap<String, LookedUp>,
    /// Why a lookup of this run failed, by number.
    pub failed: HashMap<String, String>,
    /// Numbers asked and not answered, with the instance to ask through.
    pub(super) asking: HashMap<String, usize>,
    /// Numbers the ledger did not know, waiting for the server.
    pub(super) queue: VecDeque<(usize, String)>,
    /// Lookups on the wire.
    pub(super) in_flight: usize,
    /// The number the prompt shows: (instance, number, tick it was typed).
    pub(super) wanted: Option<(usize, String, u64)>,
}

impl Default for Lookups {
    fn default() -> Self {
        Lookups {
            enabled: true,
            keep_unverified: false,
            known: HashMap::new(),
            failed: HashMap::new(),
            asking: HashMap::new(),
            queue: VecDeque::new(),
            in_flight: 0,
            wanted: None,
        }
    }
}

/// Where a number's lookup stands, for the screens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stand<'a> {
    /// Not asked (a contact, or lookups are off).
    Unasked,
    /// Asked, not answered.
    Asking,
    /// Answered.
    Known(&'a LookedUp),
    /// The lookup failed: why.
    Failed(&'a str),
}

impl Lookups {
    /// Where the lookup of `number` stands at `now`.
    pub fn stand(&self, number: &str, now: i64) -> Stand<'_> {
        if let Some(l) = self.fresh(number, now) {
            return Stand::Known(l);
        }
        if self.asking.contains_key(number) {
            return Stand::Asking;
        }
        match self.failed.get(number) {
            Some(why) => Stand::Failed(why),
            None => Stand::Unasked,
        }
    }

    /// A fresh lookup of `number` that says who it is (or that it is not
    /// on WhatsApp); a number sent unverified is no lookup.
    pub fn fresh(&self, number: &str, now: i64) -> Option<&LookedUp> {
        self.known
            .get(number)
            .filter(|l| l.is_fresh(now) && l.identity != Identity::Unverified)
    }

    /// How many of `numbers` (each once) are still being looked up.
    pub fn asked_among<'a>(&self, numbers: impl Iterator<Item = &'a str>) -> usize {
        let unique: std::collections::HashSet<&str> =
            numbers.filter(|n| self.asking.contains_key(*n)).collect();
        unique.len()
    }

    /// Drops what waits for the server (a batch was cancelled); lookups on
    /// the wire finish.
    pub fn cancel_queued(&mut self) {
        for (_, number) in self.queue.drain(..) {
            self.asking.remove(&number);
        }
    }
}
