//! The app's state: the data beneath ([`Core`]) and the overlay that
//! covers it, if any. Overlays and the actions they take work on the core
//! and say what is open next; only what is above them (the router, the
//! drawing, the run loop) holds both.

use std::ops::{Deref, DerefMut};

pub use super::core::*;
pub use super::overlays::Overlay;
use crate::store::ledger::KnownState;

/// The whole app state: the core, and what covers the list.
#[derive(Debug, Clone)]
pub struct State {
    core: Core,
    /// What covers the list, if anything.
    pub overlay: Option<Overlay>,
}

impl State {
    /// The state at start for `profile`: its instances (names, labels,
    /// countries), its keys, what the ledger `known`s, the instance to
    /// open on. The terminal UI and the headless commands start here.
    pub fn for_profile(
        profile: &crate::config::profile::Profile,
        known: &[KnownState],
        start: usize,
    ) -> State {
        Core::for_profile(profile, known, start).into()
    }

    /// The state at start: `names` are (name, label) in profile order,
    /// `known` is what the ledger holds, `start` the instance to open on.
    pub fn new(names: &[(String, Option<String>)], known: &[KnownState], start: usize) -> State {
        Core::new(names, known, start).into()
    }

    /// The core and the overlay slot apart, for an overlay's key: it
    /// changes the core and says what is open next.
    pub fn parts(&mut self) -> (&mut Core, &mut Option<Overlay>) {
        (&mut self.core, &mut self.overlay)
    }
}

impl From<Core> for State {
    fn from(core: Core) -> State {
        State {
            core,
            overlay: None,
        }
    }
}

impl Deref for State {
    type Target = Core;

    fn deref(&self) -> &Core {
        &self.core
    }
}

impl DerefMut for State {
    fn deref_mut(&mut self) -> &mut Core {
        &mut self.core
    }
}
