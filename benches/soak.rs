//! `cargo bench --bench soak`: 10.000 files fed to the real daemon (release
//! build) over time, in batches, through an SMTP server that refuses 20 %
//! of messages at random with a temporary error. At the end the ledger, the
//! folders and the mail received must agree: every file filed and recorded
//! once, every recorded mail received exactly once (by Message-ID), none
//! lost; and the daemon's memory must not grow with the files processed
//! (RSS sampled every 1.000 files). `THIDUA_SOAK_FILES` sets another count.

mod support;

use std::collections::HashMap;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use support::{repo, rss_kib};
use thidua::config::Settings;
use thidua::io::workbook::form::{Fill, FormSpec, form_bytes};

fn count(conn: &rusqlite::Connection, sql: &str) -> i64 {
    conn.query_row(sql, [], |r| r.get(0)).unwrap_or(-1)
}

fn files_under(dir: &Path, suffix: &str) -> usize {
    let mut n = 0;
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.to_string_lossy().ends_with(suffix) {
                n += 1;
            }
        }
    }
    n
}

#[allow(clippy::too_many_lines)]
fn main() {
    let total: usize = std::env::var("THIDUA_SOAK_FILES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    let settings =
        Settings::load_with_env(Some(&repo().join("config/thidua.toml")), &[]).expect("config");
    let dir = tempfile::TempDir::new().expect("tempdir");
    let data = dir.path().join("data");
    let out = dir.path().join("smtp");
    let (mut smtp, port) = support::smtp(&out, &["--fail-rate", "0.2"]);
    let mut daemon = support::daemon(
        &data,
        &port,
        &[
            ("THIDUA__INBOX__STABLE_SECS", "0.5"),
            ("THIDUA__INBOX__RESCAN_SECS", "5"),
            ("THIDUA__MAIL__RETRY_SECS", "0.5"),
            ("THIDUA__MAIL__MAX_ATTEMPTS", "60"),
            ("THIDUA_LOG", "error"),
        ],
    );
    std::thread::sleep(Duration::from_secs(1));

    // Forms of every unit; each file distinct (its preparer's name), one in
    // ten with an error, so receipts and rejections both flow.
    let year = settings.cluster.current_year();
    let units: Vec<_> = settings.cluster.members(year).collect();
    let staging = dir.path().join("ready");
    std::fs::create_dir_all(&staging).expect("mkdir");
    let ledger_path = data.join("thidua.sqlite");
    let start = Instant::now();
    let mut rss = Vec::new();
    let batch = 100;
    // A bar on a terminal only (indicatif hides it in pipes and logs).
    let pb = indicatif::ProgressBar::new(total as u64);
    for b in 0..total.div_ceil(batch) {
        let mut moves = Vec::new();
        for i in b * batch..((b + 1) * batch).min(total) {
            let unit = units[i % units.len()];
            let table = settings.tables.get(&unit.unit_type, year).expect("table");
            let mut fill = Fill::plausible(table);
            fill.preparer = Some(format!("Người lập số {i}"));
            if i % 10 == 7 {
                let leaf = table.leaves().next().expect("a leaf");
                fill.scores.insert(
                    table.criteria[leaf].code.clone(),
                    table.criteria[leaf].max + 1.0,
                );
            }
            let spec = FormSpec {
                cluster_name: &settings.cluster.name,
                table,
                unit,
                year,
            };
            let src = staging.join(format!("{i:05}.xlsx"));
            std::fs::write(&src, form_bytes(&spec, Some(&fill)).expect("form")).expect("write");
            let inbox = data.join("inbox").join(&unit.code);
            std::fs::create_dir_all(&inbox).expect("mkdir");
            moves.push((src, inbox.join(format!("bang-{i:05}.xlsx"))));
        }
        for (src, dst) in &moves {
            std::fs::rename(src, dst).expect("rename");
        }
        // Feed over time: wait until the daemon is within two batches.
        let conn = rusqlite::Connection::open(&ledger_path).expect("ledger");
        loop {
            let done = count(
                &conn,
                "SELECT count(*) FROM submissions WHERE status != 'processing'",
            );
            if done >= ((b + 1) * batch).saturating_sub(2 * batch) as i64 {
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let fed = (b + 1) * batch;
        pb.set_position(fed as u64);
        if fed % 1000 == 0 {
            rss.push((fed, rss_kib(daemon.id())));
        }
    }
    pb.finish_and_clear();
    // Everything taken and every mail sent.
    let conn = rusqlite::Connection::open(&ledger_path).expect("ledger");
    let deadline = Instant::now() + Duration::from_secs(1800);
    loop {
        let done = count(
            &conn,
            "SELECT count(*) FROM submissions WHERE status != 'processing'",
        );
        let pending = count(
            &conn,
            "SELECT count(*) FROM outbox WHERE status = 'pending'",
        );
        if done == total as i64 && pending == 0 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "stuck: {done} filed, {pending} mails pending"
        );
        std::thread::sleep(Duration::from_millis(500));
    }
    let elapsed = start.elapsed();
    rss.push((total, rss_kib(daemon.id())));
    let _ = Command::new("kill")
        .args(["-TERM", &daemon.id().to_string()])
        .status();
    let _ = daemon.wait();

    // The ledger, the folders and the mail agree.
    let accepted = count(
        &conn,
        "SELECT count(*) FROM submissions WHERE status = 'accepted'",
    );
    let rejected = count(
        &conn,
        "SELECT count(*) FROM submissions WHERE status = 'rejected'",
    );
    let sent = count(&conn, "SELECT count(*) FROM outbox WHERE status = 'sent'");
    let failed = count(&conn, "SELECT count(*) FROM outbox WHERE status = 'failed'");
    let outbox = count(&conn, "SELECT count(*) FROM outbox");
    let archived = files_under(&data.join("archive"), ".xlsx");
    let refused = files_under(&data.join("rejected"), ".xlsx");
    let left = files_under(&data.join("inbox"), ".xlsx");
    let mut by_id: HashMap<String, usize> = HashMap::new();
    for e in std::fs::read_dir(&out).expect("smtp out").flatten() {
        if e.path().extension().is_some_and(|x| x == "eml") {
            let text = std::fs::read_to_string(e.path()).unwrap_or_default();
            if let Some(id) = text.lines().find_map(|l| l.strip_prefix("Message-ID: ")) {
                *by_id.entry(id.trim().to_string()).or_default() += 1;
            }
        }
    }
    let received = by_id.len();
    let twice = by_id.values().filter(|n| **n > 1).count();
    // Each refused attempt shows as one more attempt on its mail.
    let refusals = count(&conn, "SELECT coalesce(sum(attempts - 1), 0) FROM outbox");
    let retried = count(&conn, "SELECT count(*) FROM outbox WHERE attempts > 1");
    println!(
        "{total} files in {:.0} s ({:.1} files/s), SMTP refusing 20 % at random ({refusals} refusals; {retried} mails needed more than one attempt):",
        elapsed.as_secs_f64(),
        total as f64 / elapsed.as_secs_f64()
    );
    println!(
        "  ledger: {accepted} accepted + {rejected} rejected; folders: {archived} archived + {refused} rejected, {left} left in the inbox"
    );
    println!(
        "  outbox: {outbox} mails, {sent} sent, {failed} failed; server: {received} distinct Message-IDs, {twice} received twice"
    );
    let rss_line: Vec<String> = rss
        .iter()
        .map(|(n, k)| format!("{n}: {:.1}", *k as f64 / 1024.0))
        .collect();
    println!("  daemon RSS (MiB) after N files: {}", rss_line.join(", "));
    assert_eq!(
        accepted + rejected,
        total as i64,
        "every file recorded once"
    );
    assert_eq!(
        (archived + refused) as i64,
        total as i64,
        "every file filed once"
    );
    assert_eq!(left, 0, "nothing left behind");
    assert_eq!(failed, 0, "no mail failed for good");
    assert_eq!(sent, outbox, "every mail sent");
    assert_eq!(received as i64, sent, "every sent mail received");
    assert_eq!(twice, 0, "no mail received twice");
    assert!(refusals > 0, "the server did refuse some mail");
    let first = rss.first().map_or(0, |r| r.1);
    let last = rss.last().map_or(0, |r| r.1);
    assert!(
        last < first + 64 * 1024,
        "memory grew from {first} to {last} KiB"
    );
    let _ = smtp.kill();
    let _ = smtp.wait();
}
