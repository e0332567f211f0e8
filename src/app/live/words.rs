//! How the Live view, its details and `watch` say who wrote (the name,
//! the number as its country writes it, or the `@lid`) and what is known
//! of them on each instance: blocked there (the ledger), a block on its
//! way, a contact there.

use super::feed::Row;
use crate::app::core::Core;
use crate::model::change::Change;
use crate::model::live::{Incoming, Sender};
use crate::model::number::format_phone;

/// The number as its country writes it (`+62 812-3456-7890`), else the
/// `@lid`.
pub fn number(sender: &Sender) -> String {
    match (&sender.digits, &sender.lid) {
        (Some(digits), _) => format_phone(digits),
        (None, Some(lid)) => lid.clone(),
        (None, None) => String::new(),
    }
}

/// `Joana Promo (+62 812-3456-7890)`, or the number alone.
pub fn who(m: &Incoming) -> String {
    match &m.sender.name {
        Some(name) => format!("{name} ({})", number(&m.sender)),
        None => number(&m.sender),
    }
}

/// What one instance knows of a row's sender.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Known {
    /// A block or unblock is on its way.
    Sending(bool),
    /// The ledger knows it blocked (`true`) or unblocked, since `at`.
    Ledger {
        /// Blocked after this app's last change.
        blocked: bool,
        /// Unix time of that change.
        at: i64,
    },
    /// A contact there, by this name (empty when it has none).
    Contact(String),
    /// Nothing.
    Nothing,
}

/// What each instance knows of `row`'s sender, in profile order.
pub fn known(core: &Core, row: &Row) -> Vec<Known> {
    let Some(m) = row.message() else {
        return Vec::new();
    };
    let (jid, lid) = (m.sender.jid(), m.sender.lid.as_deref());
    let phone = m.sender.phone_jid();
    (0..core.instances.len())
        .map(|i| {
            let Some(jid) = jid.as_deref() else {
                return Known::Nothing;
            };
            if let Some((block, _)) = core.sending_for(i, jid) {
                return Known::Sending(block);
            }
            let inst = &core.instances[i];
            if let Some(k) = inst.known_of_jid(jid, lid) {
                return Known::Ledger {
                    blocked: k.blocked,
                    at: k.at,
                };
            }
            match core.live.contact_row(i, [phone.as_deref(), lid]) {
                Some(r) => Known::Contact(
                    inst.contacts
                        .get(r)
                        .map(|c| c.display_name())
                        .unwrap_or_default(),
                ),
                None => Known::Nothing,
            }
        })
        .collect()
}

/// The row's short account of it: `blocking… 3`, `⊘ all 4`,
/// `⊘ sales`, `⊘ 2 of 4`, `contact: sales`, `contact ×2`, or nothing.
pub fn known_short(core: &Core, row: &Row) -> String {
    let known = known(core, row);
    let named = |pick: &dyn Fn(&Known) -> bool| -> Vec<&str> {
        known
            .iter()
            .enumerate()
            .filter(|(_, k)| pick(k))
            .map(|(i, _)| core.instances[i].name.as_str())
            .collect()
    };
    let sending = named(&|k| matches!(k, Known::Sending(_)));
    if !sending.is_empty() {
        let verb = match known.iter().find(|k| matches!(k, Known::Sending(_))) {
            Some(Known::Sending(block)) => Change::of(*block).progressive(),
            _ => "sending",
        };
        return format!("{verb}… {}", sending.len());
    }
    let blocked = named(&|k| matches!(k, Known::Ledger { blocked: true, .. }));
    match blocked.len() {
        0 => {}
        n if n == known.len() => return format!("⊘ all {n}"),
        1 => return format!("⊘ {}", blocked[0]),
        n => return format!("⊘ {n} of {}", known.len()),
    }
    let contact = named(&|k| matches!(k, Known::Contact(_)));
    match contact.len() {
        0 => String::new(),
        1 if contact[0] == core.instances[row.instance].name => "contact".to_string(),
        1 => format!("contact: {}", contact[0]),
        n => format!("contact ×{n}"),
    }
}

/// One line per instance for the details: `sales: ⊘ blocked 2m ago by
/// desk-2: spam wave`, `support: a contact (Joana)`, `billing: nothing
/// known`.
pub fn known_lines(core: &Core, row: &Row) -> Vec<String> {
    let Some(m) = row.message() else {
        return Vec::new();
    };
    let jid = m.sender.jid().unwrap_or_default();
    known(core, row)
        .into_iter()
        .enumerate()
        .map(|(i, k)| {
            let inst = &core.instances[i];
            let what = match k {
                Known::Sending(block) => format!("{}…", Change::of(block).progressive()),
                Known::Ledger { blocked, at } => {
                    let word = if blocked { "⊘ blocked" } else { "unblocked" };
                    let why = inst
                        .why_of(&jid, m.sender.lid.as_deref())
                        .map(|w| format!(" {}", w.words()))
                        .unwrap_or_default();
                    format!("{word} {}{why}", crate::util::dates::age(core.now, at))
                }
                Known::Contact(name) if name.is_empty() => "a contact (no name)".to_string(),
                Known::Contact(name) => format!("a contact ({name})"),
                Known::Nothing => "nothing known".to_string(),
            };
            format!("{}: {what}", inst.name)
        })
        .collect()
}

/// What the Live view says above its rows: a summary, then each feed that
/// is not open (connecting, paused with its countdown, refused with why
/// and what to do), then frames that could not be read; at most `room`
/// lines in all.
pub fn health_lines(core: &Core, room: usize) -> Vec<String> {
    let live = &core.live;
    let open = live.health.iter().filter(|h| h.status.is_open()).count();
    let flagged = live.wave_senders.len();
    let mut summary = format!(
        "Live · {open} of {} feeds open · {} events · ⚑ senders in a wave: {flagged}",
        live.health.len(),
        live.len()
    );
    if !live.marks.is_empty() {
        summary.push_str(&format!(" · {} marked", live.marks.len()));
    }
    let mut lines = vec![summary];
    let mut problems = feed_problems(core);
    let unreadable = live.unreadable();
    if unreadable > 0 {
        problems.push(format!(
            "{unreadable} frame(s) could not be read and were skipped (the log says why)"
        ));
    }
    let room = room.saturating_sub(1);
    if problems.len() > room && room > 0 {
        let more = problems.len() - (room - 1);
        problems.truncate(room - 1);
        problems.push(format!("and {more} more feed problem(s)"));
    }
    problems.truncate(room);
    lines.extend(problems);
    lines
}

/// One line per feed that is not open, the connecting ones together.
fn feed_problems(core: &Core) -> Vec<String> {
    let enable = core.keymap.label_of(crate::keys::Command::EnableLive);
    let mut connecting = Vec::new();
    let mut lines = Vec::new();
    for (i, h) in core.live.health.iter().enumerate() {
        let name = &core.instances[i].name;
        let offer = match &h.config {
            Some(Ok(c)) if h.needs_enabling() => {
                format!(
                    ": its WebSocket is {} · {enable} offers to enable it",
                    c.words()
                )
            }
            _ => String::new(),
        };
        match &h.status {
            crate::protocol::FeedStatus::Off => {}
            crate::protocol::FeedStatus::Connecting => connecting.push(name.as_str()),
            crate::protocol::FeedStatus::Open if offer.is_empty() => {}
            crate::protocol::FeedStatus::Open => {
                lines.push(format!("live feed of {name} open{offer}"))
            }
            crate::protocol::FeedStatus::Paused { retry_at, why } => lines.push(format!(
                "live feed of {name} paused: {} ({why})",
                countdown(retry_at - core.now)
            )),
            crate::protocol::FeedStatus::Refused(e) if offer.is_empty() => lines.push(format!(
                "live feed of {name} refused: {} · {}",
                e.lead(),
                e.hint
            )),
            // The server's words are in the message log; the offer leads.
            crate::protocol::FeedStatus::Refused(e) => {
                let status = e.status.map(|s| format!(" (HTTP {s})")).unwrap_or_default();
                lines.push(format!("live feed of {name} refused{status}{offer}"));
            }
        }
    }
    if !connecting.is_empty() {
        lines.insert(
            0,
            format!("live feed of {}: connecting…", connecting.join(", ")),
        );
    }
    lines
}

/// `reconnecting in 8 s`, or `reconnecting now` once the time is up.
pub fn countdown(secs: i64) -> String {
    if secs > 0 {
        format!("reconnecting in {secs} s")
    } else {
        "reconnecting now".to_string()
    }
}
