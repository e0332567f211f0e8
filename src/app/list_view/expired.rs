//! Blocks whose entries expired: the list itself blocked a number on an
//! instance, it is still known blocked there, no entry lists it any
//! more, and an entry of it expired. They are never unblocked silently:
//! the app offers the plan that unblocks them (`3 blocks expired:
//! unblock?`), and nothing is sent before `y` there.

use std::collections::HashSet;

use crate::app::core::Core;
use crate::model::blocklist::jid_of;

/// The (instance, JID) pairs whose blocks expired, by instance then JID.
pub fn expired_blocks(core: &Core) -> Vec<(usize, String)> {
    let Some(entries) = core.blocklist.entries.as_ref() else {
        return Vec::new();
    };
    let now = core.now;
    let listed: HashSet<String> = entries
        .iter()
        .filter(|e| e.is_active(now))
        .map(|e| jid_of(&e.target))
        .collect();
    let expired: HashSet<String> = entries
        .iter()
        .filter(|e| e.removed.is_none() && e.expires.is_some_and(|at| at <= now))
        .map(|e| jid_of(&e.target))
        .filter(|jid| !listed.contains(jid))
        .collect();
    let mut out = Vec::new();
    for (i, inst) in core.instances.iter().enumerate() {
        let Some(applied) = core.blocklist.applied.get(&inst.name) else {
            continue;
        };
        let mut mine: Vec<&String> = applied
            .iter()
            .filter(|jid| expired.contains(*jid))
            .filter(|jid| inst.known_of_jid(jid, None).is_some_and(|k| k.blocked))
            .collect();
        mine.sort();
        out.extend(mine.into_iter().map(|jid| (i, jid.clone())));
    }
    out
}

/// What the offer says of `blocks`: per instance, how many and the first
/// numbers.
pub fn offer_lines(core: &Core, blocks: &[(usize, String)]) -> Vec<String> {
    let mut lines = Vec::new();
    for (i, inst) in core.instances.iter().enumerate() {
        let mine: Vec<&String> = blocks
            .iter()
            .filter(|(at, _)| *at == i)
            .map(|(_, jid)| jid)
            .collect();
        if mine.is_empty() {
            continue;
        }
        let first: Vec<String> = mine
            .iter()
            .take(2)
            .map(|jid| crate::model::number::shown_jid(jid))
            .collect();
        let more = if mine.len() > 2 { ", …" } else { "" };
        lines.push(format!(
            "{}: {} ({}{more})",
            inst.name,
            mine.len(),
            first.join(", ")
        ));
    }
    lines
}
