//! The details of a live row (`Enter` in the Live view): when and where
//! it came, who wrote (name, the number as its country writes it and in
//! E.164, JID, `@lid`), the chat (a group cannot be blocked), why it is
//! flagged, on which of our numbers the sender wrote lately, what each
//! instance knows of the sender, and the whole text.

use crate::app::core::{Core, Pager};
use crate::app::live::feed::{Row, What};
use crate::app::live::words;
use crate::app::pager::LineKind;
use crate::model::live::Incoming;
use crate::util::dates::{clock, rfc3339};
use crate::util::text::wrap;

/// The details of one live row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveDetails {
    /// The row, by number.
    pub seq: u64,
    /// Scrolling and search.
    pub pager: Pager,
}

/// Label column width.
const LABEL: usize = 11;

/// The number to copy: E.164 when known, else the `@lid`.
pub fn copy_text(core: &Core, d: &LiveDetails) -> Option<String> {
    let m = core.live.row(d.seq)?.message()?;
    match (&m.sender.digits, &m.sender.lid) {
        (Some(digits), _) => Some(format!("+{digits}")),
        (None, lid) => lid.clone(),
    }
}

/// A label and its value, wrapped under the value's column.
fn field(lines: &mut Vec<(LineKind, String)>, label: &str, value: &str, room: usize) {
    for (n, part) in wrap(value, room).into_iter().enumerate() {
        let head = if n == 0 { label } else { "" };
        lines.push((LineKind::Text, format!("{head:<LABEL$}{part}")));
    }
}

/// The details at `width` columns; with a search, only the lines that
/// hold it.
pub fn lines(core: &Core, d: &LiveDetails, width: usize) -> Vec<(LineKind, String)> {
    let Some(row) = core.live.row(d.seq) else {
        return vec![(
            LineKind::Detail,
            format!(
                "This row is no longer kept: the live feed keeps the last {} events.",
                crate::app::live::feed::MAX_ROWS
            ),
        )];
    };
    let room = width.saturating_sub(LABEL).max(1);
    let mut lines = Vec::new();
    let instance = core.instances.get(row.instance);
    let place = instance.map_or_else(String::new, |i| match &i.label {
        Some(label) => format!("{} ({label})", i.name),
        None => i.name.clone(),
    });
    lines.push((LineKind::InfoHeading, "Event".to_string()));
    field(
        &mut lines,
        "time",
        &format!("{} UTC · {}", clock(row.at), rfc3339(row.at)),
        room,
    );
    field(&mut lines, "on", &place, room);
    match &row.what {
        What::State(word) => field(
            &mut lines,
            "state",
            &format!("instance.state: {word}"),
            room,
        ),
        What::Message(_) => message_lines(core, row, &mut lines, room, width),
    }
    let search = d.pager.search.to_lowercase();
    if !search.is_empty() {
        lines.retain(|(_, l)| l.to_lowercase().contains(&search));
    }
    lines
}

/// The sender, the chat, the flags, the reach, what is known, the text.
fn message_lines(
    core: &Core,
    row: &Row,
    lines: &mut Vec<(LineKind, String)>,
    room: usize,
    width: usize,
) {
    let Some(m) = row.message() else {
        return;
    };
    sender_lines(m, lines, room);
    if row.is_flagged() {
        for flag in &row.flags {
            lines.push((LineKind::ErrorHeading, format!("⚑ {}", flag.reason())));
        }
    }
    if let Some(key) = m.sender.key() {
        let minutes = core.live.rules.wave_minutes;
        let reach = core.live.reach(key, core.now);
        field(
            lines,
            "lately",
            &format!("wrote to {reach} of our numbers in the last {minutes} min"),
            room,
        );
    }
    lines.push((LineKind::Text, String::new()));
    lines.push((LineKind::InfoHeading, "Known".to_string()));
    for line in words::known_lines(core, row) {
        lines.push((LineKind::Text, line));
    }
    lines.push((LineKind::Text, String::new()));
    lines.push((LineKind::InfoHeading, "Text".to_string()));
    for line in m.text.lines() {
        for part in wrap(line, width.saturating_sub(2).max(1)) {
            lines.push((LineKind::Text, format!("  {part}")));
        }
    }
}

/// Who sent the message and in which chat.
fn sender_lines(m: &Incoming, lines: &mut Vec<(LineKind, String)>, room: usize) {
    lines.push((LineKind::Text, String::new()));
    lines.push((LineKind::InfoHeading, "From".to_string()));
    field(lines, "name", m.sender.name.as_deref().unwrap_or("—"), room);
    match &m.sender.digits {
        Some(digits) => {
            field(lines, "number", &words::number(&m.sender), room);
            field(lines, "E.164", &format!("+{digits}"), room);
        }
        None => field(lines, "number", "hidden number", room),
    }
    field(
        lines,
        "JID",
        &m.sender.phone_jid().unwrap_or_else(|| "—".into()),
        room,
    );
    field(lines, "@lid", m.sender.lid.as_deref().unwrap_or("—"), room);
    let chat = if m.chat.is_blockable() {
        "private: the sender can be blocked".to_string()
    } else {
        let name = m
            .chat_name
            .as_deref()
            .map(|n| format!(" \"{n}\""))
            .unwrap_or_default();
        format!(
            "{}{name}: not blockable (WhatsApp blocks people, not groups or channels)",
            m.chat.word()
        )
    };
    field(lines, "chat", &chat, room);
}
