//! Which proxy, if any, a request goes through: read from the usual
//! environment variables (`https_proxy`, `http_proxy`, `all_proxy`,
//! `no_proxy`, lower case first, then upper case), with one rule of our
//! own: a server on this machine (loopback) is never reached through a
//! proxy, so plain HTTP to it stays on this machine.
//!
//! The client routes by [`ProxyEnv::for_url`], and the profile check uses
//! the same answer to refuse a plain-HTTP proxy for a remote host unless
//! `allow_insecure_http` is set.

use reqwest::Url;

/// The proxy settings of the environment.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProxyEnv {
    https: Option<(Url, &'static str)>,
    http: Option<(Url, &'static str)>,
    all: Option<(Url, &'static str)>,
    no_proxy: Vec<String>,
}

/// A proxy chosen for a URL, and the variable that named it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chosen {
    /// The proxy's URL.
    pub url: Url,
    /// The environment variable it came from.
    pub variable: &'static str,
}

impl Chosen {
    /// The proxy's address for messages, without any user name or
    /// password it carries.
    pub fn shown(&self) -> String {
        without_credentials(&self.url)
    }
}

/// `url` as text with its user name and password left out.
pub fn without_credentials(url: &Url) -> String {
    let mut shown = url.clone();
    let _ = shown.set_username("");
    let _ = shown.set_password(None);
    shown.to_string()
}

/// Whether a URL's host is this machine (127.0.0.0/8, ::1, localhost).
pub fn is_loopback(url: &Url) -> bool {
    url.host_str().is_some_and(|host| {
        let host = host.trim_start_matches('[').trim_end_matches(']');
        host.eq_ignore_ascii_case("localhost")
            || host
                .parse::<std::net::IpAddr>()
                .is_ok_and(|ip| ip.is_loopback())
    })
}

impl ProxyEnv {
    /// Reads the settings through `env` (the process environment, or a
    /// test's). A variable that does not hold a URL is ignored.
    pub fn from_env(env: &dyn Fn(&str) -> Option<String>) -> ProxyEnv {
        let read = |names: [&'static str; 2]| {
            names.into_iter().find_map(|name| {
                let value = env(name).filter(|v| !v.trim().is_empty())?;
                let value = value.trim();
                // `host:port` alone means an HTTP proxy, as curl reads it.
                let url = if value.contains("://") {
                    Url::parse(value)
                } else {
                    Url::parse(&format!("http://{value}"))
                };
                let url = url.ok()?;
                Some((url, name))
            })
        };
        let no_proxy = ["no_proxy", "NO_PROXY"]
            .into_iter()
            .find_map(env)
            .unwrap_or_default()
            .split(',')
            .map(|entry| entry.trim().trim_start_matches('.').to_ascii_lowercase())
            .filter(|entry| !entry.is_empty())
            .collect();
        ProxyEnv {
            https: read(["https_proxy", "HTTPS_PROXY"]),
            http: read(["http_proxy", "HTTP_PROXY"]),
            all: read(["all_proxy", "ALL_PROXY"]),
            no_proxy,
        }
    }

    /// Reads the process environment.
    pub fn from_process() -> ProxyEnv {
        Self::from_env(&|name| std::env::var(name).ok())
    }

    /// The proxy a request to `url` goes through, if any.
    pub fn for_url(&self, url: &Url) -> Option<Chosen> {
        if is_loopback(url) || self.excluded(url) {
            return None;
        }
        let by_scheme = match url.scheme() {
            "https" => self.https.as_ref(),
            "http" => self.http.as_ref(),
            _ => None,
        };
        by_scheme
            .or(self.all.as_ref())
            .map(|(url, variable)| Chosen {
                url: url.clone(),
                variable,
            })
    }

    /// `no_proxy`: `*`, a host, or a domain suffix (`example.com` and
    /// `.example.com` both cover `api.example.com`).
    fn excluded(&self, url: &Url) -> bool {
        let Some(host) = url.host_str() else {
            return false;
        };
        let host = host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_ascii_lowercase();
        self.no_proxy.iter().any(|entry| {
            entry == "*"
                || host == *entry
                || host
                    .strip_suffix(entry.as_str())
                    .is_some_and(|rest| rest.ends_with('.'))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(vars: &'static [(&'static str, &'static str)]) -> ProxyEnv {
        ProxyEnv::from_env(&|name| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        })
    }

    fn url(text: &str) -> Url {
        Url::parse(text).unwrap()
    }

    #[test]
    fn loopback_never_goes_through_a_proxy() {
        let e = env(&[
            ("HTTP_PROXY", "http://proxy.example:3128"),
            ("ALL_PROXY", "http://proxy.example:3128"),
            ("http_proxy", "http://proxy.example:3128"),
        ]);
        for local in [
            "http://127.0.0.1:8080",
            "http://127.9.9.9",
            "http://localhost:1",
            "http://[::1]:80",
        ] {
            assert_eq!(e.for_url(&url(local)), None, "{local}");
        }
        assert!(e.for_url(&url("http://gateway.example")).is_some());
    }

    #[test]
    fn scheme_then_all_lower_case_first() {
        let e = env(&[
            ("https_proxy", "https://lower.example"),
            ("HTTPS_PROXY", "https://upper.example"),
            ("ALL_PROXY", "http://all.example"),
        ]);
        let chosen = e.for_url(&url("https://ryzeapi.cloud")).unwrap();
        assert_eq!(chosen.url.host_str(), Some("lower.example"));
        assert_eq!(chosen.variable, "https_proxy");
        let chosen = e.for_url(&url("http://plain.example")).unwrap();
        assert_eq!(chosen.variable, "ALL_PROXY");
    }

    #[test]
    fn no_proxy_covers_hosts_and_domains() {
        let e = env(&[
            ("HTTPS_PROXY", "proxy.example:3128"),
            ("NO_PROXY", "internal.example, .corp.example,10.0.0.5"),
        ]);
        for direct in [
            "https://internal.example",
            "https://api.internal.example",
            "https://a.corp.example",
            "https://10.0.0.5",
        ] {
            assert_eq!(e.for_url(&url(direct)), None, "{direct}");
        }
        let via = e.for_url(&url("https://notinternal.example")).unwrap();
        assert_eq!(
            via.url.as_str(),
            "http://proxy.example:3128/",
            "scheme added"
        );
        assert!(
            env(&[("https_proxy", "p.example"), ("no_proxy", "*")])
                .for_url(&url("https://x.example"))
                .is_none()
        );
    }

    #[test]
    fn credentials_are_never_shown() {
        let e = env(&[("HTTPS_PROXY", "http://me:s3cret@proxy.example:3128")]);
        let shown = e.for_url(&url("https://ryzeapi.cloud")).unwrap().shown();
        assert_eq!(shown, "http://proxy.example:3128/");
    }
}
