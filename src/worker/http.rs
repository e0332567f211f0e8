//! The worker's requests to RyzeAPI, one function per [`ApiCall`], each
//! through its token's lane. Answers come back as they are, judged by
//! the app: nothing here knows the app's state.

use std::sync::Arc;

use tokio::sync::mpsc;

use super::contacts::StoreMaker;
use super::lanes::{About, Lanes};
use crate::api::{AccountLookup, ApiClient, Endpoint};
use crate::config::profile::InstanceConfig;
use crate::model::change::Change;
use crate::model::identity::{Identity, LookedUp};
use crate::model::number;
use crate::protocol::{
    ApiCall, BlockAnswer, BlockCall, ErrorInfo, ErrorKind, InstanceStatus, JobResult, Msg,
};

/// A block or unblock asked of a read-only instance: never sent.
pub(crate) fn read_only_refusal(instance: &str) -> ErrorInfo {
    ErrorInfo {
        kind: ErrorKind::Local,
        status: None,
        message: format!("read-only: nothing is sent to {instance}"),
        hint: "read_only is set in the profile, or --read-only was given".to_string(),
    }
}

/// What the HTTP side of the worker needs.
#[derive(Debug)]
pub(super) struct Http {
    /// The profile's instances; calls name them by index.
    pub instances: Arc<Vec<InstanceConfig>>,
    /// The HTTP client.
    pub client: ApiClient,
    /// Every token's lane.
    pub lanes: Lanes,
    /// Turns a contacts body into a store (and caches it).
    pub stores: StoreMaker,
    /// Where results go.
    pub results: mpsc::UnboundedSender<Msg>,
}

impl Http {
    fn endpoint(&self, index: usize) -> Endpoint<'_> {
        let inst = &self.instances[index];
        Endpoint {
            base_url: &inst.base_url,
            token: &inst.token,
        }
    }

    fn send(&self, result: JobResult) {
        let _ = self.results.send(Msg::Worker(result));
    }

    /// Runs one call; its result (for [`ApiCall::LoadInstances`], one
    /// per token) goes to the app.
    pub(super) async fn run(self: Arc<Self>, call: ApiCall) {
        match call {
            ApiCall::LoadInstances => self.load_instances().await,
            ApiCall::LoadContacts { instance } => {
                let result = self.load_contacts(instance).await;
                self.send(JobResult::Contacts { instance, result });
            }
            ApiCall::Block(call) => {
                let answer = self.block(&call).await;
                self.send(JobResult::Block { call, answer });
            }
            ApiCall::Settle {
                instance,
                jid,
                block,
            } => {
                let result = self.settle(instance, &jid, block).await;
                self.send(JobResult::Settled {
                    instance,
                    jid,
                    result,
                });
            }
            ApiCall::Probe { instance } => {
                let result = self.probe(instance).await;
                self.send(JobResult::Probe { instance, result });
            }
            ApiCall::SocketConfig { instance } => {
                let result = self.socket_config(instance, None).await;
                self.send(JobResult::SocketConfig {
                    instance,
                    enabling: false,
                    result,
                });
            }
            ApiCall::EnableSocket { instance, from } => {
                let result = self.socket_config(instance, Some(from)).await;
                self.send(JobResult::SocketConfig {
                    instance,
                    enabling: true,
                    result,
                });
            }
            ApiCall::Lookup { instance, number } => {
                let result = self.lookup(instance, &number).await;
                self.send(JobResult::Lookup {
                    instance,
                    number,
                    result,
                });
            }
        }
    }

    /// Every contact of one instance, as a store.
    async fn load_contacts(
        &self,
        instance: usize,
    ) -> Result<Arc<crate::model::contacts::ContactStore>, ErrorInfo> {
        let ep = self.endpoint(instance);
        let name = &self.instances[instance].name;
        let about = About {
            what: "contacts",
            instance: name,
        };
        match self
            .lanes
            .call(ep, about, || self.client.contacts_body(ep, name))
            .await
        {
            Ok(body) => self.stores.make(instance, body).await,
            Err(e) => Err(ErrorInfo::from(&e)),
        }
    }

    /// Sends one block request; its answer is judged and recorded by the
    /// app.
    async fn block(&self, call: &BlockCall) -> BlockAnswer {
        let instance = call.item.instance;
        let name = &self.instances[instance].name;
        // The last guard: the app refuses first, but nothing reaches the
        // server from a read-only instance whatever asks.
        if self.instances[instance].read_only {
            return Err(read_only_refusal(name));
        }
        let ep = self.endpoint(instance);
        let (jid, block) = (call.item.jid.as_str(), call.item.block);
        // Every log line of the action names the number and the instance.
        let number = number::shown_jid(jid);
        let what = format!("{} {number}", Change::of(block).verb());
        let about = About {
            what: &what,
            instance: name,
        };
        let answer = self
            .lanes
            .call(ep, about, || self.client.block(ep, name, jid, block))
            .await
            .map_err(|e| ErrorInfo::from(&e))?;
        tracing::debug!(instance = %name, %number, blocked = answer.blocked, count = ?answer.blocked_count, "block answered");
        Ok(answer)
    }

    /// Restates a contact's state to learn the settled count (not recorded).
    async fn settle(
        &self,
        instance: usize,
        jid: &str,
        block: bool,
    ) -> Result<Option<u64>, ErrorInfo> {
        let ep = self.endpoint(instance);
        let name = &self.instances[instance].name;
        if self.instances[instance].read_only {
            return Err(read_only_refusal(name));
        }
        let what = format!("settle the count with {}", number::shown_jid(jid));
        let about = About {
            what: &what,
            instance: name,
        };
        let result = self
            .lanes
            .call(ep, about, || self.client.block(ep, name, jid, block))
            .await
            .map(|answer| answer.blocked_count)
            .map_err(|e| ErrorInfo::from(&e));
        if let Ok(count) = &result {
            tracing::info!(instance = %name, count = ?count, "blocked count settled");
        }
        result
    }

    /// The instance's WebSocket configuration; with `enable`, the feed's
    /// events are enabled first (never on a read-only instance).
    async fn socket_config(
        &self,
        instance: usize,
        enable: Option<crate::api::SocketConfig>,
    ) -> Result<crate::api::SocketConfig, ErrorInfo> {
        let ep = self.endpoint(instance);
        let inst = &self.instances[instance];
        let name = &inst.name;
        let Some(from) = enable else {
            let about = About {
                what: "WebSocket configuration",
                instance: name,
            };
            return self
                .lanes
                .call(ep, about, || self.client.socket_config(ep, name))
                .await
                .map_err(|e| ErrorInfo::from(&e));
        };
        if inst.read_only {
            return Err(ErrorInfo::local(
                format!("read-only: the WebSocket of {name} is not changed from here"),
                "read_only is set in the profile, or --read-only was given",
            ));
        }
        let about = About {
            what: "enable the WebSocket",
            instance: name,
        };
        let body = from.enabling_body();
        let result = self
            .lanes
            .call(ep, about, || {
                self.client.enable_socket(ep, name, body.clone())
            })
            .await
            .map_err(|e| ErrorInfo::from(&e));
        if result.is_ok() {
            tracing::info!(instance = %name, "WebSocket enabled for the live feed");
        }
        result
    }

    /// Whether the token may use the instance at all: a lookup of a number
    /// nobody has, so the answer is about access only.
    async fn probe(&self, instance: usize) -> Result<(), ErrorInfo> {
        let ep = self.endpoint(instance);
        let name = &self.instances[instance].name;
        let about = About {
            what: "access check",
            instance: name,
        };
        self.lanes
            .call(ep, about, || self.client.lookup(ep, name, "10000000000"))
            .await
            .map(|_| ())
            .map_err(|e| ErrorInfo::from(&e))
    }

    /// Who `number` (digits or an `@lid`) is on WhatsApp, asked through
    /// `instance`.
    async fn lookup(&self, instance: usize, number: &str) -> Result<LookedUp, ErrorInfo> {
        let ep = self.endpoint(instance);
        let name = &self.instances[instance].name;
        let what = format!("look up {}", number::shown_jid(&as_jid(number)));
        let about = About {
            what: &what,
            instance: name,
        };
        let found = self
            .lanes
            .call(ep, about, || self.client.account(ep, name, number))
            .await
            .map_err(|e| ErrorInfo::from(&e))?;
        let identity = match found {
            AccountLookup::Found(account) => match account.jid {
                Some(jid) => Identity::OnWhatsApp {
                    jid,
                    lid: account.lid,
                    name: account.name,
                    about: account.about,
                },
                None => Identity::NotOnWhatsApp {
                    message: "the server gave no WhatsApp ID for it".into(),
                },
            },
            AccountLookup::NotOnWhatsApp { message } => Identity::NotOnWhatsApp { message },
        };
        Ok(LookedUp {
            number: number.to_string(),
            identity,
            at: crate::util::dates::now_unix(),
        })
    }

    /// One `GET /api/instance/list` per (server, token), narrowed to the
    /// profile's names, each in its own lane: every token's states come
    /// back as soon as its server answers.
    async fn load_instances(self: Arc<Self>) {
        let mut groups: Vec<Vec<usize>> = Vec::new();
        for (i, inst) in self.instances.iter().enumerate() {
            let same_token = |g: &&mut Vec<usize>| {
                let first = &self.instances[g[0]];
                first.base_url == inst.base_url && first.token == inst.token
            };
            match groups.iter_mut().find(same_token) {
                Some(members) => members.push(i),
                None => groups.push(vec![i]),
            }
        }
        let left = Arc::new(std::sync::atomic::AtomicUsize::new(groups.len()));
        for members in groups {
            let (http, left) = (self.clone(), left.clone());
            tokio::spawn(async move {
                let states = http.load_instance_group(&members).await;
                let complete = left.fetch_sub(1, std::sync::atomic::Ordering::AcqRel) == 1;
                http.send(JobResult::Instances { states, complete });
            });
        }
    }

    async fn load_instance_group(
        &self,
        members: &[usize],
    ) -> Vec<(usize, Result<Option<InstanceStatus>, ErrorInfo>)> {
        let ep = self.endpoint(members[0]);
        let names: Vec<&str> = members
            .iter()
            .map(|&i| self.instances[i].name.as_str())
            .collect();
        let joined = names.join(",");
        let about = About {
            what: "instance list",
            instance: &joined,
        };
        let result = match self
            .lanes
            .call(ep, about, || self.client.instances(ep, &names))
            .await
        {
            Ok(list) => Ok(list),
            // A filter of one unknown name answers 404: that instance is
            // simply not on the server.
            Err(e) if members.len() == 1 && e.status() == Some(404) => Ok(Vec::new()),
            Err(e) => Err(ErrorInfo::from(&e)),
        };
        members
            .iter()
            .map(|&i| {
                let name = &self.instances[i].name;
                let status = result.clone().map(|list| {
                    list.iter()
                        .find(|info| &info.name == name)
                        .map(|info| InstanceStatus {
                            state: info.state().into(),
                            own_region: info.own_jid().and_then(|jid| {
                                number::Region::of_digits(number::phone_digits(&jid)?)
                            }),
                            own_jid: info.own_jid(),
                        })
                });
                (i, status)
            })
            .collect()
    }
}

/// Digits as their phone JID (for how a number reads in the log); an
/// `@lid` as it is.
fn as_jid(number: &str) -> String {
    if number.contains('@') {
        number.to_string()
    } else {
        format!("{number}{}", number::PHONE_SUFFIX)
    }
}
