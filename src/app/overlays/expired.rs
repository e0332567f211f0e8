//! The offer made when blocks of the list expired (`3 blocks expired:
//! unblock?`): it names them per instance and leads to the plan in the
//! Blocklist view, where nothing is sent before `y`. Later (Cancel has
//! the focus) keeps them blocked and asks again only when more expire.

use ratatui::crossterm::event::KeyEvent;

use super::after::{Step, close, stay};
use crate::app::confirm::{Answer, answer};
use crate::app::core::Core;
use crate::keys::Command;

/// An offer waiting for an answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpiredOffer {
    /// How many blocks expired (instance and number).
    pub count: usize,
    /// Per instance: how many, and the first numbers.
    pub lines: Vec<String>,
    /// Whether "Show the plan" (not "Later") has the focus.
    pub confirm_focused: bool,
}

impl ExpiredOffer {
    /// The dialog's title: `3 blocks expired: unblock?`.
    pub fn title(&self) -> String {
        let blocks = if self.count == 1 { "block" } else { "blocks" };
        format!("{} {blocks} expired: unblock?", self.count)
    }

    /// What the dialog says.
    pub fn text(&self, core: &Core) -> Vec<String> {
        let apply = core.keymap.label_of(Command::ListApply);
        let mut text = vec![
            "The blocklist blocked these numbers, and no entry lists them any more (theirs expired):"
                .to_string(),
        ];
        text.extend(self.lines.iter().map(|l| format!("  {l}")));
        text.push(String::new());
        text.push(format!(
            "The plan shows every change first; nothing is sent before {apply} there."
        ));
        text
    }
}

/// Keys of the offer: yes opens the Blocklist view on its plan; no keeps
/// the blocks and says where the plan is.
pub(crate) fn on_key(
    core: &mut Core,
    mut offer: ExpiredOffer,
    key: KeyEvent,
) -> Step<ExpiredOffer> {
    match answer(&core.keymap.dialog, &key, &mut offer.confirm_focused) {
        Answer::Open => stay(offer),
        Answer::No => {
            let view = core.keymap.label_of(Command::Blocklist);
            let plan = core.keymap.label_of(Command::ListPlan);
            crate::app::ops::info(
                core,
                format!(
                    "the expired blocks stay blocked for now: {view}, then {plan}, shows the plan that unblocks them"
                ),
            );
            close(Vec::new())
        }
        Answer::Yes => close(crate::app::list_view::show_plan(core)),
    }
}
