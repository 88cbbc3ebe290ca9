//! SIGHUP through the real binary while it works: a reload while files keep
//! coming drops none (each is recorded, answered once, and gone
//! from the inbox), a changed mail text is taken for the files after it,
//! and a broken configuration is refused with its key while the running one
//! goes on.

use std::path::Path;
use std::time::Duration;

use tempfile::TempDir;

use crate::support::{Daemon, config_path, daemon_env, drop_file, form_file, repo, wait_for};

/// `dst`, a copy of the folder `src` and everything in it.
fn copy_dir(src: &Path, dst: &Path) {
    std::fs::create_dir_all(dst).unwrap();
    for e in std::fs::read_dir(src).unwrap() {
        let e = e.unwrap();
        let to = dst.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &to);
        } else {
            std::fs::copy(e.path(), &to).unwrap();
        }
    }
}

/// `(id, text)` rows of the ledger.
type Rows = Vec<(i64, String)>;

/// `(submission id, original name)` of every settled submission, and
/// `(submission id, subject)` of every mail, from the ledger.
fn ledger(data: &Path) -> (Rows, Rows) {
    let rows = |sql: &str| -> Rows {
        crate::support::ledger_query(data, sql, |r| Ok((r.get(0)?, r.get(1)?)))
    };
    (
        rows("SELECT id, original_name FROM submissions WHERE status != 'processing' ORDER BY id"),
        rows("SELECT coalesce(submission_id, 0), subject FROM outbox ORDER BY id"),
    )
}

/// The workbooks still in the inbox.
fn left_in_inbox(data: &Path) -> Vec<String> {
    crate::support::all_files(&data.join("inbox"))
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "xlsx"))
        .map(|p| p.display().to_string())
        .filter(|p| p.contains("/bang-"))
        .collect()
}

#[test]
fn a_sighup_while_files_are_taken_drops_none_and_takes_the_new_mail_text() {
    let dir = TempDir::new().unwrap();
    let templates = dir.path().join("templates");
    copy_dir(&repo().join("templates"), &templates);
    let base = std::fs::read_to_string(config_path()).unwrap();
    let at = base
        .find("\ncriteria = ")
        .expect("paths.criteria in the config")
        + 1;
    let good = format!(
        "{}templates = {:?}\n{}",
        &base[..at],
        templates.display().to_string(),
        &base[at..]
    );
    let conf = dir.path().join("thidua.toml");
    std::fs::write(&conf, &good).unwrap();
    let data = dir.path().join("data");
    let d = Daemon::start_with(&conf, &data, &daemon_env(&data));
    wait_for(Duration::from_secs(60), || {
        d.log_text().contains("thidua started").then_some(())
    });
    let hup = || {
        std::process::Command::new("kill")
            .args(["-HUP", &d.child.id().to_string()])
            .status()
            .unwrap();
    };

    // A burst of files, then more a few a second through the whole
    // reload: files are in hand when it comes. The receipt's subject is
    // changed on disk once the burst is dropped.
    let units = [
        "STP-THA", "STP-NAN", "STP-HTI", "STP-QTR", "STP-HUE", "STP-QBI",
    ];
    let receipt = templates.join("mail/receipt.txt.j2");
    let text = std::fs::read_to_string(&receipt).unwrap();
    assert!(text.contains("] Biên nhận "));
    let mut dropped = 0;
    let mut drop_next = || {
        let unit = units[dropped % units.len()];
        drop_file(
            &d.inbox(unit).join(format!("bang-{dropped:03}.xlsx")),
            &form_file(unit, 100 + dropped, false),
        );
        dropped += 1;
    };
    for _ in 0..20 {
        drop_next();
    }
    std::fs::write(&receipt, text.replace("] Biên nhận ", "] Giấy biên nhận ")).unwrap();
    wait_for(Duration::from_secs(120), || {
        (!ledger(&data).0.is_empty()).then_some(())
    });
    hup();
    let started = std::time::Instant::now();
    let mut after = 0;
    while after < 6 {
        drop_next();
        std::thread::sleep(Duration::from_millis(150));
        if d.log_text().contains("configuration reloaded") {
            after += 1;
        }
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "no reload: {}",
            d.log_text()
        );
    }
    let total = dropped;
    let (subs, mails) = wait_for(Duration::from_secs(300), || {
        let (subs, mails) = ledger(&data);
        (subs.len() == total && mails.len() == total).then_some((subs, mails))
    });
    let log = d.log_text();
    // Every file recorded once, answered once, and none left in the inbox.
    let mut names: Vec<&str> = subs.iter().map(|(_, n)| n.as_str()).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), total, "{subs:?}");
    for (id, name) in &subs {
        let answers = mails.iter().filter(|(s, _)| s == id).count();
        assert_eq!(answers, 1, "{name}: {answers} answers\n{mails:?}");
    }
    assert_eq!(left_in_inbox(&data), Vec::<String>::new());
    // The files taken before the reload have the old text; those after,
    // the new one, the last one dropped among them.
    let subject = |name: &str| {
        let id = subs.iter().find(|(_, n)| n == name).unwrap().0;
        mails.iter().find(|(s, _)| *s == id).unwrap().1.clone()
    };
    let new = subs
        .iter()
        .filter(|(_, n)| subject(n).contains("] Giấy biên nhận "))
        .count();
    eprintln!(
        "{total} files: {} taken before the reload, {new} after",
        total - new
    );
    assert!(
        subject(&subs[0].1).contains("] Biên nhận "),
        "{}",
        subject(&subs[0].1)
    );
    let last = format!("bang-{:03}.xlsx", total - 1);
    assert!(
        subject(&last).contains("] Giấy biên nhận "),
        "{}",
        subject(&last)
    );
    assert!(!log.contains("\"level\":\"ERROR\""), "{log}");

    // A broken configuration: refused naming its key, the running one kept
    // (the new text included) and files still taken.
    std::fs::write(&conf, good.replace("max_attempts = 20", "max_attempts = 0")).unwrap();
    hup();
    wait_for(Duration::from_secs(30), || {
        d.log_text().contains("reload refused").then_some(())
    });
    let log = d.log_text();
    let refused = log.lines().find(|l| l.contains("reload refused")).unwrap();
    assert!(refused.contains("mail.max_attempts"), "{refused}");
    drop_file(
        &d.inbox("STP-HUE").join("bang-sau-loi.xlsx"),
        &form_file("STP-HUE", 1001, false),
    );
    let (subs, mails) = wait_for(Duration::from_secs(60), || {
        let (subs, mails) = ledger(&data);
        (subs.len() == total + 1 && mails.len() == total + 1).then_some((subs, mails))
    });
    let last = subs.last().unwrap();
    assert_eq!(last.1, "bang-sau-loi.xlsx");
    let answer = mails.iter().find(|(s, _)| *s == last.0).unwrap();
    assert!(answer.1.contains("] Giấy biên nhận "), "{answer:?}");
    assert_eq!(
        d.log_text().matches("configuration reloaded").count(),
        1,
        "one reload, the broken one refused"
    );
    assert_eq!(d.stop(), 0);
}
