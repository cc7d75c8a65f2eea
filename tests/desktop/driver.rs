//! Starting tauri-driver and a WebDriver session on the built app.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder};

/// The desktop binary cargo built for this test run.
pub const APP: &str = env!("CARGO_BIN_EXE_keyward-desktop");

/// The `keyward` CLI built by the same workspace build, next to the app binary.
pub fn cli_binary() -> PathBuf {
    let path = Path::new(APP).with_file_name(format!("keyward{}", std::env::consts::EXE_SUFFIX));
    assert!(path.exists(), "{} is missing: build the workspace first (`make test` does)", path.display());
    path
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// A tauri-driver process (and the app it launches), stopped on drop.
pub struct Driver {
    process: Child,
    pub client: Client,
}

impl Driver {
    /// Launches the app with `env` added to its environment and opens a session on it.
    pub async fn launch(env: &[(&str, &Path)]) -> Driver {
        let (port, native_port) = (free_port(), free_port());
        let mut command = Command::new("tauri-driver");
        command
            .args(["--port", &port.to_string(), "--native-port", &native_port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .env_remove("KEYWARD_DATA_DIR")
            .env_remove("KEYWARD_ACTOR");
        for (name, value) in env {
            command.env(name, value);
        }
        let process = command
            .spawn()
            .expect("tauri-driver is on PATH (`cargo install tauri-driver --version ^2 --locked`)");
        let capabilities = serde_json::json!({ "tauri:options": { "application": APP } });
        let capabilities = capabilities.as_object().unwrap().clone();
        let url = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(30);
        let client = loop {
            let connector = hyper_util::client::legacy::connect::HttpConnector::new();
            match ClientBuilder::new(connector).capabilities(capabilities.clone()).connect(&url).await {
                Ok(client) => break client,
                Err(err) if Instant::now() < deadline => {
                    let _ = err;
                    tokio::time::sleep(Duration::from_millis(250)).await;
                }
                Err(err) => panic!("no WebDriver session on the app: {err}"),
            }
        };
        Driver { process, client }
    }

    /// Saves a screenshot under test-artifacts/ for people to look at.
    pub async fn screenshot(&self, name: &str) {
        let png = self.client.screenshot().await.expect("screenshot");
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("test-artifacts");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(format!("{name}.png")), png).unwrap();
    }

    pub async fn close(mut self) {
        let _ = self.client.clone().close().await;
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.process.kill();
    }
}
