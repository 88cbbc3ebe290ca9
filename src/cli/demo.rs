//! `thidua demo`: a sample year end to end in a fresh folder. It writes a
//! filled workbook for every unit (two with mistakes) and two cross-checks
//! into the inboxes, takes them in as the daemon does (`run --once`), runs
//! the year-end job, and says where to look. Mail goes to `.eml` files
//! whatever the configuration says: a demo never writes to real units.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

use indicatif::ProgressBar;

use super::exit::{Exit, Failure};
use super::output::{emit, progress};
use crate::app::demo::{Intent, sample_year};
use crate::config::Settings;
use crate::domain::schedule::JobKind;
use crate::domain::vn::format_number;
use crate::io::ledger::{Ledger, Status};

/// A folder or file of the demo that cannot be made or written.
fn io(path: &Path, e: impl std::fmt::Display) -> Failure {
    Failure::runtime(format!("{}: {e}", path.display()))
}

/// The settings for a demo in `dir`: the configuration with every path
/// under `dir`, mail to files and a short stability window.
fn demo_settings(config: Option<&Path>, dir: &Path) -> Result<Settings, Failure> {
    let mut env: Vec<(String, String)> = std::env::vars()
        .filter(|(k, _)| k.starts_with("THIDUA__") && !k.starts_with("THIDUA__PATHS__"))
        .collect();
    env.extend(
        [
            ("THIDUA__PATHS__DATA", dir.display().to_string()),
            ("THIDUA__MAIL__TRANSPORT", "file".to_string()),
            ("THIDUA__INBOX__STABLE_SECS", "0.5".to_string()),
            ("THIDUA__HTTP__LISTEN", String::new()),
        ]
        .map(|(k, v)| (k.to_string(), v)),
    );
    let mut settings = Settings::load_with_env(config, &env).map_err(Failure::usage)?;
    // The demo plays the year to its end now: its conference is held
    // today, so the year-end run is not refused as too early.
    let now = chrono::Utc::now();
    for y in &mut settings.cluster.years {
        if let Some(c) = &mut y.conference
            && now < c.opens()
        {
            c.date = crate::domain::time::local(now).date_naive();
            c.time = None;
        }
    }
    Ok(settings)
}

fn is_empty_dir(dir: &Path) -> bool {
    std::fs::read_dir(dir).is_ok_and(|mut rd| rd.next().is_none())
}

fn files_under(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    // A folder not made (no mail, no report) simply has no files.
    let _ = super::validate::walk(dir, &|p| p.extension().is_some_and(|x| x == ext), &mut out);
    out.sort();
    out
}

/// How to call this program again from here: `thidua` when that is what
/// the PATH finds, else its path (relative below the working folder, as
/// after `cargo run`).
fn this_program() -> String {
    let Ok(exe) = std::env::current_exe().and_then(|p| p.canonicalize()) else {
        return "thidua".to_string();
    };
    let on_path = std::env::var_os("PATH").is_some_and(|path| {
        std::env::split_paths(&path)
            .any(|d| d.join("thidua").canonicalize().is_ok_and(|p| p == exe))
    });
    if on_path {
        return "thidua".to_string();
    }
    let cwd = std::env::current_dir().and_then(|d| d.canonicalize()).ok();
    match cwd.as_deref().and_then(|c| exe.strip_prefix(c).ok()) {
        Some(rel) => format!("./{}", rel.display()),
        None => exe.display().to_string(),
    }
}

pub(super) fn demo(config: Option<&Path>, dir: Option<PathBuf>) -> Result<Exit, Failure> {
    let started = Instant::now();
    let dir = dir.unwrap_or_else(|| PathBuf::from("thidua-demo"));
    if dir.exists() && !is_empty_dir(&dir) {
        return Err(Failure::usage(format!(
            "--dir: {} already exists and is not empty; the demo needs a fresh folder (remove it, or choose another with --dir)",
            dir.display()
        )));
    }
    crate::io::private::create_dir_all(&dir).map_err(|e| io(&dir, e))?;
    let dir = dir.canonicalize().map_err(|e| io(&dir, e))?;
    let settings = demo_settings(config, &dir)?;
    let year = settings.cluster.current_year();

    // 1. The units' files, into their inbox folders.
    let files = sample_year(&settings, year)
        .map_err(|e| Failure::runtime(format!("sample workbooks: {e}")))?;
    let pb = progress(files.len(), "Viết bảng tự chấm và biên bản mẫu");
    for f in &files {
        let path = f.path_in(&settings.paths.inbox);
        if let Some(parent) = path.parent() {
            crate::io::private::create_dir_all(parent).map_err(|e| io(parent, e))?;
        }
        std::fs::write(&path, &f.bytes).map_err(|e| io(&path, e))?;
        pb.inc(1);
    }
    pb.finish_and_clear();

    // 2. The daemon, once over the inboxes.
    let spinner = ProgressBar::new_spinner();
    spinner.enable_steady_tick(std::time::Duration::from_millis(120));
    spinner.set_message("Nhận và kiểm tra các tệp như thidua run…");
    let report = super::run::runtime()?.block_on(crate::service::daemon::run(
        settings.clone(),
        crate::service::daemon::RunOptions {
            once: true,
            new_ledger: false,
        },
        std::future::pending(),
    ))?;

    // 3. The year-end job, as `thidua job year-end --now`.
    spinner.set_message("Chạy công việc cuối năm (year-end)…");
    let mut job_lines = Vec::new();
    let job_exit = super::job::run_here(&settings, JobKind::YearEnd, &mut |l| {
        job_lines.push(l);
        Ok(())
    })?;
    spinner.finish_and_clear();

    // 4. Where to look.
    let ledger = Ledger::open(&settings.paths.ledger)?;
    let tallies = ledger.tallies()?;
    let count = |s: Status| {
        tallies
            .files
            .iter()
            .find(|(k, _)| *k == s)
            .map_or(0, |(_, n)| *n)
    };
    let mails = files_under(&settings.paths.outbox, "eml");
    let pdfs = files_under(&settings.paths.reports, "pdf");
    let sheets = files_under(&settings.paths.archive, "pdf");
    let crosschecks = files
        .iter()
        .filter(|f| f.intent == Intent::CrossCheck)
        .count();
    let shown = |p: &Path| p.strip_prefix(&dir).unwrap_or(p).display().to_string();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Chạy thử xong trong {} giây, năm {year}, thư mục {}",
        format_number((started.elapsed().as_secs_f64() * 10.0).round() / 10.0),
        dir.display()
    );
    let _ = writeln!(
        out,
        "- {} tệp của {} đơn vị đã được nhận: {} được chấp nhận (có {crosschecks} biên bản kiểm tra chéo), {} bị từ chối:",
        report.files,
        settings.cluster.members(year).count(),
        count(Status::Accepted),
        count(Status::Rejected),
    );
    for f in files
        .iter()
        .filter(|f| matches!(f.intent, Intent::AboveMax | Intent::NoEvidence))
    {
        let what = match f.intent {
            Intent::AboveMax => "cố ý chấm một tiêu chí vượt điểm chuẩn (score-above-max)",
            _ => "cố ý bỏ trống tài liệu minh chứng (evidence-missing)",
        };
        let _ = writeln!(out, "    {} — {what}", f.unit);
    }
    let _ = writeln!(
        out,
        "- {} thư (biên nhận, thư từ chối, thông báo kiểm tra chéo, văn bản cuối năm) ở dạng tệp .eml, không gửi đi đâu: {}/",
        mails.len(),
        shown(&settings.paths.outbox)
    );
    let _ = writeln!(
        out,
        "- Tệp được nhận và phiếu chấm điểm gửi kèm biên nhận ({} PDF): {}/; tệp bị từ chối và báo cáo lỗi: {}/",
        sheets.len(),
        shown(&settings.paths.archive),
        shown(&settings.paths.rejected)
    );
    let _ = writeln!(
        out,
        "- {} văn bản PDF của công việc cuối năm trong {}/:",
        pdfs.len(),
        shown(&settings.paths.reports)
    );
    for p in &pdfs {
        let _ = writeln!(out, "    {}", shown(p));
    }
    if job_exit != Exit::Done {
        let _ = writeln!(out, "- Công việc cuối năm báo lỗi:");
        for l in &job_lines {
            let _ = writeln!(out, "    {l}");
        }
    }
    let env = format!("THIDUA__PATHS__DATA={}", dir.display());
    let me = this_program();
    let _ = writeln!(out, "Xem tiếp:");
    let _ = writeln!(out, "  {env} {me} status");
    let _ = writeln!(out, "  {env} {me} score");
    let _ = writeln!(
        out,
        "  {env} THIDUA__HTTP__LISTEN=127.0.0.1:8080 {me} run    # trang trạng thái http://127.0.0.1:8080/"
    );
    emit(&out);
    Ok(job_exit)
}
