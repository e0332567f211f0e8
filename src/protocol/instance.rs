//! An instance's connection, as the server reports it.

/// An instance's connection state, as the contract words it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConnState {
    /// `connected`: blocks can be sent.
    Connected,
    /// `connecting`.
    Connecting,
    /// `disconnected`: the phone has no live session.
    Disconnected,
    /// `loggedout` (the live feed's `logged_out`): the session was ended
    /// on the phone.
    LoggedOut,
    /// `temp_banned` (live feed only): WhatsApp banned the number for a
    /// while.
    TempBanned,
    /// A word the contract does not list, kept (sanitised) as sent.
    Other(String),
}

impl From<&str> for ConnState {
    fn from(word: &str) -> ConnState {
        match word {
            "connected" => ConnState::Connected,
            "connecting" => ConnState::Connecting,
            "disconnected" => ConnState::Disconnected,
            "loggedout" | "logged_out" => ConnState::LoggedOut,
            "temp_banned" => ConnState::TempBanned,
            other => ConnState::Other(other.to_string()),
        }
    }
}

impl From<String> for ConnState {
    fn from(word: String) -> ConnState {
        ConnState::from(word.as_str())
    }
}

impl ConnState {
    /// The word shown: `connected`, `logged out`...
    pub fn word(&self) -> &str {
        match self {
            ConnState::Connected => "connected",
            ConnState::Connecting => "connecting",
            ConnState::Disconnected => "disconnected",
            ConnState::LoggedOut => "logged out",
            ConnState::TempBanned => "temp banned",
            ConnState::Other(word) => word,
        }
    }

    /// What to do about a state that stops blocks, when there is
    /// something to say.
    pub fn hint(&self) -> Option<&'static str> {
        match self {
            ConnState::TempBanned => Some(
                "WhatsApp banned this number for a while: its blocks fail until the ban ends; wait, then reconnect it in RyzeAPI",
            ),
            ConnState::LoggedOut => {
                Some("the session was ended on the phone: pair it again in RyzeAPI (QR code)")
            }
            ConnState::Disconnected => {
                Some("the phone has no live session: reconnect it in RyzeAPI")
            }
            ConnState::Connected | ConnState::Connecting | ConnState::Other(_) => None,
        }
    }

    /// Whether blocks can be sent.
    pub fn is_connected(&self) -> bool {
        *self == ConnState::Connected
    }
}

impl std::fmt::Display for ConnState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.word())
    }
}

/// An instance's connection as the server reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstanceStatus {
    /// Its state.
    pub state: ConnState,
    /// The country of the instance's own number (`numberJid`), in which
    /// numbers typed without country code are read.
    pub own_region: Option<crate::model::number::Region>,
    /// The instance's own phone JID (`numberJid` without a device), which
    /// it cannot block.
    pub own_jid: Option<String>,
}
