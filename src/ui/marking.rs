//! The screens of marking and acting on many at once: the filter line
//! and its two modes, the question before marking what a fuzzy filter
//! found, the bulk dialog at every size, the count of marks, the undo
//! of an older action.

use std::sync::Arc;

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::tests::{demo_state, key, rc, render, text};
use crate::api::contacts::store_from;
use crate::app::State;
use crate::app::testing::update;
use crate::protocol::{JobResult, Msg};

fn ctrl(c: char) -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL))
}

fn press(s: &mut State, typed: &str) {
    for c in typed.chars() {
        update(s, key(KeyCode::Char(c)));
    }
}

/// The demo's sales with `contacts` in place of its list.
fn with_contacts(contacts: Vec<crate::api::RemoteContact>) -> State {
    let mut s = demo_state();
    update(
        &mut s,
        Msg::Worker(JobResult::Contacts {
            instance: 0,
            result: Ok(Arc::new(store_from(contacts))),
        }),
    );
    s
}

/// Two spammers, and two people whose names hold p-r-o-m-o in order.
fn promo() -> State {
    with_contacts(vec![
        rc("5527945472109", None, Some("Promoção 🔥🔥")),
        rc("5585950730137", Some("Pedro Muñoz"), None),
        rc("5527963396636", None, Some("Promoção 🔥🔥")),
        rc("5571934360618", Some("Padaria Pão Quente Promo"), None),
        rc("5571934360619", Some("Paulo Roberto Moraes"), None),
    ])
}

/// The footer's row of a `height`-row screen.
fn footer(screen: &str, height: u16) -> String {
    screen
        .lines()
        .nth(usize::from(height) - 2)
        .unwrap_or_default()
        .to_string()
}

#[test]
fn the_filter_line_shows_its_mode_and_the_key_that_switches_it() {
    let mut s = promo();
    press(&mut s, "/promo");
    for (w, h) in [(80, 24), (40, 10)] {
        let screen = text(&render(&mut s, w, h));
        let line = footer(&screen, h);
        assert!(line.starts_with("substring /promo▏"), "{w}x{h}: {line}");
        assert!(!screen.contains("Pedr"), "{screen}");
        if w == 80 {
            assert!(line.contains("Ctrl-F fuzzy"), "{line}");
        }
    }
    update(&mut s, ctrl('f'));
    for (w, h) in [(80, 24), (40, 10)] {
        let screen = text(&render(&mut s, w, h));
        let line = footer(&screen, h);
        assert!(line.starts_with("fuzzy /promo▏"), "{w}x{h}: {line}");
        assert!(screen.contains("Pedr"), "{screen}");
        if w == 80 {
            assert!(line.contains("Ctrl-F substring"), "{line}");
        }
    }
    // Kept, a fuzzy filter says so in the list's footer.
    update(&mut s, key(KeyCode::Enter));
    let line = footer(&text(&render(&mut s, 80, 24)), 24);
    assert!(
        line.starts_with("fuzzy filter: promo (Esc clears)"),
        "{line}"
    );
    update(&mut s, key(KeyCode::Char('/')));
    update(&mut s, ctrl('f'));
    update(&mut s, key(KeyCode::Enter));
    let line = footer(&text(&render(&mut s, 80, 24)), 24);
    assert!(line.starts_with("filter: promo (Esc clears)"), "{line}");
}

#[test]
fn star_on_a_fuzzy_result_asks_with_the_count_at_80x24_and_40x10() {
    let mut s = promo();
    press(&mut s, "/promo");
    update(&mut s, ctrl('f'));
    update(&mut s, key(KeyCode::Enter));
    update(&mut s, key(KeyCode::Char('*')));
    for (w, h) in [(80, 24), (40, 10)] {
        let screen = text(&render(&mut s, w, h));
        assert!(
            screen.contains("Mark 5 contacts found"),
            "{w}x{h}:\n{screen}"
        );
        assert!(
            screen.contains("[ Cancel ]") && screen.contains("Mark 5 contacts  "),
            "{w}x{h}: the buttons:\n{screen}"
        );
    }
    insta::assert_snapshot!(render(&mut s, 80, 24).backend());
}

/// Sales with 30 contacts, all marked, and the bulk dialog open.
fn thirty_in_the_dialog() -> State {
    let mut s = with_contacts(
        (0..30)
            .map(|i| {
                rc(
                    &format!("55119{:08}", i + 1),
                    Some(&format!("Person {i:02}")),
                    None,
                )
            })
            .collect(),
    );
    update(&mut s, key(KeyCode::Char('*')));
    update(&mut s, key(KeyCode::Char('B')));
    s
}

/// The inside of the box titled `title` on `screen` (what is left of
/// its left border dropped: the list behind).
fn boxed(screen: &str, title: &str) -> String {
    let lines: Vec<&str> = screen.lines().collect();
    let top = lines
        .iter()
        .position(|l| l.contains(&format!("┌ {title}")))
        .unwrap_or_else(|| panic!("a box titled {title}:\n{screen}"));
    lines[top + 1..]
        .iter()
        .take_while(|l| !l.contains('└'))
        .map(|l| l.split_once('│').map_or(*l, |(_, inside)| inside))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn the_bulk_dialog_keeps_the_count_every_name_and_its_buttons_at_every_size() {
    for (w, h, shown) in [(80, 24, 10), (120, 40, 10), (40, 10, 3)] {
        let mut s = thirty_in_the_dialog();
        let full = text(&render(&mut s, w, h));
        assert_eq!(full.lines().count(), usize::from(h));
        let screen = boxed(&full, "Block?");
        assert!(
            screen.contains("Block 30 contacts on 1 instance:"),
            "{w}x{h}: the count of all:\n{screen}"
        );
        let buttons = screen
            .lines()
            .find(|l| l.contains("[ Cancel ]"))
            .unwrap_or_else(|| panic!("{w}x{h}: the buttons:\n{screen}"));
        assert!(buttons.contains("Block 30 contacts"), "{buttons}");
        assert!(screen.contains("Person 00"), "{screen}");
        let more = format!("↓ {} more", 30 - shown);
        assert!(screen.contains(&more), "{w}x{h}: {more}:\n{screen}");
        if w >= 80 {
            assert!(
                screen.contains("Tab buttons, names · j instance"),
                "{w}x{h}: the way to the names:\n{screen}"
            );
        }
        // Shift-Tab twice reaches the names (past the instances); j
        // scrolls them down to the last; the buttons stay.
        update(&mut s, key(KeyCode::BackTab));
        update(&mut s, key(KeyCode::BackTab));
        for _ in 0..30 - shown {
            update(&mut s, key(KeyCode::Char('j')));
        }
        let screen = boxed(&text(&render(&mut s, w, h)), "Block?");
        assert!(screen.contains("Person 29"), "{w}x{h}:\n{screen}");
        assert!(!screen.contains("Person 00"), "{w}x{h}:\n{screen}");
        assert!(screen.contains(&format!("↑ {}", 30 - shown)), "{screen}");
        let buttons = screen.lines().find(|l| l.contains("Cancel"));
        assert!(
            buttons.is_some_and(|l| l.contains("Block 30 contacts")),
            "{w}x{h}: the buttons stay:\n{screen}"
        );
        assert!(
            !screen.contains(" more"),
            "{w}x{h}: nothing below:\n{screen}"
        );
    }
}

#[test]
fn the_bulk_dialog_at_80x24_and_40x10() {
    let mut s = thirty_in_the_dialog();
    insta::assert_snapshot!("bulk_dialog_80x24", render(&mut s, 80, 24).backend());
    insta::assert_snapshot!("bulk_dialog_40x10", render(&mut s, 40, 10).backend());
}

#[test]
fn the_footer_counts_the_marks_as_space_changes_them() {
    let mut s = demo_state();
    let count = |s: &mut State| footer(&text(&render(s, 80, 24)), 24);
    assert!(!count(&mut s).contains("marked   "));
    update(&mut s, key(KeyCode::Char(' ')));
    assert!(count(&mut s).starts_with("◆ 1 marked"), "{}", count(&mut s));
    update(&mut s, key(KeyCode::Char(' ')));
    assert!(count(&mut s).starts_with("◆ 2 marked"), "{}", count(&mut s));
    update(&mut s, key(KeyCode::Char('k')));
    update(&mut s, key(KeyCode::Char(' ')));
    assert!(count(&mut s).starts_with("◆ 1 marked"), "{}", count(&mut s));
    // The help says where Space leaves the selection.
    update(&mut s, key(KeyCode::Char('?')));
    let help = super::tests::every_page(&mut s, 80, 24);
    assert!(
        help.contains("mark or unmark the contact, then move to the next one"),
        "{help}"
    );
}

#[test]
fn the_undo_of_an_older_action_says_why_it_asks_at_40x10() {
    let mut s = demo_state();
    let older = crate::app::batch::Done {
        label: "block Ana Silva (+55 11 91111-0001) on sales".into(),
        items: vec![crate::app::batch::Item {
            instance: 0,
            jid: "5511911110001@s.whatsapp.net".into(),
            lid: None,
            block: true,
            action: None,
            reason: None,
        }],
    };
    s.history.push(older);
    update(&mut s, key(KeyCode::Char('u')));
    for (w, h) in [(80, 24), (40, 10)] {
        let screen = text(&render(&mut s, w, h));
        assert!(screen.contains("Revert"), "{w}x{h}:\n{screen}");
        assert!(screen.contains("older than the last"), "{w}x{h}:\n{screen}");
        assert!(
            screen.contains("sales: unblock 1 contact"),
            "{w}x{h}: what it sends:\n{screen}"
        );
        assert!(screen.contains("[ Cancel ]"), "{w}x{h}:\n{screen}");
    }
}
