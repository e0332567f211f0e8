//! `--demo`: the emulator with demo data, a profile pointing at it, and a
//! throw-away data folder so the demo never touches the user's ledger.

use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use reqwest::Url;

use crate::config::profile::{InstanceConfig, Profile};
use crate::emulator::{self, DEMO_ACCOUNT_TOKEN, EmulatorConfig, RunningEmulator};
use crate::util::secret::Token;

/// Delay of every demo answer, so loading and pending states can be seen.
const DEMO_LATENCY: Duration = Duration::from_millis(300);

/// Display names of the demo instances (the screenshot test draws them
/// too).
pub fn label(name: &str) -> Option<String> {
    let label = match name {
        "sales" => "Sales desk",
        "support" => "Support",
        "marketing" => "Marketing",
        "billing" => "Billing",
        _ => return None,
    };
    Some(label.to_string())
}

/// A running demo: keep it alive while the UI runs.
#[derive(Debug)]
pub struct Demo {
    /// The emulator serving the demo data.
    pub emulator: RunningEmulator,
    /// A profile for it: account token for most instances, billing on its
    /// own instance token.
    pub profile: Profile,
    /// The throw-away data folder, removed on drop.
    pub data_dir: tempfile::TempDir,
}

/// Starts the demo emulator on a free loopback port.
pub async fn start() -> std::io::Result<Demo> {
    let config = EmulatorConfig {
        latency: DEMO_LATENCY,
        ..EmulatorConfig::demo(None)
    };
    let instances: Vec<(String, String)> = config
        .instances
        .iter()
        .map(|i| (i.name.clone(), i.token.clone()))
        .collect();
    let mut emulator = emulator::start(config, SocketAddr::from((Ipv4Addr::LOCALHOST, 0))).await?;
    // Everyday messages and a spam wave for the Live view.
    emulator.play_demo_feed();
    let base_url = Url::parse(&emulator.base_url()).map_err(std::io::Error::other)?;
    let profile = Profile {
        instances: instances
            .into_iter()
            .map(|(name, instance_token)| InstanceConfig {
                label: label(&name),
                token: Token::new(if name == "billing" {
                    instance_token
                } else {
                    DEMO_ACCOUNT_TOKEN.to_string()
                }),
                base_url: base_url.clone(),
                name,
                region: None,
                read_only: false,
            })
            .collect(),
        keymap: Default::default(),
        warnings: Vec::new(),
        operator: crate::config::login_name(),
        ask_reason: false,
        reasons: vec![
            "spam wave".into(),
            "spam".into(),
            "abuse".into(),
            "fraud".into(),
        ],
        ledger: None,
        // The demo flags waves (as by default) and one keyword.
        live: crate::model::flags::Rules {
            keywords: vec![crate::model::flags::fold("investimento")],
            ..Default::default()
        },
    };
    let data_dir = tempfile::Builder::new()
        .prefix("ryze-contacts-demo-")
        .tempdir()?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(data_dir.path(), std::fs::Permissions::from_mode(0o700))?;
    }
    Ok(Demo {
        emulator,
        profile,
        data_dir,
    })
}
