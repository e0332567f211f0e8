//! Hidden-number (`@lid`) contacts sent to instances they are no contact
//! of: matched there by the number a lookup of their `@lid` gave, once
//! a batch's lookups are in; left out, and said, when none did.

use super::batch::Item;
use super::core::Core;
use super::lookup_state::Stand;
use super::plan::Hidden;
use crate::model::identity::Identity;
use crate::model::number::shown_jid;

/// Matches the running batch's hidden-number contacts on their instances
/// (queued as changes of the numbers the lookups gave) and leaves out
/// those no lookup matched; returns what was left out and why, when
/// anything was.
pub(crate) fn match_hidden(core: &mut Core) -> Option<String> {
    let hidden = std::mem::take(&mut core.batch.as_mut()?.hidden);
    let mut matched = Vec::new();
    let mut unmatched = Vec::new();
    for h in hidden {
        match matched_item(core, &h) {
            Ok(item) => matched.push(item),
            Err(why) => unmatched.push((
                Item {
                    instance: h.instance,
                    jid: h.lid,
                    lid: None,
                    block: h.block,
                    action: None,
                    reason: None,
                },
                why,
            )),
        }
    }
    let text = unmatched_text(core, &unmatched);
    let b = core.batch.as_mut()?;
    for item in matched {
        let known = core.instances[item.instance].known_of_jid(&item.jid, item.lid.as_deref());
        if known.is_some_and(|k| k.blocked == item.block) {
            b.unchanged.insert((item.instance, item.jid.clone()));
        }
        b.add(item);
    }
    b.unmatched.extend(unmatched);
    text
}

/// The change `h` makes on its instance: of the contact there that has
/// its `@lid`, else of the contact with the number its lookup gave, else
/// of that number; or why it cannot be matched.
fn matched_item(core: &Core, h: &Hidden) -> Result<Item, String> {
    let inst = &core.instances[h.instance];
    let item = |jid: &str, lid: Option<&str>| Item {
        instance: h.instance,
        jid: jid.to_string(),
        lid: lid
            .or(Some(h.lid.as_str()))
            .filter(|l| *l != jid)
            .map(str::to_string),
        block: h.block,
        action: None,
        reason: None,
    };
    if let Some(c) = inst.contacts.find(&h.lid) {
        return Ok(item(c.jid(), c.lid()));
    }
    let phone = match core.lookups.stand(&h.lid, core.now) {
        Stand::Known(looked) => match &looked.identity {
            Identity::OnWhatsApp { jid, .. } => jid,
            Identity::NotOnWhatsApp { message } => {
                return Err(format!("not on WhatsApp ({message})"));
            }
            Identity::Unverified => return Err("not looked up".into()),
        },
        Stand::Failed(why) => return Err(format!("its lookup failed ({why})")),
        Stand::Asking | Stand::Unasked if !core.lookups.enabled => {
            return Err("not looked up (--no-lookup)".into());
        }
        Stand::Asking | Stand::Unasked => return Err("not looked up".into()),
    };
    if inst.is_own(phone) {
        return Err(format!("the instance's own number ({})", shown_jid(phone)));
    }
    Ok(match inst.contacts.find(phone) {
        Some(c) => item(c.jid(), c.lid()),
        None => item(phone, None),
    })
}

/// `1 hidden number not matched: 999@lid on support: not on WhatsApp
/// (…) · not sent there`, when any was not.
fn unmatched_text(core: &Core, unmatched: &[(Item, String)]) -> Option<String> {
    if unmatched.is_empty() {
        return None;
    }
    let named: Vec<String> = unmatched
        .iter()
        .take(3)
        .map(|(item, why)| {
            let name = &core.instances[item.instance].name;
            format!("{} on {name}: {why}", item.jid)
        })
        .collect();
    let more = crate::util::text::and_more(unmatched.len(), named.len());
    Some(format!(
        "{} hidden number(s) not matched by number: {}{more} · not sent there",
        unmatched.len(),
        named.join("; ")
    ))
}
