//! Serving: the accept loop, one hyper connection per client (closed when it stays silent for a
//! whole request time limit), and graceful shutdown (which flushes the call log).
//!
//! A connection hands `POST /v1/keys/verify` straight to its handler and everything else to the
//! router. Verify is the hot path, and axum's routing cost it more than its own work on a flood
//! of bad keys: the request body boxed, the router cloned, the path matched, the route's boxed
//! service cloned and its future boxed, per request. The router still has the route (for
//! `oneshot` tests, other methods' 405 and the OpenAPI document); both ways run the same
//! [`routes::verify::check`].

use std::convert::Infallible;
use std::future::{poll_fn, Future};
use std::io::IoSlice;
use std::pin::{pin, Pin};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};

use crate::call_log::Unsaved;
use axum::http::{Method, Request};
use axum::response::Response;
use axum::serve::Listener;
use axum::Router;
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;
use tower::Service;

use crate::app::{router, Caller, Running};
use crate::routes;

/// Serves on `listener` until `shutdown` resolves, then stops accepting, lets every open
/// connection finish its requests, and flushes the call log.
pub async fn serve(
    listener: TcpListener,
    running: Running,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<Unsaved> {
    serve_with(listener, running, None, shutdown).await
}

/// [`serve`], over TLS when given an acceptor ([`crate::tls::acceptor`]). A client whose
/// handshake fails or stalls past the request time limit is dropped; others are not held up.
pub async fn serve_with(
    mut listener: TcpListener,
    running: Running,
    tls: Option<TlsAcceptor>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<Unsaved> {
    let routes = router(&running.gateway);
    let connections = GracefulShutdown::new();
    let mut shutdown = pin!(shutdown);
    loop {
        // axum's accept: retries after transient errors (a reset client, too many open files).
        let (stream, addr) = tokio::select! {
            accepted = Listener::accept(&mut listener) => accepted,
            () = &mut shutdown => break,
        };
        let caller = Arc::new(Caller { gateway: Arc::clone(&running.gateway), addr });
        let router = routes.clone().with_state(Arc::clone(&caller));
        let connection = Connection { caller, router, active: Arc::default() };
        let watcher = connections.watcher();
        match &tls {
            None => drop(tokio::spawn(connection.serve(stream, watcher))),
            Some(acceptor) => {
                let (acceptor, limit) = (acceptor.clone(), running.gateway.config.request_timeout);
                tokio::spawn(async move {
                    match tokio::time::timeout(limit, acceptor.accept(stream)).await {
                        Ok(Ok(stream)) => connection.serve(stream, watcher).await,
                        Ok(Err(err)) => tracing::debug!(%err, %addr, "TLS handshake failed"),
                        Err(_) => tracing::debug!(%addr, "TLS handshake took too long"),
                    }
                });
            }
        }
    }
    drop(listener);
    connections.shutdown().await;
    Ok(running.finish().await)
}

/// One client's connection: its [`Caller`], and the routes with that client as their state
/// (given once here: `with_state` also turns each handler into a ready service once).
struct Connection {
    caller: Arc<Caller>,
    router: Router,
    /// Set by every request head that comes in and every write that goes out; see [`Connection::serve`].
    active: Arc<AtomicBool>,
}

impl Connection {
    /// Serves the connection until it ends, or until a whole `request_timeout` passes with no
    /// request coming in and nothing going out: a client trickling its request head (which no
    /// handler's time limit covers, as the handler starts once the head is in) or an idle
    /// keep-alive connection. Nothing is in flight then (any request is bounded by the same
    /// time limit and writes its answer), so dropping the connection loses no answer.
    ///
    /// The deadline's waker is registered once per period, not on every wake: hyper's own
    /// `header_read_timeout` arms a new timer at every keep-alive wait, i.e. per request (see the
    /// README's performance section).
    async fn serve<S>(self, stream: S, watcher: hyper_util::server::graceful::Watcher)
    where
        S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        let (period, active) = (self.caller.gateway.config.request_timeout, Arc::clone(&self.active));
        let io = TokioIo::new(ActivityIo { stream, active: Arc::clone(&active) });
        let service = service_fn(move |request| self.answer(request));
        let builder = auto::Builder::new(TokioExecutor::new());
        let mut served = pin!(watcher.watch(builder.serve_connection_with_upgrades(io, service)));
        let mut deadline = pin!(tokio::time::sleep(period));
        let mut armed = false;
        poll_fn(|cx| {
            if let Poll::Ready(result) = served.as_mut().poll(cx) {
                if let Err(err) = result {
                    tracing::trace!(%err, "connection ended with an error");
                }
                return Poll::Ready(());
            }
            if armed && !deadline.is_elapsed() {
                return Poll::Pending;
            }
            if armed {
                // A whole period has passed: was there anything in it?
                if !active.swap(false, Ordering::Relaxed) {
                    tracing::debug!(
                        ?period,
                        "closing a connection with no request and no answer for a whole request time limit"
                    );
                    return Poll::Ready(());
                }
                deadline.as_mut().reset(tokio::time::Instant::now() + period);
            }
            // Registers this task's waker for the new period (once per period).
            if deadline.as_mut().poll(cx).is_ready() {
                cx.waker().wake_by_ref();
            }
            armed = true;
            Poll::Pending
        })
        .await;
    }

    /// The answer's future owns what it needs: the client for verify, else the router (one
    /// counter bump, on this connection's own `Arc`).
    fn answer(
        &self,
        request: Request<Incoming>,
    ) -> impl Future<Output = Result<Response, Infallible>> + Send + 'static {
        self.active.store(true, Ordering::Relaxed);
        let to = if request.method() == Method::POST && request.uri().path() == routes::verify::VERIFY_PATH {
            Handler::Verify(Arc::clone(&self.caller))
        } else {
            Handler::Router(self.router.clone())
        };
        async move {
            Ok(match to {
                Handler::Verify(caller) => routes::verify::check(&caller, request).await,
                // The router is always ready (axum's `poll_ready` returns at once).
                Handler::Router(mut router) => router.call(request).await.unwrap_or_else(|never| match never {}),
            })
        }
    }
}

/// A connection's socket (plain or TLS), noting each write in [`Connection::active`].
struct ActivityIo<S> {
    stream: S,
    active: Arc<AtomicBool>,
}

impl<S> ActivityIo<S> {
    fn wrote(&self, written: Poll<std::io::Result<usize>>) -> Poll<std::io::Result<usize>> {
        if let Poll::Ready(Ok(1..)) = written {
            self.active.store(true, Ordering::Relaxed);
        }
        written
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for ActivityIo<S> {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.stream).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for ActivityIo<S> {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<std::io::Result<usize>> {
        let written = Pin::new(&mut self.stream).poll_write(cx, buf);
        self.wrote(written)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        let written = Pin::new(&mut self.stream).poll_write_vectored(cx, bufs);
        self.wrote(written)
    }

    // hyper writes head and body in one `writev` when the socket takes vectors.
    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}

/// Where a request goes.
enum Handler {
    Verify(Arc<Caller>),
    Router(Router),
}
