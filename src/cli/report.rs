//! `thidua report KIND`: writes one document now, as PDF.

use std::path::Path;

use chrono::Utc;

use super::Failure;
use crate::app::papers::{self, PaperError};
use crate::config::Settings;
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

pub fn report(settings: &Settings, req: &Request) -> Result<u8, Failure> {
    let year = req.year.unwrap_or_else(|| settings.cluster.current_year());
    if settings.cluster.year(year).is_none() {
        return Err(Failure::usage(format!(
            "--year: {year} has no [[years]] entry in {}",
            settings.source
        )));
    }
    if req.kind != ReportKind::Sheet && req.unit.is_some() {
        return Err(Failure::usage("--unit: only `report sheet` takes a unit"));
    }
    let docs = Documents::load(settings.paths.templates.as_deref())
        .map_err(|e| Failure::usage(e.to_string()))?;
    let today = crate::domain::time::local(Utc::now()).date_naive();
    let open_ledger = || {
        crate::io::ledger::Ledger::open(&settings.paths.ledger)
            .map_err(|e| Failure::usage(e.to_string()))
    };
    let fail = |e: PaperError| match e {
        PaperError::Missing(m) => Failure {
            code: 1,
            message: m,
        },
        other => Failure::usage(other.to_string()),
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
            if settings.cluster.unit(unit).is_none() {
                return Err(Failure::usage(format!(
                    "--unit: `{unit}` is not a unit code of {}",
                    settings.source
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
        Failure::usage(format!(
            "{}: cannot write the PDF: {e}",
            req.output.display()
        ))
    })?;
    say!(
        "Đã ghi {what} vào {} ({} byte).",
        req.output.display(),
        crate::domain::vn::format_number(bytes.len() as f64)
    );
    Ok(0)
}

/// `thidua form --ballot`: the unit's ballot with today's candidates.
pub fn ballot(
    settings: &Settings,
    unit: &str,
    year: Option<i32>,
    output: &Path,
) -> Result<u8, Failure> {
    let year = year.unwrap_or_else(|| settings.cluster.current_year());
    let u = settings.cluster.member(unit, year).ok_or_else(|| {
        Failure::usage(format!(
            "--unit: `{unit}` is not a member unit in {year} ({})",
            settings.source
        ))
    })?;
    let ledger = crate::io::ledger::Ledger::open(&settings.paths.ledger)
        .map_err(|e| Failure::usage(e.to_string()))?;
    let bytes = papers::ballot_form(settings, &ledger, u, year, Utc::now())
        .map_err(|e| Failure::usage(e.to_string()))?;
    crate::io::atomic_file::write(output, &bytes).map_err(|e| {
        Failure::usage(format!(
            "{}: cannot write the ballot: {e}",
            output.display()
        ))
    })?;
    say!(
        "Đã ghi phiếu bầu chọn khen thưởng năm {year} của {} ({}) vào {}.",
        u.name_in(year),
        u.code,
        output.display()
    );
    Ok(0)
}
