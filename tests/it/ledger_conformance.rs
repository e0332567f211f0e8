//! One conformance suite for every ledger backend: the same cases
//! (intent and outcome, the `@lid` rule, batches, claims, history,
//! counts, owners, the change mark, requests left waiting, a newer
//! schema) run against a SQLite file in a temporary folder and against a
//! real PostgreSQL (a throw-away cluster, one database per case).
//!
//! A case gets an empty ledger of its own as a [`Store`]: connections to
//! it, and the few hand edits a case needs (another machine's claim, a
//! request asked for earlier, a newer schema), written once per backend.
//! The ledger API has no clock to inject, so time is moved in the rows.

use std::hash::{Hash, Hasher};
use std::panic::AssertUnwindSafe;
use std::path::PathBuf;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use ryze_contacts::store::ledger::{
    BatchItem, BatchStatus, BlockEntry, CLAIM_STALE_SECS, Claim, FILE_NAME, HistoryResult,
    Identity, KnownState, Ledger, LedgerError, LookedUp, Outcome, PgLedger, SqliteLedger,
};

use crate::pg_cluster::Cluster;

/// One empty ledger of one backend, and what a case does under it.
trait Store {
    /// `sqlite` or `postgres`, as [`Ledger::status`] names it.
    fn backend(&self) -> &'static str;
    /// A new connection to this ledger.
    fn open(&self) -> Result<Box<dyn Ledger>, LedgerError>;
    /// Runs `sql` on the ledger's storage directly, as a hand edit.
    fn execute(&self, sql: &str);
    /// The table names: (requests, batches).
    fn tables(&self) -> (&'static str, &'static str);
    /// Marks the ledger as made by a newer ryze-contacts, schema `version`.
    fn set_schema(&self, version: i64);
    /// A fingerprint of everything the storage holds.
    fn snapshot(&self) -> String;
}

/// The SQLite file in a temporary data folder.
struct SqliteStore {
    dir: tempfile::TempDir,
}

impl SqliteStore {
    fn path(&self) -> PathBuf {
        self.dir.path().join(FILE_NAME)
    }
}

impl Store for SqliteStore {
    fn backend(&self) -> &'static str {
        "sqlite"
    }

    fn open(&self) -> Result<Box<dyn Ledger>, LedgerError> {
        let (ledger, _) = SqliteLedger::open(self.dir.path())?;
        Ok(Box::new(ledger))
    }

    fn execute(&self, sql: &str) {
        rusqlite::Connection::open(self.path())
            .unwrap()
            .execute_batch(sql)
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
    }

    fn tables(&self) -> (&'static str, &'static str) {
        ("actions", "batches")
    }

    fn set_schema(&self, version: i64) {
        self.execute(&format!("PRAGMA user_version = {version};"));
    }

    fn snapshot(&self) -> String {
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        std::fs::read(self.path()).unwrap().hash(&mut hasher);
        let mut names: Vec<String> = std::fs::read_dir(self.dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        format!("{:x} {names:?}", hasher.finish())
    }
}

/// A database of its own on the shared cluster.
struct PgStore<'a> {
    pg: &'a Cluster,
    db: String,
}

impl Store for PgStore<'_> {
    fn backend(&self) -> &'static str {
        "postgres"
    }

    fn open(&self) -> Result<Box<dyn Ledger>, LedgerError> {
        let target = ryze_contacts::config::ledger::parse_url(&self.pg.url(&self.db)).unwrap();
        let (ledger, _) = PgLedger::open(target)?;
        Ok(Box::new(ledger))
    }

    fn execute(&self, sql: &str) {
        self.pg.query_in(&self.db, sql);
    }

    fn tables(&self) -> (&'static str, &'static str) {
        ("ryze_actions", "ryze_batches")
    }

    fn set_schema(&self, version: i64) {
        self.execute(&format!("UPDATE ryze_schema SET version = {version}"));
    }

    fn snapshot(&self) -> String {
        let tables = self.pg.query_in(
            &self.db,
            "SELECT string_agg(tablename, ',' ORDER BY tablename) FROM pg_tables WHERE schemaname = 'public'",
        );
        let rows: Vec<String> = tables
            .split(',')
            .map(|t| {
                self.pg.query_in(
                    &self.db,
                    &format!("SELECT md5(COALESCE(string_agg(t::TEXT, '|' ORDER BY t::TEXT), '')) FROM {t} t"),
                )
            })
            .collect();
        format!("{tables} {rows:?}")
    }
}

/// One case of the contract, run on an empty ledger.
type Case = fn(&dyn Store);

/// Every case, by name.
const CASES: &[(&str, Case)] = &[
    (
        "an_intent_then_its_outcome_is_what_is_known",
        an_intent_then_its_outcome_is_what_is_known,
    ),
    (
        "an_answers_lid_is_adopted_only_when_valid_and_nobody_elses",
        an_answers_lid_is_adopted_only_when_valid_and_nobody_elses,
    ),
    (
        "a_batch_records_its_intents_in_order_and_offers_what_is_left",
        a_batch_records_its_intents_in_order_and_offers_what_is_left,
    ),
    ("closing_a_batch_ends_it_once", closing_a_batch_ends_it_once),
    (
        "a_claim_stamped_in_the_future_is_stale",
        a_claim_stamped_in_the_future_is_stale,
    ),
    (
        "answers_of_two_desks_are_ordered_by_the_servers_clock",
        answers_of_two_desks_are_ordered_by_the_servers_clock,
    ),
    (
        "a_batch_is_claimed_by_one_run_until_its_claim_goes_stale",
        a_batch_is_claimed_by_one_run_until_its_claim_goes_stale,
    ),
    (
        "history_is_newest_first_per_instance_since_a_time_and_limited",
        history_is_newest_first_per_instance_since_a_time_and_limited,
    ),
    (
        "status_counts_requests_blocked_contacts_and_open_batches",
        status_counts_requests_blocked_contacts_and_open_batches,
    ),
    (
        "owner_of_finds_a_known_contact_by_jid_or_lid_on_its_instance",
        owner_of_finds_a_known_contact_by_jid_or_lid_on_its_instance,
    ),
    (
        "the_change_mark_moves_when_another_connection_records",
        the_change_mark_moves_when_another_connection_records,
    ),
    (
        "requests_left_waiting_are_offered_for_resume_at_the_next_open",
        requests_left_waiting_are_offered_for_resume_at_the_next_open,
    ),
    (
        "a_ledger_of_a_newer_schema_is_refused_untouched",
        a_ledger_of_a_newer_schema_is_refused_untouched,
    ),
    (
        "a_lookup_is_kept_the_newest_wins_and_a_row_naming_no_person_is_none",
        a_lookup_is_kept_the_newest_wins_and_a_row_naming_no_person_is_none,
    ),
    (
        "the_blocklist_adds_updates_removes_retracts_and_knows_what_it_blocked",
        the_blocklist_adds_updates_removes_retracts_and_knows_what_it_blocked,
    ),
];

/// Runs every case on a fresh store from `fresh` (given the case's
/// number); fails naming every case that failed (each one's panic is
/// printed as it happens).
fn conform<'s>(backend: &str, fresh: impl Fn(usize) -> Box<dyn Store + 's>) {
    let failed: Vec<&str> = CASES
        .iter()
        .enumerate()
        .filter(|(i, (name, case))| {
            let store = fresh(*i);
            assert_eq!(store.backend(), backend);
            let failed =
                std::panic::catch_unwind(AssertUnwindSafe(|| case(store.as_ref()))).is_err();
            if failed {
                eprintln!("{backend}: {name} failed");
            }
            failed
        })
        .map(|(_, (name, _))| *name)
        .collect();
    assert!(
        failed.is_empty(),
        "the {backend} ledger breaks the contract in: {failed:?}"
    );
}

#[test]
fn sqlite_keeps_the_ledger_contract() {
    conform("sqlite", |_| {
        Box::new(SqliteStore {
            dir: tempfile::tempdir().unwrap(),
        })
    });
}

#[test]
fn postgres_keeps_the_ledger_contract() {
    let pg = Cluster::start();
    conform("postgres", |case| {
        let db = format!("case_{case}");
        pg.create_database(&db);
        Box::new(PgStore { pg: &pg, db })
    });
}

const JID_1: &str = "5511999990001@s.whatsapp.net";
const JID_2: &str = "5511999990002@s.whatsapp.net";
const JID_3: &str = "5511999990003@s.whatsapp.net";
const JID_4: &str = "5511999990004@s.whatsapp.net";
const LID_1: &str = "11111111111111@lid";

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// A connection to `store`'s ledger.
fn open(store: &dyn Store) -> Box<dyn Ledger> {
    store
        .open()
        .unwrap_or_else(|e| panic!("the {} ledger did not open: {e}", store.backend()))
}

fn item(instance: &str, jid: &str, block: bool, reason: Option<&str>) -> BatchItem {
    BatchItem {
        instance: instance.into(),
        jid: jid.into(),
        lid: None,
        block,
        reason: reason.map(str::to_string),
    }
}

/// A success answered for `jid`: now `blocked`, the account's count 1.
fn done(jid: &str, blocked: bool) -> Outcome {
    Outcome::Done {
        contact_jid: jid.into(),
        blocked,
        blocked_count: Some(1),
        server_at: None,
        list_own: false,
    }
}

/// Records a request and its success; returns its id.
fn confirmed(ledger: &mut dyn Ledger, jid: &str, block: bool, operator: &str) -> i64 {
    let id = ledger
        .record_intent("sales", jid, None, block, operator, None)
        .unwrap();
    ledger.record_outcome(id, &done(jid, block)).unwrap();
    id
}

/// Request `id` was asked for `ago` seconds before now.
fn backdate(store: &dyn Store, id: i64, ago: i64) {
    let (actions, _) = store.tables();
    store.execute(&format!(
        "UPDATE {actions} SET requested_at = {} WHERE id = {id}",
        now() - ago
    ));
}

/// A run of `operator` on another machine holds `batch`; its last
/// progress was `ago` seconds before now.
fn hold_elsewhere(store: &dyn Store, batch: i64, operator: &str, ago: i64) {
    let (_, batches) = store.tables();
    store.execute(&format!(
        "UPDATE {batches} SET claimed_by = '{operator}', claimed_at = {}, claim_pid = 1, claim_host = 'elsewhere.invalid' WHERE id = {batch}",
        now() - ago
    ));
}

fn an_intent_then_its_outcome_is_what_is_known(store: &dyn Store) {
    let mut ledger = open(store);
    let asked = ledger
        .record_intent("sales", JID_1, Some(LID_1), true, "desk-1", Some("spam"))
        .unwrap();
    assert_eq!(
        ledger.outcome_of(asked).unwrap().as_deref(),
        Some("pending")
    );
    assert!(
        ledger.known().unwrap().is_empty(),
        "an intent alone is not known"
    );
    let at = ledger.record_outcome(asked, &done(JID_1, true)).unwrap();
    assert!((at - now()).abs() <= 5, "the time stored is now: {at}");
    assert_eq!(ledger.outcome_of(asked).unwrap().as_deref(), Some("done"));

    let failed = ledger
        .record_intent("sales", JID_2, None, true, "desk-2", None)
        .unwrap();
    ledger
        .record_outcome(failed, &Outcome::Failed("HTTP 503 · not connected".into()))
        .unwrap();
    assert_eq!(
        ledger.outcome_of(failed).unwrap().as_deref(),
        Some("failed")
    );
    assert_eq!(ledger.outcome_of(failed + 1000).unwrap(), None);
    let blocked = KnownState {
        instance: "sales".into(),
        jid: JID_1.into(),
        lid: Some(LID_1.into()),
        blocked: true,
        changed_at: at,
        operator: Some("desk-1".into()),
        reason: Some("spam".into()),
        contest: None,
    };
    assert_eq!(
        ledger.known().unwrap(),
        std::slice::from_ref(&blocked),
        "a failure changes no known state"
    );

    // Unblocked by a colleague without a reason, moments later and with
    // no server's clock to order the two: the last recorded is what is
    // known, said to be contested; the @lid stays.
    let undone = ledger
        .record_intent("sales", JID_1, None, false, "desk-2", None)
        .unwrap();
    let later = ledger.record_outcome(undone, &done(JID_1, false)).unwrap();
    let unblocked = KnownState {
        blocked: false,
        changed_at: later,
        operator: Some("desk-2".into()),
        reason: None,
        contest: Some("desk-1 blocked, desk-2 unblocked 0 s apart".into()),
        ..blocked
    };
    assert_eq!(ledger.known().unwrap(), std::slice::from_ref(&unblocked));
    assert_eq!(open(store).known().unwrap(), [unblocked], "and it lasts");
}

fn an_answers_lid_is_adopted_only_when_valid_and_nobody_elses(store: &dyn Store) {
    let mut ledger = open(store);
    let mut act = |jid: &str, lid: Option<&str>, answer: &str| {
        let id = ledger
            .record_intent("sales", jid, lid, true, "desk-1", None)
            .unwrap();
        ledger.record_outcome(id, &done(answer, true)).unwrap();
    };
    act(JID_1, Some(LID_1), LID_1);
    // Another contact's @lid, an invalid one, a free valid one.
    act(JID_2, None, LID_1);
    act(JID_3, None, "=cmd()@lid");
    act(JID_4, None, "44444444444444@lid");
    let lids: Vec<(String, Option<String>)> = ledger
        .known()
        .unwrap()
        .into_iter()
        .map(|k| (k.jid, k.lid))
        .collect();
    assert_eq!(
        lids,
        [
            (JID_1.to_string(), Some(LID_1.to_string())),
            (JID_2.to_string(), None),
            (JID_3.to_string(), None),
            (JID_4.to_string(), Some("44444444444444@lid".to_string())),
        ]
    );
}

fn a_batch_records_its_intents_in_order_and_offers_what_is_left(store: &dyn Store) {
    let mut ledger = open(store);
    let items: Vec<BatchItem> = [JID_1, JID_2, JID_3]
        .into_iter()
        .map(|jid| item("sales", jid, true, Some("fraud")))
        .collect();
    let (batch, ids) = ledger
        .create_batch("block 3 on sales", &items, "desk-1")
        .unwrap();
    assert_eq!(ids.len(), 3);
    assert!(
        ids.windows(2).all(|w| w[0] < w[1]),
        "in item order: {ids:?}"
    );
    for id in &ids {
        assert_eq!(ledger.outcome_of(*id).unwrap().as_deref(), Some("pending"));
    }
    let history = ledger.history(None, None, 10).unwrap();
    let recorded: Vec<(i64, &str, Option<&str>, Option<&str>)> = history
        .iter()
        .map(|e| {
            let (operator, reason) = (e.operator.as_deref(), e.reason.as_deref());
            (e.id, e.jid.as_str(), operator, reason)
        })
        .collect();
    assert_eq!(
        recorded,
        [
            (ids[2], JID_3, Some("desk-1"), Some("fraud")),
            (ids[1], JID_2, Some("desk-1"), Some("fraud")),
            (ids[0], JID_1, Some("desk-1"), Some("fraud")),
        ],
        "every intent recorded before anything is sent"
    );

    ledger.record_outcome(ids[0], &done(JID_1, true)).unwrap();
    ledger
        .record_outcome(ids[1], &Outcome::Failed("HTTP 500".into()))
        .unwrap();
    let (second, more) = ledger
        .create_batch(
            "unblock 1",
            &[item("support", JID_4, false, None)],
            "desk-2",
        )
        .unwrap();
    assert!(second > batch, "batch ids grow: {batch}, {second}");
    let open_now = ledger.unfinished_batches().unwrap();
    assert_eq!(open_now.len(), 2, "{open_now:?}");
    let first = &open_now[0];
    assert_eq!(
        (first.id, first.label.as_str(), first.total, first.done),
        (batch, "block 3 on sales", 3, 1)
    );
    assert!((first.created_at - now()).abs() <= 5, "{first:?}");
    assert_eq!(
        first.left,
        [(ids[1], items[1].clone()), (ids[2], items[2].clone())],
        "what failed and what was not answered is left"
    );
    assert_eq!(open_now[1].id, second);
    assert_eq!(
        open_now[1].left,
        [(more[0], item("support", JID_4, false, None))]
    );
}

fn closing_a_batch_ends_it_once(store: &dyn Store) {
    let mut ledger = open(store);
    let (kept, _) = ledger
        .create_batch("left", &[item("sales", JID_1, true, None)], "desk-1")
        .unwrap();
    let (done_batch, _) = ledger
        .create_batch("done", &[item("sales", JID_2, true, None)], "desk-1")
        .unwrap();
    let (cancelled, _) = ledger
        .create_batch("cancelled", &[item("sales", JID_3, true, None)], "desk-1")
        .unwrap();
    let (answered, answered_ids) = ledger
        .create_batch("answered", &[item("sales", JID_4, true, None)], "desk-1")
        .unwrap();
    ledger
        .record_outcome(answered_ids[0], &done(JID_4, true))
        .unwrap();
    ledger.close_batch(kept, BatchStatus::Left).unwrap();
    ledger.close_batch(done_batch, BatchStatus::Done).unwrap();
    ledger
        .close_batch(cancelled, BatchStatus::Cancelled)
        .unwrap();
    // A batch closed stays closed.
    ledger.close_batch(done_batch, BatchStatus::Left).unwrap();
    let ids: Vec<i64> = ledger
        .unfinished_batches()
        .unwrap()
        .iter()
        .map(|b| b.id)
        .collect();
    assert_eq!(
        ids,
        [kept],
        "left stays open; done and cancelled end; all answered is not offered (answered: {answered})"
    );
    assert_eq!(
        ledger.status().unwrap().open_batches,
        2,
        "open: the left one and the answered one never closed"
    );
}

fn a_batch_is_claimed_by_one_run_until_its_claim_goes_stale(store: &dyn Store) {
    let mut ledger = open(store);
    let other = open(store);
    let (batch, ids) = ledger
        .create_batch("b", &[item("sales", JID_1, true, None)], "desk-1")
        .unwrap();
    // Its creator, this very run, holds it.
    assert_eq!(ledger.claim_batch(batch, "desk-1").unwrap(), Claim::Ours);

    let theirs = |ago: i64, why: &str| match other.claim_batch(batch, "desk-1").unwrap() {
        Claim::Theirs { operator, since } => {
            assert_eq!(operator, "desk-2", "{why}");
            assert!((since - (now() - ago)).abs() <= 5, "{why}: since {since}");
        }
        Claim::Ours => panic!("{why}: the claim was taken"),
    };
    hold_elsewhere(store, batch, "desk-2", 5);
    theirs(5, "another machine's run making progress");
    hold_elsewhere(store, batch, "desk-2", CLAIM_STALE_SECS - 30);
    theirs(CLAIM_STALE_SECS - 30, "silent, but not for long enough");
    hold_elsewhere(store, batch, "desk-2", CLAIM_STALE_SECS + 1);
    assert_eq!(
        other.claim_batch(batch, "desk-1").unwrap(),
        Claim::Ours,
        "silent for longer than the stale time: taken over"
    );

    // An answer recorded in the batch is progress: its holder's claim is
    // fresh again.
    hold_elsewhere(store, batch, "desk-2", CLAIM_STALE_SECS + 1);
    ledger
        .record_outcome(ids[0], &Outcome::Failed("HTTP 500".into()))
        .unwrap();
    theirs(0, "progress keeps a claim");

    // Closing (even to leave it open) lets go of it.
    ledger.close_batch(batch, BatchStatus::Left).unwrap();
    assert_eq!(other.claim_batch(batch, "desk-1").unwrap(), Claim::Ours);
    assert_eq!(ledger.unfinished_batches().unwrap().len(), 1, "still open");
}

fn a_claim_stamped_in_the_future_is_stale(store: &dyn Store) {
    let mut ledger = open(store);
    let (batch, _) = ledger
        .create_batch("b", &[item("sales", JID_1, true, None)], "desk-1")
        .unwrap();
    let other = open(store);
    // A desk whose clock runs a few seconds ahead still holds it.
    hold_elsewhere(store, batch, "desk-9", -5);
    assert!(
        matches!(other.claim_batch(batch, "desk-1").unwrap(), Claim::Theirs { operator, .. } if operator == "desk-9"),
        "a few seconds ahead is a clock, not a lock"
    );
    // Stamped in the year 3000 (a clock gone wrong, or a forged row):
    // never a lock for ever.
    let year_3000 = 32_503_680_000;
    hold_elsewhere(store, batch, "desk-9", now() - year_3000);
    assert_eq!(other.claim_batch(batch, "desk-1").unwrap(), Claim::Ours);
}

/// Records `operator`'s answer for JID_1: `blocked`, at the server's
/// `server_at`.
fn answered(ledger: &mut dyn Ledger, operator: &str, blocked: bool, server_at: i64) {
    let id = ledger
        .record_intent("sales", JID_1, None, blocked, operator, None)
        .unwrap();
    let outcome = Outcome::Done {
        contact_jid: JID_1.into(),
        blocked,
        blocked_count: Some(1),
        server_at: Some(server_at),
        list_own: false,
    };
    ledger.record_outcome(id, &outcome).unwrap();
}

fn answers_of_two_desks_are_ordered_by_the_servers_clock(store: &dyn Store) {
    let mut ledger = open(store);
    let state = |ledger: &dyn Ledger| {
        let k = ledger.known().unwrap().remove(0);
        (k.blocked, k.operator.unwrap_or_default(), k.contest)
    };
    let t = now();
    answered(ledger.as_mut(), "desk-a", true, t);
    assert_eq!(state(ledger.as_ref()), (true, "desk-a".into(), None));
    // Another desk's opposite answer 2 s later by the server's clock:
    // too close to order. The later is kept, and said to be contested.
    let mut other = open(store);
    answered(other.as_mut(), "desk-b", false, t + 2);
    let contest = Some("desk-a blocked, desk-b unblocked 2 s apart".to_string());
    assert_eq!(
        state(ledger.as_ref()),
        (false, "desk-b".into(), contest.clone())
    );
    // An answer the server gave long before (it arrived late): never
    // written over the later one, whatever the desk's clock says.
    answered(ledger.as_mut(), "desk-a", true, t - 60);
    assert_eq!(state(ledger.as_ref()), (false, "desk-b".into(), contest));
    // A fresh answer clearly after both settles it.
    answered(other.as_mut(), "desk-c", true, t + 30);
    assert_eq!(state(ledger.as_ref()), (true, "desk-c".into(), None));
    // Clearly later by the server: simply the state, no contest.
    answered(ledger.as_mut(), "desk-a", false, t + 60);
    assert_eq!(state(ledger.as_ref()), (false, "desk-a".into(), None));
}

fn history_is_newest_first_per_instance_since_a_time_and_limited(store: &dyn Store) {
    let mut ledger = open(store);
    let a = ledger
        .record_intent("sales", JID_1, Some(LID_1), true, "desk-1", Some("spam"))
        .unwrap();
    ledger.record_outcome(a, &done(JID_1, true)).unwrap();
    let b = ledger
        .record_intent("sales", JID_2, None, false, "desk-2", None)
        .unwrap();
    ledger
        .record_outcome(b, &Outcome::Failed("HTTP 503 · not connected".into()))
        .unwrap();
    let c = ledger
        .record_intent("support", JID_3, None, true, "desk-1", None)
        .unwrap();
    // The newest id, asked for an hour ago: it comes last.
    let d = ledger
        .record_intent("sales", JID_4, None, true, "desk-1", None)
        .unwrap();
    backdate(store, d, 3600);

    let ids = |instance: Option<&str>, since: Option<i64>, limit: usize| -> Vec<i64> {
        let entries = ledger.history(instance, since, limit).unwrap();
        entries.iter().map(|e| e.id).collect()
    };
    assert_eq!(ids(Some("sales"), None, 100), [b, a, d]);
    assert_eq!(ids(None, None, 100), [c, b, a, d]);
    assert_eq!(ids(None, None, 2), [c, b], "the newest, at most the limit");
    assert_eq!(ids(None, Some(now() - 60), 100), [c, b, a]);
    assert_eq!(ids(Some("sales"), Some(now() - 60), 1), [b]);
    assert!(ids(None, Some(now() + 100), 100).is_empty());
    assert!(ids(Some("billing"), None, 100).is_empty());

    let sales = ledger.history(Some("sales"), None, 100).unwrap();
    assert_eq!(
        sales[0].result,
        HistoryResult::Failed("HTTP 503 · not connected".into())
    );
    assert_eq!(sales[1].result, HistoryResult::Done(Some(1)));
    assert_eq!(sales[2].result, HistoryResult::Unanswered);
    let first = &sales[1];
    assert_eq!(
        (
            first.instance.as_str(),
            first.jid.as_str(),
            first.lid.as_deref()
        ),
        ("sales", JID_1, Some(LID_1))
    );
    assert!(first.block && !sales[0].block);
    assert_eq!(
        (first.operator.as_deref(), first.reason.as_deref()),
        (Some("desk-1"), Some("spam"))
    );
    assert!((first.requested_at - now()).abs() <= 5, "{first:?}");
    assert_eq!(sales[0].operator.as_deref(), Some("desk-2"));
}

fn status_counts_requests_blocked_contacts_and_open_batches(store: &dyn Store) {
    let mut ledger = open(store);
    let empty = ledger.status().unwrap();
    assert_eq!(empty.backend, store.backend());
    assert_eq!(empty.schema, empty.newest_schema);
    assert!(!empty.location.is_empty());
    assert_eq!(
        (empty.actions, empty.blocked, empty.open_batches),
        (0, 0, 0)
    );

    confirmed(ledger.as_mut(), JID_1, true, "desk-1");
    confirmed(ledger.as_mut(), JID_2, true, "desk-1");
    confirmed(ledger.as_mut(), JID_2, false, "desk-1");
    ledger
        .record_intent("sales", JID_3, None, true, "desk-1", None)
        .unwrap();
    let (open_batch, _) = ledger
        .create_batch(
            "two",
            &[
                item("sales", JID_3, true, None),
                item("sales", JID_4, true, None),
            ],
            "desk-1",
        )
        .unwrap();
    let (closed, _) = ledger
        .create_batch("one", &[item("sales", JID_4, true, None)], "desk-1")
        .unwrap();
    ledger.close_batch(closed, BatchStatus::Cancelled).unwrap();

    let status = ledger.status().unwrap();
    assert_eq!(
        (status.actions, status.blocked, status.open_batches),
        (7, 1, 1),
        "requests, contacts known blocked, open batches ({open_batch})"
    );
    assert!(status.bytes > 0, "{status:?}");
}

fn owner_of_finds_a_known_contact_by_jid_or_lid_on_its_instance(store: &dyn Store) {
    let mut ledger = open(store);
    let id = ledger
        .record_intent("sales", JID_1, Some(LID_1), true, "desk-1", None)
        .unwrap();
    ledger.record_outcome(id, &done(JID_1, true)).unwrap();
    ledger
        .record_intent("sales", JID_2, None, true, "desk-1", None)
        .unwrap();
    let owner = |instance: &str, id: &str| ledger.owner_of(instance, id).unwrap();
    assert_eq!(owner("sales", JID_1).as_deref(), Some(JID_1));
    assert_eq!(owner("sales", LID_1).as_deref(), Some(JID_1));
    assert_eq!(owner("support", LID_1), None, "another instance's");
    assert_eq!(owner("sales", "99999999999999@lid"), None);
    assert_eq!(owner("sales", JID_2), None, "an intent alone is not known");
}

fn the_change_mark_moves_when_another_connection_records(store: &dyn Store) {
    let reader = open(store);
    let mut writer = open(store);
    let before = reader
        .change_mark()
        .unwrap()
        .expect("every backend keeps a change mark");
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(
        reader.change_mark().unwrap(),
        Some(before),
        "nothing written: the same mark"
    );
    confirmed(writer.as_mut(), JID_1, true, "desk-2");
    let deadline = Instant::now() + Duration::from_secs(5);
    while reader.change_mark().unwrap() == Some(before) {
        assert!(
            Instant::now() < deadline,
            "another connection's block did not move the mark"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    assert_eq!(reader.known().unwrap().len(), 1, "and the reader sees it");
}

fn requests_left_waiting_are_offered_for_resume_at_the_next_open(store: &dyn Store) {
    let id = {
        let ledger = open(store);
        // Sent long ago; the app stopped before the answer came.
        ledger
            .record_intent("sales", JID_1, None, true, "desk-1", Some("spam"))
            .unwrap()
    };
    backdate(store, id, CLAIM_STALE_SECS + 60);
    for _ in 0..2 {
        assert!(
            open(store).unfinished_batches().unwrap().is_empty(),
            "opening, as a read does, gathers nothing"
        );
    }
    assert_eq!(open(store).adopt_unanswered().unwrap(), 1);
    let offered = open(store).unfinished_batches().unwrap();
    assert_eq!(offered.len(), 1, "{offered:?}");
    assert_eq!(
        offered[0].label,
        "1 request(s) left waiting when the app stopped"
    );
    assert_eq!(
        offered[0].left,
        [(id, item("sales", JID_1, true, Some("spam")))]
    );
    assert_eq!(open(store).adopt_unanswered().unwrap(), 0, "gathered once");
    assert_eq!(open(store).unfinished_batches().unwrap().len(), 1);
}

fn a_ledger_of_a_newer_schema_is_refused_untouched(store: &dyn Store) {
    {
        let ledger = open(store);
        ledger
            .record_intent("sales", JID_1, None, true, "desk-1", None)
            .unwrap();
    }
    store.set_schema(99);
    let before = store.snapshot();
    let err = store
        .open()
        .expect_err("a ledger of a newer schema is refused");
    assert!(
        matches!(
            err,
            LedgerError::Newer { found: 99, .. } | LedgerError::NewerDatabase { found: 99, .. }
        ),
        "{err}"
    );
    let said = err.to_string();
    assert!(said.contains("newer ryze-contacts (schema 99"), "{said}");
    assert!(said.contains("was not changed"), "{said}");
    assert_eq!(store.snapshot(), before, "not a byte changed");
}

fn a_lookup_is_kept_the_newest_wins_and_a_row_naming_no_person_is_none(store: &dyn Store) {
    let ledger = open(store);
    let at = now();
    let joana = LookedUp {
        number: "5511912345678".into(),
        identity: Identity::OnWhatsApp {
            jid: "5511912345678@s.whatsapp.net".into(),
            lid: Some(LID_1.into()),
            name: Some("Joana Promo".into()),
            about: Some("Ofertas!".into()),
        },
        at,
    };
    let absent = LookedUp {
        number: "5511900000000".into(),
        identity: Identity::NotOnWhatsApp {
            message: "Number is not on WhatsApp".into(),
        },
        at: at - 10,
    };
    ledger.record_identity(&joana).unwrap();
    ledger.record_identity(&absent).unwrap();
    // An older lookup never replaces a newer one, and a number sent
    // unverified never replaces what a lookup found.
    let older = LookedUp {
        identity: Identity::NotOnWhatsApp {
            message: "gone".into(),
        },
        at: at - 100,
        ..joana.clone()
    };
    ledger.record_identity(&older).unwrap();
    let unverified = LookedUp {
        identity: Identity::Unverified,
        at: at + 1,
        ..joana.clone()
    };
    ledger.record_identity(&unverified).unwrap();
    let numbers = vec![joana.number.clone(), absent.number.clone(), "44".into()];
    let mut found = open(store).identities(&numbers, at - 60).unwrap();
    found.sort_by(|a, b| a.number.cmp(&b.number));
    assert_eq!(
        found,
        vec![absent.clone(), joana.clone()],
        "read by another connection"
    );
    assert_eq!(
        open(store).identities(&numbers, at - 5).unwrap(),
        vec![joana],
        "only what was looked up since"
    );
    // A row a colleague's script wrote that names no person is no lookup.
    store.execute(&format!(
        "UPDATE {} SET jid = 'status@broadcast' WHERE number = '5511912345678'",
        if store.backend() == "sqlite" {
            "identities"
        } else {
            "ryze_identities"
        }
    ));
    assert!(
        open(store).identities(&numbers, at - 5).unwrap().is_empty(),
        "asked again rather than trusted"
    );
}

fn the_blocklist_adds_updates_removes_retracts_and_knows_what_it_blocked(store: &dyn Store) {
    let mut ledger = open(store);
    let entry = |target: &str, source: &str, reason: &str| BlockEntry {
        target: target.into(),
        reason: Some(reason.into()),
        source: source.into(),
        operator: Some("desk-1".into()),
        added: 100,
        expires: None,
        removed: None,
    };
    let n1 = "5511999990001";
    let n2 = "5511999990002";
    let added = ledger
        .blocklist_add(&[
            entry(n1, "manual", "spam"),
            entry(n2, "feed", "fraud"),
            entry(n1, "feed", "x"),
        ])
        .unwrap();
    assert_eq!(added, 3);
    // The same number and source again: updated, not added.
    let mut longer = entry(n1, "manual", "spam calls");
    longer.expires = Some(5_000);
    assert_eq!(ledger.blocklist_add(&[longer]).unwrap(), 0);
    let all = open(store).blocklist().unwrap();
    assert_eq!(all.len(), 3);
    assert_eq!(all[0].reason.as_deref(), Some("spam calls"));
    assert_eq!(all[0].expires, Some(5_000));
    // Retracting a source leaves what a person added.
    assert_eq!(ledger.blocklist_retract("feed", 200).unwrap(), 2);
    let all = open(store).blocklist().unwrap();
    let active: Vec<(&str, &str)> = all
        .iter()
        .filter(|e| e.removed.is_none())
        .map(|e| (e.target.as_str(), e.source.as_str()))
        .collect();
    assert_eq!(active, [(n1, "manual")]);
    assert_eq!(ledger.blocklist_remove(&[n1.to_string()], 300).unwrap(), 1);
    assert!(
        open(store)
            .blocklist()
            .unwrap()
            .iter()
            .all(|e| e.removed.is_some())
    );
    // What the list blocked is noted with its answer (an unblock of an
    // apply is not), and any later change clears it.
    for (jid, block) in [(JID_1, true), (JID_2, true), (JID_3, false)] {
        let id = ledger
            .record_intent("sales", jid, None, block, "desk-1", None)
            .unwrap();
        let outcome = Outcome::Done {
            contact_jid: jid.into(),
            blocked: block,
            blocked_count: Some(1),
            server_at: None,
            list_own: true,
        };
        ledger.record_outcome(id, &outcome).unwrap();
    }
    assert_eq!(open(store).applied().unwrap().len(), 2);
    confirmed(ledger.as_mut(), JID_1, false, "desk-2");
    assert_eq!(
        open(store).applied().unwrap(),
        [("sales".to_string(), JID_2.to_string())],
        "an unblock by hand ends the list's claim on the contact"
    );
    // A block the list finds made by hand is not the list's own: a later
    // retraction must not unblock it.
    confirmed(ledger.as_mut(), JID_4, true, "desk-2");
    let id = ledger
        .record_intent("sales", JID_4, None, true, "desk-1", None)
        .unwrap();
    let outcome = Outcome::Done {
        contact_jid: JID_4.into(),
        blocked: true,
        blocked_count: Some(2),
        server_at: None,
        list_own: true,
    };
    ledger.record_outcome(id, &outcome).unwrap();
    assert_eq!(
        open(store).applied().unwrap(),
        [("sales".to_string(), JID_2.to_string())],
        "desk-2's hand block stays desk-2's"
    );
    // A row a colleague's script wrote that names no one is no entry.
    store.execute(&format!(
        "INSERT INTO {} (target, source, added_at) VALUES ('status@broadcast', 'x', 1)",
        if store.backend() == "sqlite" {
            "blocklist"
        } else {
            "ryze_blocklist"
        }
    ));
    assert_eq!(open(store).blocklist().unwrap().len(), 3);
}
