//! What the emulator keeps of the live events: each instance's
//! WebSocket configuration (none when never configured), the channel its
//! open sockets listen on, how many are open, and the heartbeat.

use std::collections::HashMap;
use std::time::Duration;

use serde_json::Value;
use tokio::sync::broadcast;

/// The six event types a configuration may name.
pub(super) const EVENT_TYPES: [&str; 6] = [
    "message.exchange",
    "message.status",
    "call.update",
    "group.flow",
    "instance.state",
    "label.update",
];

/// An instance's WebSocket configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct WsConfig {
    pub(super) enabled: bool,
    pub(super) events: Vec<String>,
    pub(super) media: bool,
}

/// What goes to an instance's open sockets.
#[derive(Debug, Clone)]
pub(super) enum Out {
    /// An event: its type and `data`.
    Event(String, Value),
    /// A frame exactly as given (one that cannot be read).
    Raw(String),
    /// Drop the connection without a closing handshake.
    Drop,
}

/// The live side of the emulator.
#[derive(Debug)]
pub(super) struct Hub {
    /// Per instance: `None` when never configured.
    pub(super) configs: HashMap<String, Option<WsConfig>>,
    channels: HashMap<String, broadcast::Sender<Out>>,
    /// Open sockets per instance.
    pub(super) open: HashMap<String, usize>,
    /// Upgrades accepted.
    pub(super) upgrades: u64,
    /// Ping every so often; drop a client without a pong for so long.
    pub(super) heartbeat: (Duration, Duration),
    /// Messages pushed, to number them.
    pub(super) messages: u64,
}

impl Hub {
    /// Every instance's WebSocket enabled for every event type (the demo
    /// account's, set up once; tests change it).
    pub(super) fn new<'a>(instances: impl Iterator<Item = &'a str>) -> Hub {
        let on = WsConfig {
            enabled: true,
            events: Vec::new(),
            media: false,
        };
        Hub {
            configs: instances
                .map(|n| (n.to_string(), Some(on.clone())))
                .collect(),
            channels: HashMap::new(),
            open: HashMap::new(),
            upgrades: 0,
            heartbeat: (Duration::from_secs(20), Duration::from_secs(60)),
            messages: 0,
        }
    }

    /// The channel `instance`'s sockets listen on.
    pub(super) fn channel(&mut self, instance: &str) -> broadcast::Sender<Out> {
        self.channels
            .entry(instance.to_string())
            .or_insert_with(|| broadcast::channel(65_536).0)
            .clone()
    }
}
