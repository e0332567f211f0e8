//! The plan as the Blocklist view says it: a head line (its id and what
//! it sends), then per instance its state and, per action, how many and
//! the first few names or numbers. Pure: the view draws these lines.

use crate::app::core::Core;
use crate::keys::Command;
use crate::model::blocklist::{Action, Plan, jid_of};
use crate::model::number::shown_jid;

/// Steps named per action; the rest are counted.
pub const NAMED: usize = 3;

/// How a line of the plan is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    /// The head line.
    Head,
    /// An instance.
    Instance,
    /// What is sent.
    Send,
    /// What is not sent (refused, unreachable, read-only).
    Held,
}

/// Where the plan stands, as lines to show.
pub fn lines(core: &Core) -> Vec<(Tone, String)> {
    let list = &core.blocklist;
    if let Some(error) = &list.error {
        return vec![(Tone::Held, error.clone())];
    }
    match &list.plan {
        Some(plan) if list.wanted.is_none() => plan_lines(core, plan),
        _ => vec![(
            Tone::Head,
            "Making the plan: reading the blocklist, the instances' states and what lookups said of its numbers…"
                .to_string(),
        )],
    }
}

/// The lines of a plan made.
fn plan_lines(core: &Core, plan: &Plan) -> Vec<(Tone, String)> {
    let sends = plan
        .steps
        .iter()
        .filter(|s| matches!(s.action, Action::Block | Action::Unblock))
        .count();
    let apply = core.keymap.label_of(Command::ListApply);
    let back = core.keymap.label_of(Command::ListPlan);
    let head = if sends == 0 {
        format!(
            "Plan {} · every instance follows the blocklist: nothing to send · {back} back to the entries",
            plan.id
        )
    } else {
        format!(
            "Plan {} · {sends} change(s) to send · {apply} applies it · {back} back to the entries",
            plan.id
        )
    };
    let mut out = vec![(Tone::Head, head)];
    for (i, inst) in core.instances.iter().enumerate() {
        let state = if inst.read_only {
            "read-only: nothing is sent there".to_string()
        } else {
            inst.connection.label()
        };
        out.push((Tone::Instance, format!("{} · {state}", inst.name)));
        let mut any = false;
        for action in [
            Action::Block,
            Action::Unblock,
            Action::Refused,
            Action::Unreachable,
        ] {
            if let Some(line) = action_line(core, plan, i, action) {
                let tone = match action {
                    Action::Block | Action::Unblock if !inst.read_only => Tone::Send,
                    _ => Tone::Held,
                };
                out.push((tone, line));
                any = true;
            }
        }
        if !any {
            out.push((
                Tone::Held,
                "  nothing to do: it follows the list".to_string(),
            ));
        }
    }
    out
}

/// `  block 2: Ana Silva (+55 11 91111-0001), +62 812-3456-7890`, with
/// why for what is not a block (`(its entry expired)`), or `None` when
/// the plan has no such step there.
fn action_line(core: &Core, plan: &Plan, instance: usize, action: Action) -> Option<String> {
    let steps: Vec<_> = plan
        .steps
        .iter()
        .filter(|s| s.instance == instance && s.action == action)
        .collect();
    let first = steps.first()?;
    let named: Vec<String> = steps
        .iter()
        .take(NAMED)
        .map(|s| who(core, instance, &s.target))
        .collect();
    let more = match steps.len().saturating_sub(NAMED) {
        0 => String::new(),
        n => format!(" and {n} more"),
    };
    let why = match action {
        Action::Block => String::new(),
        _ => format!(" ({})", first.reason),
    };
    Some(format!(
        "  {} {}: {}{more}{why}",
        action.word(),
        steps.len(),
        named.join(", ")
    ))
}

/// A target as the plan names it: the contact's name and number when it
/// is a contact of the instance, else the number (or the `@lid`).
fn who(core: &Core, instance: usize, target: &str) -> String {
    let jid = jid_of(target);
    match core.instances[instance].contacts.find(&jid) {
        Some(c) if !c.name().is_empty() => c.describe(),
        _ => shown_jid(&jid),
    }
}
