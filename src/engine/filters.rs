//! Large filters run off the app's thread, one at a time.

use tokio::sync::mpsc;

use crate::model::filter::FilterJob;
use crate::protocol::Msg;

/// Runs large filters on the blocking pool, one at a time: while one runs,
/// only the newest of the queued ones is kept, so typing fast never piles
/// up work and the latest complete result is always on screen.
pub(super) struct FilterRunner {
    results: mpsc::UnboundedSender<Msg>,
    running: bool,
    next: Option<FilterJob>,
}

impl FilterRunner {
    pub(super) fn new(results: mpsc::UnboundedSender<Msg>) -> Self {
        FilterRunner {
            results,
            running: false,
            next: None,
        }
    }

    pub(super) fn submit(&mut self, job: FilterJob) {
        if self.running {
            self.next = Some(job);
            return;
        }
        self.running = true;
        let results = self.results.clone();
        tokio::task::spawn_blocking(move || {
            let rows = job.run();
            let _ = results.send(Msg::Filtered {
                instance: job.instance,
                generation: job.generation,
                rows,
            });
        });
    }

    pub(super) fn finished(&mut self) {
        self.running = false;
        if let Some(job) = self.next.take() {
            self.submit(job);
        }
    }
}
