//! What a headless command opens: the ledger always, the API worker only
//! for commands that talk to the server.

use std::path::{Path, PathBuf};

use tokio::sync::mpsc;

use crate::api::{ApiClient, ClientConfig};
use crate::app::{ApiJob, ApiResult, Effect, Msg, State};
use crate::cli::failure::{Failure, exit, fail};
use crate::config::profile::Profile;
use crate::store::ledger::{BUSY_WAIT, KnownState, Ledger, busy_notice};
use crate::worker::{self, WorkerContext};

/// The ledger of a command that needs no network (`history`, `export`).
pub(crate) struct Local {
    pub profile: Profile,
    pub data_dir: PathBuf,
    pub ledger: Box<dyn Ledger>,
}

impl Local {
    /// Opens the ledger in `data_dir`, saying on stderr when it is waited
    /// for or was repaired.
    pub fn open(profile: Profile, data_dir: &Path) -> Result<Local, Failure> {
        let place = profile.ledger_place(data_dir);
        let (ledger, notice) = crate::store::ledger::open_place(&place, BUSY_WAIT, || {
            eprintln!("ryze-contacts: {}", busy_notice());
        })
        .map_err(|e| fail(exit::INTERNAL, e.to_string()))?;
        if let Some(notice) = notice {
            eprintln!("ryze-contacts: {notice}");
        }
        Ok(Local {
            profile,
            data_dir: data_dir.to_path_buf(),
            ledger,
        })
    }

    /// The profile index of instance `name` (as `:instance` finds it).
    pub fn instance_index(&self, name: &str) -> Result<usize, Failure> {
        self.profile
            .find_instance(name)
            .map_err(|e| fail(exit::USAGE, e))
    }

    /// What the ledger knows; skipped rows are said on stderr.
    pub fn known(&self) -> Result<Vec<KnownState>, Failure> {
        let known = self
            .ledger
            .known()
            .map_err(|e| fail(exit::INTERNAL, e.to_string()))?;
        self.tell_skipped();
        Ok(known)
    }

    /// Says on stderr how many ledger rows were skipped for a value of the
    /// wrong type, when any were.
    pub fn tell_skipped(&self) {
        let n = self.ledger.skipped_rows();
        if n > 0 {
            eprintln!(
                "ryze-contacts: {n} row(s) of the ledger hold a value of the wrong type (edited by hand?) and were skipped"
            );
        }
    }

    /// The app's state for this profile, from what the ledger knows: the
    /// same core the terminal UI runs.
    pub fn state(&self, known: &[KnownState]) -> State {
        State::for_profile(&self.profile, known, 0)
    }

    /// Hands the ledger to a new API worker.
    pub fn connect(self) -> Result<Session, Failure> {
        let client = ApiClient::new(ClientConfig::default())
            .map_err(|e| fail(exit::INTERNAL, e.to_string()))?;
        let mut ctx =
            WorkerContext::for_profile(&self.profile, client, self.ledger, &self.data_dir);
        ctx.warm_stores = false;
        let (tx, results) = mpsc::unbounded_channel();
        let jobs = worker::spawn(ctx, tx);
        Ok(Session {
            profile: self.profile,
            jobs,
            results,
        })
    }
}

/// A command that talks to the server: the profile and the API worker
/// (which owns the ledger from here on).
pub(crate) struct Session {
    pub profile: Profile,
    jobs: mpsc::UnboundedSender<ApiJob>,
    results: mpsc::UnboundedReceiver<Msg>,
}

impl Session {
    /// Sends one job to the worker.
    pub fn send(&self, job: ApiJob) -> Result<(), Failure> {
        self.jobs
            .send(job)
            .map_err(|_| fail(exit::INTERNAL, "the API worker stopped"))
    }

    /// Sends one job and waits for its result (budget reports skipped).
    pub async fn ask(&mut self, job: ApiJob) -> Result<ApiResult, Failure> {
        self.send(job)?;
        self.next().await
    }

    /// The worker's next result.
    pub async fn next(&mut self) -> Result<ApiResult, Failure> {
        loop {
            match self.results.recv().await {
                Some(Msg::Api(result)) => return Ok(result),
                Some(_) => continue,
                None => return Err(fail(exit::INTERNAL, "the API worker stopped")),
            }
        }
    }

    /// The profile index of instance `name` (as `:instance` finds it).
    pub fn instance_index(&self, name: &str) -> Result<usize, Failure> {
        self.profile
            .find_instance(name)
            .map_err(|e| fail(exit::USAGE, e))
    }

    /// Runs the effects of the app's update that a headless command
    /// carries out: the jobs of blocks, batches and settling. Loading
    /// lists and redrawing are the terminal's and are left out. Returns
    /// the batch that ended, when one did.
    pub fn carry_out(
        &self,
        effects: Vec<Effect>,
    ) -> Result<Option<crate::app::batch::Batch>, Failure> {
        let mut ended = None;
        for effect in effects {
            match effect {
                Effect::Api(
                    job @ (ApiJob::Block { .. }
                    | ApiJob::Settle { .. }
                    | ApiJob::CreateBatch { .. }
                    | ApiJob::ClaimBatch { .. }
                    | ApiJob::CloseBatch { .. }),
                ) => self.send(job)?,
                Effect::BatchEnded(batch) => ended = Some(*batch),
                Effect::Api(_)
                | Effect::Filter(_)
                | Effect::Redraw
                | Effect::Copy(_)
                | Effect::Quit
                | Effect::Suspend => {}
            }
        }
        Ok(ended)
    }
}
