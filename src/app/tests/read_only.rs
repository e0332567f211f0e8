//! A read-only instance: every action key says so, nothing is sent.

use super::*;

fn read_only() -> State {
    let mut s = loaded();
    for inst in &mut s.instances {
        inst.read_only = true;
    }
    s
}

fn sends(effects: &[Effect]) -> bool {
    effects.iter().any(|e| {
        matches!(
            e,
            Effect::Job(
                Job::Api(ApiCall::Block(_) | ApiCall::Settle { .. })
                    | Job::Write(LedgerWrite::CreateBatch { .. } | LedgerWrite::Intent { .. })
            )
        )
    })
}

#[test]
fn every_action_key_says_read_only_and_sends_nothing() {
    for keys_pressed in ["b", " B", " U", "a", "u"] {
        let mut s = read_only();
        let effects = keys(&mut s, keys_pressed);
        assert!(!sends(&effects), "{keys_pressed:?}: {effects:?}");
        assert!(s.overlay.is_none(), "{keys_pressed:?} opens nothing");
        let text = s
            .status
            .as_ref()
            .map(|st| st.text.clone())
            .unwrap_or_default();
        assert!(
            text.starts_with("read-only") || keys_pressed == "u",
            "{keys_pressed:?}: {text}"
        );
    }
}

#[test]
fn a_typed_number_and_an_undo_of_an_earlier_action_are_refused_too() {
    let mut s = loaded();
    b_on_ana(&mut s, done(&jid("5511911110001"), true, 1));
    for inst in &mut s.instances {
        inst.read_only = true;
    }
    let effects = keys(&mut s, "u");
    assert!(!sends(&effects), "{effects:?}");
    assert!(s.status.as_ref().unwrap().text.starts_with("read-only"));
    assert_eq!(
        s.history.len(),
        1,
        "still there to undo once sending is allowed"
    );
    let effects = keys(&mut s, ":block +44 7400 123456");
    let effects = [effects, update(&mut s, key(KeyCode::Enter))].concat();
    assert!(!sends(&effects), "{effects:?}");
    assert!(s.status.as_ref().unwrap().text.starts_with("read-only"));
}

#[test]
fn an_unfinished_batch_is_not_offered_on_a_read_only_instance() {
    use crate::store::ledger::{BatchItem, UnfinishedBatch};
    let mut s = read_only();
    update(
        &mut s,
        Msg::Unfinished(vec![UnfinishedBatch {
            id: 3,
            label: "block 2 on sales".into(),
            created_at: 0,
            total: 2,
            done: 1,
            left: vec![(
                9,
                BatchItem {
                    instance: "sales".into(),
                    jid: jid("5511911110002"),
                    lid: None,
                    block: true,
                    reason: None,
                },
            )],
        }]),
    );
    assert!(s.overlay.is_none());
    assert!(s.status.as_ref().unwrap().text.contains("not read-only"));
}
