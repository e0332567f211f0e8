//! `list`: every contact of the chosen instances, streamed; `--blocked`
//! keeps those the ledger knows as blocked, with the app's own rule (the
//! blocked view's).

use std::sync::Arc;

use serde::Serialize;

use crate::app::state::{Instance, Load};
use crate::cli::args::ListArgs;
use crate::cli::failure::{Failure, exit, fail};
use crate::cli::output::{Column, JsonArray, Table};
use crate::engine::{Engine, Flow};
use crate::model::change::Change;
use crate::model::contacts::ContactRef;
use crate::protocol::{Msg, Request};

/// One row of `list`.
#[derive(Serialize)]
struct ListRow<'a> {
    instance: &'a str,
    jid: &'a str,
    lid: Option<&'a str>,
    number: String,
    e164: Option<String>,
    name: String,
    state: Option<&'static str>,
    /// Set while two desks' answers for it could not be ordered:
    /// `desk-a blocked, desk-b unblocked 2 s apart`.
    contest: Option<&'a str>,
    /// The state as the table shows it: `blocked · contested: …`.
    #[serde(skip)]
    shown_state: String,
    /// Who made the last known change, when the ledger says.
    operator: Option<&'a str>,
    /// Why, when a reason was given.
    reason: Option<&'a str>,
}

/// The columns of `list` on a terminal: the number whole (a hidden one's
/// JID in its place), the name cut to fit, who and why left out first.
const COLUMNS: [Column; 6] = [
    Column::keep("INSTANCE"),
    Column::keep("NUMBER"),
    Column::keep("STATE"),
    Column::cut("NAME"),
    Column::spare("OPERATOR"),
    Column::spare("REASON"),
];

impl ListRow<'_> {
    /// The fields piped to another program: instance, number, state,
    /// name, E.164 (or the JID), operator, reason.
    fn fields(&self) -> [&str; 7] {
        [
            self.instance,
            &self.number,
            &self.shown_state,
            &self.name,
            self.e164.as_deref().unwrap_or(self.jid),
            self.operator.unwrap_or("-"),
            self.reason.unwrap_or("-"),
        ]
    }

    /// The fields of [`COLUMNS`], for a terminal.
    fn terminal_fields(&self) -> [&str; 6] {
        let number = match self.e164 {
            Some(_) => self.number.as_str(),
            None => self.jid,
        };
        [
            self.instance,
            number,
            self.state.unwrap_or("-"),
            &self.name,
            self.operator.unwrap_or("-"),
            self.reason.unwrap_or("-"),
        ]
    }
}

/// Where each listed row goes: a table or a streamed JSON array.
enum Sink {
    Table(Table),
    Json(JsonArray),
}

impl Sink {
    fn push(&mut self, row: &ListRow<'_>) -> std::io::Result<()> {
        match self {
            Sink::Table(t) if t.is_terminal() => t.row(&row.terminal_fields()),
            Sink::Table(t) => t.row(&row.fields()),
            Sink::Json(j) => j.push(row),
        }
    }

    fn finish(self) -> std::io::Result<()> {
        match self {
            Sink::Table(t) => t.finish(),
            Sink::Json(j) => j.finish(),
        }
    }
}

/// `list`: every contact of the chosen instances, streamed one instance at
/// a time; with `--blocked`, every number the ledger knows as blocked,
/// contacts or not.
pub(crate) async fn list(engine: &mut Engine, args: ListArgs) -> Result<(), Failure> {
    let chosen = match &args.instance {
        Some(name) => vec![super::choose::instance_index(engine, name)?],
        None => (0..engine.profile().instances.len()).collect(),
    };
    let mut sink = if args.json {
        Sink::Json(JsonArray::stdout()?)
    } else {
        Sink::Table(Table::with_columns(&COLUMNS))
    };
    let mut errors = Vec::new();
    // Exit 3 or 4 go by instances that answered, not by rows: `--blocked`
    // on instances with nothing blocked is an answer too.
    let mut answered = 0;
    for i in chosen {
        let request = Msg::Request(Request::LoadContacts { instance: i });
        engine
            .run(request, |state, _| match state.instances[i].load {
                Load::Loaded | Load::Failed(_) => Flow::Stop,
                Load::NotStarted | Load::Loading => Flow::Continue,
            })
            .await;
        let inst = &engine.state().instances[i];
        if let Load::Failed(e) = &inst.load {
            errors.push(format!("{}: {}", inst.name, e.summary()));
            continue;
        }
        let skipped = inst.contacts.skipped();
        if skipped > 0 {
            crate::cli::output::say(&format!(
                "warning: {}: {skipped} row(s) of the server's list were not valid contacts and were skipped",
                inst.name
            ));
        }
        list_instance(&mut sink, inst, args.blocked)?;
        answered += 1;
        // Done with this instance: its rows need not stay in memory.
        engine.state_mut().instances[i].contacts = Arc::default();
    }
    sink.finish()?;
    if errors.is_empty() {
        Ok(())
    } else if answered == 0 {
        Err(fail(exit::API, errors.join("; ")))
    } else {
        Err(fail(exit::PARTIAL, errors.join("; ")))
    }
}

/// One row: `c` of `inst`, under `name`, in `state`, with who made its
/// last known change and why.
fn row_of<'a>(
    inst: &'a Instance,
    c: &ContactRef<'a>,
    name: String,
    state: Option<&'static str>,
) -> ListRow<'a> {
    let why = state.and(inst.why_of(c.jid(), c.lid()));
    let contest = state.and(inst.contest_of(c.jid(), c.lid()));
    let shown_state = match (state, contest) {
        (Some(state), Some(contest)) => format!("{state} · contested: {contest}"),
        (Some(state), None) => state.to_string(),
        (None, _) => "-".to_string(),
    };
    ListRow {
        contest,
        shown_state,
        instance: &inst.name,
        jid: c.jid(),
        lid: c.lid(),
        number: c.number().to_string(),
        e164: c.digits().map(|d| format!("+{d}")),
        name,
        state,
        operator: why.and_then(|w| w.operator.as_deref()),
        reason: why.and_then(|w| w.reason.as_deref()),
    }
}

/// Writes the rows of one instance. What is known of a
/// contact and which blocked numbers are no contact are the app's
/// answers ([`Instance::known_of`], [`Instance::find_outsiders`]).
fn list_instance(sink: &mut Sink, inst: &Instance, blocked_only: bool) -> std::io::Result<()> {
    for c in inst.contacts.iter() {
        let state = inst.known_of(&c).map(|k| Change::of(k.blocked).done_word());
        if blocked_only && state != Some("blocked") {
            continue;
        }
        sink.push(&row_of(inst, &c, c.display_name(), state))?;
    }
    if blocked_only {
        // Numbers blocked by number (`a`, the command line) that are not
        // in the address book: the ledger is the only one that knows them.
        let outsiders = inst.find_outsiders();
        for c in outsiders.iter() {
            let name = "not in contacts".to_string();
            sink.push(&row_of(inst, &c, name, Some("blocked")))?;
        }
    }
    Ok(())
}
