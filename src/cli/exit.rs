//! How a command ends: its exit status ([`Exit`]) and, when it fails, the
//! one line it prints on standard error ([`Failure`]). The status tells a
//! script or a service manager what kind of trouble it was without reading
//! the message, so each library error is given its status here, in one
//! place, rather than at every call.

use std::fmt::Display;
use std::process::ExitCode;

use crate::app::init::InitError;
use crate::app::jobs::plan::PlanError;
use crate::io::ledger::LedgerError;
use crate::io::mail::MailError;
use crate::service::daemon::DaemonError;

/// The exit status of `thidua`. Clap's own errors (an unknown option, a
/// missing argument) exit 2 too, as [`Exit::Usage`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Exit {
    /// 0: the command did what was asked.
    Done = 0,
    /// 1: the command worked, and its answer is "no". Three commands give
    /// it:
    /// - `validate`: at least one of the workbooks was rejected (the
    ///   findings are on standard output);
    /// - `criteria import`: the annex cannot be read, or a row of it or a
    ///   check of the table failed (each is named on standard output);
    /// - `report sheet`: the unit has no accepted self-scoring workbook for
    ///   the year yet, so it has no score sheet; `report minutes`: no ballot
    ///   has been counted, so there is nothing to record. Nothing is
    ///   written.
    Rejected = 1,
    /// 2: a usage or configuration error: a wrong argument (an unknown unit
    /// code or job name, a year without a `[[years]]` entry, a file that
    /// does not exist, a demo folder that is not empty), or a configuration
    /// or template that does not load. One line names the key or file.
    Usage = 2,
    /// 3: a runtime failure: the ledger cannot be opened or read, the
    /// daemon failed (another one holds the data folder, say), a file or
    /// folder cannot be written or read, the mail transport cannot be set
    /// up or a mail sent, a document cannot be rendered, or a job run by
    /// `job --now` (or the demo's year-end job) reported an error.
    Runtime = 3,
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> ExitCode {
        ExitCode::from(exit as u8)
    }
}

/// A command that stopped, with its exit status and the message
/// `thidua: …` prints on standard error.
#[derive(Debug)]
pub struct Failure {
    pub exit: Exit,
    pub message: String,
}

impl Failure {
    pub fn new(exit: Exit, message: impl Display) -> Failure {
        Failure {
            exit,
            message: message.to_string(),
        }
    }

    /// A usage or configuration error ([`Exit::Usage`]).
    pub fn usage(message: impl Display) -> Failure {
        Failure::new(Exit::Usage, message)
    }

    /// A runtime failure ([`Exit::Runtime`]).
    pub fn runtime(message: impl Display) -> Failure {
        Failure::new(Exit::Runtime, message)
    }
}

/// The ledger cannot be opened, read or written. Its message names the
/// ledger's path.
/// A ledger written by a newer thidua is not a runtime failure that a
/// restart could cure: 2, which the service unit does not restart.
impl From<LedgerError> for Failure {
    fn from(e: LedgerError) -> Failure {
        match e {
            e @ LedgerError::TooNew { .. } => Failure::usage(e),
            e => Failure::runtime(e),
        }
    }
}

/// Whatever stopped the daemon, a folder already locked by another
/// included: nothing the command line can correct.
impl From<DaemonError> for Failure {
    fn from(e: DaemonError) -> Failure {
        match e {
            DaemonError::Ledger(e) => e.into(),
            // The operator must choose: restore the ledger or start afresh.
            e @ DaemonError::LedgerMissing { .. } => Failure::usage(e),
            e => Failure::runtime(e),
        }
    }
}

/// Setting up the transport or sending through it.
impl From<MailError> for Failure {
    fn from(e: MailError) -> Failure {
        Failure::runtime(e)
    }
}

/// `init`: a year without members or a guide template that does not
/// render is the configuration's; a folder or file it cannot write, and
/// the ledger, are runtime.
impl From<InitError> for Failure {
    fn from(e: InitError) -> Failure {
        match e {
            InitError::Year(_) | InitError::Template(_) => Failure::usage(e),
            InitError::Io { .. } | InitError::Ledger(_) => Failure::runtime(e),
        }
    }
}

/// A job's plan: the mail templates and the configuration are usage, the
/// ledger is runtime.
impl From<PlanError> for Failure {
    fn from(e: PlanError) -> Failure {
        match e {
            PlanError::Text(_) | PlanError::Config(_) => Failure::usage(e),
            PlanError::Ledger(_) => Failure::runtime(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_codes_are_the_documented_ones() {
        assert_eq!(Exit::Done as u8, 0);
        assert_eq!(Exit::Rejected as u8, 1);
        assert_eq!(Exit::Usage as u8, 2);
        assert_eq!(Exit::Runtime as u8, 3);
    }

    #[test]
    fn a_ledger_failure_is_a_runtime_failure_naming_the_ledger() {
        let f = Failure::from(LedgerError::Other {
            path: "/srv/thidua/thidua.sqlite".into(),
            reason: "locked".into(),
        });
        assert_eq!(f.exit, Exit::Runtime);
        assert!(
            f.message.contains("/srv/thidua/thidua.sqlite"),
            "{}",
            f.message
        );
    }
}
