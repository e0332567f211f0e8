//! Every key remapped, every screen searched: no screen names a key the
//! profile took away. The keys are pressed by their new bindings, so the
//! screens are reached as a user of that profile reaches them.

use std::collections::HashSet;

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::tests::{NOW, demo_state, failed_block, render, text};
use crate::app::State;
use crate::app::batch::{Batch, Item};
use crate::app::state::Load;
use crate::app::testing::{BlockDone, update};
use crate::keys::{Command, DialogAction, Entry, Key, Keymap, LineAction, OverlayAction};
use crate::protocol::{ErrorInfo, ErrorKind, JobResult, Msg};

/// Every label a default binding shows, in every context.
fn default_labels() -> HashSet<String> {
    let map = Keymap::default();
    fn labels<A>(entries: &[Entry<A>]) -> impl Iterator<Item = String> + '_ {
        entries.iter().flat_map(|e| e.keys.iter().map(Key::label))
    }
    labels(&map.entries)
        .chain(labels(&map.line.entries))
        .chain(labels(&map.dialog.entries))
        .chain(labels(&map.overlay.entries))
        .collect()
}

/// Gives each entry one key of `pool`, in order.
fn rebind<A>(entries: &mut [Entry<A>], pool: &[Key]) {
    assert!(pool.len() >= entries.len(), "enough keys to remap");
    for (entry, key) in entries.iter_mut().zip(pool) {
        entry.keys = vec![*key];
    }
}

/// A keymap in which no action keeps a default key: F1…F12, then
/// Ctrl- and Alt-letters no default uses.
fn everything_remapped() -> Keymap {
    let defaults = default_labels();
    let pool: Vec<Key> = (1..=12)
        .map(|n| Key {
            code: KeyCode::F(n),
            mods: KeyModifiers::NONE,
        })
        .chain(('a'..='z').map(|c| Key {
            code: KeyCode::Char(c),
            mods: KeyModifiers::CONTROL,
        }))
        .chain(('a'..='z').map(|c| Key {
            code: KeyCode::Char(c),
            mods: KeyModifiers::ALT,
        }))
        .filter(|k| !defaults.contains(&k.label()))
        .collect();
    let mut map = Keymap::default();
    rebind(&mut map.entries, &pool);
    rebind(&mut map.line.entries, &pool);
    rebind(&mut map.dialog.entries, &pool);
    rebind(&mut map.overlay.entries, &pool);
    map
}

fn event(key: Key) -> Msg {
    Msg::Key(KeyEvent::new(key.code, key.mods))
}

fn press(s: &mut State, command: Command) {
    let key = s
        .keymap
        .entries
        .iter()
        .find(|e| e.action == command)
        .unwrap()
        .keys[0];
    update(s, event(key));
}

fn dialog(s: &mut State, action: DialogAction) {
    let key = s.keymap.dialog.keys_of(action)[0];
    update(s, event(key));
}

fn line(s: &mut State, action: LineAction) {
    let key = s.keymap.line.keys_of(action)[0];
    update(s, event(key));
}

fn overlay(s: &mut State, action: OverlayAction) {
    let key = s.keymap.overlay.keys_of(action)[0];
    update(s, event(key));
}

fn typed(s: &mut State, text: &str) {
    for c in text.chars() {
        update(
            s,
            Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)),
        );
    }
}

fn item(digits: &str, block: bool) -> Item {
    Item {
        instance: 0,
        jid: format!("{digits}@s.whatsapp.net"),
        lid: None,
        block,
        action: None,
        reason: None,
    }
}

fn refused() -> Result<BlockDone, ErrorInfo> {
    Err(ErrorInfo {
        kind: ErrorKind::Refused,
        status: Some(503),
        message: "Instance is not connected to WhatsApp".into(),
        hint: "instance is not connected: connect the phone and retry".into(),
    })
}

/// A bulk batch of two on sales that ends with one failure: the summary
/// names the retry, messages and undo keys.
fn ended_batch(s: &mut State) {
    let mut batch = Batch::new(
        "block 2 contacts on sales".into(),
        vec![item("5511911110002", true), item("14155550123", true)],
        crate::app::batch::Kind::Action,
        0,
    );
    batch.recorded(5, &[1, 2]);
    batch.next_jobs();
    s.batch = Some(batch);
    let done = BlockDone {
        outcome: crate::api::BlockOutcome {
            message: String::new(),
            contact_jid: "5511911110002@s.whatsapp.net".into(),
            blocked_count: Some(3),
            blocked: true,
            server_at: None,
        },
        recorded_at: NOW,
        ledger_error: None,
        reason: None,
    };
    for (digits, result) in [("5511911110002", Ok(done)), ("14155550123", refused())] {
        crate::app::testing::answer_block(
            s,
            0,
            &format!("{digits}@s.whatsapp.net"),
            true,
            Some(5),
            result,
        );
    }
}

/// Every screen a user meets with `keymap`, reached with its keys, as
/// text.
fn every_screen(keymap: &Keymap) -> Vec<(&'static str, String)> {
    type Setup = fn(&mut State) -> String;
    let screens: Vec<(&'static str, Setup)> = vec![
        ("list", |s| text(&render(s, 200, 50))),
        ("marks", |s| {
            press(s, Command::Mark);
            text(&render(s, 200, 50))
        }),
        ("filter line", |s| {
            press(s, Command::Filter);
            typed(s, "an");
            text(&render(s, 200, 50))
        }),
        ("filter kept", |s| {
            press(s, Command::Filter);
            typed(s, "an");
            line(s, LineAction::Submit);
            text(&render(s, 200, 50))
        }),
        ("nothing matches", |s| {
            press(s, Command::Filter);
            typed(s, "zzzz");
            line(s, LineAction::Submit);
            text(&render(s, 200, 50))
        }),
        ("blocked view, empty", |s| {
            press(s, Command::NextInstance);
            update(
                s,
                Msg::Worker(JobResult::Contacts {
                    instance: 1,
                    result: Ok(std::sync::Arc::new(crate::api::contacts::store_from(
                        super::tests::contacts(),
                    ))),
                }),
            );
            press(s, Command::BlockedView);
            text(&render(s, 200, 50))
        }),
        ("failed load", |s| {
            s.instances[0].load = Load::Failed(ErrorInfo {
                kind: ErrorKind::Refused,
                status: Some(401),
                message: "Invalid token".into(),
                hint: "the token is wrong: fix the profile".into(),
            });
            text(&render(s, 200, 50))
        }),
        ("help", |s| {
            press(s, Command::Help);
            every_page_remapped(s)
        }),
        ("messages", |s| {
            failed_block_remapped(s);
            press(s, Command::Messages);
            every_page_remapped(s)
        }),
        ("details", |s| {
            press(s, Command::Details);
            every_page_remapped(s)
        }),
        ("history", |s| {
            press(s, Command::History);
            update(
                s,
                Msg::Worker(JobResult::History {
                    instance: Some(0),
                    result: Ok((Vec::new(), 0)),
                }),
            );
            every_page_remapped(s)
        }),
        ("quit dialog", |s| {
            s.instances[0].pending.insert(
                "5511911110002@s.whatsapp.net".into(),
                crate::app::state::Pending {
                    sending: true,
                    queued: None,
                },
            );
            press(s, Command::Quit);
            text(&render(s, 200, 50))
        }),
        ("bulk dialog", |s| {
            press(s, Command::MarkAll);
            press(s, Command::BulkBlock);
            text(&render(s, 200, 50))
        }),
        ("number prompt", |s| {
            press(s, Command::AddNumber);
            text(&render(s, 200, 50))
        }),
        ("number prompt, typed", |s| {
            press(s, Command::AddNumber);
            typed(s, "+44 7400 123456");
            text(&render(s, 200, 50))
        }),
        ("command line", |s| {
            press(s, Command::CommandLine);
            text(&render(s, 200, 50))
        }),
        ("review", |s| {
            press(s, Command::AddNumber);
            update(s, Msg::Paste("+44 7400 123456\n+44 7400 123457".into()));
            text(&render(s, 200, 50))
        }),
        ("batch progress", |s| {
            press(s, Command::MarkAll);
            press(s, Command::BulkBlock);
            dialog(s, DialogAction::Yes);
            line(s, LineAction::Submit);
            update(
                s,
                Msg::Worker(JobResult::BatchCreated(Ok((1, (1..=7).collect())))),
            );
            text(&render(s, 200, 50))
        }),
        ("busy", |s| {
            press(s, Command::MarkAll);
            press(s, Command::BulkBlock);
            dialog(s, DialogAction::Yes);
            line(s, LineAction::Submit);
            update(
                s,
                Msg::Worker(JobResult::BatchCreated(Ok((1, (1..=7).collect())))),
            );
            press(s, Command::BulkUnblock);
            text(&render(s, 200, 50))
        }),
        ("reason", |s| {
            s.reasons = vec!["spam".into(), "abuse".into()];
            press(s, Command::MarkAll);
            press(s, Command::BulkBlock);
            dialog(s, DialogAction::Yes);
            text(&render(s, 200, 50))
        }),
        ("batch ended with a failure", |s| {
            ended_batch(s);
            text(&render(s, 200, 50))
        }),
        ("undo question", |s| {
            ended_batch(s);
            s.current = 0;
            press(s, Command::NextInstance);
            press(s, Command::Undo);
            text(&render(s, 200, 50))
        }),
        ("a failed block", |s| {
            failed_block_remapped(s);
            text(&render(s, 200, 50))
        }),
        ("resume offer", |s| {
            update(s, super::tests::unfinished_sales_batch());
            text(&render(s, 200, 50))
        }),
    ];
    screens
        .into_iter()
        .map(|(name, setup)| {
            let mut s = demo_state();
            s.keymap = keymap.clone();
            (name, setup(&mut s))
        })
        .collect()
}

/// [`failed_block`], with the remapped keys.
fn failed_block_remapped(s: &mut State) {
    let keymap = s.keymap.clone();
    s.keymap = Keymap::default();
    failed_block(s);
    s.keymap = keymap;
}

/// Every page of a text overlay, scrolled down with the remapped key
/// until it moves no more, then closed with the remapped key.
fn every_page_remapped(s: &mut State) -> String {
    let mut pages = Vec::new();
    let mut last = String::new();
    for _ in 0..400 {
        let screen = text(&render(s, 80, 24));
        if screen == last {
            break;
        }
        pages.push(screen.clone());
        last = screen;
        overlay(s, OverlayAction::Down);
    }
    overlay(s, OverlayAction::Close);
    assert!(
        s.overlay.is_none(),
        "the remapped close key closes the overlay"
    );
    pages.join("\n")
}

/// Where a screen names `label` as a key: alone before a verb or hint
/// word, after "press", or paired with another key by a slash.
fn names_key(screen: &str, label: &str, words: &HashSet<String>) -> Option<String> {
    let tokens: Vec<&str> = screen.split_whitespace().collect();
    for (i, t) in tokens.iter().enumerate() {
        let bare = t.trim_matches(|c| matches!(c, '(' | ')' | ',' | '·' | '"' | '│'));
        let next = tokens
            .get(i + 1)
            .map(|n| n.trim_matches(|c: char| !c.is_alphanumeric()));
        let before = i.checked_sub(1).map(|b| tokens[b].to_lowercase());
        // "a" is also the article: it names a key only after "press".
        let article = label == "a";
        let hit =
            (bare == label && !article && next.is_some_and(|n| words.contains(&n.to_lowercase())))
                || (bare == label && before.as_deref() == Some("press"))
                || bare.split('/').filter(|p| !p.is_empty()).count() > 1
                    && bare.split('/').any(|p| p == label);
        if hit {
            let from = i.saturating_sub(3);
            return Some(tokens[from..(i + 3).min(tokens.len())].join(" "));
        }
    }
    None
}

/// What each screen shows once reached (so a key that did nothing
/// cannot pass for a clean screen).
const MARKERS: &[(&str, &str)] = &[
    ("list", "Ana Silva"),
    ("marks", "block marked"),
    ("filter line", "/an"),
    ("filter kept", "filter: an"),
    ("nothing matches", "No contact matches"),
    ("blocked view, empty", "Nothing is known blocked here"),
    ("failed load", "could not be loaded"),
    ("help", "Commands"),
    ("messages", "Instance is not connected"),
    ("details", "E.164"),
    ("history", "History"),
    ("quit dialog", "Quit?"),
    ("bulk dialog", "Block 7 contacts"),
    ("number prompt", "Block number:"),
    ("number prompt, typed", "United Kingdom"),
    ("command line", "complete"),
    ("review", "2 numbers"),
    ("batch progress", "0 done"),
    ("busy", "a batch is running"),
    ("reason", "Why?"),
    ("batch ended with a failure", "still marked"),
    ("undo question", "Revert"),
    ("a failed block", "connect the phone"),
    ("resume offer", "Unfinished batch"),
];

/// The words a key is named before: every hint, and the verbs of the
/// messages.
fn key_words() -> HashSet<String> {
    let map = Keymap::default();
    let mut words: HashSet<String> = map
        .entries
        .iter()
        .filter_map(|e| e.hint)
        .chain(map.line.entries.iter().filter_map(|e| e.hint))
        .chain(map.dialog.entries.iter().filter_map(|e| e.hint))
        .chain(map.overlay.entries.iter().filter_map(|e| e.hint))
        .flat_map(|h| h.split(|c: char| !c.is_alphanumeric()))
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    for verb in [
        "shows",
        "undoes",
        "retries",
        "clears",
        "cancels",
        "closes",
        "opens",
        "searches",
        "completes",
        "keeps",
        "refreshes",
        "sees",
        "to",
        "again",
        "marks",
        "scrolls",
        "copies",
    ] {
        words.insert(verb.to_string());
    }
    // A prose "a number" is no key ("a" adds a number by default).
    words.remove("number");
    words
}

/// Each (screen, default label, where) a screen names a default key.
fn default_keys_named(screens: &[(&'static str, String)]) -> Vec<String> {
    let defaults = default_labels();
    let words = key_words();
    let mut found = Vec::new();
    for (name, screen) in screens {
        for label in &defaults {
            let at = if label.chars().count() > 1 {
                screen
                    .split(|c: char| c.is_whitespace() || matches!(c, '(' | ')' | ',' | '·'))
                    .find(|t| t.trim_end_matches(':') == label)
                    .map(|t| t.to_string())
            } else {
                names_key(screen, label, &words)
            };
            if let Some(at) = at {
                found.push(format!("{name}: names {label:?} at {at:?}"));
            }
        }
    }
    found
}

#[test]
fn with_every_key_remapped_no_screen_names_a_default_key() {
    let remapped = everything_remapped();
    let screens = every_screen(&remapped);
    for (name, marker) in MARKERS {
        let (_, screen) = screens.iter().find(|(n, _)| n == name).unwrap();
        assert!(
            screen.contains(marker),
            "{name} lacks {marker:?}:\n{screen}"
        );
    }
    assert_eq!(screens.len(), MARKERS.len(), "every screen has its marker");
    let problems = default_keys_named(&screens);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    let (_, list) = &screens[0];
    let shown = remapped
        .entries
        .iter()
        .filter(|e| e.hint.is_some())
        .filter(|e| {
            list.contains(&format!(
                "{} {}",
                e.keys[0].label(),
                e.hint.unwrap_or_default()
            ))
        })
        .count();
    assert!(shown >= 8, "the footer names the remapped keys:\n{list}");
}

#[test]
fn with_the_default_keys_the_same_search_finds_them() {
    // The search of the test above finds keys where they are named.
    let screens = every_screen(&Keymap::default());
    let found = default_keys_named(&screens);
    for expected in ["\"m\"", "\"Esc\"", "\"B\"", "\"u\"", "\"Enter\"", "\"Tab\""] {
        assert!(
            found
                .iter()
                .any(|f| f.contains(&format!("names {expected}"))),
            "{expected} is found: {found:#?}"
        );
    }
}
