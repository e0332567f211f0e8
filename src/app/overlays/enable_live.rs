//! The offer to enable the WebSocket of the instances whose live feed
//! the server refuses (`E`): it names them and what the server keeps,
//! says what enabling changes, and asks first (Cancel has the focus).
//! Never on a read-only instance.

use ratatui::crossterm::event::KeyEvent;

use super::after::{Step, close, stay};
use crate::api::{FEED_EVENTS, SocketConfig};
use crate::app::confirm::{Answer, answer};
use crate::app::core::Core;
use crate::app::effect::Effect;
use crate::app::live::on::ask_configs;
use crate::app::ops::info;
use crate::protocol::ApiCall;

/// An offer waiting for a yes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnableOffer {
    /// The instances, with their configuration as last read.
    pub instances: Vec<(usize, SocketConfig)>,
    /// Whether "Enable" (not "Cancel") has the focus.
    pub confirm_focused: bool,
}

impl EnableOffer {
    /// What the dialog says.
    pub fn lines(&self, core: &Core) -> Vec<String> {
        let mut lines = vec!["Enable the WebSocket of:".to_string()];
        for (i, config) in &self.instances {
            let name = core
                .instances
                .get(*i)
                .map_or("?", |inst| inst.name.as_str());
            lines.push(format!("  {name}: now {}", config.words()));
        }
        lines.push(String::new());
        lines.push(format!(
            "RyzeAPI then pushes their {} events to this app's live feed; event types another consumer reads stay.",
            FEED_EVENTS.join(" and ")
        ));
        lines
    }
}

/// `E`: the offer for every instance whose WebSocket is known not to
/// serve the feed; instances whose configuration is not known yet are
/// asked first (press again once they answered).
pub(crate) fn offer(core: &mut Core) -> (Option<EnableOffer>, Vec<Effect>) {
    let writable: Vec<usize> = (0..core.instances.len())
        .filter(|&i| !core.instances[i].read_only)
        .collect();
    if writable.is_empty() {
        crate::app::ops::read_only(core, core.current);
        return (None, Vec::new());
    }
    let unknown: Vec<usize> = writable
        .iter()
        .copied()
        .filter(|&i| {
            let h = &core.live.health[i];
            h.config.is_none() && !h.status.is_open()
        })
        .collect();
    let instances: Vec<(usize, SocketConfig)> = writable
        .iter()
        .filter_map(|&i| match &core.live.health[i].config {
            Some(Ok(c)) if !c.serves_feed() => Some((i, c.clone())),
            _ => None,
        })
        .collect();
    if instances.is_empty() {
        let effects = ask_configs(core, &unknown);
        let text = if effects.is_empty() {
            "every instance's WebSocket serves the live feed: nothing to enable".to_string()
        } else {
            "checking the WebSocket of each instance: press the key again in a moment".to_string()
        };
        info(core, text);
        return (None, effects);
    }
    let offer = EnableOffer {
        instances,
        confirm_focused: false,
    };
    (Some(offer), Vec::new())
}

/// Keys of the offer: a yes enables each instance's WebSocket (keeping
/// what else it holds); anything that closes it changes nothing.
pub(crate) fn on_key(core: &mut Core, mut offer: EnableOffer, key: KeyEvent) -> Step<EnableOffer> {
    match answer(&core.keymap.dialog, &key, &mut offer.confirm_focused) {
        Answer::Open => stay(offer),
        Answer::No => {
            info(core, "the WebSocket was not changed");
            close(Vec::new())
        }
        Answer::Yes => {
            let names: Vec<String> = offer
                .instances
                .iter()
                .map(|(i, _)| core.instances[*i].name.clone())
                .collect();
            info(
                core,
                format!("enabling the WebSocket of {}…", names.join(", ")),
            );
            let effects = offer
                .instances
                .into_iter()
                .map(|(instance, from)| {
                    core.live.health[instance].asking = true;
                    Effect::call(ApiCall::EnableSocket { instance, from })
                })
                .collect();
            close(effects)
        }
    }
}
