//! Who holds an apply of the blocklist: what the screen says when another
//! run holds the claim on the batch `y` would resume.

use crate::app::core::Core;
use crate::keys::Command;

/// What every apply batch's label holds (see `app::blocklist`).
pub(crate) const APPLY_LABEL: &str = "blocklist: apply plan";

/// What the screen says when another run holds the claim on a batch: for
/// an apply of the blocklist, who is applying it; `None` for others.
pub(crate) fn held_text(core: &Core, label: &str, operator: &str, ago: &str) -> Option<String> {
    let plan = core.keymap.label_of(Command::ListPlan);
    label.contains(APPLY_LABEL).then(|| {
        format!(
            "{operator} is applying the blocklist (progress {ago}): nothing sent twice · {plan} shows the plan again once it is done"
        )
    })
}
