//! The app's state: plain data, no I/O handles.

use std::collections::HashMap;

use super::msg::ErrorInfo;
use crate::api::RemoteContact;
use crate::ledger::KnownState;
use crate::number::{LID_SUFFIX, format_phone, phone_digits};
use crate::sanitize::clean;

/// Screen rows that are not contact rows: tabs, column header, footer,
/// status bar.
pub const CHROME_ROWS: u16 = 4;
/// Ticks (4 per second) an info message stays.
pub const INFO_TICKS: u64 = 20;
/// Ticks between two polls of the instance states.
pub const POLL_TICKS: u64 = 120;

/// What the keyboard is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Browsing the list.
    Normal,
    /// Typing a filter.
    Filter,
    /// The help overlay is open.
    Help,
    /// Asking whether to quit with requests pending.
    ConfirmQuit {
        /// Whether "Quit" (not "Cancel") has the focus.
        quit_focused: bool,
    },
}

/// An instance's connection as far as the app knows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Connection {
    /// Not reported yet.
    Unknown,
    /// The server's word (`connected`, `disconnected`...).
    State(String),
    /// The server does not list this instance.
    NotOnServer,
    /// The state could not be fetched.
    Failed(ErrorInfo),
}

impl Connection {
    /// A short word for tabs and the status bar.
    pub fn label(&self) -> String {
        match self {
            Connection::Unknown => "checking…".to_string(),
            Connection::State(state) => match state.as_str() {
                "loggedout" => "logged out".to_string(),
                other => other.to_string(),
            },
            Connection::NotOnServer => "not found".to_string(),
            Connection::Failed(e) => match e.status {
                Some(status) => format!("error {status}"),
                None => "unreachable".to_string(),
            },
        }
    }

    /// Whether the server says the instance is connected.
    pub fn is_connected(&self) -> bool {
        matches!(self, Connection::State(s) if s == "connected")
    }
}

/// Where an instance's contact list stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Load {
    /// Never asked for.
    NotStarted,
    /// A request is in flight.
    Loading,
    /// Contacts are here (a refresh may be in flight: see `refreshing`).
    Loaded,
    /// The last request failed and there is nothing to show.
    Failed(ErrorInfo),
}

/// One contact, ready to draw and to filter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contact {
    /// JID as listed.
    pub jid: String,
    /// Its `@lid`, when known.
    pub lid: Option<String>,
    /// Best name: full, first, business, then `~push name`; sanitised.
    pub name: String,
    /// Whether `name` is the self-chosen push name.
    pub name_is_push: bool,
    /// The number formatted for reading, or `hidden number`.
    pub number: String,
    /// Lower-case names and digits, for the filter.
    search: String,
}

fn non_empty(name: &Option<String>) -> Option<String> {
    name.as_deref()
        .map(|n| clean(n).trim().to_string())
        .filter(|n| !n.is_empty())
}

impl Contact {
    /// Builds a row from the server's contact.
    pub fn from_remote(c: RemoteContact) -> Contact {
        let jid = clean(&c.jid).into_owned();
        let lid = c
            .lid
            .as_deref()
            .map(|l| clean(l).into_owned())
            .filter(|l| !l.is_empty());
        let best = non_empty(&c.full_name)
            .or_else(|| non_empty(&c.first_name))
            .or_else(|| non_empty(&c.business_name));
        let push = non_empty(&c.push_name);
        let (name, name_is_push) = match (best, &push) {
            (Some(name), _) => (name, false),
            (None, Some(push)) => (format!("~{push}"), true),
            (None, None) => (String::new(), false),
        };
        let digits = phone_digits(&jid);
        let number = match digits {
            Some(d) => format_phone(d),
            None if jid.ends_with(LID_SUFFIX) => "hidden number".to_string(),
            None => jid.clone(),
        };
        let mut search = String::new();
        for part in [&c.full_name, &c.first_name, &c.business_name, &c.push_name]
            .into_iter()
            .flatten()
        {
            search.push_str(&part.to_lowercase());
            search.push('\u{1F}');
        }
        search.push_str(digits.unwrap_or(&jid));
        Contact {
            jid,
            lid,
            name,
            name_is_push,
            number,
            search,
        }
    }

    /// Whether every term of a lower-cased query is found in the names or
    /// the digits (formatting like `+`, `-`, `(` is ignored in terms).
    pub fn matches(&self, terms: &[String]) -> bool {
        terms.iter().all(|t| self.search.contains(t.as_str()))
    }
}

/// Splits a filter into lower-case terms; number formatting is dropped so
/// `+55 (11)` finds `5511…`.
pub fn filter_terms(filter: &str) -> Vec<String> {
    filter
        .split_whitespace()
        .map(|t| {
            let t = t.to_lowercase();
            if t.chars().any(|c| c.is_ascii_digit())
                && t.chars().all(|c| c.is_ascii_digit() || "+-().".contains(c))
            {
                t.chars().filter(char::is_ascii_digit).collect()
            } else {
                t
            }
        })
        .filter(|t| !t.is_empty())
        .collect()
}

/// What the ledger knows of one contact.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Known {
    /// Blocked after this app's last change.
    pub blocked: bool,
    /// Unix time of that change.
    pub at: i64,
}

/// A block toggle waiting for the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pending {
    /// The state the in-flight request asks for.
    pub sending: bool,
    /// The state asked for since, sent when the in-flight one returns.
    pub queued: Option<bool>,
}

impl Pending {
    /// The state the user wants in the end.
    pub fn desired(&self) -> bool {
        self.queued.unwrap_or(self.sending)
    }
}

/// One instance of the profile and all the app knows of it.
#[derive(Debug, Clone)]
pub struct Instance {
    /// Name used in API paths.
    pub name: String,
    /// Optional display name.
    pub label: Option<String>,
    /// Connection state.
    pub connection: Connection,
    /// Contact list state.
    pub load: Load,
    /// Whether a reload is in flight while contacts are shown.
    pub refreshing: bool,
    /// The contacts, in server order.
    pub contacts: Vec<Contact>,
    /// The latest `blocked_count` the server returned, this session.
    pub blocked_count: Option<u64>,
    /// Ledger knowledge keyed by JID.
    known: HashMap<String, Known>,
    /// `@lid` → JID key of `known`.
    lid_to_jid: HashMap<String, String>,
    /// Pending toggles keyed by the row's JID.
    pub pending: HashMap<String, Pending>,
    /// Selected row (index into the filtered view) when last shown.
    pub selected: usize,
    /// First row shown when last shown.
    pub offset: usize,
}

impl Instance {
    /// A fresh instance with nothing loaded.
    pub fn new(name: &str, label: Option<&str>) -> Instance {
        Instance {
            name: name.to_string(),
            label: label.map(str::to_string),
            connection: Connection::Unknown,
            load: Load::NotStarted,
            refreshing: false,
            contacts: Vec::new(),
            blocked_count: None,
            known: HashMap::new(),
            lid_to_jid: HashMap::new(),
            pending: HashMap::new(),
            selected: 0,
            offset: 0,
        }
    }

    /// The name to show: the label, else the instance name.
    pub fn title(&self) -> &str {
        self.label.as_deref().unwrap_or(&self.name)
    }

    /// Records what the ledger knows of `jid` (and its `lid`).
    pub fn remember(&mut self, jid: &str, lid: Option<&str>, known: Known) {
        self.known.insert(jid.to_string(), known);
        if let Some(lid) = lid.filter(|l| *l != jid) {
            self.lid_to_jid.insert(lid.to_string(), jid.to_string());
        }
    }

    /// What the ledger knows of a contact, matched by JID or `@lid`.
    pub fn known_of(&self, contact: &Contact) -> Option<Known> {
        self.known.get(&contact.jid).copied().or_else(|| {
            let lid = contact.lid.as_ref()?;
            let jid = self.lid_to_jid.get(lid).unwrap_or(lid);
            self.known.get(jid).copied()
        })
    }

    /// How many contacts the ledger knows as blocked on this instance.
    pub fn known_blocked(&self) -> usize {
        self.known.values().filter(|k| k.blocked).count()
    }

    /// Whether a contact load is in flight.
    pub fn is_loading(&self) -> bool {
        self.load == Load::Loading || self.refreshing
    }
}

/// A message in the status bar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    /// The text, one line.
    pub text: String,
    /// Info expires; errors stay until replaced.
    pub is_error: bool,
    /// Tick it was set at.
    pub since: u64,
}

/// The whole app state.
#[derive(Debug, Clone)]
pub struct State {
    /// Instances of the profile, in its order.
    pub instances: Vec<Instance>,
    /// Index of the shown instance.
    pub current: usize,
    /// Keyboard mode.
    pub mode: Mode,
    /// The filter text.
    pub filter: String,
    /// Indexes into the current instance's contacts that pass the filter.
    pub visible: Vec<usize>,
    /// Selected index into `visible`.
    pub selected: usize,
    /// First index of `visible` on screen.
    pub offset: usize,
    /// Contact rows that fit on screen.
    pub list_height: usize,
    /// The status-bar message.
    pub status: Option<Status>,
    /// Ticks since start.
    pub ticks: u64,
    /// Unix time of the last tick.
    pub now: i64,
    /// Whether an instance-state poll is in flight.
    pub instances_loading: bool,
    /// Whether the screen must be drawn again.
    pub dirty: bool,
}

impl State {
    /// The state at start: `names` are (name, label) in profile order,
    /// `known` is what the ledger holds, `start` the instance to open on.
    pub fn new(names: &[(String, Option<String>)], known: &[KnownState], start: usize) -> State {
        let mut instances: Vec<Instance> = names
            .iter()
            .map(|(name, label)| Instance::new(name, label.as_deref()))
            .collect();
        for k in known {
            if let Some(inst) = instances.iter_mut().find(|i| i.name == k.instance) {
                inst.remember(
                    &k.jid,
                    k.lid.as_deref(),
                    Known {
                        blocked: k.blocked,
                        at: k.changed_at,
                    },
                );
            }
        }
        State {
            current: start.min(instances.len().saturating_sub(1)),
            instances,
            mode: Mode::Normal,
            filter: String::new(),
            visible: Vec::new(),
            selected: 0,
            offset: 0,
            list_height: 20,
            status: None,
            ticks: 0,
            now: crate::ledger::now_unix(),
            instances_loading: false,
            dirty: true,
        }
    }

    /// The shown instance.
    pub fn instance(&self) -> &Instance {
        &self.instances[self.current]
    }

    /// The shown instance, mutably.
    pub fn instance_mut(&mut self) -> &mut Instance {
        &mut self.instances[self.current]
    }

    /// The selected contact, if any.
    pub fn selected_contact(&self) -> Option<&Contact> {
        let idx = *self.visible.get(self.selected)?;
        self.instance().contacts.get(idx)
    }

    /// How many block requests are waiting for the server, everywhere.
    pub fn pending_count(&self) -> usize {
        self.instances.iter().map(|i| i.pending.len()).sum()
    }

    /// Whether something on screen animates (a spinner).
    pub fn is_busy(&self) -> bool {
        self.instances_loading
            || self
                .instances
                .iter()
                .any(|i| i.is_loading() || !i.pending.is_empty())
    }
}
