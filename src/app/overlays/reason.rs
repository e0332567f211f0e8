//! Why: the reason asked before an action is sent (the number prompt, the
//! bulk dialog, the pasted numbers; `b` with `ask_reason = true`). Typed
//! freely or chosen from the profile's `reasons` with Tab; Enter with
//! nothing typed sends without a reason; Esc sends nothing.

use ratatui::crossterm::event::KeyEvent;

use super::after::{Step, close, stay};
use crate::app::batch::Kind;
use crate::app::core::Core;
use crate::app::effect::Effect;
use crate::app::line::{Edit, edit};
use crate::app::ops::info;
use crate::keys::{Keymap, LineAction};

pub use crate::app::bulk::Then;

/// The reason being typed, and the action it is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReasonAsk {
    /// What is typed.
    pub text: String,
    /// The action.
    pub then: Then,
    /// What the action does, for messages (`block 3 contacts on sales`).
    pub about: String,
}

/// The question why before `then` is sent.
pub(crate) fn ask(core: &Core, then: Then) -> ReasonAsk {
    let about = match &then {
        Then::Toggle {
            instance,
            block,
            who,
            ..
        } => format!(
            "{} {who} on {}",
            crate::model::change::Change::of(*block).verb(),
            core.instances[*instance].name
        ),
        Then::Batch { label, .. } => label.clone(),
    };
    ReasonAsk {
        text: String::new(),
        then,
        about,
    }
}

/// Keys while the reason is typed.
pub(crate) fn on_key(core: &mut Core, mut ask: ReasonAsk, key: KeyEvent) -> Step<ReasonAsk> {
    match edit(&mut ask.text, &key, &core.keymap.line) {
        Edit::Cancel => {
            info(core, format!("{}: cancelled, nothing was sent", ask.about));
            close(Vec::new())
        }
        Edit::Submit => {
            let reason = crate::model::change::reason_of(&ask.text);
            close(send(core, ask.then, reason))
        }
        Edit::Complete => {
            ask.text = next_choice(&core.reasons, &ask.text);
            stay(ask)
        }
        Edit::Changed | Edit::Unchanged => stay(ask),
    }
}

/// Tab: the first reason the text begins, or after a reason the next one
/// (round), or the first when nothing is typed.
pub(crate) fn next_choice(reasons: &[String], text: &str) -> String {
    if reasons.is_empty() {
        return text.to_string();
    }
    let typed = text.trim().to_lowercase();
    if let Some(at) = reasons.iter().position(|r| r.to_lowercase() == typed) {
        return reasons[(at + 1) % reasons.len()].clone();
    }
    reasons
        .iter()
        .find(|r| !typed.is_empty() && r.to_lowercase().starts_with(&typed))
        .unwrap_or(&reasons[0])
        .clone()
}

/// Sends the action with its reason.
fn send(state: &mut Core, then: Then, reason: Option<String>) -> Vec<Effect> {
    match then {
        Then::Toggle {
            instance,
            jid,
            lid,
            block,
            who,
        } => crate::app::bulk::send_toggle(state, instance, jid, lid, block, &who, reason),
        Then::Batch {
            label,
            items,
            hidden,
        } => crate::app::batch_start::start_with(
            state,
            label,
            crate::app::batch_start::Planned { items, hidden },
            Kind::Action,
            reason,
            false,
        ),
    }
}

/// The footer's keys while the reason is typed.
pub(crate) fn hints(keymap: &Keymap) -> Vec<(String, &'static str)> {
    keymap.line.hints(&[
        (LineAction::Submit, "send"),
        (LineAction::Complete, "choose"),
        (LineAction::Cancel, "cancel"),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tab_completes_then_goes_round_the_reasons() {
        let reasons: Vec<String> = ["spam", "abuse", "fraud"].map(String::from).to_vec();
        assert_eq!(next_choice(&reasons, ""), "spam");
        assert_eq!(next_choice(&reasons, "ab"), "abuse");
        assert_eq!(next_choice(&reasons, "abuse"), "fraud");
        assert_eq!(next_choice(&reasons, "fraud"), "spam");
        assert_eq!(next_choice(&reasons, "zz"), "spam");
        assert_eq!(next_choice(&[], "own words"), "own words");
    }
}
