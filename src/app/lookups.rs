//! Who a number is before it is blocked: lookups (`getAccount`) of
//! numbers that are not contacts of the instance acting on them. The
//! ledger is asked first (a lookup of the last day is not repeated);
//! what it does not know is asked of the server, a few at a time through
//! the instance's lane (they share its token's budget), and kept in the
//! ledger. The number prompt looks up what is typed once typing pauses;
//! a batch waits for its lookups before it is recorded and sent.

use std::collections::HashSet;

use super::core::Core;
use super::effect::Effect;
use super::lookup_state::{Stand, TYPING_PAUSE_TICKS};
use crate::api::rate::MAX_IN_FLIGHT;
use crate::model::identity::{Identity, LookedUp};
use crate::model::number::{JidKind, Target, jid_kind, phone_digits};
use crate::protocol::{ApiCall, ErrorInfo, LedgerRead, LedgerWrite};

/// The number a lookup is about for `jid`: its digits; `None` for what is
/// no phone JID.
pub fn number_of(jid: &str) -> Option<&str> {
    (jid_kind(jid) == JidKind::Phone)
        .then(|| phone_digits(jid))
        .flatten()
}

/// Looks up `wanted` (instance to ask through, number): what is known
/// fresh or asked already is not asked again; the ledger is asked first.
pub fn ask(core: &mut Core, wanted: impl IntoIterator<Item = (usize, String)>) -> Vec<Effect> {
    if !core.lookups.enabled {
        return Vec::new();
    }
    let now = core.now;
    let mut numbers = Vec::new();
    for (instance, number) in wanted {
        let l = &mut core.lookups;
        if l.fresh(&number, now).is_some() || l.asking.contains_key(&number) {
            continue;
        }
        l.failed.remove(&number);
        l.asking.insert(number.clone(), instance);
        numbers.push(number);
    }
    if numbers.is_empty() {
        return Vec::new();
    }
    vec![Effect::read(LedgerRead::Identities { numbers })]
}

/// What the ledger keeps of `numbers` (a plan's, that may hold 100,000):
/// asked of the ledger only, never of the server.
pub fn recall(core: &mut Core, numbers: Vec<String>) -> Vec<Effect> {
    let now = core.now;
    let l = &mut core.lookups;
    let numbers: Vec<String> = numbers
        .into_iter()
        .filter(|n| l.fresh(n, now).is_none() && !l.asking.contains_key(n))
        .collect();
    if numbers.is_empty() {
        return Vec::new();
    }
    for n in &numbers {
        l.recalling.insert(n.clone());
    }
    vec![Effect::read(LedgerRead::Identities { numbers })]
}

/// Whether a recall of the ledger is still answered.
pub fn recalling(core: &Core) -> bool {
    !core.lookups.recalling.is_empty()
}

/// The ledger said what it knows of `numbers`: the fresh ones are known;
/// the others are asked of the server, but for a recall. (A batch or a
/// plan waiting for them is the caller's to move on.)
pub fn on_identities(
    core: &mut Core,
    numbers: Vec<String>,
    found: Result<Vec<LookedUp>, ErrorInfo>,
) -> Vec<Effect> {
    let now = core.now;
    let l = &mut core.lookups;
    let mut answered = HashSet::new();
    for looked in found.unwrap_or_default() {
        if looked.is_fresh(now) && looked.identity != Identity::Unverified {
            l.asking.remove(&looked.number);
            answered.insert(looked.number.clone());
            l.known.insert(looked.number.clone(), looked);
        }
    }
    for number in numbers.into_iter().filter(|n| !answered.contains(n)) {
        if l.recalling.remove(&number) {
            continue;
        }
        if let Some(&instance) = l.asking.get(&number) {
            l.queue.push_back((instance, number));
        }
    }
    for number in &answered {
        l.recalling.remove(number);
    }
    feed(core)
}

/// Sends queued lookups, a few at a time.
fn feed(core: &mut Core) -> Vec<Effect> {
    let l = &mut core.lookups;
    let mut effects = Vec::new();
    while l.in_flight < MAX_IN_FLIGHT {
        let Some((instance, number)) = l.queue.pop_front() else {
            break;
        };
        l.in_flight += 1;
        effects.push(Effect::call(ApiCall::Lookup { instance, number }));
    }
    effects
}

/// The server said who a number is (or the lookup failed): it is known
/// and kept in the ledger; the next ones are sent. (A batch waiting for
/// its lookups is the caller's to move on.)
pub fn on_lookup(
    core: &mut Core,
    number: String,
    result: Result<LookedUp, ErrorInfo>,
) -> Vec<Effect> {
    if let Ok(looked) = &result {
        // Made on this run's own clock: the latest time known, even where
        // no tick keeps `now` (a headless command), so a lookup made
        // minutes into a long batch is fresh, not "from the future".
        core.now = core.now.max(looked.at);
    }
    let l = &mut core.lookups;
    l.in_flight = l.in_flight.saturating_sub(1);
    l.asking.remove(&number);
    let mut effects = Vec::new();
    match result {
        Ok(looked) => {
            l.failed.remove(&number);
            effects.push(Effect::write(LedgerWrite::Identity(looked.clone())));
            l.known.insert(number, looked);
        }
        Err(e) => {
            l.failed.insert(number, e.lead());
        }
    }
    effects.extend(feed(core));
    effects
}

/// The prompt shows `text`: the number it reads as, when it is no
/// contact of the shown instance, is looked up once typing pauses.
pub fn typed(core: &mut Core, text: &str) {
    let instance = core.current;
    let number = core
        .number_preview(text)
        .and_then(Result::ok)
        .and_then(|t| t.e164())
        .map(|e| e.trim_start_matches('+').to_string())
        .filter(|n| {
            let jid = format!("{n}{}", crate::model::number::PHONE_SUFFIX);
            core.instances[instance].contacts.find(&jid).is_none()
        });
    core.lookups.wanted = number.map(|n| (instance, n, core.ticks));
}

/// A tick: the number the prompt shows is looked up once typing paused.
pub fn on_tick(core: &mut Core) -> Vec<Effect> {
    let Some((instance, number, at)) = core.lookups.wanted.clone() else {
        return Vec::new();
    };
    if core.ticks.saturating_sub(at) < TYPING_PAUSE_TICKS {
        return Vec::new();
    }
    core.lookups.wanted = None;
    ask(core, [(instance, number)])
}

/// The prompt closed: what it showed is not looked up any more.
pub fn forget_typed(core: &mut Core) {
    core.lookups.wanted = None;
}

/// How a line about a number reads: good news, bad news, or a note.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    /// Found, as hoped.
    Good,
    /// Nothing to block, or the lookup failed.
    Bad,
    /// Waiting, or nothing to say.
    Quiet,
}

/// What is known of who `jid` is, for the screens: a contact's name,
/// `on WhatsApp: Joana Promo · "Ofertas!"`, `not on WhatsApp: nothing to
/// block`, `looking up on WhatsApp…`, or why the lookup failed; `None`
/// when nothing was asked.
pub fn who(core: &Core, jid: &str) -> Option<(Tone, String)> {
    let number = number_of(jid)?;
    if let Some(c) = core.instance().contacts.find(jid) {
        let mut name = c.display_name();
        if name.is_empty() {
            name = "(no name)".to_string();
        }
        return Some((Tone::Quiet, format!("a contact here: {name}")));
    }
    match core.lookups.stand(number, core.now) {
        Stand::Known(l) if l.is_absent() => Some((Tone::Bad, l.words())),
        Stand::Known(l) => Some((Tone::Good, l.words())),
        Stand::Asking => Some((Tone::Quiet, "looking up on WhatsApp…".to_string())),
        Stand::Failed(why) => Some((
            Tone::Bad,
            format!("lookup failed ({why}): it would be sent unverified"),
        )),
        Stand::Unasked => None,
    }
}

/// Whether a lookup said `jid` is not on WhatsApp.
pub fn absent(core: &Core, jid: &str) -> bool {
    number_of(jid)
        .and_then(|n| core.lookups.fresh(n, core.now))
        .is_some_and(LookedUp::is_absent)
}

/// The one line that says what a typed number will be sent as and who it
/// is, the same in the number prompt, after `:block` and in the paste
/// review: `→ +55 11 98765-4321 · Brazil · mobile · on WhatsApp: Joana
/// Promo · "Ofertas!"`, led by `✖` when a lookup said it is not on
/// WhatsApp.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdentityLine {
    /// `→ +55 11 98765-4321 · Brazil · mobile` (`✖` when not on WhatsApp).
    pub head: String,
    /// `→ +55 11 98765-4321`: the head where the line has no room for it.
    pub short: String,
    /// Who it is (see [`who`]), when anything is known or asked.
    pub who: Option<(Tone, String)>,
    /// Whether a lookup said it is not on WhatsApp: nothing is sent.
    pub absent: bool,
}

impl IdentityLine {
    /// The line of `target`, with what is known of who it is.
    pub fn of(core: &Core, target: &Target, who: Option<(Tone, String)>) -> IdentityLine {
        let absent = absent(core, &target.jid());
        let mark = if absent { "✖" } else { "→" };
        IdentityLine {
            head: format!("{mark} {}", target.preview()),
            short: format!("{mark} {}", target.shown()),
            who,
            absent,
        }
    }

    /// The line as one text.
    pub fn text(&self) -> String {
        match &self.who {
            Some((_, words)) => format!("{} · {words}", self.head),
            None => self.head.clone(),
        }
    }
}

/// The identity line of what `text` reads as in the number prompt or
/// after `:block` (see [`IdentityLine`]): a number not asked yet is
/// looked up once typing pauses, and says so. `None` while `text` reads
/// as no number.
pub fn prompt_line(core: &Core, text: &str) -> Option<IdentityLine> {
    let target = core.number_preview(text)?.ok()?;
    let jid = target.jid();
    let who = number_of(&jid).and_then(|_| {
        who(core, &jid).or_else(|| {
            let note = if core.lookups.enabled {
                "looked up once you pause typing"
            } else {
                "not looked up"
            };
            Some((Tone::Quiet, note.to_string()))
        })
    });
    Some(IdentityLine::of(core, &target, who))
}
