//! Tests of `update`: every key, every worker result, every error path.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use std::sync::Arc;

use super::*;
use crate::api::{BlockOutcome, RemoteContact};
use crate::app::state::Overlay;
use crate::app::tabs;
use crate::contacts::ContactStore;

fn store(contacts: Vec<RemoteContact>) -> Arc<ContactStore> {
    Arc::new(ContactStore::from_remote(contacts))
}
use crate::app::state::Connection;
use crate::ledger::KnownState;

fn contact(digits: &str, name: &str, lid: Option<&str>) -> RemoteContact {
    RemoteContact {
        jid: format!("{digits}@s.whatsapp.net"),
        lid: lid.map(str::to_string),
        first_name: None,
        full_name: Some(name.to_string()),
        push_name: None,
        business_name: None,
    }
}

fn jid(digits: &str) -> String {
    format!("{digits}@s.whatsapp.net")
}

fn names() -> Vec<(String, Option<String>)> {
    vec![
        ("sales".to_string(), Some("Sales desk".to_string())),
        ("support".to_string(), None),
    ]
}

/// Two instances; sales loaded with three contacts, 30 rows of screen.
fn loaded() -> State {
    let mut s = State::new(&names(), &[], 0);
    update(
        &mut s,
        Msg::Resize {
            width: 100,
            height: 34,
        },
    );
    update(&mut s, Msg::Start);
    update(
        &mut s,
        Msg::Api(ApiResult::Contacts {
            instance: 0,
            result: Ok(store(vec![
                contact("5511911110001", "Ana Silva", None),
                contact("5511911110002", "Bruno Costa", Some("777@lid")),
                contact("14155550123", "Carla Dias", None),
            ])),
        }),
    );
    s
}

fn key(code: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

fn ch(c: char) -> Msg {
    key(KeyCode::Char(c))
}

fn ctrl(c: char) -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL))
}

fn done(contact_jid: &str, blocked: bool, count: u64) -> Result<BlockDone, ErrorInfo> {
    Ok(BlockDone {
        outcome: BlockOutcome {
            message: if blocked {
                "Contact blocked successfully".into()
            } else {
                "Contact unblocked successfully".into()
            },
            contact_jid: contact_jid.to_string(),
            blocked_count: Some(count),
            blocked,
        },
        recorded_at: 1_000,
        ledger_error: None,
    })
}

fn http_error(status: u16, message: &str, hint: &str) -> ErrorInfo {
    ErrorInfo {
        kind: crate::app::ErrorKind::Refused,
        status: Some(status),
        message: message.into(),
        hint: hint.into(),
    }
}

fn block_job(instance: usize, digits: &str, lid: Option<&str>, block: bool) -> Effect {
    Effect::Api(ApiJob::Block {
        instance,
        jid: jid(digits),
        lid: lid.map(str::to_string),
        block,
        action: None,
        batch: None,
    })
}

fn status_text(s: &State) -> String {
    s.status
        .as_ref()
        .map(|m| m.text.clone())
        .unwrap_or_default()
}

#[test]
fn start_loads_states_then_current_then_others() {
    let mut s = State::new(&names(), &[], 1);
    let effects = update(&mut s, Msg::Start);
    assert_eq!(
        effects,
        vec![
            Effect::Api(ApiJob::LoadInstances),
            Effect::Api(ApiJob::LoadContacts { instance: 1 }),
            Effect::Api(ApiJob::LoadContacts { instance: 0 }),
        ]
    );
    assert!(s.instances_loading);
    assert_eq!(s.instances[0].load, Load::Loading);
}

#[test]
fn rows_the_server_sent_that_are_not_contacts_are_counted_on_screen() {
    let mut s = State::new(&names(), &[], 0);
    update(&mut s, Msg::Start);
    let body = br#"{"success": true, "contacts": [{"jid": 7}, {"jid": "=1@lid"},
        {"jid": "5511911110001@s.whatsapp.net", "full_name": "Ana"}]}"#;
    let parsed = Arc::new(ContactStore::parse(body).unwrap());
    update(
        &mut s,
        Msg::Api(ApiResult::Contacts {
            instance: 0,
            result: Ok(parsed),
        }),
    );
    assert_eq!(s.visible, vec![0], "the valid row is shown");
    let text = status_text(&s);
    assert!(
        text.contains("2 row(s)") && text.contains("skipped"),
        "{text}"
    );
}

#[test]
fn contacts_result_fills_the_view() {
    let s = loaded();
    assert_eq!(s.visible, vec![0, 1, 2]);
    assert_eq!(s.selected_contact().unwrap().name(), "Ana Silva");
    assert_eq!(s.instances[0].load, Load::Loaded);
    assert_eq!(
        s.instances[0].contacts.get(2).unwrap().number(),
        "+1 415-555-0123"
    );
}

#[test]
fn movement_keys() {
    let mut s = loaded();
    update(&mut s, ch('j'));
    assert_eq!(s.selected, 1);
    update(&mut s, key(KeyCode::Down));
    update(&mut s, key(KeyCode::Down));
    assert_eq!(s.selected, 2, "stops at the last row");
    update(&mut s, ch('k'));
    assert_eq!(s.selected, 1);
    update(&mut s, key(KeyCode::Up));
    update(&mut s, key(KeyCode::Up));
    assert_eq!(s.selected, 0, "stops at the first row");
    update(&mut s, ch('G'));
    assert_eq!(s.selected, 2);
    update(&mut s, ch('g'));
    assert_eq!(s.selected, 0);
    update(&mut s, key(KeyCode::End));
    assert_eq!(s.selected, 2);
    update(&mut s, key(KeyCode::Home));
    assert_eq!(s.selected, 0);
    update(&mut s, key(KeyCode::PageDown));
    assert_eq!(s.selected, 2);
    update(&mut s, key(KeyCode::PageUp));
    assert_eq!(s.selected, 0);
}

#[test]
fn paging_scrolls_a_long_list() {
    let mut s = State::new(&names(), &[], 0);
    update(
        &mut s,
        Msg::Resize {
            width: 80,
            height: 14,
        },
    ); // 10 rows
    let many = (0..100)
        .map(|i| contact(&format!("55119{i:08}"), &format!("C{i}"), None))
        .collect();
    update(
        &mut s,
        Msg::Api(ApiResult::Contacts {
            instance: 0,
            result: Ok(store(many)),
        }),
    );
    assert_eq!(s.list_height(), 10);
    update(&mut s, key(KeyCode::PageDown));
    assert_eq!((s.selected, s.offset), (10, 1));
    update(&mut s, ctrl('d'));
    assert_eq!((s.selected, s.offset), (20, 11));
    update(&mut s, ch('G'));
    assert_eq!((s.selected, s.offset), (99, 90));
    update(&mut s, ctrl('u'));
    assert_eq!((s.selected, s.offset), (89, 89));
    update(
        &mut s,
        Msg::Resize {
            width: 80,
            height: 8,
        },
    );
    assert!(s.selected >= s.offset && s.selected < s.offset + s.list_height());
}

#[test]
fn filter_by_name_and_number_as_you_type() {
    let mut s = loaded();
    update(&mut s, ch('/'));
    assert_eq!(s.overlay, Some(Overlay::Filter));
    for c in "bru".chars() {
        update(&mut s, ch(c));
    }
    assert_eq!(s.visible, vec![1]);
    // Typing a command key while filtering never runs the command.
    let effects = update(&mut s, ch('q'));
    assert!(effects.is_empty());
    assert_eq!(s.filter, "bruq");
    assert!(s.visible.is_empty());
    update(&mut s, key(KeyCode::Backspace));
    assert_eq!(s.visible, vec![1]);
    update(&mut s, key(KeyCode::Enter));
    assert!(s.overlay.is_none());
    assert_eq!(s.filter, "bru", "Enter keeps the filter");
    update(&mut s, key(KeyCode::Esc));
    assert!(s.filter.is_empty(), "Esc in the list clears the filter");
    assert_eq!(s.visible.len(), 3);

    update(&mut s, ch('/'));
    for c in "+1 (415)".chars() {
        update(&mut s, ch(c));
    }
    assert_eq!(s.visible, vec![2], "number formatting is ignored");
    update(&mut s, key(KeyCode::Esc));
    assert!(s.overlay.is_none());
    assert!(s.filter.is_empty(), "Esc while typing clears the filter");
    update(&mut s, ch('/'));
    update(&mut s, ch('x'));
    update(&mut s, ctrl('u'));
    assert!(s.filter.is_empty(), "Ctrl-U clears the typed filter");
}

#[test]
fn filter_is_case_insensitive_and_multi_term() {
    let mut s = loaded();
    update(&mut s, ch('/'));
    for c in "ANA sil".chars() {
        update(&mut s, ch(c));
    }
    assert_eq!(s.visible, vec![0]);
}

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
    let effects = update(
        &mut s,
        Msg::Api(ApiResult::Block {
            instance: 0,
            jid: jid("5511911110002"),
            block: true,
            batch: None,
            result: done("777@lid", true, 7),
        }),
    );
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
    let effects = update(
        &mut s,
        Msg::Api(ApiResult::Block {
            instance: 0,
            jid: jid("5511911110001"),
            block: true,
            batch: None,
            result: done(&jid("5511911110001"), true, 1),
        }),
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
    }];
    let mut s = State::new(&names(), &known, 0);
    update(&mut s, Msg::Start);
    update(
        &mut s,
        Msg::Api(ApiResult::Contacts {
            instance: 0,
            result: Ok(store(vec![contact("5511911110001", "Ana", None)])),
        }),
    );
    let effects = update(&mut s, ch('b'));
    assert_eq!(
        effects,
        vec![block_job(0, "5511911110001", None, false)],
        "known blocked: unblock"
    );
    update(&mut s, ch('b')); // queue a block
    update(&mut s, Msg::Api(ApiResult::Instances(vec![])));
    let effects = update(
        &mut s,
        Msg::Api(ApiResult::Block {
            instance: 0,
            jid: jid("5511911110001"),
            block: false,
            batch: None,
            result: Err(http_error(
                503,
                "Instance is not connected to WhatsApp",
                "instance is not connected: connect the phone and retry",
            )),
        }),
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
    assert_eq!(effects, vec![Effect::Api(ApiJob::LoadInstances)]);
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
        update(&mut s, ch('b'));
        update(
            &mut s,
            Msg::Api(ApiResult::Block {
                instance: 0,
                jid: jid("5511911110001"),
                block: true,
                batch: None,
                result: Err(http_error(status, message, "do something")),
            }),
        );
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
    update(&mut s, ch('b'));
    update(
        &mut s,
        Msg::Api(ApiResult::Block {
            instance: 0,
            jid: jid("5511911110001"),
            block: true,
            batch: None,
            result: Err(http_error(
                503,
                "Instance is not connected",
                "connect the phone",
            )),
        }),
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
    for c in "messages".chars() {
        update(&mut s, ch(c));
    }
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
    update(&mut s, ch('b'));
    update(
        &mut s,
        Msg::Api(ApiResult::Block {
            instance: 0,
            jid: jid("5511911110001"),
            block: true,
            batch: None,
            result: Err(ErrorInfo::local(
                "no answer within 30s",
                "check the network",
            )),
        }),
    );
    assert_eq!(
        status_text(&s),
        "no answer within 30s · block Ana Silva (+55 11 91111-0001) on sales · check the network"
    );
}

#[test]
fn ledger_failure_after_success_is_an_error() {
    let mut s = loaded();
    update(&mut s, ch('b'));
    let mut result = done(&jid("5511911110001"), true, 1);
    if let Ok(d) = &mut result {
        d.ledger_error = Some("disk full".into());
    }
    update(
        &mut s,
        Msg::Api(ApiResult::Block {
            instance: 0,
            jid: jid("5511911110001"),
            block: true,
            batch: None,
            result,
        }),
    );
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
fn tab_switches_instances_and_keeps_positions() {
    let mut s = loaded();
    update(&mut s, ch('j'));
    let effects = update(&mut s, key(KeyCode::Tab));
    assert_eq!(s.current, 1);
    assert!(
        effects.is_empty(),
        "support was already loading since start"
    );
    update(
        &mut s,
        Msg::Api(ApiResult::Contacts {
            instance: 1,
            result: Ok(store(vec![contact("5511922220001", "Zé", None)])),
        }),
    );
    assert_eq!(s.visible, vec![0]);
    update(
        &mut s,
        Msg::Key(KeyEvent::new(KeyCode::BackTab, KeyModifiers::SHIFT)),
    );
    assert_eq!(s.current, 0);
    assert_eq!(s.selected, 1, "selection remembered per instance");
    update(&mut s, key(KeyCode::BackTab));
    assert_eq!(s.current, 1, "wraps around");
}

#[test]
fn switching_to_a_never_loaded_instance_loads_it() {
    let mut s = State::new(&names(), &[], 0);
    let effects = update(&mut s, key(KeyCode::Tab));
    assert_eq!(
        effects,
        vec![Effect::Api(ApiJob::LoadContacts { instance: 1 })]
    );
}

#[test]
fn refresh_collapses_repeats() {
    let mut s = loaded();
    update(&mut s, Msg::Api(ApiResult::Instances(vec![])));
    let effects = update(&mut s, ch('r'));
    assert_eq!(
        effects,
        vec![
            Effect::Api(ApiJob::LoadInstances),
            Effect::Api(ApiJob::LoadContacts { instance: 0 })
        ]
    );
    assert!(s.instances[0].refreshing, "contacts stay while refreshing");
    assert_eq!(s.visible.len(), 3);
    assert!(update(&mut s, ch('r')).is_empty());
    assert!(status_text(&s).contains("already refreshing"));
}

#[test]
fn refresh_keeps_selection_and_reflects_changes() {
    let mut s = loaded();
    update(&mut s, ch('G')); // Carla
    update(&mut s, ch('r'));
    update(
        &mut s,
        Msg::Api(ApiResult::Contacts {
            instance: 0,
            result: Ok(store(vec![
                contact("14155550123", "Carla Dias", None),
                contact("5511911110009", "New Person", None),
            ])),
        }),
    );
    assert_eq!(s.visible.len(), 2);
    assert_eq!(s.selected_contact().unwrap().name(), "Carla Dias");
}

#[test]
fn failed_refresh_keeps_the_previous_list() {
    let mut s = loaded();
    update(&mut s, ch('r'));
    update(
        &mut s,
        Msg::Api(ApiResult::Contacts {
            instance: 0,
            result: Err(ErrorInfo::local(
                "cannot connect: Connection refused",
                "check base_url",
            )),
        }),
    );
    assert_eq!(s.instances[0].load, Load::Loaded);
    assert_eq!(s.visible.len(), 3);
    assert!(status_text(&s).contains("showing the previous list"));
}

#[test]
fn failed_first_load_is_shown_and_503_marks_disconnected() {
    let mut s = State::new(&names(), &[], 0);
    update(&mut s, Msg::Start);
    update(&mut s, Msg::Api(ApiResult::Instances(vec![])));
    let e = http_error(
        503,
        "Instance is not connected to WhatsApp",
        "connect the phone",
    );
    let effects = update(
        &mut s,
        Msg::Api(ApiResult::Contacts {
            instance: 0,
            result: Err(e.clone()),
        }),
    );
    assert_eq!(s.instances[0].load, Load::Failed(e));
    assert_eq!(s.instances[0].connection.label(), "disconnected");
    assert_eq!(effects, vec![Effect::Api(ApiJob::LoadInstances)]);
}

#[test]
fn background_errors_do_not_take_the_status_bar() {
    let mut s = loaded();
    update(
        &mut s,
        Msg::Api(ApiResult::Contacts {
            instance: 1,
            result: Err(http_error(401, "Invalid token", "fix it")),
        }),
    );
    assert!(s.status.is_none() || !s.status.as_ref().unwrap().is_error);
    assert!(matches!(s.instances[1].load, Load::Failed(_)));
}

#[test]
fn instance_states_are_applied() {
    let mut s = loaded();
    update(
        &mut s,
        Msg::Api(ApiResult::Instances(vec![
            (
                0,
                Ok(Some(InstanceStatus {
                    state: "connected".into(),
                    own_region: None,
                })),
            ),
            (1, Ok(None)),
        ])),
    );
    assert!(s.instances[0].connection.is_connected());
    assert_eq!(s.instances[1].connection, Connection::NotOnServer);
    assert!(!s.instances_loading);
    update(
        &mut s,
        Msg::Api(ApiResult::Instances(vec![(
            1,
            Err(http_error(401, "Invalid token", "x")),
        )])),
    );
    assert_eq!(s.instances[1].connection.label(), "error 401");
}

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
fn info_expires_errors_stay() {
    let mut s = loaded();
    update(&mut s, ch('r'));
    for _ in 0..INFO_TICKS {
        update(&mut s, Msg::Tick { now: 0 });
    }
    assert!(s.status.is_none(), "info expired");
    update(
        &mut s,
        Msg::Api(ApiResult::Contacts {
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
fn ticks_poll_instance_states() {
    let mut s = loaded();
    update(&mut s, Msg::Api(ApiResult::Instances(vec![])));
    let mut polls = 0;
    for _ in 0..POLL_TICKS * 2 {
        polls += update(&mut s, Msg::Tick { now: 0 }).len();
        if s.instances_loading {
            update(&mut s, Msg::Api(ApiResult::Instances(vec![])));
        }
    }
    assert_eq!(polls, 2);
}

#[test]
fn ticks_redraw_only_when_something_moves() {
    let mut s = loaded();
    update(&mut s, Msg::Api(ApiResult::Instances(vec![])));
    s.instances[1].load = Load::Loaded;
    s.dirty = false;
    let now = s.now;
    update(&mut s, Msg::Tick { now });
    assert!(!s.dirty, "idle tick draws nothing");
    update(&mut s, ch('b'));
    s.dirty = false;
    let now = s.now;
    update(&mut s, Msg::Tick { now });
    assert!(s.dirty, "a pending spinner turns");
}

#[test]
fn unknown_keys_do_nothing() {
    let mut s = loaded();
    let before = (s.selected, s.overlay.clone(), s.filter.clone());
    assert!(update(&mut s, ch('z')).is_empty());
    assert_eq!(before, (s.selected, s.overlay.clone(), s.filter.clone()));
}

#[test]
fn ledger_knowledge_is_shown_from_start_by_jid_or_lid() {
    let known = [KnownState {
        instance: "sales".into(),
        jid: "777@lid".into(),
        lid: None,
        blocked: true,
        changed_at: 5,
    }];
    let mut s = State::new(&names(), &known, 0);
    update(
        &mut s,
        Msg::Api(ApiResult::Contacts {
            instance: 0,
            result: Ok(store(vec![contact(
                "5511911110002",
                "Bruno",
                Some("777@lid"),
            )])),
        }),
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
fn s_cycles_the_sort_and_keeps_the_selection() {
    let mut s = loaded();
    update(&mut s, ch('G')); // Carla (14155550123), last as listed
    update(&mut s, ch('s'));
    assert_eq!(s.sort, crate::contacts::Sort::Name);
    let names: Vec<String> = s
        .visible
        .iter()
        .map(|&i| s.instance().contacts.get(i).unwrap().name().to_string())
        .collect();
    assert_eq!(names, ["Ana Silva", "Bruno Costa", "Carla Dias"]);
    assert_eq!(s.selected_contact().unwrap().name(), "Carla Dias");
    update(&mut s, ch('s'));
    assert_eq!(s.sort, crate::contacts::Sort::Number);
    assert_eq!(s.visible[0], 2, "+1 sorts before +55");
    update(&mut s, ch('s'));
    assert_eq!(s.sort, crate::contacts::Sort::Listed);
    assert_eq!(s.visible, vec![0, 1, 2]);
}

#[test]
fn v_shows_only_known_blocked() {
    let known = [KnownState {
        instance: "sales".into(),
        jid: "777@lid".into(),
        lid: None,
        blocked: true,
        changed_at: 5,
    }];
    let mut s = State::new(&names(), &known, 0);
    update(
        &mut s,
        Msg::Api(ApiResult::Contacts {
            instance: 0,
            result: Ok(store(vec![
                contact("5511911110001", "Ana Silva", None),
                contact("5511911110002", "Bruno Costa", Some("777@lid")),
            ])),
        }),
    );
    update(&mut s, ch('v'));
    assert_eq!(s.view, View::Blocked);
    assert_eq!(s.visible, vec![1], "matched through the @lid");
    update(&mut s, ch('v'));
    assert_eq!(s.visible, vec![0, 1]);
}

#[test]
fn large_lists_filter_off_the_ui_path_latest_result_wins() {
    let mut s = loaded();
    s.sync_filter_limit = 0;
    update(&mut s, ch('/'));
    let first = update(&mut s, ch('b'));
    let second = update(&mut s, ch('r'));
    let (Some(Effect::Filter(job1)), Some(Effect::Filter(job2))) = (first.first(), second.first())
    else {
        panic!("expected filter jobs: {first:?} {second:?}")
    };
    assert!(job2.generation > job1.generation);
    assert_eq!(s.visible, vec![0, 1, 2], "rows stay until a result arrives");
    let rows2 = job2.run();
    let rows1 = job1.run();
    update(
        &mut s,
        Msg::Filtered {
            instance: 0,
            generation: job2.generation,
            rows: rows2.clone(),
        },
    );
    assert_eq!(s.visible, rows2);
    update(
        &mut s,
        Msg::Filtered {
            instance: 0,
            generation: job1.generation,
            rows: rows1,
        },
    );
    assert_eq!(
        s.visible, rows2,
        "an older result never replaces a newer one"
    );
    assert_eq!(
        s.visible
            .iter()
            .map(|&i| s.instance().contacts.get(i).unwrap().name().to_string())
            .collect::<Vec<_>>(),
        ["Bruno Costa"]
    );
}

#[test]
fn filter_results_for_another_instance_are_dropped() {
    let mut s = loaded();
    update(
        &mut s,
        Msg::Filtered {
            instance: 1,
            generation: 99,
            rows: vec![0],
        },
    );
    assert_eq!(s.visible, vec![0, 1, 2]);
}

fn cached(instance: usize, contacts: Vec<RemoteContact>, saved_at: i64) -> Msg {
    Msg::Cached {
        instance,
        store: store(contacts),
        saved_at,
    }
}

#[test]
fn the_cache_shows_at_once_then_the_fresh_list_replaces_it() {
    let mut s = State::new(&names(), &[], 0);
    update(&mut s, Msg::Start);
    update(
        &mut s,
        cached(
            0,
            vec![
                contact("5511911110001", "Gone Person", None),
                contact("5511911110002", "Stays", None),
            ],
            100,
        ),
    );
    let inst = s.instance();
    assert_eq!(inst.cached_at, Some(100));
    assert_eq!(inst.load, Load::Loaded);
    assert!(inst.refreshing, "the fresh list is still on its way");
    assert_eq!(s.visible.len(), 2);
    update(&mut s, ch('j')); // select "Stays"
    update(
        &mut s,
        Msg::Api(ApiResult::Contacts {
            instance: 0,
            result: Ok(store(vec![
                contact("5511911110003", "New Person", None),
                contact("5511911110002", "Stays", None),
            ])),
        }),
    );
    let inst = s.instance();
    assert_eq!(inst.cached_at, None);
    assert!(!inst.refreshing);
    let shown: Vec<String> = s
        .visible
        .iter()
        .map(|&i| inst.contacts.get(i).unwrap().name().to_string())
        .collect();
    assert_eq!(
        shown,
        ["New Person", "Stays"],
        "gone ones left, new ones came"
    );
    assert_eq!(s.selected_contact().unwrap().name(), "Stays");
}

#[test]
fn a_cache_arriving_after_the_fresh_list_is_ignored() {
    let mut s = loaded();
    update(
        &mut s,
        cached(0, vec![contact("5511911110009", "Old", None)], 1),
    );
    assert_eq!(s.instance().cached_at, None);
    assert_eq!(s.visible.len(), 3);
}

#[test]
fn a_failed_refresh_keeps_the_cache_and_says_so() {
    let mut s = State::new(&names(), &[], 0);
    update(&mut s, Msg::Start);
    update(
        &mut s,
        cached(0, vec![contact("5511911110001", "Ana", None)], 1),
    );
    update(
        &mut s,
        Msg::Api(ApiResult::Contacts {
            instance: 0,
            result: Err(ErrorInfo::local(
                "cannot connect: refused",
                "check base_url",
            )),
        }),
    );
    assert_eq!(s.visible.len(), 1);
    assert!(status_text(&s).contains("showing the cached list"));
    assert_eq!(s.instance().cached_at, Some(1));
}

#[test]
fn notices_are_shown_as_errors() {
    let mut s = loaded();
    update(&mut s, Msg::Notice("cache moved aside".into()));
    assert!(s.status.as_ref().unwrap().is_error);
}

fn answer(instance: usize, digits: &str, block: bool, batch: i64, ok: bool) -> Msg {
    Msg::Api(ApiResult::Block {
        instance,
        jid: jid(digits),
        block,
        batch: Some(batch),
        result: if ok {
            done(&jid(digits), block, 1)
        } else {
            Err(http_error(500, "boom", "retry"))
        },
    })
}

fn block_jobs(effects: &[Effect]) -> Vec<(usize, String, bool)> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Api(ApiJob::Block {
                instance,
                jid,
                block,
                ..
            }) => Some((*instance, jid.clone(), *block)),
            _ => None,
        })
        .collect()
}

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
    update(
        &mut s,
        Msg::Api(ApiResult::Contacts {
            instance: 0,
            result: Ok(store(vec![
                contact("5511911110001", "Ana Silva", None),
                RemoteContact {
                    jid: "999@lid".into(),
                    ..contact("0", "Hidden", None)
                },
            ])),
        }),
    );
    update(&mut s, ch('*'));
    update(&mut s, ch('B'));
    let Some(Overlay::Targets(d)) = s.overlay.clone() else {
        panic!("the targets dialog opens")
    };
    assert_eq!(d.chosen, vec![true, false], "the shown instance is chosen");
    assert_eq!(
        d.focus,
        crate::app::state::DialogFocus::Cancel,
        "Cancel has the focus"
    );
    assert!(
        update(&mut s, key(KeyCode::Enter)).is_empty(),
        "Enter on Cancel closes"
    );
    assert!(s.overlay.is_none());

    update(&mut s, ch('B'));
    update(&mut s, ch('a')); // every instance
    let effects = update(&mut s, ch('y'));
    let [Effect::Api(ApiJob::CreateBatch { label, items })] = effects.as_slice() else {
        panic!("the ledger records the batch first: {effects:?}")
    };
    assert!(
        label.contains("block 2 contacts on sales, support"),
        "{label}"
    );
    assert!(
        label.contains("1 hidden-number contacts skipped"),
        "{label}"
    );
    assert_eq!(
        items.len(),
        3,
        "two here, one elsewhere (the @lid cannot be matched)"
    );
    assert!(s.instance().marks.is_empty(), "marks are used up");

    let effects = update(
        &mut s,
        Msg::Api(ApiResult::BatchCreated(Ok((7, vec![1, 2, 3])))),
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
    let effects = update(
        &mut s,
        Msg::Api(ApiResult::Block {
            instance: 0,
            jid: "999@lid".into(),
            block: true,
            batch: Some(7),
            result: done("999@lid", true, 2),
        }),
    );
    assert_eq!(
        effects,
        vec![
            Effect::Api(ApiJob::CloseBatch {
                batch: 7,
                status: "done"
            }),
            // The answers on sales overlapped: the count is settled.
            Effect::Api(ApiJob::Settle {
                instance: 0,
                jid: "999@lid".into(),
                block: true
            })
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

    // u sends the inverse of what succeeded.
    let effects = update(&mut s, ch('u'));
    let [Effect::Api(ApiJob::CreateBatch { label, items })] = effects.as_slice() else {
        panic!("undo is a recorded batch: {effects:?}")
    };
    assert!(
        label.starts_with("undo: unblock 2 contacts on sales"),
        "{label}"
    );
    assert!(items.iter().all(|(_, _, _, block)| !block));
    update(
        &mut s,
        Msg::Api(ApiResult::BatchCreated(Ok((8, vec![4, 5])))),
    );
    update(&mut s, answer(0, "5511911110001", false, 8, true));
    update(
        &mut s,
        Msg::Api(ApiResult::Block {
            instance: 0,
            jid: "999@lid".into(),
            block: false,
            batch: Some(8),
            result: done("999@lid", false, 0),
        }),
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
    update(
        &mut s,
        Msg::Api(ApiResult::Contacts {
            instance: 0,
            result: Ok(store(many)),
        }),
    );
    update(&mut s, ch('*'));
    update(&mut s, ch('B'));
    update(&mut s, ch('y'));
    let effects = update(
        &mut s,
        Msg::Api(ApiResult::BatchCreated(Ok((1, (0..20).collect())))),
    );
    assert_eq!(block_jobs(&effects).len(), crate::app::batch::MAX_IN_FLIGHT);
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
        last,
        vec![
            Effect::Api(ApiJob::CloseBatch {
                batch: 1,
                status: "cancelled"
            }),
            Effect::Api(ApiJob::Settle {
                instance: 0,
                jid: jid("5511900000008"),
                block: true
            })
        ]
    );
    assert!(status_text(&s).contains("9 done, 11 cancelled"));
}

#[test]
fn a_blocks_any_typed_number_and_refuses_groups() {
    let mut s = loaded();
    update(&mut s, ch('a'));
    assert!(matches!(s.overlay, Some(Overlay::Prompt(_))));
    for c in "1203634@g.us".chars() {
        assert!(update(&mut s, ch(c)).is_empty(), "typing runs no command");
    }
    assert!(update(&mut s, key(KeyCode::Enter)).is_empty());
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
    for c in "+1 (415) 555-0123".chars() {
        update(&mut s, ch(c));
    }
    let effects = update(&mut s, key(KeyCode::Enter));
    let [Effect::Api(ApiJob::CreateBatch { label, items })] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    assert_eq!(label, "block +1 415-555-0123 on sales");
    assert_eq!(items, &vec![(0, jid("14155550123"), None, true)]);
    assert!(s.overlay.is_none());
    update(&mut s, ch('a'));
    update(&mut s, ch('x'));
    update(&mut s, key(KeyCode::Esc));
    assert!(s.overlay.is_none());
    assert!(s.overlay.is_none());
}

#[test]
fn single_toggles_are_undoable_too() {
    let mut s = loaded();
    update(&mut s, ch('b'));
    update(
        &mut s,
        Msg::Api(ApiResult::Block {
            instance: 0,
            jid: jid("5511911110001"),
            block: true,
            batch: None,
            result: done(&jid("5511911110001"), true, 1),
        }),
    );
    let effects = update(&mut s, ch('u'));
    let [Effect::Api(ApiJob::CreateBatch { items, .. })] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    assert_eq!(items, &vec![(0, jid("5511911110001"), None, false)]);
}

#[test]
fn an_unfinished_batch_is_offered_and_resumed_with_its_actions() {
    use crate::ledger::{BatchItem, UnfinishedBatch};
    let mut s = loaded();
    let left = vec![
        (
            41,
            BatchItem {
                instance: "support".into(),
                jid: jid("5511911110002"),
                lid: None,
                block: true,
            },
        ),
        (
            42,
            BatchItem {
                instance: "gone".into(),
                jid: jid("5511911110003"),
                lid: None,
                block: true,
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
    let effects = update(&mut s, ch('y'));
    assert_eq!(
        effects,
        vec![Effect::Api(ApiJob::Block {
            instance: 1,
            jid: jid("5511911110002"),
            lid: None,
            block: true,
            action: Some(41),
            batch: Some(9),
        })],
        "only what is not confirmed, under its recorded action"
    );
}

#[test]
fn an_unfinished_batch_can_be_discarded() {
    use crate::ledger::{BatchItem, UnfinishedBatch};
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
                    jid: jid("1"),
                    lid: None,
                    block: true,
                },
            )],
        }]),
    );
    let effects = update(&mut s, key(KeyCode::Enter));
    assert_eq!(
        effects,
        vec![Effect::Api(ApiJob::CloseBatch {
            batch: 9,
            status: "cancelled"
        })],
        "Enter on the focused Discard"
    );
}

#[test]
fn budget_reports_reach_the_instances_sharing_the_token() {
    let mut s = loaded();
    update(
        &mut s,
        Msg::Budget {
            instances: vec![0, 1],
            remaining: 3,
            limit: 100,
        },
    );
    assert_eq!(s.instances[1].budget, Some((3, 100)));
}

fn mouse(kind: ratatui::crossterm::event::MouseEventKind, column: u16, row: u16) -> Msg {
    Msg::Mouse(ratatui::crossterm::event::MouseEvent {
        kind,
        column,
        row,
        modifiers: KeyModifiers::NONE,
    })
}

#[test]
fn the_mouse_scrolls_selects_and_switches_tabs() {
    use ratatui::crossterm::event::{MouseButton, MouseEventKind};
    let mut s = loaded();
    update(
        &mut s,
        Msg::Resize {
            width: 100,
            height: 34,
        },
    );
    update(
        &mut s,
        mouse(MouseEventKind::Down(MouseButton::Left), 10, 4),
    );
    assert_eq!(s.selected, 2, "row 4 is the third contact");
    update(
        &mut s,
        mouse(MouseEventKind::Down(MouseButton::Left), 10, 30),
    );
    assert_eq!(s.selected, 2, "a click below the list changes nothing");
    update(&mut s, mouse(MouseEventKind::ScrollUp, 10, 10));
    assert_eq!(s.selected, 0);
    update(&mut s, mouse(MouseEventKind::ScrollDown, 10, 10));
    assert_eq!(s.selected, 2);
    let support = tabs::layout(&s, 100).tabs[1];
    update(
        &mut s,
        mouse(
            MouseEventKind::Down(MouseButton::Left),
            support.start + 2,
            0,
        ),
    );
    assert_eq!(s.current, 1, "a click on a tab switches to it");
    update(&mut s, ch('?'));
    update(&mut s, mouse(MouseEventKind::ScrollDown, 10, 10));
    assert!(
        matches!(s.overlay, Some(Overlay::Help(_))),
        "overlays keep the keyboard's attention"
    );
}

#[test]
fn tab_layout_drops_state_words_then_the_name_when_narrow() {
    let s = loaded();
    let wide = tabs::layout(&s, 200);
    assert!(wide.brand && wide.tabs.iter().all(|t| t.with_state));
    assert_eq!(wide.tabs[0].start, tabs::BRAND.len() as u16 + 1);
    let narrow = tabs::layout(&s, 40);
    assert!(
        narrow
            .tabs
            .iter()
            .filter(|t| t.with_state)
            .all(|t| t.instance == s.current)
    );
    let tiny = tabs::layout(&s, 10);
    assert!(!tiny.brand);
    assert_eq!(tabs::tab_at(&s, 200, 0), None, "the name is not a tab");
    assert_eq!(tabs::tab_at(&s, 200, wide.tabs[1].start), Some(1));
}

fn type_line(s: &mut State, text: &str) -> Vec<Effect> {
    update(s, ch(':'));
    assert!(matches!(s.overlay, Some(Overlay::CommandLine(_))));
    for c in text.chars() {
        assert!(update(s, ch(c)).is_empty(), "typing runs nothing");
    }
    update(s, key(KeyCode::Enter))
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
    let effects = type_line(&mut s, "block +55 (11) 97777-0000");
    assert!(matches!(
        effects.as_slice(),
        [Effect::Api(ApiJob::CreateBatch { items, .. })] if items == &vec![(0, jid("5511977770000"), None, true)]
    ));
    s.batch = None;
    let effects = type_line(&mut s, "unblock 5511977770000");
    assert!(matches!(
        effects.as_slice(),
        [Effect::Api(ApiJob::CreateBatch { items, .. })] if !items[0].3
    ));
    s.batch = None;
    type_line(&mut s, "nope");
    assert!(status_text(&s).contains("no command \"nope\""));
    type_line(&mut s, "instance mars");
    assert!(status_text(&s).contains("no instance \"mars\""));
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
    assert!(s.overlay.is_none());
}

#[test]
fn b_after_a_failed_batch_retries_exactly_the_failures() {
    let mut s = State::new(&names(), &[], 0);
    let three = (1..=3)
        .map(|i| contact(&format!("551191111000{i}"), "X", None))
        .collect();
    update(
        &mut s,
        Msg::Api(ApiResult::Contacts {
            instance: 0,
            result: Ok(store(three)),
        }),
    );
    update(&mut s, ch('*'));
    update(&mut s, ch('B'));
    update(&mut s, ch('y'));
    update(
        &mut s,
        Msg::Api(ApiResult::BatchCreated(Ok((1, vec![1, 2, 3])))),
    );
    update(&mut s, answer(0, "5511911110001", true, 1, true));
    update(&mut s, answer(0, "5511911110002", true, 1, false));
    update(&mut s, answer(0, "5511911110003", true, 1, false));
    assert_eq!(s.instance().marks.len(), 2);
    update(&mut s, ch('B'));
    let effects = update(&mut s, ch('y'));
    let [Effect::Api(ApiJob::CreateBatch { items, .. })] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    let mut retried: Vec<String> = items.iter().map(|(_, j, _, _)| j.clone()).collect();
    retried.sort();
    assert_eq!(retried, [jid("5511911110002"), jid("5511911110003")]);
}

#[test]
fn answers_that_raced_are_settled_by_one_more_request() {
    let mut s = loaded();
    let mut sent = update(&mut s, ch('b'));
    update(&mut s, ch('j'));
    sent.extend(update(&mut s, ch('b')));
    assert_eq!(block_jobs(&sent).len(), 2, "two in flight on sales");
    let single = |digits: &str, count: u64| {
        Msg::Api(ApiResult::Block {
            instance: 0,
            jid: jid(digits),
            block: true,
            batch: None,
            result: done(&jid(digits), true, count),
        })
    };
    // The second request's answer comes first, with the later count.
    assert!(update(&mut s, single("5511911110002", 2)).is_empty());
    let effects = update(&mut s, single("5511911110001", 1));
    assert_eq!(s.instances[0].blocked_count, Some(1), "stale for now");
    assert_eq!(
        effects,
        [Effect::Api(ApiJob::Settle {
            instance: 0,
            jid: jid("5511911110001"),
            block: true
        })],
        "the state of the last contact answered is restated"
    );
    let effects = update(
        &mut s,
        Msg::Api(ApiResult::Settled {
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
fn undo_of_a_bulk_block_leaves_alone_what_was_blocked_before() {
    let mut s = loaded();
    update(&mut s, ch('b'));
    update(
        &mut s,
        Msg::Api(ApiResult::Block {
            instance: 0,
            jid: jid("5511911110001"),
            block: true,
            batch: None,
            result: done(&jid("5511911110001"), true, 1),
        }),
    );
    update(&mut s, ch('*'));
    update(&mut s, ch('B'));
    let effects = update(&mut s, ch('y'));
    let [Effect::Api(ApiJob::CreateBatch { items, .. })] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    let n = items.len() as i64;
    update(
        &mut s,
        Msg::Api(ApiResult::BatchCreated(Ok((3, (0..n).collect())))),
    );
    for (_, j, _, _) in items.clone() {
        let digits = j.trim_end_matches("@s.whatsapp.net").to_string();
        update(&mut s, answer(0, &digits, true, 3, true));
    }
    assert!(s.batch.is_none());
    let effects = update(&mut s, ch('u'));
    let [Effect::Api(ApiJob::CreateBatch { items: undo, .. })] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    assert_eq!(undo.len(), items.len() - 1);
    assert!(!undo.iter().any(|(_, j, _, _)| *j == jid("5511911110001")));
}

#[test]
fn the_blocked_view_shows_numbers_that_are_not_contacts() {
    let known = [
        KnownState {
            instance: "sales".into(),
            jid: jid("5511911110001"),
            lid: None,
            blocked: true,
            changed_at: 1,
        },
        KnownState {
            instance: "sales".into(),
            jid: jid("447912345678"),
            lid: None,
            blocked: true,
            changed_at: 2,
        },
        KnownState {
            instance: "sales".into(),
            jid: jid("447400123456"),
            lid: None,
            blocked: false,
            changed_at: 3,
        },
    ];
    let mut s = State::new(&names(), &known, 0);
    update(
        &mut s,
        Msg::Api(ApiResult::Contacts {
            instance: 0,
            result: Ok(store(vec![
                contact("5511911110001", "Ana Silva", None),
                contact("5511911110002", "Bruno", None),
            ])),
        }),
    );
    assert_eq!(s.visible.len(), 2, "every contact, no outsider");
    update(&mut s, ch('v'));
    assert_eq!(
        s.visible,
        vec![0, 2],
        "Ana, then the number not in contacts"
    );
    let inst = s.instance();
    assert!(inst.is_outsider(2));
    assert_eq!(inst.row(2).unwrap().jid(), jid("447912345678"));
    assert_eq!(s.instance().known_blocked(), 2);
    // The filter reaches it too, and b unblocks it.
    update(&mut s, ch('/'));
    for c in "7912".chars() {
        update(&mut s, ch(c));
    }
    assert_eq!(s.visible, vec![2]);
    update(&mut s, key(KeyCode::Enter));
    let effects = update(&mut s, ch('b'));
    assert_eq!(effects, [block_job(0, "447912345678", None, false)]);
}

#[test]
fn esc_after_a_kept_filter_keeps_the_selection() {
    let mut s = loaded();
    update(&mut s, ch('/'));
    for c in "bruno".chars() {
        update(&mut s, ch(c));
    }
    update(&mut s, key(KeyCode::Enter));
    let jid_before = s.selected_contact().unwrap().jid().to_string();
    update(&mut s, key(KeyCode::Esc));
    assert!(s.filter.is_empty());
    assert_eq!(s.selected_contact().unwrap().jid(), jid_before);
    assert!(s.selected > 0, "not back at the top");
}

#[test]
fn block_without_a_number_says_how() {
    let mut s = loaded();
    update(&mut s, ch(':'));
    for c in "block".chars() {
        update(&mut s, ch(c));
    }
    assert!(update(&mut s, key(KeyCode::Enter)).is_empty());
    assert_eq!(
        status_text(&s),
        "type the number after :block, e.g. :block +44 7912 345678"
    );
}

#[test]
fn the_targets_dialog_says_beforehand_what_it_skips() {
    let mut s = loaded();
    update(
        &mut s,
        Msg::Api(ApiResult::Contacts {
            instance: 0,
            result: Ok(store(vec![RemoteContact {
                jid: "999@lid".into(),
                ..contact("0", "Hidden", None)
            }])),
        }),
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
    let plan = crate::app::bulk::dialog_plan(&s, &d);
    assert!(plan.items.is_empty());
    assert!(update(&mut s, ch('y')).is_empty());
    assert!(
        matches!(s.overlay, Some(Overlay::Targets(_))),
        "the dialog stays and says why"
    );
    assert!(status_text(&s).starts_with("nothing to send"));
}
