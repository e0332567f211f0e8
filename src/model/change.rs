//! What an action does to a contact: block or unblock, and its words.

/// Block or unblock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Change {
    /// Block the contact.
    Block,
    /// Unblock the contact.
    Unblock,
}

impl Change {
    /// The change that leaves a contact blocked (`true`) or not.
    pub fn of(block: bool) -> Change {
        if block {
            Change::Block
        } else {
            Change::Unblock
        }
    }

    /// Whether it blocks.
    pub fn is_block(self) -> bool {
        self == Change::Block
    }

    /// `block` or `unblock`.
    pub fn verb(self) -> &'static str {
        match self {
            Change::Block => "block",
            Change::Unblock => "unblock",
        }
    }

    /// `blocking` or `unblocking`.
    pub fn progressive(self) -> &'static str {
        match self {
            Change::Block => "blocking",
            Change::Unblock => "unblocking",
        }
    }

    /// `blocked` or `unblocked`.
    pub fn done_word(self) -> &'static str {
        match self {
            Change::Block => "blocked",
            Change::Unblock => "unblocked",
        }
    }
}

/// A reason as the ledger keeps it: controls dropped, trimmed, `None`
/// when nothing is left.
pub fn reason_of(text: &str) -> Option<String> {
    let text = crate::util::sanitize::clean(text);
    Some(text.trim().to_string()).filter(|r| !r.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reason_is_trimmed_and_clean_or_none() {
        assert_eq!(reason_of("  spam \u{7}"), Some("spam".into()));
        assert_eq!(reason_of(" \t "), None);
    }

    #[test]
    fn words_follow_the_state() {
        assert_eq!(Change::of(true).verb(), "block");
        assert_eq!(Change::of(false).done_word(), "unblocked");
        assert!(!Change::Unblock.is_block());
    }
}
