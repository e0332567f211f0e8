//! Live events as RyzeAPI pushes them over its WebSocket, read leniently
//! into what the app keeps: an incoming message (who, where, what), an
//! instance's new connection state, or something to ignore. Every frame
//! is one JSON text `{"event", "data", "instanceData"}`; the instance's
//! token in `instanceData.token` is never read into anything kept.
//!
//! Lenient, as the contract asks: a JID with or without
//! `@s.whatsapp.net`, an `@lid` written `100@s.whatsapp.net` (as the
//! documentation's own example does), names missing, unknown event types
//! ignored. A frame that is no JSON object, or a message without anyone
//! to say it came from, is [`Unreadable`], with a reason that never
//! quotes the frame.

use serde_json::{Map, Value};

use super::jid::{LID_SUFFIX, PHONE_SUFFIX, is_valid_jid, phone_digits};
use crate::util::sanitize::clean;

/// The longest text kept of one message, in characters: the screen shows
/// its first line, the details the rest; memory stays bounded.
pub const MAX_TEXT_CHARS: usize = 2_000;
/// The longest name kept, in characters.
const MAX_NAME_CHARS: usize = 200;

/// What kind of chat a message was written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChatKind {
    /// One person to one of our numbers: the sender can be blocked.
    Private,
    /// A group (or a community's announcement group): cannot be blocked.
    Group,
    /// A channel: cannot be blocked.
    Newsletter,
    /// Anything else (a status broadcast...): not blocked from here.
    Other,
}

impl ChatKind {
    /// Whether WhatsApp can block who wrote it.
    pub fn is_blockable(self) -> bool {
        self == ChatKind::Private
    }

    /// The word shown: `private`, `group`, `newsletter`, `other`.
    pub fn word(self) -> &'static str {
        match self {
            ChatKind::Private => "private",
            ChatKind::Group => "group",
            ChatKind::Newsletter => "newsletter",
            ChatKind::Other => "other",
        }
    }
}

/// Who wrote: the phone number, the hidden-number identity, or both.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sender {
    /// International digits, without `+`, when the number is known.
    pub digits: Option<String>,
    /// `<digits>@lid`, when known.
    pub lid: Option<String>,
    /// The name the person shows, sanitised.
    pub name: Option<String>,
}

impl Sender {
    /// The phone JID, when the number is known.
    pub fn phone_jid(&self) -> Option<String> {
        self.digits.as_ref().map(|d| format!("{d}{PHONE_SUFFIX}"))
    }

    /// The identity a block is sent to: the phone JID, else the `@lid`.
    pub fn jid(&self) -> Option<String> {
        self.phone_jid().or_else(|| self.lid.clone())
    }

    /// One key per person: the number when known, else the `@lid`.
    pub fn key(&self) -> Option<&str> {
        self.digits.as_deref().or(self.lid.as_deref())
    }
}

/// An incoming message, as kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Incoming {
    /// The message id (`data.message.id`, else `data.id`), when sent.
    pub id: Option<String>,
    /// Unix time the server stamped, when it sent a readable one.
    pub at: Option<i64>,
    /// Where it was written.
    pub chat: ChatKind,
    /// The group's or channel's name, for what is no private chat.
    pub chat_name: Option<String>,
    /// Who wrote.
    pub sender: Sender,
    /// The text, line breaks kept, every line sanitised, cut to
    /// [`MAX_TEXT_CHARS`]; for media without a caption, `[image]`…
    pub text: String,
}

impl Incoming {
    /// The first line of the text (what a row shows).
    pub fn first_line(&self) -> &str {
        self.text.lines().next().unwrap_or_default()
    }
}

/// What one frame says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LiveEvent {
    /// `message.exchange`, incoming.
    Message(Incoming),
    /// `instance.state`: the word as sent (`connected`, `temp_banned`,
    /// `logged_out`…), sanitised.
    State {
        /// The state word.
        word: String,
        /// Unix time the server stamped, when readable.
        at: Option<i64>,
    },
    /// A frame read but of no use here: another event type, an outgoing
    /// message.
    Ignored {
        /// The event type, sanitised.
        event: String,
    },
}

/// Why a frame could not be read: never a quote of the frame, which holds
/// the instance's token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unreadable(pub String);

impl std::fmt::Display for Unreadable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Reads one text frame.
pub fn parse_frame(text: &str) -> Result<LiveEvent, Unreadable> {
    let value: Value = serde_json::from_str(text).map_err(|e| {
        // serde_json's syntax errors name a line and column, never the text.
        Unreadable(format!(
            "not JSON ({:?} at line {}, column {})",
            e.classify(),
            e.line(),
            e.column()
        ))
    })?;
    let Value::Object(frame) = value else {
        return Err(Unreadable("the frame is not a JSON object".into()));
    };
    let Some(event) = frame.get("event").and_then(Value::as_str) else {
        return Err(Unreadable("the frame has no \"event\" name".into()));
    };
    let empty = Map::new();
    let data = frame
        .get("data")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    match event {
        "message.exchange" => message(data),
        "instance.state" => state(data),
        other => Ok(LiveEvent::Ignored {
            event: cut(&clean(other), 64),
        }),
    }
}

/// `instance.state`: the word in `data.state` (or `data.status`).
fn state(data: &Map<String, Value>) -> Result<LiveEvent, Unreadable> {
    let word = ["state", "status"]
        .iter()
        .find_map(|k| data.get(*k).and_then(Value::as_str))
        .map(|w| cut(clean(w.trim()).as_ref(), 64))
        .filter(|w| !w.is_empty())
        .ok_or_else(|| Unreadable("an instance.state event without a state".into()))?;
    Ok(LiveEvent::State {
        word,
        at: stamp(data),
    })
}

/// `message.exchange`: the message under `data.message` (or `data`
/// itself), incoming only.
fn message(data: &Map<String, Value>) -> Result<LiveEvent, Unreadable> {
    let msg = data
        .get("message")
        .and_then(Value::as_object)
        .unwrap_or(data);
    let outgoing = msg
        .get("direction")
        .and_then(Value::as_str)
        .is_some_and(|d| d.eq_ignore_ascii_case("outgoing"))
        || msg.get("fromMe").and_then(Value::as_bool) == Some(true);
    if outgoing {
        return Ok(LiveEvent::Ignored {
            event: "message.exchange (outgoing)".into(),
        });
    }
    let empty = Map::new();
    let chat = msg.get("chat").and_then(Value::as_object).unwrap_or(&empty);
    let kind = chat_kind(chat);
    let from = msg
        .get("sender")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let mut sender = sender_of(from);
    if sender.key().is_none() && kind == ChatKind::Private {
        // In a private chat the chat is the person.
        sender = Sender {
            name: sender
                .name
                .or_else(|| text_of(chat, "name", MAX_NAME_CHARS)),
            ..sender_of(chat)
        };
    }
    if sender.key().is_none() {
        return Err(Unreadable(
            "a message.exchange event without a sender number or @lid".into(),
        ));
    }
    Ok(LiveEvent::Message(Incoming {
        id: text_of(msg, "id", 128).or_else(|| text_of(data, "id", 128)),
        at: stamp(msg).or_else(|| stamp(data)),
        chat: kind,
        chat_name: (kind != ChatKind::Private)
            .then(|| text_of(chat, "name", MAX_NAME_CHARS))
            .flatten(),
        sender,
        text: body_of(msg),
    }))
}

/// The kind of a chat: its `type`, else what its JID says.
fn chat_kind(chat: &Map<String, Value>) -> ChatKind {
    let jid = chat.get("jid").and_then(Value::as_str).unwrap_or_default();
    let by_type = chat.get("type").and_then(Value::as_str).map(|t| match t {
        "private" => ChatKind::Private,
        "group" => ChatKind::Group,
        "newsletter" => ChatKind::Newsletter,
        _ => ChatKind::Other,
    });
    let by_jid = if jid.ends_with("@g.us") {
        ChatKind::Group
    } else if jid.ends_with("@newsletter") {
        ChatKind::Newsletter
    } else if jid.ends_with("@broadcast") {
        ChatKind::Other
    } else {
        ChatKind::Private
    };
    // A group's JID wins over a type that says private: never offer to
    // block a group.
    match (by_type, by_jid) {
        (_, ChatKind::Group | ChatKind::Newsletter | ChatKind::Other) => by_jid,
        (Some(kind), _) => kind,
        (None, kind) => kind,
    }
}

/// A person from an object with `jid`, `lid` and `name`.
fn sender_of(from: &Map<String, Value>) -> Sender {
    let jid = from.get("jid").and_then(Value::as_str).map(str::trim);
    let lid = from.get("lid").and_then(Value::as_str).map(str::trim);
    let mut sender = Sender {
        name: text_of(from, "name", MAX_NAME_CHARS),
        ..Sender::default()
    };
    if let Some(jid) = jid {
        if let Some(l) = jid.strip_suffix(LID_SUFFIX) {
            sender.lid = lid_of(l);
        } else {
            sender.digits = digits_of(jid);
        }
    }
    if sender.lid.is_none() {
        // `lid` names a hidden-number identity, however it is written
        // (`123@lid`, `123@s.whatsapp.net`, `123`).
        sender.lid = lid.and_then(|l| {
            let user = l
                .strip_suffix(LID_SUFFIX)
                .or_else(|| l.strip_suffix(PHONE_SUFFIX))
                .unwrap_or(l);
            lid_of(user)
        });
    }
    sender
}

/// Phone digits from `5511…`, `+5511…` or `5511…@s.whatsapp.net[:dev]`.
fn digits_of(jid: &str) -> Option<String> {
    let full = if jid.contains('@') {
        jid.to_string()
    } else {
        format!("{}{PHONE_SUFFIX}", jid.trim_start_matches('+'))
    };
    let digits = phone_digits(&full)?;
    is_valid_jid(&format!("{digits}{PHONE_SUFFIX}")).then(|| digits.to_string())
}

/// `<user>@lid` when `user` is a valid identity.
fn lid_of(user: &str) -> Option<String> {
    let lid = format!("{user}{LID_SUFFIX}");
    is_valid_jid(&lid).then_some(lid)
}

/// The text of a message: `content.text` (or a caption), else what kind
/// of media it is.
fn body_of(msg: &Map<String, Value>) -> String {
    let content = msg.get("content");
    let text = ["text", "caption", "conversation"]
        .iter()
        .find_map(|k| content.and_then(|c| c.get(*k)).and_then(Value::as_str))
        .or_else(|| msg.get("text").and_then(Value::as_str))
        .filter(|t| !t.trim().is_empty());
    if let Some(text) = text {
        return lines(text);
    }
    let media = msg
        .get("media")
        .and_then(|m| m.get("type"))
        .and_then(Value::as_str)
        .map(|t| cut(&clean(t), 24));
    let kind = msg
        .get("type")
        .and_then(Value::as_str)
        .map(|t| cut(&clean(t), 24));
    match (media, kind) {
        (Some(media), _) => format!("[{media}]"),
        (None, Some(kind)) => format!("[{kind}]"),
        (None, None) => "[no text]".to_string(),
    }
}

/// Text with every line sanitised (line breaks kept), cut to
/// [`MAX_TEXT_CHARS`].
fn lines(text: &str) -> String {
    let kept: Vec<String> = text
        .lines()
        .map(|l| clean(l).trim_end().to_string())
        .collect();
    cut(kept.join("\n").trim(), MAX_TEXT_CHARS)
}

/// A string field, sanitised, trimmed, cut; `None` when empty.
fn text_of(obj: &Map<String, Value>, key: &str, max: usize) -> Option<String> {
    obj.get(key)
        .and_then(Value::as_str)
        .map(|s| cut(clean(s).trim(), max))
        .filter(|s| !s.is_empty())
}

/// `text` cut to `max` characters, ending in `…` when cut.
fn cut(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        None => text.to_string(),
        Some((at, _)) => format!("{}…", &text[..at]),
    }
}

/// The `timestamp` of an object (RFC 3339, or Unix seconds).
fn stamp(obj: &Map<String, Value>) -> Option<i64> {
    match obj.get("timestamp")? {
        Value::String(s) => crate::util::dates::parse_rfc3339(s).ok(),
        Value::Number(n) => n
            .as_i64()
            .map(|t| if t > 10_000_000_000 { t / 1000 } else { t }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "instance-secret-token";

    fn frame(event: &str, data: Value) -> String {
        serde_json::json!({
            "event": event,
            "data": data,
            "instanceData": {"baseUrl": "https://api.example.com", "instance": "sales", "token": TOKEN},
        })
        .to_string()
    }

    fn incoming(sender: Value, chat: Value, text: &str) -> String {
        frame(
            "message.exchange",
            serde_json::json!({"id": "wamid.1", "message": {
                "id": "wamid.1", "direction": "incoming",
                "timestamp": "2026-04-28T10:30:00Z",
                "chat": chat, "sender": sender, "content": {"text": text},
            }}),
        )
    }

    #[test]
    fn the_documented_example_reads_with_bare_digits_and_an_odd_lid() {
        let text = incoming(
            serde_json::json!({"jid": "5511999999999", "lid": "100@s.whatsapp.net", "name": "João Silva"}),
            serde_json::json!({"jid": "5511999999999", "lid": "100@s.whatsapp.net", "name": "João Silva", "type": "private"}),
            "Hello\nsecond line",
        );
        let LiveEvent::Message(m) = parse_frame(&text).unwrap() else {
            panic!("a message")
        };
        assert_eq!(m.sender.digits.as_deref(), Some("5511999999999"));
        assert_eq!(m.sender.lid.as_deref(), Some("100@lid"));
        assert_eq!(m.sender.name.as_deref(), Some("João Silva"));
        assert_eq!(m.chat, ChatKind::Private);
        assert_eq!(m.first_line(), "Hello");
        assert_eq!(m.at, Some(1_777_372_200));
        assert_eq!(m.id.as_deref(), Some("wamid.1"));
        assert!(!format!("{m:?}").contains(TOKEN), "the token is never kept");
    }

    #[test]
    fn full_jids_hidden_numbers_and_missing_names_read() {
        let text = incoming(
            serde_json::json!({"jid": "447912345678:3@s.whatsapp.net"}),
            serde_json::json!({}),
            "hi",
        );
        let LiveEvent::Message(m) = parse_frame(&text).unwrap() else {
            panic!()
        };
        assert_eq!(
            m.sender.digits.as_deref(),
            Some("447912345678"),
            "the device is not the number"
        );
        let text = incoming(
            serde_json::json!({"jid": "447912345678@s.whatsapp.net"}),
            serde_json::json!({}),
            "hi",
        );
        let LiveEvent::Message(m) = parse_frame(&text).unwrap() else {
            panic!()
        };
        assert_eq!(
            m.sender.jid().as_deref(),
            Some("447912345678@s.whatsapp.net")
        );
        assert_eq!(m.sender.name, None);
        let text = incoming(
            serde_json::json!({"jid": "987654321@lid"}),
            serde_json::json!({"type": "private"}),
            "x",
        );
        let LiveEvent::Message(m) = parse_frame(&text).unwrap() else {
            panic!()
        };
        assert_eq!(m.sender.key(), Some("987654321@lid"));
        assert_eq!(m.sender.jid().as_deref(), Some("987654321@lid"));
    }

    #[test]
    fn groups_and_channels_are_never_private() {
        let group = incoming(
            serde_json::json!({"jid": "5511988887777"}),
            serde_json::json!({"jid": "120363025246125486@g.us", "type": "private", "name": "Família"}),
            "oi",
        );
        let LiveEvent::Message(m) = parse_frame(&group).unwrap() else {
            panic!()
        };
        assert_eq!(m.chat, ChatKind::Group, "the JID wins over the type");
        assert!(!m.chat.is_blockable());
        assert_eq!(m.chat_name.as_deref(), Some("Família"));
        let channel = incoming(
            serde_json::json!({"jid": "1"}),
            serde_json::json!({"type": "newsletter"}),
            "news",
        );
        let LiveEvent::Message(m) = parse_frame(&channel).unwrap() else {
            panic!()
        };
        assert_eq!(m.chat, ChatKind::Newsletter);
    }

    #[test]
    fn states_other_events_and_outgoing_messages() {
        let s = frame(
            "instance.state",
            serde_json::json!({"state": "temp_banned"}),
        );
        assert_eq!(
            parse_frame(&s).unwrap(),
            LiveEvent::State {
                word: "temp_banned".into(),
                at: None
            }
        );
        let s = frame(
            "instance.state",
            serde_json::json!({"status": "logged_out", "timestamp": "2026-04-28T10:30:00.123+00:00"}),
        );
        assert!(
            matches!(parse_frame(&s).unwrap(), LiveEvent::State { word, at: Some(1_777_372_200) } if word == "logged_out")
        );
        let other = frame("label.update", serde_json::json!({}));
        assert_eq!(
            parse_frame(&other).unwrap(),
            LiveEvent::Ignored {
                event: "label.update".into()
            }
        );
        let out = frame(
            "message.exchange",
            serde_json::json!({"message": {"direction": "outgoing", "sender": {"jid": "1"}}}),
        );
        assert!(matches!(
            parse_frame(&out).unwrap(),
            LiveEvent::Ignored { .. }
        ));
    }

    #[test]
    fn what_cannot_be_read_says_why_without_quoting_the_frame() {
        for bad in [
            format!(
                "{{\"event\": \"message.exchange\", \"instanceData\": {{\"token\": \"{TOKEN}\"}}"
            ),
            format!("[\"{TOKEN}\"]"),
            format!("{{\"data\": {{}}, \"instanceData\": {{\"token\": \"{TOKEN}\"}}}}"),
            frame(
                "message.exchange",
                serde_json::json!({"message": {"sender": {"jid": "not a number"}}}),
            ),
            frame("instance.state", serde_json::json!({"state": 5})),
        ] {
            let why = parse_frame(&bad).unwrap_err();
            assert!(!why.0.contains(TOKEN), "{why}");
            assert!(!why.0.is_empty());
        }
    }

    #[test]
    fn text_is_sanitised_cut_and_media_named() {
        let long = "a".repeat(MAX_TEXT_CHARS + 50);
        let text = incoming(
            serde_json::json!({"jid": "5511999999999"}),
            serde_json::json!({}),
            &format!("\u{1b}[31mred\u{202e}\n{long}"),
        );
        let LiveEvent::Message(m) = parse_frame(&text).unwrap() else {
            panic!()
        };
        assert_eq!(m.first_line(), "[31mred");
        assert!(m.text.chars().count() <= MAX_TEXT_CHARS + 1);
        let media = frame(
            "message.exchange",
            serde_json::json!({"message": {"sender": {"jid": "5511999999999"}, "media": {"type": "image"}}}),
        );
        let LiveEvent::Message(m) = parse_frame(&media).unwrap() else {
            panic!()
        };
        assert_eq!(m.text, "[image]");
    }
}
