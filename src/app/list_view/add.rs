//! `W`: the numbers the operator points at, to add to the blocklist
//! instead of blocking them on one instance: the marked contacts (or the
//! selected one) of the list and the blocked view, or the marked senders
//! (or the selected row's) of the Live view. A hidden number (`@lid`) is
//! listed by its `@lid`; a group, a channel or one of our own numbers is
//! never listed, and the app says why.

use crate::app::core::Core;
use crate::app::live::view::selected_row;
use crate::app::ops::{error, info};
use crate::model::blocklist::shown_target;
use crate::model::number::{phone_digits, stored_person};

/// What `W` adds: the list's targets (E.164 digits, or the `@lid`), the
/// first few named, and how many are hidden numbers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Adding {
    /// As the list keeps them.
    pub targets: Vec<String>,
    /// The first three, named (`Ana Silva (+55 11 91111-0001)`), and
    /// `and N more`.
    pub named: Vec<String>,
    /// How many are listed by their `@lid`.
    pub hidden: usize,
}

impl Adding {
    /// `+55 11 91111-0001`, `Ana Silva (+55 11 91111-0001) and 2 more`.
    pub fn about(&self) -> String {
        self.named.join(", ")
    }
}

/// The targets of `W` where the operator is, or `None` (and why, on the
/// screen).
pub(crate) fn targets(core: &mut Core) -> Option<Adding> {
    let picked = if core.live.shown {
        from_live(core)?
    } else {
        from_list(core)?
    };
    let mut adding = Adding {
        targets: Vec::new(),
        named: Vec::new(),
        hidden: 0,
    };
    let mut refused = Vec::new();
    for (jid, who) in picked {
        if let Err(why) = listable(core, &jid) {
            refused.push(format!("{who}: {why}"));
            continue;
        }
        let target = match phone_digits(&jid) {
            Some(digits) => digits.to_string(),
            None => {
                adding.hidden += 1;
                jid
            }
        };
        if adding.targets.contains(&target) {
            continue;
        }
        if adding.named.len() < 3 {
            adding.named.push(who);
        }
        adding.targets.push(target);
    }
    if adding.targets.len() > adding.named.len() {
        let more = adding.targets.len() - adding.named.len();
        adding.named.push(format!("and {more} more"));
    }
    if adding.targets.is_empty() {
        let why = refused.join("; ");
        error(core, format!("nothing to add to the blocklist: {why}"));
        return None;
    }
    if !refused.is_empty() {
        error(
            core,
            format!("not added to the blocklist: {}", refused.join("; ")),
        );
    }
    Some(adding)
}

/// Why `jid` cannot be listed, if it cannot: not a person, or one of our
/// own numbers.
fn listable(core: &Core, jid: &str) -> Result<(), String> {
    stored_person(jid).map_err(|why| format!("{why}: WhatsApp blocks people"))?;
    match core.instances.iter().find(|i| i.is_own(jid)) {
        Some(inst) => Err(format!(
            "the number of instance {}: an instance is never blocked by the list",
            inst.name
        )),
        None => Ok(()),
    }
}

/// The marked contacts of the shown instance, else the selected one:
/// (JID, who).
fn from_list(core: &mut Core) -> Option<Vec<(String, String)>> {
    if crate::app::bulk::marks_gone(core) {
        return None;
    }
    let inst = core.instance();
    if inst.marks.is_empty() {
        let Some(c) = core.selected_contact() else {
            info(core, "no contact selected: nothing to add to the blocklist");
            return None;
        };
        return Some(vec![(c.jid().to_string(), c.describe())]);
    }
    let mut marks: Vec<&String> = inst.marks.iter().collect();
    marks.sort();
    let picked = marks
        .into_iter()
        .map(|jid| {
            let who = inst
                .contacts
                .find(jid)
                .or_else(|| inst.outsiders.find(jid))
                .map_or_else(|| shown_target(jid), |c| c.describe());
            (jid.clone(), who)
        })
        .collect();
    Some(picked)
}

/// The marked senders of the Live view, else the selected row's: (JID,
/// who). A group or channel row, or an instance's state, is refused.
fn from_live(core: &mut Core) -> Option<Vec<(String, String)>> {
    let live = &core.live;
    let rows: Vec<&crate::app::live::feed::Row> = if live.marks.is_empty() {
        selected_row(live).into_iter().collect()
    } else {
        let mut keys: Vec<&String> = live.marks.iter().collect();
        keys.sort();
        keys.into_iter()
            .filter_map(|key| live.latest_of(key))
            .collect()
    };
    let Some(first) = rows.first() else {
        info(core, "no row selected: the live feed has shown nothing yet");
        return None;
    };
    if !first.is_blockable() {
        error(
            core,
            "only the sender of a private message can be listed: WhatsApp blocks people, not groups or channels · nothing added",
        );
        return None;
    }
    let picked = rows
        .iter()
        .filter_map(|r| r.message())
        .filter_map(|m| Some((m.sender.jid()?, crate::app::live::words::who(m))))
        .collect();
    Some(picked)
}
