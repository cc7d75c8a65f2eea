//! The gateway, hosted in the desktop process on 127.0.0.1: started with the app, restarted
//! when the port setting changes, stopped (with its call log flushed) when the app quits.

use std::net::{Ipv4Addr, SocketAddr};

use keyward_core::Keyward;
use keyward_gateway::{serve, Gateway, GatewayConfig};
use serde::Serialize;
use tokio::sync::{oneshot, Mutex};
use tokio::task::JoinHandle;

/// What the UI shows about the gateway.
#[cfg_attr(test, derive(ts_rs::TS), ts(export))]
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct GatewayStatus {
    pub url: String,
    pub port: u16,
    pub running: bool,
    /// Why it is not running, in words that say what to do.
    pub error: Option<String>,
}

struct Serving {
    stop: oneshot::Sender<()>,
    task: JoinHandle<()>,
}

pub struct GatewayHost {
    keyward: Keyward,
    serving: Mutex<Option<Serving>>,
    status: std::sync::Mutex<GatewayStatus>,
}

impl GatewayHost {
    pub fn new(keyward: Keyward) -> GatewayHost {
        let idle = GatewayStatus { url: String::new(), port: 0, running: false, error: None };
        GatewayHost { keyward, serving: Mutex::new(None), status: std::sync::Mutex::new(idle) }
    }

    pub fn status(&self) -> GatewayStatus {
        self.status.lock().expect("status lock").clone()
    }

    /// Stops what runs (flushing its call log) and listens on `port`. A failure to listen is
    /// kept in the status, not returned: the rest of the app works without the gateway.
    pub async fn start(&self, port: u16) -> GatewayStatus {
        let mut serving = self.serving.lock().await;
        if let Some(old) = serving.take() {
            stop(old).await;
        }
        let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
        let status = match self.listen(addr).await {
            Ok(started) => {
                *serving = Some(started);
                GatewayStatus { url: format!("http://{addr}"), port, running: true, error: None }
            }
            Err(error) => {
                tracing::warn!(%error, "the in-process gateway did not start");
                GatewayStatus { url: format!("http://{addr}"), port, running: false, error: Some(error) }
            }
        };
        *self.status.lock().expect("status lock") = status.clone();
        status
    }

    pub async fn shutdown(&self) {
        if let Some(old) = self.serving.lock().await.take() {
            stop(old).await;
        }
    }

    async fn listen(&self, addr: SocketAddr) -> Result<Serving, String> {
        let listener = tokio::net::TcpListener::bind(addr).await.map_err(|err| match err.kind() {
            std::io::ErrorKind::AddrInUse => format!(
                "Port {} is already in use by another program: choose another gateway port in Settings.",
                addr.port()
            ),
            _ => format!("The gateway cannot listen on {addr} ({err}): choose another port in Settings."),
        })?;
        let running =
            Gateway::start(self.keyward.clone(), GatewayConfig::default()).await.map_err(|err| err.to_string())?;
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let shutdown = async move {
                let _ = stopped.await;
            };
            match serve(listener, running, shutdown).await {
                Err(err) => tracing::error!(%err, "the in-process gateway stopped"),
                Ok(unsaved) if unsaved.served > 0 => {
                    tracing::error!(?unsaved, "the in-process gateway stopped with calls the call log misses")
                }
                Ok(_) => {}
            }
        });
        Ok(Serving { stop, task })
    }
}

async fn stop(serving: Serving) {
    let _ = serving.stop.send(());
    let _ = serving.task.await;
}
