//! Errors in full, the message log, expiring messages, counts that settle.

use super::*;

#[test]
fn every_error_status_reaches_the_status_bar() {
    for (status, message) in [
        (400, "Number is required"),
        (401, "Invalid token"),
        (403, "Token does not have access to this instance"),
        (404, "Instance not found"),
        (429, "Rate limit exceeded. Try again later."),
        (500, "Internal error"),
    ] {
        let mut s = loaded();
        b_on_ana(&mut s, Err(http_error(status, message, "do something")));
        let text = status_text(&s);
        assert!(text.contains(&format!("HTTP {status}")), "{text}");
        assert!(text.contains(message), "{text}");
        assert!(text.contains("do something"), "{text}");
        assert!(
            s.instances[0]
                .known_of(&s.instances[0].contacts.get(0).unwrap())
                .is_none()
        );
    }
}

#[test]
fn an_error_leads_with_the_reason_then_status_then_what_it_was_about() {
    let mut s = loaded();
    b_on_ana(
        &mut s,
        Err(http_error(
            503,
            "Instance is not connected",
            "connect the phone",
        )),
    );
    let text = status_text(&s);
    assert!(
        text.starts_with("Instance is not connected (HTTP 503) · block Ana"),
        "{text}"
    );
    assert!(text.ends_with("· connect the phone"), "{text}");
    let logged = s.messages.last().unwrap();
    assert_eq!(logged.status, Some(503));
    assert_eq!(logged.hint.as_deref(), Some("connect the phone"));
    assert_eq!(logged.instance, "sales");
    assert!(logged.is_error);
    // Moving keeps the error on screen; the next action clears it, and
    // the log keeps it.
    update(&mut s, ch('j'));
    assert!(status_text(&s).contains("HTTP 503"));
    update(&mut s, ch('s'));
    assert!(!status_text(&s).contains("HTTP 503"));
    assert!(s.messages.iter().any(|m| m.status == Some(503)));
}

#[test]
fn the_message_log_opens_by_key_and_command_and_keeps_the_newest() {
    let mut s = loaded();
    update(&mut s, ch('m'));
    assert!(matches!(s.overlay, Some(Overlay::Messages(_))));
    update(&mut s, key(KeyCode::Esc));
    assert!(s.overlay.is_none());
    update(&mut s, ch(':'));
    keys(&mut s, "messages");
    update(&mut s, key(KeyCode::Enter));
    assert!(matches!(s.overlay, Some(Overlay::Messages(_))));
    update(&mut s, ctrl('c'));
    assert!(s.overlay.is_none());
    for _ in 0..(crate::app::state::MAX_MESSAGES + 20) {
        update(&mut s, ch('s'));
    }
    assert_eq!(s.messages.len(), crate::app::state::MAX_MESSAGES);
}

#[test]
fn local_errors_have_no_status() {
    let mut s = loaded();
    b_on_ana(
        &mut s,
        Err(ErrorInfo::local(
            "no answer within 30s",
            "check the network",
        )),
    );
    assert_eq!(
        status_text(&s),
        "no answer within 30s · block Ana Silva (+55 11 91111-0001) on sales · check the network"
    );
}

#[test]
fn info_expires_errors_stay() {
    let mut s = loaded();
    update(&mut s, ch('r'));
    for _ in 0..INFO_TICKS {
        update(&mut s, Msg::Tick { now: 0 });
    }
    assert!(s.status.is_none(), "info expired");
    update(
        &mut s,
        Msg::Worker(JobResult::Contacts {
            instance: 0,
            result: Err(http_error(500, "boom", "retry")),
        }),
    );
    for _ in 0..100 {
        update(&mut s, Msg::Tick { now: 0 });
    }
    assert!(s.status.as_ref().unwrap().is_error, "errors stay");
    update(&mut s, ch('j'));
    assert!(s.status.is_some(), "moving is not an action that clears it");
    update(&mut s, key(KeyCode::Tab));
    assert!(s.status.is_none(), "switching instance clears it");
}

#[test]
fn answers_that_raced_are_settled_by_one_more_request() {
    let mut s = loaded();
    let mut sent = update(&mut s, ch('b'));
    update(&mut s, ch('j'));
    sent.extend(update(&mut s, ch('b')));
    assert_eq!(block_jobs(&sent).len(), 2, "two in flight on sales");
    let single = |digits: &str, count: u64| {
        let call = crate::protocol::BlockCall {
            item: Item {
                instance: 0,
                jid: jid(digits),
                lid: None,
                block: true,
                action: Some(ACTION),
                reason: None,
            },
            action: ACTION,
            batch: None,
            reason: None,
        };
        Msg::Worker(JobResult::Block {
            call,
            answer: done(&jid(digits), true, count).map(|d| d.outcome),
        })
    };
    // The second request's answer comes first, with the later count.
    assert!(update(&mut s, single("5511911110002", 2)).is_empty());
    let effects = update(&mut s, single("5511911110001", 1));
    assert_eq!(s.instances[0].blocked_count, Some(1), "stale for now");
    assert_eq!(
        effects,
        [Effect::Job(Job::Api(ApiCall::Settle {
            instance: 0,
            jid: jid("5511911110001"),
            block: true
        }))],
        "the state of the last contact answered is restated"
    );
    let effects = update(
        &mut s,
        Msg::Worker(JobResult::Settled {
            instance: 0,
            jid: jid("5511911110001"),
            result: Ok(Some(2)),
        }),
    );
    assert!(effects.is_empty(), "settled once");
    assert_eq!(s.instances[0].blocked_count, Some(2));
    // One request at a time needs no settling.
    update(&mut s, ch('j'));
    update(&mut s, ch('b'));
    assert!(update(&mut s, single("5511911110003", 3)).is_empty());
}

#[test]
fn what_another_run_recorded_shows_after_the_next_read_of_the_ledger() {
    let mut s = loaded();
    let ticks = crate::app::clock::LEDGER_POLL_TICKS;
    let mut asked = Vec::new();
    for _ in 0..ticks {
        asked.extend(update(&mut s, Msg::Tick { now: 0 }));
    }
    assert!(
        asked.contains(&Effect::Job(Job::Read(LedgerRead::Known))),
        "the ledger is read every {ticks} ticks: {asked:?}"
    );
    // A cron job blocked Carlos meanwhile, with a reason.
    let mut other = known_blocked(&jid("5511911110002"), 1_700_000_000);
    other.operator = Some("cron".into());
    other.reason = Some("spam".into());
    let effects = update(
        &mut s,
        Msg::Worker(JobResult::Known(Ok(Some(vec![other.clone()])))),
    );
    assert!(effects.contains(&Effect::Redraw));
    let inst = &s.instances[0];
    assert!(
        inst.known_of_jid(&jid("5511911110002"), None)
            .unwrap()
            .blocked
    );
    assert_eq!(
        inst.why_of(&jid("5511911110002"), None).unwrap().words(),
        "by cron: spam"
    );
    // A read asked before this run's own answer is older than it: dropped.
    for _ in 0..ticks {
        update(&mut s, Msg::Tick { now: 0 });
    }
    b_on_ana(&mut s, done(&jid("5511911110001"), true, 2));
    update(&mut s, Msg::Worker(JobResult::Known(Ok(Some(vec![other])))));
    assert!(
        s.instances[0]
            .known_of_jid(&jid("5511911110001"), None)
            .unwrap()
            .blocked,
        "the stale read did not undo this run's own block"
    );
}
