//! `thidua criteria import FILE --unit-type T --year N [-o OUT.toml]` and
//! `thidua criteria export --unit-type T --year N -o FILE.xlsx|.docx`: the
//! ministry's annex into a criteria table file, with what came from where
//! and every row that could not be read; and a table out as the ministry
//! prints it. Exit 0 done, 1 a row could not be read or a check failed,
//! 2 a usage or configuration error.

use std::io::Write;
use std::path::PathBuf;

use clap::Subcommand;

use super::exit::{Exit, Failure};
use crate::app::criteria::{CriteriaError, ExportFormat, ImportReport, ImportRequest};
use crate::config::Settings;
use crate::domain::criteria::Kind;
use crate::domain::criteria::annex::Severity;
use crate::domain::vn::format_number;

#[derive(Debug, Subcommand)]
pub enum Action {
    /// Read the ministry's annex (a table in .docx, .xlsx, .xls or .ods)
    /// into a criteria table file; name every row that could not be read
    /// (exit 1 if any). What an annex does not print (step, classes,
    /// indicators; title and decision when absent) comes from the latest
    /// earlier table of the unit type, or from the flags
    #[command(
        after_help = "Examples:\n  thidua criteria import Phu-luc-QD-536.docx --unit-type stp --year 2027\n  thidua criteria import phu-luc.xlsx --unit-type thads --year 2027 -o thads-2027.toml\n  thidua criteria import phu-luc.docx --unit-type stp --year 2027 --table 2 --decision \"Quyết định số 123/QĐ-BTP ngày 15/01/2027 của Bộ trưởng Bộ Tư pháp\"\n\nThen look at the form it gives: thidua form --unit STP-QTR --year 2027 -o x.xlsx"
    )]
    Import {
        /// The annex: .docx, .xlsx, .xls or .ods
        #[arg(value_name = "FILE")]
        file: PathBuf,
        /// The unit type the table is for (e.g. stp, thads)
        #[arg(long, value_name = "T")]
        unit_type: String,
        /// The year the table is for
        #[arg(long, value_name = "N")]
        year: i32,
        /// Where to write the table [default: <criteria folder>/T-N.toml, if it does not exist yet]
        #[arg(short = 'o', long = "output", value_name = "OUT.toml")]
        output: Option<PathBuf>,
        /// Read the n-th table of the file (a document's tables, a workbook's sheets) [default: the first with a criteria header]
        #[arg(long, value_name = "N")]
        table: Option<usize>,
        /// Take what the annex lacks from this table: a .toml file, or TYPE-YEAR of the configuration [default: the latest earlier table of the unit type]
        #[arg(long, value_name = "TABLE")]
        defaults_from: Option<String>,
        /// The table's step (0.25 or 0.5)
        #[arg(long, value_name = "STEP")]
        step: Option<f64>,
        /// The table's title
        #[arg(long)]
        title: Option<String>,
        /// The decision the table comes with ("Quyết định số …")
        #[arg(long)]
        decision: Option<String>,
        /// The classes, highest first: "Xuất sắc=90,Tốt=80,Khá=70,Trung bình=50,Yếu=0"
        #[arg(long, value_name = "NAME=PERCENT,…")]
        classes: Option<String>,
    },
    /// Write a year's table as the ministry prints it (.xlsx or .docx);
    /// importing that file gives back the same table
    #[command(
        after_help = "Examples:\n  thidua criteria export --unit-type stp --year 2026 -o bang-tieu-chi-stp-2026.docx\n  thidua criteria export --unit-type thads --year 2026 -o bang-tieu-chi-thads-2026.xlsx"
    )]
    Export {
        /// The unit type (e.g. stp, thads)
        #[arg(long, value_name = "T")]
        unit_type: String,
        /// The year
        #[arg(long, value_name = "N")]
        year: i32,
        /// The file to write: .xlsx or .docx
        #[arg(short = 'o', long = "output", value_name = "FILE")]
        output: PathBuf,
    },
}

fn failure(e: CriteriaError) -> Failure {
    match e {
        CriteriaError::Usage(message) => Failure::new(Exit::Usage, message),
        e @ CriteriaError::Unreadable { .. } => Failure::new(Exit::Rejected, e),
    }
}

/// Runs `thidua criteria …`.
pub fn run(settings: &Settings, action: Action) -> Result<Exit, Failure> {
    match action {
        Action::Import {
            file,
            unit_type,
            year,
            output,
            table,
            defaults_from,
            step,
            title,
            decision,
            classes,
        } => {
            let req = ImportRequest {
                file: &file,
                unit_type: &unit_type,
                year,
                output: output.as_deref(),
                table,
                defaults_from: defaults_from.as_deref(),
                step,
                title: title.as_deref(),
                decision: decision.as_deref(),
                classes: classes.as_deref(),
            };
            let today = chrono::Utc::now()
                .with_timezone(&crate::domain::time::TZ)
                .date_naive();
            let report = crate::app::criteria::import(settings, &req, today).map_err(failure)?;
            print_import(&file, &report);
            Ok(if report.failed() {
                Exit::Rejected
            } else {
                Exit::Done
            })
        }
        Action::Export {
            unit_type,
            year,
            output,
        } => {
            let (table, format) = crate::app::criteria::export(settings, &unit_type, year, &output)
                .map_err(failure)?;
            out(&format!(
                "Wrote the {} {year} table ({} criteria, {} to score, total {}) as the ministry prints it, as {}, to {}.",
                table.unit_type,
                table.criteria.len(),
                table.leaves().count(),
                format_number(table.max),
                match format {
                    ExportFormat::Xlsx => "a workbook",
                    ExportFormat::Docx => "a Word document",
                },
                output.display()
            ));
            Ok(Exit::Done)
        }
    }
}

/// A line on standard output; a closed pipe is not an error.
fn out(line: &str) {
    let _ = writeln!(std::io::stdout().lock(), "{line}");
}

fn print_import(file: &std::path::Path, r: &ImportReport) {
    let t = &r.imported;
    let leaves = t.items.iter().filter(|c| c.children.is_empty()).count();
    let bands: usize = t.items.iter().map(|c| c.bands.len()).sum();
    let parts: Vec<String> = t
        .items
        .iter()
        .filter(|c| c.parent.is_none())
        .map(|c| {
            let kind = match c.kind {
                Kind::Score => "",
                Kind::Bonus => " bonus",
                Kind::Deduction => " deduction",
            };
            format!("{}{kind} {}", c.number, format_number(c.max))
        })
        .collect();
    out(&format!(
        "Read {}{}: {} criteria ({leaves} to score), {bands} bands; {}; total {}.",
        file.display(),
        if t.found.is_empty() {
            String::new()
        } else {
            format!(", {}", t.found)
        },
        t.items.len(),
        if parts.is_empty() {
            "no parts".to_string()
        } else {
            parts.join(", ")
        },
        format_number(t.max)
    ));
    if !t.origins.is_empty() {
        out("Values and where they came from:");
        for o in &t.origins {
            let value: String = o.value.chars().take(60).collect();
            let more = if o.value.chars().count() > 60 {
                "…"
            } else {
                ""
            };
            out(&format!("  {:<10} {value}{more}  ← {}", o.key, o.from));
        }
    }
    let mut problems: Vec<_> = t.problems.iter().chain(r.after.iter()).collect();
    problems.sort_by_key(|p| std::cmp::Reverse(p.severity));
    for p in problems {
        out(&format!("{}: {p}", p.severity.as_str()));
    }
    let errors = t
        .problems
        .iter()
        .chain(r.after.iter())
        .filter(|p| p.severity == Severity::Error)
        .count();
    match (&r.written, &r.loaded) {
        (Some(path), Some(table)) => out(&format!(
            "Wrote {} ({} criteria, {} to score, total {}); thidua loads it.",
            path.display(),
            table.criteria.len(),
            table.leaves().count(),
            format_number(table.max)
        )),
        (Some(path), None) => out(&format!(
            "Wrote {} with what could be read; it is incomplete: fix the {errors} error(s) above in the annex and import again, or finish the file by hand.",
            path.display()
        )),
        (None, _) => out(&format!(
            "{errors} error(s): nothing was written. Fix the annex and import again, or give -o FILE.toml to write what was read and finish it by hand."
        )),
    }
    if r.written.is_some()
        && !r.failed()
        && let Some(look) = &r.look
    {
        out(&format!("Look at the form it gives: {look}"));
    }
}
