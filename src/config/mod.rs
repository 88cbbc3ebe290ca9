//! Settings: `config/thidua.toml` (or the copy embedded in the program) plus
//! `THIDUA__SECTION__KEY` environment overrides, loaded with the `config`
//! crate, deserialized rejecting unknown keys, then checked into typed
//! values. Every error names the file (or environment variable) and the key.
//!
//! The folders the settings name for editable files (`paths.templates`,
//! `paths.criteria`) are read through [`editable`], the one loader of "the
//! configured folder, else the copy compiled in"; the criteria tables are
//! read here (`tables.rs`) because checking the settings needs them.

mod check;
pub mod editable;
mod raw;
mod tables;
mod year_names;

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::domain::cells::Limits;
use crate::domain::cluster::Cluster;
use crate::domain::criteria::TableSet;

pub use check::ConfigError;

/// The default configuration file, relative to the working directory.
pub const DEFAULT_PATH: &str = "config/thidua.toml";
/// The shipped configuration, used when no file is given and the default is absent.
pub const EMBEDDED: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/config/thidua.toml"));
/// Name shown for the embedded configuration in messages.
pub const EMBEDDED_NAME: &str = "<embedded>/config/thidua.toml";

/// Folders under the data folder.
#[derive(Debug, Clone)]
pub struct Paths {
    pub data: PathBuf,
    pub inbox: PathBuf,
    pub archive: PathBuf,
    pub rejected: PathBuf,
    pub outbox: PathBuf,
    pub reports: PathBuf,
    pub ledger: PathBuf,
    /// Templates folder; `None` means the templates compiled into the program.
    pub templates: Option<PathBuf>,
    /// The criteria tables' folder; `None` means the tables compiled into
    /// the program.
    pub criteria: Option<PathBuf>,
    /// The data folder's lock file (one daemon per data folder).
    pub lock: PathBuf,
    /// Where files are copied while they are being taken in.
    pub staging: PathBuf,
}

#[derive(Debug, Clone)]
pub struct InboxSettings {
    pub stable: Duration,
    pub rescan: Duration,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    File,
    Smtp,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Security {
    None,
    StartTls,
    Tls,
}

#[derive(Debug, Clone)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    pub security: Security,
    pub username: Option<String>,
    pub ca_file: Option<PathBuf>,
    pub timeouts: SmtpTimeouts,
}

/// How long each step of an SMTP exchange may take (`mail.smtp.*_timeout_secs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SmtpTimeouts {
    pub connect: Duration,
    pub greeting: Duration,
    pub command: Duration,
    pub exchange: Duration,
}

impl Default for SmtpTimeouts {
    fn default() -> Self {
        SmtpTimeouts {
            connect: Duration::from_secs(10),
            greeting: Duration::from_secs(30),
            command: Duration::from_secs(60),
            exchange: Duration::from_secs(300),
        }
    }
}

#[derive(Debug, Clone)]
pub struct MailSettings {
    pub transport: Transport,
    pub from: String,
    /// The body `from` speaks for, shown as its display name: "Thường
    /// trực Khu vực thi đua …" (the current year's cluster word).
    pub from_name: String,
    pub smtp: Option<SmtpSettings>,
    pub max_attempts: u32,
    pub retry: Duration,
    /// The longest wait between two attempts.
    pub retry_max: Duration,
}

/// `[intake.imap]`, checked: the submission mailbox. The password is not
/// here: it is read from `THIDUA_IMAP_PASSWORD` when the daemon connects.
#[derive(Debug, Clone)]
pub struct ImapSettings {
    pub host: String,
    pub port: u16,
    pub security: Security,
    pub username: String,
    pub folder: String,
    pub ca_file: Option<PathBuf>,
    /// Between looks at the folder when the server offers no IDLE (and, with
    /// IDLE, the longest wait before looking again anyway).
    pub poll: Duration,
    /// Where handled mail is moved; `None`: it stays in `folder`, flagged.
    pub done_folder: Option<String>,
    /// The address units send their workbooks to (told in the kick-off
    /// mail and `HUONG-DAN.txt`), if known.
    pub address: Option<String>,
}

/// Checked settings of one deployment.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Where the settings came from (a path or [`EMBEDDED_NAME`]).
    pub source: String,
    pub cluster: Cluster,
    pub paths: Paths,
    pub inbox: InboxSettings,
    pub limits: Limits,
    pub mail: MailSettings,
    pub http_listen: Option<std::net::SocketAddr>,
    /// The submission mailbox; `None` when `intake.imap.host` is empty.
    pub imap: Option<ImapSettings>,
    pub tables: TableSet,
    /// The scheduled jobs, in configuration order.
    pub jobs: Vec<crate::domain::schedule::JobSpec>,
    pub vote: VoteSettings,
}

/// `[vote]`, checked.
#[derive(Debug, Clone, Default)]
pub struct VoteSettings {
    pub rules: crate::domain::vote::VoteRules,
    /// When ballots stop counting, if set (else `thidua job close-vote`).
    pub closes: Option<chrono::DateTime<chrono::Utc>>,
    pub secretary: String,
}

impl Settings {
    /// Loads the settings: from `path` if given, else [`DEFAULT_PATH`] if it
    /// exists, else the embedded defaults; environment overrides on top.
    pub fn load(path: Option<&Path>) -> Result<Settings, ConfigError> {
        let env: Vec<(String, String)> = std::env::vars()
            .filter(|(k, _)| k.starts_with("THIDUA__"))
            .collect();
        Self::load_with_env(path, &env)
    }

    /// As [`Settings::load`] with the environment given as values (tests).
    pub fn load_with_env(
        path: Option<&Path>,
        env: &[(String, String)],
    ) -> Result<Settings, ConfigError> {
        let default = Path::new(DEFAULT_PATH);
        let (source, text, base) = match path {
            Some(p) => (p.display().to_string(), read(p)?, Some(parent_dir(p))),
            None if default.exists() => (
                default.display().to_string(),
                read(default)?,
                Some(parent_dir(default)),
            ),
            None => (EMBEDDED_NAME.to_string(), EMBEDDED.to_string(), None),
        };
        check::build(&source, &text, base.as_deref(), env)
    }
}

fn parent_dir(p: &Path) -> PathBuf {
    match p.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

fn read(p: &Path) -> Result<String, ConfigError> {
    std::fs::read_to_string(p).map_err(|e| ConfigError::Io {
        file: p.display().to_string(),
        reason: e.to_string(),
    })
}
