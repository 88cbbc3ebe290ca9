//! What the operator looks at: each open year's units and where their
//! submissions stand, the provisional ranking per unit type, the scheduled
//! jobs and the outbox. `thidua status` prints it; the status page shows it.
//! Everything comes from the configuration and the ledger, read only.

use std::fmt::Write as _;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::config::Settings;
use crate::domain::time::format_time;
use crate::domain::vn::{format_date, format_number};
use crate::io::ledger::{JobOutcome, JobRun, Ledger, LedgerError, Status};

#[derive(Debug, Serialize)]
pub struct Overview {
    pub cluster: String,
    /// When this view was read, in Viet Nam's time.
    pub at: String,
    pub years: Vec<YearView>,
    pub jobs: Vec<JobView>,
    pub outbox: OutboxView,
}

#[derive(Debug, Serialize)]
pub struct YearView {
    pub year: i32,
    pub deadline: String,
    pub members: usize,
    /// Units with an accepted self-scoring workbook.
    pub submitted: usize,
    pub units: Vec<UnitView>,
    pub ranking: Vec<TypeRanking>,
}

#[derive(Debug, Serialize)]
pub struct UnitView {
    pub code: String,
    pub name: String,
    /// `submitted`, `rejected` (its latest file was refused and none is
    /// accepted yet) or `missing`.
    pub state: &'static str,
    /// The same in Vietnamese.
    pub state_vn: &'static str,
    /// The accepted self-scoring that counts: when, which file, its total.
    pub accepted: Option<FileView>,
    /// The latest file the unit sent, of any kind and outcome.
    pub last: Option<FileView>,
}

#[derive(Debug, Serialize)]
pub struct FileView {
    pub file: String,
    pub received: String,
    /// `accepted` or `rejected`, in Vietnamese.
    pub outcome: &'static str,
    pub self_total: Option<String>,
    /// How it came, in Vietnamese: by mail from an address, or into the inbox folder.
    pub via: String,
}

#[derive(Debug, Serialize)]
pub struct TypeRanking {
    pub name: String,
    pub rows: Vec<RankRow>,
    /// Units of the type that sent no self-scoring workbook.
    pub missing: Vec<String>,
    /// Units of the type whose workbook was refused, none accepted yet.
    pub rejected: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct RankRow {
    pub rank: u32,
    pub code: String,
    pub name: String,
    pub total: String,
    pub class: String,
    pub proposal: String,
}

#[derive(Debug, Serialize)]
pub struct JobView {
    pub name: String,
    pub schedule: String,
    /// The next run, or why there is none.
    pub next: String,
    /// The latest run described, if any.
    pub last: Option<String>,
    /// `ok`, `failed`, `skipped`, `running`, `requested`, or empty.
    pub last_outcome: String,
}

#[derive(Debug, Serialize)]
pub struct OutboxView {
    pub pending: i64,
    pub sent: i64,
    pub failed: i64,
    /// How long the oldest mail still waiting has waited ("2 giờ 5 phút"),
    /// when one waits: a mail server down for long shows here.
    pub oldest_waiting: Option<String>,
    /// The latest failed mails (at most 20).
    pub failures: Vec<FailedMail>,
}

#[derive(Debug, Serialize)]
pub struct FailedMail {
    /// The outbox id, for `thidua mail retry ID`.
    pub id: i64,
    pub subject: String,
    pub to: String,
    pub attempts: u32,
    pub error: String,
}

/// A wait in words: "40 giây", "5 phút", "2 giờ 5 phút", "3 ngày 4 giờ".
pub fn waited(secs: i64) -> String {
    let s = secs.max(0);
    let (d, h, m) = (s / 86_400, s % 86_400 / 3600, s % 3600 / 60);
    match (d, h, m) {
        (0, 0, 0) => format!("{s} giây"),
        (0, 0, m) => format!("{m} phút"),
        (0, h, 0) => format!("{h} giờ"),
        (0, h, m) => format!("{h} giờ {m} phút"),
        (d, 0, _) => format!("{d} ngày"),
        (d, h, _) => format!("{d} ngày {h} giờ"),
    }
}

/// A time shown in Viet Nam's time ("—" if absent).
pub fn when(t: Option<DateTime<Utc>>) -> String {
    t.map_or_else(|| "—".to_string(), format_time)
}

/// One line about a job run.
pub fn describe(r: &JobRun) -> String {
    let outcome = match r.outcome {
        JobOutcome::Ok => "xong",
        JobOutcome::Failed => "lỗi",
        JobOutcome::Skipped => "bỏ qua",
        JobOutcome::Running => "đang chạy",
        JobOutcome::Requested => "chờ chạy",
    };
    let mut s = format!(
        "lịch {} — bắt đầu {} — {outcome}",
        when(r.scheduled_at),
        when(Some(r.started_at)),
    );
    if r.outcome == JobOutcome::Ok {
        let _ = write!(s, ", {} văn bản, {} thư", r.documents.len(), r.emails);
    }
    if let Some(d) = &r.detail {
        let _ = write!(s, ": {d}");
    }
    s
}

/// A job's schedule and next time, as `thidua job NAME` and `thidua
/// status` show it.
pub fn schedule_line(name: &str, schedule: &str, next: &str) -> String {
    format!("  {name:<12} \"{schedule}\"  lần tới: {next}")
}

/// A job that has no `[[jobs]]` entry, on the same line.
pub fn unscheduled_line(name: &str) -> String {
    format!("  {name:<12} không có trong [[jobs]]: chỉ chạy tay (--now)")
}

/// A job's next run after `now`, or why there is none.
pub fn next_run(spec: &crate::domain::schedule::JobSpec, now: DateTime<Utc>) -> String {
    if spec.enabled {
        spec.schedule
            .next_after(now)
            .map_or_else(|| "không còn lần nào".to_string(), format_time)
    } else {
        "tắt (enabled = false)".to_string()
    }
}

fn file_view(s: &crate::io::ledger::Submission) -> FileView {
    FileView {
        file: s.original_name.clone(),
        received: format_time(s.received_at),
        outcome: match s.status {
            Status::Accepted => "được nhận",
            Status::Duplicate => "trùng tệp trước",
            _ => "bị từ chối",
        },
        self_total: s.self_total.map(format_number),
        via: match &s.mail_sender {
            Some(from) => format!("qua thư điện tử từ {from}"),
            None => "qua thư mục".to_string(),
        },
    }
}

/// Reads the overview at `now`.
pub fn read(
    settings: &Settings,
    ledger: &Ledger,
    now: DateTime<Utc>,
) -> Result<Overview, LedgerError> {
    let mut years = Vec::new();
    for &year in &settings.cluster.open_years {
        let deadline = settings
            .cluster
            .year(year)
            .map(|y| format_date(y.deadline))
            .unwrap_or_default();
        let mut units = Vec::new();
        for u in settings.cluster.members(year) {
            let accepted = ledger.latest_accepted(&u.code, year)?;
            let last = ledger.latest_filed(Some(&u.code), Some(year))?;
            // The state is about the self-scoring workbook only; the latest
            // file may be a cross-check or a ballot the unit sent.
            let (state, state_vn) = if accepted.is_some() {
                ("submitted", "đã nộp")
            } else if ledger.latest_self_scoring(&u.code, year)?.is_some() {
                ("rejected", "bị từ chối, chưa có bảng hợp lệ")
            } else {
                ("missing", "chưa nộp")
            };
            units.push(UnitView {
                code: u.code.clone(),
                name: u.name_in(year).to_string(),
                state,
                state_vn,
                accepted: accepted.as_ref().map(file_view),
                last: last.as_ref().map(file_view),
            });
        }
        let result = crate::app::standings::standings(settings, ledger, year)?;
        let ranking = result
            .types
            .iter()
            .map(|t| {
                let absent = result.absent(t);
                TypeRanking {
                    name: t.name.clone(),
                    rows: t
                        .ranking
                        .iter()
                        .map(|r| RankRow {
                            rank: r.rank,
                            code: r.scored.unit.clone(),
                            name: r.scored.name.clone(),
                            total: format_number(r.scored.total.as_f64()),
                            class: r.scored.class.clone().unwrap_or_default(),
                            proposal: r
                                .proposal
                                .as_ref()
                                .map(|p| p.name.clone())
                                .unwrap_or_default(),
                        })
                        .collect(),
                    missing: absent.0,
                    rejected: absent.1,
                }
            })
            .collect();
        years.push(YearView {
            year,
            deadline,
            members: units.len(),
            submitted: units.iter().filter(|u| u.state == "submitted").count(),
            units,
            ranking,
        });
    }
    let mut jobs = Vec::new();
    for spec in &settings.jobs {
        let last = ledger.job_history(spec.kind, 1)?.into_iter().next();
        jobs.push(JobView {
            name: spec.kind.name().to_string(),
            schedule: spec.schedule.expr.clone(),
            next: next_run(spec, now),
            last: last.as_ref().map(describe),
            last_outcome: last
                .map(|r| r.outcome.as_str().to_string())
                .unwrap_or_default(),
        });
    }
    let c = ledger.outbox_counts()?;
    let failures = ledger
        .failed_mails()?
        .into_iter()
        .take(20)
        .map(|row| FailedMail {
            id: row.id,
            subject: row.mail.subject,
            to: row.mail.to.join(", "),
            attempts: row.attempts,
            error: row.last_error.unwrap_or_default(),
        })
        .collect();
    Ok(Overview {
        cluster: settings.cluster.name_in(settings.cluster.current_year()),
        at: format_time(now),
        years,
        jobs,
        outbox: OutboxView {
            pending: c.pending,
            sent: c.sent,
            failed: c.failed,
            oldest_waiting: ledger
                .oldest_waiting()?
                .map(|t| waited((now - t).num_seconds())),
            failures,
        },
    })
}

/// The criteria tables of the open years marked `sample = true` ("stp
/// 2026"): while any is in use, scores and papers are only a sample, and
/// the daemon and `thidua status` say so.
pub fn sample_tables(settings: &Settings) -> Vec<String> {
    settings
        .tables
        .iter()
        .filter(|t| t.sample && settings.cluster.is_open(t.year))
        .map(|t| format!("{} {}", t.unit_type, t.year))
        .collect()
}
