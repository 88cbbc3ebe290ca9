//! `cargo bench --bench imap`: mail-to-receipt latency of the real daemon
//! (release build) reading a real IMAP server with IDLE (Dovecot, started
//! as in the tests, tests/imap/) and answering through a real SMTP server
//! (aiosmtpd): 30 mails, each with one filled workbook, appended one after
//! the other; for each, the time from the APPEND to the receipt's arrival at
//! the SMTP server. Results go into `docs/performance.md` by hand.

#[allow(dead_code)]
#[path = "../tests/integration/imap_support.rs"]
mod imap_support;
mod support;

use std::time::{Duration, Instant};

use support::repo;
use thidua::config::Settings;
use thidua::io::workbook::form::{Fill, FormSpec, form_bytes};

const MAILS: usize = 30;

fn received(out: &std::path::Path) -> usize {
    std::fs::read_dir(out).map_or(0, |d| {
        d.flatten()
            .filter(|e| e.path().extension().is_some_and(|x| x == "eml"))
            .count()
    })
}

fn main() {
    let settings =
        Settings::load_with_env(Some(&repo().join("config/thidua.toml")), &[]).expect("config");
    let dir = tempfile::TempDir::new().expect("tempdir");
    let data = dir.path().join("data");
    let out = dir.path().join("smtp");
    let imap = imap_support::Dovecot::start(&dir.path().join("imap"));
    let (mut smtp, port) = support::smtp(&out, &[]);
    let env = imap_support::imap_env(Vec::new(), &imap);
    let mut env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    env.push(("THIDUA_LOG", "warn"));
    let mut daemon = support::daemon(&data, &port, &env);
    std::thread::sleep(Duration::from_secs(2));

    let year = settings.cluster.current_year();
    let units: Vec<_> = settings.cluster.members(year).collect();
    let mut latencies = Vec::new();
    for i in 0..MAILS {
        let unit = units[i % units.len()];
        let table = settings.tables.get(&unit.unit_type, year).expect("table");
        let mut fill = Fill::plausible(table);
        fill.preparer = Some(format!("Người lập {i}"));
        let spec = FormSpec {
            cluster_name: &settings.cluster.name,
            table,
            unit,
            year,
        };
        let bytes = form_bytes(&spec, Some(&fill)).expect("form");
        let raw = imap_support::mail(
            &unit.emails[0],
            &format!("<bench-{i}@bench.example>"),
            "",
            &[("bang.xlsx", &bytes)],
        );
        let before = received(&out);
        let sent = Instant::now();
        imap.append(&raw);
        loop {
            if received(&out) > before {
                break;
            }
            assert!(
                sent.elapsed() < Duration::from_secs(60),
                "no receipt after 60 s for mail {i}"
            );
            std::thread::sleep(Duration::from_millis(5));
        }
        latencies.push(sent.elapsed().as_secs_f64());
        std::thread::sleep(Duration::from_millis(200));
    }
    latencies.sort_by(f64::total_cmp);
    println!(
        "{MAILS} mails appended one at a time, IDLE: mail-to-receipt median {:.2} s, p90 {:.2} s, max {:.2} s",
        support::percentile(&latencies, 0.5),
        support::percentile(&latencies, 0.9),
        latencies[latencies.len() - 1]
    );
    let _ = daemon.kill();
    let _ = daemon.wait();
    let _ = smtp.kill();
    let _ = smtp.wait();
}
