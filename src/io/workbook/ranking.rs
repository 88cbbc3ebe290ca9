//! The year's ranking as a workbook, for the secretariat to paste into the
//! ministry's own summary sheets: a sheet per unit type (rank, unit, part
//! subtotals, total, class, proposal) and the year's figures on their own
//! sheet. Numbers are numbers, headings are Vietnamese, the heading row is
//! frozen. The values come ready from `app::ranking_book`.

use rust_xlsxwriter::{Format, FormatAlign, Workbook, Worksheet, XlsxError};

use super::style;

/// One unit type's ranking.
#[derive(Debug, Clone, PartialEq)]
pub struct RankingSheet {
    /// The unit type's name, which also names the sheet.
    pub name: String,
    /// The parts' headings ("I. Thực hiện nhiệm vụ (tối đa 100)").
    pub parts: Vec<String>,
    /// The last column's heading: the ranking's proposal, or the vote's
    /// result once ballots were counted.
    pub proposal_heading: String,
    pub rows: Vec<RankingRow>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RankingRow {
    pub rank: u32,
    pub code: String,
    pub name: String,
    /// The part subtotals, in the order of [`RankingSheet::parts`].
    pub parts: Vec<f64>,
    pub total: f64,
    pub class: String,
    pub proposal: String,
}

/// One of the year's figures ("1.103 lượt").
#[derive(Debug, Clone, PartialEq)]
pub struct FigureRow {
    pub unit_type: String,
    pub code: String,
    pub name: String,
    pub total: i64,
    pub unit: String,
    pub reported_by: usize,
}

/// The sheet of the year's figures.
pub const FIGURES_SHEET: &str = "Kết quả nổi bật";

/// The fixed headings before and after the parts.
pub const HEAD: [&str; 3] = ["Hạng", "Mã đơn vị", "Đơn vị"];
pub const TAIL: [&str; 2] = ["Tổng điểm", "Xếp loại"];
pub const FIGURE_HEADINGS: [&str; 6] = [
    "Khối",
    "Mã chỉ tiêu",
    "Chỉ tiêu",
    "Tổng cộng",
    "Đơn vị tính",
    "Số đơn vị báo cáo",
];

/// A sheet name Excel accepts: no `[]:*?/\`, at most 31 characters, not
/// one already taken.
fn sheet_name(name: &str, taken: &mut Vec<String>) -> String {
    let clean: String = name
        .chars()
        .map(|c| if "[]:*?/\\".contains(c) { '-' } else { c })
        .collect();
    let clean = clean.trim_matches('\'').trim();
    let base: String = clean.chars().take(31).collect();
    let base = if base.is_empty() {
        "Khối".to_string()
    } else {
        base
    };
    let mut out = base.clone();
    let mut n = 2;
    while taken.iter().any(|t| t.to_lowercase() == out.to_lowercase()) {
        let suffix = format!(" ({n})");
        let keep = 31 - suffix.chars().count();
        out = format!("{}{suffix}", base.chars().take(keep).collect::<String>());
        n += 1;
    }
    taken.push(out.clone());
    out
}

fn headings(ws: &mut Worksheet, titles: &[&str], widths: &[f64]) -> Result<(), XlsxError> {
    let heading = style::heading();
    for (col, (t, w)) in titles.iter().zip(widths).enumerate() {
        ws.write_string_with_format(0, col as u16, *t, &heading)?;
        ws.set_column_width(col as u16, *w)?;
    }
    ws.set_row_height(0, 48)?;
    ws.set_freeze_panes(1, 0)?;
    Ok(())
}

fn ranking_sheet(wb: &mut Workbook, s: &RankingSheet, name: String) -> Result<(), XlsxError> {
    let ws = wb.add_worksheet().set_name(name)?;
    let text = style::cell().set_text_wrap();
    let centred = style::cell().set_align(FormatAlign::Center);
    let number: Format = style::cell().set_num_format("0.00");
    let total = number.clone().set_bold();
    let whole = style::cell()
        .set_num_format("0")
        .set_align(FormatAlign::Center);
    let mut titles: Vec<&str> = HEAD.to_vec();
    titles.extend(s.parts.iter().map(String::as_str));
    titles.extend(TAIL);
    titles.push(&s.proposal_heading);
    let mut widths = vec![7.0, 12.0, 40.0];
    widths.extend(std::iter::repeat_n(14.0, s.parts.len()));
    widths.extend([11.0, 13.0, 36.0]);
    headings(ws, &titles, &widths)?;
    for (i, r) in s.rows.iter().enumerate() {
        let row = i as u32 + 1;
        ws.write_number_with_format(row, 0, f64::from(r.rank), &whole)?;
        ws.write_string_with_format(row, 1, &r.code, &centred)?;
        ws.write_string_with_format(row, 2, &r.name, &text)?;
        let mut col = 3u16;
        for v in &r.parts {
            ws.write_number_with_format(row, col, *v, &number)?;
            col += 1;
        }
        ws.write_number_with_format(row, col, r.total, &total)?;
        ws.write_string_with_format(row, col + 1, &r.class, &centred)?;
        ws.write_string_with_format(row, col + 2, &r.proposal, &text)?;
    }
    Ok(())
}

/// The workbook's bytes: a sheet per unit type in `sheets`' order, then
/// the figures.
pub fn ranking_book(sheets: &[RankingSheet], figures: &[FigureRow]) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let mut taken = vec![FIGURES_SHEET.to_string()];
    for s in sheets {
        let name = sheet_name(&s.name, &mut taken);
        ranking_sheet(&mut wb, s, name)?;
    }
    let ws = wb.add_worksheet().set_name(FIGURES_SHEET)?;
    headings(ws, &FIGURE_HEADINGS, &[24.0, 14.0, 50.0, 12.0, 12.0, 12.0])?;
    let text = style::cell().set_text_wrap();
    let whole = style::cell().set_num_format("#,##0");
    for (i, f) in figures.iter().enumerate() {
        let row = i as u32 + 1;
        ws.write_string_with_format(row, 0, &f.unit_type, &text)?;
        ws.write_string_with_format(row, 1, &f.code, &text)?;
        ws.write_string_with_format(row, 2, &f.name, &text)?;
        ws.write_number_with_format(row, 3, f.total as f64, &whole)?;
        ws.write_string_with_format(row, 4, &f.unit, &text)?;
        ws.write_number_with_format(row, 5, f.reported_by as f64, &whole)?;
    }
    wb.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sheet_names_are_cut_cleaned_and_kept_apart() {
        let mut taken = vec![FIGURES_SHEET.to_string()];
        assert_eq!(sheet_name("Sở Tư pháp", &mut taken), "Sở Tư pháp");
        assert_eq!(sheet_name("Sở Tư pháp", &mut taken), "Sở Tư pháp (2)");
        assert_eq!(sheet_name("A/B: [C]?", &mut taken), "A-B- -C--");
        let long = sheet_name(&"Thi hành án dân sự ".repeat(3), &mut taken);
        assert_eq!(long.chars().count(), 31);
        assert_eq!(
            sheet_name("Kết quả nổi bật", &mut taken),
            "Kết quả nổi bật (2)"
        );
    }
}
