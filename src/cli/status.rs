//! `thidua status`: what the operator looks at first: which units have an
//! accepted workbook for each open year, each scheduled job's last and next
//! run, and the outbox with the mails that failed for good.

use super::exit::{Exit, Failure};
use super::output::emit;
use crate::app::overview::schedule_line;
use crate::config::Settings;
use crate::io::ledger::Ledger;

pub(super) fn status(settings: &Settings) -> Result<Exit, Failure> {
    let ledger = Ledger::open_read_only(&settings.paths.ledger)?;
    let view = crate::app::overview::read(settings, &ledger, chrono::Utc::now())?;
    let mut text = String::new();
    let samples = crate::app::overview::sample_tables(settings);
    if !samples.is_empty() {
        use std::fmt::Write as _;
        writeln!(
            text,
            "Cảnh báo: đang dùng bảng tiêu chí MẪU (sample = true): {}. Điểm và văn bản chỉ là mẫu; thay bằng bảng tiêu chí thật trong thư mục criteria.",
            samples.join(", ")
        )
        .map_err(Failure::runtime)?;
    }
    write_status(&mut text, &view).map_err(Failure::runtime)?;
    emit(&text);
    Ok(Exit::Done)
}

fn write_status(out: &mut String, view: &crate::app::overview::Overview) -> std::fmt::Result {
    use std::fmt::Write as _;
    for y in &view.years {
        writeln!(
            out,
            "Năm {} (hạn nộp {}): {}/{} đơn vị đã nộp",
            y.year, y.deadline, y.submitted, y.members
        )?;
        for u in y.units.iter().filter(|u| u.accepted.is_some()) {
            let a = u.accepted.as_ref().expect("filtered");
            writeln!(
                out,
                "  {:<10} đã nộp      {}  tự chấm {}  ({}, {})",
                u.code,
                a.received,
                a.self_total.as_deref().unwrap_or(""),
                a.file,
                a.via
            )?;
        }
        for u in y.units.iter().filter(|u| u.accepted.is_none()) {
            // A unit whose workbook was refused sent something: not
            // "chưa nộp" like one that sent nothing.
            let state = if u.state == "rejected" {
                "bị từ chối"
            } else {
                "chưa nộp"
            };
            match &u.last {
                Some(l) => writeln!(
                    out,
                    "  {:<10} {state:<11} tệp gần nhất {}, {} ({}, {})",
                    u.code, l.received, l.outcome, l.file, l.via
                )?,
                None => writeln!(out, "  {:<10} {state}", u.code)?,
            }
        }
    }
    writeln!(out, "Công việc theo lịch:")?;
    if view.jobs.is_empty() {
        writeln!(out, "  (không có công việc nào trong [[jobs]])")?;
    }
    for j in &view.jobs {
        writeln!(out, "{}", schedule_line(&j.name, &j.schedule, &j.next))?;
        writeln!(
            out,
            "      lần gần nhất: {}",
            j.last.as_deref().unwrap_or("chưa chạy")
        )?;
    }
    let o = &view.outbox;
    writeln!(
        out,
        "Hộp thư đi: {} chờ gửi, {} đã gửi, {} lỗi",
        o.pending, o.sent, o.failed
    )?;
    if let Some(age) = &o.oldest_waiting {
        writeln!(out, "  thư chờ lâu nhất đã chờ {age}")?;
    }
    for f in &o.failures {
        writeln!(
            out,
            "  lỗi (số {}): {} → {} ({} lần): {}",
            f.id, f.subject, f.to, f.attempts, f.error
        )?;
    }
    if !o.failures.is_empty() {
        writeln!(
            out,
            "  Gửi lại: thidua mail retry --failed (hoặc thidua mail retry SỐ…)"
        )?;
    }
    Ok(())
}
