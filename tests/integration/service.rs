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
    // The ledger itself is private too (it was 0644 under the usual umask).
    for f in ["thidua.sqlite", "thidua.sqlite-wal"] {
        let mode = std::os::unix::fs::PermissionsExt::mode(
            &std::fs::metadata(data.join(f)).unwrap().permissions(),
        ) & 0o777;
        assert_eq!(mode, 0o600, "{f}");
    }
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

/// The case: the ledger deleted beside a full archive used to be
/// recreated empty (0/10 submitted, and the jobs acted on that).
#[test]
fn a_missing_ledger_beside_a_full_archive_stops_the_start_until_the_operator_chooses() {
    let dir = TempDir::new().unwrap();
    let data = dir.path().join("data");
    let env = daemon_env(&data);
    let d = Daemon::start(&data, &env);
    drop_file(
        &d.inbox("STP-QTR").join("bang.xlsx"),
        &form_file("STP-QTR", 1, false),
    );
    wait_for(Duration::from_secs(30), || {
        (ledger_rows(&data).len() == 1).then_some(())
    });
    assert_eq!(d.stop(), 0);
    for f in ["thidua.sqlite", "thidua.sqlite-wal", "thidua.sqlite-shm"] {
        let _ = std::fs::remove_file(data.join(f));
    }
    let run = thidua(dir.path(), &["run", "--once"], &pairs(&env));
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("is missing"), "{}", run.stderr);
    assert!(run.stderr.contains("--new-ledger"), "{}", run.stderr);
    assert!(!data.join("thidua.sqlite").exists(), "not recreated");
    let help = thidua(dir.path(), &["run", "--help"], &[]);
    assert!(help.stdout.contains("not rebuilt"), "{}", help.stdout);
    let run = thidua(dir.path(), &["run", "--once", "--new-ledger"], &pairs(&env));
    assert_eq!(run.code, 0, "{run:?}");
    assert!(data.join("thidua.sqlite").exists());
}

#[test]
fn a_ledger_from_a_newer_thidua_is_refused_and_looking_creates_nothing() {
    let dir = TempDir::new().unwrap();
    // `status`, `score` and `report` in a folder with no data: nothing made.
    let here = dir.path().join("o-day");
    std::fs::create_dir_all(&here).unwrap();
    let status = thidua(&here, &["status"], &[]);
    assert_eq!(status.code, 0, "{status:?}");
    assert!(status.stdout.contains("0/10"), "{}", status.stdout);
    let score = thidua(&here, &["score"], &[]);
    assert_eq!(score.code, 0, "{score:?}");
    let out = dir.path().join("xep-hang.pdf");
    let report = thidua(
        &here,
        &["report", "ranking", "-o", out.to_str().unwrap()],
        &[],
    );
    assert_eq!(report.code, 0, "{report:?}");
    assert_eq!(
        std::fs::read_dir(&here).unwrap().count(),
        0,
        "no data folder created"
    );

    // A ledger a newer thidua wrote.
    let data = dir.path().join("data");
    let env = daemon_env(&data);
    let run = thidua(dir.path(), &["run", "--once"], &pairs(&env));
    assert_eq!(run.code, 0, "{run:?}");
    let ledger = data.join("thidua.sqlite");
    let c = rusqlite::Connection::open(&ledger).unwrap();
    c.pragma_update(None, "user_version", 999).unwrap();
    drop(c);
    for args in [&["status"][..], &["score"], &["run", "--once"]] {
        let run = thidua(dir.path(), args, &pairs(&env));
        assert_eq!(run.code, 2, "{args:?}: {run:?}");
        assert!(
            run.stderr
                .contains("schema version 999, newer than this thidua knows"),
            "{}",
            run.stderr
        );
    }
    let c = rusqlite::Connection::open(&ledger).unwrap();
    let v: i64 = c
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(v, 999, "left as it was");
}

#[test]
fn completions_and_the_manual_page_come_from_the_command_line_itself() {
    let dir = TempDir::new().unwrap();
    let bash = thidua(dir.path(), &["completions", "bash"], &[]);
    assert_eq!(bash.code, 0, "{bash:?}");
    assert!(bash.stdout.contains("_thidua()"), "{}", bash.stdout);
    for sub in ["backup", "retry", "validate", "--new-ledger"] {
        assert!(bash.stdout.contains(sub), "{sub} not completed");
    }
    let zsh = thidua(dir.path(), &["completions", "zsh"], &[]);
    assert!(zsh.stdout.starts_with("#compdef thidua"), "{}", zsh.stdout);
    let bad = thidua(dir.path(), &["completions", "tcsh"], &[]);
    assert_eq!(bad.code, 2, "{bad:?}");
    let man = thidua(dir.path(), &["man"], &[]);
    assert_eq!(man.code, 0, "{man:?}");
    assert!(man.stdout.contains(".TH thidua 1"), "{}", man.stdout);
    assert!(man.stdout.contains("backup"), "{}", man.stdout);
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

/// The case: SIGHUP killed the daemon (exit 129, which systemd
/// counts as clean). Now a broken new configuration is refused with its key
/// and the running one kept; a good one is taken without losing a file.
#[test]
fn sighup_reloads_a_good_configuration_and_refuses_a_broken_one() {
    let dir = TempDir::new().unwrap();
    let conf_dir = dir.path().join("etc");
    std::fs::create_dir_all(&conf_dir).unwrap();
    let shipped = std::fs::read_to_string(crate::support::config_path()).unwrap();
    let criteria = crate::support::repo().join("config/criteria");
    let good = shipped.replace(
        "criteria = \"criteria\"",
        &format!("criteria = \"{}\"", criteria.display()),
    );
    let conf = conf_dir.join("thidua.toml");
    std::fs::write(&conf, &good).unwrap();
    let data = dir.path().join("data");
    let env = daemon_env(&data);
    let d = Daemon::start_with(&conf, &data, &env);
    wait_for(Duration::from_secs(20), || {
        d.log_text().contains("thidua started").then_some(())
    });
    let hup = || {
        std::process::Command::new("kill")
            .args(["-HUP", &d.child.id().to_string()])
            .status()
            .unwrap();
    };
    std::fs::write(
        &conf,
        good.replace("transport = \"file\"", "transport = \"bo-cau\""),
    )
    .unwrap();
    hup();
    wait_for(Duration::from_secs(20), || {
        d.log_text().contains("reload refused").then_some(())
    });
    let log = d.log_text();
    assert!(log.contains("mail.transport"), "{log}");
    drop_file(
        &d.inbox("STP-QTR").join("sau-hup.xlsx"),
        &form_file("STP-QTR", 1, false),
    );
    wait_for(Duration::from_secs(30), || {
        (ledger_rows(&data).len() == 1).then_some(())
    });

    // A good one: a file dropped just before is not lost.
    std::fs::write(&conf, &good).unwrap();
    drop_file(
        &d.inbox("STP-HUE").join("ngay-truoc-hup.xlsx"),
        &form_file("STP-HUE", 2, false),
    );
    hup();
    wait_for(Duration::from_secs(20), || {
        d.log_text()
            .contains("configuration reloaded")
            .then_some(())
    });
    drop_file(
        &d.inbox("STP-NAN").join("sau-khi-nap-lai.xlsx"),
        &form_file("STP-NAN", 3, false),
    );
    wait_for(Duration::from_secs(30), || {
        (ledger_rows(&data).len() == 3).then_some(())
    });
    assert_eq!(d.stop(), 0);
}

/// Under systemd (Type=notify): READY=1 only once the daemon runs; a
/// broken configuration exits 2 without it (the unit does not restart 2).
#[test]
fn readiness_is_told_to_systemd_after_start_up_only() {
    use std::os::unix::net::UnixDatagram;
    let dir = TempDir::new().unwrap();
    let sock = dir.path().join("notify.sock");
    let listener = UnixDatagram::bind(&sock).unwrap();
    listener
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let data = dir.path().join("data");
    let mut env = daemon_env(&data);
    env.push(("NOTIFY_SOCKET".into(), sock.display().to_string()));
    let d = Daemon::start(&data, &env);
    let mut buf = [0u8; 256];
    let n = listener.recv(&mut buf).unwrap();
    assert_eq!(String::from_utf8_lossy(&buf[..n]).trim(), "READY=1");
    assert!(d.log_text().contains("thidua started"));
    assert_eq!(d.stop(), 0);
    let n = listener.recv(&mut buf).unwrap();
    assert_eq!(String::from_utf8_lossy(&buf[..n]).trim(), "STOPPING=1");

    listener
        .set_read_timeout(Some(Duration::from_millis(500)))
        .unwrap();
    let mut broken = env.clone();
    broken.push(("THIDUA__INBOX__STABLE_SECS".into(), "-1".into()));
    let run = thidua(dir.path(), &["run"], &pairs(&broken));
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        listener.recv(&mut buf).is_err(),
        "no READY=1 for a broken start"
    );
}

/// The shipped unit: Type=notify, no restart on a configuration error,
/// private files, and `systemd-analyze security` at 2.0 or better (it was
/// 8.5 EXPOSED).
#[test]
fn the_service_unit_is_hardened_and_rated_by_systemd_analyze() {
    let unit_path = crate::support::repo().join("deploy/thidua.service");
    let unit = std::fs::read_to_string(&unit_path).unwrap();
    for line in [
        "Type=notify",
        "WatchdogSec=",
        "ExecReload=/bin/kill -HUP $MAINPID",
        "RestartPreventExitStatus=2",
        "UMask=0077",
        "StateDirectoryMode=0700",
        "NoNewPrivileges=true",
    ] {
        assert!(unit.lines().any(|l| l.starts_with(line)), "{line} missing");
    }
    assert!(
        !unit.contains("THIDUA_LOG_FORMAT=json"),
        "the journal gets priorities"
    );
    let out = std::process::Command::new("systemd-analyze")
        .args(["security", "--offline=true", "--no-pager"])
        .arg(&unit_path)
        .output()
        .expect("systemd-analyze (apt-get install systemd; .ci/run does)");
    let text = String::from_utf8_lossy(&out.stdout);
    let score: f64 = text
        .lines()
        .find_map(|l| {
            l.split("Overall exposure level for thidua.service: ")
                .nth(1)?
                .split_whitespace()
                .next()?
                .parse()
                .ok()
        })
        .unwrap_or_else(|| panic!("no rating in:\n{text}"));
    assert!(score <= 2.0, "exposure {score}:\n{text}");
}

/// Run by systemd, the log lines carry their priority for the journal
/// (`<4>` a warning, `<6>` information); elsewhere they do not.
#[test]
fn logs_to_the_journal_carry_priorities() {
    use std::os::unix::fs::MetadataExt as _;
    let dir = TempDir::new().unwrap();
    let data = dir.path().join("data");
    let log = dir.path().join("journal.log");
    let file = std::fs::File::create(&log).unwrap();
    let meta = file.metadata().unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_thidua"))
        .args(["--config"])
        .arg(crate::support::config_path())
        .args(["run", "--once", "--new-ledger"])
        .env("THIDUA__PATHS__DATA", &data)
        .env("JOURNAL_STREAM", format!("{}:{}", meta.dev(), meta.ino()))
        .env_remove("THIDUA_LOG_FORMAT")
        .stderr(file)
        .stdout(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(out.success());
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(
        text.lines()
            .any(|l| l.starts_with("<4>") && l.contains("new, empty ledger")),
        "{text}"
    );
    assert!(
        text.lines()
            .any(|l| l.starts_with("<6>") && l.contains("thidua started")),
        "{text}"
    );
    assert!(text.lines().all(|l| l.starts_with('<')), "{text}");

    // The variable inherited with stderr elsewhere: no prefixes.
    let run = thidua(
        dir.path(),
        &["run", "--once"],
        &[
            ("THIDUA__PATHS__DATA", data.to_str().unwrap()),
            ("JOURNAL_STREAM", "1:2"),
        ],
    );
    assert_eq!(run.code, 0, "{run:?}");
    assert!(!run.stderr.contains("<6>"), "{}", run.stderr);
}
