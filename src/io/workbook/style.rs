//! The look every workbook thidua writes shares (the blank form, the
//! ballot, the cross-check): Times New Roman 12, thin cell borders, blue
//! headings, yellow cells for what the unit fills in.

use rust_xlsxwriter::{Format, FormatAlign, FormatBorder};

/// Cells a unit types into.
pub const INPUT_FILL: &str = "#FFF9DB";
/// Table headings.
pub const HEADING_FILL: &str = "#D9E2F3";

pub fn base() -> Format {
    Format::new()
        .set_font_name("Times New Roman")
        .set_font_size(12)
}

/// A table cell: bordered, centred vertically.
pub fn cell() -> Format {
    base()
        .set_border(FormatBorder::Thin)
        .set_align(FormatAlign::VerticalCenter)
}

pub fn heading() -> Format {
    cell()
        .set_bold()
        .set_align(FormatAlign::Center)
        .set_text_wrap()
        .set_background_color(HEADING_FILL)
}

pub fn title() -> Format {
    base()
        .set_bold()
        .set_font_size(14)
        .set_align(FormatAlign::Center)
}

/// A table cell the unit fills in: unlocked, yellow.
pub fn input_cell() -> Format {
    cell().set_unlocked().set_background_color(INPUT_FILL)
}
