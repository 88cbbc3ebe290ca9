//! Sending over SMTP with every step timed. lettre's blocking client has one
//! socket timeout that each read renews, so a server that accepts and never
//! answers held a sender 30 s and one that sends its greeting a byte every
//! few seconds held it for ever, and nothing could stop it. Here lettre's
//! async connection runs on a small runtime of the transport's own; the TCP
//! connection, the greeting (with EHLO), each command (MAIL FROM, each RCPT
//! TO, DATA, each block of the message; the final dot's answer gets RFC
//! 5321's 10 minutes) and the whole exchange each have a deadline (`mail.smtp.*_timeout_secs`) that names
//! its key and the step when it passes; and [`SmtpSender::stop`] ends every
//! exchange at once (the mail stays queued). A few idle connections are
//! kept for the next mails.

use std::cell::Cell;
use std::future::Future;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use lettre::Message;
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{AsyncSmtpConnection, TlsParameters};
use lettre::transport::smtp::commands::{Data, Mail, Rcpt};
use lettre::transport::smtp::extension::{ClientId, Extension, MailBodyParameter, MailParameter};
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
        timed(
            "mail.smtp.exchange_timeout_secs",
            "the whole exchange",
            self.timeouts.exchange,
            Box::pin(async {
                let mut conn = match self.reuse().await {
                    Some(c) => c,
                    None => self.open().await?,
                };
                self.transaction(&mut conn, msg).await?;
                self.keep(conn);
                Ok(())
            }),
        )
        .await
        .map_err(Failure::into_send_error)
    }

    /// One mail on an open connection: MAIL FROM, each RCPT TO, DATA, and
    /// the message with its final dot, each under the command deadline of
    /// its own (lettre's `send` does them all in one call, which one
    /// deadline could only cover together). A connection that failed is
    /// dropped by the caller, never kept.
    async fn transaction(
        &self,
        conn: &mut AsyncSmtpConnection,
        msg: &Message,
    ) -> Result<(), Failure> {
        const KEY: &str = "mail.smtp.command_timeout_secs";
        let limit = self.timeouts.command;
        let envelope = msg.envelope();
        let body = msg.formatted();
        // As lettre's `send`: SMTPUTF8 for addresses, 8BITMIME for content
        // that is not ASCII, refused when the server offers neither.
        let mut options = Vec::new();
        let non_ascii = envelope
            .from()
            .into_iter()
            .chain(envelope.to())
            .any(|a| !AsRef::<str>::as_ref(a).is_ascii());
        if non_ascii {
            if !conn.server_info().supports_feature(Extension::SmtpUtfEight) {
                return Err(Failure::Failed(
                    "the mail server does not take addresses that are not ASCII (no SMTPUTF8)"
                        .into(),
                ));
            }
            options.push(MailParameter::SmtpUtfEight);
        }
        if !body.is_ascii() {
            if !conn.server_info().supports_feature(Extension::EightBitMime) {
                return Err(Failure::Failed(
                    "the mail server does not take 8-bit content (no 8BITMIME)".into(),
                ));
            }
            options.push(MailParameter::Body(MailBodyParameter::EightBitMime));
        }
        let mail = Mail::new(envelope.from().cloned(), options);
        timed(KEY, "MAIL FROM", limit, async {
            conn.command(mail).await.map_err(from_lettre)
        })
        .await?;
        for to in envelope.to() {
            let rcpt = Rcpt::new(to.clone(), Vec::new());
            timed(KEY, "RCPT TO", limit, async {
                conn.command(rcpt).await.map_err(from_lettre)
            })
            .await?;
        }
        timed(KEY, "DATA", limit, async {
            conn.command(Data).await.map_err(from_lettre)
        })
        .await?;
        message(conn, &body, limit).await?;
        Ok(())
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
                "the connection, the TLS handshake, the greeting and EHLO",
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
            let tcp = timed(
                "mail.smtp.connect_timeout_secs",
                "the connection",
                t.connect,
                async {
                    tokio::net::TcpStream::connect((self.host.as_str(), self.port))
                        .await
                        .map_err(|e| Failure::Failed(format!("cannot connect: {e}")))
                },
            )
            .await?;
            timed(
                "mail.smtp.greeting_timeout_secs",
                "the greeting and EHLO",
                t.greeting,
                async {
                    AsyncSmtpConnection::connect_with_transport(Box::new(tcp), &self.hello)
                        .await
                        .map_err(from_lettre)
                },
            )
            .await?
        };
        if self.security == Security::StartTls {
            // The command, the TLS handshake and EHLO again: one lettre
            // call, three round trips.
            timed(
                "mail.smtp.command_timeout_secs",
                "STARTTLS",
                t.command * 3,
                async {
                    conn.starttls(self.tls.clone(), &self.hello)
                        .await
                        .map_err(from_lettre)
                },
            )
            .await?;
        }
        if let Some(credentials) = &self.credentials {
            // AUTH PLAIN, or AUTH LOGIN's three rounds: one lettre call.
            timed(
                "mail.smtp.command_timeout_secs",
                "AUTH",
                t.command * 3,
                async {
                    conn.auth(&[Mechanism::Plain, Mechanism::Login], credentials)
                        .await
                        .map_err(from_lettre)
                },
            )
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
    Refused {
        text: String,
        permanent: bool,
    },
    /// A deadline (its setting) passed during a step (named for the log).
    Late {
        key: &'static str,
        step: &'static str,
        limit: Duration,
    },
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
            Failure::Late { key, step, limit } => SendError::Transient(format!(
                "the SMTP server did not answer in time: {key} ({} s) passed during {step}",
                limit.as_secs_f64()
            )),
        }
    }
}

/// `f`, the step `step`, under a deadline named by its setting `key`.
async fn timed<T>(
    key: &'static str,
    step: &'static str,
    limit: Duration,
    f: impl Future<Output = Result<T, Failure>>,
) -> Result<T, Failure> {
    match tokio::time::timeout(limit, f).await {
        Ok(r) => r,
        Err(_) => Err(Failure::Late { key, step, limit }),
    }
}

/// The message is written in blocks of this size; each must be taken by
/// the server within the command deadline.
const BLOCK: usize = 64 * 1024;

/// How long the server may take to answer the final dot: RFC 5321
/// §4.5.3.2.6 gives it 10 minutes, as a server may scan the message first.
/// Cutting it sooner would requeue a mail the server may have taken, and
/// send it twice; the whole exchange's deadline still bounds it.
const FINAL_REPLY: Duration = Duration::from_secs(600);

/// The message and its final dot, after DATA. A message of a few
/// megabytes on a slow line may rightly take longer than one command
/// deadline to write, so the deadline is the server's progress: each block
/// of the message must be taken within `limit` of the step before, and
/// the answer to the final dot must come within [`FINAL_REPLY`] (or
/// `limit`, if longer), as RFC 5321 §4.5.3.2 times the data blocks and the
/// final dot one by one.
async fn message(
    conn: &mut AsyncSmtpConnection,
    body: &[u8],
    limit: Duration,
) -> Result<(), Failure> {
    let progress = Cell::new(Instant::now());
    let written = Cell::new(false);
    let mut blocks = body.chunks(BLOCK);
    // lettre asks for the next block once the one before is written, and
    // for none once all are: each ask is progress, and the last one means
    // that only the answer to the final dot is awaited.
    let parts = std::iter::from_fn(|| {
        progress.set(Instant::now());
        let block = blocks.next();
        written.set(block.is_none());
        block
    });
    let sending = conn.message_iter(parts);
    tokio::pin!(sending);
    let allowed = |written: bool| {
        if written {
            limit.max(FINAL_REPLY)
        } else {
            limit
        }
    };
    loop {
        let deadline = progress.get() + allowed(written.get());
        tokio::select! {
            r = &mut sending => return r.map(|_| ()).map_err(from_lettre),
            () = tokio::time::sleep_until(deadline.into()) => {
                let (waited, written) = (progress.get().elapsed(), written.get());
                if waited >= allowed(written) {
                    return Err(if written {
                        Failure::Late {
                            key: "RFC 5321's limit for the final dot",
                            step: "the answer to the final dot",
                            limit: allowed(true),
                        }
                    } else {
                        Failure::Late {
                            key: "mail.smtp.command_timeout_secs",
                            step: "the message",
                            limit,
                        }
                    });
                }
            }
        }
    }
}
