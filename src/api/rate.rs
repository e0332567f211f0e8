//! Per-token rate budgets, kept from the `X-RateLimit-*` headers.
//!
//! RyzeAPI counts requests per token; instances reached with the same token
//! share one budget. Before each request the worker takes one unit; when
//! none is left it waits for the window's reset instead of earning a 429.
//!
//! Every wait has an upper bound, whatever the server says:
//! - until the first answer tells the budget, one request goes and the
//!   rest wait for its answer;
//! - a reset is read on the server's own clock (its `Date` header) and
//!   converted to ours; a reset further than one window away is not
//!   trusted (one window is waited instead), and a reset in the past means
//!   "now";
//! - a 429 waits for its `Retry-After` (at most one window), else for a
//!   reset still ahead, else for one window: never milliseconds.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use crate::api::RateLimit;

/// Requests of one token in flight at once: the worker's lanes, and
/// what a batch keeps sent.
pub const MAX_IN_FLIGHT: usize = 8;

/// Safety margin after a reset before sending again, for clock skew.
const RESET_MARGIN: Duration = Duration::from_millis(150);
/// How often to look again while waiting for an answer to say where the
/// budget stands.
pub const POLL: Duration = Duration::from_millis(50);
/// RyzeAPI's documented window: 100 requests per minute.
pub const WINDOW: Duration = Duration::from_secs(60);

/// One rate window as the answers describe it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Window {
    limit: u32,
    remaining: u32,
    /// The server's reset value, as sent: tells windows apart.
    reset_sent: u64,
    /// When the window resets on our clock (milliseconds), bounded.
    reset_ms: u64,
    /// Set when the budget was refilled locally at the reset, before any
    /// answer from the new window (which then replaces it).
    refilled: bool,
}

/// What is believed of one token's budget.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Budget {
    /// Known once an answer carried the headers.
    window: Option<Window>,
    /// Requests sent and not answered yet.
    in_flight: u32,
    /// Answers the server gave (of any status).
    answers: u32,
    /// No request before this (our clock, milliseconds), after a 429.
    pause_until_ms: u64,
    /// Until when WhatsApp's throttling keeps this token at half pace.
    slow_until_ms: u64,
    /// At half pace: no request before this.
    next_slow_ms: u64,
}

/// How long WhatsApp's throttling keeps a token at half pace.
pub const SLOW_FOR: Duration = Duration::from_secs(5 * 60);
/// The pause after a 429 of WhatsApp's throttling before trying again.
const THROTTLE_PAUSE: Duration = Duration::from_secs(2);

/// What the server said with one answer.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Heard {
    /// `X-RateLimit-*` (with the server's clock), when sent.
    pub rate: Option<RateLimit>,
    /// The answer was a 429.
    pub throttled: bool,
    /// `Retry-After`, when sent.
    pub retry_after: Option<Duration>,
}

/// Budgets of every token in use, keyed by an opaque token identity.
#[derive(Debug)]
pub struct RateBudgets<K> {
    budgets: Mutex<HashMap<K, Budget>>,
    window: Duration,
}

/// What [`RateBudgets::take`] decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permit {
    /// Send now.
    Go,
    /// Wait this long, then ask again.
    Wait(Duration),
}

impl Heard {
    /// A 429 with budget left: WhatsApp's own throttling of this number,
    /// not the token's budget.
    pub fn is_whatsapp_throttling(&self) -> bool {
        self.throttled && self.rate.is_some_and(|r| r.remaining > 0)
    }
}

impl<K: std::hash::Hash + Eq + Clone> Default for RateBudgets<K> {
    fn default() -> Self {
        Self::new()
    }
}

impl<K: std::hash::Hash + Eq + Clone> RateBudgets<K> {
    /// Empty, with RyzeAPI's one-minute window as the longest wait.
    pub fn new() -> Self {
        Self::with_window(WINDOW)
    }

    /// Empty, with `window` as the longest wait any answer can impose.
    pub fn with_window(window: Duration) -> Self {
        RateBudgets {
            budgets: Mutex::new(HashMap::new()),
            window,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<K, Budget>> {
        self.budgets.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Takes one request from the budget of `key` at our time `now_ms`
    /// (Unix milliseconds), or says how long to wait.
    pub fn take(&self, key: &K, now_ms: u64) -> Permit {
        let window_ms = self.window.as_millis() as u64;
        let mut budgets = self.lock();
        let b = budgets.entry(key.clone()).or_default();
        if now_ms < b.pause_until_ms {
            return Permit::Wait(Duration::from_millis(b.pause_until_ms - now_ms));
        }
        if now_ms < b.slow_until_ms {
            if now_ms < b.next_slow_ms {
                return Permit::Wait(Duration::from_millis(b.next_slow_ms - now_ms));
            }
            // Half the pace the budget allows: two slots of the window
            // per request.
            let limit = u64::from(b.window.map_or(100, |w| w.limit).max(1));
            b.next_slow_ms = now_ms + 2 * window_ms / limit;
        }
        match &mut b.window {
            // The first request is out: its answer will tell the budget.
            None if b.answers == 0 && b.in_flight > 0 => return Permit::Wait(POLL),
            // The server sends no headers: nothing to count against.
            None => {}
            Some(w) => {
                if w.remaining == 0 {
                    // The new window's length was guessed at the refill:
                    // the answers on their way tell the real reset, so
                    // look again soon rather than sleep a guessed window.
                    if w.refilled && b.in_flight > 0 && now_ms < w.reset_ms {
                        return Permit::Wait(POLL.min(Duration::from_millis(w.reset_ms - now_ms)));
                    }
                    if now_ms < w.reset_ms {
                        return Permit::Wait(Duration::from_millis(w.reset_ms - now_ms));
                    }
                    // A new window, on our clock until an answer says
                    // otherwise: it lasts one window from now, so a server
                    // whose answers stop carrying the headers (a proxy's
                    // page, a route without them) still gets at most its
                    // limit per window, and is never waited for forever.
                    w.remaining = w.limit;
                    w.reset_ms = now_ms + window_ms;
                    w.refilled = true;
                }
                w.remaining -= 1;
            }
        }
        b.in_flight += 1;
        Permit::Go
    }

    /// A request got no answer from the server (no connection, a time-out).
    /// One that never reached it (`refund`: the connection was refused)
    /// gives its place in the window back, since the server counted
    /// nothing; one that may have arrived keeps it spent.
    pub fn lost(&self, key: &K, refund: bool) {
        if let Some(b) = self.lock().get_mut(key) {
            b.in_flight = b.in_flight.saturating_sub(1);
            if refund && let Some(w) = &mut b.window {
                w.remaining = (w.remaining + 1).min(w.limit);
            }
        }
    }

    /// Records what the server said in answer to a request of `key`,
    /// heard at our time `now_ms`.
    pub fn answered(&self, key: &K, now_ms: u64, heard: Heard) {
        let window_ms = self.window.as_millis() as u64;
        let mut budgets = self.lock();
        let b = budgets.entry(key.clone()).or_default();
        b.in_flight = b.in_flight.saturating_sub(1);
        b.answers = b.answers.saturating_add(1);
        let reset_ms = heard.rate.map(|rate| {
            // On the server's clock when it said what its clock was.
            let ahead_ms = match rate.server_now {
                Some(server_now) => rate.reset.saturating_sub(server_now).saturating_mul(1000),
                None => rate.reset.saturating_mul(1000).saturating_sub(now_ms),
            };
            now_ms + ahead_ms.min(window_ms) + RESET_MARGIN.as_millis() as u64
        });
        if let (Some(rate), Some(reset_ms)) = (heard.rate, reset_ms) {
            let fresh = Window {
                limit: rate.limit,
                // What the server has left, less what is on its way to it.
                remaining: rate.remaining.saturating_sub(b.in_flight),
                reset_sent: rate.reset,
                reset_ms,
                refilled: false,
            };
            match &mut b.window {
                Some(w) if rate.reset <= w.reset_sent => {
                    // The same window; answers arrive out of order, and the
                    // lowest count is the truest.
                    w.limit = rate.limit;
                    w.remaining = w.remaining.min(rate.remaining);
                    w.reset_ms = w.reset_ms.min(reset_ms);
                }
                _ => b.window = Some(fresh),
            }
        }
        if heard.is_whatsapp_throttling() {
            // The budget is not spent: WhatsApp slows this number down. A
            // pause, then half pace for a while.
            let pause = heard
                .retry_after
                .unwrap_or(THROTTLE_PAUSE)
                .max(THROTTLE_PAUSE);
            let pause_ms = u64::try_from(pause.as_millis())
                .unwrap_or(u64::MAX)
                .min(window_ms);
            b.pause_until_ms = b.pause_until_ms.max(now_ms + pause_ms);
            b.slow_until_ms = now_ms + SLOW_FOR.as_millis() as u64;
            return;
        }
        if heard.throttled {
            let pause_ms = match (heard.retry_after, reset_ms) {
                (Some(after), _) => u64::try_from(after.as_millis())
                    .unwrap_or(u64::MAX)
                    .min(window_ms),
                (None, Some(reset_ms)) if reset_ms > now_ms + RESET_MARGIN.as_millis() as u64 => {
                    reset_ms - now_ms
                }
                _ => window_ms,
            };
            b.pause_until_ms = b.pause_until_ms.max(now_ms + pause_ms);
            if let Some(w) = &mut b.window {
                w.remaining = 0;
                w.reset_ms = w.reset_ms.max(b.pause_until_ms);
                w.refilled = false;
            }
        }
    }

    /// Until when (our clock, milliseconds) WhatsApp's throttling keeps
    /// `key` at half pace, when it does at `now_ms`.
    pub fn slow_until(&self, key: &K, now_ms: u64) -> Option<u64> {
        self.lock()
            .get(key)
            .map(|b| b.slow_until_ms)
            .filter(|&until| until > now_ms)
    }

    /// The remaining budget and limit of `key`, when known.
    pub fn remaining(&self, key: &K) -> Option<(u32, u32)> {
        self.lock()
            .get(key)
            .and_then(|b| b.window)
            .map(|w| (w.remaining, w.limit))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: u64 = 1_000_000_000; // our clock, ms

    fn heard(remaining: u32, reset: u64) -> Heard {
        Heard {
            rate: Some(RateLimit {
                limit: 3,
                remaining,
                reset,
                server_now: None,
            }),
            ..Heard::default()
        }
    }

    fn throttled(mut h: Heard) -> Heard {
        h.throttled = true;
        h
    }

    fn wait_ms(p: Permit) -> u64 {
        match p {
            Permit::Wait(d) => d.as_millis() as u64,
            Permit::Go => 0,
        }
    }

    #[test]
    fn a_429_with_budget_left_pauses_then_halves_the_pace_without_spending_the_budget() {
        let b = RateBudgets::with_window(Duration::from_secs(60));
        assert_eq!(b.take(&"t", T0), Permit::Go);
        let mut h = throttled(heard(50, T0 / 1000 + 60));
        h.rate = h.rate.map(|r| RateLimit { limit: 100, ..r });
        b.answered(&"t", T0, h);
        assert_eq!(
            b.remaining(&"t"),
            Some((50, 100)),
            "the budget is not spent"
        );
        assert_eq!(wait_ms(b.take(&"t", T0)), 2_000, "a pause first");
        assert_eq!(b.take(&"t", T0 + 2_000), Permit::Go);
        assert_eq!(
            wait_ms(b.take(&"t", T0 + 2_000)),
            1_200,
            "then one request every 1.2 s: half of 100 a minute"
        );
        assert_eq!(b.take(&"t", T0 + 3_200), Permit::Go);
        assert!(b.slow_until(&"t", T0 + 3_200).is_some());
        let later = T0 + 2_000 + SLOW_FOR.as_millis() as u64 + 1;
        assert_eq!(
            b.slow_until(&"t", later),
            None,
            "full pace after five minutes"
        );
    }

    #[test]
    fn the_first_request_goes_alone_until_its_answer() {
        let b = RateBudgets::new();
        assert_eq!(b.take(&"t", T0), Permit::Go);
        assert_eq!(
            b.take(&"t", T0),
            Permit::Wait(POLL),
            "the budget is unknown"
        );
        assert_eq!(b.remaining(&"t"), None);
        b.answered(&"t", T0 + 10, heard(2, T0 / 1000 + 30));
        assert_eq!(b.remaining(&"t"), Some((2, 3)));
        assert_eq!(b.take(&"t", T0 + 20), Permit::Go);
        assert_eq!(b.take(&"t", T0 + 20), Permit::Go);
        assert!(
            wait_ms(b.take(&"t", T0 + 20)) > 29_000,
            "every request counted"
        );
    }

    #[test]
    fn a_server_without_headers_is_not_held_back() {
        let b = RateBudgets::new();
        b.take(&"t", T0);
        b.answered(&"t", T0, Heard::default());
        for _ in 0..10 {
            assert_eq!(b.take(&"t", T0), Permit::Go);
        }
    }

    #[test]
    fn a_lost_request_lets_the_next_one_probe() {
        let b = RateBudgets::new();
        b.take(&"t", T0);
        b.lost(&"t", false);
        assert_eq!(b.take(&"t", T0), Permit::Go);
    }

    #[test]
    fn a_request_that_never_reached_the_server_gives_its_place_back() {
        let b = RateBudgets::new();
        let reset = T0 / 1000 + 60;
        b.take(&"t", T0);
        b.answered(&"t", T0, heard(2, reset));
        assert_eq!(b.remaining(&"t"), Some((2, 3)));
        b.take(&"t", T0);
        b.lost(&"t", true);
        assert_eq!(b.remaining(&"t"), Some((2, 3)), "refused: not counted");
        b.take(&"t", T0);
        b.lost(&"t", false);
        assert_eq!(
            b.remaining(&"t"),
            Some((1, 3)),
            "timed out: may have arrived"
        );
    }

    #[test]
    fn spends_then_waits_for_the_reset_then_refills_once() {
        let b = RateBudgets::new();
        let reset = T0 / 1000 + 60;
        b.take(&"t", T0);
        b.answered(&"t", T0, heard(1, reset));
        assert_eq!(b.take(&"t", T0 + 100), Permit::Go);
        assert_eq!(b.remaining(&"t"), Some((0, 3)));
        let until_reset = reset * 1000 + RESET_MARGIN.as_millis() as u64 - (T0 + 200);
        assert_eq!(wait_ms(b.take(&"t", T0 + 200)), until_reset);
        let after = reset * 1000 + 200;
        assert_eq!(b.take(&"t", after), Permit::Go, "a new window");
        b.take(&"t", after);
        b.take(&"t", after);
        assert_eq!(
            b.take(&"t", after),
            Permit::Wait(POLL),
            "the window's real reset is on its way with the answers: look again soon"
        );
        // The four requests out (one of the old window, three of the new)
        // answered without headers.
        for _ in 0..4 {
            b.answered(&"t", after + 10, Heard::default());
        }
        assert_eq!(
            wait_ms(b.take(&"t", after + 10)),
            59_990,
            "no answer told the reset: a local window lasts one window, never refilled twice in one"
        );
        // Answers without headers never hold the token for ever.
        assert_eq!(b.take(&"t", after + 60_000), Permit::Go);
    }

    #[test]
    fn waiters_of_a_refilled_window_follow_the_reset_its_answers_tell() {
        // A server whose windows last a second, not RyzeAPI's minute.
        let b = RateBudgets::new();
        let reset = T0 / 1000 + 1;
        b.take(&"t", T0);
        b.answered(&"t", T0, heard(0, reset));
        let after = reset * 1000 + 200;
        assert_eq!(b.take(&"t", after), Permit::Go, "refilled at the reset");
        b.take(&"t", after);
        b.take(&"t", after);
        assert_eq!(b.take(&"t", after), Permit::Wait(POLL));
        // The new window's first answer: spent, resetting a second later.
        b.answered(&"t", after + 20, heard(0, reset + 1));
        let wait = wait_ms(b.take(&"t", after + 20));
        assert!(
            wait <= 1_000 + RESET_MARGIN.as_millis() as u64,
            "the server's next reset, not a guessed minute: {wait} ms"
        );
    }

    #[test]
    fn a_reset_beyond_one_window_is_not_trusted() {
        let b = RateBudgets::with_window(Duration::from_secs(60));
        b.take(&"t", T0);
        // X-RateLimit-Reset: the year 3000.
        b.answered(&"t", T0, heard(0, 32_503_680_000));
        let wait = wait_ms(b.take(&"t", T0));
        let bound = 60_000 + RESET_MARGIN.as_millis() as u64;
        assert!(wait <= bound, "waits at most one window, not {wait} ms");
        assert_eq!(b.take(&"t", T0 + bound), Permit::Go);
    }

    #[test]
    fn a_reset_in_the_past_means_now() {
        let b = RateBudgets::new();
        b.take(&"t", T0);
        b.answered(&"t", T0, heard(0, T0 / 1000 - 120));
        assert!(wait_ms(b.take(&"t", T0)) <= RESET_MARGIN.as_millis() as u64);
    }

    #[test]
    fn resets_are_read_on_the_servers_clock() {
        let b = RateBudgets::new();
        b.take(&"t", T0);
        // The server runs 120 s behind: its reset, 30 s ahead on its clock,
        // is 90 s in our past.
        let server_now = T0 / 1000 - 120;
        let mut h = throttled(heard(0, server_now + 30));
        h.rate.as_mut().unwrap().server_now = Some(server_now);
        b.answered(&"t", T0, h);
        let wait = wait_ms(b.take(&"t", T0));
        assert!((30_000..=30_200).contains(&wait), "{wait}");
    }

    #[test]
    fn a_429_honours_retry_after_bounded_by_a_window() {
        let b = RateBudgets::with_window(Duration::from_secs(60));
        b.take(&"t", T0);
        let h = Heard {
            throttled: true,
            retry_after: Some(Duration::from_secs(7)),
            ..Heard::default()
        };
        b.answered(&"t", T0, h);
        assert_eq!(wait_ms(b.take(&"t", T0)), 7_000);
        b.take(&"t", T0 + 7_000);
        let h = Heard {
            throttled: true,
            retry_after: Some(Duration::from_secs(86_400)),
            ..Heard::default()
        };
        b.answered(&"t", T0 + 7_000, h);
        assert_eq!(wait_ms(b.take(&"t", T0 + 7_000)), 60_000);
    }

    #[test]
    fn a_429_without_headers_waits_a_window_not_milliseconds() {
        let b = RateBudgets::with_window(Duration::from_secs(60));
        b.take(&"t", T0);
        b.answered(&"t", T0, throttled(Heard::default()));
        assert_eq!(wait_ms(b.take(&"t", T0)), 60_000);
    }

    #[test]
    fn a_429_with_a_past_reset_waits_a_window() {
        let b = RateBudgets::with_window(Duration::from_secs(60));
        b.take(&"t", T0);
        b.answered(&"t", T0, throttled(heard(0, T0 / 1000 - 120)));
        assert_eq!(wait_ms(b.take(&"t", T0)), 60_000);
    }

    #[test]
    fn out_of_order_answers_keep_the_lowest_count() {
        let b = RateBudgets::new();
        b.take(&"t", T0);
        b.answered(&"t", T0, heard(1, T0 / 1000 + 50));
        b.answered(&"t", T0, heard(2, T0 / 1000 + 50));
        assert_eq!(b.remaining(&"t"), Some((1, 3)));
    }

    #[test]
    fn tokens_have_separate_budgets() {
        let b = RateBudgets::new();
        b.take(&"a", T0);
        b.answered(&"a", T0, heard(0, T0 / 1000 + 50));
        assert!(matches!(b.take(&"a", T0), Permit::Wait(_)));
        assert_eq!(b.take(&"b", T0), Permit::Go);
    }
}
