//! Reading `.xls` and `.ods` in a child process. calamine expands those
//! formats into dense grids while opening them, before any cell budget can
//! apply, so a 9 KB hostile file can ask for gigabytes and abort the
//! process. The parent hands the bytes to `thidua read-workbook` on stdin;
//! the child caps its own address space and time, reads every sheet within
//! the limits and prints them as JSON. A child that dies is a file too large
//! to read, never a dead daemon.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use super::{Limits, ReadError, Sheet};

/// Memory a child may use for one workbook.
const CHILD_MEMORY: u64 = 512 * 1024 * 1024;
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

/// What the child prints.
#[derive(Debug, Serialize, Deserialize)]
pub enum Reply {
    Sheets(Vec<Sheet>),
    Failed(ReadError),
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
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| ReadError::Unreadable(format!("không chạy được trình đọc tệp ({e})")))?;
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
    let start = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) if start.elapsed() > CHILD_TIME => {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(5)),
            Err(_) => break None,
        }
    };
    let _ = writer.join();
    let out = reader.join().unwrap_or_default();
    match status {
        Some(s) if s.success() => match serde_json::from_slice::<Reply>(&out) {
            Ok(Reply::Sheets(sheets)) => Ok(sheets),
            Ok(Reply::Failed(e)) => Err(e),
            Err(_) => Err(too_much()),
        },
        _ => Err(too_much()),
    }
}

/// The child's side: caps memory, reads stdin, prints a [`Reply`].
pub fn serve(limits: &Limits) -> std::process::ExitCode {
    let _ = rlimit::setrlimit(rlimit::Resource::AS, CHILD_MEMORY, CHILD_MEMORY);
    let mut bytes = Vec::new();
    let reply = match std::io::stdin()
        .take(limits.max_file_bytes + 1)
        .read_to_end(&mut bytes)
    {
        Err(e) => Reply::Failed(ReadError::Unreadable(format!("không đọc được tệp ({e})"))),
        Ok(_) => match super::Book::from_bytes_here(bytes, limits) {
            Err(e) => Reply::Failed(e),
            Ok(mut book) => {
                let names = book.sheet_names().to_vec();
                match names
                    .iter()
                    .map(|n| book.sheet(n))
                    .collect::<Result<Vec<_>, _>>()
                {
                    Ok(sheets) => Reply::Sheets(sheets),
                    Err(e) => Reply::Failed(e),
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
