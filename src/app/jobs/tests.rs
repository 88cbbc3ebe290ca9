//! Jobs against a real ledger in a temporary folder, with the clock set by
//! the test: catch-up at start (once, or skipped), a run finished after a
//! crash without sending twice, no overlap, a failure recorded and mailed.

use chrono::{DateTime, Utc};

use super::due::{Tools, startup, trigger};
use super::run::Running;
use crate::app::mail_texts::Texts;
use crate::config::Settings;
use crate::domain::schedule::{CatchUp, JobKind};
use crate::io::ledger::{JobOutcome, Ledger};
use crate::io::pdf::Documents;

fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

struct World {
    _dir: tempfile::TempDir,
    settings: Settings,
    texts: Texts,
    docs: Documents,
}

impl World {
    fn new() -> World {
        let dir = tempfile::tempdir().unwrap();
        let env = vec![(
            "THIDUA__PATHS__DATA".to_string(),
            dir.path().display().to_string(),
        )];
        let settings = Settings::load_with_env(None, &env).unwrap();
        World {
            _dir: dir,
            settings,
            texts: Texts::load(None).unwrap(),
            docs: Documents::load(None).unwrap(),
        }
    }

    fn tools(&self) -> Tools<'_> {
        Tools {
            settings: &self.settings,
            texts: &self.texts,
            docs: &self.docs,
        }
    }

    fn ledger(&self) -> Ledger {
        Ledger::open(&self.settings.paths.ledger).unwrap()
    }

    /// Fires `kind` for the time `at`, no other run going, with the clock
    /// at `now`; the run must happen.
    fn fire(
        &self,
        l: &mut Ledger,
        kind: JobKind,
        at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> super::run::Done {
        trigger(
            &self.tools(),
            l,
            &Running::default(),
            kind,
            at,
            None,
            &move || now,
        )
        .unwrap()
        .unwrap()
    }
}

/// The shipped reminder: Mondays 08:00 in October and November.
const DOWN: &str = "2026-11-01T10:00:00Z";
const UP: &str = "2026-11-18T03:00:00Z";
const MONDAY_16: &str = "2026-11-16T01:00:00Z";

#[test]
fn a_run_missed_while_down_runs_exactly_once_at_start() {
    let w = World::new();
    let mut l = w.ledger();
    l.set_job_checked(JobKind::Reminder, utc(DOWN)).unwrap();
    let now = || utc(UP);
    let done = startup(&w.tools(), &mut l, &Running::default(), &now).unwrap();
    assert_eq!(done.len(), 1, "{done:?}");
    assert_eq!(done[0].queued, 10, "ten units, none has sent a workbook");
    let runs = l.job_history(JobKind::Reminder, 10).unwrap();
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0].outcome, JobOutcome::Ok);
    assert_eq!(runs[0].scheduled_at, Some(utc(MONDAY_16)));
    // Other jobs were seen for the first time: nothing caught up.
    assert!(l.job_history(JobKind::YearEnd, 10).unwrap().is_empty());

    // A second start at the same time (or a little later) runs nothing.
    let later = || utc("2026-11-18T05:00:00Z");
    assert!(
        startup(&w.tools(), &mut l, &Running::default(), &later)
            .unwrap()
            .is_empty()
    );
    assert_eq!(l.job_history(JobKind::Reminder, 10).unwrap().len(), 1);
    assert_eq!(l.outbox_counts().unwrap().pending, 10);
}

#[test]
fn a_missed_run_set_to_skip_is_recorded_not_run() {
    let mut w = World::new();
    for j in &mut w.settings.jobs {
        j.catch_up = CatchUp::Skip;
    }
    let mut l = w.ledger();
    l.set_job_checked(JobKind::Reminder, utc(DOWN)).unwrap();
    let now = || utc(UP);
    assert!(
        startup(&w.tools(), &mut l, &Running::default(), &now)
            .unwrap()
            .is_empty()
    );
    let runs = l.job_history(JobKind::Reminder, 10).unwrap();
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0].outcome, JobOutcome::Skipped);
    assert_eq!(l.outbox_counts().unwrap().pending, 0);
}

/// A missed time older than the job's lateness (the daemon down for long,
/// or started with a clock that was wrong) is recorded as skipped with how
/// late it was, sends nothing, and shows as the job's last run.
#[test]
fn a_run_missed_too_long_ago_is_recorded_as_skipped_and_shown() {
    let w = World::new();
    let mut l = w.ledger();
    l.set_job_checked(JobKind::Reminder, utc(DOWN)).unwrap();
    // Thursday the 19th, 10:00 in Viet Nam: Monday the 16th is 74 hours late.
    let now = || utc("2026-11-19T03:00:00Z");
    assert!(
        startup(&w.tools(), &mut l, &Running::default(), &now)
            .unwrap()
            .is_empty()
    );
    let runs = l.job_history(JobKind::Reminder, 10).unwrap();
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0].outcome, JobOutcome::Skipped);
    assert_eq!(runs[0].scheduled_at, Some(utc(MONDAY_16)));
    let detail = runs[0].detail.clone().unwrap_or_default();
    assert!(detail.contains("74 hours late"), "{detail}");
    assert!(detail.contains("catch_up_within_hours = 72"), "{detail}");
    assert_eq!(l.outbox_counts().unwrap().pending, 0);
    let view = crate::app::overview::read(&w.settings, &l, now()).unwrap();
    let reminder = view.jobs.iter().find(|j| j.name == "reminder").unwrap();
    assert_eq!(reminder.last_outcome, "skipped");
    assert!(
        reminder
            .last
            .as_deref()
            .unwrap_or("")
            .contains("74 hours late"),
        "{:?}",
        reminder.last
    );
}

#[test]
fn a_run_interrupted_by_a_crash_is_finished_and_sends_nothing_twice() {
    let w = World::new();
    let mut l = w.ledger();
    let at = utc(MONDAY_16);
    // The crashed run had begun and queued three of its mails.
    let id = l.job_begin(JobKind::Reminder, at, at).unwrap();
    let p = super::plan::plan(&w.settings, &w.texts, &l, JobKind::Reminder, at, Some(id)).unwrap();
    assert_eq!(l.enqueue_all(&p.mails[..3], at).unwrap(), 3);
    let now = || utc("2026-11-16T01:05:00Z");
    let done = startup(&w.tools(), &mut l, &Running::default(), &now).unwrap();
    assert_eq!(done.len(), 1);
    assert_eq!((done[0].run, done[0].queued), (id, 7));
    assert_eq!(l.job_run(id).unwrap().unwrap().outcome, JobOutcome::Ok);
    assert_eq!(l.outbox_counts().unwrap().pending, 10);
}

/// The case: a start with the clock ahead caught up a run before
/// its time; the real run at the real time used to send nothing, its mails'
/// keys used up. Each run has its own keys now: the real run sends.
#[test]
fn a_run_made_by_mistake_does_not_use_up_the_real_runs_mails() {
    let w = World::new();
    let mut l = w.ledger();
    l.set_job_checked(JobKind::Reminder, utc(DOWN)).unwrap();
    // Started with the clock two days ahead: the Monday run "was missed".
    let ahead = || utc(UP);
    let done = startup(&w.tools(), &mut l, &Running::default(), &ahead).unwrap();
    assert_eq!(done.len(), 1);
    assert_eq!(done[0].queued, 10);
    // The clock put right, the schedule fires at the real time.
    let real = w.fire(&mut l, JobKind::Reminder, utc(MONDAY_16), utc(MONDAY_16));
    assert_ne!(real.run, done[0].run);
    assert_eq!(real.queued, 10, "the real run's mails are queued");
    assert_eq!(l.outbox_counts().unwrap().pending, 20);
}

#[test]
fn a_trigger_while_the_job_runs_is_recorded_as_skipped() {
    let w = World::new();
    let mut l = w.ledger();
    let running = Running::default();
    let _busy = running.try_start(JobKind::Reminder).unwrap();
    let now = || utc(MONDAY_16);
    let r = trigger(
        &w.tools(),
        &mut l,
        &running,
        JobKind::Reminder,
        utc(MONDAY_16),
        None,
        &now,
    )
    .unwrap();
    assert!(r.is_none());
    let runs = l.job_history(JobKind::Reminder, 10).unwrap();
    assert_eq!(runs[0].outcome, JobOutcome::Skipped);
    assert!(runs[0].detail.as_deref().unwrap().contains("still going"));
}

#[test]
fn a_failing_job_is_recorded_and_mailed_to_the_secretariat() {
    let mut w = World::new();
    // No plan for 2027: the agreement cannot be made.
    w.settings.cluster.years.retain(|y| y.year != 2027);
    let mut l = w.ledger();
    let at = utc("2026-12-10T00:00:00Z");
    let done = w.fire(&mut l, JobKind::YearEnd, at, at);
    assert!(done.error.as_deref().unwrap().contains("2027"), "{done:?}");
    let runs = l.job_history(JobKind::YearEnd, 1).unwrap();
    assert_eq!(runs[0].outcome, JobOutcome::Failed);
    let due = l.due(at, 10).unwrap();
    assert_eq!(due.len(), 1);
    assert_eq!(due[0].mail.to, [w.settings.mail.from.clone()]);
    assert!(
        due[0].mail.subject.contains("year-end"),
        "{}",
        due[0].mail.subject
    );
}

#[test]
fn year_end_writes_its_documents_and_mails_every_unit_and_the_ministry() {
    let w = World::new();
    let mut l = w.ledger();
    let at = utc("2026-12-10T00:00:00Z");
    let done = w.fire(&mut l, JobKind::YearEnd, at, at);
    assert_eq!(done.error, None);
    for d in &done.documents {
        assert!(std::path::Path::new(d).exists(), "{d}");
        assert!(d.contains("/reports/2026/"), "{d}");
    }
    // Ranking, proposals and agreement as PDF and as Word files, and the
    // ranking's workbook.
    assert_eq!(done.documents.len(), 7);
    for ext in ["pdf", "docx"] {
        assert_eq!(
            done.documents
                .iter()
                .filter(|d| d.ends_with(&format!(".{ext}")))
                .count(),
            3,
            "{:?}",
            done.documents
        );
    }
    // Ten units, the ministry, the secretariat.
    assert_eq!(done.queued, 12);
    let mails = l.due(at, 100).unwrap();
    let ministry = mails
        .iter()
        .find(|m| m.mail.to == [w.settings.cluster.naming(2026).ministry_email])
        .unwrap();
    assert_eq!(ministry.mail.attachments.len(), 3);
    // The units and the ministry get PDFs only; the secretariat also the
    // Word files and the workbook, to edit and paste from.
    let ext = |p: &std::path::PathBuf| p.extension().unwrap().to_string_lossy().into_owned();
    for m in &mails {
        let exts: Vec<String> = m.mail.attachments.iter().map(ext).collect();
        if m.mail.to == [w.settings.mail.from.clone()] {
            assert_eq!(exts, ["pdf", "pdf", "pdf", "docx", "docx", "docx", "xlsx"]);
            assert!(m.mail.body.contains(".docx"), "{}", m.mail.body);
        } else {
            assert!(exts.iter().all(|e| e == "pdf"), "{exts:?}");
        }
    }
    // The same run repeated (as after a crash): same files, no new mail.
    let again = trigger(
        &w.tools(),
        &mut l,
        &Running::default(),
        JobKind::YearEnd,
        at,
        Some(done.run),
        &move || at,
    )
    .unwrap()
    .unwrap();
    assert_eq!(again.queued, 0);
    // A start after it does not catch the same time up again.
    let later = move || at + chrono::Duration::hours(1);
    l.set_job_checked(JobKind::YearEnd, at - chrono::Duration::hours(1))
        .unwrap();
    assert!(
        startup(&w.tools(), &mut l, &Running::default(), &later)
            .unwrap()
            .is_empty()
    );
    assert_eq!(l.due(at, 100).unwrap().len(), 12);
}

#[test]
fn the_kickoff_sends_each_unit_its_form_for_the_year_it_opens() {
    let w = World::new();
    let mut l = w.ledger();
    let at = utc("2026-01-05T00:00:00Z");
    let done = w.fire(&mut l, JobKind::Kickoff, at, at);
    assert_eq!(done.error, None);
    assert_eq!((done.documents.len(), done.queued), (10, 10));
    let mails = l.due(at, 100).unwrap();
    let qtr = mails
        .iter()
        .find(|m| m.mail.key.ends_with(":STP-QTR"))
        .unwrap();
    assert!(
        qtr.mail.attachments[0].ends_with("reports/2026/bieu-mau/Bang-tu-cham-2026-STP-QTR.xlsx")
    );
    assert!(
        qtr.mail.body.contains("ngày 15 tháng 11 năm 2026"),
        "{}",
        qtr.mail.body
    );
    assert!(qtr.mail.body.contains("inbox/STP-QTR"), "{}", qtr.mail.body);
    // The attachment is a real workbook.
    let grid = crate::io::workbook::Book::open(&qtr.mail.attachments[0], &w.settings.limits);
    assert!(grid.is_ok(), "{grid:?}");

    // A year that is not open is refused, and the secretariat told.
    let next = utc("2027-01-05T00:00:00Z");
    let failed = w.fire(&mut l, JobKind::Kickoff, next, next);
    assert!(
        failed
            .error
            .unwrap()
            .contains("2027 is not in cluster.open_years")
    );
}

#[test]
fn close_vote_and_year_end_refuse_to_run_before_the_conference() {
    let w = World::new();
    let mut l = w.ledger();
    let opens = w
        .settings
        .cluster
        .year(2026)
        .unwrap()
        .conference
        .as_ref()
        .unwrap()
        .opens();
    let before = opens - chrono::Duration::hours(1);
    for kind in [JobKind::CloseVote, JobKind::YearEnd] {
        let done = w.fire(&mut l, kind, before, before);
        let why = done.error.as_deref().unwrap();
        assert!(
            why.contains("conference opens at 08:00 ngày 09 tháng 12 năm 2026"),
            "{why}"
        );
        assert!(done.documents.is_empty());
        assert_eq!(done.queued, 0);
        let runs = l.job_history(kind, 1).unwrap();
        assert_eq!(runs[0].outcome, JobOutcome::Skipped, "recorded as refused");
        assert_eq!(runs[0].detail.as_deref(), Some(why));
    }
    assert!(
        l.vote_closed(2026).unwrap().is_none(),
        "the vote stays open"
    );
    assert!(l.due(before, 100).unwrap().is_empty(), "nothing mailed");
}

/// Records an accepted ballot of `unit` received at `at`, with no marks.
fn ballot(l: &mut Ledger, unit: &str, at: DateTime<Utc>) {
    let id = l
        .begin(&crate::io::ledger::Intake {
            kind: Some(crate::domain::validate::SubmissionKind::Ballot),
            unit: Some(unit.into()),
            inspected: None,
            folder_unit: Some(unit.into()),
            year: Some(2026),
            original_name: "phieu-bau.xlsx".into(),
            inbox_path: format!("inbox/{unit}/phieu-bau.xlsx").into(),
            stored_path: format!("archive/{unit}/phieu-bau-{}.xlsx", at.timestamp()).into(),
            hash: format!("{unit}{}", at.timestamp()),
            size: 10,
            received_at: at,
            mail: None,
        })
        .unwrap();
    l.finish(
        id,
        crate::io::ledger::Status::Accepted,
        &crate::io::ledger::Filed::default(),
        &[],
        at,
    )
    .unwrap();
}

/// The text of the minutes a close-vote run wrote (its PDF), by pdftotext.
fn minutes_text(done: &super::run::Done) -> String {
    let minutes = done
        .documents
        .iter()
        .find(|d| {
            std::path::Path::new(d)
                .extension()
                .is_some_and(|e| e == "pdf")
        })
        .unwrap();
    let text = std::process::Command::new("pdftotext")
        .args([minutes.as_str(), "-"])
        .output()
        .unwrap();
    String::from_utf8_lossy(&text.stdout).into_owned()
}

#[test]
fn close_vote_counts_only_the_ballots_received_by_its_time() {
    let w = World::new();
    let mut l = w.ledger();
    // Scheduled at 11:00 on the conference's day, run at 13:00 (caught up
    // after a restart): ballots taken in between do not count, and a
    // unit's later ballot does not hide the one it sent in time.
    let at = utc("2026-12-09T04:00:00Z");
    let hour = chrono::Duration::hours(1);
    assert!(!l.has_ballots(2026).unwrap());
    ballot(&mut l, "STP-THA", at - hour);
    assert!(l.has_ballots(2026).unwrap() && !l.has_ballots(2027).unwrap());
    ballot(&mut l, "STP-NAN", at - hour);
    ballot(&mut l, "STP-HUE", at + hour);
    ballot(&mut l, "STP-THA", at + hour);
    let done = w.fire(&mut l, JobKind::CloseVote, at, at + hour * 2);
    assert_eq!(done.error, None);
    assert_eq!(l.vote_closed(2026).unwrap(), Some(at));
    let mails = l.due(at + hour * 2, 10).unwrap();
    assert_eq!(mails.len(), 1);
    let m = &mails[0].mail;
    assert!(m.subject.ends_with(": 2/10 phiếu"), "{}", m.subject);
    assert!(
        m.body.contains("2/10 đơn vị đã gửi phiếu hợp lệ"),
        "{}",
        m.body
    );
    // The minutes say the same.
    let text = minutes_text(&done);
    assert!(text.contains("Số phiếu hợp lệ: 2;"), "{text}");
    assert_eq!(
        l.ballots_until(2026, Some(at))
            .unwrap()
            .iter()
            .map(|b| (b.voter.as_str(), b.received_at))
            .collect::<Vec<_>>(),
        [("STP-NAN", at - hour), ("STP-THA", at - hour)]
    );
}

#[test]
fn close_vote_papers_count_as_its_mail_when_a_later_close_was_recorded() {
    let w = World::new();
    let mut l = w.ledger();
    // Closed by hand at 14:00, then the 11:00 run caught up: its mail and
    // its minutes both count the ballots by 11:00, not one by each time.
    let at = utc("2026-12-09T04:00:00Z");
    let hour = chrono::Duration::hours(1);
    ballot(&mut l, "STP-THA", at - hour);
    ballot(&mut l, "STP-NAN", at - hour);
    ballot(&mut l, "STP-HUE", at + hour);
    l.close_vote(2026, at + hour * 3).unwrap();
    let done = w.fire(&mut l, JobKind::CloseVote, at, at + hour * 4);
    assert_eq!(done.error, None);
    let mails = l.due(at + hour * 4, 10).unwrap();
    assert_eq!(mails.len(), 1);
    assert!(
        mails[0].mail.subject.ends_with(": 2/10 phiếu"),
        "{}",
        mails[0].mail.subject
    );
    let text = minutes_text(&done);
    assert!(text.contains("Số phiếu hợp lệ: 2;"), "{text}");
}
