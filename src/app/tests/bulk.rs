//! Marks, bulk actions across instances, undo, resume, retries.

use super::*;

#[test]
fn space_marks_and_star_marks_all_shown() {
    let mut s = loaded();
    update(&mut s, ch(' '));
    assert!(s.instance().marks.contains(&jid("5511911110001")));
    assert_eq!(s.selected, 1, "Space moves on");
    update(&mut s, ch(' '));
    update(&mut s, ch('k'));
    update(&mut s, ch(' '));
    assert_eq!(s.instance().marks.len(), 1, "Space again unmarks");
    update(&mut s, ch('*'));
    assert_eq!(s.instance().marks.len(), 3);
    update(&mut s, ch('*'));
    assert!(s.instance().marks.is_empty(), "* again unmarks all");
}

#[test]
fn bulk_block_across_instances_then_undo() {
    let mut s = loaded();
    contacts_arrive(
        &mut s,
        0,
        vec![
            contact("5511911110001", "Ana Silva", None),
            RemoteContact {
                jid: "999@lid".into(),
                ..contact("0", "Hidden", None)
            },
        ],
    );
    update(&mut s, ch('*'));
    update(&mut s, ch('B'));
    let Some(Overlay::Targets(d)) = s.overlay.clone() else {
        panic!("the targets dialog opens")
    };
    assert_eq!(d.chosen, vec![true, false], "the shown instance is chosen");
    assert_eq!(
        d.focus,
        crate::app::overlays::targets::DialogFocus::Cancel,
        "Cancel has the focus"
    );
    assert!(
        confirm(&mut s, key(KeyCode::Enter)).is_empty(),
        "Enter on Cancel closes"
    );
    assert!(s.overlay.is_none());

    update(&mut s, ch('B'));
    update(&mut s, ch('a')); // every instance
    let effects = confirm(&mut s, ch('y'));
    let [
        Effect::Tell(unmatched),
        Effect::Job(Job::Write(LedgerWrite::CreateBatch { label, items, .. })),
    ] = effects.as_slice()
    else {
        panic!("the ledger records the batch first: {effects:?}")
    };
    assert_eq!(label, "block 2 contacts on sales, support");
    assert_eq!(
        items.len(),
        3,
        "two here, one elsewhere (lookups are off: the @lid is not matched there)"
    );
    assert_eq!(
        unmatched,
        "1 hidden number(s) not matched by number: 999@lid on support: not looked up (--no-lookup) · not sent there"
    );
    assert!(s.instance().marks.is_empty(), "marks are used up");

    let effects = update(
        &mut s,
        Msg::Worker(JobResult::BatchCreated(Ok((7, vec![1, 2, 3])))),
    );
    let mut sent = block_jobs(&effects);
    sent.sort();
    assert_eq!(
        sent,
        vec![
            (0, jid("5511911110001"), true),
            (0, "999@lid".into(), true),
            (1, jid("5511911110001"), true)
        ]
    );
    assert_eq!(s.pending_count(), 3, "quit would ask");
    update(&mut s, answer(0, "5511911110001", true, 7, true));
    update(&mut s, answer(1, "5511911110001", true, 7, false));
    let effects = crate::app::testing::answer_block(
        &mut s,
        0,
        "999@lid",
        true,
        Some(7),
        done("999@lid", true, 2),
    );
    assert_eq!(
        ended(effects),
        vec![
            Effect::Job(Job::Write(LedgerWrite::CloseBatch {
                batch: 7,
                status: crate::store::ledger::BatchStatus::Done
            })),
            // The answers on sales overlapped: the count is settled.
            Effect::Job(Job::Api(ApiCall::Settle {
                instance: 0,
                jid: "999@lid".into(),
                block: true
            })),
        ]
    );
    assert!(s.batch.is_none());
    let status = s.status.clone().unwrap();
    assert!(status.is_error, "a failure is an error");
    assert!(status.text.contains("2 done, 1 failed"), "{}", status.text);
    assert!(
        status
            .text
            .contains("1 failed (boom (HTTP 500) · retry) · still marked: B retries them"),
        "{}",
        status.text
    );
    assert_eq!(s.instances[0].known_blocked(), 2);
    // The one failure (Ana on support) stays marked there, and only it.
    assert!(s.instances[0].marks.is_empty());
    assert_eq!(
        s.instances[1].marks.iter().cloned().collect::<Vec<_>>(),
        [jid("5511911110001")]
    );

    // u asks first (two contacts), then sends the inverse of what succeeded.
    assert!(update(&mut s, ch('u')).is_empty(), "nothing before the yes");
    let Some(Overlay::Undo(offer)) = &s.overlay else {
        panic!("undo of two contacts asks first: {:?}", s.overlay)
    };
    assert_eq!(
        offer.lines(&s),
        [
            "Revert \"block 2 contacts on sales, support\"?",
            "  sales: unblock 2 contacts"
        ]
    );
    let effects = confirm(&mut s, ch('y'));
    let [Effect::Job(Job::Write(LedgerWrite::CreateBatch { label, items, .. }))] =
        effects.as_slice()
    else {
        panic!("undo is a recorded batch: {effects:?}")
    };
    assert!(
        label.starts_with("undo: unblock 2 contacts on sales"),
        "{label}"
    );
    assert!(items.iter().all(|i| !i.block));
    update(
        &mut s,
        Msg::Worker(JobResult::BatchCreated(Ok((8, vec![4, 5])))),
    );
    update(&mut s, answer(0, "5511911110001", false, 8, true));
    crate::app::testing::answer_block(
        &mut s,
        0,
        "999@lid",
        false,
        Some(8),
        done("999@lid", false, 0),
    );
    assert_eq!(s.instances[0].known_blocked(), 0);
    assert!(
        update(&mut s, ch('u')).is_empty(),
        "an undo is not undone in turn"
    );
    assert_eq!(status_text(&s), "nothing to undo");
}

#[test]
fn batches_feed_eight_at_a_time_and_esc_cancels_the_rest() {
    let mut s = State::new(&names(), &[], 0);
    let many = (0..20)
        .map(|i| contact(&format!("55119{i:08}"), "X", None))
        .collect();
    contacts_arrive(&mut s, 0, many);
    update(&mut s, ch('*'));
    update(&mut s, ch('B'));
    confirm(&mut s, ch('y'));
    let effects = update(
        &mut s,
        Msg::Worker(JobResult::BatchCreated(Ok((1, (0..20).collect())))),
    );
    assert_eq!(block_jobs(&effects).len(), crate::api::rate::MAX_IN_FLIGHT);
    let effects = update(&mut s, answer(0, "5511900000000", true, 1, true));
    assert_eq!(block_jobs(&effects).len(), 1, "one answer, one more sent");
    update(&mut s, key(KeyCode::Esc));
    assert!(status_text(&s).contains("cancelled 11 not sent yet; 8 already sent will finish"));
    let mut last = Vec::new();
    for i in 1..=8 {
        last = update(&mut s, answer(0, &format!("55119{i:08}"), true, 1, true));
        assert!(block_jobs(&last).is_empty(), "nothing more is sent");
    }
    assert_eq!(
        ended(last),
        vec![
            Effect::Job(Job::Write(LedgerWrite::CloseBatch {
                batch: 1,
                status: crate::store::ledger::BatchStatus::Cancelled
            })),
            Effect::Job(Job::Api(ApiCall::Settle {
                instance: 0,
                jid: jid("5511900000008"),
                block: true
            })),
        ]
    );
    assert!(status_text(&s).contains("9 done, 11 cancelled"));
}

#[test]
fn an_unfinished_batch_is_offered_and_resumed_with_its_actions() {
    use crate::store::ledger::{BatchItem, UnfinishedBatch};
    let mut s = loaded();
    let left = vec![
        (
            41,
            BatchItem {
                instance: "support".into(),
                jid: jid("5511911110002"),
                lid: None,
                block: true,
                reason: None,
            },
        ),
        (
            42,
            BatchItem {
                instance: "gone".into(),
                jid: jid("5511911110003"),
                lid: None,
                block: true,
                reason: None,
            },
        ),
    ];
    update(
        &mut s,
        Msg::Unfinished(vec![UnfinishedBatch {
            id: 9,
            label: "block 3 on support".into(),
            created_at: 0,
            total: 3,
            done: 1,
            left,
        }]),
    );
    let Some(Overlay::Resume {
        offer,
        resume_focused: false,
    }) = &s.overlay
    else {
        panic!("the resume offer opens, Discard focused")
    };
    assert_eq!(offer.items.len(), 1, "unknown instances are left out");
    let effects = confirm(&mut s, ch('y'));
    assert_eq!(
        effects,
        vec![Effect::Job(Job::Write(LedgerWrite::ClaimBatch {
            batch: 9
        }))],
        "claimed before anything is sent"
    );
    let mut other = s.clone();
    let effects = update(
        &mut s,
        Msg::Worker(JobResult::Claimed {
            batch: 9,
            result: Ok(crate::store::ledger::Claim::Ours),
        }),
    );
    assert_eq!(
        effects,
        vec![Effect::call(ApiCall::Block(BlockCall {
            item: Item {
                instance: 1,
                jid: jid("5511911110002"),
                lid: None,
                block: true,
                action: Some(41),
                reason: None,
            },
            action: 41,
            batch: Some(9),
            reason: None,
        }))],
        "only what is not confirmed, under its recorded action"
    );
    // Held by another run that is still sending it: nothing is sent.
    let since = other.now - 30;
    let effects = update(
        &mut other,
        Msg::Worker(JobResult::Claimed {
            batch: 9,
            result: Ok(crate::store::ledger::Claim::Theirs {
                operator: "desk-2".into(),
                since,
            }),
        }),
    );
    assert!(
        !effects.iter().any(|e| matches!(e, Effect::Job(_))),
        "{effects:?}"
    );
    assert!(other.batch.is_none());
    assert!(
        status_text(&other).contains("desk-2 is resuming it"),
        "{}",
        status_text(&other)
    );
}

#[test]
fn an_unfinished_batch_can_be_discarded() {
    use crate::store::ledger::{BatchItem, UnfinishedBatch};
    let mut s = loaded();
    update(
        &mut s,
        Msg::Unfinished(vec![UnfinishedBatch {
            id: 9,
            label: "x".into(),
            created_at: 0,
            total: 1,
            done: 0,
            left: vec![(
                1,
                BatchItem {
                    instance: "sales".into(),
                    jid: jid("5511911110009"),
                    lid: None,
                    block: true,
                    reason: None,
                },
            )],
        }]),
    );
    let effects = confirm(&mut s, key(KeyCode::Enter));
    assert_eq!(
        effects,
        vec![Effect::Job(Job::Write(LedgerWrite::CloseBatch {
            batch: 9,
            status: crate::store::ledger::BatchStatus::Cancelled
        }))],
        "Enter on the focused Discard"
    );
}

#[test]
fn b_after_a_failed_batch_retries_exactly_the_failures() {
    let mut s = State::new(&names(), &[], 0);
    let three = (1..=3)
        .map(|i| contact(&format!("551191111000{i}"), "X", None))
        .collect();
    contacts_arrive(&mut s, 0, three);
    update(&mut s, ch('*'));
    update(&mut s, ch('B'));
    confirm(&mut s, ch('y'));
    update(
        &mut s,
        Msg::Worker(JobResult::BatchCreated(Ok((1, vec![1, 2, 3])))),
    );
    update(&mut s, answer(0, "5511911110001", true, 1, true));
    update(&mut s, answer(0, "5511911110002", true, 1, false));
    update(&mut s, answer(0, "5511911110003", true, 1, false));
    assert_eq!(s.instance().marks.len(), 2);
    update(&mut s, ch('B'));
    let effects = confirm(&mut s, ch('y'));
    let [Effect::Job(Job::Write(LedgerWrite::CreateBatch { items, .. }))] = effects.as_slice()
    else {
        panic!("{effects:?}")
    };
    let mut retried: Vec<String> = items.iter().map(|i| i.jid.clone()).collect();
    retried.sort();
    assert_eq!(retried, [jid("5511911110002"), jid("5511911110003")]);
}

#[test]
fn undo_of_a_bulk_block_leaves_alone_what_was_blocked_before() {
    let mut s = loaded();
    b_on_ana(&mut s, done(&jid("5511911110001"), true, 1));
    update(&mut s, ch('*'));
    update(&mut s, ch('B'));
    let effects = confirm(&mut s, ch('y'));
    let [Effect::Job(Job::Write(LedgerWrite::CreateBatch { items, .. }))] = effects.as_slice()
    else {
        panic!("{effects:?}")
    };
    let n = items.len() as i64;
    update(
        &mut s,
        Msg::Worker(JobResult::BatchCreated(Ok((3, (0..n).collect())))),
    );
    for item in items.clone() {
        let digits = item.jid.trim_end_matches("@s.whatsapp.net").to_string();
        update(&mut s, answer(0, &digits, true, 3, true));
    }
    assert!(s.batch.is_none());
    update(&mut s, ch('u'));
    let effects = confirm(&mut s, ch('y'));
    let [Effect::Job(Job::Write(LedgerWrite::CreateBatch { items: undo, .. }))] =
        effects.as_slice()
    else {
        panic!("{effects:?}")
    };
    assert_eq!(undo.len(), items.len() - 1);
    assert!(!undo.iter().any(|i| i.jid == jid("5511911110001")));
}

#[test]
fn the_targets_dialog_says_beforehand_what_it_skips() {
    let mut s = loaded();
    contacts_arrive(
        &mut s,
        0,
        vec![RemoteContact {
            jid: "999@lid".into(),
            ..contact("0", "Hidden", None)
        }],
    );
    update(&mut s, ch('*'));
    update(&mut s, ch('B'));
    update(&mut s, key(KeyCode::Down));
    update(&mut s, key(KeyCode::Down));
    update(&mut s, ch(' ')); // support chosen
    update(&mut s, ch(' ')); // and dropped again
    update(&mut s, key(KeyCode::Up));
    update(&mut s, ch(' ')); // sales dropped: nothing can be sent
    let Some(Overlay::Targets(d)) = s.overlay.clone() else {
        panic!("the dialog is open")
    };
    let plan = crate::app::overlays::targets::dialog_plan(&s, &d);
    assert!(plan.items.is_empty());
    assert!(confirm(&mut s, ch('y')).is_empty());
    assert!(
        matches!(s.overlay, Some(Overlay::Targets(_))),
        "the dialog stays and says why"
    );
    assert!(status_text(&s).starts_with("nothing to send"));
}

/// Marks Ana and Bruno, blocks them in bulk, and both answers succeed.
fn bulk_block_ana_and_bruno(s: &mut State) {
    update(s, ch(' '));
    update(s, ch(' '));
    update(s, ch('B'));
    assert!(!confirm(s, ch('y')).is_empty());
    update(s, Msg::Worker(JobResult::BatchCreated(Ok((1, vec![1, 2])))));
    update(s, answer(0, "5511911110001", true, 1, true));
    update(s, answer(0, "5511911110002", true, 1, true));
}

#[test]
fn undo_after_an_action_that_changed_nothing_says_so_and_reaches_no_further() {
    let mut s = loaded();
    // A bulk block of two that succeeds.
    bulk_block_ana_and_bruno(&mut s);
    // Then a typed number that was already blocked: it changes nothing.
    update(&mut s, ch('a'));
    for c in "+55 11 91111-0001".chars() {
        update(&mut s, ch(c));
    }
    confirm(&mut s, key(KeyCode::Enter));
    update(
        &mut s,
        Msg::Worker(JobResult::BatchCreated(Ok((2, vec![3])))),
    );
    update(&mut s, answer(0, "5511911110001", true, 2, true));
    assert!(s.batch.is_none());
    let effects = update(&mut s, ch('u'));
    assert!(
        effects.is_empty(),
        "the bulk batch is not undone: {effects:?}"
    );
    assert!(s.overlay.is_none());
    assert!(
        status_text(&s).starts_with(
            "nothing to undo: the last action (block +55 11 91111-0001 on sales) changed nothing"
        ),
        "{}",
        status_text(&s)
    );
}

#[test]
fn a_single_change_is_undone_at_once_and_said() {
    let mut s = loaded();
    b_on_ana(&mut s, done(&jid("5511911110001"), true, 1));
    let effects = update(&mut s, ch('u'));
    let [Effect::Job(Job::Write(LedgerWrite::CreateBatch { label, items, .. }))] =
        effects.as_slice()
    else {
        panic!("one contact on this instance: no question: {effects:?}")
    };
    assert_eq!(label, "undo: unblock 1 contact on sales");
    assert_eq!(items.len(), 1);
    assert!(status_text(&s).starts_with("undo: unblock 1 contact on sales"));
}

#[test]
fn a_refused_undo_question_keeps_the_action_to_undo_later() {
    let mut s = loaded();
    bulk_block_ana_and_bruno(&mut s);
    update(&mut s, ch('u'));
    assert!(update(&mut s, ch('n')).is_empty());
    assert!(status_text(&s).starts_with("not undone: block 2 contacts on sales"));
    update(&mut s, ch('u'));
    assert!(
        matches!(s.overlay, Some(Overlay::Undo(_))),
        "still there to undo"
    );
}

/// The effects of the answer that ended a batch, without the one that
/// reports the end (asserted to be there, once).
fn ended(mut effects: Vec<Effect>) -> Vec<Effect> {
    let before = effects.len();
    effects.retain(|e| !matches!(e, Effect::BatchEnded(_)));
    assert_eq!(
        before - effects.len(),
        1,
        "the end of the batch is reported once"
    );
    effects
}

/// `b` on the row `row` (selected with `g` and `j`), answered.
fn b_on_row(s: &mut State, row: usize, digits: &str) {
    update(s, ch('g'));
    for _ in 0..row {
        update(s, ch('j'));
    }
    update(s, ch('b'));
    answer_block(s, 0, digits, true, done(&jid(digits), true, 1));
}

/// The label and items of the batch `effects` record first.
fn created(effects: &[Effect]) -> (String, Vec<crate::app::batch::Item>) {
    match effects {
        [Effect::Job(Job::Write(LedgerWrite::CreateBatch { label, items, .. }))] => {
            (label.clone(), items.clone())
        }
        other => panic!("a batch is recorded: {other:?}"),
    }
}

/// Runs batch `id` to its end, every item of `items` answered.
fn finish(s: &mut State, id: i64, items: &[crate::app::batch::Item]) {
    let actions: Vec<i64> = (1..=items.len() as i64).collect();
    update(s, Msg::Worker(JobResult::BatchCreated(Ok((id, actions)))));
    for item in items {
        let digits = item.jid.trim_end_matches("@s.whatsapp.net").to_string();
        update(s, answer(item.instance, &digits, item.block, id, true));
    }
    assert!(s.batch.is_none(), "the batch ended");
}

#[test]
fn undo_reaching_past_the_last_action_asks_first_and_redo_does_the_undone_again() {
    let mut s = loaded();
    b_on_row(&mut s, 0, "5511911110001"); // Ana, then
    b_on_row(&mut s, 2, "14155550123"); // Carla: the last action
    let (label, items) = created(&update(&mut s, ch('u')));
    assert_eq!(
        label, "undo: unblock 1 contact on sales",
        "the last: at once"
    );
    assert_eq!(items[0].jid, jid("14155550123"));
    finish(&mut s, 1, &items);
    assert!(
        status_text(&s).ends_with("Ctrl-Y does it again"),
        "{}",
        status_text(&s)
    );
    // A second u reaches Ana's block, older than the last action: asked.
    assert!(update(&mut s, ch('u')).is_empty(), "nothing before the yes");
    let Some(Overlay::Undo(offer)) = &s.overlay else {
        panic!("an older action asks first: {:?}", s.overlay)
    };
    assert!(offer.older && !offer.redo);
    assert_eq!(
        offer.lines(&s),
        [
            "Revert \"block Ana Silva (+55 11 91111-0001) on sales\"?",
            "  sales: unblock 1 contact",
            "It is older than the last action, which was undone already (Ctrl-Y does that again)."
        ]
    );
    update(&mut s, ch('n'));
    assert!(status_text(&s).starts_with("not undone: block Ana Silva"));
    // Asked again next time: it is still older than the last action.
    update(&mut s, ch('u'));
    assert!(matches!(&s.overlay, Some(Overlay::Undo(o)) if o.older));
    update(&mut s, key(KeyCode::Esc));
    // Ctrl-Y: Carla blocked again, at once (one contact, here).
    let (label, items) = created(&update(&mut s, ctrl('y')));
    assert_eq!(label, "redo: block 1 contact on sales");
    assert!(items[0].block && items[0].jid == jid("14155550123"));
    finish(&mut s, 2, &items);
    assert!(
        status_text(&s).ends_with("u undoes it"),
        "{}",
        status_text(&s)
    );
    // Done again, it is the last action: u reverts it at once.
    let (label, _) = created(&update(&mut s, ch('u')));
    assert_eq!(label, "undo: unblock 1 contact on sales");
}

#[test]
fn a_new_action_leaves_nothing_to_redo() {
    let mut s = loaded();
    b_on_row(&mut s, 0, "5511911110001");
    let (_, items) = created(&update(&mut s, ch('u')));
    finish(&mut s, 1, &items);
    assert_eq!(s.redo.len(), 1);
    b_on_row(&mut s, 1, "5511911110002");
    assert!(update(&mut s, ctrl('y')).is_empty());
    assert!(
        status_text(&s).starts_with("nothing to redo"),
        "{}",
        status_text(&s)
    );
    // The new action is the last one: undone at once.
    let (label, _) = created(&update(&mut s, ch('u')));
    assert_eq!(label, "undo: unblock 1 contact on sales");
}

#[test]
fn redo_of_several_contacts_asks_first_like_undo() {
    let mut s = loaded();
    bulk_block_ana_and_bruno(&mut s);
    update(&mut s, ch('u'));
    let (_, items) = created(&confirm(&mut s, ch('y')));
    finish(&mut s, 2, &items);
    assert!(
        update(&mut s, ctrl('y')).is_empty(),
        "nothing before the yes"
    );
    let Some(Overlay::Undo(offer)) = &s.overlay else {
        panic!("a redo of two asks first: {:?}", s.overlay)
    };
    assert!(offer.redo);
    assert_eq!(
        offer.lines(&s),
        [
            "Do again \"block 2 contacts on sales\"?",
            "  sales: block 2 contacts again"
        ]
    );
    update(&mut s, ch('n'));
    assert!(status_text(&s).starts_with("not done again"));
    update(&mut s, ctrl('y'));
    let (label, items) = created(&update(&mut s, ch('y')));
    assert_eq!(label, "redo: block 2 contacts on sales");
    assert!(items.iter().all(|i| i.block && i.action.is_none()));
}
