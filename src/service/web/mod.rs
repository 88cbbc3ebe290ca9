//! The read-only status page on `http.listen`: `/` shows the overview in
//! Vietnamese, `/healthz` answers whether the ledger can be read and the
//! inbox watcher and mail worker are running, and `/metrics` gives counts
//! for Prometheus. It listens on a loopback address only (the configuration
//! refuses others: the page has no login).
//!
//! It is served by hyper on the daemon's own tokio runtime and is built so
//! that no client can hurt the daemon: at most [`MAX_CONNECTIONS`] are
//! served at once (more are closed as soon as they are accepted, so they
//! hold no file handle), a client must send its request head within
//! [`HEADER_TIMEOUT`] and be done within [`CONNECTION_TIMEOUT`], each
//! connection answers one request, and a failure to accept (no file handles
//! left) is waited out, never returned. The ledger is read on a blocking
//! thread through the page's own read-only connection.

mod metrics;
mod page;

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::header::{HOST, HeaderValue};
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tracing::{info, warn};

use crate::config::Settings;
use crate::io::ledger::Ledger;
use crate::service::health::Health;
use page::Page;

/// Connections served at once; more are closed at once.
pub const MAX_CONNECTIONS: usize = 64;
/// How long a client has to send its request line and headers.
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(5);
/// How long one connection may last, answer included.
pub const CONNECTION_TIMEOUT: Duration = Duration::from_secs(20);

/// A running status page; stops when dropped.
pub struct StatusPage {
    task: tokio::task::JoinHandle<()>,
    /// Where it listens (the port chosen when the setting says `:0`).
    pub addr: SocketAddr,
}

impl std::fmt::Debug for StatusPage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "status page on http://{}/", self.addr)
    }
}

/// Why the page could not start.
#[derive(Debug, thiserror::Error)]
pub enum WebError {
    #[error("http.listen {addr}: cannot listen: {reason}")]
    Listen { addr: SocketAddr, reason: String },
    #[error("{0}")]
    Template(String),
    #[error(transparent)]
    Ledger(#[from] crate::io::ledger::LedgerError),
}

/// What every answer needs.
struct State {
    settings: Settings,
    ledger: Mutex<Ledger>,
    page: Page,
    addr: SocketAddr,
    health: Arc<Health>,
}

impl StatusPage {
    /// Starts serving `addr` from the ledger of `settings`, as a task on
    /// the current tokio runtime.
    pub async fn start(
        settings: Settings,
        addr: SocketAddr,
        health: Arc<Health>,
    ) -> Result<StatusPage, WebError> {
        let page = Page::load(settings.paths.templates.as_deref()).map_err(WebError::Template)?;
        let ledger = Ledger::open(&settings.paths.ledger)?;
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|e| WebError::Listen {
                addr,
                reason: e.to_string(),
            })?;
        let addr = listener.local_addr().map_err(|e| WebError::Listen {
            addr,
            reason: e.to_string(),
        })?;
        let state = Arc::new(State {
            settings,
            ledger: Mutex::new(ledger),
            page,
            addr,
            health,
        });
        let task = tokio::spawn(serve(listener, state));
        info!(url = %format!("http://{addr}/"), "status page listening");
        Ok(StatusPage { task, addr })
    }
}

impl Drop for StatusPage {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Accepts connections for ever. Nothing here returns an error: a failed
/// accept (out of file handles, say) is logged once a burst and waited out.
async fn serve(listener: TcpListener, state: Arc<State>) {
    let slots = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    let mut quiet_until = tokio::time::Instant::now();
    loop {
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(e) => {
                let now = tokio::time::Instant::now();
                if now >= quiet_until {
                    warn!(error = %e, "status page: cannot accept a connection; waiting");
                    quiet_until = now + Duration::from_secs(10);
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        let Ok(slot) = slots.clone().try_acquire_owned() else {
            // Full: closed at once, so a flood holds no file handles.
            drop(stream);
            continue;
        };
        let state = state.clone();
        tokio::spawn(async move {
            let _slot = slot;
            let service = hyper::service::service_fn(move |req| {
                let state = state.clone();
                async move { Ok::<_, Infallible>(answer(state, req).await) }
            });
            let conn = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(HEADER_TIMEOUT)
                .keep_alive(false)
                .serve_connection(TokioIo::new(stream), service);
            // A client too slow to take its answer is cut off.
            let _ = tokio::time::timeout(CONNECTION_TIMEOUT, conn).await;
        });
    }
}

fn respond(head: bool, status: u16, content_type: &str, body: String) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(if head {
        String::new()
    } else {
        body
    })));
    *response.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    let h = response.headers_mut();
    h.insert(
        "content-type",
        HeaderValue::from_str(content_type).expect("a valid header"),
    );
    h.insert("cache-control", HeaderValue::from_static("no-store"));
    h.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        "content-security-policy",
        HeaderValue::from_static("default-src 'none'; style-src 'unsafe-inline'"),
    );
    if status == 405 {
        h.insert("allow", HeaderValue::from_static("GET, HEAD"));
    }
    response
}

const TEXT: &str = "text/plain; charset=utf-8";
const HTML: &str = "text/html; charset=utf-8";
const METRICS: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// Whether the request names this machine as its host. A web page on
/// another site could otherwise read the page through a DNS name that
/// points at 127.0.0.1 (DNS rebinding).
fn local_host(request: &Request<Incoming>, addr: SocketAddr) -> bool {
    let Some(value) = request.headers().get(HOST).map(|h| {
        String::from_utf8_lossy(h.as_bytes())
            .trim()
            .to_ascii_lowercase()
    }) else {
        return true; // HTTP/1.0 without Host: not a browser.
    };
    let host = match value.strip_prefix('[') {
        Some(rest) => rest.split(']').next().unwrap_or(""),
        None => value.split(':').next().unwrap_or(""),
    };
    host == "localhost"
        || host == addr.ip().to_string()
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

async fn answer(state: Arc<State>, request: Request<Incoming>) -> Response<Full<Bytes>> {
    let head = request.method() == Method::HEAD;
    if !local_host(&request, state.addr) {
        return respond(
            head,
            403,
            TEXT,
            "Trang trạng thái chỉ mở bằng địa chỉ của máy chủ (127.0.0.1 hoặc localhost).\n".into(),
        );
    }
    if !matches!(*request.method(), Method::GET | Method::HEAD) {
        return respond(head, 405, TEXT, "Trang này chỉ đọc (GET).\n".into());
    }
    let path = request.uri().path().to_string();
    // The ledger is read on a blocking thread; a bug in one answer (a
    // panic) is that answer's 500, never the page's end.
    let answered = tokio::task::spawn_blocking(move || {
        let ledger = state
            .ledger
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        read(&state, &ledger, &path)
    })
    .await;
    if let Ok((status, kind, body)) = answered {
        respond(head, status, kind, body)
    } else {
        tracing::error!("status page: a request failed (a bug in thidua); serving on");
        respond(head, 500, TEXT, "Lỗi nội bộ.\n".into())
    }
}

fn read(state: &State, ledger: &Ledger, path: &str) -> (u16, &'static str, String) {
    match path {
        "/" => match crate::app::overview::read(&state.settings, ledger, chrono::Utc::now())
            .map_err(|e| e.to_string())
            .and_then(|o| state.page.render(&o))
        {
            Ok(html) => (200, HTML, html),
            Err(e) => {
                warn!(error = %e, "status page: cannot show the overview");
                (500, TEXT, format!("Lỗi: {e}\n"))
            }
        },
        "/healthz" => {
            let down = state.health.down();
            if !down.is_empty() {
                let lines: String = down.iter().map(|d| d.to_string() + "\n").collect();
                return (503, TEXT, lines);
            }
            match ledger.outbox_counts() {
                Ok(_) => (200, TEXT, "ok\n".into()),
                Err(e) => (503, TEXT, format!("ledger: {e}\n")),
            }
        }
        "/metrics" => match metrics::render(&state.settings, ledger) {
            Ok(text) => (200, METRICS, text),
            Err(e) => (503, TEXT, format!("ledger: {e}\n")),
        },
        _ => (404, TEXT, "Không có trang này.\n".into()),
    }
}
