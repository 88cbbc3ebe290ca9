//! What the process benchmarks share: the repository's path, the test SMTP
//! server (aiosmtpd, `tests/smtp/server.py`) and reading a process's memory.

#![allow(dead_code)] // each bench uses part of it

use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

/// The value at fraction `p` (0..=1) of `sorted`, rounded to the nearest
/// rank.
pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Starts the SMTP server writing to `out` with `args`; returns it and its port.
pub fn smtp(out: &Path, args: &[&str]) -> (Child, String) {
    let mut child = Command::new("python3")
        .arg(repo().join("tests/smtp/server.py"))
        .args(["--host", "127.0.0.1", "--port", "0", "--exit-on-stdin-eof"])
        .args(args)
        .arg("--out")
        .arg(out)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("python3 tests/smtp/server.py (pip install aiosmtpd)");
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("READY");
    let port = line
        .trim()
        .strip_prefix("READY ")
        .expect("READY line")
        .to_string();
    (child, port)
}

/// The daemon on `data`, sending through the SMTP server on `port`.
pub fn daemon(data: &Path, port: &str, env: &[(&str, &str)]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_thidua"))
        .arg("--config")
        .arg(repo().join("config/thidua.toml"))
        .arg("run")
        .env("THIDUA__PATHS__DATA", data)
        .env("THIDUA__MAIL__TRANSPORT", "smtp")
        .env("THIDUA__MAIL__SMTP__HOST", "127.0.0.1")
        .env("THIDUA__MAIL__SMTP__PORT", port)
        .env("THIDUA__MAIL__SMTP__SECURITY", "none")
        .envs(env.iter().copied())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("thidua run")
}

/// Resident memory of a process, in KiB.
pub fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}
