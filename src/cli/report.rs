//! `thidua report KIND`: writes one document now, as PDF: the ranking
//! report, a unit's score sheet, or the next year's agreement.

use std::path::Path;

use chrono::Utc;

use super::args;
use super::exit::{Exit, Failure};
use crate::app::papers::{self, PaperError};
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
}

pub struct Request<'a> {
    pub kind: ReportKind,
    pub year: Option<i32>,
    pub unit: Option<&'a str>,
    pub is_final: bool,
    pub output: &'a Path,
}

pub fn report(settings: &Settings, req: &Request) -> Result<Exit, Failure> {
    let year = args::planned_year(settings, req.year)?;
    if req.kind != ReportKind::Sheet && req.unit.is_some() {
        return Err(Failure::usage("--unit: only `report sheet` takes a unit"));
    }
    let docs = Documents::load(settings.paths.templates.as_deref()).map_err(Failure::usage)?;
    let today = crate::domain::time::local(Utc::now()).date_naive();
    let open_ledger = || Ledger::open_read_only(&settings.paths.ledger);
    // What the document needs and is not there: for a score sheet (whose
    // unit, membership and table are checked below) the unit's accepted
    // workbook, the one case README gives exit 1; for the agreement, the
    // next year's `[[years]]` entry, the configuration's to add.
    let fail = |e: PaperError| match e {
        PaperError::Missing(m) if req.kind == ReportKind::Sheet => Failure::new(Exit::Rejected, m),
        PaperError::Missing(m) => Failure::usage(m),
        other => Failure::runtime(other),
    };
    let (bytes, what) = match req.kind {
        ReportKind::Ranking => {
            let ledger = open_ledger()?;
            let pdf = papers::ranking(settings, &ledger, &docs, year, !req.is_final, today)
                .map_err(fail)?;
            let state = if req.is_final {
                "chính thức"
            } else {
                "dự kiến"
            };
            (
                pdf,
                format!("báo cáo kết quả xếp hạng thi đua năm {year} ({state})"),
            )
        }
        ReportKind::Sheet => {
            let unit = req
                .unit
                .ok_or_else(|| Failure::usage("--unit: `report sheet` needs the unit's code"))?;
            args::unit(settings, unit)?;
            // In the words papers::sheet would use, so that what it finds
            // missing can only be the accepted workbook.
            let u = settings.cluster.member(unit, year).ok_or_else(|| {
                Failure::usage(format!("--unit: {unit} is not a member unit in {year}"))
            })?;
            if settings.tables.get(&u.unit_type, year).is_none() {
                return Err(Failure::usage(format!(
                    "no criteria table for {} in {year}",
                    u.unit_type
                )));
            }
            let ledger = open_ledger()?;
            let pdf = papers::sheet(settings, &ledger, &docs, unit, year, today).map_err(fail)?;
            (pdf, format!("phiếu chấm điểm năm {year} của {unit}"))
        }
        ReportKind::Agreement => {
            let pdf = papers::agreement(settings, &docs, year, today).map_err(fail)?;
            (pdf, format!("bản giao ước thi đua năm {}", year + 1))
        }
    };
    crate::io::atomic_file::write(req.output, &bytes).map_err(|e| {
        Failure::runtime(format!(
            "{}: cannot write the PDF: {e}",
            req.output.display()
        ))
    })?;
    say!(
        "Đã ghi {what} vào {} ({} byte).",
        req.output.display(),
        crate::domain::vn::format_number(bytes.len() as f64)
    );
    Ok(Exit::Done)
}
