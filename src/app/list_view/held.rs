//! Who holds an apply of the blocklist: what the screen says when another
//! run holds the claim on the batch `y` would resume.

use crate::app::core::Core;
use crate::keys::Command;

/// What the screen says when another run holds the claim on an apply of
/// the blocklist: who is applying it, and how to see the plan again.
pub(crate) fn held_text(core: &Core, operator: &str, ago: &str) -> String {
    let plan = core.keymap.label_of(Command::ListPlan);
    format!(
        "{operator} is applying the blocklist (progress {ago}): nothing sent twice · {plan} shows the plan again once it is done"
    )
}
