//! Starting tauri-driver and a WebDriver session on the built app.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};

/// The desktop binary cargo built for this test run.
pub const APP: &str = env!("CARGO_BIN_EXE_keyward-desktop");

/// The `keyward` CLI built by the same workspace build, next to the app binary.
pub fn cli_binary() -> PathBuf {
    let path = Path::new(APP).with_file_name(format!("keyward{}", std::env::consts::EXE_SUFFIX));
    assert!(path.exists(), "{} is missing: build the workspace first (`make test` does)", path.display());
    path
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// One app at a time: the app is single-instance per desktop session, and every test shares
/// the session `make test` started.
static ONE_APP_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// A tauri-driver process (and the app it launches), stopped on drop.
pub struct Driver {
    process: Child,
    pub client: Client,
    /// The app's own config folder (window state, autostart entry), fresh per launch.
    config_home_dir: tempfile::TempDir,
    _turn: tokio::sync::MutexGuard<'static, ()>,
}

impl Driver {
    /// Launches the app with `env` added to its environment and opens a session on it.
    pub async fn launch(env: &[(&str, &Path)]) -> Driver {
        let turn = ONE_APP_AT_A_TIME.lock().await;
        let config_home = tempfile::tempdir().unwrap();
        let (port, native_port) = (free_port(), free_port());
        let mut command = Command::new("tauri-driver");
        command
            .args(["--port", &port.to_string(), "--native-port", &native_port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .env("XDG_CONFIG_HOME", config_home.path())
            .env_remove("KEYWARD_DATA_DIR")
            .env_remove("KEYWARD_ACTOR");
        for (name, value) in env {
            command.env(name, value);
        }
        // Its own process group, so stopping it also stops WebKitWebDriver and the app even
        // when a test fails half-way (a leftover app would swallow the next launch: single instance).
        std::os::unix::process::CommandExt::process_group(&mut command, 0);
        let process =
            command.spawn().expect("tauri-driver is on PATH (`cargo install tauri-driver --version ^2 --locked`)");
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
        Driver { process, client, config_home_dir: config_home, _turn: turn }
    }

    pub fn config_home(&self) -> &Path {
        self.config_home_dir.path()
    }

    /// Waits for `css` to appear (the UI loads asynchronously).
    pub async fn wait_for(&self, css: &str) -> Element {
        self.client
            .wait()
            .at_most(Duration::from_secs(20))
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|err| panic!("{css} did not appear: {err}"))
    }

    pub async fn click(&self, css: &str) {
        self.wait_for(css).await.click().await.unwrap_or_else(|err| panic!("click {css}: {err}"));
    }

    pub async fn type_into(&self, css: &str, text: &str) {
        let field = self.wait_for(css).await;
        field.clear().await.unwrap();
        field.send_keys(text).await.unwrap();
    }

    /// The `name` attribute of every element matching `css`, in page order (absent: empty).
    pub async fn attrs(&self, css: &str, name: &str) -> Vec<String> {
        let mut values = vec![];
        for element in self.client.find_all(Locator::Css(css)).await.unwrap() {
            values.push(element.attr(name).await.unwrap().unwrap_or_default());
        }
        values
    }

    pub async fn text(&self, css: &str) -> String {
        self.wait_for(css).await.text().await.unwrap()
    }

    /// Polls `css`'s text until `wanted` holds (or fails with the last text seen).
    pub async fn wait_text(&self, css: &str, what: &str, wanted: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let text = match self.client.find(Locator::Css(css)).await {
                Ok(element) => element.text().await.unwrap_or_default(),
                Err(_) => String::new(),
            };
            if wanted(&text) {
                return text;
            }
            assert!(Instant::now() < deadline, "{css}: expected {what}, last saw {text:?}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits until nothing matches `css` (say, a toast from an earlier step that would
    /// otherwise pass for the next one's).
    pub async fn wait_gone(&self, css: &str) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while self.client.find(Locator::Css(css)).await.is_ok() {
            assert!(Instant::now() < deadline, "{css} is still there after 20 s");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Saves a screenshot under test-artifacts/ for people to look at.
    pub async fn screenshot(&self, name: &str) {
        let png = self.client.screenshot().await.expect("screenshot");
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("test-artifacts");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(format!("{name}.png")), png).unwrap();
    }

    pub async fn close(self) {
        let _ = self.client.clone().close().await;
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let group = format!("-{}", self.process.id());
        let _ = Command::new("kill").args(["-TERM", "--", &group]).status();
        let _ = self.process.wait();
    }
}
