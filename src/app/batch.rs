//! A batch of block/unblock changes (marked contacts, several instances,
//! an undo, a resumed batch) fed to the worker a few at a time, so that
//! `Esc` can still cancel what has not been sent.

use std::collections::{HashMap, HashSet, VecDeque};

use super::clock::TICKS_PER_SECOND;
pub use crate::protocol::Item;
use crate::protocol::{ApiCall, BlockCall, ErrorInfo, Job, LedgerWrite};
use crate::store::ledger::UnfinishedBatch;

use crate::api::rate::MAX_IN_FLIGHT;

/// What is left of an unfinished batch to send: its items, and the rows
/// of the ledger skipped, each named with why.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LeftOver {
    /// The items to send, under their ledger action ids.
    pub items: Vec<Item>,
    /// Why each skipped row is never sent (`not a person
    /// (status@broadcast)`).
    pub skipped: Vec<String>,
}

impl LeftOver {
    /// `2 rows of the ledger skipped: not a person (status@broadcast), …`,
    /// when any was.
    pub fn skipped_text(&self) -> Option<String> {
        skipped_text(&self.skipped)
    }
}

/// `N rows of the ledger skipped: why, why · never sent`, when any was.
pub fn skipped_text(skipped: &[String]) -> Option<String> {
    let (first, rest) = skipped.split_first()?;
    let rows = if rest.is_empty() {
        "1 row of the ledger".to_string()
    } else {
        format!("{} rows of the ledger", skipped.len())
    };
    let mut whys = vec![first.as_str()];
    whys.extend(rest.iter().take(4).map(String::as_str));
    let more = crate::util::text::and_more(skipped.len(), whys.len());
    Some(format!(
        "{rows} skipped: {}{more} · never sent (a row another desk or a script wrote is checked like typed input)",
        whys.join(", ")
    ))
}

/// The items a crashed run left in `batch`, for the instances that still
/// exist (`index` maps an instance name to its index), under their ledger
/// action ids; each row checked like typed input first
/// ([`crate::model::number::stored_person`], and `own` tells an
/// instance's own number): a row that fails is skipped and named, never
/// sent.
pub fn items_left(
    batch: &UnfinishedBatch,
    index: impl Fn(&str) -> Option<usize>,
    own: impl Fn(usize, &str) -> bool,
) -> LeftOver {
    let mut left = LeftOver::default();
    for (action, item) in &batch.left {
        let Some(instance) = index(&item.instance) else {
            continue;
        };
        let lid_ok = item.lid.as_deref().is_none_or(|lid| {
            crate::model::number::jid_kind(lid) == crate::model::number::JidKind::Lid
                && crate::model::number::stored_person(lid).is_ok()
        });
        let why = match crate::model::number::stored_person(&item.jid) {
            Err(why) => Some(why),
            Ok(()) if !lid_ok => Some(format!(
                "not a person's @lid ({})",
                crate::util::sanitize::clean(item.lid.as_deref().unwrap_or_default())
            )),
            Ok(()) if own(instance, &item.jid) => Some(format!(
                "the instance's own number ({})",
                crate::model::number::shown_jid(&item.jid)
            )),
            Ok(()) => None,
        };
        match why {
            Some(why) => left.skipped.push(why),
            None => left.items.push(Item {
                instance,
                jid: item.jid.clone(),
                lid: item.lid.clone(),
                block: item.block,
                action: Some(*action),
                reason: None,
            }),
        }
    }
    left
}

/// A finished action, for undo: what it was, and what it changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Done {
    /// How it was named when it ran (`block 3 contacts on sales`).
    pub label: String,
    /// The changes that succeeded; empty when it changed nothing.
    pub items: Vec<Item>,
}

/// What a batch is to the undo history: an action of its own, or the
/// undo or the redo of one (named by its label).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    /// An action: `u` reverts it.
    Action,
    /// The undo of the action so named: redo sends that action again.
    Undo(String),
    /// The action so named, sent again: `u` reverts it again.
    Redo(String),
}

impl Kind {
    /// Whether it sends what an earlier batch sent, the numbers known:
    /// nothing is looked up for it.
    pub fn repeats(&self) -> bool {
        !matches!(self, Kind::Action)
    }
}

/// A running batch and its counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Batch {
    /// Its ledger id, once recorded.
    pub id: Option<i64>,
    /// What it does, for the user (`block 12 on sales, support`).
    pub label: String,
    queue: VecDeque<Item>,
    /// How many of `queue` are of each instance.
    queued_on: HashMap<usize, usize>,
    sending: HashMap<(usize, String), Item>,
    /// Items in all.
    pub total: usize,
    /// Items the server confirmed.
    pub done: usize,
    /// Items that failed.
    pub failed: usize,
    /// Items dropped by a cancel.
    pub cancelled: usize,
    /// What succeeded, for undo.
    pub succeeded: Vec<Item>,
    /// What failed, marked again at the end so `B`/`U` retries it.
    pub failures: Vec<Item>,
    /// Why the first failure failed (reason, HTTP status, hint), for the
    /// summary.
    pub first_failure: Option<(String, String)>,
    /// (instance, JID) of items already in the asked state when the
    /// batch began: sent to confirm it, but not undone.
    pub unchanged: HashSet<(usize, String)>,
    /// An action, or an undo (not undone in turn) or a redo of one.
    pub kind: Kind,
    /// Answers the server gave that the ledger could not record (a full
    /// disk): the batch then stays open in the ledger, so `resume` sends
    /// them again (harmless) and records them.
    pub unrecorded: usize,
    /// Items never sent (the server stopped answering): counted as failed,
    /// and the batch stays open for `resume` to send them.
    pub unsent: usize,
    /// Items not sent because an answer before them could not be recorded
    /// (a full disk, a lost team ledger): nothing more goes out
    /// unrecorded; `resume` sends them.
    pub held_back: usize,
    /// Tick it started at, for the time estimate.
    pub started: u64,
    /// Why, when the operator gave a reason: recorded with each item.
    pub reason: Option<String>,
    /// Set when a resume found another run sending it: who, and the Unix
    /// time of its last progress. Nothing of it was sent here.
    pub held_by: Option<(String, i64)>,
    /// Set when the claim to resume it could not be asked of the ledger.
    pub claim_error: Option<String>,
    /// Whether the batch waits for lookups of its numbers before it is
    /// recorded and sent.
    pub awaiting_lookups: bool,
    /// Numbers looked up for it (the lookups count in its progress).
    pub lookups: usize,
    /// Of those, how many are still asked.
    pub lookups_left: usize,
    /// Items left out because a lookup said the number is not on
    /// WhatsApp, with the server's words: never sent.
    pub not_on_whatsapp: Vec<(Item, String)>,
    /// Hidden-number contacts for other instances, waiting for the
    /// lookups of their `@lid`s to be matched there by number.
    pub hidden: Vec<super::plan::Hidden>,
    /// Hidden-number contacts no lookup matched on an instance (the item
    /// names the `@lid`), with why: never sent.
    pub unmatched: Vec<(Item, String)>,
    /// Whether it applies the blocklist's plan: what the server confirms
    /// blocked is noted as the list's own block.
    pub via_list: bool,
    /// Whether a number not on WhatsApp refuses the whole batch (a
    /// headless command without `--skip-invalid`) rather than being left
    /// out.
    pub strict: bool,
    /// Set when a signal (SIGINT, SIGTERM) stopped a headless batch: what
    /// was not sent is left in the ledger for `resume`.
    pub interrupted: bool,
    /// Every answer in the order it came: the item and what came of it
    /// (the server's final state and whether the ledger kept it, or why
    /// it failed). Headless commands report from it.
    pub answers: Vec<(Item, Result<ItemDone, ErrorInfo>)>,
}

/// What came of an item the server answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemDone {
    /// The server's answer.
    pub outcome: crate::api::BlockOutcome,
    /// Why the ledger could not keep it, when it could not.
    pub ledger_error: Option<String>,
}

impl Batch {
    /// A batch of `items` not yet recorded in the ledger.
    pub fn new(label: String, items: Vec<Item>, kind: Kind, tick: u64) -> Batch {
        Batch {
            id: None,
            label,
            total: items.len(),
            queued_on: items.iter().fold(HashMap::new(), |mut on, item| {
                *on.entry(item.instance).or_default() += 1;
                on
            }),
            queue: items.into(),
            sending: HashMap::new(),
            done: 0,
            failed: 0,
            cancelled: 0,
            succeeded: Vec::new(),
            failures: Vec::new(),
            first_failure: None,
            unchanged: HashSet::new(),
            kind,
            unrecorded: 0,
            unsent: 0,
            held_back: 0,
            started: tick,
            reason: None,
            held_by: None,
            claim_error: None,
            interrupted: false,
            answers: Vec::new(),
            awaiting_lookups: false,
            lookups: 0,
            lookups_left: 0,
            not_on_whatsapp: Vec::new(),
            hidden: Vec::new(),
            unmatched: Vec::new(),
            strict: false,
            via_list: false,
        }
    }

    /// Leaves out the queued items `absent` says are not on WhatsApp (with
    /// its words), before anything is recorded; returns how many.
    pub fn leave_out(&mut self, absent: impl Fn(&Item) -> Option<String>) -> usize {
        let mut kept = VecDeque::with_capacity(self.queue.len());
        for item in self.queue.drain(..) {
            match absent(&item) {
                Some(why) => {
                    if let Some(n) = self.queued_on.get_mut(&item.instance) {
                        *n = n.saturating_sub(1);
                    }
                    self.not_on_whatsapp.push((item, why));
                }
                None => kept.push_back(item),
            }
        }
        self.queue = kept;
        self.total = self.queue.len();
        self.not_on_whatsapp.len()
    }

    /// Queues `item`, matched once the batch's lookups came in (before
    /// anything is recorded).
    pub fn add(&mut self, item: Item) {
        *self.queued_on.entry(item.instance).or_default() += 1;
        self.queue.push_back(item);
        self.total = self.queue.len();
    }

    /// The job that records the batch and every intent in the ledger
    /// before anything is sent (the first step of every batch, UI or
    /// headless).
    pub fn create_job(&self) -> LedgerWrite {
        LedgerWrite::CreateBatch {
            label: self.label.clone(),
            items: self.queue.iter().cloned().collect(),
            reason: self.reason.clone(),
        }
    }

    /// Counts an answer and returns what to send next; once every item
    /// is answered, the job that closes the batch in the ledger follows,
    /// unless an answer could not be recorded (see [`Batch::unrecorded`]).
    /// `recorded` says whether the ledger holds this answer (for a failure:
    /// whether it was sent at all).
    pub fn answer(&mut self, instance: usize, jid: &str, ok: bool, recorded: bool) -> Vec<Job> {
        if self.answered(instance, jid, ok) && !recorded {
            if ok {
                self.unrecorded += 1;
                // The ledger cannot record: the batch stops here.
                self.held_back += self.queue.len();
                self.queue.clear();
                self.queued_on.clear();
            } else {
                self.unsent += 1;
            }
        }
        let mut jobs = self.next_jobs();
        jobs.extend(self.close_if_finished());
        jobs
    }

    /// Once every item is answered (or left), the job that closes the
    /// batch in the ledger: open for a resume when something is left.
    fn close_if_finished(&self) -> Option<Job> {
        use crate::store::ledger::BatchStatus;
        let batch = self.id.filter(|_| self.is_finished())?;
        let status = if !self.closes() {
            // Left for a resume, by this run or another.
            BatchStatus::Left
        } else if self.cancelled > 0 {
            BatchStatus::Cancelled
        } else {
            BatchStatus::Done
        };
        Some(Job::Write(LedgerWrite::CloseBatch { batch, status }))
    }

    /// A signal stops a headless batch: nothing more is sent, what is in
    /// flight finishes, and what was not sent stays open in the ledger
    /// for `resume` (nothing is lost). Returns the close of the batch
    /// when nothing is in flight.
    pub fn interrupt(&mut self) -> Option<Job> {
        self.interrupted = true;
        self.unsent += self.queue.len();
        self.queue.clear();
        self.queued_on.clear();
        self.close_if_finished()
    }

    /// Whether the batch is closed in the ledger once finished: not while
    /// an answer is unrecorded or an item unsent, so that it is offered
    /// for resuming.
    pub fn closes(&self) -> bool {
        self.unrecorded == 0 && self.unsent == 0
    }

    /// What succeeded and changed something: what `u` reverts.
    pub fn undoable(&self) -> Vec<Item> {
        self.succeeded
            .iter()
            .filter(|i| !self.unchanged.contains(&(i.instance, i.jid.clone())))
            .cloned()
            .collect()
    }

    /// Whether items of `instance` are still queued (not sent yet).
    pub fn has_queued(&self, instance: usize) -> bool {
        self.queued_on.get(&instance).is_some_and(|n| *n > 0)
    }

    /// The items still queued (for the ledger at creation).
    pub fn queued(&self) -> impl Iterator<Item = &Item> {
        self.queue.iter()
    }

    /// Attaches the ledger's batch and action ids (in item order).
    pub fn recorded(&mut self, id: i64, actions: &[i64]) {
        self.id = Some(id);
        for (item, action) in self.queue.iter_mut().zip(actions) {
            item.action = Some(*action);
        }
    }

    /// Jobs to send now, keeping [`MAX_IN_FLIGHT`] in flight.
    pub fn next_jobs(&mut self) -> Vec<Job> {
        let mut jobs = Vec::new();
        if self.id.is_none() {
            return jobs;
        }
        while self.sending.len() < MAX_IN_FLIGHT {
            let Some(item) = self.queue.pop_front() else {
                break;
            };
            if let Some(n) = self.queued_on.get_mut(&item.instance) {
                *n = n.saturating_sub(1);
            }
            let key = (item.instance, item.jid.clone());
            if self.sending.contains_key(&key) {
                // The same change twice: it is already on its way.
                self.total -= 1;
                continue;
            }
            let Some(action) = item.action else {
                // Every item is recorded before it is sent: one without
                // its intent is never sent.
                tracing::error!(batch = ?self.id, "an item without a recorded intent was not sent");
                self.total -= 1;
                continue;
            };
            jobs.push(Job::Api(ApiCall::Block(BlockCall {
                item: item.clone(),
                action,
                batch: self.id,
                reason: self.reason.clone(),
            })));
            self.sending.insert(key, item);
        }
        jobs
    }

    /// Counts an answer; returns whether it belonged to this batch.
    pub fn answered(&mut self, instance: usize, jid: &str, ok: bool) -> bool {
        let Some(item) = self.sending.remove(&(instance, jid.to_string())) else {
            return false;
        };
        if ok {
            self.done += 1;
            self.succeeded.push(item);
        } else {
            self.failed += 1;
            self.failures.push(item);
        }
        true
    }

    /// The state a row's request of this batch asks for, if one is in
    /// flight.
    pub fn sending(&self, instance: usize, jid: &str) -> Option<bool> {
        self.sending
            .get(&(instance, jid.to_string()))
            .map(|i| i.block)
    }

    /// Drops what is not sent yet; returns how many.
    pub fn cancel(&mut self) -> usize {
        let n = self.queue.len();
        self.queue.clear();
        self.queued_on.clear();
        self.cancelled += n;
        n
    }

    /// Steps of its progress: (made, in all), lookups and answers alike.
    pub fn steps(&self) -> (usize, usize) {
        let looked = self.lookups.saturating_sub(self.lookups_left);
        (
            looked + self.done + self.failed,
            self.lookups
                + self.total
                + self.not_on_whatsapp.len()
                + self.hidden.len()
                + self.unmatched.len(),
        )
    }

    /// Items neither answered nor cancelled.
    pub fn left(&self) -> usize {
        self.queue.len() + self.sending.len()
    }

    /// Whether every item is answered or cancelled.
    pub fn is_finished(&self) -> bool {
        self.id.is_some() && self.left() == 0
    }

    /// Seconds left, once known: at the pace so far, and never less than
    /// the rate budget allows. `budget` gives an instance's token budget
    /// as last reported: (the token it is of, requests left in the window,
    /// requests per window). Items of one token beyond what is left wait
    /// for later windows.
    pub fn seconds_left(
        &self,
        tick: u64,
        budget: impl Fn(usize) -> Option<(usize, u32, u32)>,
    ) -> Option<u64> {
        let answered = (self.done + self.failed) as u64;
        let elapsed = tick.saturating_sub(self.started);
        let pace = (answered > 0 && elapsed > 0)
            .then(|| elapsed * self.left() as u64 / answered / TICKS_PER_SECOND);
        // Items left per token, with that token's budget.
        let mut left: HashMap<usize, (u64, u32, u32)> = HashMap::new();
        for item in self.queue.iter().chain(self.sending.values()) {
            if let Some((token, remaining, limit)) = budget(item.instance) {
                left.entry(token).or_insert((0, remaining, limit)).0 += 1;
            }
        }
        // Lookups still asked take the budget too (through the instances
        // of the items: counted on the first one's token).
        if let Some((token, remaining, limit)) = self.queue.front().and_then(|i| budget(i.instance))
        {
            left.entry(token).or_insert((0, remaining, limit)).0 += self.lookups_left as u64;
        }
        let window = crate::api::rate::WINDOW.as_secs();
        let by_budget = left
            .values()
            .filter_map(|&(n, remaining, limit)| {
                let beyond = n.saturating_sub(u64::from(remaining));
                (beyond > 0 && limit > 0).then(|| beyond.div_ceil(u64::from(limit)) * window)
            })
            .max();
        match (pace, by_budget) {
            (Some(p), Some(b)) => Some(p.max(b)),
            (p, b) => p.or(b),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items(n: usize) -> Vec<Item> {
        (0..n)
            .map(|i| Item {
                instance: 0,
                jid: format!("{i}@s.whatsapp.net"),
                lid: None,
                block: true,
                action: None,
                reason: None,
            })
            .collect()
    }

    #[test]
    fn feeds_a_few_at_a_time_after_recording() {
        let mut b = Batch::new("x".into(), items(20), Kind::Action, 0);
        assert!(
            b.next_jobs().is_empty(),
            "nothing is sent before the ledger has it"
        );
        b.recorded(7, &(100..120).collect::<Vec<_>>());
        let jobs = b.next_jobs();
        assert_eq!(jobs.len(), MAX_IN_FLIGHT);
        assert!(matches!(
            &jobs[0],
            Job::Api(ApiCall::Block(BlockCall {
                action: 100,
                batch: Some(7),
                ..
            }))
        ));
        assert!(b.next_jobs().is_empty());
        assert!(b.answered(0, "0@s.whatsapp.net", true));
        assert!(b.answered(0, "1@s.whatsapp.net", false));
        assert!(!b.answered(0, "0@s.whatsapp.net", true), "counted once");
        assert_eq!(b.next_jobs().len(), 2);
        assert_eq!((b.done, b.failed, b.left()), (1, 1, 18));
        assert_eq!(b.cancel(), 10);
        assert_eq!(b.left(), 8);
        assert!(!b.is_finished());
        for i in 2..10 {
            b.answered(0, &format!("{i}@s.whatsapp.net"), true);
        }
        assert!(b.is_finished());
        assert_eq!((b.done, b.failed, b.cancelled, b.total), (9, 1, 10, 20));
        assert_eq!(b.succeeded.len(), 9);
    }

    #[test]
    fn estimates_time_left_from_the_pace() {
        let mut b = Batch::new("x".into(), items(10), Kind::Action, 0);
        b.recorded(1, &(1..=10).collect::<Vec<_>>());
        b.next_jobs();
        assert_eq!(b.seconds_left(8, |_| None), None);
        b.answered(0, "0@s.whatsapp.net", true);
        b.answered(0, "1@s.whatsapp.net", true);
        // 2 answers in 8 ticks (2 s): 8 left take 8 s.
        assert_eq!(b.seconds_left(8, |_| None), Some(8));
        // With 3 requests left of 60 a minute, 5 wait for the next window.
        assert_eq!(b.seconds_left(8, |_| Some((0, 3, 60))), Some(60));
        assert_eq!(b.seconds_left(8, |_| Some((0, 30, 60))), Some(8));
        // After Esc only what is in flight is left.
        b.cancel();
        assert_eq!(b.left(), MAX_IN_FLIGHT - 2);
        assert_eq!(b.seconds_left(8, |_| Some((0, 0, 60))), Some(60));
    }

    #[test]
    fn instances_sharing_a_token_share_its_budget() {
        let mut items = items(300);
        for (n, item) in items.iter_mut().enumerate() {
            item.instance = n % 3;
        }
        let b = Batch::new("x".into(), items, Kind::Action, 0);
        // 100 each on three instances: one token of 100 a minute takes
        // two more windows; three tokens take none.
        assert_eq!(b.seconds_left(0, |_| Some((0, 100, 100))), Some(120));
        assert_eq!(b.seconds_left(0, |i| Some((i, 100, 100))), None);
    }

    #[test]
    fn the_runner_creates_feeds_and_closes() {
        let mut b = Batch::new("x".into(), items(3), Kind::Action, 0);
        let LedgerWrite::CreateBatch { label, items, .. } = b.create_job() else {
            panic!("the ledger is asked first")
        };
        assert_eq!((label.as_str(), items.len()), ("x", 3));
        b.recorded(9, &[1, 2, 3]);
        assert_eq!(b.next_jobs().len(), 3);
        assert!(b.answer(0, "0@s.whatsapp.net", true, true).is_empty());
        assert!(b.answer(0, "1@s.whatsapp.net", false, true).is_empty());
        assert_eq!(
            b.answer(0, "2@s.whatsapp.net", true, true),
            [Job::Write(LedgerWrite::CloseBatch {
                batch: 9,
                status: crate::store::ledger::BatchStatus::Done
            })],
            "the last answer closes it"
        );
    }

    #[test]
    fn inverse_flips_and_forgets_the_action() {
        let mut i = items(1).remove(0);
        i.action = Some(3);
        let inv = i.inverse();
        assert!(!inv.block);
        assert_eq!(inv.action, None);
        assert_eq!(inv.jid, i.jid);
    }
}

#[cfg(test)]
mod open_for_resume {
    use super::*;

    fn item(n: u32) -> Item {
        Item {
            instance: 0,
            jid: format!("{n}@s.whatsapp.net"),
            lid: None,
            block: true,
            action: None,
            reason: None,
        }
    }

    #[test]
    fn a_batch_with_unsent_or_unrecorded_items_is_not_closed() {
        for (ok, recorded) in [(false, false), (true, false)] {
            let mut b = Batch::new("t".into(), vec![item(0), item(1)], Kind::Action, 0);
            b.recorded(9, &[1, 2]);
            b.next_jobs();
            assert!(b.answer(0, "0@s.whatsapp.net", true, true).is_empty());
            let jobs = b.answer(0, "1@s.whatsapp.net", ok, recorded);
            assert!(b.is_finished());
            assert!(!b.closes());
            assert_eq!(
                jobs,
                vec![Job::Write(LedgerWrite::CloseBatch {
                    batch: 9,
                    status: crate::store::ledger::BatchStatus::Left
                })],
                "left open for resume, this run's claim let go"
            );
        }
    }

    #[test]
    fn an_unrecorded_answer_stops_the_batch() {
        let items: Vec<Item> = (0..12).map(item).collect();
        let mut b = Batch::new("t".into(), items, Kind::Action, 0);
        b.recorded(9, &(1..=12).collect::<Vec<i64>>());
        let first = b.next_jobs();
        assert_eq!(first.len(), MAX_IN_FLIGHT);
        // The first answer is recorded, the second is not: nothing more
        // goes out, and what was queued is held back for resume.
        assert_eq!(b.answer(0, "0@s.whatsapp.net", true, true).len(), 1);
        let jobs = b.answer(0, "1@s.whatsapp.net", true, false);
        assert!(jobs.is_empty(), "{jobs:?}");
        assert_eq!((b.unrecorded, b.held_back), (1, 3));
        assert!(!b.closes());
        // What was already on its way is still counted as it answers.
        for i in 2..=8 {
            b.answer(0, &format!("{i}@s.whatsapp.net"), true, true);
        }
        assert!(b.is_finished());
        assert_eq!(b.done, 9);
    }
}
