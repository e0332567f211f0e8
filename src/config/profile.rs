//! The saved profile: where it lives, how it is read and validated, and how
//! each instance's token is resolved.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use reqwest::Url;
use thiserror::Error;

use super::login_name;
use super::profile_text::{KeyEntry, Problem, RawDefaults, RawInstance, TablePlace, Text, read};
use super::token_source::TokenSource;
use crate::api::proxy::{ProxyEnv, is_loopback, without_credentials};
use crate::keys::Keymap;
use crate::model::number::Region;
use crate::store::ledger::{PgTarget, Place};
use crate::util::secret::Token;

/// Base URL used when the profile names none.
pub const DEFAULT_BASE_URL: &str = "https://ryzeapi.cloud";

/// One instance of the profile, ready to use.
#[derive(Debug, Clone)]
pub struct InstanceConfig {
    /// The instance name used in API paths.
    pub name: String,
    /// Optional display name.
    pub label: Option<String>,
    /// Server to talk to.
    pub base_url: Url,
    /// Token sent in the `token` header.
    pub token: Token,
    /// `region`: the country in which numbers typed without country code
    /// are read, whatever the instance's own number says.
    pub region: Option<Region>,
    /// `read_only`: no block or unblock is ever sent to this instance.
    pub read_only: bool,
}

/// A loaded, validated profile.
#[derive(Debug, Clone)]
pub struct Profile {
    /// The instances, in file order.
    pub instances: Vec<InstanceConfig>,
    /// The keys: defaults with the profile's `[keys]` on top.
    pub keymap: Keymap,
    /// Things the user should fix that do not stop the app.
    pub warnings: Vec<String>,
    /// Who the ledger records as asking: `[defaults] operator`, else the
    /// login name.
    pub operator: String,
    /// `ask_reason`: `b` asks why before it sends (the number prompt and
    /// the bulk dialog always offer a reason).
    pub ask_reason: bool,
    /// `reasons`: the reasons offered to choose from (free text too).
    pub reasons: Vec<String>,
    /// `[ledger]`: the team's shared ledger, when there is one (else the
    /// data folder's file).
    pub ledger: Option<PgTarget>,
    /// `[live]`: what flags a live message.
    pub live: crate::model::flags::Rules,
}

impl Profile {
    /// The ledger this profile uses: the team's, or the file in `data_dir`.
    pub fn ledger_place(&self, data_dir: &Path) -> Place {
        match &self.ledger {
            Some(target) => Place::Team(target.clone()),
            None => Place::Local(data_dir.to_path_buf()),
        }
    }

    /// `--read-only`: no instance is sent a block or unblock.
    pub fn make_read_only(&mut self) {
        for inst in &mut self.instances {
            inst.read_only = true;
        }
    }

    /// The index of the instance called `name`: the exact name, else the
    /// only one whose name or label matches ignoring case; otherwise why
    /// not, naming the instances there are.
    pub fn find_instance(&self, name: &str) -> Result<usize, String> {
        let names: Vec<(&str, Option<&str>)> = self
            .instances
            .iter()
            .map(|i| (i.name.as_str(), i.label.as_deref()))
            .collect();
        resolve_instance(&names, name).ok_or_else(|| {
            let names: Vec<&str> = self.instances.iter().map(|i| i.name.as_str()).collect();
            format!(
                "no instance \"{name}\" in the profile (it has: {})",
                names.join(", ")
            )
        })
    }
}

/// The one rule that finds an instance by what a user typed (`--instance`,
/// `:instance`), among (name, label) pairs: the exact name; else the one
/// name or label equal to it, letter case ignored; else the one name it
/// begins, letter case ignored. `None` when nothing or several match.
pub fn resolve_instance(instances: &[(&str, Option<&str>)], wanted: &str) -> Option<usize> {
    if let Some(exact) = instances.iter().position(|(name, _)| *name == wanted) {
        return Some(exact);
    }
    let only = |matches: Vec<usize>| match matches.as_slice() {
        [one] => Some(*one),
        _ => None,
    };
    let folded = |text: &str| text.eq_ignore_ascii_case(wanted);
    let equal: Vec<usize> = (0..instances.len())
        .filter(|&i| folded(instances[i].0) || instances[i].1.is_some_and(folded))
        .collect();
    if !equal.is_empty() {
        return only(equal);
    }
    let wanted = wanted.to_lowercase();
    if wanted.is_empty() {
        return None;
    }
    only(
        (0..instances.len())
            .filter(|&i| instances[i].0.to_lowercase().starts_with(&wanted))
            .collect(),
    )
}

/// Why a profile could not be used. Every variant names the file and says
/// what to do.
#[derive(Debug, Error)]
pub enum ProfileError {
    /// No file at the path.
    #[error(
        "no profile at {path}: run `ryze-contacts init` to write one, or copy assets/profile.example.toml there (or pass --profile PATH); `ryze-contacts --demo` tries the app without one"
    )]
    NotFound {
        /// Where it was looked for.
        path: PathBuf,
    },
    /// Something that is not a regular file (a FIFO, a device, a folder),
    /// which could hang or never end.
    #[error("profile {path} is not a regular file: point --profile at the profile.toml itself")]
    NotAFile {
        /// The path.
        path: PathBuf,
    },
    /// The file exists but cannot be read.
    #[error("cannot read profile {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// Not TOML, or not a usable profile: every problem found, each with
    /// its line, in the order of the file.
    #[error("profile {path} has {} problem(s):\n  - {}", problems.len(), problems.join("\n  - "))]
    Invalid {
        /// The file.
        path: PathBuf,
        /// One line per problem: `line 4: …` (`line 4, column 9: …` for
        /// syntax), first those no line holds.
        problems: Vec<String>,
    },
}

/// Parses and checks a base URL: http(s) with a host, no user name or
/// password, and HTTPS for any host that is not loopback unless
/// `allow_insecure_http` says otherwise. Messages never repeat a password.
fn parse_base_url(text: &str, who: &str, allow_insecure_http: bool) -> Result<Url, String> {
    let url = Url::parse(text.trim()).map_err(|e| {
        format!("{who}: base_url is not a URL ({e}): write it as https://host[:port]")
    })?;
    let shown = without_credentials(&url);
    if !url.username().is_empty() || url.password().is_some() {
        return Err(format!(
            "{who}: base_url {shown} must not hold a user name or password (they would be sent to the server): remove them; the token goes in token, token_env or token_cmd"
        ));
    }
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
        return Err(format!(
            "{who}: base_url \"{shown}\" must look like https://host[:port]"
        ));
    }
    if url.scheme() == "http" && !is_loopback(&url) && !allow_insecure_http {
        return Err(format!(
            "{who}: base_url \"{shown}\" is plain HTTP to another machine, so the token would travel unencrypted: use https://, or set allow_insecure_http = true if this network is trusted"
        ));
    }
    Ok(url)
}

/// Reads `region = "BR"`: a two-letter country code libphonenumber knows.
fn parse_region(code: &str, who: &str) -> Result<Region, String> {
    Region::from_code(code).ok_or_else(|| {
        format!(
            "{who}: region \"{code}\" is not a country code: use the two letters of ISO 3166-1, e.g. region = \"BR\""
        )
    })
}

/// Refuses a plain-HTTP proxy on the way to a remote server unless
/// `allow_insecure_http` accepts it.
fn check_proxy(
    base_url: &Url,
    proxies: &ProxyEnv,
    who: &str,
    allow_insecure_http: bool,
) -> Result<(), String> {
    match proxies.for_url(base_url) {
        Some(proxy) if proxy.url.scheme() != "https" && !allow_insecure_http => Err(format!(
            "{who}: the proxy {} (from {}) is reached over plain HTTP: use an https:// proxy, exclude {} in no_proxy, or set allow_insecure_http = true if this network is trusted",
            proxy.shown(),
            proxy.variable,
            base_url.host_str().unwrap_or_default()
        )),
        _ => Ok(()),
    }
}

/// The default profile path, from `directories` (on Linux
/// `~/.config/ryze-contacts/profile.toml`).
pub fn default_path() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "ryze-contacts")
        .map(|dirs| dirs.config_dir().join("profile.toml"))
}

/// Reads and validates the profile at `path`, resolving tokens from the
/// process environment.
pub fn load(path: &Path) -> Result<Profile, ProfileError> {
    // Looked at before it is opened: opening a FIFO waits for a writer.
    if std::fs::metadata(path).is_ok_and(|m| !m.is_file()) {
        return Err(ProfileError::NotAFile {
            path: path.to_path_buf(),
        });
    }
    let text = std::fs::read_to_string(path).map_err(|source| {
        if source.kind() == std::io::ErrorKind::NotFound {
            ProfileError::NotFound {
                path: path.to_path_buf(),
            }
        } else {
            ProfileError::Read {
                path: path.to_path_buf(),
                source,
            }
        }
    })?;
    let mut profile = parse(&text, path, &|var| std::env::var(var).ok())?;
    if has_literal_token(&text) && readable_by_others(path) {
        profile.warnings.push(format!(
            "profile {} holds a literal token and others can read it: run chmod 600 {}",
            path.display(),
            path.display()
        ));
    }
    Ok(profile)
}

fn has_literal_token(text: &str) -> bool {
    read(text).is_ok_and(|(raw, _)| {
        raw.account.as_ref().is_some_and(|a| a.token.is_some())
            || raw.instances.iter().any(|(i, _)| i.token.is_some())
    })
}

#[cfg(unix)]
fn readable_by_others(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.permissions().mode() & 0o077 != 0)
}

#[cfg(not(unix))]
fn readable_by_others(_path: &Path) -> bool {
    false
}

/// Why an instance's name (or label) cannot be used: empty, control
/// characters, `.` or `..`, or listed twice.
fn check_name(inst: &RawInstance, who: &str, seen: &mut HashSet<String>) -> Result<(), String> {
    if inst.name.trim().is_empty() {
        return Err("an [[instances]] entry has an empty name".to_string());
    }
    if inst
        .name
        .chars()
        .chain(inst.label.iter().flat_map(|l| l.chars()))
        .any(char::is_control)
    {
        return Err(format!(
            "{who}: name and label must not hold control characters"
        ));
    }
    if matches!(inst.name.trim(), "." | "..") {
        return Err(format!(
            "{who}: \".\" and \"..\" cannot name an instance: RyzeAPI takes the name in the URL path, where they mean \"this folder\" and \"the one above\""
        ));
    }
    if !seen.insert(inst.name.clone()) {
        return Err(format!("{who} is listed twice: names must be unique"));
    }
    Ok(())
}

/// The keys in force: the defaults with `[keys]` and its context tables
/// on top, or every problem found, each on the line of what it names.
fn keymap_of(raw: &Text) -> Result<Keymap, Vec<Problem>> {
    let mut overrides: crate::keys::Overrides = Vec::new();
    for (name, entry) in &raw.keys {
        match entry {
            KeyEntry::One(k) => overrides.push((String::new(), name.clone(), vec![k.clone()])),
            KeyEntry::Many(ks) => overrides.push((String::new(), name.clone(), ks.clone())),
            KeyEntry::Context(table) => overrides.extend(
                table
                    .iter()
                    .map(|(action, keys)| (name.clone(), action.clone(), keys.to_vec())),
            ),
        }
    }
    Keymap::with_overrides(&overrides)
        .map_err(|errors| errors.into_iter().map(|e| raw.keys_problem(e)).collect())
}

/// What `[defaults]` and `[account]` give every instance.
struct Shared {
    /// The base URL, or `Err` when it is wrong (said once, in problems).
    base_url: Result<Url, ()>,
    insecure: bool,
    region: Option<Region>,
    read_only: bool,
    /// The account token, when `[account]` gives one that resolved.
    account_token: Option<Token>,
    /// Whether `[account]` names a token at all (resolved or not).
    account_set: bool,
    proxies: ProxyEnv,
}

impl Shared {
    /// Reads `[defaults]` and `[account]`, noting what is wrong.
    fn of(raw: &Text, env: &dyn Fn(&str) -> Option<String>, problems: &mut Vec<Problem>) -> Shared {
        let defaults = raw.defaults.as_ref();
        let insecure = defaults
            .and_then(|d| d.allow_insecure_http)
            .unwrap_or(false);
        let url_text = defaults
            .and_then(|d| d.base_url.as_deref())
            .unwrap_or(DEFAULT_BASE_URL);
        let at = &raw.defaults_at;
        // What could not be read was said already: nothing more of it.
        let base_url = if at.unread(&["base_url", "allow_insecure_http"]) {
            Err(())
        } else {
            parse_base_url(url_text, "[defaults]", insecure).map_err(|p| problems.push(at.about(p)))
        };
        let account = raw.account.as_ref().map(|a| TokenSource {
            token: a.token.as_ref(),
            token_env: a.token_env.as_ref(),
            token_cmd: a.token_cmd.as_ref(),
        });
        // An [account] that could not be read has said so: the instances
        // that rely on it say nothing more.
        let account_set = raw.account_unread
            || raw.account_at.unread(&TOKEN_KEYS)
            || account.as_ref().is_some_and(|s| !s.is_empty());
        let account_token = match &account {
            Some(source) if account_set => source
                .resolve("[account]", env)
                .map_err(|p| problems.push(raw.account_at.about(p)))
                .ok(),
            _ => None,
        };
        let region = defaults
            .and_then(|d| d.region.as_deref())
            .map(|code| parse_region(code, "[defaults]"))
            .transpose()
            .unwrap_or_else(|p| {
                problems.push(at.about(p));
                None
            });
        Shared {
            base_url,
            insecure,
            region,
            read_only: defaults.and_then(|d| d.read_only).unwrap_or(false),
            account_token,
            account_set,
            proxies: ProxyEnv::from_env(env),
        }
    }
}

/// The keys that give a token.
const TOKEN_KEYS: [&str; 3] = ["token", "token_env", "token_cmd"];

/// The token of one `[[instances]]` table (`who`): its own, else the
/// account's; `None` when that is the account's and it did not resolve
/// (said once already). A token key that could not be read gives an
/// empty problem: its own was said.
fn token_of(
    inst: &RawInstance,
    at: &TablePlace,
    shared: &Shared,
    who: &str,
    env: &dyn Fn(&str) -> Option<String>,
) -> Option<Result<Token, String>> {
    if at.unread(&TOKEN_KEYS) {
        return Some(Err(String::new()));
    }
    let source = TokenSource {
        token: inst.token.as_ref(),
        token_env: inst.token_env.as_ref(),
        token_cmd: inst.token_cmd.as_ref(),
    };
    if !source.is_empty() {
        return Some(source.resolve(who, env));
    }
    match &shared.account_token {
        Some(token) => Some(Ok(token.clone())),
        None if shared.account_set => None,
        None => Some(Err(format!(
            "{who}: no token: set token_env (or token, token_cmd) here, or an [account] token"
        ))),
    }
}

/// One `[[instances]]` table, with what it does not set taken from
/// `shared`; `None` when it is wrong (the problems say why) or its token
/// is the account's that did not resolve (said once already).
fn instance_of(
    (inst, at): &(RawInstance, TablePlace),
    shared: &Shared,
    env: &dyn Fn(&str) -> Option<String>,
    seen: &mut HashSet<String>,
    problems: &mut Vec<Problem>,
) -> Option<InstanceConfig> {
    let who = format!("instance {:?}", inst.name);
    if let Err(problem) = check_name(inst, &who, seen) {
        problems.push(at.about(problem));
        return None;
    }
    let token = token_of(inst, at, shared, &who, env)?;
    let insecure = inst.allow_insecure_http.unwrap_or(shared.insecure);
    // What could not be read was said already (an empty problem is not
    // shown).
    let base_url = match &inst.base_url {
        _ if at.unread(&["base_url", "allow_insecure_http"]) => Err(String::new()),
        Some(url) => parse_base_url(url, &who, insecure),
        None => shared.base_url.clone().map_err(|()| String::new()),
    }
    .and_then(|url| check_proxy(&url, &shared.proxies, &who, insecure).map(|()| url));
    let region = match inst.region.as_deref() {
        _ if at.unread(&["region"]) => Err(String::new()),
        Some(code) => parse_region(code, &who).map(Some),
        None => Ok(shared.region),
    };
    match (token, base_url, region) {
        (Ok(token), Ok(base_url), Ok(region)) => Some(InstanceConfig {
            name: inst.name.clone(),
            label: inst.label.clone().filter(|l| !l.trim().is_empty()),
            base_url,
            token,
            region,
            read_only: inst.read_only.unwrap_or(shared.read_only),
        }),
        (token, base_url, region) => {
            let found = [token.err(), base_url.err(), region.err()];
            problems.extend(
                found
                    .into_iter()
                    .flatten()
                    .filter(|p| !p.is_empty())
                    .map(|p| at.about(p)),
            );
            None
        }
    }
}

/// Parses profile text; `env` looks up environment variables. `path` is
/// only used in messages. Every problem is found in one go, each with
/// its line.
pub fn parse(
    text: &str,
    path: &Path,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Profile, ProfileError> {
    let invalid = |mut problems: Vec<Problem>| {
        problems.sort_by_key(|p| p.line);
        ProfileError::Invalid {
            path: path.to_path_buf(),
            problems: problems.iter().map(ToString::to_string).collect(),
        }
    };
    let (raw, mut problems) = read(text).map_err(invalid)?;
    let shared = Shared::of(&raw, env, &mut problems);
    if raw.instance_tables == 0 {
        problems.push(Problem::at(
            None,
            "no instances: add an [[instances]] table with at least name = \"...\"",
        ));
    }
    let mut seen = HashSet::new();
    let instances: Vec<InstanceConfig> = raw
        .instances
        .iter()
        .filter_map(|inst| instance_of(inst, &shared, env, &mut seen, &mut problems))
        .collect();
    let ledger = raw.ledger.as_ref().and_then(|l| {
        super::ledger::target_of(l, env)
            .map_err(|p| problems.push(raw.ledger_at.about(p)))
            .ok()
    });
    let live = super::live::rules_of(raw.live.as_ref()).unwrap_or_else(|errors| {
        problems.extend(errors.into_iter().map(|p| raw.live_at.about(p)));
        crate::model::flags::Rules::default()
    });
    let keymap = keymap_of(&raw).unwrap_or_else(|errors| {
        problems.extend(errors);
        Keymap::default()
    });
    if !problems.is_empty() {
        return Err(invalid(problems));
    }
    let defaults = raw.defaults.as_ref();
    Ok(Profile {
        instances,
        keymap,
        warnings: Vec::new(),
        operator: operator_of(defaults),
        ask_reason: defaults.and_then(|d| d.ask_reason).unwrap_or(false),
        reasons: reasons_of(defaults),
        ledger,
        live,
    })
}

/// Who the ledger records as asking: `[defaults] operator` (cleaned),
/// else the login name.
fn operator_of(defaults: Option<&RawDefaults>) -> String {
    defaults
        .and_then(|d| d.operator.as_deref())
        .map(str::trim)
        .filter(|o| !o.is_empty())
        .map_or_else(login_name, |o| crate::util::sanitize::clean(o).into_owned())
}

/// The reasons `[defaults]` offers to choose from, cleaned, empty ones
/// left out.
fn reasons_of(defaults: Option<&RawDefaults>) -> Vec<String> {
    defaults
        .and_then(|d| d.reasons.clone())
        .unwrap_or_default()
        .into_iter()
        .map(|r| crate::util::sanitize::clean(r.trim()).into_owned())
        .filter(|r| !r.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(var: &str) -> Option<String> {
        match var {
            "SALES" => Some("sales-token".into()),
            "ACCOUNT" => Some("account-token".into()),
            _ => None,
        }
    }

    fn parse_ok(text: &str) -> Profile {
        parse(text, Path::new("p.toml"), &env).expect("profile parses")
    }

    fn parse_err(text: &str) -> String {
        parse(text, Path::new("p.toml"), &env)
            .expect_err("profile is refused")
            .to_string()
    }

    #[test]
    fn full_example_resolves_every_source() {
        let p = parse_ok(
            r#"
            [defaults]
            base_url = "https://example.test"
            [account]
            token_env = "ACCOUNT"
            [[instances]]
            name = "sales"
            label = "Sales desk"
            token_env = "SALES"
            [[instances]]
            name = "support"
            base_url = "http://127.0.0.1:8080"
            token = "literal"
            [[instances]]
            name = "marketing"
            "#,
        );
        let names: Vec<_> = p.instances.iter().map(|i| i.name.as_str()).collect();
        assert_eq!(names, ["sales", "support", "marketing"]);
        assert_eq!(p.instances[0].token.expose(), "sales-token");
        assert_eq!(p.instances[0].label.as_deref(), Some("Sales desk"));
        assert_eq!(p.instances[0].base_url.as_str(), "https://example.test/");
        assert_eq!(p.instances[1].token.expose(), "literal");
        assert_eq!(p.instances[1].base_url.as_str(), "http://127.0.0.1:8080/");
        assert_eq!(p.instances[2].token.expose(), "account-token");
        assert_eq!(p.instances[2].base_url.as_str(), "https://example.test/");
    }

    #[test]
    fn read_only_comes_from_defaults_or_the_instance() {
        let p = parse_ok(
            r#"
            [defaults]
            read_only = true
            [account]
            token_env = "ACCOUNT"
            [[instances]]
            name = "sales"
            [[instances]]
            name = "support"
            read_only = false
            "#,
        );
        assert!(p.instances[0].read_only);
        assert!(!p.instances[1].read_only, "the instance's own word wins");
        let mut p = parse_ok("[account]\ntoken_env = \"ACCOUNT\"\n[[instances]]\nname = \"x\"\n");
        assert!(!p.instances[0].read_only, "sending is the default");
        p.make_read_only();
        assert!(p.instances[0].read_only, "--read-only");
    }

    #[test]
    fn a_team_ledger_comes_from_its_table_with_its_password() {
        let p = parse_ok(
            "[ledger]\nurl = \"postgres://desk-2@db.example.com/ryze\"\npassword_env = \"SALES\"\n[[instances]]\nname = \"a\"\ntoken = \"t\"\n",
        );
        let target = p.ledger.as_ref().unwrap();
        assert_eq!(target.shown(), "postgres://desk-2@db.example.com:5432/ryze");
        assert!(target.tls);
        assert_eq!(
            target.password.as_ref().map(Token::expose),
            Some("sales-token")
        );
        assert!(p.ledger_place(Path::new("/data")).is_team());
        assert!(!format!("{p:?}").contains("sales-token"));
        let err = parse_err(
            "[ledger]\nurl = \"postgres://db\"\npassword = \"x\"\n[[instances]]\nname = \"a\"\ntoken = \"t\"\n",
        );
        assert!(err.contains("password"), "{err}");
        let none = parse_ok("[[instances]]\nname = \"a\"\ntoken = \"t\"\n");
        assert!(!none.ledger_place(Path::new("/data")).is_team());
    }

    #[test]
    fn default_base_url_is_ryzeapi() {
        let p = parse_ok("[[instances]]\nname = \"a\"\ntoken = \"t\"\n");
        assert_eq!(p.instances[0].base_url.as_str(), "https://ryzeapi.cloud/");
    }

    #[test]
    fn unknown_key_names_key_and_line() {
        let msg = parse_err("[[instances]]\nname = \"a\"\ntokn = \"t\"\n");
        assert!(msg.contains("tokn"), "{msg}");
        assert!(msg.contains("line 3"), "{msg}");
        assert!(msg.contains("p.toml"), "{msg}");
    }

    #[test]
    fn missing_env_var_is_named() {
        let msg = parse_err("[[instances]]\nname = \"a\"\ntoken_env = \"NOPE_TOKEN\"\n");
        assert!(msg.contains("NOPE_TOKEN is not set"), "{msg}");
        assert!(msg.contains("instance \"a\""), "{msg}");
    }

    #[test]
    fn problems_are_all_listed() {
        let msg = parse_err(
            "[[instances]]\nname = \"a\"\n[[instances]]\nname = \"a\"\ntoken = \"x\"\n[[instances]]\nname = \"b\"\ntoken = \"x\"\ntoken_env = \"SALES\"\n",
        );
        assert!(msg.contains("3 problem(s)"), "{msg}");
        assert!(msg.contains("instance \"a\": no token"), "{msg}");
        assert!(msg.contains("listed twice"), "{msg}");
        assert!(msg.contains("only one of token"), "{msg}");
    }

    #[test]
    fn a_value_of_the_wrong_type_hides_no_other_problem_and_adds_none() {
        let msg = parse_err(
            "[defaults]\nbase_url = \"http://gateway.example\"\nread_only = \"yes\"\n[[instances]]\nname = \"a\"\ntoken = 123\nregion = \"XX\"\n[[instances]]\nname = 7\n",
        );
        assert!(msg.contains("5 problem(s)"), "{msg}");
        let lines: Vec<&str> = msg.lines().skip(1).collect();
        assert!(lines[0].contains("line 2: [defaults]: base_url"), "{msg}");
        assert!(
            lines[1].contains("line 3, column 13: invalid type"),
            "{msg}"
        );
        assert!(lines[2].contains("line 6, column 9: invalid type"), "{msg}");
        assert!(lines[3].contains("line 7: instance \"a\": region"), "{msg}");
        assert!(
            !msg.contains("no token"),
            "nothing follows from the token not read: {msg}"
        );
        assert!(!msg.contains("missing field"), "{msg}");
        assert!(lines[4].contains("line 9, column 8: invalid type"), "{msg}");
    }

    #[test]
    fn plain_http_only_to_this_machine_unless_allowed() {
        for ok in [
            "http://127.0.0.1:8080",
            "http://localhost:1",
            "http://[::1]:2",
            "https://x.test",
        ] {
            parse_ok(&format!(
                "[[instances]]\nname = \"a\"\ntoken = \"t\"\nbase_url = \"{ok}\"\n"
            ));
        }
        let msg = parse_err(
            "[defaults]\nbase_url = \"http://gateway.example\"\n[[instances]]\nname = \"a\"\ntoken = \"t\"\n",
        );
        assert!(
            msg.contains("unencrypted") && msg.contains("allow_insecure_http"),
            "{msg}"
        );
        parse_ok(
            "[defaults]\nbase_url = \"http://gateway.example\"\nallow_insecure_http = true\n[[instances]]\nname = \"a\"\ntoken = \"t\"\n",
        );
        parse_ok(
            "[[instances]]\nname = \"a\"\ntoken = \"t\"\nbase_url = \"http://10.0.0.5\"\nallow_insecure_http = true\n",
        );
    }

    #[test]
    fn keys_can_be_remapped_and_conflicts_are_refused() {
        let p = parse_ok(
            "[[instances]]\nname = \"a\"\ntoken = \"t\"\n[keys]\ntoggle_block = \"x\"\nquit = [\"q\", \"ctrl-q\"]\n",
        );
        let x = ratatui::crossterm::event::KeyEvent::from(
            ratatui::crossterm::event::KeyCode::Char('x'),
        );
        assert_eq!(
            p.keymap.command_for(&x),
            Some(crate::keys::Command::ToggleBlock)
        );
        let msg =
            parse_err("[[instances]]\nname = \"a\"\ntoken = \"t\"\n[keys]\nrefresh = \"b\"\n");
        assert!(
            msg.contains("b is bound to both toggle_block and refresh"),
            "{msg}"
        );
        // The other contexts have tables of their own.
        let p = parse_ok(
            "[[instances]]\nname = \"a\"\ntoken = \"t\"\n[keys]\nquit = \"q\"\n[keys.dialog]\nyes = \"g\"\n[keys.overlay]\nclose = [\"x\", \"ctrl-c\"]\n",
        );
        let g = ratatui::crossterm::event::KeyEvent::from(
            ratatui::crossterm::event::KeyCode::Char('g'),
        );
        assert_eq!(
            p.keymap.dialog.action_for(&g),
            Some(crate::keys::DialogAction::Yes)
        );
        let msg =
            parse_err("[[instances]]\nname = \"a\"\ntoken = \"t\"\n[keys.overlay]\nfly = \"z\"\n");
        assert!(msg.contains("[keys.overlay] fly: no such action"), "{msg}");
    }

    #[test]
    fn control_characters_in_names_are_refused() {
        let msg = parse_err("[[instances]]\nname = \"a\\u001b[2J\"\ntoken = \"t\"\n");
        assert!(msg.contains("control characters"), "{msg}");
    }

    #[test]
    fn empty_profile_and_bad_url_are_refused() {
        assert!(parse_err("").contains("no instances"));
        let msg = parse_err("[[instances]]\nname = \"a\"\ntoken = \"t\"\nbase_url = \"ftp://x\"\n");
        assert!(msg.contains("must look like https://"), "{msg}");
    }

    #[test]
    fn token_cmd_runs_without_shell_and_hides_output() {
        let p = parse_ok("[[instances]]\nname = \"a\"\ntoken_cmd = [\"echo\", \"from-cmd\"]\n");
        assert_eq!(p.instances[0].token.expose(), "from-cmd");
        let msg = parse_err("[[instances]]\nname = \"a\"\ntoken_cmd = \"false\"\n");
        assert!(msg.contains("token_cmd false failed"), "{msg}");
        let msg = parse_err("[[instances]]\nname = \"a\"\ntoken_cmd = \"no-such-program-xyz\"\n");
        assert!(msg.contains("could not start"), "{msg}");
    }

    #[test]
    fn debug_output_hides_tokens() {
        let p = parse_ok("[[instances]]\nname = \"a\"\ntoken = \"very-secret\"\n");
        assert!(!format!("{p:?}").contains("very-secret"));
    }

    #[test]
    fn syntax_errors_never_echo_a_value() {
        let cases = [
            (
                "[[instances]]\nname = \"a\"\ntokn = \"SECRET-1234\"\n",
                "line 3, column 1: unknown field `tokn`",
            ),
            (
                "[[instances]]\nname = \"a\"\ntoken = SECRET-unquoted\n",
                "line 3, column 9: string values must be quoted",
            ),
            (
                "[[instances]]\nname = \"a\"\ntoken = \"SECRET-a\"\ntoken = \"SECRET-b\"\n",
                "line 4, column 1: duplicate key `token`",
            ),
            (
                "[[instances]]\nname = \"a\"\ntoken = 123456789\n",
                "line 3, column 9: invalid type: integer `<hidden>`",
            ),
            (
                "[[instances]]\nname = \"a\"\nallow_insecure_http = \"SECRET-zz\"\n",
                "invalid type: string \"<hidden>\", expected a boolean",
            ),
        ];
        for (text, expected) in cases {
            let msg = parse_err(text);
            assert!(msg.contains(expected), "{msg}");
            assert!(
                !msg.contains("SECRET") && !msg.contains("123456789"),
                "{msg}"
            );
        }
    }

    #[test]
    fn a_token_pasted_into_token_env_is_not_echoed() {
        let msg = parse_err("[[instances]]\nname = \"a\"\ntoken_env = \"sk-live.SECRET/abc==\"\n");
        assert!(
            msg.contains("token_env must name an environment variable"),
            "{msg}"
        );
        assert!(!msg.contains("SECRET"), "{msg}");
    }

    #[test]
    fn credentials_in_base_url_are_refused_and_not_echoed() {
        let msg = parse_err(
            "[[instances]]\nname = \"a\"\ntoken = \"t\"\nbase_url = \"https://admin:hunter22@gw.example\"\n",
        );
        assert!(
            msg.contains("must not hold a user name or password"),
            "{msg}"
        );
        assert!(!msg.contains("hunter22") && !msg.contains("admin"), "{msg}");
    }

    fn parse_with(
        text: &str,
        vars: &'static [(&'static str, &'static str)],
    ) -> Result<Profile, String> {
        let env = |name: &str| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        };
        parse(text, Path::new("p.toml"), &env).map_err(|e| e.to_string())
    }

    #[test]
    fn one_rule_finds_an_instance_by_name_label_or_prefix() {
        let instances = [
            ("sales", Some("Sales desk")),
            ("support", None),
            ("Sales", None),
        ];
        assert_eq!(
            resolve_instance(&instances, "sales"),
            Some(0),
            "exact first"
        );
        assert_eq!(resolve_instance(&instances, "Sales"), Some(2));
        assert_eq!(
            resolve_instance(&instances, "sales DESK"),
            Some(0),
            "a label"
        );
        assert_eq!(resolve_instance(&instances, "SAL"), None, "a prefix of two");
        assert_eq!(
            resolve_instance(&instances, "sup"),
            Some(1),
            "a unique prefix"
        );
        assert_eq!(resolve_instance(&instances, "x"), None);
        assert_eq!(resolve_instance(&instances, ""), None);
    }

    #[test]
    fn a_token_with_a_control_character_is_refused_naming_the_instance_not_the_value() {
        let literal = parse_with(
            "[[instances]]\nname = \"sales\"\ntoken = \"tok-SECRET\\r\\nX-Evil: 1\"\n",
            &[],
        )
        .unwrap_err();
        assert!(
            literal.contains("instance \"sales\": token holds a control character"),
            "{literal}"
        );
        let env = parse_with(
            "[[instances]]\nname = \"sales\"\ntoken_env = \"T\"\n",
            &[("T", "tok-SECRET\nsecond")],
        )
        .unwrap_err();
        assert!(
            env.contains("environment variable T holds a control character"),
            "{env}"
        );
        let cmd = parse_with(
            "[[instances]]\nname = \"sales\"\ntoken_cmd = [\"printf\", \"tok-SECRET\\\\nline2\"]\n",
            &[],
        )
        .unwrap_err();
        assert!(
            cmd.contains("what printf printed holds a control character"),
            "{cmd}"
        );
        for msg in [literal, env, cmd] {
            assert!(!msg.contains("SECRET"), "{msg}");
        }
    }

    #[test]
    fn a_plain_http_proxy_for_a_remote_host_needs_allow_insecure_http() {
        let remote = "[[instances]]\nname = \"a\"\ntoken = \"t\"\n";
        let proxy = &[("HTTPS_PROXY", "http://me:pw@proxy.example:3128")];
        let msg = parse_with(remote, proxy).unwrap_err();
        assert!(
            msg.contains("proxy http://proxy.example:3128/ (from HTTPS_PROXY)"),
            "{msg}"
        );
        assert!(
            msg.contains("allow_insecure_http") && !msg.contains(":pw@"),
            "{msg}"
        );
        let allowed = format!("[defaults]\nallow_insecure_http = true\n{remote}");
        assert!(parse_with(&allowed, proxy).is_ok());
        assert!(parse_with(remote, &[("HTTPS_PROXY", "https://proxy.example")]).is_ok());
        assert!(
            parse_with(
                remote,
                &[
                    ("HTTPS_PROXY", "http://p.example"),
                    ("NO_PROXY", "ryzeapi.cloud")
                ]
            )
            .is_ok(),
            "no_proxy exempts the server"
        );
        let local =
            "[[instances]]\nname = \"a\"\ntoken = \"t\"\nbase_url = \"http://127.0.0.1:8080\"\n";
        assert!(
            parse_with(local, &[("HTTP_PROXY", "http://proxy.example")]).is_ok(),
            "loopback never uses the proxy, so it is not refused"
        );
    }

    #[test]
    fn token_cmd_with_huge_output_is_refused_at_once() {
        let msg = parse_err(
            "[[instances]]\nname = \"a\"\ntoken_cmd = [\"sh\", \"-c\", \"head -c 200000 /dev/zero | tr '\\\\0' a\"]\n",
        );
        assert!(msg.contains("printed more than 64 KiB"), "{msg}");
        assert!(!msg.contains("did not finish"), "not a time-out: {msg}");
    }

    #[test]
    fn token_cmd_whose_helper_keeps_the_output_open_still_gives_its_token() {
        let p = parse_ok(
            "[[instances]]\nname = \"a\"\ntoken_cmd = [\"sh\", \"-c\", \"echo tok-from-cmd; sleep 5 &\"]\n",
        );
        assert_eq!(p.instances[0].token.expose(), "tok-from-cmd");
    }

    #[test]
    fn dot_names_are_refused() {
        for name in [".", ".."] {
            let msg = parse_err(&format!(
                "[[instances]]\nname = \"{name}\"\ntoken = \"t\"\n"
            ));
            assert!(msg.contains("cannot name an instance"), "{msg}");
        }
    }
}
