//! The live feed in `update`: frames flagged and listed, instance states
//! at once, the Live view's keys (filter, marks, `B` through the bulk
//! dialog on every instance), groups never blockable, feeds paused and
//! refused, and the offer to enable a WebSocket.

use super::*;
use crate::api::SocketConfig;
use crate::model::live::{ChatKind, Incoming, LiveEvent};
use crate::protocol::{ConnState, FeedStatus, LiveMsg};

const NOW: i64 = 1_800_000_000;

/// Sales and support loaded (support with one contact of its own), the
/// clock at [`NOW`], lookups off.
fn live() -> State {
    let mut s = loaded();
    contacts_arrive(&mut s, 1, vec![contact("5521988887777", "Dora Lima", None)]);
    update(&mut s, Msg::Tick { now: NOW });
    s
}

fn message(digits: &str, name: Option<&str>, text: &str, chat: ChatKind) -> Incoming {
    crate::app::testing::incoming(digits, name, text, chat, NOW)
}

/// A message arrives on `instance`.
fn arrives(s: &mut State, instance: usize, m: Incoming) -> Vec<Effect> {
    update(
        s,
        Msg::Live(LiveMsg::Event {
            instance,
            event: LiveEvent::Message(m),
            received: NOW,
        }),
    )
}

const SPAMMER: &str = "6281234567890";

/// A spammer who is nobody's contact writes to both instances.
fn wave(s: &mut State) {
    arrives(
        s,
        0,
        message(SPAMMER, Some("Promo"), "Ganhe dinheiro", ChatKind::Private),
    );
    arrives(
        s,
        1,
        message(SPAMMER, Some("Promo"), "Ganhe dinheiro", ChatKind::Private),
    );
}

#[test]
fn nobody_is_a_stranger_where_the_address_book_is_not_in_yet() {
    let mut s = loaded();
    update(&mut s, Msg::Tick { now: NOW });
    // Support's contacts are still loading: a customer of support who
    // writes to both numbers is no wave.
    wave(&mut s);
    assert!(
        s.live.rows().all(|r| !r.is_flagged()),
        "no wave while loading"
    );
    contacts_arrive(&mut s, 1, Vec::new());
    wave(&mut s);
    assert!(
        s.live.rows().any(|r| r.is_flagged()),
        "a stranger on both once both books are in"
    );
}

#[test]
fn a_stranger_writing_to_two_numbers_is_a_wave_and_a_contact_is_not() {
    let mut s = live();
    arrives(
        &mut s,
        0,
        message("5511911110001", Some("Ana"), "oi", ChatKind::Private),
    );
    arrives(
        &mut s,
        1,
        message("5511911110001", Some("Ana"), "oi", ChatKind::Private),
    );
    assert!(
        s.live.rows().all(|r| !r.is_flagged()),
        "Ana is a contact of sales"
    );
    wave(&mut s);
    let flagged: Vec<u64> = s
        .live
        .rows()
        .filter(|r| r.is_flagged())
        .map(|r| r.seq)
        .collect();
    assert_eq!(flagged.len(), 2, "both of the spammer's rows");
    assert!(
        status_text(&s)
            .starts_with("⚑ spam wave: 2 of our numbers in 10 min: Promo (+62 812-3456-7890)")
    );
    assert!(
        status_text(&s).ends_with("L shows the live feed"),
        "{}",
        status_text(&s)
    );
}

#[test]
fn l_shows_the_feed_asks_the_configurations_once_and_shows_the_contacts_again() {
    let mut s = live();
    let effects = update(&mut s, ch('L'));
    assert!(s.live.shown);
    let asked: Vec<&Effect> = effects
        .iter()
        .filter(|e| matches!(e, Effect::Job(Job::Api(ApiCall::SocketConfig { .. }))))
        .collect();
    assert_eq!(asked.len(), 2);
    update(&mut s, ch('L'));
    assert!(!s.live.shown);
    assert!(update(&mut s, ch('L')).is_empty(), "asked already");
}

#[test]
fn b_on_a_flagged_row_opens_the_bulk_dialog_on_every_instance_with_spam_wave_ready() {
    let mut s = live();
    wave(&mut s);
    update(&mut s, ch('L'));
    let Some(Overlay::Targets(d)) = ({
        update(&mut s, ch('B'));
        s.overlay.clone()
    }) else {
        panic!("the bulk dialog opens")
    };
    assert_eq!(d.chosen, [true, true], "every instance chosen");
    assert_eq!(d.focus, crate::app::overlays::targets::DialogFocus::Cancel);
    assert_eq!(d.targets, [(jid(SPAMMER), None)]);
    assert_eq!(d.names, ["Promo (+62 812-3456-7890)"]);
    assert_eq!(d.home, Some(1), "the row it was opened on came to support");
    update(&mut s, key(KeyCode::Char('y')));
    let Some(Overlay::Reason(ask)) = s.overlay.clone() else {
        panic!("it asks why")
    };
    assert_eq!(ask.text, "spam wave");
    let effects = update(&mut s, key(KeyCode::Enter));
    let Some(Job::Write(LedgerWrite::CreateBatch { items, reason, .. })) =
        effects.iter().find_map(|e| match e {
            Effect::Job(job @ Job::Write(LedgerWrite::CreateBatch { .. })) => Some(job.clone()),
            _ => None,
        })
    else {
        panic!("the batch is recorded first: {effects:?}")
    };
    assert_eq!(reason.as_deref(), Some("spam wave"));
    assert_eq!(
        tuples(&items),
        [(0, jid(SPAMMER), None, true), (1, jid(SPAMMER), None, true)],
        "the sender, on every instance, and nobody else"
    );
}

#[test]
fn why_starts_with_spam_wave_only_for_a_wave_and_empty_for_a_row_not_flagged() {
    let mut s = live();
    arrives(
        &mut s,
        0,
        message("5511955550000", None, "oi", ChatKind::Private),
    );
    update(&mut s, ch('L'));
    update(&mut s, ch('B'));
    let Some(Overlay::Targets(d)) = s.overlay.clone() else {
        panic!("the dialog")
    };
    assert_eq!(d.why, "", "nothing flags it: the operator says why");
    update(&mut s, ch('n'));
    s.live.rules.keywords = vec!["pix".into()];
    arrives(
        &mut s,
        0,
        message("5511955550001", None, "pix agora", ChatKind::Private),
    );
    update(&mut s, ch('B'));
    assert!(matches!(&s.overlay, Some(Overlay::Targets(d)) if d.why == "keyword: pix"));
}

#[test]
fn space_says_which_sender_it_marked_as_rows_keep_coming() {
    let mut s = live();
    wave(&mut s);
    update(&mut s, ch('L'));
    update(&mut s, ch(' '));
    assert_eq!(
        status_text(&s),
        "marked Promo (+62 812-3456-7890) · 1 marked"
    );
    update(&mut s, ch('k'));
    update(&mut s, ch(' '));
    assert_eq!(
        status_text(&s),
        "unmarked Promo (+62 812-3456-7890) · 0 marked"
    );
}

#[test]
fn a_group_message_is_never_blockable_nor_flagged_nor_marked() {
    let mut s = live();
    for instance in [0, 1] {
        arrives(
            &mut s,
            instance,
            message(SPAMMER, None, "promo", ChatKind::Group),
        );
    }
    assert!(s.live.rows().all(|r| !r.is_flagged() && !r.is_blockable()));
    update(&mut s, ch('L'));
    update(&mut s, ch(' '));
    assert!(s.live.marks.is_empty());
    update(&mut s, ch('B'));
    assert!(s.overlay.is_none(), "no dialog");
    assert!(
        status_text(&s).starts_with("a group cannot be blocked"),
        "{}",
        status_text(&s)
    );
    update(&mut s, ch('*'));
    assert!(s.live.marks.is_empty(), "* marks no group");
}

#[test]
fn star_on_a_filter_of_the_flag_marks_the_wave_and_b_blocks_every_marked_sender() {
    let mut s = live();
    arrives(
        &mut s,
        0,
        message("5511911110002", Some("Bruno"), "bom dia", ChatKind::Private),
    );
    wave(&mut s);
    let other = "2348031234567";
    arrives(
        &mut s,
        0,
        message(other, None, "You won", ChatKind::Private),
    );
    arrives(
        &mut s,
        1,
        message(other, None, "You won", ChatKind::Private),
    );
    update(&mut s, ch('L'));
    keys(&mut s, "/⚑");
    update(&mut s, key(KeyCode::Enter));
    assert_eq!(crate::app::live::view::shown_len(&s.live), 4);
    update(&mut s, ch('*'));
    assert_eq!(s.live.marks.len(), 2, "the two wave senders, not Bruno");
    update(&mut s, ch('B'));
    let Some(Overlay::Targets(d)) = s.overlay.clone() else {
        panic!("the dialog")
    };
    assert_eq!(d.targets.len(), 2);
    assert_eq!(d.home, None);
    update(&mut s, key(KeyCode::Char('y')));
    update(&mut s, key(KeyCode::Enter));
    assert!(s.live.marks.is_empty(), "the marks went with the batch");
    assert_eq!(
        s.batch.as_ref().expect("a batch runs").total,
        4,
        "two senders on two instances"
    );
}

#[test]
fn an_instance_state_changes_the_tab_at_once_and_temp_banned_says_what_to_do() {
    let mut s = live();
    update(
        &mut s,
        Msg::Live(LiveMsg::Event {
            instance: 1,
            event: LiveEvent::State {
                word: "temp_banned".into(),
                at: None,
            },
            received: NOW,
        }),
    );
    assert_eq!(
        s.instances[1].connection,
        Connection::State(ConnState::TempBanned)
    );
    assert_eq!(s.instances[1].connection.label(), "temp banned");
    let text = status_text(&s);
    assert!(
        text.starts_with(
            "support is temp banned (live: instance.state) · WhatsApp banned this number"
        ),
        "{text}"
    );
    assert!(s.status.as_ref().is_some_and(|m| m.is_error));
    assert!(
        matches!(s.live.rows().last().map(|r| &r.what), Some(crate::app::live::feed::What::State(w)) if w == "temp_banned")
    );
}

#[test]
fn a_paused_feed_counts_down_and_an_unreadable_frame_is_counted() {
    let mut s = live();
    update(&mut s, ch('L'));
    update(
        &mut s,
        Msg::Live(LiveMsg::Feed {
            instance: 0,
            status: FeedStatus::Paused {
                retry_at: NOW + 8,
                why: "connection lost".into(),
            },
        }),
    );
    update(
        &mut s,
        Msg::Live(LiveMsg::Unreadable {
            instance: 1,
            why: "not JSON".into(),
        }),
    );
    let lines = crate::app::live::words::health_lines(&s, 4);
    assert!(
        lines
            .iter()
            .any(|l| l == "live feed of sales paused: reconnecting in 8 s (connection lost)"),
        "{lines:?}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("1 frame(s) could not be read")),
        "{lines:?}"
    );
    let redraws = (0..8)
        .map(|n| update(&mut s, Msg::Tick { now: NOW + n / 4 }))
        .filter(|e| e.contains(&Effect::Redraw))
        .count();
    assert!(redraws >= 2, "the countdown moves on screen");
    assert!(
        crate::app::live::words::health_lines(&s, 4)
            .iter()
            .any(|l| l.contains("reconnecting in 7 s"))
    );
}

#[test]
fn a_refused_feed_reads_the_configuration_and_e_enables_it_after_asking() {
    let mut s = live();
    let refusal = http_error(
        400,
        "WebSocket is not enabled for this instance",
        "check the number",
    );
    let effects = update(
        &mut s,
        Msg::Live(LiveMsg::Feed {
            instance: 1,
            status: FeedStatus::Refused(refusal),
        }),
    );
    assert!(effects.contains(&Effect::call(ApiCall::SocketConfig { instance: 1 })));
    update(
        &mut s,
        Msg::Worker(JobResult::SocketConfig {
            instance: 1,
            enabling: false,
            result: Ok(SocketConfig::NotConfigured),
        }),
    );
    assert!(
        status_text(&s).contains("the WebSocket of support is never configured"),
        "{}",
        status_text(&s)
    );
    update(&mut s, ch('E'));
    assert!(
        matches!(&s.overlay, Some(Overlay::EnableLive(o)) if o.instances.len() == 1 && !o.confirm_focused)
    );
    assert!(
        update(&mut s, key(KeyCode::Enter)).is_empty(),
        "Enter on Cancel changes nothing"
    );
    update(&mut s, ch('E'));
    let effects = update(&mut s, ch('y'));
    assert_eq!(
        effects,
        [Effect::call(ApiCall::EnableSocket {
            instance: 1,
            from: SocketConfig::NotConfigured
        })]
    );
    let effects = update(
        &mut s,
        Msg::Worker(JobResult::SocketConfig {
            instance: 1,
            enabling: true,
            result: Ok(SocketConfig::Enabled {
                events: vec![],
                media_base64: false,
            }),
        }),
    );
    assert_eq!(
        effects,
        [Effect::Job(Job::Live(crate::protocol::LiveJob::Open {
            instance: 1
        }))]
    );
}

#[test]
fn read_only_never_enables_nor_blocks_from_the_feed() {
    let mut s = live();
    for inst in &mut s.instances {
        inst.read_only = true;
    }
    s.live.health[0].config = Some(Ok(SocketConfig::Disabled));
    update(&mut s, ch('E'));
    assert!(s.overlay.is_none());
    assert!(
        status_text(&s).starts_with("read-only"),
        "{}",
        status_text(&s)
    );
    wave(&mut s);
    update(&mut s, ch('L'));
    update(&mut s, ch('B'));
    assert!(s.overlay.is_none());
    assert!(
        status_text(&s).starts_with("read-only"),
        "{}",
        status_text(&s)
    );
}
