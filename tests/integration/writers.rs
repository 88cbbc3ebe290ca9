//! Units and operators as they really behave: a unit that sends A, then B,
//! then A again; writers that pause; files and folders thidua may read but
//! not remove, or not read at all; folders that are links or no unit's.

use std::path::Path;
use std::time::Duration;

use tempfile::TempDir;

use crate::support::{Daemon, daemon_env, drop_file, form_file, ledger_rows, wait_for};

/// The `.eml` files the file transport wrote.
fn emls(data: &Path) -> Vec<String> {
    let Ok(rd) = std::fs::read_dir(data.join("outbox")) else {
        return Vec::new();
    };
    rd.flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "eml"))
        .map(|e| std::fs::read_to_string(e.path()).unwrap())
        .collect()
}

#[test]
fn a_unit_sending_a_then_b_then_a_again_is_answered_each_time() {
    let dir = TempDir::new().unwrap();
    let data = dir.path().join("data");
    let d = Daemon::start(&data, &daemon_env(&data));
    let inbox = d.inbox("STP-QTR");
    let a = form_file("STP-QTR", 1, false);
    let b = form_file("STP-QTR", 2, false);
    for (n, bytes) in [(1, &a), (2, &b), (3, &a)] {
        drop_file(&inbox.join(format!("lan-{n}.xlsx")), bytes);
        wait_for(Duration::from_secs(30), || {
            (ledger_rows(&data).len() == n && emls(&data).len() == n).then_some(())
        });
    }
    // Sent once more unchanged, A is a duplicate of the latest: no answer.
    drop_file(&inbox.join("lan-4.xlsx"), &a);
    wait_for(Duration::from_secs(30), || {
        (ledger_rows(&data).len() == 4).then_some(())
    });
    std::thread::sleep(Duration::from_millis(800));
    let log = d.log_text();
    assert_eq!(d.stop(), 0, "{log}");
    let rows = ledger_rows(&data);
    let status: Vec<&str> = rows.iter().map(|(s, _, _)| s.as_str()).collect();
    assert_eq!(
        status,
        ["accepted", "accepted", "accepted", "duplicate"],
        "{rows:?}"
    );
    assert_eq!(
        emls(&data).len(),
        3,
        "one answer for each of A, B and A again"
    );
}
