//! A filled cross-check workbook ("Biên bản kiểm tra chéo") in the layout
//! of the contract: sheet `Kiểm tra chéo`, the inspector, the inspected
//! unit and the year as labelled values, then one row per criterion looked
//! at, with the self score, the verified score and the reason. `thidua
//! init` writes a blank one (every leaf criterion of the inspected unit's
//! table) for each assigned pair; the demo writes filled ones.

use super::style;
use rust_xlsxwriter::{Workbook, XlsxError};

use crate::domain::criteria::Table;
use crate::domain::submission::{Heading, Label, SHEET_CROSS};

/// One criterion looked at: the self score found and the score verified
/// (both blank on a blank form).
#[derive(Debug, Clone, PartialEq)]
pub struct CheckedRow {
    pub code: String,
    pub self_score: Option<f64>,
    pub verified: Option<f64>,
    /// Required when the verified score differs from the self score.
    pub reason: String,
}

#[derive(Debug, Clone)]
pub struct CrosscheckSpec<'a> {
    pub cluster_name: &'a str,
    pub table: &'a Table,
    pub inspector: &'a str,
    pub inspected: &'a str,
    pub year: i32,
    pub rows: &'a [CheckedRow],
}

/// The rows of a blank form: every leaf criterion of `table`.
pub fn blank_rows(table: &Table) -> Vec<CheckedRow> {
    table
        .leaves()
        .map(|i| CheckedRow {
            code: table.criteria[i].code.clone(),
            self_score: None,
            verified: None,
            reason: String::new(),
        })
        .collect()
}

/// The workbook as `.xlsx` bytes.
pub fn crosscheck_bytes(spec: &CrosscheckSpec<'_>) -> Result<Vec<u8>, XlsxError> {
    let base = style::base();
    let bold = base.clone().set_bold();
    let cell = style::cell().set_text_wrap();
    let heading = style::heading();
    let number = cell.clone().set_num_format("0.##");

    let mut book = Workbook::new();
    let ws = book.add_worksheet().set_name(SHEET_CROSS)?;
    ws.set_column_width(0, 6)?;
    ws.set_column_width(1, 12)?;
    ws.set_column_width(2, 50)?;
    ws.set_column_width(3, 11)?;
    ws.set_column_width(4, 11)?;
    ws.set_column_width(5, 40)?;
    ws.write_with_format(
        0,
        0,
        "BIÊN BẢN KIỂM TRA CHÉO",
        &bold.clone().set_font_size(14),
    )?;
    ws.write_with_format(1, 0, spec.cluster_name, &base)?;
    for (row, label, value) in [
        (2, Label::Inspector.printed(), spec.inspector),
        (3, Label::Inspected.printed(), spec.inspected),
    ] {
        ws.write_with_format(row, 0, label, &bold)?;
        ws.write_with_format(row, 2, value, &base)?;
    }
    ws.write_with_format(4, 0, Label::Year.printed(), &bold)?;
    ws.write_with_format(4, 2, f64::from(spec.year), &base)?;
    // The headings the reader looks for, spelled as it spells them.
    for (col, h) in [
        Heading::Number,
        Heading::Code,
        Heading::Name,
        Heading::SelfScore,
        Heading::Verified,
        Heading::Reason,
    ]
    .iter()
    .map(|h| h.label())
    .enumerate()
    {
        ws.write_with_format(6, col as u16, h, &heading)?;
    }
    for (i, r) in spec.rows.iter().enumerate() {
        let row = 7 + i as u32;
        let name = spec
            .table
            .find(&r.code)
            .map_or("", |c| spec.table.criteria[c].name.as_str());
        ws.write_with_format(row, 0, (i + 1) as f64, &number)?;
        ws.write_with_format(row, 1, r.code.as_str(), &cell)?;
        ws.write_with_format(row, 2, name, &cell)?;
        for (col, v) in [(3, r.self_score), (4, r.verified)] {
            match v {
                Some(v) => ws.write_with_format(row, col, v, &number)?,
                None => ws.write_blank(row, col, &number)?,
            };
        }
        ws.write_with_format(row, 5, r.reason.as_str(), &cell)?;
    }
    book.save_to_buffer()
}
