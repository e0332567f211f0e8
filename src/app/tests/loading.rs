//! Loading contacts and instance states, the cache, refreshes, ticks and notices.

use super::*;
use crate::protocol::InstanceStatus;

#[test]
fn start_loads_states_then_current_then_others() {
    let mut s = State::new(&names(), &[], 1);
    let effects = update(&mut s, Msg::Start);
    assert_eq!(
        effects,
        vec![
            Effect::Job(Job::Api(ApiCall::LoadInstances)),
            Effect::Job(Job::Api(ApiCall::LoadContacts { instance: 1 })),
            Effect::Job(Job::Api(ApiCall::LoadContacts { instance: 0 })),
            // The live feed of every instance.
            Effect::Job(Job::Live(crate::protocol::LiveJob::Open { instance: 0 })),
            Effect::Job(Job::Live(crate::protocol::LiveJob::Open { instance: 1 })),
            // The blocklist, for its view and what expired.
            Effect::Job(Job::Read(LedgerRead::Blocklist)),
        ]
    );
    assert!(s.instances_loading());
    assert_eq!(s.instances[0].load, Load::Loading);
}

#[test]
fn rows_the_server_sent_that_are_not_contacts_are_counted_on_screen() {
    let mut s = State::new(&names(), &[], 0);
    update(&mut s, Msg::Start);
    let body = br#"{"success": true, "contacts": [{"jid": 7}, {"jid": "=1@lid"},
        {"jid": "5511911110001@s.whatsapp.net", "full_name": "Ana"}]}"#;
    let parsed = Arc::new(crate::api::contacts::parse_store(body).unwrap());
    update(
        &mut s,
        Msg::Worker(JobResult::Contacts {
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
fn switching_to_a_never_loaded_instance_loads_it() {
    let mut s = State::new(&names(), &[], 0);
    let effects = update(&mut s, key(KeyCode::Tab));
    assert_eq!(
        effects,
        vec![Effect::Job(Job::Api(ApiCall::LoadContacts { instance: 1 }))]
    );
}

#[test]
fn refresh_collapses_repeats() {
    let mut s = loaded();
    update(
        &mut s,
        Msg::Worker(JobResult::Instances {
            states: vec![],
            complete: true,
        }),
    );
    let effects = update(&mut s, ch('r'));
    assert_eq!(
        effects,
        vec![
            Effect::Job(Job::Api(ApiCall::LoadInstances)),
            Effect::Job(Job::Api(ApiCall::LoadContacts { instance: 0 }))
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
    assert_eq!(status_text(&s), "refreshing sales…");
    contacts_arrive(
        &mut s,
        0,
        vec![
            contact("14155550123", "Carla Dias", None),
            contact("5511911110009", "New Person", None),
        ],
    );
    assert_eq!(s.visible.len(), 2);
    assert_eq!(s.selected_contact().unwrap().name(), "Carla Dias");
    assert_eq!(
        status_text(&s),
        "refreshed sales: 2 contacts",
        "no stale 'refreshing…' once the list is in"
    );
}

#[test]
fn failed_refresh_keeps_the_previous_list() {
    let mut s = loaded();
    update(&mut s, ch('r'));
    update(
        &mut s,
        Msg::Worker(JobResult::Contacts {
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
    update(
        &mut s,
        Msg::Worker(JobResult::Instances {
            states: vec![],
            complete: true,
        }),
    );
    let e = http_error(
        503,
        "Instance is not connected to WhatsApp",
        "connect the phone",
    );
    let effects = update(
        &mut s,
        Msg::Worker(JobResult::Contacts {
            instance: 0,
            result: Err(e.clone()),
        }),
    );
    assert_eq!(s.instances[0].load, Load::Failed(e));
    assert_eq!(s.instances[0].connection.label(), "disconnected");
    assert_eq!(effects, vec![Effect::Job(Job::Api(ApiCall::LoadInstances))]);
}

#[test]
fn background_errors_do_not_take_the_status_bar() {
    let mut s = loaded();
    update(
        &mut s,
        Msg::Worker(JobResult::Contacts {
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
        Msg::Worker(JobResult::Instances {
            states: vec![
                (
                    0,
                    Ok(Some(InstanceStatus {
                        state: "connected".into(),
                        own_region: None,
                        own_jid: None,
                    })),
                ),
                (1, Ok(None)),
            ],
            complete: true,
        }),
    );
    assert!(s.instances[0].connection.is_connected());
    assert_eq!(s.instances[1].connection, Connection::NotOnServer);
    assert!(!s.instances_loading());
    update(
        &mut s,
        Msg::Worker(JobResult::Instances {
            states: vec![(1, Err(http_error(401, "Invalid token", "x")))],
            complete: true,
        }),
    );
    assert_eq!(s.instances[1].connection.label(), "error 401");
}

#[test]
fn ticks_poll_instance_states() {
    let mut s = loaded();
    update(
        &mut s,
        Msg::Worker(JobResult::Instances {
            states: vec![],
            complete: true,
        }),
    );
    let mut polls = 0;
    for _ in 0..POLL_TICKS * 2 {
        polls += update(&mut s, Msg::Tick { now: 0 })
            .iter()
            .filter(|e| matches!(e, Effect::Job(Job::Api(ApiCall::LoadInstances))))
            .count();
        if s.instances_loading() {
            update(
                &mut s,
                Msg::Worker(JobResult::Instances {
                    states: vec![],
                    complete: true,
                }),
            );
        }
    }
    assert_eq!(polls, 2);
}

#[test]
fn ticks_redraw_only_when_something_moves() {
    let mut s = loaded();
    update(
        &mut s,
        Msg::Worker(JobResult::Instances {
            states: vec![],
            complete: true,
        }),
    );
    s.instances[1].load = Load::Loaded;
    let now = s.now;
    let effects = update(&mut s, Msg::Tick { now });
    assert!(
        !effects.contains(&Effect::Redraw),
        "idle tick draws nothing"
    );
    update(&mut s, ch('b'));
    let effects = update(&mut s, Msg::Tick { now });
    assert!(effects.contains(&Effect::Redraw), "a pending spinner turns");
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
    contacts_arrive(
        &mut s,
        0,
        vec![
            contact("5511911110003", "New Person", None),
            contact("5511911110002", "Stays", None),
        ],
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
        Msg::Worker(JobResult::Contacts {
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
