//! The one engine under both front ends: it owns the app's state, the
//! worker and the execution of effects. The terminal UI feeds it keys
//! and draws its state; a headless command gives it a request and reads
//! its state and effects until it is done. Neither front end carries out
//! a job or a filter itself.
//!
//! As television runs its loop without a terminal for its tests, the
//! engine runs the same `update` with or without a screen: the screen
//! only adds the cached lists at start, warmed stores and the view kept
//! for the next start.

mod cache;
mod filters;
mod open;

use std::collections::VecDeque;

use tokio::sync::mpsc;

use crate::api::ApiClient;
use crate::app::{Effect, State, update};
use crate::protocol::{Job, JobResult, Msg};
use crate::store::ledger::UnfinishedBatch;
use crate::worker::{self, WorkerContext};

pub use open::{Access, EngineError, ScreenStart, Setup, Tuning, default_data_dir, skipped_notice};

/// Whether a headless run goes on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    /// Keep going.
    Continue,
    /// Done: stop here.
    Stop,
}

/// The running app: state, worker, filters, and the messages for them.
pub struct Engine {
    state: State,
    setup: Setup,
    jobs: mpsc::UnboundedSender<Job>,
    filters: filters::FilterRunner,
    tx: mpsc::UnboundedSender<Msg>,
    rx: mpsc::UnboundedReceiver<Msg>,
    /// Messages received and not applied yet.
    queued: VecDeque<Msg>,
    /// Jobs given to the worker and not answered yet.
    outstanding: usize,
    /// Batches a previous run left unfinished, found at start.
    pub unfinished: Vec<UnfinishedBatch>,
    /// What the ledger had to say when it was opened (repaired, rows
    /// skipped), for the front end to show.
    pub notices: Vec<String>,
}

impl Engine {
    /// Opens the ledger, builds the first state and starts the worker (on
    /// the current tokio runtime); with a screen, the cached lists are
    /// read too.
    pub fn start(setup: Setup) -> Result<Engine, EngineError> {
        let mut opened = open::open(&setup)?;
        opened.state.headless = setup.screen.is_none();
        let (tx, rx) = mpsc::unbounded_channel::<Msg>();
        let client = ApiClient::new(setup.tuning.client.clone())?;
        let mut ctx =
            WorkerContext::for_profile(&setup.profile, client, opened.ledger, &setup.data_dir);
        ctx.warm_stores = setup.screen.is_some();
        ctx.retry = setup.tuning.retry;
        if let Some(window) = setup.tuning.rate_window {
            ctx.set_rate_window(window);
        }
        let jobs = worker::spawn(ctx, tx.clone());
        if setup.screen.is_some() {
            cache::spawn_cache_loads(&setup.profile, &setup.data_dir, tx.clone());
        }
        Ok(Engine {
            state: opened.state,
            jobs,
            filters: filters::FilterRunner::new(tx.clone()),
            tx,
            rx,
            queued: VecDeque::new(),
            outstanding: 0,
            unfinished: opened.unfinished,
            notices: opened.notices,
            setup,
        })
    }

    /// The profile it runs on.
    pub fn profile(&self) -> &crate::config::profile::Profile {
        &self.setup.profile
    }

    /// The data folder it runs on.
    pub fn data_dir(&self) -> &std::path::Path {
        &self.setup.data_dir
    }

    /// The app's state.
    pub fn state(&self) -> &State {
        &self.state
    }

    /// The app's state, to change what is not the app's to decide (the
    /// terminal's first size; a command done with a list).
    pub fn state_mut(&mut self) -> &mut State {
        &mut self.state
    }

    /// Where input, signals and ticks send their messages.
    pub fn sender(&self) -> mpsc::UnboundedSender<Msg> {
        self.tx.clone()
    }

    /// Gives one message to the app and carries out its jobs and filters;
    /// returns the effects that are the front end's (draw, copy, quit,
    /// suspend, tell, a refusal, a batch that ended).
    pub fn apply(&mut self, msg: Msg) -> Vec<Effect> {
        match &msg {
            Msg::Filtered { .. } => self.filters.finished(),
            Msg::Worker(result) if result.ends_job() => {
                self.outstanding = self.outstanding.saturating_sub(1);
            }
            _ => {}
        }
        let mut outward = Vec::new();
        for effect in update(&mut self.state, msg) {
            match effect {
                Effect::Job(job) => self.send(job),
                Effect::Filter(job) => self.filters.submit(job),
                other => outward.push(other),
            }
        }
        outward
    }

    /// Gives `job` to the worker.
    fn send(&mut self, job: Job) {
        let answered = job.is_answered();
        if self.jobs.send(job).is_err() {
            tracing::error!("the worker stopped: a job was not run");
            return;
        }
        // The live feed owes no result: it reports for as long as it runs.
        if answered {
            self.outstanding += 1;
        }
    }

    /// Whether every job given to the worker was answered.
    pub fn is_idle(&self) -> bool {
        self.outstanding == 0 && self.queued.is_empty()
    }

    /// Runs until every job given to the worker, and every job its
    /// answers led to, was answered.
    pub async fn settle(&mut self) {
        while !self.is_idle() {
            for msg in self.next().await {
                self.apply(msg);
            }
        }
    }

    /// The next messages: at least one (waited for), and every other one
    /// already there.
    pub async fn next(&mut self) -> Vec<Msg> {
        if self.queued.is_empty() {
            // The engine holds a sender itself: the channel never closes.
            if let Some(msg) = self.rx.recv().await {
                self.queued.push_back(msg);
            }
            while let Ok(msg) = self.rx.try_recv() {
                self.queued.push_back(msg);
            }
        }
        self.queued.drain(..).collect()
    }

    /// A headless run: applies `first`, then every message as it comes,
    /// handing the state and the front end's effects to `on` after each,
    /// until it says stop.
    pub async fn run(&mut self, first: Msg, mut on: impl FnMut(&State, Vec<Effect>) -> Flow) {
        let effects = self.apply(first);
        if on(&self.state, effects) == Flow::Stop {
            return;
        }
        loop {
            let msgs = self.next().await;
            let mut msgs = msgs.into_iter();
            while let Some(msg) = msgs.next() {
                let effects = self.apply(msg);
                if on(&self.state, effects) == Flow::Stop {
                    self.queued.extend(msgs);
                    return;
                }
            }
        }
    }

    /// Gives `job` to the worker and waits for its result (the first
    /// `answers` accepts); every message meanwhile, the result too, goes
    /// to the app as usual.
    pub async fn ask(&mut self, job: Job, answers: impl Fn(&JobResult) -> bool) -> JobResult {
        self.send(job);
        loop {
            let msgs = self.next().await;
            let mut msgs = msgs.into_iter();
            while let Some(msg) = msgs.next() {
                let found = match &msg {
                    Msg::Worker(result) if answers(result) => Some(result.clone()),
                    _ => None,
                };
                self.apply(msg);
                if let Some(result) = found {
                    self.queued.extend(msgs);
                    return result;
                }
            }
        }
    }

    /// Runs until the ledger answered every write given to it (a lookup
    /// kept, a batch closed): a command that ends before would lose them.
    pub async fn flush(&mut self) {
        while self.state.writes_in_flight > 0 {
            for msg in self.next().await {
                self.apply(msg);
            }
        }
    }

    /// Ends the run: the terminal UI's view is kept for the next start.
    pub fn finish(self) {
        if let Some(start) = &self.setup.screen {
            open::remember_view(&self.setup.data_dir, &start.view_key, &self.state);
        }
    }
}
