//! Makes text from strangers safe to put on a terminal: [`clean`] for
//! what is shown, [`escape_json`] for what a program reads. Everything the
//! app prints goes through one of them, by way of [`super::print`].

use std::borrow::Cow;

/// True for the bidirectional marks, overrides and isolates that could
/// reorder what is shown around them.
pub fn is_bidi_control(c: char) -> bool {
    matches!(
        c,
        '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
    )
}

/// True for characters that must never reach the terminal: C0 and C1
/// controls, DEL, and the bidi controls.
pub fn is_unsafe(c: char) -> bool {
    c.is_control() || is_bidi_control(c)
}

/// Returns `text` with every control character, escape and bidi override
/// removed (tabs and line breaks become spaces), borrowing when it is
/// already clean.
pub fn clean(text: &str) -> Cow<'_, str> {
    // Printable ASCII (every JID, most names) is clean: it is checked a
    // byte at a time, and only what follows the first other byte (which
    // starts a character) is read as characters.
    let rest = match text.bytes().position(|b| !(0x20..0x7f).contains(&b)) {
        None => return Cow::Borrowed(text),
        Some(at) => &text[at..],
    };
    if !rest.chars().any(is_unsafe) {
        return Cow::Borrowed(text);
    }
    let cleaned = text
        .chars()
        .filter_map(|c| match c {
            '\t' | '\n' | '\r' => Some(' '),
            c if is_unsafe(c) => None,
            c => Some(c),
        })
        .collect();
    Cow::Owned(cleaned)
}

/// Writes `text` as the inside of a JSON string: quotes and backslashes
/// escaped, and every C0 and C1 control, DEL and bidi control as
/// `\uXXXX`, so that a program (or a terminal showing the JSON) reads the
/// character's code, never the character.
pub fn escape_json(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if is_unsafe(c) => {
                out.push_str(&format!("\\u{:04x}", u32::from(c)));
            }
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_escapes_every_control_and_bidi_as_its_code() {
        let mut out = String::new();
        escape_json("a\u{1b}]0;x\u{7}\u{9b}2J\u{202e}\"\\\n\u{7f}é", &mut out);
        assert_eq!(
            out,
            "a\\u001b]0;x\\u0007\\u009b2J\\u202e\\\"\\\\\\n\\u007fé"
        );
    }

    #[test]
    fn clean_text_is_borrowed() {
        assert!(matches!(clean("María 🙂 مريم"), Cow::Borrowed(_)));
        assert!(matches!(
            clean("5511999990001@s.whatsapp.net"),
            Cow::Borrowed(_)
        ));
    }

    #[test]
    fn an_unsafe_character_after_ascii_or_first_is_removed() {
        assert_eq!(clean("abc\u{1b}[31mdef"), "abc[31mdef");
        assert_eq!(clean("\u{7f}x"), "x");
        assert_eq!(clean("Zoë\u{202e}x"), "Zoëx");
        assert_eq!(clean("a\tb"), "a b");
    }

    #[test]
    fn strips_escapes_controls_and_bidi() {
        assert_eq!(clean("a\x1b[31mred\x07"), "a[31mred");
        assert_eq!(clean("x\u{9b}2Jy"), "x2Jy");
        assert_eq!(clean("\x1b]0;title\x07name"), "]0;titlename");
        assert_eq!(clean("evil\u{202E}txt.exe"), "eviltxt.exe");
        assert_eq!(clean("two\nlines\ttab"), "two lines tab");
        assert_eq!(clean("del\x7f"), "del");
    }
}
