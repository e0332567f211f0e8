//! Who a phone number is on WhatsApp, as a lookup said: the JID WhatsApp
//! keys the person by (for many Brazilian mobiles the old 8-digit one),
//! their `@lid`, the name and About they show; or that the number is not
//! on WhatsApp; or that nobody looked (`--no-lookup`).

use crate::util::text::one_line;

/// How long a lookup is trusted before it is asked again.
pub const FRESH_SECS: i64 = 24 * 60 * 60;

/// What a lookup said of a number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Identity {
    /// On WhatsApp.
    OnWhatsApp {
        /// The JID WhatsApp keys the person by.
        jid: String,
        /// Their `@lid`, when the server gave one.
        lid: Option<String>,
        /// The name they show (push or business name).
        name: Option<String>,
        /// Their About text.
        about: Option<String>,
    },
    /// Not on WhatsApp: the server's words.
    NotOnWhatsApp {
        /// Why, as the server said it (or ours when it said nothing).
        message: String,
    },
    /// Not looked up (`--no-lookup`): sent as typed, unverified.
    Unverified,
}

/// A lookup of one number, and when it was made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LookedUp {
    /// The number looked up: E.164 digits, no `+` (or an `@lid` resolved
    /// to its number).
    pub number: String,
    /// What was found.
    pub identity: Identity,
    /// Unix time of the lookup.
    pub at: i64,
}

impl LookedUp {
    /// Whether it is recent enough not to be asked again at `now`.
    pub fn is_fresh(&self, now: i64) -> bool {
        now.saturating_sub(self.at) < FRESH_SECS && self.at <= now + 60
    }

    /// Whether the number is known not to be on WhatsApp.
    pub fn is_absent(&self) -> bool {
        matches!(self.identity, Identity::NotOnWhatsApp { .. })
    }

    /// The identities WhatsApp knows the person by (its JID and `@lid`),
    /// to match a block answer against.
    pub fn keys(&self) -> Vec<&str> {
        match &self.identity {
            Identity::OnWhatsApp { jid, lid, .. } => std::iter::once(jid.as_str())
                .chain(lid.as_deref())
                .collect(),
            _ => Vec::new(),
        }
    }

    /// What the preview and the details say of it: `on WhatsApp: Joana
    /// Promo · "Ofertas!"`, `not on WhatsApp: nothing to block`, `not
    /// looked up`.
    pub fn words(&self) -> String {
        match &self.identity {
            Identity::OnWhatsApp { name, about, .. } => {
                let mut words = match name {
                    Some(name) => format!("on WhatsApp: {}", one_line(name)),
                    None => "on WhatsApp (no name shown)".to_string(),
                };
                if let Some(about) = about {
                    words.push_str(&format!(" · \"{}\"", one_line(about)));
                }
                words
            }
            Identity::NotOnWhatsApp { .. } => "not on WhatsApp: nothing to block".to_string(),
            Identity::Unverified => "not looked up (sent as typed)".to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn joana() -> LookedUp {
        LookedUp {
            number: "5511912345678".into(),
            identity: Identity::OnWhatsApp {
                jid: "5511912345678@s.whatsapp.net".into(),
                lid: Some("77@lid".into()),
                name: Some("Joana Promo".into()),
                about: Some("Ofertas!\u{1b}[2J".into()),
            },
            at: 1_000,
        }
    }

    #[test]
    fn a_lookup_says_who_it_found_in_one_clean_line() {
        assert_eq!(
            joana().words(),
            "on WhatsApp: Joana Promo · \"Ofertas![2J\""
        );
        assert_eq!(joana().keys(), ["5511912345678@s.whatsapp.net", "77@lid"]);
        let absent = LookedUp {
            identity: Identity::NotOnWhatsApp {
                message: "Number is not on WhatsApp".into(),
            },
            ..joana()
        };
        assert_eq!(absent.words(), "not on WhatsApp: nothing to block");
        assert!(absent.is_absent() && absent.keys().is_empty());
    }

    #[test]
    fn a_lookup_is_trusted_for_a_day_and_never_from_the_future() {
        let l = joana();
        assert!(l.is_fresh(1_000 + FRESH_SECS - 1));
        assert!(!l.is_fresh(1_000 + FRESH_SECS));
        let future = LookedUp {
            at: 1_000_000,
            ..joana()
        };
        assert!(
            !future.is_fresh(1_000),
            "a stamp from the future is not trusted"
        );
    }
}
