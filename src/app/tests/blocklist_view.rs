//! The Blocklist view: `T` shows the list, `/` narrows it, `W` adds what
//! is pointed at (why, then until when; a live row's sender too, never a
//! group's), `p` makes the plan, `y` applies
//! it (after checking that no other desk applies it), and blocks whose
//! entries expired are offered, never unblocked silently.

use super::*;
use crate::model::blocklist::Entry;
use crate::model::live::{ChatKind, LiveEvent};
use crate::protocol::{InstanceStatus, ListChange, LiveMsg};
use crate::store::ledger::{BatchItem, Claim, UnfinishedBatch};

const NOW: i64 = 1_800_000_000;

fn entry(target: &str, reason: &str, expires: Option<i64>) -> Entry {
    Entry {
        target: target.into(),
        reason: Some(reason.into()),
        source: "manual".into(),
        operator: Some("desk-1".into()),
        added: NOW - 100,
        expires,
        removed: None,
    }
}

/// Both instances connected; the clock at [`NOW`].
fn connected() -> State {
    let mut s = loaded();
    s.now = NOW;
    let up = || {
        Ok(Some(InstanceStatus {
            state: "connected".into(),
            own_region: None,
            own_jid: None,
        }))
    };
    update(
        &mut s,
        Msg::Worker(JobResult::Instances {
            states: vec![(0, up()), (1, up())],
            complete: true,
        }),
    );
    // The start's read of the list: empty.
    list_arrives(&mut s, Vec::new(), &[]);
    s
}

/// The ledger's blocklist arrives: `entries`, and where the list blocked
/// what.
fn list_arrives(s: &mut State, entries: Vec<Entry>, applied: &[(&str, &str)]) -> Vec<Effect> {
    let applied = applied
        .iter()
        .map(|(i, j)| (i.to_string(), j.to_string()))
        .collect();
    update(s, Msg::Worker(JobResult::Blocklist(Ok((entries, applied)))))
}

/// Types `text`, a line break being Enter; returns every effect.
fn typed(s: &mut State, text: &str) -> Vec<Effect> {
    text.chars()
        .flat_map(|c| match c {
            '\n' => update(s, key(KeyCode::Enter)),
            c => update(s, ch(c)),
        })
        .collect()
}

/// What a plan (or an apply) waits for comes: the instances' states, the
/// list, and what the ledger recalls of lookups (nothing).
fn plan_inputs(s: &mut State, entries: Vec<Entry>, applied: &[(&str, &str)]) -> Vec<Effect> {
    let mut effects = update(
        s,
        Msg::Worker(JobResult::Instances {
            states: vec![],
            complete: true,
        }),
    );
    effects.extend(list_arrives(s, entries, applied));
    let mut out = Vec::new();
    for effect in effects {
        match effect {
            Effect::Job(Job::Read(LedgerRead::Identities { numbers })) => {
                out.extend(update(
                    s,
                    Msg::Worker(JobResult::Identities {
                        numbers,
                        result: Ok(Vec::new()),
                    }),
                ));
            }
            other => out.push(other),
        }
    }
    out
}

fn reads(effects: &[Effect], read: &LedgerRead) -> bool {
    effects.contains(&Effect::Job(Job::Read(read.clone())))
}

#[test]
fn t_shows_the_list_and_reads_it_and_slash_narrows_it() {
    let mut s = connected();
    let effects = update(&mut s, ch('T'));
    assert!(s.list_view.shown);
    assert!(reads(&effects, &LedgerRead::Blocklist), "{effects:?}");
    list_arrives(
        &mut s,
        vec![
            entry("5511911110001", "spam", None),
            entry("6281234567890", "fraude", None),
        ],
        &[],
    );
    assert_eq!(s.list_view.rows.len(), 2);
    typed(&mut s, "/fraude\n");
    assert_eq!(s.list_view.rows, [1], "the filter keeps the fraud entry");
    assert!(s.overlay.is_none());
    update(&mut s, key(KeyCode::Esc));
    assert_eq!(s.list_view.rows.len(), 2, "Esc clears the filter");
    update(&mut s, ch('T'));
    assert!(!s.list_view.shown, "again: the contacts");
    assert_eq!(s.visible.len(), 3, "the contacts' filter was not touched");
}

#[test]
fn w_asks_why_then_until_when_and_gives_the_ledger_the_entry() {
    let mut s = connected();
    update(&mut s, ch('W'));
    assert!(matches!(s.overlay, Some(Overlay::ListAdd(_))));
    typed(&mut s, "spam\n");
    typed(&mut s, "tomorrow\n");
    assert!(
        status_text(&s).contains("not a time"),
        "a bad time says why: {}",
        status_text(&s)
    );
    assert!(
        matches!(s.overlay, Some(Overlay::ListAdd(_))),
        "still asking"
    );
    for _ in 0.."tomorrow".len() {
        update(&mut s, key(KeyCode::Backspace));
    }
    let effects = typed(&mut s, "30d\n");
    let added = effects.iter().find_map(|e| match e {
        Effect::Job(Job::Write(LedgerWrite::Blocklist(ListChange::Add(entries)))) => {
            Some(entries.clone())
        }
        _ => None,
    });
    let added = added.expect("the entry goes to the ledger");
    assert_eq!(added.len(), 1);
    assert_eq!(added[0].target, "5511911110001", "Ana, as E.164 digits");
    assert_eq!(added[0].reason.as_deref(), Some("spam"));
    assert_eq!(added[0].expires, Some(NOW + 30 * 86_400));
    assert!(block_jobs(&effects).is_empty(), "nothing is sent");
    update(&mut s, Msg::Worker(JobResult::ListChanged(Ok(1))));
    assert!(
        status_text(&s)
            .starts_with("added to the blocklist: Ana Silva (+55 11 91111-0001) (spam · until"),
        "{}",
        status_text(&s)
    );
}

#[test]
fn w_lists_a_hidden_number_by_its_lid_and_refuses_an_instance_of_ours() {
    let mut s = connected();
    contacts_arrive(
        &mut s,
        0,
        vec![
            RemoteContact {
                jid: "123456789012345@lid".into(),
                ..contact("0", "Hidden", None)
            },
            contact("5511955550101", "Support's phone", None),
        ],
    );
    s.instances[1].own_jid = Some(jid("5511955550101"));
    update(&mut s, ch('W'));
    let effects = typed(&mut s, "\n\n");
    let Some(Effect::Job(Job::Write(LedgerWrite::Blocklist(ListChange::Add(added))))) =
        effects.first()
    else {
        panic!("{effects:?}");
    };
    assert_eq!(added[0].target, "123456789012345@lid");
    assert_eq!(added[0].expires, None, "nothing typed: it never expires");
    update(&mut s, ch('j'));
    update(&mut s, ch('W'));
    assert!(s.overlay.is_none(), "nothing to ask");
    assert!(
        status_text(&s).contains("the number of instance support"),
        "{}",
        status_text(&s)
    );
}

/// A message comes over the live feed to `instance`: private, or in a
/// group.
fn live_message(s: &mut State, instance: usize, digits: &str, chat: ChatKind) {
    let m = crate::app::testing::incoming(digits, Some("Promo"), "Ganhe dinheiro", chat, NOW);
    update(
        s,
        Msg::Live(LiveMsg::Event {
            instance,
            event: LiveEvent::Message(m),
            received: NOW,
        }),
    );
}

#[test]
fn w_in_the_live_view_lists_a_private_messages_sender_and_refuses_a_group() {
    let mut s = connected();
    live_message(&mut s, 0, "6281234567890", ChatKind::Private);
    update(&mut s, ch('L'));
    update(&mut s, ch('W'));
    let Some(Overlay::ListAdd(ask)) = &s.overlay else {
        panic!("W asks first: {:?}", s.overlay);
    };
    assert_eq!(ask.prompt(), "Why? ");
    assert_eq!(ask.adding.targets, ["6281234567890"]);
    typed(&mut s, "spam wave\n");
    let Some(Overlay::ListAdd(ask)) = &s.overlay else {
        panic!("then Until?: {:?}", s.overlay);
    };
    assert_eq!(ask.prompt(), "Until? ");
    let effects = typed(&mut s, "12h\n");
    let added = effects.iter().find_map(|e| match e {
        Effect::Job(Job::Write(LedgerWrite::Blocklist(ListChange::Add(entries)))) => {
            Some(entries.clone())
        }
        _ => None,
    });
    let added = added.expect("the entry goes to the ledger");
    assert_eq!(added.len(), 1);
    assert_eq!(
        added[0].target, "6281234567890",
        "the sender, as E.164 digits"
    );
    assert_eq!(added[0].reason.as_deref(), Some("spam wave"));
    assert_eq!(added[0].expires, Some(NOW + 12 * 3_600));
    assert!(block_jobs(&effects).is_empty(), "nothing is sent");
    assert!(s.overlay.is_none());
    assert!(s.live.shown, "still the Live view");

    // A group's row: refused, with why; nothing asked, nothing written.
    live_message(&mut s, 1, "5511977776666", ChatKind::Group);
    update(&mut s, ch('g'));
    let effects = update(&mut s, ch('W'));
    assert!(s.overlay.is_none(), "nothing to ask: {:?}", s.overlay);
    assert!(effects.is_empty(), "{effects:?}");
    assert!(
        status_text(&s).starts_with("only the sender of a private message can be listed"),
        "{}",
        status_text(&s)
    );
}

#[test]
fn p_makes_the_plan_and_y_applies_it_when_no_other_desk_does() {
    let mut s = connected();
    update(&mut s, ch('T'));
    list_arrives(&mut s, vec![entry("5511911110002", "spam", None)], &[]);
    let effects = update(&mut s, ch('p'));
    assert!(s.list_view.plan_shown);
    assert!(reads(&effects, &LedgerRead::Blocklist));
    plan_inputs(&mut s, vec![entry("5511911110002", "spam", None)], &[]);
    let plan = s.blocklist.plan.clone().expect("the plan is made");
    assert_eq!(plan.steps.len(), 2, "a block on each instance");
    let lines = crate::app::list_view::plan_view::lines(&s);
    assert!(
        lines
            .iter()
            .any(|(_, l)| l == "  block 1: Bruno Costa (+55 11 91111-0002)"),
        "the contact's name on sales: {lines:?}"
    );
    let effects = update(&mut s, ch('y'));
    assert!(reads(&effects, &LedgerRead::Unfinished), "{effects:?}");
    assert!(s.batch.is_none(), "nothing sent before the ledger answers");
    update(&mut s, Msg::Worker(JobResult::Unfinished(Ok(Vec::new()))));
    // The plan is made again (same id) and sent.
    plan_inputs(&mut s, vec![entry("5511911110002", "spam", None)], &[]);
    let batch = s.batch.as_ref().expect("the apply batch runs");
    assert!(batch.label.contains(&plan.id), "{}", batch.label);
    assert!(!s.list_view.plan_shown, "the entries show while it is sent");
}

#[test]
fn y_says_which_desk_applies_the_list_and_sends_nothing() {
    let mut s = connected();
    update(&mut s, ch('T'));
    update(&mut s, ch('p'));
    plan_inputs(&mut s, vec![entry("5511911110002", "spam", None)], &[]);
    update(&mut s, ch('y'));
    let open = UnfinishedBatch {
        id: 7,
        label: "blocklist: apply plan 0123456789ab (2 changes)".into(),
        created_at: NOW - 30,
        total: 2,
        done: 1,
        left: vec![(
            12,
            BatchItem {
                instance: "support".into(),
                jid: jid("5511911110002"),
                lid: None,
                block: true,
                reason: Some("blocklist: spam".into()),
            },
        )],
    };
    let effects = update(&mut s, Msg::Worker(JobResult::Unfinished(Ok(vec![open]))));
    assert_eq!(
        effects,
        vec![Effect::Job(Job::Write(LedgerWrite::ClaimBatch {
            batch: 7
        }))],
        "the open apply is claimed first"
    );
    let effects = update(
        &mut s,
        Msg::Worker(JobResult::Claimed {
            batch: 7,
            result: Ok(Claim::Theirs {
                operator: "desk-2".into(),
                since: NOW - 5,
            }),
        }),
    );
    assert!(block_jobs(&effects).is_empty());
    assert!(s.batch.is_none());
    assert!(
        status_text(&s).starts_with(
            "desk-2 is applying the blocklist (progress just now): nothing sent twice"
        ),
        "{}",
        status_text(&s)
    );
}

#[test]
fn y_drops_what_an_earlier_apply_left_unsent_and_sends_the_plan_shown() {
    let mut s = connected();
    update(&mut s, ch('T'));
    update(&mut s, ch('p'));
    plan_inputs(&mut s, vec![entry("5511911110002", "spam", None)], &[]);
    let plan = s.blocklist.plan.clone().expect("the plan is made");
    update(&mut s, ch('y'));
    // An apply of yesterday's list, stopped: it would block another.
    let stale = jid("5511911110003");
    let open = UnfinishedBatch {
        id: 7,
        label: "blocklist: apply plan 0123456789ab (2 changes)".into(),
        created_at: NOW - 86_400,
        total: 2,
        done: 1,
        left: vec![(
            12,
            BatchItem {
                instance: "support".into(),
                jid: stale.clone(),
                lid: None,
                block: true,
                reason: Some("blocklist: removed since".into()),
            },
        )],
    };
    update(&mut s, Msg::Worker(JobResult::Unfinished(Ok(vec![open]))));
    let effects = update(
        &mut s,
        Msg::Worker(JobResult::Claimed {
            batch: 7,
            result: Ok(Claim::Ours),
        }),
    );
    assert!(
        effects.contains(&Effect::Job(Job::Write(LedgerWrite::CloseBatch {
            batch: 7,
            status: crate::store::ledger::BatchStatus::Cancelled,
        }))),
        "the earlier apply is closed: {effects:?}"
    );
    assert!(block_jobs(&effects).is_empty(), "{effects:?}");
    let mut sent = Vec::new();
    let effects = plan_inputs(&mut s, vec![entry("5511911110002", "spam", None)], &[]);
    sent.extend(block_jobs(&effects));
    let batch = s.batch.as_ref().expect("the plan shown is sent");
    assert!(batch.label.contains(&plan.id), "{}", batch.label);
    assert!(
        batch.queued().all(|item| item.jid != stale),
        "nothing of the earlier apply is sent"
    );
    assert!(sent.iter().all(|(_, j, _)| *j != stale), "{sent:?}");
}

#[test]
fn y_on_read_only_instances_sends_nothing_and_says_so() {
    let mut s = connected();
    for inst in &mut s.instances {
        inst.read_only = true;
    }
    update(&mut s, ch('T'));
    update(&mut s, ch('p'));
    plan_inputs(&mut s, vec![entry("5511911110002", "spam", None)], &[]);
    let effects = update(&mut s, ch('y'));
    assert!(effects.is_empty(), "{effects:?}");
    assert!(
        status_text(&s).starts_with("read-only:"),
        "{}",
        status_text(&s)
    );
}

#[test]
fn expired_blocks_are_offered_once_and_lead_to_the_plan() {
    let mut s = connected();
    for i in 0..2 {
        s.instances[i].remember(
            &jid("5511911110002"),
            None,
            crate::app::state::Known {
                blocked: true,
                at: NOW - 500,
            },
        );
    }
    let expired = vec![entry("5511911110002", "spam", Some(NOW - 10))];
    let applied = [
        ("sales", "5511911110002@s.whatsapp.net"),
        ("support", "5511911110002@s.whatsapp.net"),
    ];
    list_arrives(&mut s, expired.clone(), &applied);
    let Some(Overlay::ExpiredOffer(offer)) = &s.overlay else {
        panic!("offered: {:?}", s.overlay);
    };
    assert_eq!(offer.title(), "2 blocks expired: unblock?");
    let effects = update(&mut s, key(KeyCode::Enter));
    assert!(s.overlay.is_none(), "Later has the focus");
    assert!(effects.is_empty(), "nothing sent");
    list_arrives(&mut s, expired.clone(), &applied);
    assert!(s.overlay.is_none(), "not asked again for the same blocks");
    // One more expires: asked again; yes shows the plan that unblocks.
    s.instances[0].remember(
        &jid("5511911110001"),
        None,
        crate::app::state::Known {
            blocked: true,
            at: NOW - 500,
        },
    );
    let mut more = expired;
    more.push(entry("5511911110001", "spam", Some(NOW - 5)));
    let mut applied = applied.to_vec();
    applied.push(("sales", "5511911110001@s.whatsapp.net"));
    list_arrives(&mut s, more.clone(), &applied);
    assert!(matches!(s.overlay, Some(Overlay::ExpiredOffer(_))));
    update(&mut s, ch('y'));
    assert!(s.list_view.shown && s.list_view.plan_shown);
    plan_inputs(&mut s, more, &applied);
    let plan = s.blocklist.plan.as_ref().expect("the plan");
    let unblocks = plan
        .steps
        .iter()
        .filter(|st| st.action == crate::model::blocklist::Action::Unblock)
        .count();
    assert_eq!(unblocks, 3, "{plan:?}");
    assert!(s.batch.is_none(), "nothing sent before y");
}
