//! Scheduled jobs with the real binary: the year-end run end to end through
//! the SMTP test server, crashed in the middle (after writing its documents,
//! then again while sending) and restarted; and `--dry-run` on the shipped
//! configuration.

use std::collections::BTreeMap;
use std::time::Duration;

use tempfile::TempDir;
use thidua::domain::schedule::JobKind;
use thidua::io::ledger::JobOutcome;

use crate::scoring::scored_cluster;
use crate::support::{
    Daemon, Smtp, config_path, daemon_env, pairs, repo, settings, smtp_env, thidua, wait_for,
};

#[test]
fn year_end_reaches_every_unit_and_the_ministry_once_across_crashes() {
    let dir = TempDir::new().unwrap();
    // A scored year (file transport), then mail through a slow SMTP server.
    let data = scored_cluster(dir.path());
    let smtp = Smtp::start(0, &dir.path().join("smtp"), &["--delay-ms", "300"]);
    let env = smtp_env(&data, smtp.port);

    // 1. Run by hand; the process dies after writing the documents, before
    //    queueing a single mail.
    let mut crash = pairs(&env);
    crash.push(("THIDUA_FAULT", "after-documents"));
    let run = thidua(dir.path(), &["job", "year-end", "--now"], &crash);
    assert_ne!(run.code, 0, "the fault point aborts: {run:?}");
    assert!(data.join("reports/2026/giao-uoc-thi-dua-2027.pdf").exists());
    assert!(smtp.messages().is_empty());

    // 2. The daemon starts, finishes the interrupted run and starts
    //    sending; it is killed once a few mails are through and recorded,
    //    while the server makes the others wait.
    let d = Daemon::start(&data, &env);
    let sent = || {
        thidua::io::ledger::Ledger::open(&data.join("thidua.sqlite"))
            .and_then(|l| l.outbox_counts())
            .map_or(0, |c| c.sent)
    };
    let receipts = sent();
    wait_for(Duration::from_secs(60), || {
        let at_server = smtp.messages().len() as i64;
        (at_server >= 2 && sent() - receipts == at_server).then_some(())
    });
    let log1 = d.log_text();
    d.kill();
    let before = smtp.messages().len();

    // 3. Restarted, it sends the rest.
    let d = Daemon::start(&data, &env);
    let year_end = |m: &crate::support::Received| m.raw.contains("giao-uoc-thi-dua-2027.pdf");
    wait_for(Duration::from_secs(60), || {
        (smtp.messages().iter().filter(|m| year_end(m)).count() >= 12).then_some(())
    });
    // Nothing left to send, then stopped: no mail can come after this, so
    // a duplicate would be among those counted below.
    wait_for(Duration::from_secs(60), || {
        thidua::io::ledger::Ledger::open(&data.join("thidua.sqlite"))
            .and_then(|l| l.outbox_counts())
            .is_ok_and(|c| c.pending == 0)
            .then_some(())
    });
    let log2 = d.log_text();
    assert_eq!(d.stop(), 0);
    if std::env::var("SHOW_LOGS").is_ok() {
        eprintln!("=== daemon 1\n{log1}\n=== daemon 2\n{log2}");
    }

    let msgs: Vec<_> = smtp.messages().into_iter().filter(year_end).collect();
    let mut by_rcpt: BTreeMap<String, usize> = BTreeMap::new();
    for m in &msgs {
        *by_rcpt.entry(m.rcpt_tos.join(",")).or_default() += 1;
    }
    assert!(before < 12, "the kill came in the middle ({before} sent)");
    assert!(by_rcpt.values().all(|n| *n == 1), "each once: {by_rcpt:#?}");
    let s = settings();
    let members: Vec<_> = s.cluster.members(2026).collect();
    assert_eq!(msgs.len(), members.len() + 2, "{by_rcpt:#?}");
    for u in &members {
        let m = msgs
            .iter()
            .find(|m| m.rcpt_tos == u.emails)
            .unwrap_or_else(|| panic!("no year-end mail to {}", u.code));
        assert!(
            m.raw.contains("bao-cao-xep-hang-thi-dua-2026.pdf"),
            "{}",
            u.code
        );
        assert!(
            !m.raw.contains("de-nghi-khen-thuong-2026.pdf"),
            "{}",
            u.code
        );
        let sheet = format!("Phieu-cham-diem-2026-{}.pdf", u.code);
        // Units with an accepted workbook get their own score sheet.
        let has = [
            "STP-THA",
            "STP-NAN",
            "STP-HTI",
            "STP-QTR",
            "THADS-NAN",
            "THADS-THA",
        ]
        .contains(&u.code.as_str());
        assert_eq!(m.raw.contains(&sheet), has, "{}", u.code);
    }
    let ministry = msgs
        .iter()
        .find(|m| m.rcpt_tos == [s.cluster.naming(2026).ministry_email])
        .expect("the ministry's mail");
    for f in [
        "bao-cao-xep-hang-thi-dua-2026.pdf",
        "de-nghi-khen-thuong-2026.pdf",
        "giao-uoc-thi-dua-2027.pdf",
    ] {
        assert!(ministry.raw.contains(f), "{f}");
    }
    // The Word files and the workbook go to the secretariat only.
    let to_secretariat = msgs
        .iter()
        .filter(|m| m.rcpt_tos == [s.mail.from.clone()])
        .count();
    assert_eq!(to_secretariat, 1, "the secretariat's package");
    for m in &msgs {
        let secretariat = m.rcpt_tos == [s.mail.from.clone()];
        for f in [
            "bao-cao-xep-hang-thi-dua-2026.docx",
            "de-nghi-khen-thuong-2026.docx",
            "giao-uoc-thi-dua-2027.docx",
            "bao-cao-xep-hang-thi-dua-2026.xlsx",
        ] {
            assert_eq!(m.raw.contains(f), secretariat, "{f} to {:?}", m.rcpt_tos);
        }
    }

    // The final ranking the units received holds the scores.
    let ranking = data.join("reports/2026/bao-cao-xep-hang-thi-dua-2026.pdf");
    let text = crate::support::pdf_text(&ranking, None);
    assert!(
        text.contains("Sở Tư pháp tỉnh Thanh Hóa") && text.contains("209,25"),
        "{text}"
    );

    // The run is in the history: one run, done. Nine PDFs (ranking,
    // proposals, agreement, six score sheets), their nine Word files and
    // the ranking's workbook.
    let status = thidua(dir.path(), &["job", "year-end"], &pairs(&env));
    assert_eq!(status.code, 0, "{status:?}");
    assert!(
        status.stdout.contains("xong, 19 văn bản, 12 thư"),
        "{}",
        status.stdout
    );
}

#[test]
fn a_dry_run_on_the_shipped_config_lists_documents_and_recipients() {
    let dir = TempDir::new().unwrap();
    let run = thidua(
        dir.path(),
        &["job", "year-end", "--now", "--dry-run"],
        &[(
            "THIDUA__PATHS__DATA",
            dir.path().join("var").to_str().unwrap(),
        )],
    );
    assert_eq!(run.code, 0, "{run:?}");
    let s = settings();
    for needle in [
        "bao-cao-xep-hang-thi-dua-2026.pdf",
        "de-nghi-khen-thuong-2026.pdf",
        "giao-uoc-thi-dua-2027.pdf",
        s.cluster.naming(2026).ministry_email.as_str(),
    ] {
        assert!(run.stdout.contains(needle), "{needle}: {}", run.stdout);
    }
    for u in s.cluster.members(2026) {
        assert!(run.stdout.contains(&u.emails[0]), "{}", u.code);
    }
    // Nothing was written.
    assert!(!dir.path().join("var").exists(), "a dry run writes nothing");

    let bad = thidua(dir.path(), &["job", "year-ends", "--now"], &[]);
    assert_eq!(bad.code, 2);
    assert!(
        bad.stderr
            .contains("kickoff, reminder, provisional, year-end, ballot or close-vote"),
        "{}",
        bad.stderr
    );
}

#[test]
fn the_running_daemon_fires_jobs_on_their_schedule() {
    let dir = TempDir::new().unwrap();
    // The shipped configuration with one job due every two seconds.
    let shipped = std::fs::read_to_string(config_path()).unwrap();
    let cut = shipped.find("\n[[jobs]]").unwrap() + 1;
    let config = dir.path().join("thidua.toml");
    std::fs::write(
        &config,
        format!(
            "{}[[jobs]]\nname = \"reminder\"\nschedule = \"*/2 * * * * *\"\n",
            &shipped[..cut]
        ),
    )
    .unwrap();
    let data = dir.path().join("data");
    let mut env = daemon_env(&data);
    env.push((
        "THIDUA__PATHS__CRITERIA".into(),
        repo().join("config/criteria").display().to_string(),
    ));
    let d = Daemon::start_with(&config, &data, &env);
    // Waits on the events, not on a time: under load (a debug build on
    // cores shared with other tests) the start and each run of ten mails
    // with their forms can take many seconds; the deadlines are only there
    // to end a test that would never pass, and the log is shown then.
    let waited = |limit: Duration, what: &str| {
        panic!(
            "{what} not seen within {limit:?}; the daemon's log:\n{}",
            d.log_text()
        )
    };
    let start = std::time::Instant::now();
    while !d.log_text().contains("thidua started") {
        if start.elapsed() > Duration::from_secs(120) {
            waited(Duration::from_secs(120), "the start");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let start = std::time::Instant::now();
    let runs = loop {
        let done = thidua::io::ledger::Ledger::open_read_only(&data.join("thidua.sqlite"))
            .ok()
            .and_then(|l| l.job_history(JobKind::Reminder, 10).ok())
            .filter(|r| r.iter().filter(|r| r.outcome == JobOutcome::Ok).count() >= 2);
        if let Some(r) = done {
            break r;
        }
        if start.elapsed() > Duration::from_secs(300) {
            waited(Duration::from_secs(300), "two runs of the reminder");
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    assert_eq!(d.stop(), 0);
    let mut times: Vec<chrono::DateTime<chrono::Utc>> = runs
        .iter()
        .filter(|r| r.outcome == JobOutcome::Ok)
        .map(|r| r.scheduled_at.unwrap())
        .collect();
    times.dedup();
    assert!(times.len() >= 2, "two different fires: {runs:#?}");
    for t in &times {
        assert_eq!(chrono::Timelike::second(t) % 2, 0, "on the schedule: {t}");
        assert_eq!(
            chrono::Timelike::nanosecond(t),
            0,
            "the scheduled time, not the fire's: {t}"
        );
    }
    // Each fire reminded the ten units that have sent nothing, once.
    let l = thidua::io::ledger::Ledger::open(&data.join("thidua.sqlite")).unwrap();
    let c = l.outbox_counts().unwrap();
    let fires = l
        .job_history(JobKind::Reminder, 100)
        .unwrap()
        .iter()
        .filter(|r| r.outcome == JobOutcome::Ok)
        .count() as i64;
    assert_eq!(
        c.pending + c.sent + c.failed,
        10 * fires,
        "{c:?}, {fires} runs"
    );
}

/// Every mail the ledger holds, by key: queued, sent or failed.
fn outbox_keys(data: &std::path::Path) -> Vec<String> {
    let c = rusqlite::Connection::open(data.join("thidua.sqlite")).unwrap();
    let mut stmt = c.prepare("SELECT key FROM outbox ORDER BY id").unwrap();
    stmt.query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

#[test]
fn close_vote_and_year_end_wait_for_the_conference_and_the_close() {
    let dir = TempDir::new().unwrap();
    let data = dir.path().join("data");
    let smtp = Smtp::start(0, &dir.path().join("smtp"), &[]);
    let env = smtp_env(&data, smtp.port);
    let today = thidua::domain::time::local(chrono::Utc::now()).date_naive();
    let floor = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
    let tomorrow = (today + chrono::Duration::days(1)).max(floor);
    let yesterday = (today - chrono::Duration::days(1)).max(floor);
    let run = |config: &std::path::Path, job: &str| {
        let config = config.display().to_string();
        thidua(
            dir.path(),
            &["--config", &config, "job", job, "--now"],
            &pairs(&env),
        )
    };
    // A unit's ballot, so that the vote has something to count.
    {
        std::fs::create_dir_all(&data).unwrap();
        let mut l = thidua::io::ledger::Ledger::open(&data.join("thidua.sqlite")).unwrap();
        let at = chrono::Utc::now() - chrono::Duration::days(2);
        let id = l
            .begin(&thidua::io::ledger::Intake {
                kind: Some(thidua::domain::validate::SubmissionKind::Ballot),
                unit: Some("STP-THA".into()),
                inspected: None,
                folder_unit: Some("STP-THA".into()),
                year: Some(2026),
                original_name: "phieu-bau.xlsx".into(),
                inbox_path: data.join("inbox/STP-THA/phieu-bau.xlsx"),
                stored_path: data.join("archive/STP-THA/phieu-bau.xlsx"),
                hash: "ab".into(),
                size: 10,
                received_at: at,
                mail: None,
            })
            .unwrap();
        l.finish(
            id,
            thidua::io::ledger::Status::Accepted,
            &thidua::io::ledger::Filed::default(),
            &[],
            at,
        )
        .unwrap();
    }

    // 1. The conference is tomorrow: neither job runs, each says why and
    //    exits 1; nothing is written, queued or sent, the vote stays open.
    let early = crate::support::config_with_conference(dir.path(), tomorrow, "08:00");
    let opens = format!(
        "the 2026 conference opens at 08:00 {}",
        thidua::domain::vn::format_date(tomorrow)
    );
    for job in ["close-vote", "year-end"] {
        let r = run(&early, job);
        assert_eq!(r.code, 1, "{r:?}");
        assert!(r.stdout.contains("Từ chối: "), "{r:?}");
        assert!(r.stdout.contains(&opens), "{r:?}");
    }
    assert!(outbox_keys(&data).is_empty(), "no mail queued");
    assert!(!data.join("reports/2026").exists(), "no paper written");
    let l = thidua::io::ledger::Ledger::open(&data.join("thidua.sqlite")).unwrap();
    assert_eq!(l.vote_closed(2026).unwrap(), None, "the vote stays open");
    for kind in [JobKind::CloseVote, JobKind::YearEnd] {
        let runs = l.job_history(kind, 5).unwrap();
        assert_eq!(runs.len(), 1);
        assert_eq!(runs[0].outcome, JobOutcome::Skipped, "recorded as refused");
    }
    drop(l);

    // 2. The conference was yesterday but the vote is open: the year-end
    //    package waits for its close, with the command to close it.
    let held = crate::support::config_with_conference(dir.path(), yesterday, "08:00");
    let r = run(&held, "year-end");
    assert_eq!(r.code, 1, "{r:?}");
    assert!(
        r.stdout.contains("the 2026 vote is still open")
            && r.stdout.contains("thidua job close-vote --now"),
        "{r:?}"
    );
    assert!(outbox_keys(&data).is_empty(), "no mail queued");

    // 3. Closed, then the package: each runs now and mails what the
    //    refused runs would have, nothing having been used up by them.
    let r = run(&held, "close-vote");
    assert_eq!(r.code, 0, "{r:?}");
    let r = run(&held, "year-end");
    assert_eq!(r.code, 0, "{r:?}");
    let keys = outbox_keys(&data);
    assert_eq!(
        keys.iter()
            .filter(|k| k.starts_with("job:close-vote:"))
            .count(),
        1,
        "{keys:?}"
    );
    // Ten units, the ministry, the secretariat.
    assert_eq!(
        keys.iter()
            .filter(|k| k.starts_with("job:year-end:"))
            .count(),
        12,
        "{keys:?}"
    );
    let msgs = wait_for(Duration::from_secs(30), || {
        let m = smtp.messages();
        (m.len() == 13).then_some(m)
    });
    assert!(
        msgs.iter()
            .any(|m| m.raw.contains("bien-ban-bau-chon-khen-thuong-2026.pdf")),
        "the minutes travel"
    );
}
