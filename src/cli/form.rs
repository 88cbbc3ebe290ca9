//! `thidua form`: the blank self-scoring workbook of a unit's type and
//! year, or with `--ballot` the unit's commendation ballot; with `--all`,
//! one per member unit into a folder.

use std::path::Path;

use chrono::Utc;

use super::args;
use super::exit::{Exit, Failure};
use super::output::progress;
use crate::app::papers::names;
use crate::config::Settings;
use crate::io::ledger::Ledger;
use crate::io::workbook::form::{FormSpec, write_form};

/// What `form` writes: with `unit`, that unit's file at `output`; without,
/// every member's into the folder `output`.
pub(super) fn form(
    settings: &Settings,
    unit: Option<&str>,
    year: Option<i32>,
    ballot: bool,
    output: &Path,
) -> Result<Exit, Failure> {
    match unit {
        Some(unit) => one(settings, unit, year, ballot, output),
        None => all(settings, year, ballot, output),
    }
}

fn one(
    settings: &Settings,
    unit: &str,
    year: Option<i32>,
    ballot: bool,
    output: &Path,
) -> Result<Exit, Failure> {
    if ballot {
        ballot_form(settings, unit, year, output)
    } else {
        blank_form(settings, unit, year, output)
    }
}

/// `form --all`: each member unit's form (or ballot) into the folder `dir`.
fn all(settings: &Settings, year: Option<i32>, ballot: bool, dir: &Path) -> Result<Exit, Failure> {
    let year = args::year(settings, year);
    let units: Vec<String> = settings
        .cluster
        .members(year)
        .map(|u| u.code.clone())
        .collect();
    if units.is_empty() {
        return Err(Failure::usage(format!(
            "--year: no member units in {year} ({})",
            settings.source
        )));
    }
    std::fs::create_dir_all(dir).map_err(|e| {
        Failure::runtime(format!("{}: cannot create the folder: {e}", dir.display()))
    })?;
    let pb = progress(units.len(), "Ghi mẫu");
    for code in &units {
        let name = if ballot {
            names::ballot(code, year)
        } else {
            names::form(code, year)
        };
        pb.suspend(|| one(settings, code, Some(year), ballot, &dir.join(name)))?;
        pb.inc(1);
    }
    pb.finish_and_clear();
    Ok(Exit::Done)
}

fn blank_form(
    settings: &Settings,
    unit: &str,
    year: Option<i32>,
    output: &Path,
) -> Result<Exit, Failure> {
    let cluster = &settings.cluster;
    let year = args::year(settings, year);
    let u = args::unit(settings, unit)?;
    if !u.exists_in(year) {
        return Err(Failure::usage(format!(
            "--unit: `{unit}` is not a member in {year} ({})",
            settings.source
        )));
    }
    let table = settings.tables.get(&u.unit_type, year).ok_or_else(|| {
        Failure::usage(format!(
            "--year: no criteria table for `{}` in {year}",
            u.unit_type
        ))
    })?;
    let spec = FormSpec {
        cluster_name: &cluster.name_in(year),
        table,
        unit: u,
        year,
    };
    write_form(output, &spec, None).map_err(|e| {
        Failure::runtime(format!("{}: cannot write the form: {e}", output.display()))
    })?;
    say!(
        "Đã ghi bảng tự chấm điểm năm {year} của {} ({}) vào {}: {} tiêu chí, tổng điểm chuẩn {}.",
        u.name_in(year),
        u.code,
        output.display(),
        table.leaves().count(),
        crate::domain::vn::format_number(table.max)
    );
    Ok(Exit::Done)
}

/// `form --ballot`: the unit's ballot with today's candidates.
fn ballot_form(
    settings: &Settings,
    unit: &str,
    year: Option<i32>,
    output: &Path,
) -> Result<Exit, Failure> {
    let year = args::year(settings, year);
    let u = settings.cluster.member(unit, year).ok_or_else(|| {
        Failure::usage(format!(
            "--unit: `{unit}` is not a member unit in {year} ({})",
            settings.source
        ))
    })?;
    let ledger = Ledger::open(&settings.paths.ledger)?;
    // The ledger, or building the workbook in memory: neither is the
    // caller's to correct.
    let bytes = crate::app::papers::ballot_form(settings, &ledger, u, year, Utc::now())
        .map_err(Failure::runtime)?;
    crate::io::atomic_file::write(output, &bytes).map_err(|e| {
        Failure::runtime(format!(
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
    Ok(Exit::Done)
}
