//! One blocklist every number follows: its entries, and the plan that
//! makes each instance follow it. Pure: the ledger keeps the entries and
//! where the list itself blocked what; the app gives what each instance
//! is known to block; this says what to send.
//!
//! The rule of an unblock: a number is unblocked on an instance only when
//! no entry lists it any more (removed, retracted or expired) **and** the
//! list itself blocked it there — never what someone blocked by hand, nor
//! what another source still lists.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use super::number::{PHONE_SUFFIX, phone_digits};

/// One entry of the list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// What is listed: E.164 digits without `+`, or a JID / `@lid`.
    pub target: String,
    /// Why, when given.
    pub reason: Option<String>,
    /// Where it came from (`manual`, an import's name).
    pub source: String,
    /// Who added it.
    pub operator: Option<String>,
    /// Unix time it was added.
    pub added: i64,
    /// Unix time it expires, when it does.
    pub expires: Option<i64>,
    /// Unix time it was removed or retracted, when it was.
    pub removed: Option<i64>,
}

impl Entry {
    /// Whether it lists its target at `now`.
    pub fn is_active(&self, now: i64) -> bool {
        self.removed.is_none() && self.expires.is_none_or(|at| at > now)
    }
}

/// The JID a target is sent as: a phone number's JID, or the JID itself.
pub fn jid_of(target: &str) -> String {
    if target.contains('@') {
        target.to_string()
    } else {
        format!("{target}{PHONE_SUFFIX}")
    }
}

/// A target as machine output writes it: `+E.164`, or the JID.
pub fn shown_target(target: &str) -> String {
    if target.contains('@') {
        phone_digits(target).map_or_else(|| target.to_string(), |d| format!("+{d}"))
    } else {
        format!("+{target}")
    }
}

/// What a plan does with one number on one instance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Action {
    /// On the list, not known blocked there: block it.
    Block,
    /// Off the list, and the list had blocked it there: unblock it.
    Unblock,
    /// On the list, but not to be sent: not on WhatsApp, the instance's
    /// own number.
    Refused,
    /// The instance is not connected.
    Unreachable,
}

impl Action {
    /// `block`, `unblock`, `refused`, `unreachable`.
    pub fn word(self) -> &'static str {
        match self {
            Action::Block => "block",
            Action::Unblock => "unblock",
            Action::Refused => "refused",
            Action::Unreachable => "unreachable",
        }
    }
}

/// One step of a plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// The instance (its index in the profile).
    pub instance: usize,
    /// What to do.
    pub action: Action,
    /// The number (or JID) it is about, as the list keeps it (shared by
    /// the steps of every instance: a plan of 100,000 numbers on several
    /// instances holds each once).
    pub target: Arc<str>,
    /// Why: the entry's reason, or why it is refused or unblocked (one
    /// text shared by the steps that give it).
    pub reason: Arc<str>,
}

/// What `apply` would do, in a stable order, with an id that changes
/// whenever any step does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// The steps: by instance, then action, then number.
    pub steps: Vec<Step>,
    /// A hash of the steps (instance names, actions and numbers).
    pub id: String,
}

impl Plan {
    /// How many steps of `action` on `instance`.
    pub fn count(&self, instance: usize, action: Action) -> usize {
        self.steps
            .iter()
            .filter(|s| s.instance == instance && s.action == action)
            .count()
    }

    /// Whether it sends anything.
    pub fn sends(&self) -> bool {
        self.steps
            .iter()
            .any(|s| matches!(s.action, Action::Block | Action::Unblock))
    }
}

/// What the plan needs to know of one instance.
pub struct Seat<'a> {
    /// Its name (in the plan id).
    pub name: &'a str,
    /// Whether it is connected.
    pub connected: bool,
    /// Its own JID, which it cannot block.
    pub own_jid: Option<&'a str>,
    /// Whether a JID is known blocked there.
    pub is_blocked: &'a dyn Fn(&str) -> bool,
    /// The JIDs the list itself blocked there (its blocks not undone by
    /// hand since).
    pub applied: &'a HashSet<String>,
}

/// The plan that makes every seat follow `entries` at `now`; `absent`
/// says why a JID is not on WhatsApp, when a lookup said so.
pub fn plan(
    entries: &[Entry],
    seats: &[Seat<'_>],
    absent: &dyn Fn(&str) -> Option<String>,
    now: i64,
) -> Plan {
    let listed = listed(entries, now);
    let unreachable: Arc<str> = Arc::from("the instance is not connected");
    let own: Arc<str> = Arc::from("the instance's own number");
    // At most one step a listed number a seat: reserved once, never
    // copied while it grows (pages never written are never resident).
    let mut steps = Vec::with_capacity(listed.len() * seats.len());
    for (instance, seat) in seats.iter().enumerate() {
        for (jid, (target, reason)) in &listed {
            let (action, reason) = if seat.own_jid == Some(jid.as_str()) {
                (Action::Refused, own.clone())
            } else if let Some(why) = absent(jid) {
                (
                    Action::Refused,
                    Arc::from(format!("not on WhatsApp: {why}")),
                )
            } else if (seat.is_blocked)(jid) {
                continue;
            } else if !seat.connected {
                (Action::Unreachable, unreachable.clone())
            } else {
                (Action::Block, reason.clone())
            };
            steps.push(Step {
                instance,
                action,
                target: target.clone(),
                reason,
            });
        }
        let mut gone: Vec<&String> = seat
            .applied
            .iter()
            .filter(|jid| !listed.contains_key(*jid) && (seat.is_blocked)(jid))
            .collect();
        gone.sort();
        for jid in gone {
            let action = if seat.connected {
                Action::Unblock
            } else {
                Action::Unreachable
            };
            steps.push(Step {
                instance,
                action,
                target: Arc::from(target_of(jid).as_str()),
                reason: Arc::from(why_gone(entries, jid, now)),
            });
        }
    }
    // No two steps share a key: an unstable sort is as stable, and needs
    // no buffer of half the steps.
    steps.sort_unstable_by(|a, b| {
        (a.instance, a.action, &a.target).cmp(&(b.instance, b.action, &b.target))
    });
    let id = plan_id(&steps, seats);
    Plan { steps, id }
}

/// What `entries` list at `now`: each JID once, with its target and the
/// first reason given (a reason many entries share is one text).
fn listed(entries: &[Entry], now: i64) -> BTreeMap<String, (Arc<str>, Arc<str>)> {
    let mut listed: BTreeMap<String, (Arc<str>, Arc<str>)> = BTreeMap::new();
    let mut reasons: HashMap<&str, Arc<str>> = HashMap::new();
    for e in entries.iter().filter(|e| e.is_active(now)) {
        let jid = jid_of(&e.target);
        if listed.contains_key(&jid) {
            continue;
        }
        let reason = e.reason.as_deref().unwrap_or(&e.source);
        let reason = reasons.entry(reason).or_insert_with(|| Arc::from(reason));
        let target = Arc::from(target_of(&jid).as_str());
        listed.insert(jid, (target, reason.clone()));
    }
    listed
}

/// A JID as the list keeps its target.
fn target_of(jid: &str) -> String {
    phone_digits(jid).map_or_else(|| jid.to_string(), str::to_string)
}

/// Why the entries of `jid` no longer list it: removed, or expired.
fn why_gone(entries: &[Entry], jid: &str, now: i64) -> String {
    let mine = entries.iter().filter(|e| jid_of(&e.target) == jid);
    if let Some(e) = mine.clone().rfind(|e| e.removed.is_some()) {
        return format!("removed from the list (source {})", e.source);
    }
    if mine.clone().any(|e| e.expires.is_some_and(|at| at <= now)) {
        return "its entry expired".to_string();
    }
    "no longer on the list".to_string()
}

/// FNV-1a of the steps: stable across runs and builds.
fn plan_id(steps: &[Step], seats: &[Seat<'_>]) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for s in steps {
        let name = seats.get(s.instance).map_or("", |seat| seat.name);
        for part in [name, s.action.word(), &s.target, "\n"] {
            for b in part.bytes().chain([0]) {
                hash ^= u64::from(b);
                hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
            }
        }
    }
    format!("{hash:016x}")[..12].to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(target: &str, source: &str) -> Entry {
        Entry {
            target: target.into(),
            reason: Some("spam".into()),
            source: source.into(),
            operator: Some("desk-1".into()),
            added: 100,
            expires: None,
            removed: None,
        }
    }

    const SPAM: &str = "5511911110001";
    const HAND: &str = "5511911110002";

    fn run(entries: &[Entry], blocked: &[&str], applied: &[&str], connected: bool) -> Plan {
        let blocked: HashSet<String> = blocked.iter().map(|t| jid_of(t)).collect();
        let applied: HashSet<String> = applied.iter().map(|t| jid_of(t)).collect();
        let is_blocked = |jid: &str| blocked.contains(jid);
        let seats = [Seat {
            name: "sales",
            connected,
            own_jid: Some("5511955550101@s.whatsapp.net"),
            is_blocked: &is_blocked,
            applied: &applied,
        }];
        plan(entries, &seats, &|_| None, 1_000)
    }

    fn words(p: &Plan) -> Vec<(&'static str, &str)> {
        p.steps
            .iter()
            .map(|s| (s.action.word(), &*s.target))
            .collect()
    }

    #[test]
    fn what_is_listed_and_not_blocked_is_blocked_and_a_second_plan_is_empty() {
        let p = run(&[entry(SPAM, "manual")], &[], &[], true);
        assert_eq!(words(&p), [("block", SPAM)]);
        assert_eq!(&*p.steps[0].reason, "spam");
        assert!(
            run(&[entry(SPAM, "manual")], &[SPAM], &[SPAM], true)
                .steps
                .is_empty()
        );
    }

    #[test]
    fn only_what_the_list_blocked_is_unblocked_when_it_leaves_the_list() {
        let mut gone = entry(SPAM, "feed");
        gone.removed = Some(500);
        // The list blocked SPAM; someone blocked HAND by hand.
        let p = run(&[gone.clone()], &[SPAM, HAND], &[SPAM], true);
        assert_eq!(words(&p), [("unblock", SPAM)]);
        assert_eq!(&*p.steps[0].reason, "removed from the list (source feed)");
        // Another source still lists it: nothing.
        let p = run(&[gone, entry(SPAM, "manual")], &[SPAM], &[SPAM], true);
        assert!(p.steps.is_empty(), "{p:?}");
    }

    #[test]
    fn an_expired_entry_is_unblocked_not_silently() {
        let mut e = entry(SPAM, "manual");
        e.expires = Some(900);
        let p = run(&[e], &[SPAM], &[SPAM], true);
        assert_eq!(words(&p), [("unblock", SPAM)]);
        assert_eq!(&*p.steps[0].reason, "its entry expired");
    }

    #[test]
    fn the_own_number_and_a_disconnected_instance_are_named_not_sent() {
        let own = entry("5511955550101", "manual");
        let p = run(&[own, entry(SPAM, "manual")], &[], &[], false);
        assert_eq!(
            words(&p),
            [("refused", "5511955550101"), ("unreachable", SPAM)]
        );
        assert!(!p.sends());
    }

    #[test]
    fn the_id_changes_with_any_step_and_not_otherwise() {
        let a = run(&[entry(SPAM, "manual")], &[], &[], true);
        let b = run(&[entry(SPAM, "other")], &[], &[], true);
        assert_eq!(a.id, b.id, "the same steps: the same id");
        let c = run(&[entry(HAND, "manual")], &[], &[], true);
        assert_ne!(a.id, c.id);
        assert_eq!(a.id.len(), 12);
    }
}
