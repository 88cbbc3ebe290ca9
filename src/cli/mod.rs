//! The command line: the clap definitions of the commands and the
//! dispatch to their files, one per command (`validate.rs`, `job.rs`, …).
//! How a command ends, and which exit status each failure gives, is in
//! [`exit`]: 0 done, 1 the answer is "no" (a workbook rejected, a unit
//! without a score sheet yet), 2 a usage or configuration error (one line
//! naming the key or file), 3 a runtime failure.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[macro_use]
mod output;

mod args;
mod backup;
mod criteria;
mod demo;
mod exit;
mod form;
mod init;
mod job;
mod logging;
mod mail;
mod report;
mod run;
mod score;
mod status;
mod validate;

pub use exit::{Exit, Failure};
pub use logging::LogFormat;

use crate::config::Settings;
use crate::domain::schedule::JobKind;

#[derive(Debug, Parser)]
#[command(
    name = "thidua",
    version,
    about = "Chấm điểm, xếp hạng thi đua của Khu vực thi đua các cơ quan Tư pháp — emulation scoring for a cluster of justice agencies",
    long_about = None,
    after_help = "Examples:\n  thidua form --unit STP-QTR -o STP-QTR-2026.xlsx\n  thidua validate --unit STP-QTR STP-QTR-2026.xlsx\n  THIDUA__PATHS__DATA=/srv/thidua thidua --config /etc/thidua/thidua.toml validate --json inbox/"
)]
pub struct Cli {
    /// Configuration file [default: config/thidua.toml if present, else the embedded defaults]
    #[arg(long, global = true, env = "THIDUA_CONFIG", value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Log format on standard error: `human` or `json` (one object per line)
    #[arg(
        long,
        global = true,
        env = "THIDUA_LOG_FORMAT",
        value_name = "FORMAT",
        default_value = "human"
    )]
    pub log_format: LogFormat,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Internal: reads a workbook from stdin for the parent process (XLS and ODS)
    #[command(hide = true, name = "read-workbook")]
    ReadWorkbook {
        #[arg(long)]
        max_cells: u64,
        #[arg(long)]
        max_file_bytes: u64,
        #[arg(long)]
        max_unpacked_bytes: u64,
    },
    /// The daemon: watch the inboxes, take each file in, answer by mail;
    /// stops cleanly on SIGINT or SIGTERM
    #[command(
        after_help = "Examples:\n  thidua run\n  thidua run --once          # take what is in the inboxes, send the mail, exit\n  THIDUA__MAIL__TRANSPORT=smtp THIDUA__MAIL__SMTP__HOST=mail.example THIDUA_SMTP_PASSWORD=… thidua run"
    )]
    Run {
        /// Process what is in the inboxes, send what is due, and exit
        #[arg(long)]
        once: bool,
        /// Start afresh with a new, empty ledger although archive/ holds files
        /// (without it, a missing ledger beside a non-empty archive stops the
        /// start). The ledger is not rebuilt from the archive: the filed
        /// workbooks stay where they are and count for nothing until sent
        /// again; restore the ledger from a backup instead when you can
        #[arg(long)]
        new_ledger: bool,
    },
    /// The current ranking per unit type: rank, total, group subtotals, class, proposal
    #[command(
        after_help = "Examples:\n  thidua score\n  thidua score --year 2022 --config config/samples/cluster-2022.toml\n  thidua score --json > xep-hang.json\n  thidua score --xlsx xep-hang-2026.xlsx"
    )]
    Score {
        /// Scoring year [default: the latest open year]
        #[arg(long, value_name = "N")]
        year: Option<i32>,
        /// Print JSON instead of tables (its fields: docs/scoring.md)
        #[arg(long)]
        json: bool,
        /// Also write the ranking as a workbook: a sheet per unit type
        /// (numbers as numbers) and one of the year's figures
        #[arg(long, value_name = "FILE.xlsx")]
        xlsx: Option<PathBuf>,
    },
    /// Print the shell completion script for SHELL (bash, zsh, fish, elvish, powershell)
    #[command(
        after_help = "Examples:\n  thidua completions bash > /etc/bash_completion.d/thidua\n  thidua completions zsh > ~/.zfunc/_thidua"
    )]
    Completions {
        #[arg(value_name = "SHELL")]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff) on standard output
    #[command(
        after_help = "Examples:\n  thidua man > /usr/local/share/man/man1/thidua.1\n  thidua man | man -l -"
    )]
    Man,
    /// The outbox: put mails that failed for good back in it
    #[command(subcommand)]
    Mail(MailCommand),
    /// A consistent copy of the ledger, safe while the daemon runs
    #[command(after_help = "Example:\n  thidua backup -o /var/backups/thidua-$(date +%F).sqlite")]
    Backup {
        /// Where to write the copy (replaced if it exists)
        #[arg(short = 'o', long = "output", value_name = "FILE")]
        output: PathBuf,
    },
    /// Units with and without an accepted submission for the open year, each job's last and
    /// next run, and the outbox
    #[command(after_help = "Example:\n  thidua status")]
    Status,
    /// Write the blank self-scoring workbook for a unit's type and year (with --ballot, the
    /// unit's commendation ballot)
    #[command(
        after_help = "Examples:\n  thidua form --unit STP-HTI --year 2026 -o STP-HTI-2026.xlsx\n  thidua form --all -o mau-2026/\n  thidua form --ballot --unit STP-HTI -o phieu-bau-STP-HTI.xlsx"
    )]
    Form {
        /// Unit code, as in the configuration (e.g. STP-QTR)
        #[arg(
            long,
            value_name = "CODE",
            required_unless_present = "all",
            conflicts_with = "all"
        )]
        unit: Option<String>,
        /// Every member unit's form (or ballot), into the folder given with -o
        #[arg(long)]
        all: bool,
        /// Scoring year [default: the latest open year]
        #[arg(long, value_name = "N")]
        year: Option<i32>,
        /// Write the unit's commendation ballot (Phiếu bầu chọn khen thưởng) instead
        #[arg(long)]
        ballot: bool,
        /// Where to write the .xlsx file (with --all, the folder)
        #[arg(short = 'o', long = "output", value_name = "FILE")]
        output: PathBuf,
    },
    /// A scheduled job: its schedule and last runs; --now runs it, --dry-run
    /// lists the documents and mails it would make
    #[command(after_help = job::after_help())]
    Job {
        // The names from `JobKind::ALL`, as the after-help's list.
        #[arg(help = JobKind::names())]
        name: String,
        /// Run it now
        #[arg(long)]
        now: bool,
        /// List the documents and recipients without writing or sending anything
        #[arg(long)]
        dry_run: bool,
    },
    /// Write a document now, as PDF or as an editable Word file: the
    /// ranking report, a unit's score sheet, the next year's emulation
    /// agreement, the proposals to the ministry or the vote's minutes
    #[command(
        after_help = "Examples:\n  thidua report ranking -o bao-cao-xep-hang-2026.pdf\n  thidua report ranking --final --year 2026 -o ket-qua-2026.pdf\n  thidua report sheet --unit STP-QTR -o phieu-cham-diem-STP-QTR.pdf\n  thidua report agreement --year 2026 -o giao-uoc-2027.pdf   # signed at the 2026 conference\n  thidua report proposals --format docx -o to-trinh-2026.docx"
    )]
    Report {
        /// Which document: `ranking`, `sheet` (one unit's score sheet),
        /// `agreement` (the next year's), `proposals` (the Tờ trình to the
        /// ministry) or `minutes` (the vote's record)
        kind: report::ReportKind,
        /// Scoring year; the agreement is for the year after [default: the latest open year]
        #[arg(long, value_name = "N")]
        year: Option<i32>,
        /// The unit of a score sheet (e.g. STP-QTR)
        #[arg(long, value_name = "CODE")]
        unit: Option<String>,
        /// Mark the ranking final (after the year-end conference) rather than provisional
        #[arg(long = "final")]
        is_final: bool,
        /// The date printed on it [default: the year's conference for the
        /// final ranking, proposals, minutes and agreement, else today]
        #[arg(long, value_name = "YYYY-MM-DD")]
        date: Option<chrono::NaiveDate>,
        /// `pdf`, or `docx` for the same document as a Word file [default:
        /// from the output's name, else pdf]
        #[arg(long, value_enum)]
        format: Option<report::ReportFormat>,
        /// Where to write the file
        #[arg(short = 'o', long = "output", value_name = "FILE")]
        output: PathBuf,
    },
    /// Create the data folder: an inbox folder per member unit of the year,
    /// each with a Vietnamese guide (HUONG-DAN.txt) and the unit's blank
    /// form. Files a unit has changed are kept; run it again after changing
    /// the criteria table or the members
    #[command(
        after_help = "Examples:\n  thidua init\n  THIDUA__PATHS__DATA=/srv/thidua thidua init --year 2027"
    )]
    Init {
        /// The year whose members and forms to set up [default: the latest open year]
        #[arg(long, value_name = "N")]
        year: Option<i32>,
    },
    /// A sample year end to end in a fresh folder: a filled workbook for
    /// every unit (two with mistakes) and two cross-checks, taken in as the
    /// daemon does, then the year-end job; prints where to look. Mail goes
    /// to .eml files only
    #[command(
        after_help = "Examples:\n  thidua demo\n  thidua demo --dir /tmp/thu-thidua\n  THIDUA__PATHS__DATA=thidua-demo thidua status"
    )]
    Demo {
        /// A new or empty folder for the demo's data [default: ./thidua-demo]
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
    /// The ministry's criteria table: import its annex into a table file,
    /// or export a table as the ministry prints it
    #[command(
        after_help = "Examples:\n  thidua criteria import Phu-luc.docx --unit-type stp --year 2027\n  thidua criteria export --unit-type stp --year 2026 -o bang-tieu-chi-stp-2026.docx"
    )]
    Criteria {
        #[command(subcommand)]
        action: criteria::Action,
    },
    /// Check workbooks as the daemon would, without touching the ledger;
    /// exit 0 if all are accepted, 1 if any is rejected, 2 for a usage or
    /// configuration error
    #[command(
        after_help = "Examples:\n  thidua validate bang-tu-cham.xlsx\n  thidua validate --unit THADS-HUE --json var/inbox/THADS-HUE/"
    )]
    Validate {
        /// Print one JSON array (an element per file) instead of text
        #[arg(long)]
        json: bool,
        /// Check as if the files sat in this unit's inbox folder
        #[arg(long, value_name = "CODE")]
        unit: Option<String>,
        /// Workbooks, or folders to search for them
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
    },
}

/// `thidua mail …`.
#[derive(Debug, Subcommand)]
pub enum MailCommand {
    /// Put mails that failed for good back in the outbox, to be sent again
    #[command(
        after_help = "Examples:\n  thidua mail retry --failed     # every mail that failed for good\n  thidua mail retry 12 14        # the mails numbered 12 and 14 in `thidua status`"
    )]
    Retry {
        /// Every mail that failed for good
        #[arg(long)]
        failed: bool,
        /// The mails' numbers, as `thidua status` and the status page show them
        #[arg(value_name = "ID")]
        ids: Vec<i64>,
    },
}

/// Parses the command line and runs the command.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Command::ReadWorkbook {
        max_cells,
        max_file_bytes,
        max_unpacked_bytes,
    } = cli.command
    {
        return crate::io::workbook::isolate::serve(&crate::domain::cells::Limits {
            max_file_bytes,
            max_unpacked_bytes,
            max_cells,
        });
    }
    // These two need no configuration.
    match &cli.command {
        Command::Completions { shell } => {
            let mut cmd = <Cli as clap::CommandFactory>::command();
            let mut out = Vec::new();
            clap_complete::generate(*shell, &mut cmd, "thidua", &mut out);
            output::emit(&String::from_utf8_lossy(&out));
            return ExitCode::SUCCESS;
        }
        Command::Man => {
            let cmd = <Cli as clap::CommandFactory>::command();
            let mut out = Vec::new();
            if let Err(e) = clap_mangen::Man::new(cmd).render(&mut out) {
                eprintln!("thidua: cannot write the manual page: {e}");
                return Exit::Runtime.into();
            }
            output::emit(&String::from_utf8_lossy(&out));
            return ExitCode::SUCCESS;
        }
        _ => {}
    }
    if let Ok(exe) = std::env::current_exe() {
        crate::io::workbook::isolate::use_worker(exe);
    }
    match run(cli) {
        Ok(exit) => exit.into(),
        Err(f) => {
            eprintln!("thidua: {}", f.message);
            f.exit.into()
        }
    }
}

/// Runs the command `cli` names, with the settings it points to.
pub fn run(cli: Cli) -> Result<Exit, Failure> {
    let settings = Settings::load(cli.config.as_deref()).map_err(Failure::usage)?;
    match cli.command {
        Command::ReadWorkbook { .. } => Err(Failure::usage("read-workbook is internal")),
        Command::Completions { .. } | Command::Man => Ok(Exit::Done),
        Command::Run { once, new_ledger } => {
            logging::init(cli.log_format, "info");
            run::run(settings, cli.config.as_deref(), once, new_ledger)
        }
        Command::Status => status::status(&settings),
        Command::Mail(MailCommand::Retry { failed, ids }) => mail::retry(&settings, failed, &ids),
        Command::Backup { output } => backup::backup(&settings, &output),
        Command::Init { year } => init::init(&settings, year),
        Command::Demo { dir } => {
            logging::init(cli.log_format, "warn");
            demo::demo(cli.config.as_deref(), dir)
        }
        Command::Score { year, json, xlsx } => score::score(&settings, year, json, xlsx.as_deref()),
        Command::Form {
            unit,
            year,
            ballot,
            output,
            ..
        } => form::form(&settings, unit.as_deref(), year, ballot, &output),
        Command::Job { name, now, dry_run } => job::job(&settings, &name, now, dry_run),
        Command::Report {
            kind,
            year,
            unit,
            is_final,
            format,
            date,
            output,
        } => report::report(
            &settings,
            &report::Request {
                kind,
                year,
                unit: unit.as_deref(),
                is_final,
                format: report::ReportFormat::or_from(format, &output),
                date,
                output: &output,
            },
        ),
        Command::Criteria { action } => criteria::run(&settings, action),
        Command::Validate { json, unit, files } => {
            validate::validate(&settings, json, unit.as_deref(), &files)
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    /// `thidua job --help` names every job thidua knows, from the one list.
    #[test]
    fn job_help_lists_every_job() {
        let mut cli = Cli::command();
        let job = cli.find_subcommand_mut("job").expect("a job command");
        let help = job.render_long_help().to_string();
        let jobs = help
            .lines()
            .find(|l| l.starts_with("Jobs: "))
            .unwrap_or_else(|| panic!("no `Jobs:` line in:\n{help}"));
        let listed: Vec<&str> = jobs["Jobs: ".len()..]
            .trim_end_matches('.')
            .split(", ")
            .collect();
        let all: Vec<&str> = JobKind::ALL.iter().map(|k| k.name()).collect();
        assert_eq!(listed, all, "{help}");
        assert!(
            help.contains(&JobKind::names()),
            "the NAME argument:\n{help}"
        );
    }
}
