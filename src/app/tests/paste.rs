//! A paste is text, never keys, and never submits.

use super::*;

fn paste(s: &mut State, text: &str) -> Vec<Effect> {
    update(s, Msg::Paste(text.to_string()))
}

fn sends_nothing(effects: &[Effect]) -> bool {
    !effects.iter().any(|e| {
        matches!(
            e,
            Effect::Job(
                Job::Api(ApiCall::Block(_))
                    | Job::Write(LedgerWrite::CreateBatch { .. } | LedgerWrite::Intent { .. })
            )
        )
    })
}

#[test]
fn a_number_and_a_key_pasted_into_the_prompt_are_reviewed_not_run() {
    let mut s = loaded();
    update(&mut s, ch('a'));
    let effects = paste(&mut s, "+55 11 97777-3333\nb");
    assert!(sends_nothing(&effects), "{effects:?}");
    let Some(Overlay::Review(review)) = &s.overlay else {
        panic!("a paste of two entries is reviewed: {:?}", s.overlay);
    };
    assert_eq!(review.targets(&s).len(), 1);
    assert_eq!(review.refused(&s), 1, "the b is refused, not pressed");
    assert!(!review.confirm_focused, "Cancel has the focus");
    let effects = confirm(&mut s, key(KeyCode::Enter));
    assert!(sends_nothing(&effects), "Enter on Cancel sends nothing");
    assert!(matches!(s.overlay, Some(Overlay::Prompt(_))));
    assert!(status_text(&s).contains("nothing was sent"));
}

#[test]
fn one_pasted_number_is_typed_into_the_prompt_without_enter() {
    let mut s = loaded();
    update(&mut s, ch('a'));
    let effects = paste(&mut s, "+55 11 97777-3333\r\n");
    assert!(sends_nothing(&effects));
    assert_eq!(s.overlay, Some(Overlay::Prompt("+55 11 97777-3333".into())));
}

#[test]
fn reviewed_numbers_are_sent_as_one_batch_once_confirmed() {
    let mut s = loaded();
    update(&mut s, ch('a'));
    paste(
        &mut s,
        "+55 11 97777-3333\n+1 650 253 0000\n+55 11 97777-3333\ncall me\n",
    );
    let effects = confirm(&mut s, ch('y'));
    let items = effects.iter().find_map(|e| match e {
        Effect::Job(Job::Write(LedgerWrite::CreateBatch { items, .. })) => Some(items.clone()),
        _ => None,
    });
    let jids: Vec<String> = items
        .unwrap_or_default()
        .into_iter()
        .map(|i| i.jid)
        .collect();
    assert_eq!(jids, [jid("5511977773333"), jid("16502530000")]);
    assert!(s.overlay.is_none());
}

#[test]
fn a_paste_into_the_filter_is_text_and_its_newline_a_space() {
    let mut s = loaded();
    update(&mut s, ch('/'));
    let effects = paste(&mut s, "Ana\nb");
    assert!(sends_nothing(&effects), "{effects:?}");
    assert_eq!(s.filter, "Ana b");
    assert_eq!(s.overlay, Some(Overlay::Filter), "the filter stays open");
}

#[test]
fn a_paste_into_the_command_line_never_runs_it() {
    let mut s = loaded();
    update(&mut s, ch(':'));
    let effects = paste(&mut s, "block +55 11 97777-3333\n");
    assert!(sends_nothing(&effects));
    assert_eq!(
        s.overlay,
        Some(Overlay::CommandLine("block +55 11 97777-3333 ".into()))
    );
}

#[test]
fn a_paste_on_the_list_does_nothing_but_say_so() {
    let mut s = loaded();
    let before = s.clone();
    let effects = paste(&mut s, "b b b\n");
    assert!(effects.is_empty());
    assert_eq!(s.instances[0].marks, before.instances[0].marks);
    assert!(s.overlay.is_none());
    assert!(
        status_text(&s).contains("press / to filter or a to type a number"),
        "{}",
        status_text(&s)
    );
}

#[test]
fn a_huge_paste_is_refused_whole() {
    let mut s = loaded();
    update(&mut s, ch('/'));
    let effects = paste(&mut s, &"x".repeat(1 << 20));
    assert!(effects.is_empty());
    assert_eq!(s.filter, "", "nothing of it was typed");
    assert!(status_text(&s).contains("1024 KiB is more than a line takes (4 KiB)"));
}
