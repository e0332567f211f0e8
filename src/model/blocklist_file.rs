//! The files `blocklist import` reads, line by line (a list of 100,000
//! numbers is never held as text): the app's own `export` (CSV and JSON),
//! `blocklist list --json` (one object a line), a CSV `number,reason`
//! with a header, or one number a line (`#` starts a comment). Each row
//! keeps its line number, so a bad one is named.

use std::io::BufRead;

use serde_json::Value;

/// Longest line read (a CSV row of the export is far shorter).
const MAX_LINE: usize = 64 * 1024;

/// One number of the file, as written, with its reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// Its line number (1 is the first line).
    pub line: usize,
    /// The number (or JID) as written.
    pub text: String,
    /// Its reason, when the file gives one.
    pub reason: Option<String>,
}

/// A line that holds no number: where, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadLine {
    /// Its line number.
    pub line: usize,
    /// Why.
    pub why: String,
}

/// How the file is written, from its first line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// One JSON object a line (inside `[…]` or not).
    Json,
    /// CSV with a header: the number's column and the reason's.
    Csv {
        number: usize,
        reason: Option<usize>,
    },
    /// One number a line.
    Plain,
}

/// Reads a blocklist file row by row.
pub struct Reader<R> {
    input: R,
    shape: Option<Shape>,
    line: usize,
    buf: String,
}

impl<R: BufRead> Reader<R> {
    /// A reader of `input`.
    pub fn new(input: R) -> Self {
        Reader {
            input,
            shape: None,
            line: 0,
            buf: String::new(),
        }
    }
}

impl<R: BufRead> Iterator for Reader<R> {
    type Item = Result<Row, BadLine>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            self.buf.clear();
            self.line += 1;
            let line = self.line;
            let bad = |why: String| Some(Err(BadLine { line, why }));
            match self.input.read_line(&mut self.buf) {
                Ok(0) => return None,
                Ok(n) if n > MAX_LINE => return bad(format!("longer than {MAX_LINE} bytes")),
                Ok(_) => {}
                Err(e) => return bad(format!("cannot be read: {e}")),
            }
            let text = self.buf.trim_start_matches('\u{feff}').trim();
            if text.is_empty() {
                continue;
            }
            let shape = match self.shape {
                Some(shape) => shape,
                None => {
                    let (shape, header) = shape_of(text);
                    self.shape = Some(shape);
                    if header {
                        continue;
                    }
                    shape
                }
            };
            match read_line(shape, text, line) {
                Ok(Some(row)) => return Some(Ok(row)),
                Ok(None) => continue,
                Err(why) => return bad(why),
            }
        }
    }
}

/// The shape of a file from its first line, and whether that line is a
/// header.
fn shape_of(first: &str) -> (Shape, bool) {
    if first.starts_with(['[', '{']) {
        return (Shape::Json, false);
    }
    let cells = csv_cells(first);
    let at = |names: &[&str]| {
        cells
            .iter()
            .position(|c| names.contains(&c.trim().to_lowercase().as_str()))
    };
    match at(&["e164", "number", "jid"]) {
        Some(_) if cells.len() > 1 => {
            // The export has both: the E.164 column is the one to read.
            let number = at(&["e164"])
                .or(at(&["number"]))
                .or(at(&["jid"]))
                .unwrap_or(0);
            (
                Shape::Csv {
                    number,
                    reason: at(&["reason"]),
                },
                true,
            )
        }
        _ => (Shape::Plain, false),
    }
}

/// One line of a file of `shape`: its row, nothing (a bracket, a
/// comment), or why it holds no number.
fn read_line(shape: Shape, text: &str, line: usize) -> Result<Option<Row>, String> {
    let row = |text: &str, reason: Option<String>| {
        Some(Row {
            line,
            text: text.trim().trim_start_matches('\'').to_string(),
            reason: reason.filter(|r| !r.trim().is_empty()),
        })
    };
    match shape {
        Shape::Plain => {
            let text = text.split('#').next().unwrap_or_default().trim();
            Ok((!text.is_empty()).then(|| row(text, None)).flatten())
        }
        Shape::Csv { number, reason } => {
            let cells = csv_cells(text);
            let n = cells.get(number).ok_or("no number in this row")?;
            let reason = reason.and_then(|r| cells.get(r)).cloned();
            Ok(row(n, reason))
        }
        Shape::Json => {
            let text = text
                .trim_start_matches('[')
                .trim_end_matches([']', ','])
                .trim();
            if text.is_empty() {
                return Ok(None);
            }
            let v: Value = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
            let field = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
            let n = field("e164")
                .or_else(|| field("number"))
                .or_else(|| field("jid"))
                .ok_or("no e164, number or jid in this object")?;
            Ok(row(&n, field("reason")))
        }
    }
}

/// The cells of one CSV line, quotes (`"a,b"`, `""`) undone.
fn csv_cells(line: &str) -> Vec<String> {
    let mut cells = Vec::new();
    let mut cell = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                cell.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => cells.push(std::mem::take(&mut cell)),
            (c, _) => cell.push(c),
        }
    }
    cells.push(cell);
    cells
}

#[cfg(test)]
mod tests {
    use super::*;

    type Read = Result<(usize, String, Option<String>), (usize, String)>;

    fn read(text: &str) -> Vec<Read> {
        Reader::new(text.as_bytes())
            .map(|r| {
                r.map(|r| (r.line, r.text, r.reason))
                    .map_err(|b| (b.line, b.why))
            })
            .collect()
    }

    #[test]
    fn one_number_a_line_with_comments() {
        assert_eq!(
            read("\u{feff}+55 11 91111-0001\n\n# a comment\n07911 123456 # mine\n"),
            [
                Ok((1, "+55 11 91111-0001".into(), None)),
                Ok((4, "07911 123456".into(), None))
            ]
        );
    }

    #[test]
    fn a_csv_of_number_and_reason_and_the_apps_own_export() {
        assert_eq!(
            read("number,reason\n+5511911110001,\"spam, twice\"\n+5511911110002,\n"),
            [
                Ok((2, "+5511911110001".into(), Some("spam, twice".into()))),
                Ok((3, "+5511911110002".into(), None))
            ]
        );
        let export = "instance,jid,lid,e164,number,changed_at,operator,reason\n\
            sales,5511911110001@s.whatsapp.net,,\"'+5511911110001\",+55 11 91111-0001,2026-12-01T00:00:00Z,desk,spam\n";
        assert_eq!(
            read(export),
            [Ok((2, "+5511911110001".into(), Some("spam".into())))]
        );
    }

    #[test]
    fn json_of_the_export_and_of_blocklist_list() {
        let export = "[\n  {\"e164\": \"+5511911110001\", \"reason\": \"spam\"},\n  {\"jid\": \"9@lid\"}\n]\n";
        assert_eq!(
            read(export),
            [
                Ok((2, "+5511911110001".into(), Some("spam".into()))),
                Ok((3, "9@lid".into(), None))
            ]
        );
        assert_eq!(
            read("{\"number\": \"+5511911110003\"}\n{\"reason\": \"x\"}\n"),
            [
                Ok((1, "+5511911110003".into(), None)),
                Err((2, "no e164, number or jid in this object".into()))
            ]
        );
    }
}
