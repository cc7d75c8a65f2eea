//! The gateway over real sockets on 127.0.0.1 with a real HTTP client, on a real SQLite file.
//! (The verify path never touches the keyring, so an in-memory secret store stands in.)

mod call_log;
mod connections;
mod limits;
mod proxy;
mod revocation;
mod router;
mod verify;

use std::net::SocketAddr;
use std::sync::Arc;

use chrono::Utc;
use keyward_core::secrets::store::MemorySecrets;
use keyward_core::{Actor, Keyward};
use keyward_gateway::{serve, Gateway, GatewayConfig};
use serde_json::{json, Value};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub struct TestGateway {
    pub url: String,
    pub keyward: Keyward,
    pub gateway: Arc<Gateway>,
    pub key: String,
    pub admin: Actor,
    pub dir: tempfile::TempDir,
    pub http: reqwest::Client,
    stop: oneshot::Sender<()>,
    task: JoinHandle<std::io::Result<keyward_gateway::Unsaved>>,
}

impl TestGateway {
    /// A gateway on 127.0.0.1:0 over a fresh store with account "acme" and its key.
    pub async fn start(configure: impl FnOnce(&mut GatewayConfig)) -> TestGateway {
        let dir = tempfile::tempdir().unwrap();
        let keyward = Keyward::open_with(dir.path(), Arc::new(MemorySecrets::default())).await.unwrap();
        let admin = Actor::new("ana");
        keyward.create_account(&admin, "acme", None, Utc::now()).await.unwrap();
        let key = keyward.generate_key(&admin, "acme", Utc::now()).await.unwrap().key.expose().to_owned();
        let mut config = GatewayConfig::default();
        configure(&mut config);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr: SocketAddr = listener.local_addr().unwrap();
        let running = Gateway::start(keyward.clone(), config).await.unwrap();
        let gateway = Arc::clone(&running.gateway);
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(serve(listener, running, async {
            let _ = stopped.await;
        }));
        TestGateway {
            url: format!("http://{addr}"),
            keyward,
            gateway,
            key,
            admin,
            dir,
            http: reqwest::Client::new(),
            stop,
            task,
        }
    }

    pub async fn verify(&self, key: &str) -> (u16, Value) {
        let response =
            self.http.post(format!("{}/v1/keys/verify", self.url)).json(&json!({ "key": key })).send().await.unwrap();
        (response.status().as_u16(), response.json().await.unwrap())
    }

    pub async fn code(&self, key: &str) -> String {
        self.verify(key).await.1["code"].as_str().unwrap().to_owned()
    }

    /// Graceful shutdown: waits until the call log is flushed.
    pub async fn stop(self) -> (Keyward, tempfile::TempDir, Arc<Gateway>) {
        let _ = self.stop.send(());
        self.task.await.unwrap().unwrap();
        (self.keyward, self.dir, self.gateway)
    }
}

/// Every byte of every file in `dir` (database, WAL) checked for `needle`.
pub fn files_contain(dir: &std::path::Path, needle: &str) -> bool {
    std::fs::read_dir(dir).unwrap().any(|entry| {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap_or_default();
        bytes.windows(needle.len()).any(|w| w == needle.as_bytes())
    })
}
