//! Standard output of the headless commands, written the way good Unix
//! tools write it: rows tab-separated with no padding when piped to another
//! program, aligned for reading on a terminal; JSON arrays streamed a row
//! at a time; every field from the server sanitised; and a closed pipe
//! (`ryze-contacts list | head -1`) ending the command quietly.

use std::io::{self, BufWriter, IsTerminal, Stdout, Write};

use serde::Serialize;

use crate::util::sanitize::clean;
use crate::util::text::width;

/// Exit code of a command whose reader went away, as a process killed by
/// SIGPIPE reports it (128 + 13).
pub const CLOSED_PIPE: u8 = 141;

/// Whether a write failed because the reader closed the pipe.
pub fn is_closed_pipe(e: &io::Error) -> bool {
    e.kind() == io::ErrorKind::BrokenPipe
}

/// Rows of text fields.
pub struct Table {
    out: BufWriter<Stdout>,
    /// On a terminal, rows wait for [`Table::finish`] to be aligned.
    aligned: Option<Vec<Vec<String>>>,
}

impl Table {
    /// A table on standard output, aligned when it is a terminal.
    pub fn stdout() -> Table {
        let stdout = io::stdout();
        let aligned = stdout.is_terminal().then(Vec::new);
        Table {
            out: BufWriter::new(stdout),
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
            None => writeln!(self.out, "{}", fields.join("\t")),
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
                writeln!(self.out, "{line}")?;
            }
        }
        self.out.flush()
    }
}

/// A JSON array written one element at a time: memory stays that of one
/// row, however many there are.
pub struct JsonArray {
    out: BufWriter<Stdout>,
    first: bool,
}

impl JsonArray {
    /// Starts the array on standard output.
    pub fn stdout() -> io::Result<JsonArray> {
        let mut out = BufWriter::with_capacity(1 << 16, io::stdout());
        out.write_all(b"[")?;
        Ok(JsonArray { out, first: true })
    }

    /// Writes one element.
    pub fn push(&mut self, value: &impl Serialize) -> io::Result<()> {
        self.out
            .write_all(if self.first { b"\n  " } else { b",\n  " })?;
        self.first = false;
        serde_json::to_writer(&mut self.out, value).map_err(json_error)
    }

    /// Closes the array and flushes.
    pub fn finish(mut self) -> io::Result<()> {
        self.out
            .write_all(if self.first { b"]\n" } else { b"\n]\n" })?;
        self.out.flush()
    }
}

/// serde_json's error as the I/O error it wraps, so a closed pipe is
/// still seen as one.
fn json_error(e: serde_json::Error) -> io::Error {
    match e.io_error_kind() {
        Some(kind) => io::Error::from(kind),
        None => io::Error::other(e),
    }
}

/// Writes one JSON value, pretty, to standard output.
pub fn json(value: &impl Serialize) -> io::Result<()> {
    let mut out = BufWriter::new(io::stdout());
    serde_json::to_writer_pretty(&mut out, value).map_err(json_error)?;
    out.write_all(b"\n")?;
    out.flush()
}

/// Writes `value` as one JSON object on a line of its own (JSON Lines).
pub fn json_line(value: &impl Serialize) -> io::Result<()> {
    let mut out = io::stdout().lock();
    serde_json::to_writer(&mut out, value).map_err(json_error)?;
    out.write_all(b"\n")?;
    out.flush()
}

/// Writes `text` as one line on standard output, sanitised.
pub fn line(text: &str) -> io::Result<()> {
    let mut out = io::stdout().lock();
    writeln!(out, "{}", clean(text))?;
    out.flush()
}
