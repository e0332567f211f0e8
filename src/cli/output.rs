//! Standard output of the headless commands, written the way good Unix
//! tools write it: rows tab-separated with no padding and no header when
//! piped to another program; on a terminal, under a header and fitted to
//! its width (cut with `…`), as kubectl and gh do; JSON arrays streamed a row
//! at a time; every field from the server sanitised; and a closed pipe
//! (`ryze-contacts list | head -1`) ending the command quietly. Every
//! byte goes out through [`crate::util::print`], the one sanitiser.

use std::io;

use serde::Serialize;

use crate::util::print::Out;
use crate::util::sanitize::clean;
use crate::util::text::{fit, width};

pub use crate::util::print::{ask, note, progress, say, stderr_is_terminal};

/// Whether a write failed because the reader closed the pipe.
pub fn is_closed_pipe(e: &io::Error) -> bool {
    e.kind() == io::ErrorKind::BrokenPipe
}

/// How a column of a table on a terminal gives way when the row is wider
/// than the terminal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Give {
    /// Never cut (numbers, instances, states: a cut number would read as
    /// another).
    Keep,
    /// Cut with `…` (names).
    Cut,
    /// Cut, and left out before a [`Give::Cut`] column is cut to a stub
    /// (who and why: piped output and `--json` always carry them).
    Spare,
}

/// A column of a table on a terminal: its heading and how it gives way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    /// The heading, shown on a terminal only.
    pub title: &'static str,
    /// How it gives way to a narrow terminal.
    pub give: Give,
}

impl Column {
    /// A column whose cells are never cut.
    pub const fn keep(title: &'static str) -> Column {
        Column {
            title,
            give: Give::Keep,
        }
    }

    /// A column whose cells are cut when the row is too wide.
    pub const fn cut(title: &'static str) -> Column {
        Column {
            title,
            give: Give::Cut,
        }
    }

    /// A column left out when there is no room for it.
    pub const fn spare(title: &'static str) -> Column {
        Column {
            title,
            give: Give::Spare,
        }
    }
}

/// Columns between two cells.
const GAP: usize = 2;
/// A cut column keeps at least this many columns (or its widest cell).
const FEWEST: usize = 6;
/// A cut column narrower than this is a stub: spare columns are left out
/// first.
const STUB: usize = 12;

/// The widths of columns whose widest cells are `natural`, fitted into
/// `room` terminal columns (gaps included), as kubectl and gh fit theirs.
/// When the row is too wide, the widest columns that may be cut are
/// narrowed to one cap, the largest that fits, never under [`FEWEST`];
/// while that cap cuts one to a stub (under [`STUB`]) or still does not
/// fit, a [`Give::Spare`] column is left out (`None`): the rightmost of
/// those with nothing in them (`empty`), else the rightmost. When nothing
/// more gives way, the row is as narrow as it can be and the terminal
/// wraps it.
pub fn fit_widths(
    natural: &[usize],
    give: &[Give],
    empty: &[bool],
    room: usize,
) -> Vec<Option<usize>> {
    let give_of = |c: usize| give.get(c).copied().unwrap_or(Give::Keep);
    let mut shown: Vec<bool> = vec![true; natural.len()];
    loop {
        let (widths, cap) = capped_to_fit(natural, &shown, &give_of, room);
        let total: usize = widths.iter().flatten().sum::<usize>()
            + GAP * widths.iter().flatten().count().saturating_sub(1);
        let stubbed = (0..natural.len()).any(|c| {
            shown[c] && give_of(c) != Give::Keep && natural[c] > cap.max(FEWEST) && cap < STUB
        });
        let spares = (0..natural.len())
            .rev()
            .filter(|&c| shown[c] && give_of(c) == Give::Spare);
        let mut spares_empty_first = spares.clone().filter(|&c| empty.get(c) == Some(&true));
        let spare = spares_empty_first.next().or_else(|| spares.clone().next());
        match spare {
            Some(c) if total > room || stubbed => shown[c] = false,
            _ => return widths,
        }
    }
}

/// The widths of the `shown` columns with every one that may be cut
/// capped at the largest cap that fits `room`, and that cap.
fn capped_to_fit(
    natural: &[usize],
    shown: &[bool],
    give_of: &dyn Fn(usize) -> Give,
    room: usize,
) -> (Vec<Option<usize>>, usize) {
    let capped = |cap: usize| -> Vec<Option<usize>> {
        (0..natural.len())
            .map(|c| {
                let w = natural[c];
                shown[c].then(|| match give_of(c) {
                    Give::Keep => w,
                    Give::Cut | Give::Spare => w.min(cap.max(FEWEST)),
                })
            })
            .collect()
    };
    let total = |widths: &[Option<usize>]| {
        widths.iter().flatten().sum::<usize>()
            + GAP * widths.iter().flatten().count().saturating_sub(1)
    };
    let widest = natural.iter().copied().max().unwrap_or(0);
    // The largest cap that fits: the total grows with the cap.
    let (mut low, mut high) = (0, widest);
    while low < high {
        let mid = (low + high).div_ceil(2);
        if total(&capped(mid)) <= room {
            low = mid;
        } else {
            high = mid - 1;
        }
    }
    (capped(low), low)
}

/// The width of standard output when it is a terminal: `COLUMNS` when it
/// holds a number, else what the terminal says (`None` when it says
/// nothing).
fn terminal_columns() -> Option<usize> {
    if let Some(n) = std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse::<usize>().ok())
        .filter(|&n| n > 0)
    {
        return Some(n);
    }
    crate::util::print::stdout_columns()
}

/// Rows of text fields: tab-separated when piped; on a terminal, under a
/// header and fitted to its width.
pub struct Table {
    out: Out,
    /// On a terminal, rows wait for [`Table::finish`] to be fitted.
    aligned: Option<Vec<Vec<String>>>,
    /// The columns, when the table has a header.
    columns: Vec<Column>,
}

impl Table {
    /// A table on standard output, aligned when it is a terminal.
    pub fn stdout() -> Table {
        Table::with_columns(&[])
    }

    /// A table of `columns`: on a terminal their headings come first and
    /// the cuttable ones are cut to fit its width; piped, rows only.
    pub fn with_columns(columns: &[Column]) -> Table {
        let aligned = Out::is_terminal().then(Vec::new);
        Table {
            out: Out::stdout(8 * 1024),
            aligned,
            columns: columns.to_vec(),
        }
    }

    /// Whether the rows go to a terminal (under a header, fitted), rather
    /// than to another program.
    pub fn is_terminal(&self) -> bool {
        self.aligned.is_some()
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

    /// Writes what is left (the aligned rows, under their header) and
    /// flushes.
    pub fn finish(mut self) -> io::Result<()> {
        if let Some(mut rows) = self.aligned.take() {
            // A column of `-` and blanks says nothing: it goes first.
            let empty: Vec<bool> = (0..self.columns.len())
                .map(|c| {
                    rows.iter()
                        .all(|r| r.get(c).is_none_or(|f| f.is_empty() || f == "-"))
                })
                .collect();
            if !self.columns.is_empty() {
                rows.insert(0, self.columns.iter().map(|c| c.title.into()).collect());
            }
            let give: Vec<Give> = self.columns.iter().map(|c| c.give).collect();
            for line in aligned(&rows, &give, &empty, terminal_columns()) {
                self.out.line(&line)?;
            }
        }
        self.out.flush()
    }
}

/// `rows` as lines of aligned cells, fitted to `room` columns when it is
/// known (`give` says how each column gives way, `empty` which hold
/// nothing).
pub fn aligned(
    rows: &[Vec<String>],
    give: &[Give],
    empty: &[bool],
    room: Option<usize>,
) -> Vec<String> {
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let natural: Vec<usize> = (0..columns)
        .map(|c| {
            rows.iter()
                .filter_map(|r| r.get(c))
                .map(|f| width(f))
                .max()
                .unwrap_or(0)
        })
        .collect();
    let widths = match room {
        Some(room) => fit_widths(&natural, give, empty, room),
        None => natural.into_iter().map(Some).collect(),
    };
    rows.iter()
        .map(|row| {
            let cells: Vec<(String, usize)> = row
                .iter()
                .zip(&widths)
                .filter_map(|(field, w)| w.map(|w| (fit(field, w), w)))
                .collect();
            let mut line = String::new();
            for (c, (cell, w)) in cells.iter().enumerate() {
                line.push_str(cell);
                if c + 1 < cells.len() {
                    let pad = w.saturating_sub(width(cell)) + GAP;
                    line.extend(std::iter::repeat_n(' ', pad));
                }
            }
            line
        })
        .collect()
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

/// Writes `value` as one JSON object on a line of its own (JSON Lines).
pub fn json_line(value: &impl Serialize) -> io::Result<()> {
    let mut out = Out::stdout(4 * 1024);
    out.json(value, false)?;
    out.punct("\n")?;
    out.flush()
}

/// Writes `text` as one line on standard output, sanitised.
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

#[cfg(test)]
mod tests {
    use super::*;

    use Give::{Cut, Keep, Spare};

    fn shown(widths: Vec<Option<usize>>) -> Vec<usize> {
        widths.into_iter().map(|w| w.unwrap_or(0)).collect()
    }

    #[test]
    fn a_row_that_fits_keeps_its_widths() {
        assert_eq!(
            shown(fit_widths(&[5, 10, 3], &[Keep, Cut, Spare], &[], 80)),
            [5, 10, 3]
        );
    }

    #[test]
    fn the_widest_cuttable_columns_give_way_first() {
        // 20 + 17 + 7 + 30 + 40 + 4 gaps of 2 = 122 columns, in 80.
        let natural = [20, 17, 7, 30, 40];
        let widths = shown(fit_widths(&natural, &[Keep, Keep, Keep, Cut, Cut], &[], 80));
        assert_eq!(&widths[..3], &natural[..3], "kept whole");
        assert_eq!(widths.iter().sum::<usize>() + 8, 80, "{widths:?}");
        assert_eq!(widths[3], widths[4], "one cap for both: {widths:?}");
    }

    #[test]
    fn spare_columns_leave_before_a_name_is_cut_to_a_stub() {
        // history at 80 columns: time, instance, number, name, action,
        // result, error, operator, reason.
        let natural = [16, 8, 17, 30, 7, 6, 5, 8, 6];
        let give = [Keep, Keep, Keep, Cut, Keep, Keep, Spare, Spare, Spare];
        let widths = fit_widths(&natural, &give, &[], 80);
        assert_eq!(&widths[6..], &[None, None, None], "{widths:?}");
        assert_eq!(widths[3], Some(16), "the name has the rest: {widths:?}");
        // Wide enough, everything stays.
        assert!(
            fit_widths(&natural, &give, &[], 160)
                .iter()
                .all(Option::is_some)
        );
        // An empty error column goes before the operator.
        let mut empty = [false; 9];
        empty[6] = true;
        let widths = fit_widths(&[16, 8, 17, 4, 6, 6, 5, 8, 30], &give, &empty, 80);
        assert_eq!(&widths[6..], &[None, Some(8), None], "{widths:?}");
    }

    #[test]
    fn when_nothing_more_gives_way_the_row_is_as_narrow_as_it_can_be() {
        let widths = shown(fit_widths(&[30, 30, 30], &[Keep, Cut, Cut], &[], 20));
        assert_eq!(widths, [30, FEWEST, FEWEST]);
        let widths = shown(fit_widths(&[30, 3, 40], &[Keep, Cut, Cut], &[], 50));
        assert_eq!(widths, [30, 3, 13], "a narrow column stays as it is");
    }

    #[test]
    fn lines_are_cut_with_an_ellipsis_and_never_exceed_the_room() {
        let rows = vec![
            vec!["TIME".to_string(), "NAME".into(), "RESULT".into()],
            vec![
                "2026-12-01 09:12".to_string(),
                "Padaria Pão Quente do Bairro Alto".into(),
                "done".into(),
            ],
        ];
        let lines = aligned(&rows, &[Keep, Cut, Keep], &[], Some(40));
        assert_eq!(lines[1], "2026-12-01 09:12  Padaria Pão Q…  done");
        assert!(lines.iter().all(|l| width(l) <= 40), "{lines:?}");
        assert!(lines[0].starts_with("TIME"));
        let whole = aligned(&rows, &[Keep, Cut, Keep], &[], None);
        assert!(whole[1].contains("Bairro Alto"));
    }
}
