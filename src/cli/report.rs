//! `thidua report KIND`: writes one document now, as the PDF to sign or
//! (`--format docx`) the same document as a Word file to edit; and the
//! ranking's workbook that `thidua score --xlsx` writes.

use std::path::Path;

use chrono::Utc;

use super::Failure;
use crate::app::papers::{self, Format, PaperError};
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
    /// Tờ trình đề nghị khen thưởng to the ministry (from the final ranking)
    Proposals,
    /// Biên bản of the commendation vote (once ballots were counted)
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
    let (paper, what) = match req.kind {
        ReportKind::Ranking => {
            let ledger = open_ledger()?;
            let paper = papers::ranking(settings, &ledger, &docs, year, !req.is_final, today)
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
            if settings.cluster.unit(unit).is_none() {
                return Err(Failure::usage(format!(
                    "--unit: `{unit}` is not a unit code of {}",
                    settings.source
                )));
            }
            let ledger = open_ledger()?;
            let paper = papers::sheet(settings, &ledger, &docs, unit, year, today).map_err(fail)?;
            (paper, format!("phiếu chấm điểm năm {year} của {unit}"))
        }
        ReportKind::Agreement => {
            let paper = papers::agreement(settings, &docs, year, today).map_err(fail)?;
            (paper, format!("bản giao ước thi đua năm {}", year + 1))
        }
        ReportKind::Proposals => {
            let ledger = open_ledger()?;
            let result = crate::app::standings::standings(settings, &ledger, year)
                .map_err(|e| Failure::usage(e.to_string()))?;
            let paper = papers::proposals_in(settings, &docs, &result, today).map_err(fail)?;
            (paper, format!("tờ trình đề nghị khen thưởng năm {year}"))
        }
        ReportKind::Minutes => {
            let ledger = open_ledger()?;
            let result = crate::app::standings::standings(settings, &ledger, year)
                .map_err(|e| Failure::usage(e.to_string()))?;
            let paper =
                papers::minutes_in(settings, &ledger, &docs, &result, today).map_err(fail)?;
            (paper, format!("biên bản bầu chọn khen thưởng năm {year}"))
        }
    };
    let bytes = paper.bytes(&docs, req.format).map_err(fail)?;
    let kind = match req.format {
        Format::Pdf => "PDF",
        Format::Docx => "Word",
    };
    crate::io::atomic_file::write(req.output, &bytes).map_err(|e| {
        Failure::usage(format!(
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
    Ok(0)
}

/// `thidua score --xlsx FILE`: the ranking as a workbook, a sheet per unit
/// type and one of the year's figures.
pub fn ranking_workbook(
    settings: &Settings,
    result: &crate::app::standings::Standings,
    output: &Path,
) -> Result<(), Failure> {
    let bytes = crate::app::ranking_book::workbook(settings, result).map_err(|e| {
        Failure::usage(format!(
            "{}: cannot make the workbook: {e}",
            output.display()
        ))
    })?;
    crate::io::atomic_file::write(output, &bytes).map_err(|e| {
        Failure::usage(format!(
            "{}: cannot write the workbook: {e}",
            output.display()
        ))
    })?;
    Ok(())
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
