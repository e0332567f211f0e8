//! HTTP calls, with the documented `token` header, time-outs, a body size
//! cap, no redirects (a redirect could carry the token elsewhere), and
//! answers turned into [`Reply`] or [`ApiError`].

use std::time::Duration;

use reqwest::header::HeaderMap;
use reqwest::{Method, Response, Url};
use serde::de::DeserializeOwned;

use super::account::{self, AccountLookup, parse_account};
use super::error::{ApiError, RateLimit};
use super::types::{
    BlockOutcome, ContactLookup, InstanceInfo, InstancesBody, LookupBody, RemoteContact, decode,
    parse_contacts, status_error,
};
use crate::api::proxy::ProxyEnv;
use crate::util::sanitize::clean;
use crate::util::secret::Token;

/// Where and as whom a call is made.
#[derive(Debug, Clone, Copy)]
pub struct Endpoint<'a> {
    /// The server's base URL.
    pub base_url: &'a Url,
    /// The token for the `token` header.
    pub token: &'a Token,
}

/// A successful answer with the rate-limit headers that came with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply<T> {
    /// The parsed body.
    pub value: T,
    /// `X-RateLimit-*`, when sent.
    pub rate: Option<RateLimit>,
}

/// Time and size limits of the client, and its proxies.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// To open a connection.
    pub connect: Duration,
    /// For one whole request, body included.
    pub request: Duration,
    /// Largest body accepted.
    pub max_body_bytes: usize,
    /// The proxies of the environment (never used for loopback).
    pub proxies: ProxyEnv,
}

impl Default for ClientConfig {
    fn default() -> Self {
        ClientConfig {
            connect: Duration::from_secs(5),
            request: Duration::from_secs(30),
            // A 100,000-contact address book is about 25 MB.
            max_body_bytes: 256 * 1024 * 1024,
            proxies: ProxyEnv::from_process(),
        }
    }
}

/// A RyzeAPI client. Cheap to clone; one connection pool.
#[derive(Debug, Clone)]
pub struct ApiClient {
    http: reqwest::Client,
    config: ClientConfig,
}

/// Makes rustls's `ring` provider the process's TLS crypto (once; later
/// calls change nothing). Every HTTP client needs it before it is built.
pub fn use_ring_for_tls() {
    // Err only when a provider is already installed: that one stays.
    let _ = rustls::crypto::ring::default_provider().install_default();
}

impl ApiClient {
    /// Builds a client with the given time-outs.
    pub fn new(config: ClientConfig) -> Result<Self, ApiError> {
        use_ring_for_tls();
        let proxies = config.proxies.clone();
        let http = reqwest::Client::builder()
            // Only our own choice of proxy: loopback never goes through one.
            .no_proxy()
            .proxy(reqwest::Proxy::custom(move |url| {
                proxies.for_url(url).map(|chosen| chosen.url)
            }))
            .connect_timeout(config.connect)
            .timeout(config.request)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("ryze-contacts/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| ApiError::Request {
                detail: e.without_url().to_string(),
            })?;
        Ok(ApiClient { http, config })
    }

    /// Its time-outs, body cap and proxies.
    pub(super) fn config(&self) -> &ClientConfig {
        &self.config
    }

    /// Every synced contact of `instance`.
    pub async fn contacts(
        &self,
        ep: Endpoint<'_>,
        instance: &str,
    ) -> Result<Reply<Vec<RemoteContact>>, ApiError> {
        let reply = self.contacts_body(ep, instance).await?;
        Ok(Reply {
            value: parse_contacts(&reply.value)?,
            rate: reply.rate,
        })
    }

    /// The raw body of a successful contacts answer, for parsing off the
    /// async path with [`super::parse_contacts_with`].
    pub async fn contacts_body(
        &self,
        ep: Endpoint<'_>,
        instance: &str,
    ) -> Result<Reply<Vec<u8>>, ApiError> {
        let url = api_url(ep.base_url, &["chat", "contacts", instance])?;
        let (bytes, rate) = self.fetch(ep, Method::GET, url, None).await?;
        Ok(Reply { value: bytes, rate })
    }

    /// Looks one number up in `instance`'s address book (`?number=`).
    pub async fn lookup(
        &self,
        ep: Endpoint<'_>,
        instance: &str,
        number: &str,
    ) -> Result<Reply<ContactLookup>, ApiError> {
        let mut url = api_url(ep.base_url, &["chat", "contacts", instance])?;
        url.query_pairs_mut().append_pair("number", number);
        let reply: Reply<LookupBody> = self.call(ep, Method::GET, url, None).await?;
        Ok(Reply {
            value: reply.value.contact,
            rate: reply.rate,
        })
    }

    /// Who `number` is on WhatsApp, asked through `instance`
    /// (`GET /api/profile/getAccount/:instance?number=`). `number` (digits,
    /// a phone JID or an `@lid`) is sent as given. An answer that names no
    /// one, or a 404/400 refusing the number, is
    /// [`AccountLookup::NotOnWhatsApp`]; any other failure is an error.
    pub async fn account(
        &self,
        ep: Endpoint<'_>,
        instance: &str,
        number: &str,
    ) -> Result<Reply<AccountLookup>, ApiError> {
        if number.trim().is_empty() {
            // Without a number the server answers with the instance's own
            // profile, which is no one's lookup.
            return Err(ApiError::Request {
                detail: "no number to look up".to_string(),
            });
        }
        let mut url = api_url(ep.base_url, &["profile", "getAccount", instance])?;
        url.query_pairs_mut().append_pair("number", number);
        match self.fetch(ep, Method::GET, url, None).await {
            Ok((bytes, rate)) => Ok(Reply {
                value: parse_account(&bytes)?,
                rate,
            }),
            Err(e) => {
                let rate = e.rate();
                account::from_error(e).map(|value| Reply { value, rate })
            }
        }
    }

    /// The instances the token can see, narrowed to `names` when the token
    /// is an account token (an instance token always sees only its own).
    pub async fn instances(
        &self,
        ep: Endpoint<'_>,
        names: &[&str],
    ) -> Result<Reply<Vec<InstanceInfo>>, ApiError> {
        let mut url = api_url(ep.base_url, &["instance", "list"])?;
        if !names.is_empty() {
            url.query_pairs_mut()
                .append_pair("instanceName", &names.join(","));
        }
        let reply: Reply<InstancesBody> = self.call(ep, Method::GET, url, None).await?;
        Ok(Reply {
            value: reply.value.instances,
            rate: reply.rate,
        })
    }

    /// Blocks (`block = true`) or unblocks `number` (digits or a JID) on
    /// `instance`.
    pub async fn block(
        &self,
        ep: Endpoint<'_>,
        instance: &str,
        number: &str,
        block: bool,
    ) -> Result<Reply<BlockOutcome>, ApiError> {
        let url = api_url(ep.base_url, &["chat", "block", instance])?;
        let body = serde_json::json!({ "number": number, "block": block });
        let mut reply: Reply<BlockOutcome> = self.call(ep, Method::POST, url, Some(body)).await?;
        reply.value.message = clean(&reply.value.message).into_owned();
        reply.value.contact_jid = clean(&reply.value.contact_jid).into_owned();
        reply.value.server_at = reply
            .rate
            .and_then(|r| r.server_now)
            .and_then(|t| i64::try_from(t).ok());
        if reply.value.contact_jid.trim().is_empty() {
            return Err(ApiError::malformed(
                "a block answer without contact_jid: it names no one",
            ));
        }
        Ok(reply)
    }

    async fn call<T: DeserializeOwned>(
        &self,
        ep: Endpoint<'_>,
        method: Method,
        url: Url,
        body: Option<serde_json::Value>,
    ) -> Result<Reply<T>, ApiError> {
        let (bytes, rate) = self.fetch(ep, method, url, body).await?;
        let value = decode(200, &bytes, rate)?;
        Ok(Reply { value, rate })
    }

    /// Sends a request and returns the body of a 2xx answer; any other
    /// status becomes an [`ApiError`].
    pub(super) async fn fetch(
        &self,
        ep: Endpoint<'_>,
        method: Method,
        url: Url,
        body: Option<serde_json::Value>,
    ) -> Result<(Vec<u8>, Option<RateLimit>), ApiError> {
        let mut request = self
            .http
            .request(method, url)
            .header("token", ep.token.expose())
            .header("accept", "application/json");
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.map_err(|e| self.transport_error(e))?;
        let status = response.status();
        let rate = rate_limit(response.headers());
        let is_json = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("json"));
        let retry_after = retry_after(response.headers());
        let bytes = self.read_capped(response).await?;
        if !status.is_success() {
            let mut e = status_error(status.as_u16(), is_json, &bytes, rate);
            if let ApiError::Status { retry_after: r, .. } = &mut e {
                *r = retry_after;
            }
            return Err(e);
        }
        Ok((bytes, rate))
    }

    /// Reads the body, refusing more than `max_body_bytes`, and keeps one
    /// copy of it.
    async fn read_capped(&self, mut response: Response) -> Result<Vec<u8>, ApiError> {
        let cap = self.config.max_body_bytes;
        let too_large = || ApiError::TooLarge { limit_bytes: cap };
        let declared = response.content_length();
        if declared.is_some_and(|n| n > cap as u64) {
            return Err(too_large());
        }
        let mut bytes = Vec::with_capacity(declared.map_or(0, |n| n as usize));
        while let Some(chunk) = response.chunk().await.map_err(|e| self.body_error(e))? {
            if bytes.len() + chunk.len() > cap {
                return Err(too_large());
            }
            bytes.extend_from_slice(&chunk);
        }
        Ok(bytes)
    }

    /// A failure while the body streams in: the answer had begun, so the
    /// connection broke (or stalled) mid-way.
    fn body_error(&self, e: reqwest::Error) -> ApiError {
        if e.is_timeout() {
            return ApiError::Timeout {
                seconds: self.config.request.as_secs().max(1),
            };
        }
        ApiError::Interrupted {
            detail: root_cause(e),
        }
    }

    fn transport_error(&self, e: reqwest::Error) -> ApiError {
        if e.is_timeout() {
            return ApiError::Timeout {
                seconds: self.config.request.as_secs().max(1),
            };
        }
        // A connection that could not be made, or one lost once the request
        // was on its way (the server may have acted on it).
        let (connect, lost, decode) =
            (e.is_connect(), e.is_request() || e.is_body(), e.is_decode());
        let detail = root_cause(e);
        if connect {
            ApiError::Connect { detail }
        } else if lost {
            ApiError::Lost { detail }
        } else if decode {
            ApiError::malformed(detail)
        } else {
            ApiError::Request { detail }
        }
    }
}

/// The innermost cause of a reqwest error: it says "connection refused"
/// where the outer one only says "error sending request". Never the URL.
fn root_cause(e: reqwest::Error) -> String {
    let mut cause: Option<String> = None;
    let mut source = std::error::Error::source(&e);
    while let Some(next) = source {
        cause = Some(next.to_string());
        source = next.source();
    }
    cause.unwrap_or_else(|| e.without_url().to_string())
}

/// `base/api/<segments...>`, each segment percent-encoded.
pub(super) fn api_url(base: &Url, segments: &[&str]) -> Result<Url, ApiError> {
    let mut url = base.clone();
    url.path_segments_mut()
        .map_err(|()| ApiError::Request {
            detail: "base_url cannot hold a path".to_string(),
        })?
        .pop_if_empty()
        .push("api")
        .extend(segments);
    Ok(url)
}

fn header_num<T: std::str::FromStr>(headers: &HeaderMap, name: &str) -> Option<T> {
    headers.get(name)?.to_str().ok()?.trim().parse().ok()
}

/// Unix seconds of an HTTP date (`Wed, 25 Nov 2026 11:15:30 GMT`).
fn http_date(text: &str) -> Option<u64> {
    let at = httpdate::parse_http_date(text.trim()).ok()?;
    at.duration_since(std::time::UNIX_EPOCH)
        .ok()
        .map(|d| d.as_secs())
}

/// The server's clock: its `Date` header.
fn server_now(headers: &HeaderMap) -> Option<u64> {
    http_date(headers.get(reqwest::header::DATE)?.to_str().ok()?)
}

/// The `X-RateLimit-*` headers, when they make sense: a limit of at least
/// one and no more remaining than the limit. Headers that make no sense
/// (a limit of 0, negative or non-numeric values) count as absent, so they
/// can neither stall the app nor let it run past the real limit.
fn rate_limit(headers: &HeaderMap) -> Option<RateLimit> {
    Some(RateLimit {
        limit: header_num(headers, "x-ratelimit-limit")?,
        remaining: header_num(headers, "x-ratelimit-remaining")?,
        reset: header_num(headers, "x-ratelimit-reset")?,
        server_now: server_now(headers),
    })
    .filter(|r| r.limit > 0 && r.remaining <= r.limit)
}

/// `Retry-After`: seconds, or an HTTP date read against the server's
/// clock (ours when it sent none).
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let text = headers.get(reqwest::header::RETRY_AFTER)?.to_str().ok()?;
    if let Ok(seconds) = text.trim().parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = http_date(text)?;
    let now = server_now(headers).unwrap_or_else(|| crate::util::dates::now_unix().max(0) as u64);
    Some(Duration::from_secs(at.saturating_sub(now)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(limit: &str, remaining: &str, reset: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (name, value) in [
            ("x-ratelimit-limit", limit),
            ("x-ratelimit-remaining", remaining),
            ("x-ratelimit-reset", reset),
        ] {
            h.insert(name, value.parse().unwrap());
        }
        h
    }

    #[test]
    fn rate_headers_that_make_no_sense_count_as_absent() {
        assert_eq!(
            rate_limit(&headers("100", "42", "1800000000")).map(|r| (r.limit, r.remaining)),
            Some((100, 42))
        );
        for (limit, remaining) in [
            ("0", "0"),
            ("-5", "1"),
            ("lots", "1"),
            ("10", "11"),
            ("10", "-1"),
        ] {
            assert_eq!(
                rate_limit(&headers(limit, remaining, "1800000000")),
                None,
                "{limit}/{remaining}"
            );
        }
    }
}
