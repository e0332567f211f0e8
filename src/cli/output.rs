//! Standard output of the headless commands, written the way good Unix
//! tools write it: rows tab-separated with no padding when piped to another
//! program, aligned for reading on a terminal; JSON arrays streamed a row
//! at a time; every field from the server sanitised; and a closed pipe
//! (`ryze-contacts list | head -1`) ending the command quietly. Every
//! byte goes out through [`crate::util::print`], the one sanitiser.

use std::io;

use serde::Serialize;

use crate::util::print::Out;
use crate::util::sanitize::clean;
use crate::util::text::width;

pub use crate::util::print::{note, progress, say, stderr_is_terminal};

/// Exit code of a command whose reader went away, as a process killed by
/// SIGPIPE reports it (128 + 13).
pub const CLOSED_PIPE: u8 = 141;

/// Whether a write failed because the reader closed the pipe.
pub fn is_closed_pipe(e: &io::Error) -> bool {
    e.kind() == io::ErrorKind::BrokenPipe
}

/// Rows of text fields.
pub struct Table {
    out: Out,
    /// On a terminal, rows wait for [`Table::finish`] to be aligned.
    aligned: Option<Vec<Vec<String>>>,
}

impl Table {
    /// A table on standard output, aligned when it is a terminal.
    pub fn stdout() -> Table {
        let aligned = Out::is_terminal().then(Vec::new);
        Table {
            out: Out::stdout(8 * 1024),
            aligned,
        }
    }

    /// Adds a row. Each field is sanitised, and tabs and line breaks in it
    /// become spaces, so a row is always one line of tab-separated fields.
    pub fn row<S: AsRef<str>>(&mut self, fields: &[S]) -> io::Result<()> {
        let fields: Vec<String> = fields
            .iter()
            .map(|f| clean(f.as_ref()).into_owned())
            .collect();
        match &mut self.aligned {
            Some(rows) => {
                rows.push(fields);
                Ok(())
            }
            None => self.out.row(&fields),
        }
    }

    /// Writes what is left (the aligned rows) and flushes.
    pub fn finish(mut self) -> io::Result<()> {
        if let Some(rows) = self.aligned.take() {
            let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
            let widths: Vec<usize> = (0..columns)
                .map(|c| {
                    rows.iter()
                        .filter_map(|r| r.get(c))
                        .map(|f| width(f))
                        .max()
                        .unwrap_or(0)
                })
                .collect();
            for row in rows {
                let mut line = String::new();
                for (c, field) in row.iter().enumerate() {
                    line.push_str(field);
                    if c + 1 < row.len() {
                        let pad = widths[c].saturating_sub(width(field)) + 2;
                        line.extend(std::iter::repeat_n(' ', pad));
                    }
                }
                self.out.line(&line)?;
            }
        }
        self.out.flush()
    }
}

/// A JSON array written one element at a time: memory stays that of one
/// row, however many there are.
pub struct JsonArray {
    out: Out,
    first: bool,
}

impl JsonArray {
    /// Starts the array on standard output.
    pub fn stdout() -> io::Result<JsonArray> {
        let mut out = Out::stdout(1 << 16);
        out.punct("[")?;
        Ok(JsonArray { out, first: true })
    }

    /// Writes one element.
    pub fn push(&mut self, value: &impl Serialize) -> io::Result<()> {
        self.out.punct(if self.first { "\n  " } else { ",\n  " })?;
        self.first = false;
        self.out.json(value, false)
    }

    /// Closes the array and flushes.
    pub fn finish(mut self) -> io::Result<()> {
        self.out.punct(if self.first { "]\n" } else { "\n]\n" })?;
        self.out.flush()
    }
}

/// Writes one JSON value, pretty, to standard output.
pub fn json(value: &impl Serialize) -> io::Result<()> {
    let mut out = Out::stdout(8 * 1024);
    out.json(value, true)?;
    out.punct("\n")?;
    out.flush()
}

/// Writes one line of text to standard output.
pub fn line(text: &str) -> io::Result<()> {
    let mut out = Out::stdout(1024);
    out.line(text)?;
    out.flush()
}

/// Writes `text` to standard output without a line break (a prompt),
/// and flushes it.
pub fn prompt(text: &str) -> io::Result<()> {
    let mut out = Out::stdout(1024);
    out.text(text)?;
    out.flush()
}

/// Standard output for lines written one at a time (a CSV export): each
/// line sanitised.
pub fn lines(capacity: usize) -> Out {
    Out::stdout(capacity)
}
