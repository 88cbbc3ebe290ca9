//! `thidua report KIND`: writes one document now, as the PDF to sign or
//! (`--format docx`) the same document as a Word file to edit: the ranking
//! report, a unit's score sheet, the next year's agreement, the Tờ trình
//! to the ministry or the vote's minutes, dated `--date` or by its event.

use std::path::Path;

use chrono::Utc;

use super::args;
use super::exit::{Exit, Failure};
use crate::app::papers::{self, Format, PaperError};
use crate::config::Settings;
use crate::io::ledger::Ledger;
use crate::io::pdf::Documents;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportKind {
    /// Kết quả chấm điểm, xếp hạng thi đua (provisional unless --final)
    Ranking,
    /// Phiếu chấm điểm of one unit (needs --unit)
    Sheet,
    /// Bản giao ước thi đua of the next year
    Agreement,
    /// Tờ trình đề nghị khen thưởng to the ministry
    Proposals,
    /// Biên bản kiểm phiếu of the commendation vote
    Minutes,
}

/// The file `report` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportFormat {
    /// The PDF to sign and file
    Pdf,
    /// The same document as a Word file (.docx), to edit before signing
    Docx,
}

impl ReportFormat {
    /// `--format`, else what the output's name ends with (`.docx` is a
    /// Word file; anything else a PDF).
    pub fn or_from(format: Option<ReportFormat>, output: &Path) -> Format {
        let docx = match format {
            Some(f) => f == ReportFormat::Docx,
            None => output
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("docx")),
        };
        if docx { Format::Docx } else { Format::Pdf }
    }
}

pub struct Request<'a> {
    pub kind: ReportKind,
    pub year: Option<i32>,
    pub unit: Option<&'a str>,
    pub is_final: bool,
    pub format: Format,
    /// The date printed on it; `None`: the event's (the conference), else today.
    pub date: Option<chrono::NaiveDate>,
    pub output: &'a Path,
}

pub fn report(settings: &Settings, req: &Request) -> Result<Exit, Failure> {
    let year = args::planned_year(settings, req.year)?;
    if req.kind != ReportKind::Sheet && req.unit.is_some() {
        return Err(Failure::usage("--unit: only `report sheet` takes a unit"));
    }
    let docs = Documents::load(settings.paths.templates.as_deref()).map_err(Failure::usage)?;
    let today = crate::domain::time::local(Utc::now()).date_naive();
    // The papers of the conference carry its date; the others today's.
    let dated = |of_event: bool| {
        req.date.unwrap_or(if of_event {
            papers::event_date(settings, year, today)
        } else {
            today
        })
    };
    let open_ledger = || Ledger::open_read_only(&settings.paths.ledger);
    // What the year has not produced yet (a sheet without an accepted
    // workbook, minutes without a counted ballot) exits 1; what the
    // configuration lacks (a member, a table, a `[[years]]` entry) exits 2.
    let fail = |e: PaperError| match e {
        PaperError::NotYet(m) => Failure::new(Exit::Rejected, m),
        PaperError::Missing(m) => Failure::usage(m),
        other => Failure::runtime(other),
    };
    let (paper, what) = match req.kind {
        ReportKind::Ranking => {
            let ledger = open_ledger()?;
            let paper = papers::ranking(
                settings,
                &ledger,
                &docs,
                year,
                !req.is_final,
                dated(req.is_final),
            )
            .map_err(fail)?;
            let state = if req.is_final {
                "chính thức"
            } else {
                "dự kiến"
            };
            (
                paper,
                format!("báo cáo kết quả xếp hạng thi đua năm {year} ({state})"),
            )
        }
        ReportKind::Sheet => {
            let unit = req
                .unit
                .ok_or_else(|| Failure::usage("--unit: `report sheet` needs the unit's code"))?;
            args::unit(settings, unit)?;
            let ledger = open_ledger()?;
            let paper =
                papers::sheet(settings, &ledger, &docs, unit, year, dated(false)).map_err(fail)?;
            (paper, format!("phiếu chấm điểm năm {year} của {unit}"))
        }
        ReportKind::Agreement => {
            let paper = papers::agreement(settings, &docs, year, dated(true)).map_err(fail)?;
            (paper, format!("bản giao ước thi đua năm {}", year + 1))
        }
        ReportKind::Proposals => {
            let ledger = open_ledger()?;
            let result = crate::app::standings::standings(settings, &ledger, year)?;
            let paper =
                papers::proposals_in(settings, &docs, &result, dated(true)).map_err(fail)?;
            (paper, format!("tờ trình đề nghị khen thưởng năm {year}"))
        }
        ReportKind::Minutes => {
            let ledger = open_ledger()?;
            let result = crate::app::standings::standings(settings, &ledger, year)?;
            let paper =
                papers::minutes_in(settings, &ledger, &docs, &result, dated(true)).map_err(fail)?;
            (paper, format!("biên bản kiểm phiếu năm {year}"))
        }
    };
    let bytes = paper.bytes(&docs, req.format).map_err(fail)?;
    let kind = match req.format {
        Format::Pdf => "PDF",
        Format::Docx => "Word",
    };
    crate::io::atomic_file::write(req.output, &bytes).map_err(|e| {
        Failure::runtime(format!(
            "{}: cannot write the {kind} file: {e}",
            req.output.display()
        ))
    })?;
    say!(
        "Đã ghi {what} ({}) vào {} ({} byte).",
        req.format.extension(),
        req.output.display(),
        crate::domain::vn::format_number(bytes.len() as f64)
    );
    Ok(Exit::Done)
}
