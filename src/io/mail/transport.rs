//! Where mail goes: `.eml` files in the outbox folder (the default, so
//! thidua works with no mail server) or an SMTP server through lettre, with
//! STARTTLS or implicit TLS, and a password only from `THIDUA_SMTP_PASSWORD`;
//! each SMTP step under its deadline (see [`super::smtp`]).

use std::path::PathBuf;

use lettre::Message;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, TlsParameters};

use super::smtp::SmtpSender;
use super::{MailError, SendError};
use crate::config::{MailSettings, Transport as Kind};

/// The environment variable holding the SMTP password.
pub const PASSWORD_VAR: &str = "THIDUA_SMTP_PASSWORD";

pub enum Transport {
    File { dir: PathBuf },
    Smtp(Box<SmtpSender>),
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
                let credentials = match &smtp.username {
                    Some(user) => {
                        let password = std::env::var(PASSWORD_VAR).map_err(|_| {
                            MailError::Setup(format!(
                                "mail.smtp.username is set but the environment variable {PASSWORD_VAR} is not"
                            ))
                        })?;
                        Some(Credentials::new(user.clone(), password))
                    }
                    None => None,
                };
                Ok(Transport::Smtp(Box::new(SmtpSender::new(
                    smtp,
                    params,
                    credentials,
                )?)))
            }
        }
    }

    /// Ends the SMTP exchanges in progress and refuses new ones (their
    /// mails stay queued); the file transport has nothing to stop.
    pub fn stop(&self) {
        if let Transport::Smtp(t) = self {
            t.stop();
        }
    }

    /// Whether [`Transport::stop`] was called.
    pub fn stopped(&self) -> bool {
        matches!(self, Transport::Smtp(t) if t.stopped())
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
            Transport::Smtp(t) => t.send(msg),
        }
    }
}
