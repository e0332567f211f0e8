//! A running batch of numbers nobody knows, drawn: its gauge and its
//! time left count a lookup and a block for each number.

use ratatui::crossterm::event::KeyCode;

use super::tests::{NOW, key, render, text, world_state};
use crate::app::testing::update;
use crate::app::{Effect, State};
use crate::model::identity::{Identity, LookedUp};
use crate::protocol::{ApiCall, Job, JobResult, LedgerWrite, Msg};

/// Numbers of the United Kingdom no contact has.
fn unknown(n: usize) -> String {
    (0..n)
        .map(|i| format!("+44 7911 {:06}\n", 123_000 + i))
        .collect()
}

/// The footer of the screen at 80x24.
fn footer(s: &mut State) -> String {
    let screen = text(&render(s, 80, 24));
    screen
        .lines()
        .nth(22)
        .unwrap_or_default()
        .trim_end()
        .to_string()
}

/// The token's budget as the worker reports it.
fn budget(s: &mut State, remaining: u32) {
    update(
        s,
        Msg::Budget {
            instances: vec![0],
            remaining,
            limit: 100,
        },
    );
}

/// The lookups `effects` ask of the server.
fn lookups(effects: &[Effect]) -> Vec<String> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Job(Job::Api(ApiCall::Lookup { number, .. })) => Some(number.clone()),
            _ => None,
        })
        .collect()
}

/// The server says who `number` is; returns the lookups sent next.
fn answer(s: &mut State, number: String) -> Vec<Effect> {
    let looked = LookedUp {
        number: number.clone(),
        identity: Identity::OnWhatsApp {
            jid: format!("{number}@s.whatsapp.net"),
            lid: None,
            name: None,
            about: None,
        },
        at: NOW,
    };
    update(
        s,
        Msg::Worker(JobResult::Lookup {
            instance: 0,
            number,
            result: Ok(looked),
        }),
    )
}

#[test]
fn a_batch_of_unknown_numbers_counts_a_lookup_and_a_block_for_each() {
    let mut s = world_state();
    update(&mut s, key(KeyCode::Char('a')));
    // The review looks them up as it opens: the ledger first.
    let effects = update(&mut s, Msg::Paste(unknown(120)));
    let [Effect::Job(Job::Read(crate::protocol::LedgerRead::Identities { numbers }))] =
        effects.as_slice()
    else {
        panic!("the ledger is asked first: {effects:?}")
    };
    let numbers = numbers.clone();
    update(&mut s, key(KeyCode::Char('y')));
    let effects = update(&mut s, key(KeyCode::Enter));
    assert!(effects.is_empty(), "nothing asked twice: {effects:?}");
    // 120 lookups and 120 blocks, with 100 requests left in the window:
    // 140 wait for the next two windows.
    budget(&mut s, 100);
    let line = footer(&mut s);
    assert!(line.contains("0/240"), "{line}");
    assert!(
        line.contains("looking up 120 of 120 numbers first · 120 left · ~2m 00s"),
        "{line}"
    );
    // The ledger knows none: they are asked of the server, eight at a
    // time; twenty answered.
    let mut asked = lookups(&update(
        &mut s,
        Msg::Worker(JobResult::Identities {
            numbers,
            result: Ok(Vec::new()),
        }),
    ));
    assert_eq!(asked.len(), crate::api::rate::MAX_IN_FLIGHT);
    for _ in 0..20 {
        let number = asked.remove(0);
        asked.extend(lookups(&answer(&mut s, number)));
    }
    budget(&mut s, 80);
    let line = footer(&mut s);
    assert!(line.contains("20/240"), "{line}");
    assert!(
        line.contains("looking up 100 of 120 numbers first · 120 left · ~2m 00s"),
        "{line}"
    );
    // Every lookup answered: the batch is recorded, then sent.
    let mut recorded = false;
    while let Some(number) = asked.pop() {
        let effects = answer(&mut s, number);
        recorded |= effects.iter().any(|e| {
            matches!(e, Effect::Job(Job::Write(LedgerWrite::CreateBatch { items, .. })) if items.len() == 120)
        });
        asked.extend(lookups(&effects));
    }
    assert!(recorded, "recorded once every lookup was in");
    budget(&mut s, 0);
    let line = footer(&mut s);
    assert!(line.contains("120/240"), "{line}");
    assert!(line.contains("0 done · 120 left · ~2m 00s"), "{line}");
}
