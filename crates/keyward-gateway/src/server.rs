//! Serving: the accept loop, one hyper connection per client, and graceful shutdown (which
//! flushes the call log).
//!
//! A connection hands `POST /v1/keys/verify` straight to its handler and everything else to the
//! router. Verify is the hot path, and axum's routing cost it more than its own work on a flood
//! of bad keys: the request body boxed, the router cloned, the path matched, the route's boxed
//! service cloned and its future boxed, per request. The router still has the route (for
//! `oneshot` tests, other methods' 405 and the OpenAPI document); both ways run the same
//! [`routes::verify::check`].

use std::convert::Infallible;
use std::future::Future;
use std::pin::pin;
use std::sync::Arc;

use axum::http::{Method, Request};
use axum::response::Response;
use axum::serve::Listener;
use axum::Router;
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::{TcpListener, TcpStream};
use tower::Service;

use crate::app::{router, Client, Running};
use crate::routes;

/// Serves on `listener` until `shutdown` resolves, then stops accepting, lets every open
/// connection finish its requests, and flushes the call log.
pub async fn serve(mut listener: TcpListener, running: Running, shutdown: impl Future<Output = ()> + Send + 'static) -> std::io::Result<()> {
    let routes = router(&running.gateway);
    let connections = GracefulShutdown::new();
    let mut shutdown = pin!(shutdown);
    loop {
        // axum's accept: retries after transient errors (a reset client, too many open files).
        let (stream, addr) = tokio::select! {
            accepted = Listener::accept(&mut listener) => accepted,
            () = &mut shutdown => break,
        };
        let client = Arc::new(Client { gateway: Arc::clone(&running.gateway), addr });
        let connection = Connection { router: routes.clone().with_state(Arc::clone(&client)), client };
        tokio::spawn(connection.serve(stream, connections.watcher()));
    }
    drop(listener);
    connections.shutdown().await;
    running.finish().await;
    Ok(())
}

/// One client's connection: its [`Client`], and the routes with that client as their state
/// (given once here: `with_state` also turns each handler into a ready service once).
struct Connection {
    client: Arc<Client>,
    router: Router,
}

impl Connection {
    async fn serve(self, stream: TcpStream, watcher: hyper_util::server::graceful::Watcher) {
        let service = service_fn(move |request| self.answer(request));
        let builder = auto::Builder::new(TokioExecutor::new());
        let served = builder.serve_connection_with_upgrades(TokioIo::new(stream), service);
        if let Err(err) = watcher.watch(served).await {
            tracing::trace!(%err, "connection ended with an error");
        }
    }

    /// The answer's future owns what it needs: the client for verify, else the router (one
    /// counter bump, on this connection's own `Arc`).
    fn answer(&self, request: Request<Incoming>) -> impl Future<Output = Result<Response, Infallible>> + Send + 'static {
        let to = if request.method() == Method::POST && request.uri().path() == routes::verify::VERIFY_PATH {
            To::Verify(Arc::clone(&self.client))
        } else {
            To::Router(self.router.clone())
        };
        async move {
            Ok(match to {
                To::Verify(client) => routes::verify::check(&client, request).await,
                // The router is always ready (axum's `poll_ready` returns at once).
                To::Router(mut router) => router.call(request).await.unwrap_or_else(|never| match never {}),
            })
        }
    }
}

/// Where a request goes.
enum To {
    Verify(Arc<Client>),
    Router(Router),
}
