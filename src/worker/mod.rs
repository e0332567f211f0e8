//! The async API worker: the only place that talks HTTP. It takes
//! [`ApiJob`]s from a channel, runs them concurrently within each token's
//! rate budget, retries what is worth retrying, writes block outcomes to
//! the ledger, and sends the results back as messages. The UI never awaits
//! it.
//!
//! Each token has its own lane: at most [`MAX_IN_FLIGHT`] of its requests
//! are on the wire at once, and that slot is held around the send alone.
//! A rate wait or a backoff holds nothing, so one token's spent budget
//! never delays another token's work, and jobs that only touch the ledger
//! never wait for HTTP.

use crate::model::change::Change;
use std::future::Future;
use std::hash::{BuildHasher, Hasher};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::Url;
use tokio::sync::{Semaphore, mpsc};

use crate::api::rate::{Heard, MAX_IN_FLIGHT, POLL, Permit, RateBudgets};
use crate::api::{ApiClient, ApiError, Endpoint, Reply, contacts};
use crate::app::msg::BatchCreated;
use crate::app::{ApiJob, ApiResult, BlockDone, ErrorInfo, InstanceStatus, Msg};
use crate::config::profile::InstanceConfig;
use crate::model::contacts::ContactStore;
use crate::model::number::{self, JidKind};
use crate::store::cache;
use crate::store::ledger::{BatchItem, HistoryEntry, KnownState, Ledger, LedgerError, Outcome};
use crate::util::secret::Token;

/// Longest pause between two attempts, whatever the backoff says.
const MAX_BACKOFF: Duration = Duration::from_secs(10);
/// Time-outs in a row after which a token's server counts as silent...
const SILENT_AFTER: u32 = 3;
/// ...when it has not answered anything for this long either (a busy
/// server that is slow now and then keeps answering other requests).
const QUIET_MS: u64 = 5_000;
/// How long a silent server gets no new request before one is tried.
const SILENT_FOR_MS: u64 = 60_000;

/// Time-outs in a row of one token, its last answer, and until when it
/// is left alone.
#[derive(Debug, Clone, Copy, Default)]
struct Silence {
    timeouts: u32,
    last_answer_ms: u64,
    until_ms: u64,
}

/// How failed requests are retried.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    /// Attempts in all, the first one included.
    pub max_attempts: u32,
    /// Pause after the first failure; doubled after each further one, plus
    /// up to as much random jitter.
    pub base_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 4,
            base_delay: Duration::from_millis(500),
        }
    }
}

impl RetryPolicy {
    /// The pause before attempt `attempt + 1` after a transient failure.
    fn backoff(&self, attempt: u32) -> Duration {
        let exp = self.base_delay.saturating_mul(1 << (attempt - 1).min(16));
        let jitter_ms = self.base_delay.as_millis().max(1) as u64;
        let jitter = Duration::from_millis(random() % jitter_ms);
        (exp + jitter).min(MAX_BACKOFF)
    }
}

/// A random number without a random-number crate: std's hasher keys are
/// random per process.
fn random() -> u64 {
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(crate::util::dates::now_unix() as u64);
    h.finish()
}

fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// Actions the history overlay reads at most (the newest).
pub const HISTORY_SHOWN: usize = 5_000;

/// A block or unblock asked of a read-only instance: never sent.
fn read_only_refusal(instance: &str) -> ErrorInfo {
    ErrorInfo {
        kind: crate::app::ErrorKind::Local,
        status: None,
        message: format!("read-only: nothing is sent to {instance}"),
        hint: "read_only is set in the profile, or --read-only was given".to_string(),
    }
}

/// What to check when the ledger could not be read: the team's database
/// connection, or the data folder.
fn read_hint(e: &LedgerError) -> &'static str {
    match e {
        LedgerError::Unreachable { .. } | LedgerError::Postgres { .. } => e.hint(),
        _ => "check the data folder",
    }
}

/// Nothing goes out unrecorded: the error when the ledger refuses a write.
fn ledger_unwritable(what: &str, why: &LedgerError) -> ErrorInfo {
    ErrorInfo::local(
        format!("{what}: the ledger cannot be written ({why})"),
        why.hint(),
    )
}

/// The longest the UI goes without reading the whole ledger, whatever its
/// change mark says (the poll behind LISTEN/NOTIFY).
const FULL_READ: Duration = Duration::from_secs(10);

/// Identity of a rate budget: the server and the token.
type BudgetKey = (Url, Token);

/// Everything the worker needs.
#[derive(Debug, Clone)]
pub struct WorkerContext {
    /// The profile's instances; jobs name them by index.
    pub instances: Arc<Vec<InstanceConfig>>,
    /// The HTTP client.
    pub client: ApiClient,
    /// The ledger, shared with nobody else while the app runs.
    pub ledger: Arc<Mutex<Box<dyn Ledger>>>,
    /// Who the ledger records as asking (the profile's operator).
    pub operator: String,
    /// How failures are retried.
    pub retry: RetryPolicy,
    /// Where contact lists are cached, if anywhere.
    pub cache_dir: Option<PathBuf>,
    /// Whether a fresh list gets its sort orders and search index built in
    /// the background (the UI filters and sorts; headless commands do not).
    pub warm_stores: bool,
    /// Where budget reports go (set by [`spawn`]).
    events: Option<mpsc::UnboundedSender<Msg>>,
    budgets: Arc<RateBudgets<BudgetKey>>,
    /// The latest contact list of each instance, to tell whose `@lid` a
    /// block answer names.
    stores: Arc<Mutex<std::collections::HashMap<usize, Arc<ContactStore>>>>,
    /// Each token's lane: the slots its requests take while on the wire.
    lanes: Arc<Mutex<std::collections::HashMap<BudgetKey, Arc<Semaphore>>>>,
    /// Each token's time-outs in a row (a server that stopped answering).
    silence: Arc<Mutex<std::collections::HashMap<BudgetKey, Silence>>>,
    /// The ledger's change mark at the last full read of what it knows,
    /// and when that read was.
    known_mark: Arc<Mutex<Option<(i64, Instant)>>>,
}

impl WorkerContext {
    /// The context of a front end: the profile's instances and operator,
    /// the contact cache in `data_dir`.
    pub fn for_profile(
        profile: &crate::config::profile::Profile,
        client: ApiClient,
        ledger: Box<dyn Ledger>,
        data_dir: &std::path::Path,
    ) -> Self {
        let mut ctx = WorkerContext::new(profile.instances.clone(), client, ledger);
        ctx.operator = profile.operator.clone();
        ctx.cache_dir = Some(data_dir.to_path_buf());
        ctx
    }

    /// A context for `instances` with the default retry policy.
    pub fn new(instances: Vec<InstanceConfig>, client: ApiClient, ledger: Box<dyn Ledger>) -> Self {
        WorkerContext {
            instances: Arc::new(instances),
            client,
            ledger: Arc::new(Mutex::new(ledger)),
            operator: crate::config::login_name(),
            retry: RetryPolicy::default(),
            cache_dir: None,
            warm_stores: true,
            events: None,
            budgets: Arc::new(RateBudgets::new()),
            stores: Arc::default(),
            lanes: Arc::default(),
            silence: Arc::default(),
            known_mark: Arc::default(),
        }
    }

    /// Whether `key`'s server is silent now: [`SILENT_AFTER`] time-outs in
    /// a row with no answer for [`QUIET_MS`], the last less than
    /// [`SILENT_FOR_MS`] ago. Returns how many.
    fn silent(&self, key: &BudgetKey) -> Option<u32> {
        let silence = self.silence.lock().unwrap_or_else(|p| p.into_inner());
        let s = silence.get(key)?;
        (s.timeouts >= SILENT_AFTER && now_ms() < s.until_ms).then_some(s.timeouts)
    }

    /// Counts a time-out of `key`, or clears the count when the server
    /// answered (any HTTP answer). Other failures (a refused connection)
    /// fail fast and change nothing here.
    fn heard_from(&self, key: &BudgetKey, answered: bool, timed_out: bool) {
        let mut silence = self.silence.lock().unwrap_or_else(|p| p.into_inner());
        let s = silence.entry(key.clone()).or_default();
        let now = now_ms();
        if answered {
            *s = Silence {
                last_answer_ms: now,
                ..Silence::default()
            };
            return;
        }
        if !timed_out {
            return;
        }
        s.timeouts += 1;
        if s.timeouts >= SILENT_AFTER && now.saturating_sub(s.last_answer_ms) >= QUIET_MS {
            s.until_ms = now_ms() + SILENT_FOR_MS;
            if s.timeouts == SILENT_AFTER {
                tracing::warn!(
                    timeouts = s.timeouts,
                    "the server does not answer: its token's requests are held"
                );
            }
        }
    }

    /// The lane of `key`, made on first use.
    fn lane(&self, key: &BudgetKey) -> Arc<Semaphore> {
        self.lanes
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .entry(key.clone())
            .or_insert_with(|| Arc::new(Semaphore::new(MAX_IN_FLIGHT)))
            .clone()
    }

    /// Sets the longest wait a server's rate answer can impose (RyzeAPI's
    /// window, one minute, unless a test needs it shorter).
    pub fn set_rate_window(&mut self, window: Duration) {
        self.budgets = Arc::new(RateBudgets::with_window(window));
    }
}

/// Starts the worker on the current runtime; results go to `results`.
/// Returns the sender for jobs; the worker ends when it is dropped.
pub fn spawn(
    mut ctx: WorkerContext,
    results: mpsc::UnboundedSender<Msg>,
) -> mpsc::UnboundedSender<ApiJob> {
    ctx.events = Some(results.clone());
    let (jobs_tx, mut jobs) = mpsc::unbounded_channel::<ApiJob>();
    tokio::spawn(async move {
        while let Some(job) = jobs.recv().await {
            let ctx = ctx.clone();
            let results = results.clone();
            // Each job runs on its own; what it sends waits in its
            // token's lane (see `call`).
            tokio::spawn(async move {
                let result = ctx.run(job).await;
                let _ = results.send(Msg::Api(result));
            });
        }
    });
    jobs_tx
}

impl WorkerContext {
    fn endpoint(&self, index: usize) -> Endpoint<'_> {
        let inst = &self.instances[index];
        Endpoint {
            base_url: &inst.base_url,
            token: &inst.token,
        }
    }

    /// Runs one job to its result.
    pub async fn run(&self, job: ApiJob) -> ApiResult {
        match job {
            ApiJob::LoadInstances => ApiResult::Instances(self.load_instances().await),
            ApiJob::LoadContacts { instance } => ApiResult::Contacts {
                instance,
                result: self.load_contacts(instance).await,
            },
            ApiJob::Block {
                instance,
                jid,
                lid,
                block,
                action,
                batch,
                reason,
            } => {
                let result = self
                    .block(
                        instance,
                        &jid,
                        lid.as_deref(),
                        block,
                        action,
                        reason.as_deref(),
                    )
                    .await;
                ApiResult::Block {
                    instance,
                    jid,
                    block,
                    batch,
                    result,
                }
            }
            ApiJob::CreateBatch {
                label,
                items,
                reason,
            } => ApiResult::BatchCreated(self.create_batch(label, items, reason).await),
            ApiJob::LoadKnown => ApiResult::Known(self.load_known().await.map_err(|e| {
                ErrorInfo::local(format!("the ledger was not read: {e}"), read_hint(&e))
            })),
            ApiJob::ClaimBatch { batch } => self.claim(batch).await,
            ApiJob::CloseBatch { batch, status } => {
                if let Err(e) = self
                    .with_ledger(move |ledger| ledger.close_batch(batch, status))
                    .await
                {
                    tracing::warn!(batch, error = %e, "batch not closed in the ledger");
                }
                ApiResult::BatchClosed
            }
            ApiJob::Settle {
                instance,
                jid,
                block,
            } => {
                let result = self.settle(instance, &jid, block).await;
                ApiResult::Settled {
                    instance,
                    jid,
                    result,
                }
            }
            ApiJob::History { instance } => ApiResult::History {
                instance,
                result: self.history(instance).await,
            },
            ApiJob::Probe { instance } => ApiResult::Probe {
                instance,
                result: self.probe(instance).await,
            },
        }
    }

    /// Claims batch `batch` for this run's operator, so that no other run
    /// resumes it at the same time.
    async fn claim(&self, batch: i64) -> ApiResult {
        let operator = self.operator.clone();
        let result = self
            .with_ledger(move |ledger| ledger.claim_batch(batch, &operator))
            .await
            .map_err(|e| {
                ErrorInfo::local(
                    format!("the batch could not be claimed: {e}"),
                    format!("{}, then resume again", read_hint(&e)),
                )
            });
        ApiResult::Claimed { batch, result }
    }

    /// Every contact of one instance, as a store.
    async fn load_contacts(&self, instance: usize) -> Result<Arc<ContactStore>, ErrorInfo> {
        let ep = self.endpoint(instance);
        let name = &self.instances[instance].name;
        match self
            .call(ep, "contacts", name, || self.client.contacts_body(ep, name))
            .await
        {
            Ok(body) => self.build_store(instance, body).await,
            Err(e) => Err(ErrorInfo::from(&e)),
        }
    }

    /// Records a batch and an intent per item before any is sent.
    async fn create_batch(
        &self,
        label: String,
        items: Vec<crate::app::batch::Item>,
        reason: Option<String>,
    ) -> BatchCreated {
        let items: Vec<BatchItem> = items
            .into_iter()
            .map(|item| BatchItem {
                instance: self.instances[item.instance].name.clone(),
                jid: item.jid,
                lid: item.lid,
                block: item.block,
                reason: reason.clone(),
            })
            .collect();
        let operator = self.operator.clone();
        self.with_ledger(move |ledger| ledger.create_batch(&label, &items, &operator))
            .await
            .map_err(|e| ledger_unwritable("not started", &e))
    }

    /// Restates a contact's state to learn the settled count (not recorded).
    async fn settle(
        &self,
        instance: usize,
        jid: &str,
        block: bool,
    ) -> Result<Option<u64>, ErrorInfo> {
        let ep = self.endpoint(instance);
        let name = &self.instances[instance].name;
        if self.instances[instance].read_only {
            return Err(read_only_refusal(name));
        }
        let what = format!("settle the count with {}", number::shown_jid(jid));
        let result = self
            .call(ep, &what, name, || self.client.block(ep, name, jid, block))
            .await
            .map(|answer| answer.blocked_count)
            .map_err(|e| ErrorInfo::from(&e));
        if let Ok(count) = &result {
            tracing::info!(instance = %name, count = ?count, "blocked count settled");
        }
        result
    }

    /// The instance's last recorded actions.
    async fn history(&self, instance: usize) -> Result<Vec<HistoryEntry>, ErrorInfo> {
        let name = self.instances[instance].name.clone();
        self.with_ledger(move |ledger| ledger.history(Some(&name), None, HISTORY_SHOWN))
            .await
            .map_err(|e| ErrorInfo::local(format!("history not read: {e}"), read_hint(&e)))
    }

    /// Whether the token may use the instance at all: a lookup of a number
    /// nobody has, so the answer is about access only.
    async fn probe(&self, instance: usize) -> Result<(), ErrorInfo> {
        let ep = self.endpoint(instance);
        let name = &self.instances[instance].name;
        self.call(ep, "access check", name, || {
            self.client.lookup(ep, name, "10000000000")
        })
        .await
        .map(|_| ())
        .map_err(|e| ErrorInfo::from(&e))
    }

    /// Sends a request within the token's budget, retrying transient
    /// failures with backoff and jitter (a 429 waits for the reset).
    async fn call<T, F, Fut>(
        &self,
        ep: Endpoint<'_>,
        what: &str,
        instance: &str,
        send: F,
    ) -> Result<T, ApiError>
    where
        F: Fn() -> Fut,
        Fut: Future<Output = Result<Reply<T>, ApiError>>,
    {
        let key: BudgetKey = (ep.base_url.clone(), ep.token.clone());
        let mut attempt = 1;
        let mut last_error = None;
        loop {
            // A server that let the last requests time out gets no more
            // for a while: what was not sent yet fails at once.
            let result = match self.send_in_budget(&key, what, instance, &send).await {
                Some(result) => result,
                None => {
                    let timeouts = self.silent(&key).unwrap_or_default();
                    return Err(last_error.unwrap_or(ApiError::NotAnswering { timeouts }));
                }
            };
            let was_429 = self.hear(&key, &result);
            let e = match result {
                Ok(reply) => return Ok(reply.value),
                Err(e) => e,
            };
            if !e.is_transient() || attempt >= self.retry.max_attempts {
                tracing::warn!(instance, what, attempt, error = %e, "request failed");
                return Err(e);
            }
            // A 429 waits in the budget (emptied above) for the reset.
            let pause = if was_429 {
                Duration::ZERO
            } else {
                self.retry.backoff(attempt)
            };
            tracing::warn!(instance, what, attempt, error = %e, retry_in_ms = pause.as_millis() as u64, "request failed: retrying");
            tokio::time::sleep(pause).await;
            attempt += 1;
            // Sent once already: if the server goes silent, that is what
            // is said, not "not sent".
            last_error = Some(e);
        }
    }

    /// Sends once, within the token's lane and budget, waiting for either
    /// as needed; `None` when the server is silent (nothing was sent).
    async fn send_in_budget<T, F, Fut>(
        &self,
        key: &BudgetKey,
        what: &str,
        instance: &str,
        send: &F,
    ) -> Option<Result<Reply<T>, ApiError>>
    where
        F: Fn() -> Fut,
        Fut: Future<Output = Result<Reply<T>, ApiError>>,
    {
        let lane = self.lane(key);
        let mut told = false;
        loop {
            self.silent(key).is_none().then_some(())?;
            // A slot of the lane first, then the budget's permit: a job
            // queued for a slot holds no permit, and one waiting for the
            // budget holds no slot. (The lane is never closed, so a slot
            // always comes.)
            let slot = lane.acquire().await.ok();
            match self.budgets.take(key, now_ms()) {
                Permit::Go => {
                    let result = send().await;
                    drop(slot);
                    return Some(result);
                }
                Permit::Wait(pause) => {
                    drop(slot);
                    // Said once per wait, not once per look.
                    if !told && pause > POLL {
                        told = true;
                        tracing::info!(
                            instance,
                            what,
                            wait_ms = pause.as_millis() as u64,
                            "rate budget spent: waiting for the reset"
                        );
                    }
                    tokio::time::sleep(pause).await;
                }
            }
        }
    }

    /// Tells the budget and the silence breaker what an attempt heard;
    /// returns whether it was a 429.
    fn hear<T>(&self, key: &BudgetKey, result: &Result<Reply<T>, ApiError>) -> bool {
        let heard = match result {
            Ok(reply) => Some(Heard {
                rate: reply.rate,
                ..Heard::default()
            }),
            Err(e) if e.status().is_some() => Some(Heard {
                rate: e.rate(),
                throttled: e.status() == Some(429),
                retry_after: e.retry_after(),
            }),
            Err(_) => None,
        };
        self.heard_from(
            key,
            heard.is_some(),
            matches!(result, Err(ApiError::Timeout { .. })),
        );
        match heard {
            Some(heard) => self.budgets.answered(key, now_ms(), heard),
            None => self
                .budgets
                .lost(key, matches!(result, Err(ApiError::Connect { .. }))),
        }
        self.report_budget(key);
        heard.is_some_and(|h| h.throttled)
    }

    /// Parses a contacts body into a store on the blocking pool (one pass,
    /// the body dropped as soon as it is read), then saves it to the cache
    /// in the background.
    async fn build_store(
        &self,
        instance: usize,
        body: Vec<u8>,
    ) -> Result<Arc<ContactStore>, ErrorInfo> {
        let built =
            tokio::task::spawn_blocking(move || contacts::parse_store(&body).map(Arc::new)).await;
        let store = match built {
            Ok(Ok(store)) => store,
            Ok(Err(e)) => {
                tracing::warn!(instance = %self.instances[instance].name, error = %e, "contacts not parsed");
                return Err(ErrorInfo::from(&e));
            }
            Err(e) => {
                return Err(ErrorInfo::local(
                    format!("contacts not parsed: {e}"),
                    "retry; report it if it persists",
                ));
            }
        };
        self.stores
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(instance, store.clone());
        let path = self.cache_dir.as_ref().map(|dir| {
            let inst = &self.instances[instance];
            cache::path_for(dir, inst.base_url.as_str(), &inst.name)
        });
        let background = store.clone();
        let warm = self.warm_stores;
        tokio::task::spawn_blocking(move || {
            // Sort orders and the search index, before the first key asks.
            if warm {
                background.warm();
            }
            if let Some(path) = path
                && let Err(e) = cache::save(&path, &background, crate::util::dates::now_unix())
            {
                tracing::warn!(error = %e, "contact cache not saved");
            }
        });
        Ok(store)
    }

    /// Tells the UI where the budget of `key` stands.
    fn report_budget(&self, key: &BudgetKey) {
        let (Some(events), Some((remaining, limit))) = (&self.events, self.budgets.remaining(key))
        else {
            return;
        };
        let instances = self
            .instances
            .iter()
            .enumerate()
            .filter(|(_, i)| i.base_url == key.0 && i.token == key.1)
            .map(|(n, _)| n)
            .collect();
        let _ = events.send(Msg::Budget {
            instances,
            remaining,
            limit,
        });
    }

    /// One `GET /api/instance/list` per (server, token), narrowed to the
    /// profile's names; each instance gets its state or the group's error.
    async fn load_instances(&self) -> Vec<(usize, Result<Option<InstanceStatus>, ErrorInfo>)> {
        let mut groups: Vec<Vec<usize>> = Vec::new();
        for (i, inst) in self.instances.iter().enumerate() {
            let same_token = |g: &&mut Vec<usize>| {
                let first = &self.instances[g[0]];
                first.base_url == inst.base_url && first.token == inst.token
            };
            match groups.iter_mut().find(same_token) {
                Some(members) => members.push(i),
                None => groups.push(vec![i]),
            }
        }
        let mut calls = tokio::task::JoinSet::new();
        for members in groups {
            let ctx = self.clone();
            calls.spawn(async move { ctx.load_instance_group(&members).await });
        }
        let mut out = Vec::new();
        while let Some(group) = calls.join_next().await {
            match group {
                Ok(group) => out.extend(group),
                Err(e) => tracing::error!(error = %e, "instance list task failed"),
            }
        }
        out
    }

    async fn load_instance_group(
        &self,
        members: &[usize],
    ) -> Vec<(usize, Result<Option<InstanceStatus>, ErrorInfo>)> {
        let ep = self.endpoint(members[0]);
        let names: Vec<&str> = members
            .iter()
            .map(|&i| self.instances[i].name.as_str())
            .collect();
        let joined = names.join(",");
        let result = match self
            .call(ep, "instance list", &joined, || {
                self.client.instances(ep, &names)
            })
            .await
        {
            Ok(list) => Ok(list),
            // A filter of one unknown name answers 404: that instance is
            // simply not on the server.
            Err(e) if members.len() == 1 && e.status() == Some(404) => Ok(Vec::new()),
            Err(e) => Err(ErrorInfo::from(&e)),
        };
        members
            .iter()
            .map(|&i| {
                let name = &self.instances[i].name;
                let status = result.clone().map(|list| {
                    list.iter()
                        .find(|info| &info.name == name)
                        .map(|info| InstanceStatus {
                            state: info.state().into(),
                            own_region: info.own_jid().and_then(|jid| {
                                number::Region::of_digits(number::phone_digits(&jid)?)
                            }),
                            own_jid: info.own_jid(),
                        })
                });
                (i, status)
            })
            .collect()
    }

    /// What the ledger knows, or `None` when its change mark says that no
    /// other run changed it since the last read (a team ledger's NOTIFY, a
    /// SQLite file's `data_version`). It is read in full at least every
    /// [`FULL_READ`] all the same.
    async fn load_known(&self) -> Result<Option<Vec<KnownState>>, LedgerError> {
        let last = *self.known_mark.lock().unwrap_or_else(|p| p.into_inner());
        let (mark, known) = self
            .with_ledger(move |ledger| {
                let mark = ledger.change_mark()?;
                let unchanged = matches!((mark, last), (Some(now), Some((seen, at))) if now == seen && at.elapsed() < FULL_READ);
                if unchanged {
                    return Ok((mark, None));
                }
                Ok((mark, Some(ledger.known()?)))
            })
            .await?;
        if known.is_some() {
            *self.known_mark.lock().unwrap_or_else(|p| p.into_inner()) =
                mark.map(|mark| (mark, Instant::now()));
        }
        Ok(known)
    }

    /// Runs a ledger write on the blocking pool.
    async fn with_ledger<T: Send + 'static>(
        &self,
        write: impl FnOnce(&mut dyn Ledger) -> Result<T, crate::store::ledger::LedgerError>
        + Send
        + 'static,
    ) -> Result<T, LedgerError> {
        let ledger = self.ledger.clone();
        tokio::task::spawn_blocking(move || {
            let mut ledger = ledger.lock().unwrap_or_else(|p| p.into_inner());
            write(&mut **ledger)
        })
        .await
        .map_err(|e| LedgerError::Stopped(e.to_string()))?
    }

    /// Accepts a block answer only when it names the contact asked for and
    /// reports the state asked for. `contact_jid` may be the `@lid` form of
    /// the number sent (WhatsApp keys blocklists by it), but not an `@lid`
    /// that belongs to another contact, nor another number.
    async fn check_answer(
        &self,
        instance: usize,
        jid: &str,
        lid: Option<&str>,
        block: bool,
        answer: &crate::api::BlockOutcome,
    ) -> Result<(), String> {
        let server = if answer.message.is_empty() {
            String::new()
        } else {
            format!(" (server: {})", answer.message)
        };
        if answer.blocked != block {
            let (asked, now) = if block {
                ("block", "not blocked")
            } else {
                ("unblock", "blocked")
            };
            return Err(format!(
                "asked to {asked}, the server says the contact is {now}{server}"
            ));
        }
        let named = answer.contact_jid.as_str();
        let same_number = |a: &str, b: &str| {
            number::phone_digits(a).is_some() && number::phone_digits(a) == number::phone_digits(b)
        };
        if named.is_empty() || named == jid || same_number(named, jid) || lid == Some(named) {
            return Ok(());
        }
        let foreign = || format!("it names {named}, not the contact asked for{server}");
        if !number::is_valid_jid(named) || number::jid_kind(named) != JidKind::Lid || lid.is_some()
        {
            return Err(foreign());
        }
        let store = self
            .stores
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&instance)
            .cloned();
        if store
            .as_ref()
            .and_then(|s| s.find(named))
            .is_some_and(|other| other.jid() != jid)
        {
            return Err(foreign());
        }
        let (name, id) = (self.instances[instance].name.clone(), named.to_string());
        // Not knowing is not accepting: an answer whose owner cannot be
        // read is not taken as this contact's.
        match self
            .with_ledger(move |ledger| ledger.owner_of(&name, &id))
            .await
        {
            Ok(Some(owner)) if owner != jid => Err(foreign()),
            Ok(_) => Ok(()),
            Err(e) => Err(format!(
                "it names {named}, and the ledger could not be read to tell whose that is ({e}){server}"
            )),
        }
    }

    /// Sends one block request, recording the intent before and the
    /// outcome after in the ledger.
    async fn block(
        &self,
        instance: usize,
        jid: &str,
        lid: Option<&str>,
        block: bool,
        action: Option<i64>,
        reason: Option<&str>,
    ) -> Result<BlockDone, ErrorInfo> {
        let name = self.instances[instance].name.clone();
        // The last guard: the app refuses first, but nothing reaches the
        // server from a read-only instance whatever asks.
        if self.instances[instance].read_only {
            return Err(read_only_refusal(&name));
        }
        let id = match action {
            Some(id) => id,
            None => {
                let (n, j, l) = (name.clone(), jid.to_string(), lid.map(str::to_string));
                let (operator, reason) = (self.operator.clone(), reason.map(str::to_string));
                self.with_ledger(move |ledger| {
                    ledger.record_intent(&n, &j, l.as_deref(), block, &operator, reason.as_deref())
                })
                .await
                .map_err(|e| ledger_unwritable("not sent", &e))?
            }
        };
        let ep = self.endpoint(instance);
        // Every log line of the action names the number and the instance.
        let number = number::shown_jid(jid);
        let what = format!("{} {number}", Change::of(block).verb());
        let result = match self
            .call(ep, &what, &name, || {
                self.client.block(ep, &name, jid, block)
            })
            .await
        {
            Ok(answer) => match self.check_answer(instance, jid, lid, block, &answer).await {
                Ok(()) => Ok(answer),
                Err(detail) => Err(ApiError::Contrary { detail }),
            },
            Err(e) => Err(e),
        };
        let outcome = match &result {
            Ok(answer) => Outcome::Done {
                contact_jid: answer.contact_jid.clone(),
                blocked: answer.blocked,
                blocked_count: answer.blocked_count,
            },
            // Never sent: the intent stays pending, for a resume.
            Err(e @ ApiError::NotAnswering { .. }) => return Err(ErrorInfo::from(e)),
            Err(e) => Outcome::Failed(e.to_string()),
        };
        let recorded = self
            .with_ledger(move |ledger| ledger.record_outcome(id, &outcome))
            .await;
        let answer = result.map_err(|e| ErrorInfo::from(&e))?;
        tracing::info!(instance = %name, %number, blocked = answer.blocked, count = ?answer.blocked_count, "block state changed");
        let (recorded_at, ledger_error) = match recorded {
            Ok(at) => (at, None),
            Err(e) => (crate::util::dates::now_unix(), Some(e.to_string())),
        };
        Ok(BlockDone {
            outcome: answer,
            recorded_at,
            ledger_error,
            reason: reason.map(str::to_string),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_with_bounded_jitter() {
        let p = RetryPolicy {
            max_attempts: 5,
            base_delay: Duration::from_millis(100),
        };
        for attempt in 1..=4 {
            let d = p.backoff(attempt);
            let floor = Duration::from_millis(100 << (attempt - 1));
            assert!(
                d >= floor && d < floor + Duration::from_millis(100),
                "{attempt}: {d:?}"
            );
        }
        assert_eq!(p.backoff(30), MAX_BACKOFF);
    }
}
