//! The one way text leaves the process: every line to standard error
//! ([`say`], [`note`], [`progress`]) and to standard output ([`Out`]) goes
//! through the sanitiser here, whatever it holds (a colleague's batch
//! label, the server's words, the database's error). JSON goes through a
//! formatter that writes C0 and C1 controls, DEL and bidi controls as
//! `\uXXXX`. No other file of the app writes to stdout or stderr (a test
//! of `layers` checks it); the terminal UI draws through ratatui, whose
//! text is cleaned where it is made.

use std::io::{self, BufWriter, IsTerminal, Stdout, Write};

use serde::Serialize;
use serde_json::ser::{CompactFormatter, Formatter, PrettyFormatter};

use super::sanitize::{clean, escape_json};

/// The prefix of every message of the app on standard error.
const PREFIX: &str = "ryze-contacts: ";

/// Each line of `text`, cleaned: a message keeps its line breaks, and no
/// line holds a control or an escape.
fn clean_lines(text: &str) -> String {
    text.split('\n')
        .map(|line| clean(line).into_owned())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Tells the user `text` on standard error, as `ryze-contacts: text`.
pub fn say(text: &str) {
    note(&format!("{PREFIX}{text}"));
}

/// Writes `text` as it is (cleaned) on standard error, without the
/// prefix: a summary line, or the blank line after a progress line.
pub fn note(text: &str) {
    let mut err = io::stderr().lock();
    let _ = writeln!(err, "{}", clean_lines(text));
}

/// Rewrites the progress line on standard error (no line break).
pub fn progress(text: &str) {
    let mut err = io::stderr().lock();
    let _ = write!(err, "\r{}", clean(text));
    let _ = err.flush();
}

/// Asks `text` on standard error, without a line break, flushed: the
/// answer is typed after it (standard output may be a pipe).
pub fn ask(text: &str) {
    let mut err = io::stderr().lock();
    let _ = write!(err, "{}", clean(text));
    let _ = err.flush();
}

/// The width of the terminal standard output is, if it is one that says.
pub fn stdout_columns() -> Option<usize> {
    #[cfg(unix)]
    {
        rustix::termios::tcgetwinsize(io::stdout())
            .ok()
            .map(|size| usize::from(size.ws_col))
            .filter(|&n| n > 0)
    }
    #[cfg(not(unix))]
    {
        None
    }
}

/// Whether standard error is a terminal (progress is shown only then).
pub fn stderr_is_terminal() -> bool {
    io::stderr().is_terminal()
}

/// Standard output, buffered; everything written is sanitised.
pub struct Out {
    inner: BufWriter<Stdout>,
}

impl Out {
    /// Standard output, with a buffer of `capacity` bytes.
    pub fn stdout(capacity: usize) -> Out {
        Out {
            inner: BufWriter::with_capacity(capacity, io::stdout()),
        }
    }

    /// Whether standard output is a terminal.
    pub fn is_terminal() -> bool {
        io::stdout().is_terminal()
    }

    /// One line of text, each of its lines cleaned.
    pub fn line(&mut self, text: &str) -> io::Result<()> {
        writeln!(self.inner, "{}", clean_lines(text))
    }

    /// One row of tab-separated fields, each cleaned (a tab or a line
    /// break inside a field becomes a space): always one line.
    pub fn row<S: AsRef<str>>(&mut self, fields: &[S]) -> io::Result<()> {
        let fields: Vec<std::borrow::Cow<'_, str>> =
            fields.iter().map(|f| clean(f.as_ref())).collect();
        writeln!(self.inner, "{}", fields.join("\t"))
    }

    /// Text the code itself writes (a bracket, a comma, a prompt's
    /// words): a `'static` string, never text from outside.
    pub fn punct(&mut self, text: &'static str) -> io::Result<()> {
        self.inner.write_all(text.as_bytes())
    }

    /// Text without a line break (a prompt), cleaned.
    pub fn text(&mut self, text: &str) -> io::Result<()> {
        write!(self.inner, "{}", clean(text))
    }

    /// One JSON value, compact or pretty, every string escaped by
    /// [`escape_json`].
    pub fn json(&mut self, value: &impl Serialize, pretty: bool) -> io::Result<()> {
        let result = if pretty {
            let formatter = Safe(PrettyFormatter::with_indent(b"  "));
            value.serialize(&mut serde_json::Serializer::with_formatter(
                &mut self.inner,
                formatter,
            ))
        } else {
            let formatter = Safe(CompactFormatter);
            value.serialize(&mut serde_json::Serializer::with_formatter(
                &mut self.inner,
                formatter,
            ))
        };
        result.map_err(json_error)
    }

    /// Flushes what is buffered.
    pub fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// Where text this build generates itself (shell completions, the man
/// page) is written: never text from outside.
pub fn generated() -> impl Write {
    io::stdout()
}

/// serde_json's error as the I/O error it wraps, so a closed pipe is
/// still seen as one.
fn json_error(e: serde_json::Error) -> io::Error {
    match e.io_error_kind() {
        Some(kind) => io::Error::from(kind),
        None => io::Error::other(e),
    }
}

/// A JSON formatter (compact or pretty) whose strings never carry a
/// control or bidi character raw: serde_json escapes C0 itself; the rest
/// (DEL, C1, bidi) is written as `\uXXXX` here.
struct Safe<F>(F);

impl<F: Formatter> Formatter for Safe<F> {
    fn write_string_fragment<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        if !fragment.chars().any(super::sanitize::is_unsafe) {
            return writer.write_all(fragment.as_bytes());
        }
        let mut out = String::with_capacity(fragment.len() + 12);
        escape_json(fragment, &mut out);
        writer.write_all(out.as_bytes())
    }

    fn begin_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_array(w)
    }

    fn end_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_array(w)
    }

    fn begin_array_value<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.0.begin_array_value(w, first)
    }

    fn end_array_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_array_value(w)
    }

    fn begin_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_object(w)
    }

    fn end_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object(w)
    }

    fn begin_object_key<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.0.begin_object_key(w, first)
    }

    fn begin_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_object_value(w)
    }

    fn end_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object_value(w)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn to_json(value: &impl Serialize, pretty: bool) -> String {
        let mut bytes = Vec::new();
        let result = if pretty {
            value.serialize(&mut serde_json::Serializer::with_formatter(
                &mut bytes,
                Safe(PrettyFormatter::with_indent(b"  ")),
            ))
        } else {
            value.serialize(&mut serde_json::Serializer::with_formatter(
                &mut bytes,
                Safe(CompactFormatter),
            ))
        };
        result.unwrap();
        String::from_utf8(bytes).unwrap()
    }

    #[test]
    fn json_never_carries_a_control_or_bidi_character_raw() {
        let value =
            serde_json::json!({"label": "a\u{1b}]0;PWN\u{7}\u{9b}2J\u{202e}b\u{7f}", "n": 1});
        for pretty in [false, true] {
            let text = to_json(&value, pretty);
            let raw = |c: char| c != '\n' && super::super::sanitize::is_unsafe(c);
            assert!(!text.chars().any(raw), "{text:?}");
            assert!(
                text.contains(r"a\u001b]0;PWN\u0007\u009b2J\u202eb\u007f"),
                "{text}"
            );
            let back: serde_json::Value = serde_json::from_str(&text).unwrap();
            assert_eq!(back, value, "the escapes read back as the same text");
        }
        assert_eq!(
            to_json(&serde_json::json!(["x"]), true),
            "[\n  \"x\"\n]",
            "pretty stays pretty"
        );
    }

    #[test]
    fn lines_keep_their_breaks_and_lose_their_escapes() {
        assert_eq!(clean_lines("a\u{1b}[2J\nb\u{9b}c"), "a[2J\nbc");
    }
}
