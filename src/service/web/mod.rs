//! The read-only status page on `http.listen`: `/` shows the overview in
//! Vietnamese, `/healthz` answers whether the ledger can be read, and
//! `/metrics` gives counts for Prometheus. It listens on a loopback address
//! only (the configuration refuses others: the page has no login) and
//! answers one request at a time on its own thread, with its own read-only
//! use of the ledger.

mod metrics;
mod page;

use std::net::SocketAddr;
use std::sync::Arc;
use std::thread::JoinHandle;

use tiny_http::{Header, Method, Request, Response, Server};
use tracing::{info, warn};

use crate::config::Settings;
use crate::io::ledger::Ledger;
use page::Page;

/// A running status page; stops when dropped.
pub struct StatusPage {
    server: Arc<Server>,
    thread: Option<JoinHandle<()>>,
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

impl StatusPage {
    /// Starts serving `addr` from the ledger of `settings`.
    pub fn start(settings: Settings, addr: SocketAddr) -> Result<StatusPage, WebError> {
        let page = Page::load(settings.paths.templates.as_deref()).map_err(WebError::Template)?;
        let ledger = Ledger::open(&settings.paths.ledger)?;
        let server = Server::http(addr).map_err(|e| WebError::Listen {
            addr,
            reason: e.to_string(),
        })?;
        let addr = server
            .server_addr()
            .to_ip()
            .ok_or_else(|| WebError::Listen {
                addr,
                reason: "not an IP address".into(),
            })?;
        let server = Arc::new(server);
        let serving = server.clone();
        let thread = std::thread::Builder::new()
            .name("status-page".into())
            .spawn(move || {
                for request in serving.incoming_requests() {
                    // A bug in one answer must not take the page down.
                    let answered = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        answer(&settings, &ledger, &page, addr, request);
                    }));
                    if answered.is_err() {
                        tracing::error!(
                            "status page: a request failed (a bug in thidua); serving on"
                        );
                    }
                }
            })
            .map_err(|e| WebError::Listen {
                addr,
                reason: e.to_string(),
            })?;
        info!(url = %format!("http://{addr}/"), "status page listening");
        Ok(StatusPage {
            server,
            thread: Some(thread),
            addr,
        })
    }
}

impl Drop for StatusPage {
    fn drop(&mut self) {
        self.server.unblock();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn header(name: &str, value: &str) -> Header {
    Header::from_bytes(name.as_bytes(), value.as_bytes()).expect("a valid header")
}

fn respond(request: Request, status: u16, content_type: &str, body: String) {
    let head = request.method() == &Method::Head;
    let mut response = Response::from_string(if head { String::new() } else { body })
        .with_status_code(status)
        .with_header(header("Content-Type", content_type))
        .with_header(header("Cache-Control", "no-store"))
        .with_header(header("X-Content-Type-Options", "nosniff"))
        .with_header(header(
            "Content-Security-Policy",
            "default-src 'none'; style-src 'unsafe-inline'",
        ));
    if status == 405 {
        response = response.with_header(header("Allow", "GET, HEAD"));
    }
    if let Err(e) = request.respond(response) {
        warn!(error = %e, "status page: could not answer a request");
    }
}

const TEXT: &str = "text/plain; charset=utf-8";
const HTML: &str = "text/html; charset=utf-8";
const METRICS: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// Whether the request names this machine as its host. A web page on
/// another site could otherwise read the page through a DNS name that
/// points at 127.0.0.1 (DNS rebinding).
fn local_host(request: &Request, addr: SocketAddr) -> bool {
    let Some(value) = request
        .headers()
        .iter()
        .find(|h| h.field.equiv("Host"))
        .map(|h| h.value.as_str().trim().to_ascii_lowercase())
    else {
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

fn answer(settings: &Settings, ledger: &Ledger, page: &Page, addr: SocketAddr, request: Request) {
    if !local_host(&request, addr) {
        return respond(
            request,
            403,
            TEXT,
            "Trang trạng thái chỉ mở bằng địa chỉ của máy chủ (127.0.0.1 hoặc localhost).\n".into(),
        );
    }
    if !matches!(request.method(), Method::Get | Method::Head) {
        return respond(request, 405, TEXT, "Trang này chỉ đọc (GET).\n".into());
    }
    let path = request.url().split('?').next().unwrap_or("/").to_string();
    match path.as_str() {
        "/" => match crate::app::overview::read(settings, ledger, chrono::Utc::now())
            .map_err(|e| e.to_string())
            .and_then(|o| page.render(&o))
        {
            Ok(html) => respond(request, 200, HTML, html),
            Err(e) => {
                warn!(error = %e, "status page: cannot show the overview");
                respond(request, 500, TEXT, format!("Lỗi: {e}\n"));
            }
        },
        "/healthz" => match ledger.outbox_counts() {
            Ok(_) => respond(request, 200, TEXT, "ok\n".into()),
            Err(e) => respond(request, 503, TEXT, format!("ledger: {e}\n")),
        },
        "/metrics" => match metrics::render(settings, ledger) {
            Ok(text) => respond(request, 200, METRICS, text),
            Err(e) => respond(request, 503, TEXT, format!("ledger: {e}\n")),
        },
        _ => respond(request, 404, TEXT, "Không có trang này.\n".into()),
    }
}
