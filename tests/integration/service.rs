//! Running thidua for years: the ledger's backup while the daemon writes,
//! and what the operator's commands may and may not do to a data folder.

use std::time::Duration;

use tempfile::TempDir;

use crate::support::{
    Daemon, daemon_env, drop_file, form_file, ledger_rows, pairs, thidua, wait_for,
};

#[test]
fn backup_while_the_daemon_takes_files_is_a_consistent_private_copy() {
    let dir = TempDir::new().unwrap();
    let data = dir.path().join("data");
    let env = daemon_env(&data);
    let mut d = Daemon::start(&data, &env);
    let units = ["STP-THA", "STP-NAN", "STP-HTI", "STP-QTR", "STP-HUE"];
    for (i, unit) in units.iter().enumerate() {
        drop_file(
            &d.inbox(unit).join(format!("bang-{i}.xlsx")),
            &form_file(unit, 10 + i, false),
        );
    }
    // Copies taken while the files are being recorded: each is whole.
    let mut copies = Vec::new();
    for i in 0..6 {
        let out = dir.path().join(format!("sao-luu-{i}.sqlite"));
        let run = thidua(
            dir.path(),
            &["backup", "-o", out.to_str().unwrap()],
            &pairs(&env),
        );
        if run.code == 0 {
            copies.push(out);
        } else {
            // Before the daemon created its ledger.
            assert!(run.stderr.contains("no ledger here"), "{run:?}");
        }
        std::thread::sleep(Duration::from_millis(300));
    }
    wait_for(Duration::from_secs(30), || {
        (ledger_rows(&data).len() == units.len()).then_some(())
    });
    let last = dir.path().join("sao-luu-cuoi.sqlite");
    let run = thidua(
        dir.path(),
        &["backup", "-o", last.to_str().unwrap()],
        &pairs(&env),
    );
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stdout.contains("Đã sao lưu"), "{}", run.stdout);
    copies.push(last.clone());
    for c in &copies {
        let conn = rusqlite::Connection::open(c).unwrap();
        let ok: String = conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .unwrap();
        assert_eq!(ok, "ok", "{}", c.display());
        let mode =
            std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(c).unwrap().permissions())
                & 0o777;
        assert_eq!(mode, 0o600, "{}", c.display());
    }
    let conn = rusqlite::Connection::open(&last).unwrap();
    let n: i64 = conn
        .query_row("SELECT count(*) FROM submissions", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, units.len() as i64);
    assert!(d.child.try_wait().unwrap().is_none());
    assert_eq!(d.stop(), 0);

    // No ledger: an error, and nothing created.
    let empty = dir.path().join("trong");
    let out = dir.path().join("khong.sqlite");
    let run = thidua(
        dir.path(),
        &["backup", "-o", out.to_str().unwrap()],
        &[("THIDUA__PATHS__DATA", empty.to_str().unwrap())],
    );
    assert_ne!(run.code, 0, "{run:?}");
    assert!(!empty.exists() && !out.exists());
}
