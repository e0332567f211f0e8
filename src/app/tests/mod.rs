//! Tests of `update`: every key, every worker result, every error path.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use std::sync::Arc;

mod block;
mod blocklist_view;
mod bulk;
mod filter;
mod live;
mod loading;
mod lookups;
mod marks;
mod moving;
mod overlays;
mod paste;
mod read_only;
mod reason;
mod truth;

use super::*;
use crate::api::contacts::store_from;
use crate::api::{BlockOutcome, RemoteContact};
use crate::app::state::{Connection, INFO_TICKS, Load, Overlay, POLL_TICKS, View};
use crate::app::tabs;
use crate::app::testing::{ACTION, BlockDone, update};
use crate::model::contacts::ContactStore;
use crate::protocol::{
    ApiCall, BlockCall, ErrorInfo, Item, Job, JobResult, LedgerRead, LedgerWrite, Msg,
};
use crate::store::ledger::KnownState;

fn store(contacts: Vec<RemoteContact>) -> Arc<ContactStore> {
    Arc::new(store_from(contacts))
}

/// `b` on the first row (Ana, on sales), and the server's answer.
fn b_on_ana(s: &mut State, result: Result<BlockDone, ErrorInfo>) -> Vec<Effect> {
    update(s, ch('b'));
    answer_block(s, 0, "5511911110001", true, result)
}

/// What the ledger knows: `jid` blocked on sales since `at`.
fn known_blocked(jid: &str, at: i64) -> KnownState {
    KnownState {
        instance: "sales".into(),
        jid: jid.into(),
        lid: None,
        blocked: true,
        changed_at: at,
        operator: None,
        reason: None,
        contest: None,
    }
}

/// The server's contact list of `instance` arrives.
fn contacts_arrive(s: &mut State, instance: usize, contacts: Vec<RemoteContact>) -> Vec<Effect> {
    update(
        s,
        Msg::Worker(JobResult::Contacts {
            instance,
            result: Ok(store(contacts)),
        }),
    )
}

/// Presses each character of `typed` in turn; returns every effect.
fn keys(s: &mut State, typed: &str) -> Vec<Effect> {
    typed.chars().flat_map(|c| update(s, ch(c))).collect()
}

/// The server's answer to a single (not batch) block request, and the
/// ledger's record of it.
fn answer_block(
    s: &mut State,
    instance: usize,
    digits: &str,
    block: bool,
    result: Result<BlockDone, ErrorInfo>,
) -> Vec<Effect> {
    crate::app::testing::answer_block(s, instance, &jid(digits), block, None, result)
}

fn contact(digits: &str, name: &str, lid: Option<&str>) -> RemoteContact {
    RemoteContact {
        lid: lid.map(str::to_string),
        ..crate::api::fixtures::remote(digits, Some(name), None, None)
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
/// Numbers are not looked up here (see the lookups tests).
fn loaded() -> State {
    let mut s = State::new(&names(), &[], 0);
    s.lookups.enabled = false;
    update(
        &mut s,
        Msg::Resize {
            width: 100,
            height: 34,
        },
    );
    update(&mut s, Msg::Start);
    contacts_arrive(
        &mut s,
        0,
        vec![
            contact("5511911110001", "Ana Silva", None),
            contact("5511911110002", "Bruno Costa", Some("777@lid")),
            contact("14155550123", "Carla Dias", None),
        ],
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
            server_at: None,
        },
        recorded_at: 1_000,
        ledger_error: None,
        reason: None,
    })
}

fn http_error(status: u16, message: &str, hint: &str) -> ErrorInfo {
    ErrorInfo {
        kind: crate::protocol::ErrorKind::Refused,
        status: Some(status),
        message: message.into(),
        hint: hint.into(),
    }
}

/// A single toggle's request, sent once its intent is recorded.
fn block_job(instance: usize, digits: &str, lid: Option<&str>, block: bool) -> Effect {
    Effect::call(ApiCall::Block(BlockCall {
        item: Item {
            instance,
            jid: jid(digits),
            lid: lid.map(str::to_string),
            block,
            action: Some(ACTION),
            reason: None,
        },
        action: ACTION,
        batch: None,
        reason: None,
    }))
}

fn status_text(s: &State) -> String {
    s.status
        .as_ref()
        .map(|m| m.text.clone())
        .unwrap_or_default()
}

fn cached(instance: usize, contacts: Vec<RemoteContact>, saved_at: i64) -> Msg {
    Msg::Cached {
        instance,
        store: store(contacts),
        saved_at,
    }
}

/// The server's answer to an item of batch `batch` (the ledger records
/// it as the test `update` goes).
fn answer(instance: usize, digits: &str, block: bool, batch: i64, ok: bool) -> Msg {
    let answer = if ok {
        done(&jid(digits), block, 1).map(|d| d.outcome)
    } else {
        Err(http_error(500, "boom", "retry"))
    };
    Msg::Worker(JobResult::Block {
        call: BlockCall {
            item: Item {
                instance,
                jid: jid(digits),
                lid: None,
                block,
                action: Some(ACTION),
                reason: None,
            },
            action: ACTION,
            batch: Some(batch),
            reason: None,
        },
        answer,
    })
}

fn block_jobs(effects: &[Effect]) -> Vec<(usize, String, bool)> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Job(Job::Api(ApiCall::Block(call))) => {
                Some((call.item.instance, call.item.jid.clone(), call.item.block))
            }
            _ => None,
        })
        .collect()
}

fn mouse(kind: ratatui::crossterm::event::MouseEventKind, column: u16, row: u16) -> Msg {
    Msg::Mouse(ratatui::crossterm::event::MouseEvent {
        kind,
        column,
        row,
        modifiers: KeyModifiers::NONE,
    })
}

fn type_line(s: &mut State, text: &str) -> Vec<Effect> {
    update(s, ch(':'));
    assert!(matches!(s.overlay, Some(Overlay::CommandLine(_))));
    for c in text.chars() {
        assert!(update(s, ch(c)).is_empty(), "typing runs nothing");
    }
    update(s, key(KeyCode::Enter))
}

/// A batch's items as (instance, JID, `@lid`, block), to compare.
pub fn tuples(items: &[crate::app::batch::Item]) -> Vec<(usize, String, Option<String>, bool)> {
    items
        .iter()
        .map(|i| (i.instance, i.jid.clone(), i.lid.clone(), i.block))
        .collect()
}

/// Gives `msg` to the app; when that asks why (the reason line), skips
/// it with Enter and returns what that sends instead.
pub fn confirm(s: &mut State, msg: Msg) -> Vec<Effect> {
    let effects = update(s, msg);
    if matches!(s.overlay, Some(Overlay::Reason(_))) {
        return update(s, key(KeyCode::Enter));
    }
    effects
}
