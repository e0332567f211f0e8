//! How failed requests are tried again ([`RetryPolicy`]), and when a
//! token's server counts as silent ([`Silence`]): its requests are then
//! held instead of piling up time-outs.

use std::hash::{BuildHasher, Hasher};
use std::time::Duration;

/// Longest pause between two attempts, whatever the backoff says.
const MAX_BACKOFF: Duration = Duration::from_secs(10);
/// Time-outs in a row after which a token's server counts as silent...
const SILENT_AFTER: u32 = 3;
/// ...when it has not answered anything for this long either (a busy
/// server that is slow now and then keeps answering other requests).
const QUIET_MS: u64 = 5_000;
/// How long a silent server gets no new request before one is tried.
const SILENT_FOR_MS: u64 = 60_000;

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
    pub(super) fn backoff(&self, attempt: u32) -> Duration {
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
    h.write_u64(now_ms());
    h.finish()
}

/// Unix time in milliseconds.
pub(super) fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// Time-outs in a row of one token, its last answer, and until when it
/// is left alone.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Silence {
    timeouts: u32,
    last_answer_ms: u64,
    until_ms: u64,
}

impl Silence {
    /// Whether the server is silent at `now`: [`SILENT_AFTER`] time-outs
    /// in a row with no answer for [`QUIET_MS`], the last less than
    /// [`SILENT_FOR_MS`] ago. Returns how many.
    pub(super) fn silent(&self, now: u64) -> Option<u32> {
        (self.timeouts >= SILENT_AFTER && now < self.until_ms).then_some(self.timeouts)
    }

    /// Counts a time-out, or clears the count when the server answered
    /// (any HTTP answer). Other failures (a refused connection) fail fast
    /// and change nothing here.
    pub(super) fn heard(&mut self, now: u64, answered: bool, timed_out: bool) {
        if answered {
            *self = Silence {
                last_answer_ms: now,
                ..Silence::default()
            };
            return;
        }
        if !timed_out {
            return;
        }
        self.timeouts += 1;
        if self.timeouts >= SILENT_AFTER && now.saturating_sub(self.last_answer_ms) >= QUIET_MS {
            self.until_ms = now + SILENT_FOR_MS;
            if self.timeouts == SILENT_AFTER {
                tracing::warn!(
                    timeouts = self.timeouts,
                    "the server does not answer: its token's requests are held"
                );
            }
        }
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

    #[test]
    fn three_timeouts_without_an_answer_hold_the_token_for_a_while() {
        let mut s = Silence::default();
        s.heard(10_000, true, false);
        for _ in 0..3 {
            s.heard(20_000, false, true);
        }
        assert_eq!(s.silent(20_000), Some(3));
        assert_eq!(s.silent(20_000 + SILENT_FOR_MS), None, "tried again later");
        s.heard(21_000, true, false);
        assert_eq!(s.silent(21_000), None, "an answer clears it");
    }
}
