//! Reading `.xls` and `.ods` in a child process. calamine expands those
//! formats into dense grids while opening them, before any cell budget can
//! apply, so a 9 KB hostile file can ask for gigabytes and abort the
//! process. The parent hands the bytes to `thidua read-workbook` on stdin;
//! the child caps its own address space and time, reads every sheet within
//! the limits and prints them as JSON (any number included: NaN and the
//! infinities are spelt out). A child killed by its memory or time cap is a
//! file too large to read, never a dead daemon; a reply that does not read
//! back is thidua's own fault, logged and told as an internal error, never
//! blamed on the file. One child runs at a time, so the daemon and its
//! reader together stay within [`CHILD_MEMORY`] of the daemon's own size.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use super::{Limits, ReadError, Sheet};

/// Address space a child may map for one workbook (its binary, stacks and
/// heap together); what it really touches is less. Measured in
/// docs/hardening.md.
pub const CHILD_MEMORY: u64 = 160 * 1024 * 1024;
/// Time a child may take for one workbook.
const CHILD_TIME: Duration = Duration::from_secs(60);

static WORKER: OnceLock<PathBuf> = OnceLock::new();

/// Makes `.xls` and `.ods` files be read by `exe read-workbook` (the
/// `thidua` binary itself). Without it they are read in-process.
pub fn use_worker(exe: PathBuf) {
    let _ = WORKER.set(exe);
}

pub(super) fn worker() -> Option<&'static Path> {
    WORKER.get().map(PathBuf::as_path)
}

/// One reader child at a time.
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// What the child prints.
#[derive(Debug, Serialize, Deserialize)]
pub enum Reply {
    Sheets(Vec<Sheet>),
    /// What the unit reads, and the library's own text for the log.
    Failed {
        error: ReadError,
        detail: Option<String>,
    },
}

fn too_much() -> ReadError {
    ReadError::TooLarge(
        "đọc tệp cần quá nhiều bộ nhớ hoặc thời gian (nghi là tệp độc hại); hãy lưu lại tệp dưới dạng .xlsx rồi gửi lại".into(),
    )
}

/// Reads every sheet of `bytes` in a child process.
pub(super) fn read_in_child(
    exe: &Path,
    bytes: &[u8],
    limits: &Limits,
) -> Result<Vec<Sheet>, ReadError> {
    let _turn = ONE_AT_A_TIME
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let mut child = Command::new(exe)
        .arg("read-workbook")
        .arg("--max-cells")
        .arg(limits.max_cells.to_string())
        .arg("--max-file-bytes")
        .arg(limits.max_file_bytes.to_string())
        .arg("--max-unpacked-bytes")
        .arg(limits.max_unpacked_bytes.to_string())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| {
            tracing::error!(target: "thidua::workbook", error = %e, exe = %exe.display(), "cannot start the workbook reader child");
            super::why::internal()
        })?;
    let mut stdin = child.stdin.take().ok_or_else(too_much)?;
    let input = bytes.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let mut stdout = child.stdout.take().ok_or_else(too_much)?;
    let reader = std::thread::spawn(move || {
        let mut out = Vec::new();
        let _ = stdout.read_to_end(&mut out);
        out
    });
    let mut stderr = child.stderr.take().ok_or_else(too_much)?;
    let complaints = std::thread::spawn(move || {
        let mut text = Vec::new();
        let _ = (&mut stderr).take(4096).read_to_end(&mut text);
        // Whatever is left is read and dropped, so the child never blocks.
        let _ = std::io::copy(&mut stderr, &mut std::io::sink());
        String::from_utf8_lossy(&text).trim().to_string()
    });
    let (status, peak_kib) = wait_capped(&mut child);
    note_peak(peak_kib);
    let _ = writer.join();
    let out = reader.join().unwrap_or_default();
    let stderr = complaints.join().unwrap_or_default();
    if !stderr.is_empty() {
        tracing::warn!(target: "thidua::workbook", stderr = %stderr, "the workbook reader child complained");
    }
    match status {
        Some(s) if s.success() => match serde_json::from_slice::<Reply>(&out) {
            Ok(Reply::Sheets(sheets)) => Ok(sheets),
            Ok(Reply::Failed { error, detail }) => {
                if let Some(detail) = detail {
                    tracing::warn!(target: "thidua::workbook", detail, "the workbook reader refused a file");
                }
                Err(error)
            }
            Err(e) => {
                tracing::error!(
                    target: "thidua::workbook",
                    error = %e,
                    reply_bytes = out.len(),
                    "the workbook reader child's reply does not read back (a bug in thidua)"
                );
                Err(super::why::internal())
            }
        },
        Some(s) => {
            use std::os::unix::process::ExitStatusExt;
            // Killed: its memory cap (an allocation that failed aborts it).
            if let Some(signal) = s.signal() {
                tracing::warn!(target: "thidua::workbook", signal, "the workbook reader child was killed (memory cap)");
                Err(too_much())
            } else {
                tracing::error!(target: "thidua::workbook", code = s.code(), "the workbook reader child failed (a bug in thidua)");
                Err(super::why::internal())
            }
        }
        None => {
            tracing::warn!(target: "thidua::workbook", seconds = CHILD_TIME.as_secs(), "the workbook reader child ran out of time");
            Err(too_much())
        }
    }
}

/// Waits for the child, killing it after [`CHILD_TIME`]; its exit status
/// (`None` if it was killed for time) and its peak resident memory in KiB.
#[allow(unsafe_code)]
fn wait_capped(child: &mut std::process::Child) -> (Option<std::process::ExitStatus>, u64) {
    use std::os::unix::process::ExitStatusExt;
    let pid = child.id() as libc::pid_t;
    let start = Instant::now();
    let mut killed = false;
    loop {
        let mut status: libc::c_int = 0;
        // SAFETY: rusage is plain data, written by wait4.
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        let flags = if killed { 0 } else { libc::WNOHANG };
        // SAFETY: waits for our own child only, with valid pointers.
        let got = unsafe { libc::wait4(pid, &raw mut status, flags, &raw mut usage) };
        if got == pid {
            let peak = u64::try_from(usage.ru_maxrss).unwrap_or(0);
            let status = std::process::ExitStatus::from_raw(status);
            return (if killed { None } else { Some(status) }, peak);
        }
        if got < 0 {
            if std::io::Error::last_os_error().kind() == std::io::ErrorKind::Interrupted {
                continue;
            }
            return (None, 0);
        }
        if start.elapsed() > CHILD_TIME {
            let _ = child.kill();
            killed = true;
            continue;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// The highest peak memory of a reader child so far, in KiB.
static PEAK_KIB: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// Logs a child's peak memory when it is the highest yet, so the log says
/// what the reader has cost at most (docs/hardening.md).
fn note_peak(kib: u64) {
    let before = PEAK_KIB.fetch_max(kib, std::sync::atomic::Ordering::Relaxed);
    if kib > before {
        tracing::info!(target: "thidua::workbook", peak_kib = kib, cap_kib = CHILD_MEMORY / 1024, "workbook reader child: highest peak memory so far");
    }
}

/// The child's side: caps memory, reads stdin, prints a [`Reply`].
pub fn serve(limits: &Limits) -> std::process::ExitCode {
    let _ = rlimit::setrlimit(rlimit::Resource::AS, CHILD_MEMORY, CHILD_MEMORY);
    // A library's panic is caught and its message sent back in the reply;
    // nothing is printed.
    std::panic::set_hook(Box::new(|_| {}));
    let mut bytes = Vec::new();
    let failed = |error| Reply::Failed {
        error,
        detail: super::why::take_detail(),
    };
    let reply = match std::io::stdin()
        .take(limits.max_file_bytes + 1)
        .read_to_end(&mut bytes)
    {
        Err(e) => Reply::Failed {
            error: super::why::internal(),
            detail: Some(format!("stdin: {e}")),
        },
        Ok(_) => match super::Book::from_bytes_here(bytes, limits) {
            Err(e) => failed(e),
            Ok(mut book) => {
                let names = book.sheet_names().to_vec();
                match names
                    .iter()
                    .map(|n| book.sheet(n))
                    .collect::<Result<Vec<_>, _>>()
                {
                    Ok(sheets) => Reply::Sheets(sheets),
                    Err(e) => failed(e),
                }
            }
        },
    };
    let mut out = std::io::stdout().lock();
    if serde_json::to_writer(&mut out, &reply).is_err() || out.flush().is_err() {
        return std::process::ExitCode::FAILURE;
    }
    std::process::ExitCode::SUCCESS
}
