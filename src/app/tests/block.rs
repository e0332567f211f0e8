//! Blocking one contact or a typed number: toggles, queues, failures, the ledger.

use super::*;

#[test]
fn b_blocks_then_shows_the_answer() {
    let mut s = loaded();
    update(&mut s, ch('j'));
    let effects = update(&mut s, ch('b'));
    assert_eq!(
        effects,
        vec![block_job(0, "5511911110002", Some("777@lid"), true)]
    );
    assert!(s.instances[0].pending.contains_key(&jid("5511911110002")));
    assert!(status_text(&s).contains("blocking Bruno Costa"));
    // The server answers with the @lid form: the row still matches.
    let effects = answer_block(&mut s, 0, "5511911110002", true, done("777@lid", true, 7));
    assert!(effects.is_empty());
    let inst = &s.instances[0];
    assert!(inst.pending.is_empty());
    assert_eq!(inst.blocked_count, Some(7));
    assert_eq!(inst.known_blocked(), 1);
    assert!(
        inst.known_of(&inst.contacts.get(1).unwrap())
            .unwrap()
            .blocked
    );
    assert!(status_text(&s).contains("blocked Bruno Costa"));
    assert!(status_text(&s).contains("Contact blocked successfully"));
    // A second b on a known-blocked contact unblocks.
    let effects = update(&mut s, ch('b'));
    assert_eq!(
        effects,
        vec![block_job(0, "5511911110002", Some("777@lid"), false)]
    );
}

#[test]
fn second_b_while_pending_is_queued_not_sent() {
    let mut s = loaded();
    assert_eq!(update(&mut s, ch('b')).len(), 1);
    assert!(update(&mut s, ch('b')).is_empty(), "never two in parallel");
    let p = s.instances[0].pending[&jid("5511911110001")];
    assert_eq!((p.sending, p.queued), (true, Some(false)));
    // A third press withdraws the queued change.
    update(&mut s, ch('b'));
    assert_eq!(s.instances[0].pending[&jid("5511911110001")].queued, None);
    update(&mut s, ch('b'));
    // When the block returns, the queued unblock goes out.
    let effects = answer_block(
        &mut s,
        0,
        "5511911110001",
        true,
        done(&jid("5511911110001"), true, 1),
    );
    assert_eq!(effects, vec![block_job(0, "5511911110001", None, false)]);
    let p = s.instances[0].pending[&jid("5511911110001")];
    assert_eq!((p.sending, p.queued), (false, None));
}

#[test]
fn several_toggles_in_flight_at_once() {
    let mut s = loaded();
    update(&mut s, ch('b'));
    update(&mut s, ch('j'));
    update(&mut s, ch('b'));
    update(&mut s, ch('j'));
    update(&mut s, ch('b'));
    assert_eq!(s.instances[0].pending.len(), 3);
    assert_eq!(s.pending_count(), 3);
}

#[test]
fn failed_block_returns_row_to_last_confirmed_state() {
    let known = [KnownState {
        instance: "sales".into(),
        jid: jid("5511911110001"),
        lid: None,
        blocked: true,
        changed_at: 10,
        operator: None,
        reason: None,
        contest: None,
    }];
    let mut s = State::new(&names(), &known, 0);
    update(&mut s, Msg::Start);
    contacts_arrive(&mut s, 0, vec![contact("5511911110001", "Ana", None)]);
    let effects = update(&mut s, ch('b'));
    assert_eq!(
        effects,
        vec![block_job(0, "5511911110001", None, false)],
        "known blocked: unblock"
    );
    update(&mut s, ch('b')); // queue a block
    update(
        &mut s,
        Msg::Worker(JobResult::Instances {
            states: vec![],
            complete: true,
        }),
    );
    let effects = answer_block(
        &mut s,
        0,
        "5511911110001",
        false,
        Err(http_error(
            503,
            "Instance is not connected to WhatsApp",
            "instance is not connected: connect the phone and retry",
        )),
    );
    let inst = &s.instances[0];
    assert!(inst.pending.is_empty(), "no queued retry after an error");
    assert!(
        inst.known_of(&inst.contacts.get(0).unwrap())
            .unwrap()
            .blocked,
        "last confirmed state"
    );
    assert_eq!(inst.connection, Connection::State("disconnected".into()));
    assert_eq!(effects, vec![Effect::Job(Job::Api(ApiCall::LoadInstances))]);
    let status = s.status.clone().unwrap();
    assert!(status.is_error);
    assert!(status.text.contains("HTTP 503"), "{}", status.text);
    assert!(
        status
            .text
            .contains("Instance is not connected to WhatsApp")
    );
    assert!(status.text.contains("connect the phone and retry"));
    assert!(status.text.contains("queued change was not sent"));
}

#[test]
fn ledger_failure_after_success_is_an_error() {
    let mut s = loaded();
    update(&mut s, ch('b'));
    let mut result = done(&jid("5511911110001"), true, 1);
    if let Ok(d) = &mut result {
        d.ledger_error = Some("disk full".into());
    }
    crate::app::testing::answer_block(&mut s, 0, &jid("5511911110001"), true, None, result);
    let status = s.status.clone().unwrap();
    assert!(status.is_error);
    assert!(status.text.contains("disk full"));
    assert_eq!(s.instances[0].blocked_count, Some(1));
}

#[test]
fn b_with_nothing_selected_says_so() {
    let mut s = State::new(&names(), &[], 0);
    assert!(update(&mut s, ch('b')).is_empty());
    assert_eq!(status_text(&s), "no contact selected");
}

#[test]
fn ledger_knowledge_is_shown_from_start_by_jid_or_lid() {
    let known = [known_blocked("777@lid", 5)];
    let mut s = State::new(&names(), &known, 0);
    contacts_arrive(
        &mut s,
        0,
        vec![contact("5511911110002", "Bruno", Some("777@lid"))],
    );
    let inst = &s.instances[0];
    assert!(
        inst.known_of(&inst.contacts.get(0).unwrap())
            .unwrap()
            .blocked
    );
    assert_eq!(inst.known_blocked(), 1);
}

#[test]
fn a_blocks_any_typed_number_and_refuses_groups() {
    let mut s = loaded();
    update(&mut s, ch('a'));
    assert!(matches!(s.overlay, Some(Overlay::Prompt(_))));
    for c in "1203634@g.us".chars() {
        assert!(update(&mut s, ch(c)).is_empty(), "typing runs no command");
    }
    assert!(confirm(&mut s, key(KeyCode::Enter)).is_empty());
    assert!(
        status_text(&s).contains("is a group"),
        "{}",
        status_text(&s)
    );
    assert!(status_text(&s).contains("nothing was sent"));
    assert_eq!(
        s.overlay,
        Some(Overlay::Prompt("1203634@g.us".into())),
        "the text stays to be fixed"
    );
    s.overlay = Some(Overlay::Prompt(String::new()));
    keys(&mut s, "+1 (415) 555-0123");
    let effects = confirm(&mut s, key(KeyCode::Enter));
    let [Effect::Job(Job::Write(LedgerWrite::CreateBatch { label, items, .. }))] =
        effects.as_slice()
    else {
        panic!("{effects:?}")
    };
    assert_eq!(label, "block +1 415-555-0123 on sales");
    assert_eq!(tuples(items), vec![(0, jid("14155550123"), None, true)]);
    assert!(s.overlay.is_none());
    update(&mut s, ch('a'));
    update(&mut s, ch('x'));
    update(&mut s, key(KeyCode::Esc));
    assert!(s.overlay.is_none());
}

#[test]
fn single_toggles_are_undoable_too() {
    let mut s = loaded();
    b_on_ana(&mut s, done(&jid("5511911110001"), true, 1));
    let effects = update(&mut s, ch('u'));
    let [Effect::Job(Job::Write(LedgerWrite::CreateBatch { items, .. }))] = effects.as_slice()
    else {
        panic!("{effects:?}")
    };
    assert_eq!(tuples(items), vec![(0, jid("5511911110001"), None, false)]);
}

#[test]
fn block_without_a_number_says_how() {
    let mut s = loaded();
    update(&mut s, ch(':'));
    keys(&mut s, "block");
    assert!(confirm(&mut s, key(KeyCode::Enter)).is_empty());
    assert_eq!(
        status_text(&s),
        "type the number after :block, e.g. :block +44 7912 345678"
    );
}
