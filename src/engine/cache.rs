//! The contact lists the last run saved, read at start on the blocking
//! pool, so the screen shows them before the server answers.

use std::path::Path;
use std::sync::Arc;

use tokio::sync::mpsc;

use crate::config::profile::Profile;
use crate::protocol::Msg;
use crate::store::cache;

/// Reads each instance's cached contact list on the blocking pool and
/// sends it as [`Msg::Cached`]; a damaged file becomes a notice.
pub(super) fn spawn_cache_loads(
    profile: &Profile,
    data_dir: &Path,
    tx: mpsc::UnboundedSender<Msg>,
) {
    let cache_dir = cache::dir(data_dir);
    tokio::task::spawn_blocking(move || cache::sweep_temporaries(&cache_dir));
    for (instance, inst) in profile.instances.iter().enumerate() {
        let path = cache::path_for(data_dir, inst.base_url.as_str(), &inst.name);
        let tx = tx.clone();
        tokio::task::spawn_blocking(move || match cache::load(&path) {
            Ok(Some((store, saved_at))) => {
                let store = Arc::new(store);
                let _ = tx.send(Msg::Cached {
                    instance,
                    store: store.clone(),
                    saved_at,
                });
                store.warm();
            }
            Ok(None) => {}
            Err(e) => {
                tracing::warn!(error = %e, "contact cache not read");
                let _ = tx.send(Msg::Notice(format!("{e}; the list will be fetched again")));
            }
        });
    }
}
