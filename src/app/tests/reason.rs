//! Why: the reason asked before an action is sent.

use super::*;

fn created_reason(effects: &[Effect]) -> Option<Option<String>> {
    effects.iter().find_map(|e| match e {
        Effect::Job(Job::Write(LedgerWrite::CreateBatch { reason, .. })) => Some(reason.clone()),
        _ => None,
    })
}

#[test]
fn the_bulk_dialog_asks_why_and_tab_chooses_a_reason() {
    let mut s = loaded();
    s.reasons = vec!["spam".into(), "abuse".into(), "fraud".into()];
    keys(&mut s, " B");
    assert!(
        update(&mut s, ch('y')).is_empty(),
        "nothing sent before the reason"
    );
    assert!(matches!(s.overlay, Some(Overlay::Reason(_))));
    update(&mut s, key(KeyCode::Tab));
    update(&mut s, key(KeyCode::Tab));
    let effects = update(&mut s, key(KeyCode::Enter));
    assert_eq!(
        created_reason(&effects),
        Some(Some("abuse".into())),
        "{effects:?}"
    );
    assert_eq!(s.batch.as_ref().unwrap().reason.as_deref(), Some("abuse"));
}

#[test]
fn a_typed_reason_goes_with_the_number_and_enter_alone_sends_none() {
    let mut s = loaded();
    keys(&mut s, "a+44 7400 123456");
    assert!(update(&mut s, key(KeyCode::Enter)).is_empty());
    keys(&mut s, "chargeback fraud");
    let effects = update(&mut s, key(KeyCode::Enter));
    assert_eq!(
        created_reason(&effects),
        Some(Some("chargeback fraud".into()))
    );
    s.batch = None;
    keys(&mut s, "a+44 7400 123457");
    update(&mut s, key(KeyCode::Enter));
    let effects = update(&mut s, key(KeyCode::Enter));
    assert_eq!(created_reason(&effects), Some(None), "Enter skips");
}

#[test]
fn b_asks_only_with_ask_reason_and_esc_sends_nothing() {
    let mut s = loaded();
    let effects = update(&mut s, ch('b'));
    assert!(
        matches!(
            effects.as_slice(),
            [Effect::Job(Job::Api(ApiCall::Block(BlockCall {
                reason: None,
                ..
            })))]
        ),
        "without ask_reason b sends at once: {effects:?}"
    );
    let mut s = loaded();
    s.ask_reason = true;
    assert!(update(&mut s, ch('b')).is_empty());
    let effects = update(&mut s, key(KeyCode::Esc));
    assert!(effects.is_empty());
    assert!(
        s.status
            .as_ref()
            .unwrap()
            .text
            .contains("cancelled, nothing was sent")
    );
    assert!(s.instances[0].pending.is_empty(), "no request in flight");
    update(&mut s, ch('b'));
    keys(&mut s, "spam");
    let effects = update(&mut s, key(KeyCode::Enter));
    let [Effect::Job(Job::Api(ApiCall::Block(call)))] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    assert_eq!(call.reason.as_deref(), Some("spam"));
    assert!(call.item.block);
}

#[test]
fn the_reason_shows_in_the_details_once_the_server_confirmed() {
    let mut s = loaded();
    s.operator = "desk-2".into();
    s.ask_reason = true;
    update(&mut s, ch('b'));
    keys(&mut s, "spam");
    update(&mut s, key(KeyCode::Enter));
    let mut done = done(&jid("5511911110001"), true, 1).unwrap();
    done.reason = Some("spam".into());
    answer_block(&mut s, 0, "5511911110001", true, Ok(done));
    let why = s.instances[0].why_of(&jid("5511911110001"), None).unwrap();
    assert_eq!(why.words(), "by desk-2: spam");
}
