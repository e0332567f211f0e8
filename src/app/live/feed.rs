//! The live feed as the app keeps it: the last [`MAX_ROWS`] messages and
//! state changes of every instance (oldest dropped first), the flags each
//! earned, who wrote to how many of our numbers lately, where each
//! instance's socket stands, and the Live view's filter, selection and
//! marks. Plain data; memory stays bounded whatever the server sends.

use std::collections::{BTreeSet, HashMap, VecDeque};
use std::sync::Arc;

use crate::api::SocketConfig;
use crate::model::contacts::ContactStore;
use crate::model::flags::{Flag, Rules, Waves, fold, own_flags};
use crate::model::live::Incoming;
use crate::protocol::{ErrorInfo, FeedStatus};

/// The most rows kept: older ones are dropped as new ones come.
pub const MAX_ROWS: usize = 10_000;

/// What a row is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum What {
    /// An incoming message.
    Message(Incoming),
    /// The instance's connection changed (`instance.state`): the word as
    /// sent.
    State(String),
}

/// One row of the feed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// Its number: rows are numbered in arrival order.
    pub seq: u64,
    /// The instance it came to.
    pub instance: usize,
    /// Unix time: the server's stamp when it is plausible, else arrival.
    pub at: i64,
    /// What it is.
    pub what: What,
    /// Why it is flagged (empty: not flagged).
    pub flags: Vec<Flag>,
    /// The sender is no contact of the instance (when it came).
    pub stranger: bool,
}

impl Row {
    /// The message, when it is one.
    pub fn message(&self) -> Option<&Incoming> {
        match &self.what {
            What::Message(m) => Some(m),
            What::State(_) => None,
        }
    }

    /// Who wrote, as one key per person (the number, else the `@lid`).
    pub fn sender_key(&self) -> Option<&str> {
        self.message().and_then(|m| m.sender.key())
    }

    /// Whether its sender can be blocked: a private chat's sender.
    pub fn is_blockable(&self) -> bool {
        self.message()
            .is_some_and(|m| m.chat.is_blockable() && m.sender.jid().is_some())
    }

    /// Whether it carries `⚑`.
    pub fn is_flagged(&self) -> bool {
        !self.flags.is_empty()
    }

    /// The reasons, joined: `spam wave: 4 of our numbers in 10 min; …`.
    pub fn reasons(&self) -> String {
        let reasons: Vec<String> = self.flags.iter().map(Flag::reason).collect();
        reasons.join("; ")
    }
}

/// Where an instance's feed stands, and what the server keeps of its
/// WebSocket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Health {
    /// The socket.
    pub status: FeedStatus,
    /// The WebSocket's configuration, once asked (or why it could not be
    /// read).
    pub config: Option<Result<SocketConfig, ErrorInfo>>,
    /// A configuration request is in flight.
    pub asking: bool,
    /// Frames of this instance that could not be read.
    pub unreadable: u64,
}

impl Default for Health {
    fn default() -> Self {
        Health {
            status: FeedStatus::Off,
            config: None,
            asking: false,
            unreadable: 0,
        }
    }
}

impl Health {
    /// Whether its WebSocket is known not to serve the feed (never
    /// configured, disabled, or without the events it reads).
    pub fn needs_enabling(&self) -> bool {
        matches!(&self.config, Some(Ok(c)) if !c.serves_feed())
    }
}

/// The Live view: its filter, the rows it keeps, the selected row.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LiveView {
    /// The filter typed (`/`).
    pub filter: String,
    /// With a filter, the rows that match, oldest first; `None` without.
    pub matches: Option<VecDeque<u64>>,
    /// The selected row, by number: it stays selected as rows come.
    pub selected: Option<u64>,
    /// The first row on screen (0 is the newest shown).
    pub offset: usize,
}

/// The contacts of one instance by JID and `@lid`, for the list the
/// index was made from: a hash of each id to its row (a few bytes a
/// contact, however large the address book), the row checked on lookup.
#[derive(Debug, Clone, Default)]
struct ContactIndex {
    made_from: Option<Arc<ContactStore>>,
    rows: HashMap<u64, u32>,
}

/// The index's key of an id (SipHash with fixed keys: the same on every
/// run).
fn id_hash(id: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::hash::DefaultHasher::new();
    id.hash(&mut h);
    h.finish()
}

/// What an added message did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Added {
    /// Its row.
    pub seq: u64,
    /// Its sender just became a wave (the first of its rows so flagged).
    pub new_wave: bool,
}

/// The rows the last live message added or flagged, for a front end
/// that prints them as they come (`watch`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Touched {
    /// Counts the live messages applied.
    pub generation: u64,
    /// The rows the last one added or newly flagged.
    pub seqs: Vec<u64>,
}

/// The live feed as the app keeps it.
#[derive(Debug, Clone, Default)]
pub struct Live {
    /// What flags a message (`[live]`).
    pub rules: Rules,
    rows: VecDeque<Row>,
    next_seq: u64,
    waves: Waves,
    /// Each sender's rows still kept, oldest first.
    by_sender: HashMap<String, VecDeque<u64>>,
    /// Per instance: its feed.
    pub health: Vec<Health>,
    /// Frames read but of no use here (other event types, outgoing).
    pub ignored: u64,
    /// Whether the Live view is shown (rather than the contact list).
    pub shown: bool,
    /// Whether the feeds were asked for (the screen, or `watch`).
    pub running: bool,
    /// The Live view's filter and selection.
    pub view: LiveView,
    /// Marked senders (by number, else `@lid`).
    pub marks: BTreeSet<String>,
    /// What the last live message added or flagged.
    pub touched: Touched,
    /// Senders flagged as a wave so far (kept as long as their rows).
    pub wave_senders: BTreeSet<String>,
    index: Vec<ContactIndex>,
}

impl Live {
    /// The feed of `instances` instances, flagged by `rules`.
    pub fn new(instances: usize, rules: Rules) -> Live {
        Live {
            waves: Waves::new(rules.window_secs()),
            rules,
            health: vec![Health::default(); instances],
            index: vec![ContactIndex::default(); instances],
            ..Live::default()
        }
    }

    /// How many rows are kept.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether no row is kept.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Row `seq`, while it is kept.
    pub fn row(&self, seq: u64) -> Option<&Row> {
        let first = self.rows.front()?.seq;
        let at = usize::try_from(seq.checked_sub(first)?).ok()?;
        self.rows.get(at)
    }

    /// Every row kept, oldest first.
    pub fn rows(&self) -> impl DoubleEndedIterator<Item = &Row> + ExactSizeIterator {
        self.rows.iter()
    }

    /// The newest row of `sender` still kept.
    pub fn latest_of(&self, sender: &str) -> Option<&Row> {
        let seq = *self.by_sender.get(sender)?.back()?;
        self.row(seq)
    }

    /// The number of the newest row, if any.
    pub fn newest(&self) -> Option<u64> {
        self.rows.back().map(|r| r.seq)
    }

    /// On how many of our numbers `sender` wrote within the wave's window
    /// before `now`.
    pub fn reach(&self, sender: &str, now: i64) -> usize {
        self.waves.reach(sender, now)
    }

    /// How many frames could not be read, on every instance.
    pub fn unreadable(&self) -> u64 {
        self.health.iter().map(|h| h.unreadable).sum()
    }

    /// The row (in `instance`'s list) of the contact with this JID or
    /// `@lid`, by the index of the list it was last made from.
    pub fn contact_row(&self, instance: usize, ids: [Option<&str>; 2]) -> Option<u32> {
        let index = self.index.get(instance)?;
        let store = index.made_from.as_ref()?;
        ids.into_iter().flatten().find_map(|id| {
            let row = *index.rows.get(&id_hash(id))?;
            let c = store.get(row)?;
            (c.jid() == id || c.lid() == Some(id)).then_some(row)
        })
    }

    /// Makes `instance`'s index again when its list is not the one it was
    /// made from (one pass; lists change on load and refresh only).
    pub fn index_contacts(&mut self, instance: usize, store: &Arc<ContactStore>) {
        let Some(index) = self.index.get_mut(instance) else {
            return;
        };
        if index
            .made_from
            .as_ref()
            .is_some_and(|s| Arc::ptr_eq(s, store))
        {
            return;
        }
        let mut rows = HashMap::with_capacity(store.len());
        for c in store.iter() {
            rows.entry(id_hash(c.jid())).or_insert(c.index);
            if let Some(lid) = c.lid() {
                rows.entry(id_hash(lid)).or_insert(c.index);
            }
        }
        *index = ContactIndex {
            made_from: Some(store.clone()),
            rows,
        };
    }

    /// Adds an incoming message to `instance` at `at`; `stranger`: its
    /// sender is no contact there. Private messages earn flags: their
    /// own (deny list, keywords) and a wave's, which flags the sender's
    /// earlier rows of the window too.
    pub fn add_message(&mut self, instance: usize, at: i64, m: Incoming, stranger: bool) -> Added {
        let mut flags = Vec::new();
        let mut wave = None;
        if let (true, Some(key)) = (m.chat.is_blockable(), m.sender.key()) {
            let folded = fold(&m.text);
            flags = own_flags(&self.rules, m.sender.digits.as_deref(), &folded);
            let numbers = self.waves.record(key, instance, at, stranger);
            if numbers >= self.rules.wave_numbers {
                wave = Some((key.to_string(), numbers));
            }
        }
        let seq = self.push(instance, at, What::Message(m), flags, stranger);
        let Some((key, numbers)) = wave else {
            return Added {
                seq,
                new_wave: false,
            };
        };
        self.flag_wave(&key, at, numbers);
        Added {
            seq,
            new_wave: self.wave_senders.insert(key),
        }
    }

    /// Adds an instance's new connection state.
    pub fn add_state(&mut self, instance: usize, at: i64, word: String) -> u64 {
        self.push(instance, at, What::State(word), Vec::new(), false)
    }

    /// Flags `sender`'s rows of the window ending at `at` as a wave of
    /// `numbers` of our numbers.
    fn flag_wave(&mut self, sender: &str, at: i64, numbers: usize) {
        let window = self.rules.window_secs();
        let minutes = self.rules.wave_minutes;
        let seqs: Vec<u64> = self
            .by_sender
            .get(sender)
            .map(|s| s.iter().copied().collect())
            .unwrap_or_default();
        for seq in seqs {
            let first = self.rows.front().map_or(0, |r| r.seq);
            let Some(row) = usize::try_from(seq - first)
                .ok()
                .and_then(|i| self.rows.get_mut(i))
            else {
                continue;
            };
            if row.at < at - window || row.at > at || !row.stranger || !row.is_blockable() {
                continue;
            }
            let wave = Flag::Wave { numbers, minutes };
            match row
                .flags
                .iter_mut()
                .find(|f| matches!(f, Flag::Wave { .. }))
            {
                Some(Flag::Wave { numbers: n, .. }) if *n >= numbers => continue,
                Some(flag) => *flag = wave,
                None => {
                    row.flags.insert(0, wave);
                    if !self.touched.seqs.contains(&seq) {
                        self.touched.seqs.push(seq);
                    }
                }
            }
        }
    }

    /// Appends a row, dropping the oldest beyond [`MAX_ROWS`].
    fn push(
        &mut self,
        instance: usize,
        at: i64,
        what: What,
        flags: Vec<Flag>,
        stranger: bool,
    ) -> u64 {
        let seq = self.next_seq;
        self.next_seq += 1;
        let row = Row {
            seq,
            instance,
            at,
            what,
            flags,
            stranger,
        };
        if let Some(key) = row.sender_key() {
            self.by_sender
                .entry(key.to_string())
                .or_default()
                .push_back(seq);
        }
        self.rows.push_back(row);
        self.touched.seqs.push(seq);
        while self.rows.len() > MAX_ROWS {
            self.drop_oldest();
        }
        seq
    }

    /// Drops the oldest row and every trace of it.
    fn drop_oldest(&mut self) {
        let Some(old) = self.rows.pop_front() else {
            return;
        };
        if let Some(key) = old.sender_key()
            && let Some(seqs) = self.by_sender.get_mut(key)
        {
            seqs.pop_front();
            if seqs.is_empty() {
                self.by_sender.remove(key);
                self.wave_senders.remove(key);
            }
        }
        if let Some(matches) = &mut self.view.matches {
            while matches.front().is_some_and(|&s| s <= old.seq) {
                matches.pop_front();
            }
        }
        if self.view.selected == Some(old.seq) {
            self.view.selected = self.rows.front().map(|r| r.seq);
        }
    }

    /// Starts what one live message adds or flags (see [`Touched`]).
    pub fn begin_message(&mut self) {
        self.touched.generation += 1;
        self.touched.seqs.clear();
    }

    /// Forgets who wrote before the wave's window (a tick does it).
    pub fn prune(&mut self, now: i64) {
        self.waves.prune(now);
    }

    /// How many senders the wave counter remembers.
    pub fn senders_remembered(&self) -> usize {
        self.waves.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::live::{ChatKind, Sender};

    fn msg(digits: &str, text: &str, chat: ChatKind) -> Incoming {
        Incoming {
            id: None,
            at: None,
            chat,
            chat_name: None,
            sender: Sender {
                digits: Some(digits.into()),
                lid: None,
                name: None,
            },
            text: text.into(),
        }
    }

    #[test]
    fn a_wave_flags_the_senders_earlier_rows_and_groups_are_never_flagged() {
        let mut live = Live::new(4, Rules::default());
        let first = live.add_message(0, 1_000, msg("6281", "promo", ChatKind::Private), true);
        assert!(!live.row(first.seq).unwrap().is_flagged());
        let group = live.add_message(1, 1_001, msg("6281", "promo", ChatKind::Group), true);
        assert!(!live.row(group.seq).unwrap().is_blockable());
        live.begin_message();
        let second = live.add_message(2, 1_060, msg("6281", "promo", ChatKind::Private), true);
        assert!(second.new_wave);
        assert_eq!(
            live.touched.seqs,
            [second.seq, first.seq],
            "the earlier row is flagged too"
        );
        assert!(live.row(first.seq).unwrap().is_flagged());
        assert!(
            !live.row(group.seq).unwrap().is_flagged(),
            "a group is never flagged"
        );
        assert_eq!(
            live.row(second.seq).unwrap().reasons(),
            "spam wave: 2 of our numbers in 10 min"
        );
        let third = live.add_message(3, 1_070, msg("6281", "promo", ChatKind::Private), true);
        assert!(!third.new_wave, "said once per sender");
        assert_eq!(
            live.row(first.seq).unwrap().flags[0],
            Flag::Wave {
                numbers: 3,
                minutes: 10
            }
        );
        assert_eq!(
            live.reach("6281", 1_070),
            3,
            "a group message does not count"
        );
    }

    #[test]
    fn contacts_are_found_by_jid_or_lid_in_the_list_the_index_was_made_from() {
        let contact = crate::api::RemoteContact {
            lid: Some("777@lid".into()),
            ..crate::api::fixtures::remote("5511911110001", Some("Ana"), None, None)
        };
        let store = Arc::new(crate::api::contacts::store_from(vec![contact]));
        let mut live = Live::new(1, Rules::default());
        assert_eq!(
            live.contact_row(0, [Some("5511911110001@s.whatsapp.net"), None]),
            None,
            "no index yet"
        );
        live.index_contacts(0, &store);
        assert_eq!(
            live.contact_row(0, [Some("5511911110001@s.whatsapp.net"), None]),
            Some(0)
        );
        assert_eq!(
            live.contact_row(0, [Some("1@s.whatsapp.net"), Some("777@lid")]),
            Some(0)
        );
        assert_eq!(
            live.contact_row(0, [Some("5511911110002@s.whatsapp.net"), None]),
            None
        );
        assert_eq!(
            live.contact_row(5, [Some("5511911110001@s.whatsapp.net"), None]),
            None
        );
    }

    #[test]
    fn a_contact_makes_no_wave_and_memory_stays_bounded() {
        let mut live = Live::new(2, Rules::default());
        live.add_message(0, 0, msg("5511", "oi", ChatKind::Private), false);
        let s = live.add_message(1, 5, msg("5511", "oi", ChatKind::Private), false);
        assert!(!live.row(s.seq).unwrap().is_flagged());
        for i in 0..(MAX_ROWS as i64 + 500) {
            live.add_message(
                (i % 2) as usize,
                i,
                msg(&format!("55{i}"), "x", ChatKind::Private),
                true,
            );
        }
        assert_eq!(live.len(), MAX_ROWS);
        assert!(live.by_sender.len() <= MAX_ROWS);
        assert!(live.row(0).is_none(), "the oldest are gone");
        live.prune(MAX_ROWS as i64 + 10_000);
        assert_eq!(live.senders_remembered(), 0);
    }
}
