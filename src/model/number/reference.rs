//! The differential test: every case of `tests/reference/numbers.jsonl`
//! (made by `tests/reference/make_numbers.py` with libphonenumber's
//! reference port) read by [`read_typed`], which must give the same E.164,
//! the same display and type, or the same class of refusal.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::{Region, Target, TypedError, read_typed};

const CORPUS: &str = include_str!("../../../tests/reference/numbers.jsonl");

#[derive(Deserialize)]
struct Header {
    reference: String,
    cases: usize,
}

#[derive(Deserialize)]
struct Case {
    r: String,
    f: String,
    #[serde(rename = "in")]
    input: String,
    c: String,
    e164: Option<String>,
    shown: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
    alt: Option<String>,
}

/// Our words for the reference's type names.
fn words(kind: &str) -> &'static str {
    match kind {
        "fixed-line" => "landline",
        "mobile" => "mobile",
        "fixed-line-or-mobile" => "landline or mobile",
        "toll-free" => "toll-free",
        "premium-rate" => "premium rate",
        "shared-cost" => "shared cost",
        "voip" => "VoIP",
        "personal-number" => "personal number",
        "pager" => "pager",
        "uan" => "company number",
        "voicemail" => "voicemail",
        _ => "number",
    }
}

/// What we made of a case, in the corpus's terms: the class and, where
/// there is one, the number sent and its other reading.
fn ours(case: &Case) -> (String, Option<String>, Option<String>) {
    let region = Region::from_code(&case.r);
    match read_typed(&case.input, region) {
        Ok(Target::Phone(u)) => ("send".into(), Some(u.e164()), None),
        Ok(Target::Lid(lid)) => ("lid".into(), Some(lid), None),
        Err(TypedError::Phone(e)) => {
            let (main, alt) = match &e.refused {
                super::Refused::Ambiguous {
                    national,
                    international,
                } => (Some(national.e164()), Some(international.e164())),
                super::Refused::Foreign { international } => (None, Some(international.e164())),
                _ => (None, None),
            };
            (e.class().into(), main, alt)
        }
        Err(other) => (format!("jid: {other}"), None, None),
    }
}

#[test]
fn every_reference_case_reads_as_the_reference_reads_it() {
    let mut lines = CORPUS.lines();
    let header: Header =
        serde_json::from_str(lines.next().unwrap_or_default()).expect("the corpus has a header");
    assert!(
        header.reference.starts_with("phonenumbers 9.0."),
        "{}",
        header.reference
    );
    let cases: Vec<Case> = lines
        .map(|l| serde_json::from_str(l).expect("each line is a case"))
        .collect();
    assert_eq!(cases.len(), header.cases);
    let mut by_class: BTreeMap<&str, usize> = BTreeMap::new();
    let mut wrong = Vec::new();
    for case in &cases {
        *by_class.entry(case.c.as_str()).or_default() += 1;
        let (class, sent, alt) = ours(case);
        let mut same = class == case.c
            && (case.c != "send" && case.c != "ambiguous" || sent == case.e164)
            && alt == case.alt;
        if same && case.c == "send" {
            let read = read_typed(&case.input, Region::from_code(&case.r));
            if let Ok(Target::Phone(u)) = read {
                same = Some(u.display.as_str()) == case.shown.as_deref()
                    && Some(u.kind) == case.kind.as_deref().map(words);
            }
        }
        if !same {
            wrong.push(format!(
                "{} {} {:?}: reference {} {:?} {:?}, ours {class} {sent:?} {alt:?}",
                case.r, case.f, case.input, case.c, case.e164, case.alt
            ));
        }
    }
    println!(
        "{} cases against {}: {by_class:?}",
        cases.len(),
        header.reference
    );
    assert!(
        wrong.is_empty(),
        "{} of {} cases differ:\n{}",
        wrong.len(),
        cases.len(),
        wrong.join("\n")
    );
}
