//! `thidua validate`: checks workbooks as the daemon would, without
//! touching the ledger, on as many threads as there are cores, and prints
//! one verdict per file (text or one JSON array). Exit 0 if all are
//! accepted, 1 ([`Exit::Rejected`]) if any is rejected.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde::Serialize;

use super::args;
use super::exit::{Exit, Failure};
use super::output::progress;
use crate::app::review::review_file;
use crate::config::Settings;
use crate::domain::findings::Finding;
use crate::domain::validate::{Context, Verdict};
use crate::io::workbook::has_workbook_extension;

/// Files named on the command line, folders searched for workbooks.
fn expand(paths: &[PathBuf]) -> Result<Vec<PathBuf>, Failure> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut found = Vec::new();
            walk(p, &has_workbook_extension, &mut found)
                .map_err(|e| Failure::runtime(format!("{}: {e}", p.display())))?;
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
pub(super) fn walk(
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
        .then(|| crate::io::ledger::Ledger::open_read_only(&settings.paths.ledger).ok())
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

pub(super) fn validate(
    settings: &Settings,
    json: bool,
    unit: Option<&str>,
    files: &[PathBuf],
) -> Result<Exit, Failure> {
    let folder_unit = match unit {
        Some(code) => Some(args::unit(settings, code)?.code.as_str()),
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
    result.map_err(|e| Failure::runtime(format!("cannot write the output: {e}")))?;
    if verdicts.iter().all(Verdict::accepted) {
        Ok(Exit::Done)
    } else {
        Ok(Exit::Rejected)
    }
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
