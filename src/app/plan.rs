//! What a bulk action will send, decided once for the bulk dialog and
//! the headless `--all`: contacts are matched on other instances by
//! their phone number, so a hidden-number (`@lid`) contact goes there by
//! the number a lookup of its `@lid` gives (the batch's lookup stage
//! asks); instances that are not connected are named before anything is
//! sent.

use crate::model::number::{JidKind, jid_kind};
use crate::protocol::Item;

/// The requests of a bulk action, and what it leaves out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// One change per target and instance it can reach.
    pub items: Vec<Item>,
    /// Hidden-number targets for the instances they are no contact of:
    /// matched there by number once their `@lid` is looked up.
    pub hidden: Vec<Hidden>,
    /// Chosen instances that are not connected.
    pub not_connected: Vec<usize>,
    /// Whether those were left out (headless `--all`) or kept (the
    /// dialog, where the user chose them and was told).
    pub not_connected_skipped: bool,
}

/// A hidden-number (`@lid`) target on an instance other than the one it
/// was listed on: sent there by the number a lookup of its `@lid` gives,
/// or left out when none does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hidden {
    /// The instance it is for.
    pub instance: usize,
    /// Its `@lid`.
    pub lid: String,
    /// The instance its lookup is asked through: where it was listed,
    /// else its own.
    pub via: usize,
    /// Block (`true`) or unblock.
    pub block: bool,
}

/// Plans `block` (or unblock) of `targets` (JID, `@lid`) on `chosen`
/// instances. `home` is the instance the targets were listed on: only
/// there is an `@lid` target sent as it is; elsewhere it is
/// [`Hidden`]. `connected` tells an instance's state;
/// with `skip_not_connected`, instances that are not connected get
/// nothing.
pub fn plan(
    targets: &[(String, Option<String>)],
    home: Option<usize>,
    chosen: &[usize],
    connected: impl Fn(usize) -> bool,
    block: bool,
    skip_not_connected: bool,
) -> Plan {
    let mut items = Vec::new();
    let mut hidden = Vec::new();
    let mut not_connected = Vec::new();
    for &instance in chosen {
        if !connected(instance) {
            not_connected.push(instance);
            if skip_not_connected {
                continue;
            }
        }
        for (jid, lid) in targets {
            let target = if Some(instance) == home {
                Some((jid.clone(), lid.clone()))
            } else {
                (jid_kind(jid) == JidKind::Phone).then(|| (jid.clone(), None))
            };
            match target {
                Some((jid, lid)) => items.push(Item {
                    instance,
                    jid,
                    lid,
                    block,
                    action: None,
                    reason: None,
                }),
                None if jid_kind(jid) == JidKind::Lid => hidden.push(Hidden {
                    instance,
                    lid: jid.clone(),
                    via: home.unwrap_or(instance),
                    block,
                }),
                // Only a person is ever a target.
                None => {}
            }
        }
    }
    Plan {
        items,
        hidden,
        not_connected,
        not_connected_skipped: skip_not_connected,
    }
}

impl Plan {
    /// Warnings to show before anything is sent, with instance names
    /// from `name`.
    pub fn warnings(&self, name: impl Fn(usize) -> String) -> Vec<String> {
        let mut out = Vec::new();
        if !self.hidden.is_empty() {
            out.push(format!(
                "{} hidden-number (@lid) request(s) go by the number a lookup of the @lid gives, or are left out",
                self.hidden.len()
            ));
        }
        if !self.not_connected.is_empty() {
            let names: Vec<String> = self.not_connected.iter().map(|&i| name(i)).collect();
            out.push(if self.not_connected_skipped {
                format!("{} not connected: skipped", names.join(", "))
            } else {
                format!(
                    "{} not connected: its requests will fail (503)",
                    names.join(", ")
                )
            });
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn targets() -> Vec<(String, Option<String>)> {
        vec![
            ("5511911110001@s.whatsapp.net".into(), Some("1@lid".into())),
            ("999@lid".into(), None),
        ]
    }

    #[test]
    fn hidden_numbers_go_elsewhere_by_lookup_and_disconnected_instances_are_named() {
        let p = plan(&targets(), Some(0), &[0, 1, 2], |i| i != 2, true, false);
        assert_eq!(p.items.len(), 4, "two at home, one phone on each other");
        assert_eq!(p.items[0].lid.as_deref(), Some("1@lid"));
        assert_eq!(p.items[2].lid, None, "the home @lid is not sent elsewhere");
        let hidden = Hidden {
            instance: 1,
            lid: "999@lid".into(),
            via: 0,
            block: true,
        };
        assert_eq!(
            p.hidden,
            [
                hidden.clone(),
                Hidden {
                    instance: 2,
                    ..hidden
                }
            ],
            "matched elsewhere by number, looked up at home"
        );
        assert_eq!(p.not_connected, [2]);
        let warnings = p.warnings(|i| format!("i{i}"));
        assert!(warnings[0].starts_with("2 hidden-number (@lid) request(s) go by the number"));
        assert_eq!(
            warnings[1],
            "i2 not connected: its requests will fail (503)"
        );
    }

    #[test]
    fn all_without_a_home_looks_hidden_numbers_up_on_each_and_skips_what_is_not_connected() {
        let p = plan(&targets(), None, &[0, 1], |i| i == 0, false, true);
        assert_eq!(p.items.len(), 1);
        assert!(!p.items[0].block);
        assert_eq!(p.hidden.len(), 1);
        assert_eq!((p.hidden[0].instance, p.hidden[0].via), (0, 0));
        assert_eq!(
            p.warnings(|i| format!("i{i}"))[1],
            "i1 not connected: skipped"
        );
    }
}
