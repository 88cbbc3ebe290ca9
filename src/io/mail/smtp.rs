//! Sending over SMTP with every step timed. lettre's blocking client has one
//! socket timeout that each read renews, so a server that accepts and never
//! answers held a sender 30 s and one that sends its greeting a byte every
//! few seconds held it for ever, and nothing could stop it. Here lettre's
//! async connection runs on a small runtime of the transport's own; the TCP
//! connection, the greeting, each command and the whole exchange each have
//! a deadline (`mail.smtp.*_timeout_secs`) that names its key when it
//! passes; and [`SmtpSender::stop`] ends every exchange at once (the mail
//! stays queued). A few idle connections are kept for the next mails.

use std::future::Future;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use lettre::Message;
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{AsyncSmtpConnection, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use tokio::sync::watch;

use super::{MailError, SendError};
use crate::config::{Security, SmtpSettings, SmtpTimeouts};

/// Idle connections kept for the next mails, and how long one is kept.
const IDLE_KEPT: usize = 6;
const IDLE_FOR: Duration = Duration::from_secs(30);

/// The SMTP side of the transport.
pub struct SmtpSender {
    host: String,
    port: u16,
    security: Security,
    tls: TlsParameters,
    credentials: Option<Credentials>,
    hello: ClientId,
    timeouts: SmtpTimeouts,
    runtime: Option<tokio::runtime::Runtime>,
    stop: watch::Sender<bool>,
    idle: Mutex<Vec<(AsyncSmtpConnection, Instant)>>,
}

impl SmtpSender {
    pub fn new(
        smtp: &SmtpSettings,
        tls: TlsParameters,
        credentials: Option<Credentials>,
    ) -> Result<SmtpSender, MailError> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("smtp")
            .enable_all()
            .build()
            .map_err(|e| MailError::Setup(format!("cannot start the SMTP runtime: {e}")))?;
        Ok(SmtpSender {
            host: smtp.host.clone(),
            port: smtp.port,
            security: smtp.security,
            tls,
            credentials,
            hello: ClientId::default(),
            timeouts: smtp.timeouts,
            runtime: Some(runtime),
            stop: watch::channel(false).0,
            idle: Mutex::new(Vec::new()),
        })
    }

    /// Ends every exchange in progress and refuses new ones: they return
    /// [`SendError::Interrupted`] and their mails stay queued.
    pub fn stop(&self) {
        self.stop.send_replace(true);
    }

    pub fn stopped(&self) -> bool {
        *self.stop.borrow()
    }

    /// Sends one message; blocks the calling thread (not a runtime's).
    pub fn send(&self, msg: &Message) -> Result<(), SendError> {
        if self.stopped() {
            return Err(SendError::Interrupted);
        }
        let runtime = self.runtime.as_ref().expect("the runtime lives until drop");
        let mut stop = self.stop.subscribe();
        runtime.block_on(async {
            tokio::select! {
                r = self.exchange(msg) => r,
                _ = stop.wait_for(|s| *s) => Err(SendError::Interrupted),
            }
        })
    }

    async fn exchange(&self, msg: &Message) -> Result<(), SendError> {
        let t = self.timeouts;
        timed(
            "mail.smtp.exchange_timeout_secs",
            t.exchange,
            Box::pin(async {
                let mut conn = match self.reuse().await {
                    Some(c) => c,
                    None => self.open().await?,
                };
                let envelope = msg.envelope();
                let body = msg.formatted();
                // MAIL, each RCPT, DATA and the final dot: a command timeout each.
                let steps = envelope.to().len() as u32 + 3;
                timed(
                    "mail.smtp.command_timeout_secs",
                    t.command.saturating_mul(steps),
                    async { conn.send(envelope, &body).await.map_err(from_lettre) },
                )
                .await?;
                self.keep(conn);
                Ok(())
            }),
        )
        .await
        .map_err(Failure::into_send_error)
    }

    /// An idle connection that still answers NOOP, if any.
    async fn reuse(&self) -> Option<AsyncSmtpConnection> {
        loop {
            let (mut conn, since) = self
                .idle
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .pop()?;
            if since.elapsed() > IDLE_FOR {
                continue;
            }
            if let Ok(true) =
                tokio::time::timeout(self.timeouts.command, conn.test_connected()).await
            {
                return Some(conn);
            }
        }
    }

    fn keep(&self, conn: AsyncSmtpConnection) {
        let mut idle = self
            .idle
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if idle.len() < IDLE_KEPT && !conn.has_broken() {
            idle.push((conn, Instant::now()));
        }
    }

    /// A new connection: TCP, the greeting and EHLO, STARTTLS, AUTH.
    async fn open(&self) -> Result<AsyncSmtpConnection, Failure> {
        let t = self.timeouts;
        let mut conn = if self.security == Security::Tls {
            // Implicit TLS: lettre connects, shakes hands and reads the
            // greeting in one call, under both deadlines together.
            timed(
                "mail.smtp.connect_timeout_secs + mail.smtp.greeting_timeout_secs",
                t.connect + t.greeting,
                async {
                    AsyncSmtpConnection::connect_tokio1(
                        (self.host.as_str(), self.port),
                        Some(t.connect),
                        &self.hello,
                        Some(self.tls.clone()),
                        None,
                    )
                    .await
                    .map_err(from_lettre)
                },
            )
            .await?
        } else {
            let tcp = timed("mail.smtp.connect_timeout_secs", t.connect, async {
                tokio::net::TcpStream::connect((self.host.as_str(), self.port))
                    .await
                    .map_err(|e| Failure::Failed(format!("cannot connect: {e}")))
            })
            .await?;
            timed("mail.smtp.greeting_timeout_secs", t.greeting, async {
                AsyncSmtpConnection::connect_with_transport(Box::new(tcp), &self.hello)
                    .await
                    .map_err(from_lettre)
            })
            .await?
        };
        if self.security == Security::StartTls {
            timed("mail.smtp.command_timeout_secs", t.command * 2, async {
                conn.starttls(self.tls.clone(), &self.hello)
                    .await
                    .map_err(from_lettre)
            })
            .await?;
        }
        if let Some(credentials) = &self.credentials {
            timed("mail.smtp.command_timeout_secs", t.command * 2, async {
                conn.auth(&[Mechanism::Plain, Mechanism::Login], credentials)
                    .await
                    .map_err(from_lettre)
            })
            .await?;
        }
        Ok(conn)
    }
}

impl Drop for SmtpSender {
    fn drop(&mut self) {
        self.idle
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clear();
        // May be dropped inside another runtime, where waiting is not allowed.
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_background();
        }
    }
}

/// An exchange's failure: no connection, the server's answer (or a broken
/// connection), or a deadline named by its setting.
enum Failure {
    Failed(String),
    Refused { text: String, permanent: bool },
    Late(&'static str, Duration),
}

#[allow(clippy::needless_pass_by_value)] // used as `map_err(from_lettre)`
fn from_lettre(e: lettre::transport::smtp::Error) -> Failure {
    let text = crate::domain::vn::one_line(&e.to_string());
    // Only an answer about this mail's addresses or content is final; a
    // refused login or relay (530, 535, 554…) is the operator's to fix,
    // and the mail waits for it.
    let code = e.status().map(|c| c.to_string());
    let permanent =
        matches!(code.as_deref(), Some("550" | "551" | "552" | "553" | "501")) && e.is_permanent();
    Failure::Refused { text, permanent }
}

impl Failure {
    fn into_send_error(self) -> SendError {
        match self {
            Failure::Failed(text) => SendError::Transient(text),
            Failure::Refused { text, permanent } => {
                if permanent {
                    SendError::Permanent(text)
                } else {
                    SendError::Transient(text)
                }
            }
            Failure::Late(key, d) => SendError::Transient(format!(
                "the SMTP server did not answer in time: {key} ({} s) passed",
                d.as_secs_f64()
            )),
        }
    }
}

/// `f` under a deadline named by its setting `key`.
async fn timed<T>(
    key: &'static str,
    limit: Duration,
    f: impl Future<Output = Result<T, Failure>>,
) -> Result<T, Failure> {
    match tokio::time::timeout(limit, f).await {
        Ok(r) => r,
        Err(_) => Err(Failure::Late(key, limit)),
    }
}
