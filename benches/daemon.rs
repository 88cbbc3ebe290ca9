//! `cargo bench --bench daemon`: drop-to-receipt latency of the real daemon
//! (release build) with the default 2 s stability window, for three bursts
//! of 100 files dropped at once, the receipts handed to a real SMTP server (aiosmtpd,
//! `tests/smtp/server.py`); then the idle daemon's memory and CPU over 60 s.
//! Results go into `docs/performance.md` by hand.

mod support;

use std::process::Command;
use std::time::{Duration, Instant, SystemTime};

use support::repo;
use thidua::config::Settings;
use thidua::io::workbook::form::{Fill, FormSpec, form_bytes};

const FILES: usize = 100;
const ROUNDS: usize = 3;
const IDLE_SECS: u64 = 60;

/// (resident KiB, CPU ticks) of a process, from /proc.
fn sample(pid: u32) -> (u64, u64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let rss = status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks = fields
        .get(11)
        .and_then(|u| u.parse::<u64>().ok())
        .unwrap_or(0)
        + fields
            .get(12)
            .and_then(|s| s.parse::<u64>().ok())
            .unwrap_or(0);
    (rss, ticks)
}

fn main() {
    let settings =
        Settings::load_with_env(Some(&repo().join("config/thidua.toml")), &[]).expect("config");
    let dir = tempfile::TempDir::new().expect("tempdir");
    let data = dir.path().join("data");
    let out = dir.path().join("smtp");

    let (mut smtp, port) = support::smtp(&out, &[]);
    let mut daemon = support::daemon(&data, &port, &[("THIDUA_LOG", "warn")]);
    std::thread::sleep(Duration::from_secs(1));

    // Three bursts of 100 distinct filled workbooks, each prepared beside
    // the inbox and renamed in at once; the machine is shared, so one burst
    // alone swings by a few tenths of a second.
    let year = settings.cluster.current_year();
    let units: Vec<_> = settings.cluster.members(year).collect();
    let staging = dir.path().join("ready");
    std::fs::create_dir_all(&staging).expect("mkdir");
    let mut seen = std::collections::HashSet::new();
    let mut all = Vec::new();
    for round in 0..ROUNDS {
        let mut moves = Vec::new();
        for i in 0..FILES {
            let unit = units[i % units.len()];
            let table = settings.tables.get(&unit.unit_type, year).expect("table");
            let mut fill = Fill::plausible(table);
            fill.preparer = Some(format!("Người lập {round}-{i}"));
            let spec = FormSpec {
                cluster_name: &settings.cluster.name,
                table,
                unit,
                year,
            };
            let src = staging.join(format!("{round}-{i:03}.xlsx"));
            std::fs::write(&src, form_bytes(&spec, Some(&fill)).expect("form")).expect("write");
            let inbox = data.join("inbox").join(&unit.code);
            std::fs::create_dir_all(&inbox).expect("mkdir");
            moves.push((src, inbox.join(format!("bang-{round}-{i:03}.xlsx"))));
        }
        let dropped = SystemTime::now();
        for (src, dst) in &moves {
            std::fs::rename(src, dst).expect("rename");
        }
        let start = Instant::now();
        let fresh = loop {
            let fresh: Vec<_> = std::fs::read_dir(&out)
                .expect("out")
                .flatten()
                .filter(|e| e.path().extension().is_some_and(|x| x == "eml"))
                .filter(|e| !seen.contains(&e.file_name()))
                .collect();
            if fresh.len() >= FILES {
                break fresh;
            }
            assert!(
                start.elapsed() < Duration::from_secs(120),
                "only {} receipts after 120 s",
                fresh.len()
            );
            std::thread::sleep(Duration::from_millis(20));
        };
        let mut latencies: Vec<f64> = fresh
            .iter()
            .map(|e| {
                seen.insert(e.file_name());
                let m = e.metadata().expect("meta").modified().expect("mtime");
                m.duration_since(dropped).unwrap_or_default().as_secs_f64()
            })
            .collect();
        latencies.sort_by(f64::total_cmp);
        println!(
            "burst {}: {FILES} files dropped at once, stability window 2 s: drop-to-receipt median {:.2} s, p99 {:.2} s",
            round + 1,
            support::percentile(&latencies, 0.5),
            support::percentile(&latencies, 0.99),
        );
        all.extend(latencies);
        std::thread::sleep(Duration::from_secs(3));
    }
    all.sort_by(f64::total_cmp);
    println!(
        "all {} files: drop-to-receipt median {:.2} s, p99 {:.2} s, max {:.2} s",
        all.len(),
        support::percentile(&all, 0.5),
        support::percentile(&all, 0.99),
        all[all.len() - 1]
    );

    // Idle: nothing arrives for 60 s.
    std::thread::sleep(Duration::from_secs(2));
    let (rss0, t0) = sample(daemon.id());
    let started = Instant::now();
    let mut peak = rss0;
    while started.elapsed() < Duration::from_secs(IDLE_SECS) {
        std::thread::sleep(Duration::from_secs(1));
        peak = peak.max(sample(daemon.id()).0);
    }
    let (rss1, t1) = sample(daemon.id());
    let ticks_per_sec = 100.0; // USER_HZ on Linux
    let cpu = (t1 - t0) as f64 / ticks_per_sec / started.elapsed().as_secs_f64() * 100.0;
    println!(
        "idle daemon over {IDLE_SECS} s (rescan every 30 s): RSS {:.1} MiB at start, {:.1} MiB at end, peak {:.1} MiB; CPU {cpu:.2} %",
        rss0 as f64 / 1024.0,
        rss1 as f64 / 1024.0,
        peak as f64 / 1024.0
    );
    let _ = Command::new("kill")
        .args(["-TERM", &daemon.id().to_string()])
        .status();
    let _ = daemon.wait();
    let _ = smtp.kill();
    let _ = smtp.wait();
}
