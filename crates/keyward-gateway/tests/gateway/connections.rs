//! Connections as a client has them: HTTP/2, and the request time limit applied to a
//! connection that sends no complete request (a trickled head, or plain silence).

use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::TestGateway;

/// Connections speak HTTP/2 too (with prior knowledge, as a service on loopback would): verify
/// on the served path and a route behind the router.
#[tokio::test]
async fn a_served_connection_speaks_http2() {
    let gw = TestGateway::start(|_| {}).await;
    let h2 = reqwest::Client::builder().http2_prior_knowledge().build().unwrap();
    let verified =
        h2.post(format!("{}/v1/keys/verify", gw.url)).json(&serde_json::json!({ "key": gw.key })).send().await.unwrap();
    assert_eq!(verified.version(), reqwest::Version::HTTP_2);
    assert_eq!(verified.json::<Value>().await.unwrap()["code"], "VALID");
    let health = h2.get(format!("{}/healthz", gw.url)).send().await.unwrap();
    assert_eq!((health.version(), health.status().as_u16()), (reqwest::Version::HTTP_2, 200));
    gw.stop().await;
}

const LIMIT: Duration = Duration::from_millis(300);

async fn connect(gw: &TestGateway) -> TcpStream {
    TcpStream::connect(gw.url.trim_start_matches("http://")).await.unwrap()
}

/// Reads until the server closes the socket; how long that took (None: still open after 5 s).
async fn closed_after(socket: &mut (impl AsyncRead + Unpin)) -> Option<Duration> {
    let started = Instant::now();
    let mut buf = [0; 1024];
    loop {
        match tokio::time::timeout(Duration::from_secs(5), socket.read(&mut buf)).await {
            Err(_) => return None,
            Ok(Ok(0)) | Ok(Err(_)) => return Some(started.elapsed()),
            Ok(Ok(_)) => {}
        }
    }
}

/// A client that sends its request head a header at a time, never finishing it, is cut off
/// once a whole time limit passes with no complete request (no handler ever runs for it).
#[tokio::test]
async fn a_trickled_request_head_is_cut_off() {
    let gw = TestGateway::start(|c| c.request_timeout = LIMIT).await;
    let mut socket = connect(&gw).await;
    socket.write_all(b"POST /v1/keys/verify HTTP/1.1\r\nhost: x\r\n").await.unwrap();
    let (mut reader, mut writer) = socket.split();
    let trickle = async {
        for _ in 0..100 {
            tokio::time::sleep(Duration::from_millis(50)).await;
            if writer.write_all(b"x-slow: 1\r\n").await.is_err() {
                break;
            }
        }
    };
    let (_, closed) = tokio::join!(trickle, closed_after(&mut reader));
    let closed = closed.expect("the connection is closed, not held open by the trickle");
    assert!(closed >= LIMIT, "not before a whole time limit: {closed:?}");
    gw.stop().await;
}

/// A connection that says nothing is closed after one to two time limits; one in steady use
/// (a request every half limit) stays open and answered throughout.
#[tokio::test]
async fn silent_connections_close_and_busy_ones_stay() {
    let gw = TestGateway::start(|c| c.request_timeout = LIMIT).await;
    let mut silent = connect(&gw).await;
    let closed = closed_after(&mut silent).await.expect("a silent connection is closed");
    assert!(closed >= LIMIT && closed < LIMIT * 3, "{closed:?}");

    let mut busy = connect(&gw).await;
    let request = b"GET /healthz HTTP/1.1\r\nhost: x\r\n\r\n";
    for _ in 0..8 {
        busy.write_all(request).await.unwrap();
        let mut answer = vec![0; 1024];
        let n = tokio::time::timeout(Duration::from_secs(2), busy.read(&mut answer)).await.expect("answered").unwrap();
        assert!(String::from_utf8_lossy(&answer[..n]).starts_with("HTTP/1.1 200"), "answered on the same connection");
        tokio::time::sleep(LIMIT / 2).await;
    }
    gw.stop().await;
}
