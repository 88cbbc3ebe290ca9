//! Connecting to the submission mailbox: TCP, then TLS (implicit or after
//! STARTTLS, rustls with the system's roots plus `intake.imap.ca_file`) or
//! nothing for `security = "none"`, then the login with the password from
//! `THIDUA_IMAP_PASSWORD` (never logged, never stored).

use std::sync::Arc;
use std::time::Duration;

use async_imap::{Client, Session};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::rustls::{ClientConfig, RootCertStore};

use crate::config::{ImapSettings, Security};

/// The environment variable the password comes from.
pub const PASSWORD_VAR: &str = "THIDUA_IMAP_PASSWORD";

/// A connection, clear or TLS.
pub trait Io: AsyncRead + AsyncWrite + Unpin + Send + std::fmt::Debug {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send + std::fmt::Debug> Io for T {}

pub type ImapSession = Session<Box<dyn Io>>;

/// How long connecting and logging in may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(30);

fn tls_config(s: &ImapSettings) -> Result<Arc<ClientConfig>, String> {
    let mut roots = RootCertStore::empty();
    for cert in rustls_native_certs::load_native_certs().certs {
        let _ = roots.add(cert);
    }
    if let Some(ca) = &s.ca_file {
        use rustls_pki_types::CertificateDer;
        use rustls_pki_types::pem::PemObject;
        let certs = CertificateDer::pem_file_iter(ca)
            .map_err(|e| format!("intake.imap.ca_file {}: {e}", ca.display()))?;
        let mut n = 0;
        for c in certs {
            let c = c.map_err(|e| format!("intake.imap.ca_file {}: {e}", ca.display()))?;
            roots
                .add(c)
                .map_err(|e| format!("intake.imap.ca_file {}: {e}", ca.display()))?;
            n += 1;
        }
        if n == 0 {
            return Err(format!(
                "intake.imap.ca_file {}: no certificate in it",
                ca.display()
            ));
        }
    }
    let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
}

async fn tls(s: &ImapSettings, tcp: TcpStream) -> Result<Box<dyn Io>, String> {
    let name = rustls_pki_types::ServerName::try_from(s.host.clone())
        .map_err(|e| format!("intake.imap.host `{}`: {e}", s.host))?;
    let stream = TlsConnector::from(tls_config(s)?)
        .connect(name, tcp)
        .await
        .map_err(|e| format!("TLS with {}:{}: {e}", s.host, s.port))?;
    Ok(Box::new(stream))
}

/// Connects and logs in; the error says what failed, never the password.
pub async fn connect(s: &ImapSettings) -> Result<ImapSession, String> {
    let password = std::env::var(PASSWORD_VAR)
        .map_err(|_| format!("{PASSWORD_VAR} is not set (the mailbox's password)"))?;
    tokio::time::timeout(CONNECT_TIMEOUT, async {
        let tcp = TcpStream::connect((s.host.as_str(), s.port))
            .await
            .map_err(|e| format!("cannot reach {}:{}: {e}", s.host, s.port))?;
        let client: Client<Box<dyn Io>> = match s.security {
            Security::Tls => Client::new(tls(s, tcp).await?),
            Security::None => Client::new(Box::new(tcp)),
            Security::StartTls => {
                let mut clear = Client::new(tcp);
                greeting(&mut clear).await?;
                clear
                    .run_command_and_check_ok("STARTTLS", None)
                    .await
                    .map_err(|e| format!("STARTTLS refused by {}: {e}", s.host))?;
                // No greeting after STARTTLS: the login comes next.
                let c = Client::new(tls(s, clear.into_inner()).await?);
                return login(c, s, &password).await;
            }
        };
        let mut client = client;
        greeting(&mut client).await?;
        login(client, s, &password).await
    })
    .await
    .map_err(|_| {
        format!(
            "no answer from {}:{} in {CONNECT_TIMEOUT:?}",
            s.host, s.port
        )
    })?
}

async fn greeting<T: Io>(c: &mut Client<T>) -> Result<(), String> {
    c.read_response()
        .await
        .map_err(|e| format!("no greeting: {e}"))?
        .ok_or_else(|| "the server closed the connection".to_string())?;
    Ok(())
}

async fn login(
    c: Client<Box<dyn Io>>,
    s: &ImapSettings,
    password: &str,
) -> Result<ImapSession, String> {
    c.login(&s.username, password)
        .await
        .map_err(|(e, _)| format!("login as {} refused: {e}", s.username))
}
