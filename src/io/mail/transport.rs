//! Where mail goes: `.eml` files in the outbox folder (the default, so
//! thidua works with no mail server) or an SMTP server through lettre, with
//! STARTTLS or implicit TLS, and a password only from `THIDUA_SMTP_PASSWORD`.

use std::path::PathBuf;
use std::time::Duration;

use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{Message, SmtpTransport, Transport as _};

use super::MailError;
use crate::config::{MailSettings, Security, Transport as Kind};

/// The environment variable holding the SMTP password.
pub const PASSWORD_VAR: &str = "THIDUA_SMTP_PASSWORD";

/// Why a mail was not sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendError {
    /// Worth another try later (server down, 4xx).
    Transient(String),
    /// Will never work (5xx, bad address).
    Permanent(String),
}

pub enum Transport {
    File { dir: PathBuf },
    Smtp(Box<SmtpTransport>),
}

impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Transport::File { dir } => write!(f, "file transport to {}", dir.display()),
            Transport::Smtp(_) => f.write_str("smtp transport"),
        }
    }
}

impl Transport {
    /// Builds the configured transport; `outbox` is the folder for `.eml` files.
    pub fn from_settings(s: &MailSettings, outbox: PathBuf) -> Result<Transport, MailError> {
        match s.transport {
            Kind::File => {
                std::fs::create_dir_all(&outbox).map_err(|e| {
                    MailError::Setup(format!(
                        "{}: cannot create the outbox folder: {e}",
                        outbox.display()
                    ))
                })?;
                Ok(Transport::File { dir: outbox })
            }
            Kind::Smtp => {
                let smtp = s.smtp.as_ref().ok_or_else(|| {
                    MailError::Setup("mail.smtp.host is required for the smtp transport".into())
                })?;
                let mut tls = TlsParameters::builder(smtp.host.clone());
                if let Some(ca) = &smtp.ca_file {
                    let pem = std::fs::read(ca).map_err(|e| {
                        MailError::Setup(format!("mail.smtp.ca_file {}: {e}", ca.display()))
                    })?;
                    let cert = Certificate::from_pem(&pem).map_err(|e| {
                        MailError::Setup(format!("mail.smtp.ca_file {}: {e}", ca.display()))
                    })?;
                    tls = tls.add_root_certificate(cert);
                }
                let params = tls
                    .build()
                    .map_err(|e| MailError::Setup(format!("mail.smtp: TLS setup failed: {e}")))?;
                let mut b = SmtpTransport::builder_dangerous(&smtp.host)
                    .port(smtp.port)
                    .timeout(Some(Duration::from_secs(30)))
                    .tls(match smtp.security {
                        Security::None => Tls::None,
                        Security::StartTls => Tls::Required(params),
                        Security::Tls => Tls::Wrapper(params),
                    });
                if let Some(user) = &smtp.username {
                    let password = std::env::var(PASSWORD_VAR).map_err(|_| {
                        MailError::Setup(format!(
                            "mail.smtp.username is set but the environment variable {PASSWORD_VAR} is not"
                        ))
                    })?;
                    b = b.credentials(Credentials::new(user.clone(), password));
                }
                Ok(Transport::Smtp(Box::new(b.build())))
            }
        }
    }

    /// Sends one message. The file transport names the file after the key,
    /// so sending the same key again writes nothing new.
    pub fn send(&self, msg: &Message, key: &str) -> Result<(), SendError> {
        match self {
            Transport::File { dir } => {
                let name = crate::io::digest::short(key, 12);
                let path = dir.join(format!("{name}.eml"));
                if path.exists() {
                    return Ok(());
                }
                crate::io::atomic_file::write(&path, &msg.formatted())
                    .map_err(|e| SendError::Transient(format!("{}: {e}", path.display())))
            }
            Transport::Smtp(t) => t.send(msg).map(|_| ()).map_err(|e| {
                let text = crate::domain::vn::one_line(&e.to_string());
                // Only an answer about this mail's addresses or content is
                // final; a refused login or relay (530, 535, 554…) is the
                // operator's to fix, and the mail waits for it.
                let code = e.status().map(|c| c.to_string());
                match code.as_deref() {
                    Some("550" | "551" | "552" | "553" | "501") if e.is_permanent() => {
                        SendError::Permanent(text)
                    }
                    _ => SendError::Transient(text),
                }
            }),
        }
    }
}
