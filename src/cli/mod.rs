//! The command line: clap definitions and one short function per command
//! over the library. Exit codes: 0 ok, 1 a workbook was rejected, 2 a usage
//! or configuration error (one line naming the key or file).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use clap::{Parser, Subcommand};
use serde::Serialize;

/// `println!` for command output that goes quietly when the reader of a
/// pipe has gone (`thidua form --all -o x | head -1`) instead of panicking.
macro_rules! say {
    ($($arg:tt)*) => {
        $crate::cli::emit(&format!("{}\n", format_args!($($arg)*)))
    };
}

mod criteria;
mod demo;
mod job;
mod report;

use crate::app::review::review_file;
use crate::config::Settings;
use crate::domain::findings::Finding;
use crate::domain::validate::{Context, Verdict};
use crate::io::workbook::form::{FormSpec, write_form};
use crate::io::workbook::has_workbook_extension;

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

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    Human,
    Json,
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
    },
    /// The current ranking per unit type: rank, total, group subtotals, class, proposal
    #[command(
        after_help = "Examples:\n  thidua score\n  thidua score --year 2022 --config config/samples/cluster-2022.toml\n  thidua score --json > xep-hang.json"
    )]
    Score {
        /// Scoring year [default: the latest open year]
        #[arg(long, value_name = "N")]
        year: Option<i32>,
        /// Print JSON (documented in the README) instead of tables
        #[arg(long)]
        json: bool,
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
    #[command(
        after_help = "Jobs: kickoff, reminder, provisional, year-end, ballot, close-vote.\n\nExamples:\n  thidua job year-end                  # schedule, next time, last runs\n  thidua job year-end --now --dry-run  # what it would write and send\n  thidua job reminder --now            # run it now (asks the running daemon if there is one)"
    )]
    Job {
        /// kickoff, reminder, provisional, year-end, ballot or close-vote
        name: String,
        /// Run it now
        #[arg(long)]
        now: bool,
        /// List the documents and recipients without writing or sending anything
        #[arg(long)]
        dry_run: bool,
    },
    /// Write a document now as PDF: the ranking report, a unit's score
    /// sheet, or the next year's emulation agreement
    #[command(
        after_help = "Examples:\n  thidua report ranking -o bao-cao-xep-hang-2026.pdf\n  thidua report ranking --final --year 2026 -o ket-qua-2026.pdf\n  thidua report sheet --unit STP-QTR -o phieu-cham-diem-STP-QTR.pdf\n  thidua report agreement --year 2026 -o giao-uoc-2027.pdf   # signed at the 2026 conference"
    )]
    Report {
        /// Which document: `ranking`, `sheet` (one unit's score sheet) or
        /// `agreement` (the next year's)
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
        /// Where to write the PDF
        #[arg(short = 'o', long = "output", value_name = "FILE.pdf")]
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

/// A failure of a command, with its exit code.
#[derive(Debug)]
pub struct Failure {
    pub code: u8,
    pub message: String,
}

impl Failure {
    fn usage(message: impl Into<String>) -> Failure {
        Failure {
            code: 2,
            message: message.into(),
        }
    }
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
    if let Ok(exe) = std::env::current_exe() {
        crate::io::workbook::isolate::use_worker(exe);
    }
    match run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(f) => {
            eprintln!("thidua: {}", f.message);
            ExitCode::from(f.code)
        }
    }
}

pub fn run(cli: Cli) -> Result<u8, Failure> {
    let settings =
        Settings::load(cli.config.as_deref()).map_err(|e| Failure::usage(e.to_string()))?;
    match cli.command {
        Command::ReadWorkbook { .. } => Err(Failure::usage("read-workbook is internal")),
        Command::Run { once } => {
            init_logging(cli.log_format);
            run_daemon(settings, once)
        }
        Command::Status => status(&settings),
        Command::Init { year } => init(&settings, year),
        Command::Demo { dir } => {
            init_logging_at(cli.log_format, "warn");
            demo::demo(cli.config.as_deref(), dir)
        }
        Command::Score { year, json } => score(&settings, year, json),
        Command::Form {
            unit: Some(unit),
            year,
            ballot,
            output,
            ..
        } => one_form(&settings, &unit, year, ballot, &output),
        Command::Form {
            unit: None,
            year,
            ballot,
            output,
            ..
        } => all_forms(&settings, year, ballot, &output),
        Command::Job { name, now, dry_run } => job::job(&settings, &name, now, dry_run),
        Command::Report {
            kind,
            year,
            unit,
            is_final,
            output,
        } => report::report(
            &settings,
            &report::Request {
                kind,
                year,
                unit: unit.as_deref(),
                is_final,
                output: &output,
            },
        ),
        Command::Criteria { action } => criteria::run(&settings, action),
        Command::Validate { json, unit, files } => {
            validate(&settings, json, unit.as_deref(), &files)
        }
    }
}

fn one_form(
    settings: &Settings,
    unit: &str,
    year: Option<i32>,
    ballot: bool,
    output: &Path,
) -> Result<u8, Failure> {
    if ballot {
        report::ballot(settings, unit, year, output)
    } else {
        form(settings, unit, year, output)
    }
}

/// `form --all`: each member unit's form (or ballot) into the folder `dir`.
fn all_forms(
    settings: &Settings,
    year: Option<i32>,
    ballot: bool,
    dir: &Path,
) -> Result<u8, Failure> {
    let year = year.unwrap_or_else(|| settings.cluster.current_year());
    let units: Vec<String> = settings
        .cluster
        .members(year)
        .map(|u| u.code.clone())
        .collect();
    if units.is_empty() {
        return Err(Failure::usage(format!(
            "--year: no member units in {year} ({})",
            settings.source
        )));
    }
    std::fs::create_dir_all(dir)
        .map_err(|e| Failure::usage(format!("{}: cannot create the folder: {e}", dir.display())))?;
    let pb = progress(units.len(), "Ghi mẫu");
    for code in &units {
        let name = if ballot {
            format!("Phieu-bau-{year}-{code}.xlsx")
        } else {
            crate::app::init::form_name(code, year)
        };
        pb.suspend(|| one_form(settings, code, Some(year), ballot, &dir.join(name)))?;
        pb.inc(1);
    }
    pb.finish_and_clear();
    Ok(0)
}

fn form(settings: &Settings, unit: &str, year: Option<i32>, output: &Path) -> Result<u8, Failure> {
    let cluster = &settings.cluster;
    let year = year.unwrap_or_else(|| cluster.current_year());
    let u = cluster.unit(unit).ok_or_else(|| {
        Failure::usage(format!(
            "--unit: `{unit}` is not a unit code of {}",
            settings.source
        ))
    })?;
    if !u.exists_in(year) {
        return Err(Failure::usage(format!(
            "--unit: `{unit}` is not a member in {year} ({})",
            settings.source
        )));
    }
    let table = settings.tables.get(&u.unit_type, year).ok_or_else(|| {
        Failure::usage(format!(
            "--year: no criteria table for `{}` in {year}",
            u.unit_type
        ))
    })?;
    let spec = FormSpec {
        cluster_name: &cluster.name,
        table,
        unit: u,
        year,
    };
    write_form(output, &spec, None)
        .map_err(|e| Failure::usage(format!("{}: cannot write the form: {e}", output.display())))?;
    say!(
        "Đã ghi bảng tự chấm điểm năm {year} của {} ({}) vào {}: {} tiêu chí, tổng điểm chuẩn {}.",
        u.name_in(year),
        u.code,
        output.display(),
        table.leaves().count(),
        crate::domain::vn::format_number(table.max)
    );
    Ok(0)
}

/// Files named on the command line, folders searched for workbooks.
fn expand(paths: &[PathBuf]) -> Result<Vec<PathBuf>, Failure> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut found = Vec::new();
            walk(p, &has_workbook_extension, &mut found)
                .map_err(|e| Failure::usage(format!("{}: {e}", p.display())))?;
            found.sort();
            out.extend(found);
        } else if p.exists() || p.symlink_metadata().is_ok() {
            out.push(p.clone());
        } else {
            return Err(Failure::usage(format!("{}: no such file", p.display())));
        }
    }
    Ok(out)
}

/// The files below `dir` that `keep` accepts, in the order found.
pub(crate) fn walk(
    dir: &Path,
    keep: &dyn Fn(&Path) -> bool,
    out: &mut Vec<PathBuf>,
) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            walk(&path, keep, out)?;
        } else if keep(&path) {
            out.push(path);
        }
    }
    Ok(())
}

#[derive(Serialize)]
struct JsonReport<'a> {
    file: String,
    unit: Option<&'a str>,
    year: Option<i32>,
    accepted: bool,
    self_total: Option<f64>,
    findings: &'a [Finding],
}

/// Reviews `files` on as many threads as cores, results in their order;
/// `done` is called after each.
fn review_all(
    settings: &Settings,
    folder_unit: Option<&str>,
    files: &[PathBuf],
    done: &(dyn Fn() + Sync),
) -> Vec<Verdict> {
    // Ballots are checked against the candidates the ledger gives, when
    // there is a ledger to ask.
    let ballot = settings
        .paths
        .ledger
        .exists()
        .then(|| crate::io::ledger::Ledger::open(&settings.paths.ledger).ok())
        .flatten()
        .and_then(|l| {
            crate::app::standings::ballot_context(
                settings,
                &l,
                settings.cluster.current_year(),
                chrono::Utc::now(),
            )
            .ok()
        });
    let ctx = Context {
        cluster: &settings.cluster,
        tables: &settings.tables,
        folder_unit,
        self_scores: None,
        ballot: ballot.as_ref(),
    };
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<Verdict>>> = Mutex::new(vec![None; files.len()]);
    let workers = std::thread::available_parallelism()
        .map_or(1, std::num::NonZero::get)
        .min(files.len().max(1));
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(path) = files.get(i) else { break };
                    let v = review_file(path, &settings.limits, &ctx);
                    done();
                    results
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner)[i] = Some(v);
                }
            });
        }
    });
    results
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .into_iter()
        .map(Option::unwrap_or_default)
        .collect()
}

fn validate(
    settings: &Settings,
    json: bool,
    unit: Option<&str>,
    files: &[PathBuf],
) -> Result<u8, Failure> {
    let folder_unit = match unit {
        Some(code) => Some(
            settings
                .cluster
                .unit(code)
                .map(|u| u.code.as_str())
                .ok_or_else(|| {
                    Failure::usage(format!(
                        "--unit: `{code}` is not a unit code of {}",
                        settings.source
                    ))
                })?,
        ),
        None => None,
    };
    let files = expand(files)?;
    // A bar on a terminal (stderr) for a folder's worth; nothing in pipes.
    let pb = progress(files.len(), "Kiểm tra bảng tính");
    let verdicts = review_all(settings, folder_unit, &files, &|| pb.inc(1));
    pb.finish_and_clear();
    let mut out = std::io::stdout().lock();
    let result = if json {
        let reports: Vec<JsonReport<'_>> = files
            .iter()
            .zip(&verdicts)
            .map(|(f, v)| JsonReport {
                file: f.display().to_string(),
                unit: v.unit.as_deref(),
                year: v.year,
                accepted: v.accepted(),
                self_total: v.self_total,
                findings: &v.findings,
            })
            .collect();
        serde_json::to_writer_pretty(&mut out, &reports)
            .map_err(std::io::Error::from)
            .and_then(|()| writeln!(out))
    } else {
        files
            .iter()
            .zip(&verdicts)
            .try_for_each(|(f, v)| write_human(&mut out, f, v))
    };
    result.map_err(|e| Failure::usage(format!("cannot write the output: {e}")))?;
    Ok(u8::from(!verdicts.iter().all(Verdict::accepted)))
}

fn write_human(out: &mut impl Write, file: &Path, v: &Verdict) -> std::io::Result<()> {
    let errors = v.findings.iter().filter(|f| f.is_error()).count();
    let warnings = v.findings.len() - errors;
    let who = match (&v.unit, v.year) {
        (Some(u), Some(y)) => format!(" ({u}, năm {y})"),
        (Some(u), None) => format!(" ({u})"),
        _ => String::new(),
    };
    if v.accepted() {
        let total = v
            .self_total
            .map(|t| {
                format!(
                    ", tổng điểm tự chấm {}",
                    crate::domain::vn::format_number(t)
                )
            })
            .unwrap_or_default();
        writeln!(
            out,
            "{}: CHẤP NHẬN{who}{total}{}",
            file.display(),
            plural_warnings(warnings)
        )?;
    } else {
        writeln!(
            out,
            "{}: TỪ CHỐI{who} — {errors} lỗi{}",
            file.display(),
            plural_warnings(warnings)
        )?;
    }
    for f in &v.findings {
        let place = match (&f.sheet, &f.cell) {
            (Some(s), Some(c)) => format!("'{s}'!{c}"),
            (Some(s), None) => format!("'{s}'"),
            _ => "-".to_string(),
        };
        writeln!(
            out,
            "  {:<7} {:<22} {:<20} {}",
            f.severity.label_vi(),
            f.code.as_str(),
            place,
            f.message
        )?;
    }
    Ok(())
}

fn plural_warnings(n: usize) -> String {
    if n == 0 {
        String::new()
    } else {
        format!(", {n} lưu ý")
    }
}

fn init_logging(format: LogFormat) {
    init_logging_at(format, "info");
}

/// Logs at `level` unless `THIDUA_LOG` says otherwise; the scheduler
/// library's own bookkeeping only from warnings up.
fn init_logging_at(format: LogFormat, level: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("THIDUA_LOG").unwrap_or_else(|_| {
        tracing_subscriber::EnvFilter::new(format!("{level},tokio_cron_scheduler=warn"))
    });
    // Colours only on a terminal: a log file or the journal gets plain text.
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Human => builder.with_target(false).try_init(),
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
    };
}

fn run_daemon(settings: Settings, once: bool) -> Result<u8, Failure> {
    crate::service::memory::fewer_arenas();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Failure::usage(format!("cannot start the runtime: {e}")))?;
    let report = runtime
        .block_on(async {
            // The handlers are in place before the daemon logs that it has
            // started, so a SIGTERM from then on is always a clean stop.
            let stop = stop_signal();
            crate::service::daemon::run(settings, crate::service::daemon::RunOptions { once }, stop)
                .await
        })
        .map_err(|e| Failure {
            code: 1,
            message: e.to_string(),
        })?;
    if once {
        say!(
            "Đã xử lý {} tệp, đã gửi {} thư.",
            report.files,
            report.mails_sent
        );
    }
    Ok(0)
}

/// A future that resolves on SIGINT or SIGTERM. The handlers are
/// registered when this is called (inside the runtime), not when the
/// future is first polled.
fn stop_signal() -> impl std::future::Future<Output = ()> {
    #[cfg(unix)]
    let signals = {
        use tokio::signal::unix::{SignalKind, signal};
        (
            signal(SignalKind::interrupt()).ok(),
            signal(SignalKind::terminate()).ok(),
        )
    };
    async move {
        #[cfg(unix)]
        {
            let (mut int, mut term) = signals;
            let wait = |s: Option<tokio::signal::unix::Signal>| async move {
                match s {
                    Some(mut s) => {
                        s.recv().await;
                    }
                    None => std::future::pending::<()>().await,
                }
            };
            tokio::select! {
                () = wait(int.take()) => {}
                () = wait(term.take()) => {}
            }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
        }
        tracing::info!("stop requested; finishing the file in hand");
    }
}

/// Writes `text` to standard output. A reader that went away (`thidua …
/// | head`) is not an error worth a panic: the rest is dropped quietly.
pub(crate) fn emit(text: &str) {
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
}

/// A progress bar on standard error for `len` steps. indicatif draws it
/// only on a terminal, so pipes and logs stay clean; a single step gets none.
pub(crate) fn progress(len: usize, message: &str) -> indicatif::ProgressBar {
    if len < 2 {
        return indicatif::ProgressBar::hidden();
    }
    let pb = indicatif::ProgressBar::new(len as u64);
    pb.set_style(
        indicatif::ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} ({eta})")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    pb.set_message(message.to_string());
    pb
}

fn init(settings: &Settings, year: Option<i32>) -> Result<u8, Failure> {
    let members = settings
        .cluster
        .members(year.unwrap_or_else(|| settings.cluster.current_year()))
        .count();
    let pb = progress(members, "Tạo thư mục, hướng dẫn và mẫu trống");
    let report = crate::app::init::init(settings, year, &mut |_| pb.inc(1))
        .map_err(|e| Failure::usage(e.to_string()))?;
    pb.finish_and_clear();
    say!(
        "Đã chuẩn bị thư mục dữ liệu {} cho năm {}: {} thư mục nhận tệp trong {}.",
        settings.paths.data.display(),
        report.year,
        report.folders.len(),
        settings.paths.inbox.display()
    );
    say!(
        "Mỗi thư mục có {} và mẫu bảng tự chấm trống của đơn vị; {} tệp đã ghi.",
        crate::app::init::GUIDE,
        report.written.len()
    );
    if !report.kept.is_empty() {
        say!(
            "Giữ nguyên {} tệp đã có mà thidua không ghi hoặc đã được sửa:",
            report.kept.len()
        );
        for p in &report.kept {
            say!("  {}", p.display());
        }
    }
    say!(
        "Chia sẻ từng thư mục cho đơn vị tương ứng (xem docs/operator.md), rồi chạy `thidua run`."
    );
    Ok(0)
}

fn status(settings: &Settings) -> Result<u8, Failure> {
    let ledger = crate::io::ledger::Ledger::open(&settings.paths.ledger)
        .map_err(|e| Failure::usage(e.to_string()))?;
    let view = crate::app::overview::read(settings, &ledger, chrono::Utc::now())
        .map_err(|e| Failure::usage(e.to_string()))?;
    let mut text = String::new();
    write_status(&mut text, &view).map_err(|e| Failure::usage(e.to_string()))?;
    emit(&text);
    Ok(0)
}

fn write_status(out: &mut String, view: &crate::app::overview::Overview) -> std::fmt::Result {
    use std::fmt::Write as _;
    for y in &view.years {
        writeln!(
            out,
            "Năm {} (hạn nộp {}): {}/{} đơn vị đã nộp",
            y.year, y.deadline, y.submitted, y.members
        )?;
        for u in y.units.iter().filter(|u| u.accepted.is_some()) {
            let a = u.accepted.as_ref().expect("filtered");
            writeln!(
                out,
                "  {:<10} đã nộp      {}  tự chấm {}  ({})",
                u.code,
                a.received,
                a.self_total.as_deref().unwrap_or(""),
                a.file
            )?;
        }
        for u in y.units.iter().filter(|u| u.accepted.is_none()) {
            match &u.last {
                Some(l) => writeln!(
                    out,
                    "  {:<10} chưa nộp    tệp gần nhất {}, {} ({})",
                    u.code, l.received, l.outcome, l.file
                )?,
                None => writeln!(out, "  {:<10} chưa nộp", u.code)?,
            }
        }
    }
    writeln!(out, "Công việc theo lịch:")?;
    if view.jobs.is_empty() {
        writeln!(out, "  (không có công việc nào trong [[jobs]])")?;
    }
    for j in &view.jobs {
        writeln!(
            out,
            "  {:<12} \"{}\"  lần tới: {}",
            j.name, j.schedule, j.next
        )?;
        writeln!(
            out,
            "      lần gần nhất: {}",
            j.last.as_deref().unwrap_or("chưa chạy")
        )?;
    }
    let o = &view.outbox;
    writeln!(
        out,
        "Hộp thư đi: {} chờ gửi, {} đã gửi, {} lỗi",
        o.pending, o.sent, o.failed
    )?;
    for f in &o.failures {
        writeln!(
            out,
            "  lỗi: {} → {} ({} lần): {}",
            f.subject, f.to, f.attempts, f.error
        )?;
    }
    Ok(())
}

fn score(settings: &Settings, year: Option<i32>, json: bool) -> Result<u8, Failure> {
    let year = year.unwrap_or_else(|| settings.cluster.current_year());
    if settings.cluster.year(year).is_none() {
        return Err(Failure::usage(format!(
            "--year: {year} has no [[years]] entry in {}",
            settings.source
        )));
    }
    let ledger = crate::io::ledger::Ledger::open(&settings.paths.ledger)
        .map_err(|e| Failure::usage(e.to_string()))?;
    let result = crate::app::standings::standings(settings, &ledger, year)
        .map_err(|e| Failure::usage(e.to_string()))?;
    let mut out = std::io::stdout().lock();
    let written = if json {
        serde_json::to_writer_pretty(&mut out, &result)
            .map_err(std::io::Error::from)
            .and_then(|()| writeln!(out))
    } else {
        write_ranking(&mut out, &result)
    };
    written.map_err(|e| Failure::usage(format!("cannot write the output: {e}")))?;
    Ok(0)
}

fn write_ranking(
    out: &mut impl Write,
    r: &crate::domain::scoring::YearResult,
) -> std::io::Result<()> {
    for t in &r.types {
        writeln!(out, "{} — năm {} (điểm chuẩn {})", t.name, r.year, t.max)?;
        let parts: Vec<&str> = t
            .ranking
            .first()
            .map(|x| {
                x.scored
                    .groups
                    .iter()
                    .filter(|g| !g.code.contains('.'))
                    .map(|g| g.number.as_str())
                    .collect()
            })
            .unwrap_or_default();
        write!(out, "  {:<5} {:<10} {:>8}", "Hạng", "Đơn vị", "Tổng")?;
        for p in &parts {
            write!(out, " {p:>7}")?;
        }
        writeln!(out, "  {:<11} Đề nghị", "Xếp loại")?;
        for x in &t.ranking {
            let rank = if x.tie_break.is_some() {
                format!("{}=", x.rank)
            } else {
                x.rank.to_string()
            };
            write!(
                out,
                "  {:<5} {:<10} {:>8}",
                rank,
                x.scored.unit,
                x.scored.total.vi()
            )?;
            for g in x.scored.groups.iter().filter(|g| !g.code.contains('.')) {
                write!(out, " {:>7}", g.total.vi())?;
            }
            let class = match (&x.scored.class, x.scored.capped) {
                (Some(c), true) => format!("{c}*"),
                (Some(c), false) => c.clone(),
                (None, _) => "-".into(),
            };
            writeln!(
                out,
                "  {:<11} {}",
                class,
                x.proposal.as_ref().map_or("", |p| p.name.as_str())
            )?;
        }
        for x in t.ranking.iter().filter(|x| x.tie_break.is_some()) {
            writeln!(
                out,
                "  = {}: {}",
                x.scored.unit,
                x.tie_break.as_deref().unwrap_or("")
            )?;
        }
        for x in t.ranking.iter().filter(|x| x.scored.capped) {
            writeln!(
                out,
                "  * {}: không đạt điều kiện bắt buộc {}",
                x.scored.unit,
                x.scored.unmet_hard.join(", ")
            )?;
        }
        for x in &t.ranking {
            for a in &x.scored.adjustments {
                writeln!(
                    out,
                    "  Kiểm tra chéo {}: {} tiêu chí {} ({}) {} → {}: {}",
                    a.inspector,
                    x.scored.unit,
                    a.number,
                    a.criterion,
                    a.self_score,
                    a.verified,
                    a.reason
                )?;
            }
        }
        if !t.missing.is_empty() {
            let names: Vec<String> = t
                .missing
                .iter()
                .map(|m| format!("{} ({})", m.unit, m.name))
                .collect();
            writeln!(
                out,
                "  Chưa có bảng tự chấm được tiếp nhận: {}",
                names.join(", ")
            )?;
        }
        writeln!(out)?;
    }
    Ok(())
}
