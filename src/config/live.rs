//! `[live]` of the profile: what flags a live message. Flags are never
//! automatic blocks: the operator chooses.
//!
//! ```toml
//! [live]
//! wave_numbers = 2            # a sender who is no contact and wrote to at least 2 of our numbers…
//! wave_minutes = 10           # …within 10 minutes is a wave
//! deny = ["+62", "+1 900", "NG"]   # calling codes, prefixes, countries (ISO codes)
//! keywords = ["investimento", "pix grátis"]
//! ```

use serde::Deserialize;

use crate::model::flags::{Deny, Rules, fold};

/// `[live]` as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawLive {
    wave_numbers: Option<i64>,
    wave_minutes: Option<i64>,
    deny: Option<Vec<String>>,
    keywords: Option<Vec<String>>,
}

/// Reads `[live]`; every problem is listed.
pub(super) fn rules_of(raw: Option<&RawLive>) -> Result<Rules, Vec<String>> {
    let mut rules = Rules::default();
    let Some(raw) = raw else {
        return Ok(rules);
    };
    let mut problems = Vec::new();
    if let Some(n) = raw.wave_numbers {
        match usize::try_from(n) {
            Ok(n @ 2..=100) => rules.wave_numbers = n,
            _ => problems.push(format!(
                "[live] wave_numbers = {n}: write how many of our numbers make a wave, 2 to 100"
            )),
        }
    }
    if let Some(m) = raw.wave_minutes {
        match u32::try_from(m) {
            Ok(m @ 1..=1440) => rules.wave_minutes = m,
            _ => problems.push(format!(
                "[live] wave_minutes = {m}: write a window of 1 to 1440 minutes"
            )),
        }
    }
    for entry in raw.deny.iter().flatten() {
        match Deny::parse(entry) {
            Some(deny) => rules.deny.push(deny),
            None => problems.push(format!(
                "[live] deny: {:?} is neither a calling code or prefix (\"+62\", \"+1 900\") nor a country code (\"NG\")",
                crate::util::sanitize::clean(entry)
            )),
        }
    }
    for word in raw.keywords.iter().flatten() {
        let folded = fold(word.trim());
        if folded.is_empty() {
            problems
                .push("[live] keywords: an empty keyword flags every message: remove it".into());
        } else {
            rules.keywords.push(folded);
        }
    }
    if problems.is_empty() {
        Ok(rules)
    } else {
        Err(problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(text: &str) -> Result<RawLive, toml::de::Error> {
        toml::from_str(text)
    }

    #[test]
    fn rules_read_with_defaults() {
        assert_eq!(rules_of(None).unwrap(), Rules::default());
        let r = rules_of(Some(
            &raw("wave_numbers = 3\nwave_minutes = 5\ndeny = [\"+62\", \"NG\"]\nkeywords = [\"Pix Grátis\"]")
                .unwrap(),
        ))
        .unwrap();
        assert_eq!((r.wave_numbers, r.wave_minutes), (3, 5));
        assert_eq!(r.deny.len(), 2);
        assert_eq!(r.keywords, ["pix gratis"]);
    }

    #[test]
    fn every_problem_is_named() {
        let problems = rules_of(Some(
            &raw("wave_numbers = 1\nwave_minutes = 0\ndeny = [\"sales\"]\nkeywords = [\" \"]")
                .unwrap(),
        ))
        .unwrap_err();
        assert_eq!(problems.len(), 4, "{problems:?}");
        assert!(problems[2].contains("\"sales\""));
        assert!(raw("wave = 2").is_err(), "unknown keys are refused");
    }
}
