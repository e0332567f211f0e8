//! Per-token rate budgets, kept from the `X-RateLimit-*` headers.
//!
//! RyzeAPI counts requests per token; instances reached with the same token
//! share one budget. Before each request the worker takes one unit; when
//! none is left it waits for the window's reset instead of earning a 429.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use crate::api::RateLimit;

/// Safety margin after a reset before sending again, for clock skew.
const RESET_MARGIN: Duration = Duration::from_millis(150);
/// How often to look again while waiting for a window's first answer.
const POLL: Duration = Duration::from_millis(50);

/// What the budget of one token is believed to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Budget {
    limit: u32,
    remaining: u32,
    /// Unix time (seconds) at which the window resets.
    reset: u64,
    /// Requests sent and not answered yet.
    in_flight: u32,
    /// Set when the budget was refilled locally at `reset`, before any
    /// answer from the new window: it is not refilled twice.
    refilled: bool,
}

/// Budgets of every token in use, keyed by an opaque token identity.
#[derive(Debug, Default)]
pub struct RateBudgets<K> {
    budgets: Mutex<HashMap<K, Budget>>,
}

/// What [`RateBudgets::take`] decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permit {
    /// Send now.
    Go,
    /// Wait this long, then ask again.
    Wait(Duration),
}

impl<K: std::hash::Hash + Eq + Clone> RateBudgets<K> {
    /// Empty: every token is unknown until its first answer.
    pub fn new() -> Self {
        RateBudgets {
            budgets: Mutex::new(HashMap::new()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<K, Budget>> {
        self.budgets.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Takes one request from the budget of `key` at Unix time `now_ms`
    /// (milliseconds), or says how long to wait.
    pub fn take(&self, key: &K, now_ms: u64) -> Permit {
        let mut budgets = self.lock();
        let Some(b) = budgets.get_mut(key) else {
            return Permit::Go;
        };
        let reset_ms = b.reset * 1000 + RESET_MARGIN.as_millis() as u64;
        if b.remaining == 0 {
            if now_ms < reset_ms {
                return Permit::Wait(Duration::from_millis(reset_ms - now_ms));
            }
            if b.refilled {
                // Spent again before the new window's first answer: wait
                // for that answer to say where the window stands.
                return Permit::Wait(POLL);
            }
            // A new window: assume the full limit until an answer says.
            b.remaining = b.limit;
            b.refilled = true;
        }
        b.remaining -= 1;
        b.in_flight += 1;
        Permit::Go
    }

    /// Records an answer for `key` and its rate-limit headers, if any.
    pub fn answered(&self, key: &K, rate: Option<RateLimit>, was_429: bool) {
        let mut budgets = self.lock();
        let Some(rate) = rate else {
            if let Some(b) = budgets.get_mut(key) {
                b.in_flight = b.in_flight.saturating_sub(1);
            }
            return;
        };
        let b = budgets.entry(key.clone()).or_insert(Budget {
            limit: rate.limit,
            remaining: rate.remaining,
            reset: rate.reset,
            in_flight: 1,
            refilled: false,
        });
        b.in_flight = b.in_flight.saturating_sub(1);
        b.limit = rate.limit;
        if was_429 {
            b.remaining = 0;
            b.reset = b.reset.max(rate.reset);
        } else if rate.reset > b.reset {
            // A new window: what the server has left, less what is on its
            // way and not yet counted.
            b.reset = rate.reset;
            b.refilled = false;
            b.remaining = rate.remaining.saturating_sub(b.in_flight);
        } else {
            // Answers arrive out of order: the lowest count is the truest.
            b.remaining = b.remaining.min(rate.remaining);
        }
    }

    /// The remaining budget and limit of `key`, when known.
    pub fn remaining(&self, key: &K) -> Option<(u32, u32)> {
        self.lock().get(key).map(|b| (b.remaining, b.limit))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rate(remaining: u32, reset: u64) -> Option<RateLimit> {
        Some(RateLimit {
            limit: 3,
            remaining,
            reset,
        })
    }

    #[test]
    fn unknown_tokens_go_until_told() {
        let b = RateBudgets::new();
        assert_eq!(b.take(&"t", 0), Permit::Go);
        assert_eq!(b.remaining(&"t"), None);
    }

    #[test]
    fn spends_then_waits_for_the_reset() {
        let b = RateBudgets::new();
        b.take(&"t", 1_000_000);
        b.answered(&"t", rate(1, 1060), false);
        assert_eq!(b.take(&"t", 1_000_100), Permit::Go);
        assert_eq!(b.remaining(&"t"), Some((0, 3)));
        assert_eq!(
            b.take(&"t", 1_000_200),
            Permit::Wait(Duration::from_millis(1_060_150 - 1_000_200))
        );
        assert_eq!(b.take(&"t", 1_060_150), Permit::Go, "a new window");
        assert_eq!(b.remaining(&"t"), Some((2, 3)));
        b.take(&"t", 1_060_200);
        b.take(&"t", 1_060_300);
        assert_eq!(
            b.take(&"t", 1_060_400),
            Permit::Wait(POLL),
            "not refilled twice before the new window answers"
        );
        b.answered(&"t", rate(0, 1120), false);
        assert!(matches!(b.take(&"t", 1_060_500), Permit::Wait(d) if d > Duration::from_secs(59)));
    }

    #[test]
    fn a_429_empties_the_budget_until_reset() {
        let b = RateBudgets::new();
        b.take(&"t", 0);
        b.answered(&"t", rate(2, 50), false);
        b.take(&"t", 1000);
        b.answered(&"t", rate(0, 50), true);
        assert!(matches!(b.take(&"t", 2000), Permit::Wait(_)));
    }

    #[test]
    fn out_of_order_answers_keep_the_lowest_count() {
        let b = RateBudgets::new();
        b.take(&"t", 0);
        b.answered(&"t", rate(1, 50), false);
        b.answered(&"t", rate(2, 50), false);
        assert_eq!(b.remaining(&"t"), Some((1, 3)));
    }

    #[test]
    fn tokens_have_separate_budgets() {
        let b = RateBudgets::new();
        b.take(&"a", 0);
        b.answered(&"a", rate(0, 50), false);
        assert!(matches!(b.take(&"a", 0), Permit::Wait(_)));
        assert_eq!(b.take(&"b", 0), Permit::Go);
    }
}
