//! Help, the quit question and the command line.

use super::*;

#[test]
fn help_opens_and_closes() {
    let mut s = loaded();
    update(&mut s, ch('?'));
    assert!(matches!(s.overlay, Some(Overlay::Help(_))));
    assert!(
        update(&mut s, ch('b')).is_empty(),
        "keys do nothing under help"
    );
    update(&mut s, key(KeyCode::Esc));
    assert!(s.overlay.is_none());
    update(&mut s, ch('?'));
    update(&mut s, ch('?'));
    assert!(s.overlay.is_none());
}

#[test]
fn quit_is_immediate_without_pending_work() {
    let mut s = loaded();
    assert_eq!(update(&mut s, ch('q')), vec![Effect::Quit]);
    assert_eq!(update(&mut s, ctrl('c')), vec![Effect::Quit]);
    // One Ctrl-C rule: it closes the overlay it is in.
    update(&mut s, ch('?'));
    assert!(update(&mut s, ctrl('c')).is_empty());
    assert!(s.overlay.is_none());
}

#[test]
fn quit_asks_when_requests_are_pending_with_cancel_focused() {
    let mut s = loaded();
    update(&mut s, ch('b'));
    assert!(update(&mut s, ch('q')).is_empty());
    assert_eq!(
        s.overlay,
        Some(Overlay::ConfirmQuit {
            quit_focused: false
        })
    );
    assert!(
        update(&mut s, key(KeyCode::Enter)).is_empty(),
        "Enter on Cancel stays"
    );
    assert!(s.overlay.is_none());
    update(&mut s, ch('q'));
    update(&mut s, key(KeyCode::Right));
    assert_eq!(s.overlay, Some(Overlay::ConfirmQuit { quit_focused: true }));
    assert_eq!(update(&mut s, key(KeyCode::Enter)), vec![Effect::Quit]);
    update(&mut s, ch('q'));
    update(&mut s, ch('n'));
    assert!(s.overlay.is_none());
    update(&mut s, ch('q'));
    assert_eq!(update(&mut s, ch('y')), vec![Effect::Quit]);
    update(&mut s, ch('n'));
    assert!(update(&mut s, ctrl('c')).is_empty(), "Ctrl-C asks too");
    assert!(
        update(&mut s, ctrl('c')).is_empty(),
        "and in the question, closes it"
    );
    assert!(s.overlay.is_none());
}

#[test]
fn terminate_quits_at_once() {
    let mut s = loaded();
    update(&mut s, ch('b'));
    assert_eq!(update(&mut s, Msg::Terminate), vec![Effect::Quit]);
}

#[test]
fn the_command_line_runs_commands() {
    let mut s = loaded();
    type_line(&mut s, "instance supp");
    assert_eq!(s.current, 1, "a unique prefix is enough");
    type_line(&mut s, "i Sales desk");
    assert_eq!(s.current, 0, "labels work too");
    type_line(&mut s, "filter bruno");
    assert_eq!(s.filter, "bruno");
    assert_eq!(s.visible, vec![1]);
    // :block asks why, as the number prompt does, before anything is sent.
    assert!(type_line(&mut s, "block +55 (11) 97777-0000").is_empty());
    let Some(Overlay::Reason(ask)) = &s.overlay else {
        panic!(":block asks why first: {:?}", s.overlay)
    };
    assert_eq!(ask.about, "block +55 11 97777-0000 on sales");
    keys(&mut s, "spam");
    let effects = update(&mut s, key(KeyCode::Enter));
    assert!(
        matches!(
            effects.as_slice(),
            [Effect::Job(Job::Write(LedgerWrite::CreateBatch { items, reason, .. }))]
                if tuples(items) == vec![(0, jid("5511977770000"), None, true)]
                    && reason.as_deref() == Some("spam")
        ),
        "{effects:?}"
    );
    s.batch = None;
    assert!(type_line(&mut s, "unblock +5511977770000").is_empty());
    assert!(matches!(s.overlay, Some(Overlay::Reason(_))));
    let effects = update(&mut s, key(KeyCode::Enter));
    assert!(matches!(
        effects.as_slice(),
        [Effect::Job(Job::Write(LedgerWrite::CreateBatch { items, .. }))] if !items[0].block
    ));
    s.batch = None;
    type_line(&mut s, "nope");
    assert!(status_text(&s).contains("no command \"nope\""));
    type_line(&mut s, "instance mars");
    assert!(status_text(&s).contains("no instance \"mars\""));
    assert!(
        type_line(&mut s, "quit now").is_empty(),
        "an extra word is refused"
    );
    assert!(status_text(&s).contains(":quit takes nothing after it (\"now\")"));
    assert_eq!(type_line(&mut s, "quit"), vec![Effect::Quit]);
}

#[test]
fn tab_completes_commands_and_instance_names() {
    let mut s = loaded();
    update(&mut s, ch(':'));
    update(&mut s, ch('i'));
    update(&mut s, key(KeyCode::Tab));
    assert_eq!(s.overlay, Some(Overlay::CommandLine("instance ".into())));
    update(&mut s, ch('s'));
    update(&mut s, key(KeyCode::Tab));
    assert_eq!(
        s.overlay,
        Some(Overlay::CommandLine("instance s".into())),
        "two candidates: nothing more in common"
    );
    assert!(status_text(&s).contains("sales  support"));
    update(&mut s, ch('u'));
    update(&mut s, key(KeyCode::Tab));
    assert_eq!(
        s.overlay,
        Some(Overlay::CommandLine("instance support".into()))
    );
    update(&mut s, key(KeyCode::Esc));
    assert!(s.overlay.is_none());
}

/// Opens the details of row `row` (selected with `g` and `j`).
fn details_of(s: &mut State, row: usize) {
    update(s, ch('g'));
    for _ in 0..row {
        update(s, ch('j'));
    }
    update(s, key(KeyCode::Enter));
    assert!(matches!(s.overlay, Some(Overlay::Details(_))));
}

#[test]
fn b_in_the_details_blocks_their_contact_and_they_stay_open() {
    let mut s = loaded();
    details_of(&mut s, 1); // Bruno, with an @lid
    let effects = update(&mut s, ch('b'));
    assert_eq!(
        effects,
        [block_job(0, "5511911110002", Some("777@lid"), true)]
    );
    assert!(
        matches!(s.overlay, Some(Overlay::Details(_))),
        "they show what happens"
    );
    assert_eq!(
        status_text(&s),
        "blocking Bruno Costa (+55 11 91111-0002) on sales…"
    );
    // Typed into the details' search, b is a letter.
    update(&mut s, ch('/'));
    assert!(update(&mut s, ch('b')).is_empty());
}

#[test]
fn b_in_the_details_says_why_not_or_asks_why() {
    let mut s = loaded();
    s.instances[0].read_only = true;
    details_of(&mut s, 0);
    assert!(update(&mut s, ch('b')).is_empty());
    assert!(
        status_text(&s).starts_with("read-only"),
        "{}",
        status_text(&s)
    );
    assert!(matches!(s.overlay, Some(Overlay::Details(_))));
    let mut s = loaded();
    s.ask_reason = true;
    details_of(&mut s, 2);
    assert!(update(&mut s, ch('b')).is_empty());
    let Some(Overlay::Reason(ask)) = &s.overlay else {
        panic!("asked why: {:?}", s.overlay)
    };
    assert_eq!(ask.about, "block Carla Dias (+1 415-555-0123) on sales");
}
