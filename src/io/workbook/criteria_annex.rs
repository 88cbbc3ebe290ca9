//! A criteria table written as the ministry's annex in a workbook
//! (`thidua criteria export … -o FILE.xlsx`): the title and decision, the
//! columns `TT`, `Mã tiêu chí`, `Nội dung tiêu chí`, `Điểm chuẩn`, `Tài
//! liệu kiểm chứng`, `Ghi chú`, a row per criterion with each band in a
//! row of its own under it (its points in `Điểm chuẩn`), and the total.
//! `thidua criteria import` reads it back to the same table.

use std::path::Path;

use rust_xlsxwriter::{Format, FormatAlign, Workbook, XlsxError};

use super::style;
use crate::domain::criteria::Table;
use crate::domain::criteria::annex::print::{COLUMNS, EVIDENCE_MARK, HARD_MARK, TOTAL, print};

/// The sheet's name.
pub const SHEET: &str = "Bảng tiêu chí";
const WIDTHS: [f64; 6] = [6.0, 12.0, 70.0, 10.0, 13.0, 12.0];
const HEADER_ROW: u32 = 3;

/// Writes the annex of `table` to `path`.
pub fn write(path: &Path, table: &Table) -> Result<(), XlsxError> {
    build(table)?.save(path)
}

/// The annex of `table` as the bytes of an `.xlsx` file.
pub fn bytes(table: &Table) -> Result<Vec<u8>, XlsxError> {
    build(table)?.save_to_buffer()
}

fn build(table: &Table) -> Result<Workbook, XlsxError> {
    let printed = print(table);
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet().set_name(SHEET)?;
    for (i, w) in WIDTHS.iter().enumerate() {
        ws.set_column_width(i as u16, *w)?;
    }
    let last = COLUMNS.len() as u16 - 1;
    let wrap_center = |f: Format| f.set_align(FormatAlign::Center).set_text_wrap();
    ws.merge_range(0, 0, 0, last, &printed.title, &wrap_center(style::title()))?;
    ws.set_row_height(0, 36)?;
    ws.merge_range(
        1,
        0,
        1,
        last,
        &printed.decision,
        &wrap_center(style::base().set_italic()),
    )?;
    ws.set_row_height(1, 30)?;
    for (i, h) in COLUMNS.iter().enumerate() {
        ws.write_string_with_format(HEADER_ROW, i as u16, *h, &style::heading())?;
    }
    ws.set_row_height(HEADER_ROW, 32)?;
    let cell = style::cell();
    let text = cell.clone().set_text_wrap();
    let center = cell.clone().set_align(FormatAlign::Center);
    let bold_text = text.clone().set_bold();
    let bold_center = center.clone().set_bold();
    let band_text = text.clone().set_italic().set_font_size(11);
    let band_num = center.clone().set_italic().set_font_size(11);
    let mut r = HEADER_ROW + 1;
    for row in &printed.rows {
        let (t, c) = if row.group {
            (&bold_text, &bold_center)
        } else {
            (&text, &center)
        };
        ws.write_string_with_format(r, 0, &row.number, c)?;
        ws.write_string_with_format(r, 1, &row.code, c)?;
        ws.write_string_with_format(r, 2, &row.name, t)?;
        ws.write_number_with_format(r, 3, row.max, c)?;
        ws.write_string_with_format(r, 4, if row.evidence { EVIDENCE_MARK } else { "" }, c)?;
        ws.write_string_with_format(r, 5, if row.hard { HARD_MARK } else { "" }, c)?;
        ws.set_row_height(r, height(&row.name))?;
        r += 1;
        for (points, condition) in &row.bands {
            ws.write_blank(r, 0, &band_num)?;
            ws.write_blank(r, 1, &band_num)?;
            ws.write_string_with_format(r, 2, format!("– {condition}"), &band_text)?;
            ws.write_number_with_format(r, 3, *points, &band_num)?;
            ws.write_blank(r, 4, &band_num)?;
            ws.write_blank(r, 5, &band_num)?;
            ws.set_row_height(r, height(condition) * 14.0 / 16.0)?;
            r += 1;
        }
    }
    ws.write_blank(r, 0, &bold_center)?;
    ws.write_blank(r, 1, &bold_center)?;
    ws.write_string_with_format(r, 2, TOTAL, &bold_text)?;
    ws.write_number_with_format(r, 3, printed.total, &bold_center)?;
    ws.write_blank(r, 4, &bold_center)?;
    ws.write_blank(r, 5, &bold_center)?;
    ws.set_paper_size(9);
    ws.set_margins(0.6, 0.4, 0.8, 0.8, 0.3, 0.3);
    ws.set_print_fit_to_pages(1, 0);
    ws.set_repeat_rows(HEADER_ROW, HEADER_ROW)?;
    ws.set_header("&C&\"Times New Roman\"&10Trang &P/&N");
    ws.set_freeze_panes(HEADER_ROW + 1, 0)?;
    Ok(wb)
}

/// Spreadsheet programs do not grow rows for wrapped text written by a
/// library: 16 points a line of the text column.
fn height(text: &str) -> f64 {
    16.0 * text.chars().count().div_ceil(80).max(1) as f64
}
