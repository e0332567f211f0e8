//! The message log's lines, laid out for a width: pure, so the update
//! clamps scrolling with the same lines the UI draws. [`LineKind`] styles
//! the lines of every overlay that pages through text.

use crate::app::pager::LineKind;
use crate::util::text::wrap;

/// One message of this session, as the message log shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// Unix time it was shown.
    pub at: i64,
    /// The instance it is about.
    pub instance: String,
    /// The full text.
    pub text: String,
    /// The HTTP status, for errors the server answered.
    pub status: Option<u16>,
    /// What to do, for errors.
    pub hint: Option<String>,
    /// An error (or a success or notice).
    pub is_error: bool,
}

/// Indent of a message's text under its heading.
const INDENT: &str = "  ";

/// The log at `width` columns, newest message first; with a `search`,
/// only the messages whose text, instance or hint contain it (case
/// ignored).
pub fn lines(messages: &[Message], search: &str, width: usize) -> Vec<(LineKind, String)> {
    let room = width.saturating_sub(INDENT.len()).max(1);
    let search = search.to_lowercase();
    let mut lines = Vec::new();
    for m in messages.iter().rev() {
        let hay = format!(
            "{} {} {}",
            m.text,
            m.instance,
            m.hint.as_deref().unwrap_or_default()
        );
        if !search.is_empty() && !hay.to_lowercase().contains(&search) {
            continue;
        }
        let (kind, mark) = if m.is_error {
            (LineKind::ErrorHeading, '✖')
        } else {
            (LineKind::InfoHeading, '›')
        };
        lines.push((
            kind,
            format!("{mark} {}  {}", crate::util::dates::clock(m.at), m.instance),
        ));
        for part in wrap(&m.text, room) {
            lines.push((LineKind::Text, format!("{INDENT}{part}")));
        }
        let mut detail = Vec::new();
        if let Some(status) = m.status {
            detail.push(format!("HTTP {status}"));
        }
        if let Some(hint) = m.hint.as_ref().filter(|h| !h.is_empty()) {
            detail.push(format!("what to do: {hint}"));
        }
        if !detail.is_empty() {
            for part in wrap(&detail.join(" · "), room) {
                lines.push((LineKind::Detail, format!("{INDENT}{part}")));
            }
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(text: &str, is_error: bool) -> Message {
        Message {
            at: 1_800_000_000,
            instance: "sales".into(),
            text: text.into(),
            status: is_error.then_some(503),
            hint: is_error.then(|| "connect the phone".to_string()),
            is_error,
        }
    }

    #[test]
    fn newest_first_with_status_and_hint() {
        let log = lines(&[message("old", true), message("new", false)], "", 40);
        let text: Vec<&str> = log.iter().map(|(_, t)| t.as_str()).collect();
        assert_eq!(
            text,
            [
                "› 08:00:00  sales",
                "  new",
                "✖ 08:00:00  sales",
                "  old",
                "  HTTP 503 · what to do: connect the",
                "  phone",
            ]
        );
        assert_eq!(
            lines(&[message("old", true), message("new", false)], "OLD", 40).len(),
            4
        );
    }
}
