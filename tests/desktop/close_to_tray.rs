//! The close button, as a window manager sends it (WM_DELETE_WINDOW): with "close to tray" on
//! (the default) the window hides and Keyward keeps serving; with it off, the app quits.

use std::net::TcpStream;
use std::time::{Duration, Instant};

use x11rb::connection::Connection;
use x11rb::protocol::xproto::{AtomEnum, ClientMessageEvent, ConnectionExt, EventMask, MapState, Window};

use crate::driver::{free_port, Driver};

/// The app's top-level X window (titled "Keyward").
fn app_window(conn: &impl Connection, root: Window) -> Window {
    let children = conn.query_tree(root).unwrap().reply().unwrap().children;
    children
        .into_iter()
        .find(|&w| {
            let name = conn.get_property(false, w, AtomEnum::WM_NAME, AtomEnum::ANY, 0, 64).unwrap().reply().unwrap();
            name.value == b"Keyward"
        })
        .expect("a top-level window titled Keyward")
}

fn close_request(conn: &impl Connection, window: Window) {
    let atom = |name: &[u8]| conn.intern_atom(false, name).unwrap().reply().unwrap().atom;
    let event = ClientMessageEvent::new(32, window, atom(b"WM_PROTOCOLS"), [atom(b"WM_DELETE_WINDOW"), 0, 0, 0, 0]);
    conn.send_event(false, window, EventMask::NO_EVENT, event).unwrap();
    conn.flush().unwrap();
}

fn is_viewable(conn: &impl Connection, window: Window) -> bool {
    conn.get_window_attributes(window).unwrap().reply().map(|a| a.map_state == MapState::VIEWABLE).unwrap_or(false)
}

fn listening(port: u16) -> bool {
    TcpStream::connect(("127.0.0.1", port)).is_ok()
}

#[tokio::test]
async fn the_close_button_hides_to_the_tray_unless_turned_off_and_the_window_size_is_kept() {
    let (data_home, config_home) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let env = [("XDG_DATA_HOME", data_home.path()), ("XDG_CONFIG_HOME", config_home.path())];
    let driver = Driver::launch(&env).await;
    driver.client.set_window_rect(40, 30, 900, 640).await.unwrap();
    let port = free_port();
    driver.click("[data-testid=nav-settings]").await;
    driver.type_into("[data-testid=gateway-port]", &port.to_string()).await;
    driver.click("[data-testid=settings-save]").await;
    driver.wait_text("[data-testid=gateway-state]", "the gateway on our port", |t| t.contains(&port.to_string())).await;

    let (conn, screen) = x11rb::connect(None).expect("the Xvfb display");
    let root = conn.setup().roots[screen].root;
    let window = app_window(&conn, root);
    assert!(is_viewable(&conn, window));
    close_request(&conn, window);
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert!(!is_viewable(&conn, window), "the window is hidden");
    assert!(listening(port), "the gateway keeps serving from the tray");

    // Turn the setting off (the web view still answers while hidden), then close again: quit.
    // The port's "Settings saved" toast must be gone first, or it would pass for this save's.
    driver.wait_gone("[data-testid=toast]").await;
    let off = driver.wait_for("input[name=close_to_tray]").await;
    off.click().await.unwrap();
    assert!(!off.is_selected().await.unwrap(), "close to tray is unticked");
    driver.click("[data-testid=settings-save]").await;
    driver.wait_text("[data-testid=toast]", "saved", |t| t.contains("Settings saved")).await;
    close_request(&conn, window);
    let deadline = Instant::now() + Duration::from_secs(15);
    while listening(port) {
        assert!(Instant::now() < deadline, "the app should quit when close to tray is off");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    drop(driver);

    // Launched again, the window comes back at the size it had.
    let driver = Driver::launch(&env).await;
    driver.wait_for("[data-testid=nav-settings]").await;
    let (_, _, width, height) = driver.client.get_window_rect().await.unwrap();
    assert_eq!((width as u32, height as u32), (900, 640), "the window state plugin restored the size");
}
