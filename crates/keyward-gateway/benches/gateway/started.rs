//! A gateway of this process on a free loopback port (both benches start theirs this way).

use std::net::SocketAddr;
use std::sync::Arc;

use keyward_core::Keyward;
use keyward_gateway::{serve, Gateway, GatewayConfig};

pub async fn start_gateway(keyward: Keyward, config: GatewayConfig) -> (SocketAddr, Arc<Gateway>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let running = Gateway::start(keyward, config).await.unwrap();
    let gateway = Arc::clone(&running.gateway);
    tokio::spawn(serve(listener, running, std::future::pending()));
    (addr, gateway)
}
