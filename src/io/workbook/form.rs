//! The blank self-scoring workbook ("Bảng tự chấm điểm") for one unit and
//! year, written with `rust_xlsxwriter`: header block, the criteria with their
//! printed numbers, codes, maxima and bands, group totals as formulas, a
//! drop-down of the bands (else a decimal 0..max rule) on every score cell,
//! locked headings, and A4 landscape print setup. A [`Fill`] writes scores
//! into it, which tests, benchmarks and the demo use.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::Path;

use super::style;
use rust_xlsxwriter::{
    DataValidation, DataValidationRule, Format, FormatAlign, Formula, Workbook, Worksheet,
    XlsxError,
};

use crate::domain::cluster::Unit;
use crate::domain::criteria::{Kind, Table};
use crate::domain::submission::{Heading, Label, SHEET_FIGURES, SHEET_SELF};
use crate::domain::vn::format_number;

/// Sheet holding the band values that the drop-downs point at.
pub const SHEET_BANDS: &str = "Mức điểm";

/// Values to write into a form (all optional).
#[derive(Debug, Clone, Default)]
pub struct Fill {
    /// Leaf code → score.
    pub scores: BTreeMap<String, f64>,
    /// Leaf code → evidence.
    pub evidence: BTreeMap<String, String>,
    /// Indicator code → figure.
    pub indicators: BTreeMap<String, i64>,
    pub preparer: Option<String>,
}

impl Fill {
    /// Every score and bonus item at its maximum, deductions at 0, evidence
    /// wherever it is required: the table's maximum plus the bonus.
    pub fn full(table: &Table) -> Fill {
        let mut fill = Fill::plausible(table);
        for i in table.leaves() {
            let c = &table.criteria[i];
            let score = if c.kind == Kind::Deduction {
                0.0
            } else {
                c.max
            };
            fill.scores.insert(c.code.clone(), score);
            if c.evidence {
                fill.evidence
                    .insert(c.code.clone(), format!("Văn bản số {}/STP", 100 + i));
            }
        }
        fill
    }

    /// A plausible filled form: every leaf at its second band (or its
    /// maximum), deductions at 0, evidence everywhere it is required.
    pub fn plausible(table: &Table) -> Fill {
        let mut fill = Fill {
            preparer: Some("Nguyễn Thị Hoa".into()),
            ..Fill::default()
        };
        for i in table.leaves() {
            let c = &table.criteria[i];
            let score = match c.kind {
                Kind::Deduction => 0.0,
                _ => c
                    .bands
                    .get(1)
                    .or(c.bands.first())
                    .map_or(c.max, |b| b.points),
            };
            fill.scores.insert(c.code.clone(), score);
            if c.evidence {
                fill.evidence
                    .insert(c.code.clone(), format!("Báo cáo số {}/BC-STP", 10 + i));
            }
        }
        for (n, ind) in table.indicators.iter().enumerate() {
            fill.indicators
                .insert(ind.code.clone(), 1103 + n as i64 * 17);
        }
        fill
    }
}

/// What a form is for.
#[derive(Debug, Clone, Copy)]
pub struct FormSpec<'a> {
    pub cluster_name: &'a str,
    pub table: &'a Table,
    pub unit: &'a Unit,
    pub year: i32,
}

/// Column order of the form.
const COLUMNS: [(Heading, f64); 7] = [
    (Heading::Number, 6.0),
    (Heading::Code, 12.0),
    (Heading::Name, 62.0),
    (Heading::Max, 9.0),
    (Heading::SelfScore, 10.0),
    (Heading::Evidence, 26.0),
    (Heading::Note, 16.0),
];
const COL_NUMBER: u16 = 0;
const COL_CODE: u16 = 1;
const COL_NAME: u16 = 2;
const COL_MAX: u16 = 3;
const COL_SCORE: u16 = 4;
const COL_EVIDENCE: u16 = 5;
const COL_NOTE: u16 = 6;
/// Zero-based row of the table header.
pub const HEADER_ROW: u32 = 7;

struct Formats {
    title: Format,
    subtitle: Format,
    label: Format,
    value: Format,
    input: Format,
    heading: Format,
    group: Format,
    group_num: Format,
    leaf: Format,
    leaf_num: Format,
    score_input: Format,
    text_input: Format,
    band: Format,
    total: Format,
    sign: Format,
}

fn formats() -> Formats {
    let base = style::base();
    let cell = style::cell();
    Formats {
        title: style::title(),
        subtitle: base
            .clone()
            .set_italic()
            .set_align(FormatAlign::Center)
            .set_text_wrap(),
        label: base.clone().set_bold(),
        value: base.clone(),
        input: base
            .clone()
            .set_unlocked()
            .set_background_color(style::INPUT_FILL),
        heading: style::heading(),
        group: cell.clone().set_bold().set_text_wrap(),
        group_num: cell.clone().set_bold().set_align(FormatAlign::Center),
        leaf: cell.clone().set_text_wrap(),
        leaf_num: cell.clone().set_align(FormatAlign::Center),
        score_input: style::input_cell().set_align(FormatAlign::Center),
        text_input: style::input_cell().set_text_wrap(),
        band: cell.clone().set_italic().set_font_size(11).set_text_wrap(),
        total: cell.set_bold().set_align(FormatAlign::Center),
        sign: base.set_bold().set_align(FormatAlign::Center),
    }
}

/// Writes the form to `path`.
pub fn write_form(path: &Path, spec: &FormSpec<'_>, fill: Option<&Fill>) -> Result<(), XlsxError> {
    let mut wb = build(spec, fill)?;
    wb.save(path)
}

/// The form as bytes of an `.xlsx` file.
pub fn form_bytes(spec: &FormSpec<'_>, fill: Option<&Fill>) -> Result<Vec<u8>, XlsxError> {
    build(spec, fill)?.save_to_buffer()
}

fn col_letter(col: u16) -> char {
    (b'A' + col as u8) as char
}

fn build(spec: &FormSpec<'_>, fill: Option<&Fill>) -> Result<Workbook, XlsxError> {
    let f = formats();
    let table = spec.table;
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet().set_name(SHEET_SELF)?;
    for (i, (_, width)) in COLUMNS.iter().enumerate() {
        ws.set_column_width(i as u16, *width)?;
    }
    ws.merge_range(
        0,
        0,
        0,
        6,
        &spec.cluster_name.to_uppercase(),
        &f.label.clone().set_align(FormatAlign::Center),
    )?;
    ws.merge_range(
        1,
        0,
        1,
        6,
        &format!("BẢNG TỰ CHẤM ĐIỂM THI ĐUA NĂM {}", spec.year),
        &f.title,
    )?;
    let sample = if table.sample {
        " — BẢNG MẪU"
    } else {
        ""
    };
    ws.merge_range(
        2,
        0,
        2,
        6,
        &format!("(Theo {}; {}{sample})", table.title, table.decision),
        &f.subtitle,
    )?;
    ws.set_row_height(2, 30)?;
    // Labels span A:B so the codes column stays narrow; each value sits in
    // the next cell to the right of its label, as the contract reads it.
    ws.merge_range(4, 0, 4, 1, &Label::Unit.printed(), &f.label)?;
    ws.write_string_with_format(4, 2, &spec.unit.code, &f.label)?;
    ws.write_string_with_format(4, 3, Label::Year.printed(), &f.label)?;
    ws.write_number_with_format(4, 4, f64::from(spec.year), &f.value)?;
    ws.merge_range(5, 0, 5, 1, &Label::UnitName.printed(), &f.label)?;
    ws.write_string_with_format(5, 2, spec.unit.name_in(spec.year), &f.value)?;
    ws.write_string_with_format(5, 3, Label::Preparer.printed(), &f.label)?;
    match fill.and_then(|x| x.preparer.as_deref()) {
        Some(p) => ws.write_string_with_format(5, 4, p, &f.input)?,
        None => ws.write_blank(5, 4, &f.input)?,
    };
    ws.write_string_with_format(5, 5, "Ngày lập:", &f.label)?;
    ws.write_blank(5, 6, &f.input)?;
    for (i, (h, _)) in COLUMNS.iter().enumerate() {
        ws.write_string_with_format(HEADER_ROW, i as u16, h.label(), &f.heading)?;
    }
    ws.set_row_height(HEADER_ROW, 32)?;

    // Rows: each criterion, then its bands; remember each criterion's row.
    let mut row_of = vec![0u32; table.criteria.len()];
    let mut band_rows: Vec<(u32, usize)> = Vec::new();
    let mut r = HEADER_ROW + 1;
    for (i, c) in table.criteria.iter().enumerate() {
        row_of[i] = r;
        let leaf = c.is_leaf();
        let (text, num) = if leaf {
            (&f.leaf, &f.leaf_num)
        } else {
            (&f.group, &f.group_num)
        };
        ws.write_string_with_format(r, COL_NUMBER, &c.number, num)?;
        ws.write_string_with_format(r, COL_CODE, &c.code, num)?;
        let kind_note = match (c.parent, c.kind) {
            (None, Kind::Bonus) => " (điểm thưởng)",
            (None, Kind::Deduction) => " (điểm trừ)",
            _ => "",
        };
        let name = format!("{}{kind_note}", c.name);
        ws.set_row_height(r, row_height(&name, NAME_CHARS_PER_LINE))?;
        ws.write_string_with_format(r, COL_NAME, &name, text)?;
        ws.write_number_with_format(r, COL_MAX, c.max, num)?;
        if leaf {
            match fill.and_then(|x| x.scores.get(&c.code)) {
                Some(s) => ws.write_number_with_format(r, COL_SCORE, *s, &f.score_input)?,
                None => ws.write_blank(r, COL_SCORE, &f.score_input)?,
            };
            match fill.and_then(|x| x.evidence.get(&c.code)) {
                Some(e) => ws.write_string_with_format(r, COL_EVIDENCE, e, &f.text_input)?,
                None => ws.write_blank(r, COL_EVIDENCE, &f.text_input)?,
            };
            let note = if c.evidence { "Cần minh chứng" } else { "" };
            ws.write_string_with_format(r, COL_NOTE, note, &f.text_input)?;
        } else {
            ws.write_blank(r, COL_EVIDENCE, text)?;
            ws.write_blank(r, COL_NOTE, text)?;
        }
        r += 1;
        if leaf {
            // The bands, one line each, in one cell under the criterion.
            if !c.bands.is_empty() {
                let lines: Vec<String> = c
                    .bands
                    .iter()
                    .map(|b| format!("– {}: {} điểm", b.condition, format_number(b.points)))
                    .collect();
                // 11 pt lines need 14 points each, not the 16 of 12 pt text.
                let height: f64 = lines
                    .iter()
                    .map(|l| row_height(l, NAME_CHARS_PER_LINE + 6) * 14.0 / 16.0)
                    .sum();
                ws.set_row_height(r, height)?;
                ws.write_string_with_format(r, COL_NAME, lines.join("\n"), &f.band)?;
                r += 1;
                band_rows.push((row_of[i], i));
            }
        }
    }

    // Group totals as formulas over their children, with cached results.
    let scores = fill.map(|x| &x.scores);
    for (i, c) in table.criteria.iter().enumerate() {
        if c.is_leaf() {
            continue;
        }
        let refs: Vec<String> = c
            .children
            .iter()
            .map(|&k| format!("{}{}", col_letter(COL_SCORE), row_of[k] + 1))
            .collect();
        let formula = Formula::new(format!("=SUM({})", refs.join(","))).set_result(
            scores
                .and_then(|s| table.subtotal(i, s))
                .map_or_else(String::new, |v| v.to_string()),
        );
        ws.write_formula_with_format(row_of[i], COL_SCORE, formula, &f.group_num)?;
    }
    let mut terms = String::new();
    for i in table.roots() {
        let c = &table.criteria[i];
        let sign = if c.kind == Kind::Deduction { '-' } else { '+' };
        terms.push(sign);
        let _ = write!(terms, "{}{}", col_letter(COL_SCORE), row_of[i] + 1);
    }
    let total_row = r;
    ws.write_blank(total_row, COL_NUMBER, &f.total)?;
    ws.write_blank(total_row, COL_CODE, &f.total)?;
    ws.write_string_with_format(total_row, COL_NAME, "TỔNG ĐIỂM TỰ CHẤM", &f.total)?;
    ws.write_number_with_format(total_row, COL_MAX, table.max, &f.total)?;
    let total = scores.map(|s| crate::domain::validate::total_of(table, s));
    ws.write_formula_with_format(
        total_row,
        COL_SCORE,
        Formula::new(format!("={}", terms.trim_start_matches('+')))
            .set_result(total.map_or_else(String::new, |v| v.to_string())),
        &f.total,
    )?;
    ws.write_blank(total_row, COL_EVIDENCE, &f.total)?;
    ws.write_blank(total_row, COL_NOTE, &f.total)?;
    ws.write_string_with_format(total_row + 2, COL_NAME, "NGƯỜI LẬP BIỂU", &f.sign)?;
    ws.merge_range(
        total_row + 2,
        COL_EVIDENCE,
        total_row + 2,
        COL_NOTE,
        "THỦ TRƯỞNG ĐƠN VỊ",
        &f.sign,
    )?;
    ws.merge_range(
        total_row + 3,
        COL_EVIDENCE,
        total_row + 3,
        COL_NOTE,
        "(Ký, ghi rõ họ tên, đóng dấu)",
        &f.subtitle,
    )?;

    add_validations(ws, table, &row_of, &band_rows)?;
    print_setup(ws)?;
    ws.set_freeze_panes(HEADER_ROW + 1, 0)?;
    ws.protect();

    figures_sheet(&mut wb, table, fill, &f)?;
    bands_sheet(&mut wb, table, &band_rows)?;
    Ok(wb)
}

/// Characters of 12 pt Times New Roman that fit on a line of the name column.
const NAME_CHARS_PER_LINE: usize = 72;

/// Spreadsheet programs do not grow rows for wrapped text written by a
/// library, so each row gets the height its text needs.
fn row_height(text: &str, per_line: usize) -> f64 {
    let lines = text.chars().count().div_ceil(per_line).max(1);
    16.0 * lines as f64
}

fn add_validations(
    ws: &mut Worksheet,
    table: &Table,
    row_of: &[u32],
    band_rows: &[(u32, usize)],
) -> Result<(), XlsxError> {
    for (n, (row, i)) in band_rows.iter().enumerate() {
        let c = &table.criteria[*i];
        let last_col = col_name(c.bands.len() as u16);
        let list = Formula::new(format!("='{SHEET_BANDS}'!$B${0}:${last_col}${0}", n + 1));
        let allowed: Vec<String> = c.bands.iter().map(|b| format_number(b.points)).collect();
        let rule = DataValidation::new()
            .allow_list_formula(list)
            .set_input_title("Chọn mức điểm")?
            .set_input_message(format!("Các mức: {}", allowed.join("; ")))?
            .set_error_title("Mức điểm không hợp lệ")?
            .set_error_message(format!(
                "Chỉ chọn một trong các mức: {}",
                allowed.join("; ")
            ))?;
        ws.add_data_validation(*row, COL_SCORE, *row, COL_SCORE, &rule)?;
    }
    for i in table.leaves() {
        let c = &table.criteria[i];
        if !c.bands.is_empty() {
            continue;
        }
        let v = DataValidation::new()
            .allow_decimal_number(DataValidationRule::Between(0.0, c.max))
            .set_input_title("Nhập điểm")?
            .set_input_message(format!(
                "Từ 0 đến {}, theo bước {}",
                format_number(c.max),
                format_number(table.step)
            ))?
            .set_error_title("Điểm không hợp lệ")?
            .set_error_message(format!("Điểm phải từ 0 đến {}", format_number(c.max)))?;
        ws.add_data_validation(row_of[i], COL_SCORE, row_of[i], COL_SCORE, &v)?;
    }
    Ok(())
}

fn col_name(col: u16) -> String {
    crate::domain::findings::a1((0, u32::from(col)))
        .trim_end_matches('1')
        .to_string()
}

fn print_setup(ws: &mut Worksheet) -> Result<(), XlsxError> {
    ws.set_paper_size(9);
    ws.set_landscape();
    ws.set_margins(0.6, 0.4, 0.6, 0.6, 0.3, 0.3);
    ws.set_print_fit_to_pages(1, 0);
    ws.set_repeat_rows(HEADER_ROW, HEADER_ROW)?;
    ws.set_header("&C&\"Times New Roman\"&10Trang &P/&N");
    Ok(())
}

fn figures_sheet(
    wb: &mut Workbook,
    table: &Table,
    fill: Option<&Fill>,
    f: &Formats,
) -> Result<(), XlsxError> {
    let ws = wb.add_worksheet().set_name(SHEET_FIGURES)?;
    ws.set_column_width(0, 8)?;
    ws.set_column_width(1, 70)?;
    ws.set_column_width(2, 14)?;
    ws.set_column_width(3, 14)?;
    ws.merge_range(
        0,
        0,
        0,
        3,
        &format!("SỐ LIỆU CÔNG TÁC NĂM {}", table.year),
        &f.title,
    )?;
    for (col, text) in [
        Heading::IndicatorCode.label(),
        Heading::IndicatorName.label(),
        "Đơn vị tính",
        Heading::IndicatorValue.label(),
    ]
    .iter()
    .enumerate()
    {
        ws.write_string_with_format(2, col as u16, *text, &f.heading)?;
    }
    for (n, ind) in table.indicators.iter().enumerate() {
        let r = 3 + n as u32;
        ws.write_string_with_format(r, 0, &ind.code, &f.leaf_num)?;
        ws.write_string_with_format(r, 1, &ind.name, &f.leaf)?;
        ws.write_string_with_format(r, 2, &ind.unit, &f.leaf_num)?;
        match fill.and_then(|x| x.indicators.get(&ind.code)) {
            Some(v) => ws.write_number_with_format(
                r,
                3,
                *v as f64,
                &f.score_input.clone().set_num_format("#,##0"),
            )?,
            None => ws.write_blank(r, 3, &f.score_input)?,
        };
    }
    if !table.indicators.is_empty() {
        let last = 2 + table.indicators.len() as u32;
        let v = DataValidation::new()
            .allow_whole_number(DataValidationRule::GreaterThanOrEqualTo(0))
            .set_error_message("Số liệu là số nguyên không âm")?;
        ws.add_data_validation(3, 3, last, 3, &v)?;
    }
    ws.set_paper_size(9);
    ws.protect();
    Ok(())
}

fn bands_sheet(
    wb: &mut Workbook,
    table: &Table,
    band_rows: &[(u32, usize)],
) -> Result<(), XlsxError> {
    let ws = wb.add_worksheet().set_name(SHEET_BANDS)?;
    for (n, (_, i)) in band_rows.iter().enumerate() {
        let c = &table.criteria[*i];
        ws.write_string(n as u32, 0, &c.code)?;
        for (k, b) in c.bands.iter().enumerate() {
            ws.write_number(n as u32, 1 + k as u16, b.points)?;
        }
    }
    ws.set_hidden(true);
    ws.protect();
    Ok(())
}
