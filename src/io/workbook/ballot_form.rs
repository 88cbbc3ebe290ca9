//! The ballot each member unit fills at the year-end conference ("Phiếu
//! bầu chọn khen thưởng"): per award and unit type, the units whose class
//! qualifies, the ranking's proposal marked, and a `Đồng ý` column to mark.
//! The header block is the self-scoring form's (`Mã đơn vị:` in A5, its
//! value in C5; `Năm:` in D5, the year in E5); the table's heading row is 8.

use super::style;
use rust_xlsxwriter::{FormatAlign, Workbook, XlsxError};

use crate::domain::cluster::Unit;
use crate::domain::submission::{Heading, Label, SHEET_BALLOT};
use crate::domain::vn::format_number;
use crate::domain::vote::Section;

/// What goes on one unit's ballot.
pub struct BallotSpec<'a> {
    pub cluster_name: &'a str,
    pub year: i32,
    pub voter: &'a Unit,
    pub sections: &'a [Section],
    /// Whether the voter may vote for itself (else its own rows are left out).
    pub self_vote: bool,
    /// "11:00 ngày 05 tháng 12 năm 2026", when the vote closes at a set time.
    pub closes: Option<String>,
}

/// Row (zero-based) of the table's headings.
const HEADER_ROW: u32 = 7;

const COLUMNS: &[(&str, f64)] = &[
    ("TT", 5.0),
    ("", 14.0),
    ("Hình thức khen thưởng", 36.0),
    ("Khối", 18.0),
    ("", 14.0),
    ("Đơn vị", 34.0),
    ("Tổng điểm", 10.0),
    ("Xếp loại", 11.0),
    ("Đề xuất theo xếp hạng", 12.0),
    ("", 10.0),
];

fn heading(i: usize) -> &'static str {
    match i {
        1 => Heading::AwardCode.label(),
        4 => Heading::Candidate.label(),
        9 => Heading::Agree.label(),
        _ => COLUMNS[i].0,
    }
}

fn build(spec: &BallotSpec<'_>) -> Result<Workbook, XlsxError> {
    let base = style::base();
    let bold = base.clone().set_bold();
    let title = style::title();
    let cell = style::cell().set_text_wrap();
    let head = style::heading();
    let section = cell.clone().set_bold().set_background_color("#F2F2F2");
    let input = style::input_cell().set_align(FormatAlign::Center);

    let mut wb = Workbook::new();
    let ws = wb.add_worksheet().set_name(SHEET_BALLOT)?;
    for (i, (_, w)) in COLUMNS.iter().enumerate() {
        ws.set_column_width(i as u16, *w)?;
    }
    let last = (COLUMNS.len() - 1) as u16;
    ws.merge_range(
        0,
        0,
        0,
        last,
        &spec.cluster_name.to_uppercase(),
        &bold.clone().set_align(FormatAlign::Center),
    )?;
    ws.merge_range(
        1,
        0,
        1,
        last,
        &format!("PHIẾU BẦU CHỌN KHEN THƯỞNG NĂM {}", spec.year),
        &title,
    )?;
    let how = "Đánh dấu x (hoặc X, ✓, 1, “có”) vào cột “Đồng ý” cho đơn vị được bầu chọn; để trống là không đồng ý. Mỗi hình thức không đánh dấu quá số suất.";
    ws.merge_range(
        2,
        0,
        2,
        last,
        how,
        &base.clone().set_text_wrap().set_italic(),
    )?;
    ws.set_row_height(2, 32)?;
    if let Some(c) = &spec.closes {
        ws.merge_range(
            3,
            0,
            3,
            last,
            &format!("Hạn gửi phiếu: {c}"),
            &base.clone().set_italic(),
        )?;
    }
    ws.merge_range(4, 0, 4, 1, &Label::Unit.printed(), &bold)?;
    ws.write_string_with_format(4, 2, &spec.voter.code, &bold)?;
    ws.write_string_with_format(4, 3, Label::Year.printed(), &bold)?;
    ws.write_number_with_format(
        4,
        4,
        f64::from(spec.year),
        &bold.clone().set_align(FormatAlign::Left),
    )?;
    ws.merge_range(5, 0, 5, 1, &Label::UnitName.printed(), &bold)?;
    ws.merge_range(5, 2, 5, 5, spec.voter.name_in(spec.year), &base)?;
    for i in 0..COLUMNS.len() {
        ws.write_string_with_format(HEADER_ROW, i as u16, heading(i), &head)?;
    }
    ws.set_row_height(HEADER_ROW, 32)?;
    let mut row = HEADER_ROW + 1;
    let mut n = 0;
    for s in spec.sections {
        ws.merge_range(
            row,
            0,
            row,
            last,
            &format!(
                "{} — khối {}: bầu tối đa {} đơn vị",
                s.award_name, s.type_name, s.seats
            ),
            &section,
        )?;
        row += 1;
        for c in s
            .candidates
            .iter()
            .filter(|c| spec.self_vote || c.unit != spec.voter.code)
        {
            n += 1;
            ws.write_number_with_format(
                row,
                0,
                f64::from(n),
                &cell.clone().set_align(FormatAlign::Center),
            )?;
            ws.write_string_with_format(row, 1, &s.award, &cell)?;
            ws.write_string_with_format(row, 2, &s.award_name, &cell)?;
            ws.write_string_with_format(row, 3, &s.type_name, &cell)?;
            ws.write_string_with_format(row, 4, &c.unit, &cell)?;
            ws.write_string_with_format(row, 5, &c.name, &cell)?;
            ws.write_string_with_format(
                row,
                6,
                format_number(c.total.as_f64()),
                &cell.clone().set_align(FormatAlign::Right),
            )?;
            ws.write_string_with_format(row, 7, &c.class, &cell)?;
            ws.write_string_with_format(
                row,
                8,
                if c.proposed { "x" } else { "" },
                &cell.clone().set_align(FormatAlign::Center),
            )?;
            ws.write_blank(row, 9, &input)?;
            row += 1;
        }
    }
    ws.write_string_with_format(
        row + 1,
        5,
        "THỦ TRƯỞNG ĐƠN VỊ",
        &bold.clone().set_align(FormatAlign::Center),
    )?;
    ws.write_string_with_format(
        row + 2,
        5,
        "(Ký tên, đóng dấu)",
        &base.clone().set_italic().set_align(FormatAlign::Center),
    )?;
    ws.set_freeze_panes(HEADER_ROW + 1, 0)?;
    // Printed on A4 landscape, one page wide.
    ws.set_paper_size(9);
    ws.set_landscape();
    ws.set_print_fit_to_pages(1, 0);
    Ok(wb)
}

/// The ballot as bytes of an `.xlsx` file.
pub fn ballot_bytes(spec: &BallotSpec<'_>) -> Result<Vec<u8>, XlsxError> {
    build(spec)?.save_to_buffer()
}
