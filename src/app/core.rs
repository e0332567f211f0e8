//! The app's data beneath the overlays: instances, the view, the batch,
//! messages. Plain data, no I/O handles. Overlays and the actions they
//! take (bulk, ops) work on it; the overlay slot is above, in
//! the app's `State`.

use std::collections::HashMap;

use std::collections::HashSet;
use std::sync::Arc;

use super::batch::Batch;
use crate::keys::{Command, Keymap};
use crate::model::contacts::{ContactRef, ContactStore, Sort};
use crate::model::filter::Matching;
use crate::model::number::{Target, TypedError, read_typed};
use crate::protocol::ErrorInfo;
use crate::store::ledger::KnownState;

/// Lists up to this size are filtered at once; larger ones off the UI
/// path, showing the latest complete result meanwhile.
pub const SYNC_FILTER_LIMIT: usize = 20_000;

pub use super::clock::{INFO_TICKS, POLL_TICKS, TICKS_PER_SECOND};
pub use super::overlays::messages::Message;
pub use super::pager::Pager;
pub use crate::model::contacts::View;

/// A headless change waiting for the instances' states: the request,
/// and its numbers when they could be read before.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Waiting {
    /// The command's request.
    pub change: crate::protocol::ChangeRequest,
    /// Its numbers, once read.
    pub targets: Option<Vec<Target>>,
}

/// An instance's connection as far as the app knows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Connection {
    /// Not reported yet.
    Unknown,
    /// The server's state.
    State(crate::protocol::ConnState),
    /// The server does not list this instance.
    NotOnServer,
    /// The state could not be fetched.
    Failed(ErrorInfo),
}

impl Connection {
    /// A short word for tabs and the status bar.
    pub fn label(&self) -> String {
        match self {
            Connection::Unknown => "checking…".to_string(),
            Connection::State(state) => state.word().to_string(),
            Connection::NotOnServer => "not found".to_string(),
            Connection::Failed(e) => match e.status {
                Some(status) => format!("error {status}"),
                None => "unreachable".to_string(),
            },
        }
    }

    /// Whether the server says the instance is connected.
    pub fn is_connected(&self) -> bool {
        matches!(self, Connection::State(s) if s.is_connected())
    }
}

/// Where an instance's contact list stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Load {
    /// Never asked for.
    NotStarted,
    /// A request is in flight.
    Loading,
    /// Contacts are here (a refresh may be in flight: see `refreshing`).
    Loaded,
    /// The last request failed and there is nothing to show.
    Failed(ErrorInfo),
}

/// What the ledger knows of one contact.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Known {
    /// Blocked after this app's last change.
    pub blocked: bool,
    /// Unix time of that change.
    pub at: i64,
}

/// Who made a change, and why, as the ledger keeps it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Why {
    /// The operator.
    pub operator: Option<String>,
    /// The reason given.
    pub reason: Option<String>,
}

impl Why {
    /// `by desk-2: spam`, `by desk-2`, `spam`, or nothing.
    pub fn words(&self) -> String {
        match (&self.operator, &self.reason) {
            (Some(op), Some(reason)) => format!("by {op}: {reason}"),
            (Some(op), None) => format!("by {op}"),
            (None, Some(reason)) => reason.clone(),
            (None, None) => String::new(),
        }
    }
}

/// A block toggle waiting for the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pending {
    /// The state the in-flight request asks for.
    pub sending: bool,
    /// The state asked for since, sent when the in-flight one returns.
    pub queued: Option<bool>,
}

impl Pending {
    /// The state the user wants in the end.
    pub fn desired(&self) -> bool {
        self.queued.unwrap_or(self.sending)
    }
}

/// One instance of the profile and all the app knows of it.
#[derive(Debug, Clone)]
pub struct Instance {
    /// Name used in API paths.
    pub name: String,
    /// Optional display name.
    pub label: Option<String>,
    /// `read_only` (or `--read-only`): nothing is ever sent to it.
    pub read_only: bool,
    /// Connection state.
    pub connection: Connection,
    /// Contact list state.
    pub load: Load,
    /// Whether a reload is in flight while contacts are shown.
    pub refreshing: bool,
    /// The contacts, in server order.
    pub contacts: Arc<ContactStore>,
    /// Numbers the ledger knows as blocked here that are not contacts,
    /// for the blocked view; their rows follow the contacts' (row
    /// `contacts.len() + i` is outsider `i`).
    pub outsiders: Arc<ContactStore>,
    /// When the shown list comes from the cache: when it was saved.
    pub cached_at: Option<i64>,
    /// The latest `blocked_count` the server returned, this session.
    pub blocked_count: Option<u64>,
    /// Ledger knowledge keyed by JID.
    known: HashMap<String, Known>,
    /// `@lid` → JID key of `known`.
    lid_to_jid: HashMap<String, String>,
    /// Who made the last change of a JID key of `known`, and why.
    why: HashMap<String, Why>,
    /// Contacts whose last answers of two desks could not be ordered by
    /// the server's clock: `desk-a blocked, desk-b unblocked 2 s apart`.
    contests: HashMap<String, String>,
    /// Pending toggles keyed by the row's JID.
    pub pending: HashMap<String, Pending>,
    /// Marked contacts (JIDs) for bulk actions.
    pub marks: HashSet<String>,
    /// How many marks left the address book with the last list when
    /// none was left: the next `B`/`U` says so and acts on nobody (not
    /// on the selected row). Marking anew forgets it.
    pub marks_vanished: usize,
    /// The last error of each row (JID) this session, in full, for the
    /// details; cleared by a success.
    pub last_error: HashMap<String, String>,
    /// The token's rate budget as last reported: (remaining, limit).
    pub budget: Option<(u32, u32)>,
    /// Which budget it is: the first instance of those sharing its token.
    pub budget_token: usize,
    /// Until when (Unix time) WhatsApp's throttling keeps its requests at
    /// half pace, as last said.
    pub slow_until: i64,
    /// `region` from the profile: where numbers without country code are
    /// read, whatever the instance's own number.
    pub region_override: Option<crate::model::number::Region>,
    /// The country of the instance's own number, once the server said.
    pub own_region: Option<crate::model::number::Region>,
    /// The instance's own phone JID, which it cannot block.
    pub own_jid: Option<String>,
    /// Selected row (index into the filtered view) when last shown.
    pub selected: usize,
    /// First row shown when last shown.
    pub offset: usize,
}

impl Instance {
    /// Where numbers typed without country code are read: the profile's
    /// `region`, else the country of the instance's own number.
    pub fn region(&self) -> Option<crate::model::number::Region> {
        self.region_override.or(self.own_region)
    }

    /// After the list changed from `previous`: keeps the marks of contacts
    /// still listed, found by the JID or the `@lid` they had (and kept
    /// under the JID listed now), and drops the others; returns how many
    /// were dropped.
    pub fn keep_marks(&mut self, previous: &ContactStore) -> usize {
        if self.marks.is_empty() {
            return 0;
        }
        let marks = std::mem::take(&mut self.marks);
        let before = previous.rows_of(marks.iter().map(String::as_str));
        let ids: Vec<(&str, Option<&str>)> = marks
            .iter()
            .map(|mark| {
                let lid = before
                    .get(mark)
                    .and_then(|&row| previous.get(row))
                    .and_then(|c| c.lid());
                (mark.as_str(), lid)
            })
            .collect();
        let wanted = ids
            .iter()
            .flat_map(|(jid, lid)| std::iter::once(*jid).chain(*lid));
        let rows = self.contacts.rows_of(wanted.clone());
        let outside = self.outsiders.rows_of(wanted);
        for (jid, lid) in ids {
            let row = rows.get(jid).or_else(|| lid.and_then(|l| rows.get(l)));
            if let Some(c) = row.and_then(|&row| self.contacts.get(row)) {
                self.marks.insert(c.jid().to_string());
            } else if outside.contains_key(jid) {
                self.marks.insert(jid.to_string());
            }
        }
        marks.len() - self.marks.len()
    }

    /// Whose identity `id` (a JID or an `@lid`) is on this instance, as
    /// far as the app knows: a contact listed by it, or what the ledger
    /// knows of it.
    pub fn owner_of(&self, id: &str) -> Option<&str> {
        self.contacts
            .find(id)
            .map(|c| c.jid())
            .or_else(|| self.lid_to_jid.get(id).map(String::as_str))
    }

    /// Whether `jid` is the instance's own number.
    pub fn is_own(&self, jid: &str) -> bool {
        self.own_jid.as_deref() == Some(jid)
    }

    /// A fresh instance with nothing loaded.
    pub fn new(name: &str, label: Option<&str>) -> Instance {
        Instance {
            name: name.to_string(),
            label: label.map(str::to_string),
            connection: Connection::Unknown,
            load: Load::NotStarted,
            refreshing: false,
            contacts: Arc::new(ContactStore::default()),
            outsiders: Arc::new(ContactStore::default()),
            cached_at: None,
            blocked_count: None,
            known: HashMap::new(),
            lid_to_jid: HashMap::new(),
            why: HashMap::new(),
            contests: HashMap::new(),
            pending: HashMap::new(),
            marks: HashSet::new(),
            marks_vanished: 0,
            last_error: HashMap::new(),
            budget: None,
            budget_token: 0,
            slow_until: 0,
            region_override: None,
            read_only: false,
            own_region: None,
            own_jid: None,
            selected: 0,
            offset: 0,
        }
    }

    /// The name to show: the label, else the instance name.
    pub fn title(&self) -> &str {
        self.label.as_deref().unwrap_or(&self.name)
    }

    /// Records what the ledger knows of `jid` (and its `lid`).
    pub fn remember(&mut self, jid: &str, lid: Option<&str>, known: Known) {
        self.known.insert(jid.to_string(), known);
        if let Some(lid) = lid.filter(|l| *l != jid) {
            self.lid_to_jid.insert(lid.to_string(), jid.to_string());
        }
    }

    /// What the ledger knows of a JID (and its `@lid`).
    pub fn known_of_jid(&self, jid: &str, lid: Option<&str>) -> Option<Known> {
        self.known.get(jid).copied().or_else(|| {
            let lid = lid?;
            let jid = self.lid_to_jid.get(lid).map_or(lid, String::as_str);
            self.known.get(jid).copied()
        })
    }

    /// What the ledger knows of a contact, matched by JID or `@lid`.
    pub fn known_of(&self, contact: &ContactRef<'_>) -> Option<Known> {
        self.known_of_jid(contact.jid(), contact.lid())
    }

    /// Takes what the ledger knows of this instance now (other runs may
    /// have changed it); returns whether anything shown changed.
    pub fn take_known(&mut self, known: &[&KnownState]) -> bool {
        let mut fresh: HashMap<String, Known> = HashMap::with_capacity(known.len());
        let mut why = HashMap::new();
        for k in known {
            fresh.insert(
                k.jid.clone(),
                Known {
                    blocked: k.blocked,
                    at: k.changed_at,
                },
            );
            if let Some(lid) = k.lid.as_deref().filter(|l| *l != k.jid) {
                self.lid_to_jid.insert(lid.to_string(), k.jid.clone());
            }
            if k.operator.is_some() || k.reason.is_some() {
                why.insert(
                    k.jid.clone(),
                    Why {
                        operator: k.operator.clone(),
                        reason: k.reason.clone(),
                    },
                );
            }
        }
        let contests: HashMap<String, String> = known
            .iter()
            .filter_map(|k| Some((k.jid.clone(), k.contest.clone()?)))
            .collect();
        let changed = fresh != self.known || why != self.why || contests != self.contests;
        self.known = fresh;
        self.why = why;
        self.contests = contests;
        changed
    }

    /// Records what the ledger knows of one contact, who changed it and
    /// why.
    pub fn remember_state(&mut self, k: &KnownState) {
        self.remember(
            &k.jid,
            k.lid.as_deref(),
            Known {
                blocked: k.blocked,
                at: k.changed_at,
            },
        );
        self.remember_why(
            &k.jid,
            Why {
                operator: k.operator.clone(),
                reason: k.reason.clone(),
            },
        );
    }

    /// Records who made the last change of `jid`, and why.
    pub fn remember_why(&mut self, jid: &str, why: Why) {
        if why.operator.is_some() || why.reason.is_some() {
            self.why.insert(jid.to_string(), why);
        } else {
            self.why.remove(jid);
        }
    }

    /// The contest of a JID (or its `@lid`), while two desks' answers for
    /// it could not be ordered.
    pub fn contest_of(&self, jid: &str, lid: Option<&str>) -> Option<&str> {
        let by_lid = || {
            let lid = lid?;
            self.contests
                .get(self.lid_to_jid.get(lid).map_or(lid, String::as_str))
        };
        self.contests.get(jid).or_else(by_lid).map(String::as_str)
    }

    /// Who made the last known change of a JID (or its `@lid`), and why.
    pub fn why_of(&self, jid: &str, lid: Option<&str>) -> Option<&Why> {
        self.why.get(jid).or_else(|| {
            let lid = lid?;
            let jid = self.lid_to_jid.get(lid).map_or(lid, String::as_str);
            self.why.get(jid)
        })
    }

    /// The row `index` of the list: a contact, or past them an outsider.
    pub fn row(&self, index: u32) -> Option<ContactRef<'_>> {
        let n = self.contacts.len() as u32;
        match index.checked_sub(n) {
            None => self.contacts.get(index),
            Some(i) => self.outsiders.get(i),
        }
    }

    /// Whether row `index` is a number that is not a contact.
    pub fn is_outsider(&self, index: u32) -> bool {
        index as usize >= self.contacts.len()
    }

    /// The numbers the ledger knows as blocked here that no contact
    /// holds, by JID or `@lid`, in JID order.
    pub fn find_outsiders(&self) -> ContactStore {
        let ids = self.known_blocked_ids();
        let mut held: HashSet<&str> = HashSet::new();
        if !ids.is_empty() {
            for c in self.contacts.iter() {
                for id in std::iter::once(c.jid()).chain(c.lid()) {
                    if ids.contains(id) {
                        held.insert(id);
                    }
                }
            }
        }
        let held_by_lid: HashSet<&str> = self
            .lid_to_jid
            .iter()
            .filter(|(lid, _)| held.contains(lid.as_str()))
            .map(|(_, jid)| jid.as_str())
            .collect();
        // A row of the ledger that names no person is never a row one
        // key could send.
        let mut outside: Vec<&str> = self
            .known
            .iter()
            .filter(|(jid, k)| {
                k.blocked
                    && !held.contains(jid.as_str())
                    && !held_by_lid.contains(jid.as_str())
                    && crate::model::number::stored_person(jid).is_ok()
            })
            .map(|(jid, _)| jid.as_str())
            .collect();
        outside.sort_unstable();
        let mut builder = crate::model::contacts::StoreBuilder::with_capacity(outside.len());
        for jid in outside {
            builder.push_fields(jid, None, [None; 4]);
        }
        builder.build()
    }

    /// JIDs and `@lid`s the ledger knows as blocked, for the blocked view.
    pub fn known_blocked_ids(&self) -> HashSet<String> {
        let mut ids: HashSet<String> = self
            .known
            .iter()
            .filter(|(_, k)| k.blocked)
            .map(|(jid, _)| jid.clone())
            .collect();
        for (lid, jid) in &self.lid_to_jid {
            if ids.contains(jid) {
                ids.insert(lid.clone());
            }
        }
        ids
    }

    /// How many contacts the ledger knows as blocked on this instance.
    pub fn known_blocked(&self) -> usize {
        self.known.values().filter(|k| k.blocked).count()
    }

    /// Whether a contact load is in flight.
    pub fn is_loading(&self) -> bool {
        self.load == Load::Loading || self.refreshing
    }
}

/// A message in the status bar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    /// The text, one line.
    pub text: String,
    /// Info expires; errors stay until replaced.
    pub is_error: bool,
    /// Tick it was set at.
    pub since: u64,
}

/// Messages kept for the log; older ones are dropped.
pub const MAX_MESSAGES: usize = 500;
/// Rows an error may take above the status bar.
pub const MAX_MESSAGE_ROWS: usize = 3;

/// The app's data beneath the overlays.
#[derive(Debug, Clone)]
pub struct Core {
    /// Instances of the profile, in its order.
    pub instances: Vec<Instance>,
    /// Index of the shown instance.
    pub current: usize,
    /// The filter text.
    pub filter: String,
    /// The views whose filter finds words fuzzily (letters in order);
    /// the others find them as typed. See [`Core::matching`].
    pub fuzzy_views: HashSet<View>,
    /// Row numbers of the current instance's contacts in the view, in
    /// display order.
    pub visible: Vec<u32>,
    /// Order of the list without a filter.
    pub sort: Sort,
    /// All contacts, or only the known blocked.
    pub view: View,
    /// Number of the latest filter asked for.
    pub filter_generation: u64,
    /// Number of the filter whose result is shown.
    pub shown_generation: u64,
    /// JID to keep selected when a background filter result arrives.
    pub keep_selected: Option<String>,
    /// Lists larger than this are filtered off the UI path.
    pub sync_filter_limit: usize,
    /// The running batch, if any.
    pub batch: Option<Batch>,
    /// Run by a headless command: nothing is shown, so no list is
    /// filtered or sorted.
    pub headless: bool,
    /// What is known of numbers that are not contacts, and the lookups
    /// asked.
    pub lookups: super::lookup_state::Lookups,
    /// The team's blocklist, as the ledger last said, and its plan.
    pub blocklist: super::list_state::ListState,
    /// A headless change waiting for the instances' states before it is
    /// planned.
    pub waiting: Option<Waiting>,
    /// A headless resume waiting for the instances' states (their own
    /// numbers) before anything of it is checked and sent.
    pub resuming: Option<crate::store::ledger::UnfinishedBatch>,
    /// Completed actions, newest last, for undo.
    pub history: Vec<super::batch::Done>,
    /// Whether the newest of `history` is the last action done (or done
    /// again): once an undo reaches past it, an older one asks first.
    pub history_fresh: bool,
    /// Undone actions, the latest undone last, for redo; a new action
    /// forgets them.
    pub redo: Vec<super::batch::Done>,
    /// The keys in force.
    pub keymap: Keymap,
    /// Who this app records as asking (the profile's operator).
    pub operator: String,
    /// Whether `b` asks why before it sends.
    pub ask_reason: bool,
    /// The reasons offered to choose from.
    pub reasons: Vec<String>,
    /// Whether the ledger is the team's (shared with other operators).
    pub team_ledger: bool,
    /// Selected index into `visible`.
    pub selected: usize,
    /// First index of `visible` on screen.
    pub offset: usize,
    /// Terminal columns.
    pub width: u16,
    /// Terminal rows.
    pub height: u16,
    /// The status-bar message.
    pub status: Option<Status>,
    /// Every message of this session, oldest first (at most
    /// [`MAX_MESSAGES`]), for the message log.
    pub messages: Vec<Message>,
    /// Requests in flight per instance, for counts that settle.
    pub settling: super::settle::Settling,
    /// Ticks since start.
    pub ticks: u64,
    /// Unix time of the last tick.
    pub now: i64,
    /// Whether a poll of the instances' states is in flight (each token's
    /// answer comes on its own; the last one ends it).
    pub instances_polled: bool,
    /// Writes given to the ledger and not answered yet: a headless
    /// command is done only when none is left.
    pub writes_in_flight: usize,
    /// A read of the ledger in flight (for other runs' changes), with the
    /// count of this run's answers when it was asked.
    pub known_loading: Option<u64>,
    /// This run's block answers so far: a read asked before one of them
    /// may predate it, and is dropped.
    pub answers: u64,
    /// The live feed: its rows, flags, sockets and view.
    pub live: super::live::feed::Live,
    /// The Blocklist view: shown or not, its rows, its plan pane.
    pub list_view: super::list_view::state::ListView,
}

impl Core {
    /// The state at start for `profile`: its instances (names, labels,
    /// countries), its keys, what the ledger `known`s, the instance to
    /// open on. The terminal UI and the headless commands start here.
    pub fn for_profile(
        profile: &crate::config::profile::Profile,
        known: &[KnownState],
        start: usize,
    ) -> Core {
        let names: Vec<(String, Option<String>)> = profile
            .instances
            .iter()
            .map(|i| (i.name.clone(), i.label.clone()))
            .collect();
        let mut state = Core::new(&names, known, start);
        for (inst, config) in state.instances.iter_mut().zip(&profile.instances) {
            inst.region_override = config.region;
            inst.read_only = config.read_only;
        }
        state.keymap = profile.keymap.clone();
        state.operator = profile.operator.clone();
        state.ask_reason = profile.ask_reason;
        state.reasons = profile.reasons.clone();
        state.team_ledger = profile.ledger.is_some();
        state.live = super::live::feed::Live::new(state.instances.len(), profile.live.clone());
        state
    }

    /// The state at start: `names` are (name, label) in profile order,
    /// `known` is what the ledger holds, `start` the instance to open on.
    pub fn new(names: &[(String, Option<String>)], known: &[KnownState], start: usize) -> Core {
        let mut instances: Vec<Instance> = names
            .iter()
            .map(|(name, label)| Instance::new(name, label.as_deref()))
            .collect();
        for inst in &mut instances {
            let mine: Vec<&KnownState> = known.iter().filter(|k| k.instance == inst.name).collect();
            inst.take_known(&mine);
        }
        Core {
            current: start.min(instances.len().saturating_sub(1)),
            instances,
            filter: String::new(),
            fuzzy_views: HashSet::new(),
            visible: Vec::new(),
            sort: Sort::Listed,
            view: View::All,
            filter_generation: 0,
            shown_generation: 0,
            keep_selected: None,
            sync_filter_limit: SYNC_FILTER_LIMIT,
            batch: None,
            history: Vec::new(),
            history_fresh: false,
            redo: Vec::new(),
            keymap: Keymap::default(),
            operator: String::new(),
            ask_reason: false,
            reasons: Vec::new(),
            team_ledger: false,
            selected: 0,
            offset: 0,
            height: 24,
            width: 80,
            status: None,
            messages: Vec::new(),
            settling: Default::default(),
            ticks: 0,
            now: crate::util::dates::now_unix(),
            instances_polled: false,
            writes_in_flight: 0,
            waiting: None,
            resuming: None,
            headless: false,
            lookups: super::lookup_state::Lookups::default(),
            blocklist: super::list_state::ListState::default(),
            known_loading: None,
            answers: 0,
            live: super::live::feed::Live::new(names.len(), Default::default()),
            list_view: Default::default(),
        }
    }

    /// The shown instance.
    pub fn instance(&self) -> &Instance {
        &self.instances[self.current]
    }

    /// How the filter of the shown view finds words: as typed, unless
    /// fuzzy matching was asked for in this view.
    pub fn matching(&self) -> Matching {
        if self.fuzzy_views.contains(&self.view) {
            Matching::Fuzzy
        } else {
            Matching::Substring
        }
    }

    /// What a number typed in the prompt (or after `:block`) would be
    /// sent as, read in the shown instance's country: `None` while nothing
    /// is typed.
    pub fn number_preview(&self, text: &str) -> Option<Result<Target, TypedError>> {
        (!text.trim().is_empty()).then(|| read_typed(text, self.instance().region()))
    }

    /// Rows of the contact list: the terminal less the tabs, header,
    /// footer, status bar and the error line when one shows.
    pub fn list_height(&self) -> usize {
        crate::app::layout::list_rows(self.height, self.message_lines().len())
    }

    /// The error shown above the status bar, wrapped to the terminal's
    /// width: as many lines as it needs, at most [`MAX_MESSAGE_ROWS`] (the
    /// last cut with `…`; `m` shows it whole). Successes stay in the
    /// status bar.
    pub fn message_lines(&self) -> Vec<String> {
        let Some(status) = self.status.as_ref().filter(|s| s.is_error) else {
            return Vec::new();
        };
        let width = self.width.max(1) as usize;
        let mut lines = crate::util::text::wrap(&format!("✖ {}", status.text), width);
        if lines.len() > MAX_MESSAGE_ROWS {
            lines.truncate(MAX_MESSAGE_ROWS);
            if let Some(last) = lines.last_mut() {
                let more = format!(" {} shows all", self.keymap.label_of(Command::Messages));
                let head =
                    crate::util::text::fit(&format!("{last} …"), width.saturating_sub(more.len()));
                *last = crate::util::text::fit(&format!("{head}{more}"), width);
            }
        }
        lines
    }

    /// A new action is done: it is what `u` reverts next, without asking
    /// for its age, and what was undone before can no longer be redone.
    pub fn done(&mut self, done: super::batch::Done) {
        self.history.push(done);
        self.history_fresh = true;
        self.redo.clear();
    }

    /// The shown instance, mutably.
    pub fn instance_mut(&mut self) -> &mut Instance {
        &mut self.instances[self.current]
    }

    /// The selected contact, if any.
    pub fn selected_contact(&self) -> Option<ContactRef<'_>> {
        let idx = *self.visible.get(self.selected)?;
        self.instance().row(idx)
    }

    /// How many block requests are waiting for the server, everywhere
    /// (a running batch counts what it has left).
    pub fn pending_count(&self) -> usize {
        self.instances
            .iter()
            .map(|i| i.pending.len())
            .sum::<usize>()
            + self.batch.as_ref().map_or(0, Batch::left)
    }

    /// The state a request in flight asks for this row, if any: the row's
    /// own toggle or a batch item.
    pub fn sending_for(&self, instance: usize, jid: &str) -> Option<(bool, Option<bool>)> {
        if let Some(p) = self.instances[instance].pending.get(jid) {
            return Some((p.sending, p.queued));
        }
        self.batch
            .as_ref()
            .and_then(|b| b.sending(instance, jid))
            .map(|s| (s, None))
    }

    /// Whether a poll of the instances' states is in flight.
    pub fn instances_loading(&self) -> bool {
        self.instances_polled
    }

    /// Whether nothing is left in flight that changes the ledger or the
    /// counts: no batch, no single toggle, no settling, no write. A
    /// headless command ends here.
    pub fn is_quiet(&self) -> bool {
        self.batch.is_none()
            && self.writes_in_flight == 0
            && (0..self.instances.len()).all(|i| !self.settling.busy(i))
            && self.instances.iter().all(|i| i.pending.is_empty())
    }

    /// Whether something on screen animates (a spinner).
    pub fn is_busy(&self) -> bool {
        self.instances_loading()
            || self.batch.is_some()
            || self
                .instances
                .iter()
                .any(|i| i.is_loading() || !i.pending.is_empty())
    }
}
