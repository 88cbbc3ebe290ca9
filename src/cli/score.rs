//! `thidua score`: the ranking per unit type as it stands, as tables or
//! JSON, and (`--xlsx`) as a workbook.

use std::io::Write;
use std::path::Path;

use super::args;
use super::exit::{Exit, Failure};
use crate::config::Settings;
use crate::io::ledger::Ledger;

pub(super) fn score(
    settings: &Settings,
    year: Option<i32>,
    json: bool,
    xlsx: Option<&Path>,
) -> Result<Exit, Failure> {
    let year = args::planned_year(settings, year)?;
    let ledger = Ledger::open_read_only(&settings.paths.ledger)?;
    let result = crate::app::standings::standings(settings, &ledger, year)?;
    if let Some(path) = xlsx {
        ranking_workbook(settings, &result, path)?;
    }
    let mut out = std::io::stdout().lock();
    let written = if json {
        serde_json::to_writer_pretty(&mut out, &result)
            .map_err(std::io::Error::from)
            .and_then(|()| writeln!(out))
    } else {
        write_ranking(&mut out, &result)
    };
    written.map_err(|e| Failure::runtime(format!("cannot write the output: {e}")))?;
    Ok(Exit::Done)
}

/// The ranking as a workbook: a sheet per unit type and one of the year's
/// figures.
fn ranking_workbook(
    settings: &Settings,
    result: &crate::app::standings::Standings,
    output: &Path,
) -> Result<(), Failure> {
    let bytes = crate::app::ranking_book::workbook(settings, result).map_err(|e| {
        Failure::runtime(format!(
            "{}: cannot make the workbook: {e}",
            output.display()
        ))
    })?;
    crate::io::atomic_file::write(output, &bytes).map_err(|e| {
        Failure::runtime(format!(
            "{}: cannot write the workbook: {e}",
            output.display()
        ))
    })?;
    Ok(())
}

fn write_ranking(
    out: &mut impl Write,
    r: &crate::domain::scoring::YearResult,
) -> std::io::Result<()> {
    for t in &r.types {
        writeln!(out, "{} — năm {} (điểm chuẩn {})", t.name, r.year, t.max)?;
        let parts: Vec<&str> = t
            .ranking
            .first()
            .map(|x| {
                x.scored
                    .groups
                    .iter()
                    .filter(|g| !g.code.contains('.'))
                    .map(|g| g.number.as_str())
                    .collect()
            })
            .unwrap_or_default();
        write!(out, "  {:<5} {:<10} {:>8}", "Hạng", "Đơn vị", "Tổng")?;
        for p in &parts {
            write!(out, " {p:>7}")?;
        }
        writeln!(out, "  {:<11} Đề nghị", "Xếp loại")?;
        for x in &t.ranking {
            let rank = if x.tie_break.is_some() {
                format!("{}=", x.rank)
            } else {
                x.rank.to_string()
            };
            write!(
                out,
                "  {:<5} {:<10} {:>8}",
                rank,
                x.scored.unit,
                x.scored.total.vi()
            )?;
            for g in x.scored.groups.iter().filter(|g| !g.code.contains('.')) {
                write!(out, " {:>7}", g.total.vi())?;
            }
            let class = match (&x.scored.class, x.scored.capped) {
                (Some(c), true) => format!("{c}*"),
                (Some(c), false) => c.clone(),
                (None, _) => "-".into(),
            };
            writeln!(
                out,
                "  {:<11} {}",
                class,
                x.proposal.as_ref().map_or("", |p| p.name.as_str())
            )?;
        }
        for x in t.ranking.iter().filter(|x| x.tie_break.is_some()) {
            writeln!(
                out,
                "  = {}: {}",
                x.scored.unit,
                x.tie_break.as_deref().unwrap_or("")
            )?;
        }
        for x in t.ranking.iter().filter(|x| x.scored.capped) {
            writeln!(
                out,
                "  * {}: không đạt điều kiện bắt buộc {}",
                x.scored.unit,
                x.scored.unmet_hard.join(", ")
            )?;
        }
        for x in &t.ranking {
            for a in &x.scored.adjustments {
                writeln!(
                    out,
                    "  Kiểm tra chéo {}: {} tiêu chí {} ({}) {} → {}: {}",
                    a.inspector,
                    x.scored.unit,
                    a.number,
                    a.criterion,
                    a.self_score,
                    a.verified,
                    a.reason
                )?;
            }
        }
        if !t.missing.is_empty() {
            let names: Vec<String> = t
                .missing
                .iter()
                .map(|m| format!("{} ({})", m.unit, m.name))
                .collect();
            writeln!(
                out,
                "  Chưa có bảng tự chấm được tiếp nhận: {}",
                names.join(", ")
            )?;
        }
        writeln!(out)?;
    }
    Ok(())
}
