//! Each token's lane: at most [`MAX_IN_FLIGHT`] of its requests on the
//! wire at once, within its rate budget, retried with backoff, held
//! while its server is silent. A slot is held around the send alone: a
//! rate wait or a backoff holds nothing, so one token's spent budget
//! never delays another token's requests, however many wait.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::Url;
use tokio::sync::{Semaphore, mpsc};

use super::retry::{RetryPolicy, Silence, now_ms};
use crate::api::rate::{Heard, MAX_IN_FLIGHT, POLL, Permit, RateBudgets};
use crate::api::{ApiError, Endpoint, Reply};
use crate::config::profile::InstanceConfig;
use crate::protocol::Msg;
use crate::util::secret::Token;

/// 429s of WhatsApp's throttling one request waits out before it fails.
const MAX_THROTTLED: u32 = 10;

/// Identity of a rate budget: the server and the token.
pub(super) type BudgetKey = (Url, Token);

/// Every token's lane, budget and silence.
#[derive(Debug)]
pub(super) struct Lanes {
    budgets: RateBudgets<BudgetKey>,
    slots: Mutex<HashMap<BudgetKey, Arc<Semaphore>>>,
    silence: Mutex<HashMap<BudgetKey, Silence>>,
    retry: RetryPolicy,
    /// The profile's instances, to say which share a reported budget.
    instances: Arc<Vec<InstanceConfig>>,
    /// Where budget reports go.
    reports: mpsc::UnboundedSender<Msg>,
}

/// What a request is, for the log: what (`block +55 11 9…`) on which
/// instance.
#[derive(Debug, Clone, Copy)]
pub(super) struct About<'a> {
    /// What is asked.
    pub what: &'a str,
    /// The instance (or instances) it is for.
    pub instance: &'a str,
}

impl Lanes {
    /// Lanes for `instances`, with rate answers bounded by `window`;
    /// budget reports go to `reports`.
    pub(super) fn new(
        instances: Arc<Vec<InstanceConfig>>,
        retry: RetryPolicy,
        window: Duration,
        reports: mpsc::UnboundedSender<Msg>,
    ) -> Lanes {
        Lanes {
            budgets: RateBudgets::with_window(window),
            slots: Mutex::default(),
            silence: Mutex::default(),
            retry,
            instances,
            reports,
        }
    }

    /// Sends a request within the token's budget, retrying transient
    /// failures with backoff and jitter (a 429 waits for the reset).
    pub(super) async fn call<T, F, Fut>(
        &self,
        ep: Endpoint<'_>,
        about: About<'_>,
        send: F,
    ) -> Result<T, ApiError>
    where
        F: Fn() -> Fut,
        Fut: Future<Output = Result<Reply<T>, ApiError>>,
    {
        let key: BudgetKey = (ep.base_url.clone(), ep.token.clone());
        let mut attempt = 1;
        let mut throttled = 0;
        let mut last_error = None;
        loop {
            // A server that let the last requests time out gets no more
            // for a while: what was not sent yet fails at once.
            let Some(result) = self.send_in_budget(&key, about, &send).await else {
                let timeouts = self.silent(&key).unwrap_or_default();
                return Err(last_error.unwrap_or(ApiError::NotAnswering { timeouts }));
            };
            let was_429 = self.hear(&key, &result);
            let e = match result {
                Ok(reply) => return Ok(reply.value),
                Err(e) => e,
            };
            let (instance, what) = (about.instance, about.what);
            // WhatsApp's throttling is waited out at half pace, not
            // counted as a failed attempt (up to a bound).
            if e.is_throttling() && throttled < MAX_THROTTLED {
                throttled += 1;
                tracing::warn!(
                    instance,
                    what,
                    throttled,
                    "WhatsApp throttles: retrying at half pace"
                );
                last_error = Some(e);
                continue;
            }
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

    /// Sends once, within the token's budget, and never again: for what
    /// keeps its own back-off (the live feed's upgrade). A silent server
    /// gets nothing sent.
    pub(super) async fn once<T, F, Fut>(
        &self,
        ep: Endpoint<'_>,
        about: About<'_>,
        send: F,
    ) -> Result<T, ApiError>
    where
        F: Fn() -> Fut,
        Fut: Future<Output = Result<Reply<T>, ApiError>>,
    {
        let key: BudgetKey = (ep.base_url.clone(), ep.token.clone());
        let Some(result) = self.send_in_budget(&key, about, &send).await else {
            let timeouts = self.silent(&key).unwrap_or_default();
            return Err(ApiError::NotAnswering { timeouts });
        };
        self.hear(&key, &result);
        result.map(|reply| reply.value)
    }

    /// Sends once, within the token's lane and budget, waiting for either
    /// as needed; `None` when the server is silent (nothing was sent).
    async fn send_in_budget<T, F, Fut>(
        &self,
        key: &BudgetKey,
        about: About<'_>,
        send: &F,
    ) -> Option<Result<Reply<T>, ApiError>>
    where
        F: Fn() -> Fut,
        Fut: Future<Output = Result<Reply<T>, ApiError>>,
    {
        let lane = self.slot(key);
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
                            instance = about.instance,
                            what = about.what,
                            wait_ms = pause.as_millis() as u64,
                            "rate budget spent: waiting for the reset"
                        );
                    }
                    tokio::time::sleep(pause).await;
                }
            }
        }
    }

    /// The slots of `key`'s lane, made on first use.
    fn slot(&self, key: &BudgetKey) -> Arc<Semaphore> {
        self.slots
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .entry(key.clone())
            .or_insert_with(|| Arc::new(Semaphore::new(MAX_IN_FLIGHT)))
            .clone()
    }

    /// How many time-outs in a row made `key`'s server silent, if it is.
    fn silent(&self, key: &BudgetKey) -> Option<u32> {
        let silence = self.silence.lock().unwrap_or_else(|p| p.into_inner());
        silence.get(key)?.silent(now_ms())
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
        let timed_out = matches!(result, Err(ApiError::Timeout { .. }));
        self.silence
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .entry(key.clone())
            .or_default()
            .heard(now_ms(), heard.is_some(), timed_out);
        match heard {
            Some(heard) => self.budgets.answered(key, now_ms(), heard),
            None => self
                .budgets
                .lost(key, matches!(result, Err(ApiError::Connect { .. }))),
        }
        self.report_budget(key);
        if heard.is_some_and(|h| h.is_whatsapp_throttling()) {
            self.report_throttling(key);
        }
        heard.is_some_and(|h| h.throttled)
    }

    /// Tells the app that WhatsApp throttles `key`'s instances, and until
    /// when they go at half pace.
    fn report_throttling(&self, key: &BudgetKey) {
        let Some(until_ms) = self.budgets.slow_until(key, now_ms()) else {
            return;
        };
        let _ = self.reports.send(Msg::Throttled {
            instances: self.sharing(key),
            until: (until_ms / 1000) as i64,
        });
    }

    /// The instances whose requests go with `key`.
    fn sharing(&self, key: &BudgetKey) -> Vec<usize> {
        self.instances
            .iter()
            .enumerate()
            .filter(|(_, i)| i.base_url == key.0 && i.token == key.1)
            .map(|(n, _)| n)
            .collect()
    }

    /// Tells the app where the budget of `key` stands.
    fn report_budget(&self, key: &BudgetKey) {
        let Some((remaining, limit)) = self.budgets.remaining(key) else {
            return;
        };
        let _ = self.reports.send(Msg::Budget {
            instances: self.sharing(key),
            remaining,
            limit,
        });
    }
}
