//! A contacts body made into a store: parsed off the async threads, then
//! warmed (sort orders, search index) and saved to the cache in the
//! background.

use std::path::PathBuf;
use std::sync::Arc;

use crate::config::profile::InstanceConfig;
use crate::model::contacts::ContactStore;
use crate::protocol::ErrorInfo;
use crate::store::cache;

/// Makes stores of contacts bodies.
#[derive(Debug)]
pub(super) struct StoreMaker {
    /// The profile's instances (for the cache file's name).
    pub instances: Arc<Vec<InstanceConfig>>,
    /// Where contact lists are cached, if anywhere.
    pub cache_dir: Option<PathBuf>,
    /// Whether a fresh list gets its sort orders and search index built
    /// in the background (the UI filters and sorts; headless commands do
    /// not).
    pub warm: bool,
}

impl StoreMaker {
    /// Parses a contacts body into a store on the blocking pool (one
    /// pass, the body dropped as soon as it is read), then warms and
    /// saves it in the background.
    pub(super) async fn make(
        &self,
        instance: usize,
        body: Vec<u8>,
    ) -> Result<Arc<ContactStore>, ErrorInfo> {
        let built = tokio::task::spawn_blocking(move || {
            crate::api::contacts::parse_store(&body).map(Arc::new)
        })
        .await;
        let store = match built {
            Ok(Ok(store)) => store,
            Ok(Err(e)) => {
                tracing::warn!(instance = %self.instances[instance].name, error = %e, "contacts not parsed");
                return Err(ErrorInfo::from(&e));
            }
            Err(e) => {
                return Err(ErrorInfo::local(
                    format!("contacts not parsed: {e}"),
                    "retry; report it if it persists",
                ));
            }
        };
        let path = self.cache_dir.as_ref().map(|dir| {
            let inst = &self.instances[instance];
            cache::path_for(dir, inst.base_url.as_str(), &inst.name)
        });
        let background = store.clone();
        let warm = self.warm;
        tokio::task::spawn_blocking(move || {
            // Sort orders and the search index, before the first key asks.
            if warm {
                background.warm();
            }
            if let Some(path) = path
                && let Err(e) = cache::save(&path, &background, crate::util::dates::now_unix())
            {
                tracing::warn!(error = %e, "contact cache not saved");
            }
        });
        Ok(store)
    }
}
