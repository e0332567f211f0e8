//! What covers the list and takes the keys: one file an overlay, with
//! its data, its keys, its lines and its footer hints. The matches here
//! name every overlay: a new one is a file and a variant, and the
//! compiler points at each place it must be handled.

pub(crate) mod after;
pub(crate) mod command_line;
pub(crate) mod details;
pub(crate) mod enable_live;
pub(crate) mod expired;
pub(crate) mod filter;
pub(crate) mod help;
pub(crate) mod history;
pub(crate) mod list_add;
pub(crate) mod live_details;
pub(crate) mod mark_all;
pub(crate) mod messages;
pub(crate) mod prompt;
pub(crate) mod quit;
pub(crate) mod reason;
pub(crate) mod resume;
pub(crate) mod review;
pub(crate) mod targets;
pub(crate) mod text;
pub(crate) mod undo;

use ratatui::crossterm::event::KeyEvent;

use crate::app::confirm;
use crate::app::core::Core;
use crate::app::effect::Effect;
pub use crate::app::pager::Pager;
use crate::protocol::LedgerRead;
use after::{After, Step};
use command_line::LineNext;
use details::DetailsView;
use prompt::PromptNext;
use resume::ResumeOffer;
use review::ReviewNext;
use targets::BatchDialog;

/// What covers the list and takes the keys. Each owns its data, so no
/// overlay can show with another's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Overlay {
    /// Typing a filter (the text is the view's: [`Core::filter`]).
    Filter,
    /// Every key, with a legend; scrolls and searches.
    Help(Pager),
    /// Asking whether to quit with requests pending.
    ConfirmQuit {
        /// Whether "Quit" (not "Cancel") has the focus.
        quit_focused: bool,
    },
    /// Choosing instances for a bulk block/unblock.
    Targets(BatchDialog),
    /// Offering to resume an unfinished batch.
    Resume {
        /// The batch.
        offer: ResumeOffer,
        /// Whether "Resume" (not "Discard") has the focus.
        resume_focused: bool,
    },
    /// Typing a number to block (`a`).
    Prompt(String),
    /// Several pasted numbers, to review before any is sent.
    Review(super::overlays::review::NumberReview),
    /// Asking before an undo of more than one contact or of another
    /// instance.
    Undo(super::overlays::undo::UndoOffer),
    /// Typing a `:` command.
    CommandLine(String),
    /// A contact's details.
    Details(DetailsView),
    /// This session's messages in full, newest first.
    Messages(Pager),
    /// The ledger's actions on an instance.
    History(history::HistoryView),
    /// Why: the reason asked before an action is sent.
    Reason(reason::ReasonAsk),
    /// Asking before `*` marks what a fuzzy filter found.
    MarkAll(mark_all::MarkAllAsk),
    /// A live row's details.
    LiveDetails(live_details::LiveDetails),
    /// Offering to enable instances' WebSocket for the live feed.
    EnableLive(enable_live::EnableOffer),
    /// Asking why, then until when, before numbers join the blocklist.
    ListAdd(list_add::ListAsk),
    /// Offering the plan that unblocks what expired on the blocklist.
    ExpiredOffer(expired::ExpiredOffer),
}

impl Overlay {
    /// The text overlay it is, if it is one.
    pub fn text(&self) -> Option<text::TextView<'_>> {
        use text::TextView;
        match self {
            Overlay::Help(p) => Some(TextView::Help(p)),
            Overlay::Messages(p) => Some(TextView::Messages(p)),
            Overlay::Details(d) => Some(TextView::Details(d)),
            Overlay::History(h) => Some(TextView::History(h)),
            Overlay::LiveDetails(d) => Some(TextView::Live(d)),
            Overlay::EnableLive(_)
            | Overlay::ListAdd(_)
            | Overlay::ExpiredOffer(_)
            | Overlay::Filter
            | Overlay::ConfirmQuit { .. }
            | Overlay::Targets(_)
            | Overlay::Resume { .. }
            | Overlay::Prompt(_)
            | Overlay::Review(_)
            | Overlay::Undo(_)
            | Overlay::CommandLine(_)
            | Overlay::Reason(_)
            | Overlay::MarkAll(_) => None,
        }
    }

    /// Its pager, for the overlays that page through text.
    pub fn pager(&self) -> Option<&Pager> {
        self.text().map(text::TextView::pager)
    }

    /// Its pager, to scroll and search.
    pub fn pager_mut(&mut self) -> Option<&mut Pager> {
        match self {
            Overlay::Help(p) | Overlay::Messages(p) => Some(p),
            Overlay::Details(d) => Some(&mut d.pager),
            Overlay::History(h) => Some(&mut h.pager),
            Overlay::LiveDetails(d) => Some(&mut d.pager),
            Overlay::EnableLive(_)
            | Overlay::ListAdd(_)
            | Overlay::ExpiredOffer(_)
            | Overlay::Filter
            | Overlay::ConfirmQuit { .. }
            | Overlay::Targets(_)
            | Overlay::Resume { .. }
            | Overlay::Prompt(_)
            | Overlay::Review(_)
            | Overlay::Undo(_)
            | Overlay::CommandLine(_)
            | Overlay::Reason(_)
            | Overlay::MarkAll(_) => None,
        }
    }

    /// Which kind it is, to tell when the screen changes wholesale.
    pub fn kind(&self) -> std::mem::Discriminant<Overlay> {
        std::mem::discriminant(self)
    }
}

/// Puts what an overlay's key left in the `slot`: itself as `open`
/// makes it, nothing, or the overlay it leads to as `next` opens it.
fn settle<D, N>(
    core: &mut Core,
    slot: &mut Option<Overlay>,
    (after, mut effects): Step<D, N>,
    open: impl FnOnce(D) -> Overlay,
    next: impl FnOnce(&mut Core, &mut Option<Overlay>, N) -> Vec<Effect>,
) -> Vec<Effect> {
    match after {
        After::Stay(data) => *slot = Some(open(data)),
        After::Close => {}
        After::Next(n) => effects.extend(next(core, slot, n)),
    }
    effects
}

/// For overlays that lead nowhere else.
fn nowhere(_: &mut Core, _: &mut Option<Overlay>, n: std::convert::Infallible) -> Vec<Effect> {
    match n {}
}

/// A key for the open `overlay` (taken out of the slot; what the key
/// leaves open is put back in it).
pub(crate) fn on_key(
    core: &mut Core,
    slot: &mut Option<Overlay>,
    overlay: Overlay,
    key: KeyEvent,
) -> Vec<Effect> {
    match overlay {
        Overlay::Filter => {
            let step = filter::on_key(core, key);
            settle(core, slot, step, |()| Overlay::Filter, nowhere)
        }
        Overlay::ConfirmQuit { quit_focused } => {
            let step = quit::on_key(core, key, quit_focused);
            let open = |quit_focused| Overlay::ConfirmQuit { quit_focused };
            settle(core, slot, step, open, nowhere)
        }
        Overlay::Targets(dialog) => targets_key(core, slot, dialog, key),
        Overlay::Resume {
            offer,
            resume_focused,
        } => resume_key(core, slot, offer, resume_focused, key),
        Overlay::Prompt(text) => {
            let step = prompt::on_prompt_key(core, text, key);
            settle(core, slot, step, Overlay::Prompt, prompt_next)
        }
        Overlay::Review(review) => {
            let step = review::on_key(core, review, key);
            settle(core, slot, step, Overlay::Review, review_next)
        }
        Overlay::CommandLine(text) => {
            let step = command_line::on_key(core, text, key);
            settle(core, slot, step, Overlay::CommandLine, line_next)
        }
        overlay @ (Overlay::Undo(_)
        | Overlay::Reason(_)
        | Overlay::MarkAll(_)
        | Overlay::EnableLive(_)
        | Overlay::ListAdd(_)
        | Overlay::ExpiredOffer(_)) => question_key(core, slot, overlay, key),
        overlay @ (Overlay::Help(_)
        | Overlay::Messages(_)
        | Overlay::Details(_)
        | Overlay::History(_)
        | Overlay::LiveDetails(_)) => text_view_key(core, slot, overlay, key),
    }
}

/// A key of a question that leaves nothing open after it but itself.
fn question_key(
    core: &mut Core,
    slot: &mut Option<Overlay>,
    overlay: Overlay,
    key: KeyEvent,
) -> Vec<Effect> {
    match overlay {
        Overlay::Undo(offer) => {
            let step = undo::on_key(core, offer, key);
            settle(core, slot, step, Overlay::Undo, nowhere)
        }
        Overlay::Reason(ask) => {
            let step = reason::on_key(core, ask, key);
            settle(core, slot, step, Overlay::Reason, nowhere)
        }
        Overlay::MarkAll(ask) => {
            let step = mark_all::on_key(core, ask, key);
            settle(core, slot, step, Overlay::MarkAll, nowhere)
        }
        Overlay::EnableLive(offer) => {
            let step = enable_live::on_key(core, offer, key);
            settle(core, slot, step, Overlay::EnableLive, nowhere)
        }
        Overlay::ListAdd(ask) => {
            let step = list_add::on_key(core, ask, key);
            settle(core, slot, step, Overlay::ListAdd, nowhere)
        }
        Overlay::ExpiredOffer(offer) => {
            let step = expired::on_key(core, offer, key);
            settle(core, slot, step, Overlay::ExpiredOffer, nowhere)
        }
        other => {
            *slot = Some(other);
            Vec::new()
        }
    }
}

/// A key of the bulk dialog: confirmed, it asks why.
fn targets_key(
    core: &mut Core,
    slot: &mut Option<Overlay>,
    dialog: targets::BatchDialog,
    key: KeyEvent,
) -> Vec<Effect> {
    let step = targets::on_dialog_key(core, dialog, key);
    let next = |_: &mut Core, slot: &mut Option<Overlay>, ask| {
        *slot = Some(Overlay::Reason(ask));
        Vec::new()
    };
    settle(core, slot, step, Overlay::Targets, next)
}

/// A key of the offer to resume an unfinished batch.
fn resume_key(
    core: &mut Core,
    slot: &mut Option<Overlay>,
    offer: resume::ResumeOffer,
    resume_focused: bool,
    key: KeyEvent,
) -> Vec<Effect> {
    let step = resume::on_resume_key(core, offer, resume_focused, key);
    let open = |(offer, resume_focused)| Overlay::Resume {
        offer,
        resume_focused,
    };
    settle(core, slot, step, open, nowhere)
}

/// A key of a text view (help, messages, details, history): it scrolls,
/// searches, copies, or closes it.
fn text_view_key(
    core: &mut Core,
    slot: &mut Option<Overlay>,
    mut overlay: Overlay,
    key: KeyEvent,
) -> Vec<Effect> {
    let Some(view) = overlay.text() else {
        return Vec::new();
    };
    if let text::TextView::Details(d) = view
        && !d.pager.typing
        && core.keymap.command_for(&key) == Some(crate::keys::Command::ToggleBlock)
    {
        return details_toggle(core, slot, overlay);
    }
    let read = text::read_key(core, view, key);
    let Some(pager) = overlay.pager_mut() else {
        return Vec::new();
    };
    let (stays, effects) = text::on_key(core, pager, read);
    if stays {
        *slot = Some(overlay);
    }
    effects
}

/// `b` in the details: blocks (or unblocks) the contact they show, as
/// `b` on its row does; the details stay open to show it, unless the
/// reason is asked.
fn details_toggle(core: &mut Core, slot: &mut Option<Overlay>, overlay: Overlay) -> Vec<Effect> {
    let Overlay::Details(d) = &overlay else {
        return Vec::new();
    };
    let instance = d.instance;
    let (jid, (lid, who)) = match core.instances.get(instance) {
        Some(inst) => (d.jid.clone(), details::target(d, inst)),
        None => return Vec::new(),
    };
    match crate::app::toggle::toggle(core, instance, jid, lid, who) {
        crate::app::bulk::Begun::Sent(effects) => {
            *slot = Some(overlay);
            effects
        }
        crate::app::bulk::Begun::AsksWhy(then) => {
            ask_why(core, slot, then);
            Vec::new()
        }
    }
}

/// Where the number prompt leads: the review of a paste, or the reason.
fn prompt_next(core: &mut Core, slot: &mut Option<Overlay>, next: PromptNext) -> Vec<Effect> {
    match next {
        PromptNext::Review(review) => {
            // Who each number is shows as the lookups come.
            let wanted = review.to_look_up(core);
            *slot = Some(Overlay::Review(review));
            return crate::app::lookups::ask(core, wanted);
        }
        PromptNext::Reason(then) => ask_why(core, slot, then),
    }
    Vec::new()
}

/// Where the review leads: back to the prompt, or the reason.
fn review_next(core: &mut Core, slot: &mut Option<Overlay>, next: ReviewNext) -> Vec<Effect> {
    match next {
        ReviewNext::Prompt(text) => *slot = Some(Overlay::Prompt(text)),
        ReviewNext::Reason(then) => ask_why(core, slot, then),
    }
    Vec::new()
}

/// Where a `:` command leads.
fn line_next(core: &mut Core, slot: &mut Option<Overlay>, next: LineNext) -> Vec<Effect> {
    match next {
        LineNext::Help => open_help(slot),
        LineNext::Messages => open_messages(slot),
        LineNext::History => return open_history(core, slot),
        LineNext::Quit => return request_quit(core, slot),
        LineNext::Reason(then) => ask_why(core, slot, then),
    }
    Vec::new()
}

/// Opens the question why before `then` is sent.
pub(crate) fn ask_why(core: &Core, slot: &mut Option<Overlay>, then: crate::app::bulk::Then) {
    *slot = Some(Overlay::Reason(reason::ask(core, then)));
}

/// Quits, or asks first while work is pending.
pub(crate) fn request_quit(core: &Core, slot: &mut Option<Overlay>) -> Vec<Effect> {
    if !quit::asks_first(core) {
        return vec![Effect::Quit];
    }
    *slot = Some(Overlay::ConfirmQuit {
        quit_focused: false,
    });
    Vec::new()
}

/// Opens help.
pub(crate) fn open_help(slot: &mut Option<Overlay>) {
    *slot = Some(Overlay::Help(Pager::default()));
}

/// Opens the message log.
pub(crate) fn open_messages(slot: &mut Option<Overlay>) {
    *slot = Some(Overlay::Messages(Pager::default()));
}

/// Opens the history of the shown instance and asks the ledger for it.
pub(crate) fn open_history(core: &Core, slot: &mut Option<Overlay>) -> Vec<Effect> {
    let instance = core.current;
    *slot = Some(Overlay::History(history::HistoryView::new(instance)));
    vec![history_read(instance)]
}

/// Actions the history overlay reads at most (the newest).
pub(crate) const HISTORY_SHOWN: usize = 5_000;

/// The read of an instance's history that the history and the details
/// show.
pub(crate) fn history_read(instance: usize) -> Effect {
    Effect::read(LedgerRead::History {
        instance: Some(instance),
        since: None,
        limit: HISTORY_SHOWN,
    })
}

/// Opens the details of the selected row and asks the ledger for its
/// history.
pub(crate) fn open_details(core: &mut Core, slot: &mut Option<Overlay>) -> Vec<Effect> {
    // The list row (contacts, then numbers not in contacts), not the
    // index inside whichever store holds it.
    let (Some(&row), Some(jid)) = (
        core.visible.get(core.selected),
        core.selected_contact().map(|c| c.jid().to_string()),
    ) else {
        crate::app::ops::info(core, "no contact selected");
        return Vec::new();
    };
    let instance = core.current;
    // Who it is: a number that is no contact is looked up, and a hidden
    // number (`@lid`) is resolved to its number.
    let inst = &core.instances[instance];
    let wanted = if jid.ends_with(crate::model::number::LID_SUFFIX) {
        Some(jid.clone())
    } else if inst.is_outsider(row) {
        crate::app::lookups::number_of(&jid).map(str::to_string)
    } else {
        None
    };
    *slot = Some(Overlay::Details(DetailsView {
        instance,
        jid,
        row,
        pager: Pager::default(),
        history: None,
    }));
    let mut effects = vec![history_read(instance)];
    effects.extend(crate::app::lookups::ask(
        core,
        wanted.map(|w| (instance, w)),
    ));
    effects
}

/// The ledger's actions of `instance` arrived: for the history or the
/// details waiting for them.
pub(crate) fn on_history(
    core: &Core,
    slot: &mut Option<Overlay>,
    instance: usize,
    result: Result<Vec<crate::store::ledger::HistoryEntry>, String>,
) {
    match slot.as_mut() {
        Some(Overlay::History(h)) if h.instance == instance => {
            let inst = core.instances.get(instance);
            let contest_of = |jid: &str| inst.and_then(|i| i.contest_of(jid, None));
            h.arrived(result, inst.map(|i| &*i.contacts), contest_of);
        }
        Some(Overlay::Details(d)) if d.instance == instance => d.history = Some(result),
        _ => {}
    }
}

/// Whether the open `overlay` follows `instance`'s ledger (to read it
/// again when an answer is recorded).
pub(crate) fn follows(overlay: Option<&Overlay>, instance: usize) -> bool {
    matches!(overlay, Some(Overlay::History(h)) if h.instance == instance)
        || matches!(overlay, Some(Overlay::Details(d)) if d.instance == instance)
}

/// Whether a paste is typed into `overlay` (a line, or a search being
/// typed); dialogs take no text.
pub(crate) fn takes_text(overlay: &Overlay) -> bool {
    match overlay {
        Overlay::Filter
        | Overlay::Prompt(_)
        | Overlay::CommandLine(_)
        | Overlay::Reason(_)
        | Overlay::ListAdd(_) => true,
        Overlay::Help(_)
        | Overlay::Messages(_)
        | Overlay::Details(_)
        | Overlay::History(_)
        | Overlay::LiveDetails(_) => overlay.pager().is_some_and(|p| p.typing),
        Overlay::ConfirmQuit { .. }
        | Overlay::EnableLive(_)
        | Overlay::ExpiredOffer(_)
        | Overlay::Targets(_)
        | Overlay::Resume { .. }
        | Overlay::Review(_)
        | Overlay::Undo(_)
        | Overlay::MarkAll(_) => false,
    }
}

/// A paste (one line of text, see [`crate::app::paste`]) typed into the
/// open `overlay`.
pub(crate) fn on_paste(
    core: &mut Core,
    slot: &mut Option<Overlay>,
    mut overlay: Overlay,
    text: &str,
) -> Vec<Effect> {
    let line = crate::util::text::one_line(text);
    match &mut overlay {
        Overlay::Filter => {
            let step = filter::on_paste(core, &line);
            return settle(core, slot, step, |()| Overlay::Filter, nowhere);
        }
        Overlay::Prompt(typed) => {
            let step = prompt::on_paste(core, std::mem::take(typed), text);
            return settle(core, slot, step, Overlay::Prompt, prompt_next);
        }
        Overlay::CommandLine(typed) => {
            typed.push_str(&line);
            if let Some(number) = command_line::block_number(typed) {
                crate::app::lookups::typed(core, number);
            }
        }
        Overlay::Reason(ask) => ask.text.push_str(&line),
        Overlay::ListAdd(ask) => ask.text.push_str(&line),
        Overlay::Help(_)
        | Overlay::Messages(_)
        | Overlay::Details(_)
        | Overlay::History(_)
        | Overlay::LiveDetails(_) => {
            if let Some(pager) = overlay.pager_mut() {
                pager.search.push_str(&line);
            }
        }
        // Dialogs take no text (refused before); they stay as they are.
        Overlay::ConfirmQuit { .. }
        | Overlay::EnableLive(_)
        | Overlay::ExpiredOffer(_)
        | Overlay::Targets(_)
        | Overlay::Resume { .. }
        | Overlay::Review(_)
        | Overlay::Undo(_)
        | Overlay::MarkAll(_) => {}
    }
    *slot = Some(overlay);
    Vec::new()
}

/// The footer's keys while `overlay` is open, as (key, what it does),
/// from the keymap in force.
pub(crate) fn hints(overlay: &Overlay, core: &Core) -> Vec<(String, &'static str)> {
    let keymap = &core.keymap;
    match overlay {
        Overlay::Filter => {
            let modes = !core.live.shown && !core.list_view.shown;
            filter::hints(keymap, modes.then(|| core.matching()))
        }
        Overlay::CommandLine(_) => command_line::hints(keymap),
        Overlay::Prompt(_) => prompt::hints(keymap),
        Overlay::Reason(_) => reason::hints(keymap),
        Overlay::ListAdd(ask) => list_add::hints(keymap, ask),
        Overlay::Help(_) | Overlay::Messages(_) | Overlay::History(_) => {
            text::hints(keymap, false, false)
        }
        Overlay::Details(_) => text::hints(keymap, true, true),
        Overlay::LiveDetails(_) => text::hints(keymap, true, false),
        Overlay::Targets(_) => targets::hints(keymap),
        // `y` does what the question's button says.
        Overlay::ConfirmQuit { .. } => confirm::hints(&keymap.dialog, "quit"),
        Overlay::EnableLive(_) => confirm::hints(&keymap.dialog, "enable"),
        Overlay::ExpiredOffer(_) => confirm::hints(&keymap.dialog, "plan"),
        Overlay::Resume { .. } => confirm::hints(&keymap.dialog, "resume"),
        Overlay::Review(_) => confirm::hints(&keymap.dialog, "block"),
        Overlay::Undo(offer) if offer.redo => confirm::hints(&keymap.dialog, "redo"),
        Overlay::Undo(_) => confirm::hints(&keymap.dialog, "undo"),
        Overlay::MarkAll(_) => confirm::hints(&keymap.dialog, "mark"),
    }
}
