//! The worker: the only place that talks HTTP or touches the ledger. It
//! takes [`Job`]s from a channel and sends each result back as a
//! message; the app never awaits it.
//!
//! Jobs go three ways. An HTTP call runs on a task of its own in its
//! token's lane ([`lanes`]): one token's rate wait never delays another
//! token's calls. A ledger read or write goes to the ledger's thread
//! ([`ledger`]), which never waits for HTTP. The live feed ([`feed`])
//! keeps a WebSocket per instance on tasks of their own. Nothing here judges an
//! answer: the app does, with what it knows, and asks for the write.

mod contacts;
mod feed;
mod http;
mod lanes;
mod ledger;
mod retry;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;

use crate::api::ApiClient;
use crate::config::profile::InstanceConfig;
use crate::protocol::{Job, Msg};
use crate::store::ledger::Ledger;

pub use retry::RetryPolicy;

/// Everything the worker needs.
#[derive(Debug)]
pub struct WorkerContext {
    /// The profile's instances; jobs name them by index.
    pub instances: Vec<InstanceConfig>,
    /// The HTTP client.
    pub client: ApiClient,
    /// The ledger, owned by the worker's ledger thread from the start.
    pub ledger: Box<dyn Ledger>,
    /// Who the ledger records as asking (the profile's operator).
    pub operator: String,
    /// How failures are retried.
    pub retry: RetryPolicy,
    /// Where contact lists are cached, if anywhere.
    pub cache_dir: Option<PathBuf>,
    /// Whether a fresh list gets its sort orders and search index built in
    /// the background (the UI filters and sorts; headless commands do not).
    pub warm_stores: bool,
    /// The longest wait a server's rate answer can impose.
    pub rate_window: Duration,
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
            instances,
            client,
            ledger,
            operator: crate::config::login_name(),
            retry: RetryPolicy::default(),
            cache_dir: None,
            warm_stores: true,
            rate_window: crate::api::rate::WINDOW,
        }
    }

    /// Sets the longest wait a server's rate answer can impose (RyzeAPI's
    /// window, one minute, unless a test needs it shorter).
    pub fn set_rate_window(&mut self, window: Duration) {
        self.rate_window = window;
    }
}

/// Starts the worker on the current runtime; results go to `results`.
/// Returns the sender for jobs; the worker ends when it is dropped.
pub fn spawn(
    ctx: WorkerContext,
    results: mpsc::UnboundedSender<Msg>,
) -> mpsc::UnboundedSender<Job> {
    let instances = Arc::new(ctx.instances);
    let ledger = ledger::spawn(ctx.ledger, instances.clone(), ctx.operator, results.clone());
    let http = Arc::new(http::Http {
        lanes: lanes::Lanes::new(
            instances.clone(),
            ctx.retry,
            ctx.rate_window,
            results.clone(),
        ),
        stores: contacts::StoreMaker {
            instances: instances.clone(),
            cache_dir: ctx.cache_dir,
            warm: ctx.warm_stores,
        },
        instances,
        client: ctx.client,
        results,
    });
    let (jobs_tx, mut jobs) = mpsc::unbounded_channel::<Job>();
    let feeds = feed::Feeds::default();
    tokio::spawn(async move {
        while let Some(job) = jobs.recv().await {
            let to_ledger = match job {
                // Each call runs on its own; what it sends waits in its
                // token's lane.
                Job::Api(call) => {
                    tokio::spawn(http.clone().run(call));
                    continue;
                }
                Job::Live(job) => {
                    feeds.run(&http, job);
                    continue;
                }
                Job::Read(read) => ledger::LedgerJob::Read(read),
                Job::Write(write) => ledger::LedgerJob::Write(Box::new(write)),
            };
            if ledger.send(to_ledger).is_err() {
                tracing::error!("the ledger's thread stopped: ledger jobs are not run");
            }
        }
    });
    jobs_tx
}
