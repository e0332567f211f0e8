//! Reading a list of typed numbers (command-line arguments, the lines of a
//! `--from` file) for one or more instances at once: each entry must read
//! the same in every instance's country, or it is refused.

use super::{Region, Target, read_typed};

/// Where an entry came from, for messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The n-th number argument (1-based).
    Argument(usize),
    /// Line n (1-based) of the `--from` file.
    Line(usize),
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Source::Argument(n) => write!(f, "argument {n}"),
            Source::Line(n) => write!(f, "line {n}"),
        }
    }
}

/// One typed entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Where it came from.
    pub source: Source,
    /// What was typed.
    pub text: String,
}

/// A list read in full: what can be sent, and what cannot, with why.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ReadList {
    /// Entries understood the same on every instance, duplicates dropped,
    /// in the order they came.
    pub good: Vec<(Entry, Target)>,
    /// Entries refused, with the reason.
    pub bad: Vec<(Entry, String)>,
}

/// The most lines a `--from` list may have.
pub const MAX_LINES: usize = 100_000;
/// The most bytes a `--from` list may have.
pub const MAX_BYTES: u64 = 10 * 1024 * 1024;
/// The longest line of a `--from` list, in bytes (a number is far
/// shorter).
const MAX_LINE: usize = 1024;

/// Reads the entries of a `--from` list as it streams in: one per line,
/// `#` starts a comment, blank lines skipped, line numbers kept, a
/// byte-order mark dropped. Refuses, naming the line, what is not UTF-8
/// text or longer than a number could be, and a list over [`MAX_LINES`]
/// lines or [`MAX_BYTES`] bytes (so `/dev/zero` or `yes` cannot fill the
/// memory).
pub fn read_entries(reader: impl std::io::BufRead) -> Result<Vec<Entry>, String> {
    use std::io::BufRead;
    let mut reader = reader.take(MAX_BYTES + 1);
    let mut entries = Vec::new();
    let mut line = Vec::new();
    let mut read: u64 = 0;
    for number in 1.. {
        line.clear();
        let n = reader
            .read_until(b'\n', &mut line)
            .map_err(|e| format!("line {number}: cannot be read: {e}"))?;
        if n == 0 {
            break;
        }
        read += n as u64;
        if line.len() > MAX_LINE {
            return Err(format!(
                "line {number} is longer than {MAX_LINE} bytes: not a number"
            ));
        }
        if read > MAX_BYTES {
            return Err(format!(
                "the list is larger than {} MB: split it (at most {MAX_LINES} lines)",
                MAX_BYTES / (1024 * 1024)
            ));
        }
        if number > MAX_LINES {
            return Err(format!(
                "the list has more than {MAX_LINES} lines: split it"
            ));
        }
        let text =
            std::str::from_utf8(&line).map_err(|_| format!("line {number} is not UTF-8 text"))?;
        let text = if number == 1 {
            text.trim_start_matches('\u{feff}')
        } else {
            text
        };
        let text = text.split('#').next().unwrap_or_default().trim();
        if !text.is_empty() {
            entries.push(Entry {
                source: Source::Line(number),
                text: text.to_string(),
            });
        }
    }
    Ok(entries)
}

/// Whether `text` is read the same in any country: it carries its country
/// code (a `+` anywhere, as libphonenumber reads it) or is a JID.
pub fn needs_no_region(text: &str) -> bool {
    text.contains(['+', '\u{ff0b}', '@'])
}

/// Reads every entry in the country of each instance (`regions`: the
/// instance's name and its region, when known).
pub fn read_list(entries: Vec<Entry>, regions: &[(&str, Option<Region>)]) -> ReadList {
    let mut list = ReadList::default();
    let mut seen = std::collections::HashSet::new();
    for entry in entries {
        match read_everywhere(&entry.text, regions) {
            Ok(target) => {
                if seen.insert(target.jid()) {
                    list.good.push((entry, target));
                }
            }
            Err(why) => list.bad.push((entry, why)),
        }
    }
    list
}

fn read_everywhere(text: &str, regions: &[(&str, Option<Region>)]) -> Result<Target, String> {
    let mut readings: Vec<(&str, Option<Region>, Result<Target, String>)> = Vec::new();
    for (name, region) in regions {
        let region = if needs_no_region(text) { None } else { *region };
        if readings.iter().any(|(_, r, _)| *r == region) {
            continue;
        }
        let read = read_typed(text, region).map_err(|e| e.to_string());
        readings.push((name, region, read));
    }
    let Some((_, _, first)) = readings.first() else {
        return read_typed(text, None).map_err(|e| e.to_string());
    };
    if readings.iter().all(|(_, _, r)| r == first) || readings.iter().all(|(_, _, r)| r.is_err()) {
        return first.clone();
    }
    let each: Vec<String> = readings
        .iter()
        .map(|(name, region, read)| {
            let country = region.map_or("no country", Region::name);
            match read {
                Ok(target) => format!("{} on {name} ({country})", target.shown()),
                Err(_) => format!("no valid number on {name} ({country})"),
            }
        })
        .collect();
    Err(format!(
        "{text} reads differently on these instances: {}; type it with + and the country code",
        each.join(", ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn entries(texts: &[&str]) -> Vec<Entry> {
        texts
            .iter()
            .enumerate()
            .map(|(i, t)| Entry {
                source: Source::Argument(i + 1),
                text: t.to_string(),
            })
            .collect()
    }

    #[test]
    fn file_lines_keep_their_numbers() {
        let e = read_entries(
            "\u{feff}# abusers\n+44 7912 345678\n\n07912 345678 # typed at home\n".as_bytes(),
        )
        .unwrap();
        let lines: Vec<(Source, &str)> = e.iter().map(|e| (e.source, e.text.as_str())).collect();
        assert_eq!(
            lines,
            [
                (Source::Line(2), "+44 7912 345678"),
                (Source::Line(4), "07912 345678")
            ]
        );
    }

    #[test]
    fn a_list_is_bounded_and_every_refusal_names_its_line() {
        assert_eq!(
            read_entries(&b"+44 7912 345678\n\xff\xfe\n"[..]).unwrap_err(),
            "line 2 is not UTF-8 text"
        );
        let zeros = std::io::repeat(0).take(MAX_BYTES * 2);
        assert!(
            read_entries(std::io::BufReader::new(zeros))
                .unwrap_err()
                .starts_with("line 1 is longer than 1024 bytes")
        );
        let many = "1\n".repeat(MAX_LINES + 1);
        assert_eq!(
            read_entries(many.as_bytes()).unwrap_err(),
            "the list has more than 100000 lines: split it"
        );
        let big = format!("{}\n", "1".repeat(1000)).repeat(11 * 1024);
        assert!(
            read_entries(big.as_bytes())
                .unwrap_err()
                .starts_with("the list is larger than 10 MB")
        );
    }

    #[test]
    fn one_reading_per_country_and_duplicates_dropped() {
        let gb = Region::from_code("GB");
        let list = read_list(
            entries(&["+44 7912 345678", "07912 345678", "99"]),
            &[("uk", gb), ("uk2", gb)],
        );
        assert_eq!(list.good.len(), 1, "the same number twice is sent once");
        assert_eq!(list.bad.len(), 1);
        assert_eq!(list.bad[0].0.source, Source::Argument(3));
    }

    #[test]
    fn a_national_form_that_reads_differently_per_instance_is_refused() {
        let list = read_list(
            entries(&["(11) 99999-8888", "+55 11 99999-8888"]),
            &[
                ("sales", Region::from_code("BR")),
                ("us", Region::from_code("US")),
            ],
        );
        assert_eq!(list.good.len(), 1, "the international form is fine");
        let why = &list.bad[0].1;
        assert!(
            why.contains("sales (Brazil)") || why.contains("not a valid"),
            "{why}"
        );
    }
}
