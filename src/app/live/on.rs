//! What the app does with the live feed: it asks for the feeds (the
//! screen at start, `watch`), takes each frame (a message flagged and
//! listed, an instance's new state on its tab at once), follows where
//! each socket stands, and reads or enables the instances' WebSocket
//! configuration when asked.

use super::feed::Live;
use super::view;
use crate::app::core::{Connection, Core};
use crate::app::effect::Effect;
use crate::app::ops::{error_on, failure, failure_behind, info, load_contacts};
use crate::keys::Command;
use crate::model::live::{Incoming, LiveEvent};
use crate::protocol::{ApiCall, ConnState, FeedStatus, Job, JobResult, LiveJob, LiveMsg};

/// A server stamp further than this from the arrival is not trusted: the
/// row is placed at its arrival.
const STAMP_SLACK: i64 = 24 * 60 * 60;

/// Asks for the feeds of `instances` (kept open, reconnecting, until the
/// app ends).
pub fn open_feeds(core: &mut Core, instances: &[usize]) -> Vec<Effect> {
    core.live.running = true;
    let mut effects = Vec::new();
    for &instance in instances {
        if let Some(h) = core.live.health.get_mut(instance) {
            h.status = FeedStatus::Connecting;
            effects.push(Effect::Job(Job::Live(LiveJob::Open { instance })));
        }
    }
    effects
}

/// `r`: feeds that are paused or refused try again now.
pub fn retry_feeds(core: &mut Core) -> Vec<Effect> {
    if !core.live.running {
        return Vec::new();
    }
    let waiting: Vec<usize> = (0..core.live.health.len())
        .filter(|&i| {
            matches!(
                core.live.health[i].status,
                FeedStatus::Paused { .. } | FeedStatus::Refused(_)
            )
        })
        .collect();
    open_feeds(core, &waiting)
}

/// `watch`: the contacts of `instances` (who is no contact makes a wave)
/// and their feeds.
pub fn watch(core: &mut Core, instances: &[usize]) -> Vec<Effect> {
    let mut effects: Vec<Effect> = instances
        .iter()
        .filter_map(|&i| load_contacts(core, i))
        .collect();
    effects.extend(open_feeds(core, instances));
    effects
}

/// A message of the feed.
pub fn on_live(core: &mut Core, msg: LiveMsg) -> Vec<Effect> {
    match msg {
        LiveMsg::Event {
            instance,
            event,
            received,
        } if instance < core.instances.len() => {
            core.live.begin_message();
            match event {
                LiveEvent::Message(m) => on_message(core, instance, m, received),
                LiveEvent::State { word, at } => on_state(core, instance, word, at, received),
                LiveEvent::Ignored { .. } => core.live.ignored += 1,
            }
            Vec::new()
        }
        LiveMsg::Unreadable { instance, .. } => {
            if let Some(h) = core.live.health.get_mut(instance) {
                h.unreadable += 1;
            }
            Vec::new()
        }
        LiveMsg::Feed { instance, status } if instance < core.instances.len() => {
            on_status(core, instance, status)
        }
        LiveMsg::Event { .. } | LiveMsg::Feed { .. } => Vec::new(),
    }
}

/// The instances' names, for the filter.
fn names(core: &Core) -> Vec<String> {
    core.instances.iter().map(|i| i.name.clone()).collect()
}

/// Where a row goes in time: the server's stamp when it is plausible.
fn placed(stamp: Option<i64>, received: i64) -> i64 {
    stamp
        .filter(|&at| at.abs_diff(received) <= STAMP_SLACK.unsigned_abs())
        .unwrap_or(received)
}

/// An incoming message: listed, flagged; a new wave is said once.
fn on_message(core: &mut Core, instance: usize, m: Incoming, received: i64) {
    let store = core.instances[instance].contacts.clone();
    core.live.index_contacts(instance, &store);
    let ids = [m.sender.phone_jid(), m.sender.lid.clone()];
    // Until the instance's address book is in, nobody is known a
    // stranger there: a customer must not make a wave while it loads.
    let loaded = matches!(
        core.instances[instance].load,
        crate::app::core::Load::Loaded
    );
    let stranger = loaded
        && core
            .live
            .contact_row(instance, [ids[0].as_deref(), ids[1].as_deref()])
            .is_none();
    let at = placed(m.at, received);
    let added = core.live.add_message(instance, at, m, stranger);
    let names = names(core);
    view::on_added(&mut core.live, added.seq, &names);
    if added.new_wave {
        say_wave(core, added.seq);
    }
}

/// `⚑ spam wave: +62 812-3456-7890 wrote to 3 of our numbers in 10 min`,
/// with the key that shows the feed when it is not shown.
fn say_wave(core: &mut Core, seq: u64) {
    let Some(row) = core.live.row(seq) else {
        return;
    };
    let who = row.message().map(super::words::who).unwrap_or_default();
    let mut text = format!("⚑ {}: {who}", row.reasons());
    if !core.live.shown {
        let key = core.keymap.label_of(Command::Live);
        text.push_str(&format!(" · {key} shows the live feed"));
    }
    // An error on screen stays: it is the one to read first.
    if !core.status.as_ref().is_some_and(|s| s.is_error) {
        info(core, text);
    }
}

/// `instance.state`: the tab and the status bar change at once; a state
/// that stops blocks says so with what to do.
fn on_state(core: &mut Core, instance: usize, word: String, at: Option<i64>, received: i64) {
    let state = ConnState::from(word.as_str());
    let name = core.instances[instance].name.clone();
    core.instances[instance].connection = Connection::State(state.clone());
    let seq = core.live.add_state(instance, placed(at, received), word);
    let names = names(core);
    view::on_added(&mut core.live, seq, &names);
    match state.hint() {
        Some(hint) => error_on(
            core,
            instance,
            format!("{name} is {state} (live: instance.state) · {hint}"),
        ),
        None => info(core, format!("{name} is {state} (live: instance.state)")),
    }
}

/// Where a socket stands: a refusal is said, with its reason, and the
/// instance's WebSocket configuration is read to tell why.
fn on_status(core: &mut Core, instance: usize, status: FeedStatus) -> Vec<Effect> {
    let name = core.instances[instance].name.clone();
    let was = std::mem::replace(&mut core.live.health[instance].status, status.clone());
    match status {
        FeedStatus::Refused(mut e) => {
            if e.status == Some(400) {
                // RyzeAPI's 400 before the upgrade: not enabled.
                let key = core.keymap.label_of(Command::EnableLive);
                e.hint = format!("its WebSocket is not enabled: {key} offers to enable it");
            }
            failure_behind(core, instance, &format!("live feed of {name}"), &e);
            ask_configs(core, &[instance])
        }
        FeedStatus::Open if matches!(was, FeedStatus::Paused { .. } | FeedStatus::Refused(_)) => {
            info(core, format!("live feed of {name} open again"));
            Vec::new()
        }
        _ => Vec::new(),
    }
}

/// Reads the WebSocket configuration of `instances` (one request each,
/// not while one is in flight).
pub fn ask_configs(core: &mut Core, instances: &[usize]) -> Vec<Effect> {
    let mut effects = Vec::new();
    for &instance in instances {
        let Some(h) = core.live.health.get_mut(instance) else {
            continue;
        };
        if !h.asking {
            h.asking = true;
            effects.push(Effect::call(ApiCall::SocketConfig { instance }));
        }
    }
    effects
}

/// The configuration was read or set (a [`JobResult::SocketConfig`]): an
/// enabled one opens its feed.
pub fn on_config(core: &mut Core, answer: JobResult) -> Vec<Effect> {
    let JobResult::SocketConfig {
        instance,
        enabling,
        result,
    } = answer
    else {
        return Vec::new();
    };
    let Some(h) = core.live.health.get_mut(instance) else {
        return Vec::new();
    };
    h.asking = false;
    h.config = Some(result.clone());
    let name = core.instances[instance].name.clone();
    match (enabling, result) {
        (true, Ok(config)) => {
            info(
                core,
                format!(
                    "the WebSocket of {name} is {}: its live feed opens",
                    config.words()
                ),
            );
            open_feeds(core, &[instance])
        }
        (true, Err(e)) => {
            failure(
                core,
                instance,
                &format!("enable the WebSocket of {name}"),
                &e,
            );
            Vec::new()
        }
        (false, Ok(config)) if !config.serves_feed() => {
            let key = core.keymap.label_of(Command::EnableLive);
            error_on(
                core,
                instance,
                format!(
                    "the WebSocket of {name} is {}: no live feed there · {key} offers to enable it",
                    config.words()
                ),
            );
            Vec::new()
        }
        (false, _) => Vec::new(),
    }
}

/// A tick: a paused feed's countdown moves on screen; who wrote before
/// the wave's window is forgotten once a minute.
pub fn on_tick(core: &mut Core) -> Vec<Effect> {
    let live: &Live = &core.live;
    if !live.running {
        return Vec::new();
    }
    if core.ticks.is_multiple_of(4 * 60) {
        let now = core.now;
        core.live.prune(now);
    }
    let counting = core
        .live
        .health
        .iter()
        .any(|h| matches!(h.status, FeedStatus::Paused { .. }));
    if core.live.shown && counting && core.ticks.is_multiple_of(4) {
        return vec![Effect::Redraw];
    }
    Vec::new()
}
