//! The async API worker: the only place that talks HTTP. It takes
//! [`ApiJob`]s from a channel, runs them concurrently within each token's
//! rate budget, writes block outcomes to the ledger, and sends the results
//! back as messages. The UI never awaits it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::Url;
use tokio::sync::{Semaphore, mpsc};

use crate::api::{ApiClient, ApiError, Endpoint, RateLimit};
use crate::app::{ApiJob, ApiResult, BlockDone, ErrorInfo, InstanceStatus, Msg};
use crate::ledger::{Ledger, Outcome};
use crate::profile::InstanceConfig;
use crate::secret::Token;

/// Requests in flight at once, across all instances.
const MAX_IN_FLIGHT: usize = 8;

/// Everything the worker needs.
#[derive(Debug, Clone)]
pub struct WorkerContext {
    /// The profile's instances; jobs name them by index.
    pub instances: Arc<Vec<InstanceConfig>>,
    /// The HTTP client.
    pub client: ApiClient,
    /// The ledger, shared with nobody else while the app runs.
    pub ledger: Arc<Mutex<Ledger>>,
    budgets: Arc<Mutex<HashMap<(Url, Token), RateLimit>>>,
}

impl WorkerContext {
    /// A context for `instances`.
    pub fn new(instances: Vec<InstanceConfig>, client: ApiClient, ledger: Ledger) -> Self {
        WorkerContext {
            instances: Arc::new(instances),
            client,
            ledger: Arc::new(Mutex::new(ledger)),
            budgets: Arc::new(Mutex::new(HashMap::new())),
        }
    }
}

/// Starts the worker on the current runtime; results go to `results`.
/// Returns the sender for jobs; the worker ends when it is dropped.
pub fn spawn(
    ctx: WorkerContext,
    results: mpsc::UnboundedSender<Msg>,
) -> mpsc::UnboundedSender<ApiJob> {
    let (jobs_tx, mut jobs) = mpsc::unbounded_channel::<ApiJob>();
    let slots = Arc::new(Semaphore::new(MAX_IN_FLIGHT));
    tokio::spawn(async move {
        while let Some(job) = jobs.recv().await {
            let ctx = ctx.clone();
            let results = results.clone();
            let slots = slots.clone();
            tokio::spawn(async move {
                let Ok(_slot) = slots.acquire_owned().await else {
                    return;
                };
                let result = ctx.run(job).await;
                let _ = results.send(Msg::Api(result));
            });
        }
    });
    jobs_tx
}

fn unix_now() -> u64 {
    crate::ledger::now_unix().max(0) as u64
}

impl WorkerContext {
    fn endpoint(&self, index: usize) -> Endpoint<'_> {
        let inst = &self.instances[index];
        Endpoint {
            base_url: &inst.base_url,
            token: &inst.token,
        }
    }

    /// Waits while the token's budget is spent, then takes one request
    /// from it. Instances that share a token share the budget.
    async fn take_budget(&self, ep: Endpoint<'_>) {
        let key = (ep.base_url.clone(), ep.token.clone());
        loop {
            let wait = {
                let mut budgets = self.budgets.lock().unwrap_or_else(|p| p.into_inner());
                let now = unix_now();
                match budgets.get_mut(&key) {
                    Some(b) if b.remaining == 0 && b.reset > now => Some(b.reset - now),
                    Some(b) => {
                        if b.reset <= now {
                            b.remaining = b.limit;
                            b.reset = now + 60;
                        }
                        b.remaining = b.remaining.saturating_sub(1);
                        None
                    }
                    None => None,
                }
            };
            match wait {
                Some(secs) => {
                    tracing::info!(seconds = secs, "rate budget spent; waiting for the reset");
                    tokio::time::sleep(Duration::from_secs(secs)).await;
                }
                None => return,
            }
        }
    }

    /// Stores what the server said of the budget.
    fn note_budget(&self, ep: Endpoint<'_>, rate: Option<RateLimit>) {
        let Some(rate) = rate else { return };
        let key = (ep.base_url.clone(), ep.token.clone());
        let mut budgets = self.budgets.lock().unwrap_or_else(|p| p.into_inner());
        let entry = budgets.entry(key).or_insert(rate);
        // Answers arrive out of order: within one window the lowest
        // remaining is the truest; a later reset starts a new window.
        if rate.reset > entry.reset || rate.remaining < entry.remaining {
            *entry = rate;
        }
    }

    /// Runs one job to its result.
    pub async fn run(&self, job: ApiJob) -> ApiResult {
        match job {
            ApiJob::LoadInstances => ApiResult::Instances(self.load_instances().await),
            ApiJob::LoadContacts { instance } => {
                let ep = self.endpoint(instance);
                let name = &self.instances[instance].name;
                self.take_budget(ep).await;
                let result = self.client.contacts(ep, name).await;
                let result = self.settle(ep, result, "contacts", name);
                ApiResult::Contacts { instance, result }
            }
            ApiJob::Block {
                instance,
                jid,
                lid,
                block,
            } => {
                let result = self.block(instance, &jid, lid.as_deref(), block).await;
                ApiResult::Block {
                    instance,
                    jid,
                    block,
                    result,
                }
            }
        }
    }

    /// Notes the budget and logs the failure, keeping only the value.
    fn settle<T>(
        &self,
        ep: Endpoint<'_>,
        result: Result<crate::api::Reply<T>, ApiError>,
        what: &str,
        instance: &str,
    ) -> Result<T, ErrorInfo> {
        match result {
            Ok(reply) => {
                self.note_budget(ep, reply.rate);
                Ok(reply.value)
            }
            Err(e) => {
                self.note_budget(ep, e.rate());
                tracing::warn!(instance, what, error = %e, "request failed");
                Err(ErrorInfo::from(&e))
            }
        }
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
        self.take_budget(ep).await;
        let result = self.client.instances(ep, &names).await;
        let mut result = self.settle(ep, result, "instance list", &names.join(","));
        // A filter of one unknown name answers 404: that instance is simply
        // not on the server.
        if members.len() == 1 && matches!(&result, Err(e) if e.status == Some(404)) {
            result = Ok(Vec::new());
        }
        members
            .iter()
            .map(|&i| {
                let name = &self.instances[i].name;
                let status = result.clone().map(|list| {
                    list.iter()
                        .find(|info| &info.name == name)
                        .map(|info| InstanceStatus {
                            state: info.state().to_string(),
                        })
                });
                (i, status)
            })
            .collect()
    }

    /// Sends one block request, recording the intent before and the
    /// outcome after in the ledger.
    async fn block(
        &self,
        instance: usize,
        jid: &str,
        lid: Option<&str>,
        block: bool,
    ) -> Result<BlockDone, ErrorInfo> {
        let name = self.instances[instance].name.clone();
        let intent = {
            let (ledger, name, jid, lid) = (
                self.ledger.clone(),
                name.clone(),
                jid.to_string(),
                lid.map(str::to_string),
            );
            tokio::task::spawn_blocking(move || {
                let ledger = ledger.lock().unwrap_or_else(|p| p.into_inner());
                ledger.record_intent(&name, &jid, lid.as_deref(), block)
            })
            .await
        };
        let id = match intent {
            Ok(Ok(id)) => id,
            Ok(Err(e)) => {
                return Err(ErrorInfo::local(
                    format!("not sent: the ledger cannot be written ({e})"),
                    "check free space and permissions of the data folder",
                ));
            }
            Err(e) => {
                return Err(ErrorInfo::local(
                    format!("not sent: {e}"),
                    "retry; report it if it persists",
                ));
            }
        };
        let ep = self.endpoint(instance);
        self.take_budget(ep).await;
        let result = self.client.block(ep, &name, jid, block).await;
        let outcome = match &result {
            Ok(reply) => Outcome::Done {
                contact_jid: reply.value.contact_jid.clone(),
                blocked: reply.value.blocked,
                blocked_count: reply.value.blocked_count,
            },
            Err(e) => Outcome::Failed(e.to_string()),
        };
        let ledger = self.ledger.clone();
        let recorded = tokio::task::spawn_blocking(move || {
            let mut ledger = ledger.lock().unwrap_or_else(|p| p.into_inner());
            ledger.record_outcome(id, &outcome)
        })
        .await;
        let value = self.settle(ep, result, if block { "block" } else { "unblock" }, &name)?;
        tracing::info!(instance = %name, blocked = value.blocked, count = ?value.blocked_count, "block state changed");
        let (recorded_at, ledger_error) = match recorded {
            Ok(Ok(at)) => (at, None),
            Ok(Err(e)) => (crate::ledger::now_unix(), Some(e.to_string())),
            Err(e) => (crate::ledger::now_unix(), Some(e.to_string())),
        };
        Ok(BlockDone {
            outcome: value,
            recorded_at,
            ledger_error,
        })
    }
}
