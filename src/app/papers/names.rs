//! Every name thidua gives a file it writes for people: the documents, the
//! workbooks it sends, the folders of a year's reports and what is filed
//! beside a unit's workbook. One place, so that `init`, `form --all`, the
//! jobs and the daemon call the same paper by the same name.

use chrono::NaiveDate;

use crate::io::pdf::Kind;

/// The file a document is saved and attached under.
pub fn document(kind: Kind, year: i32, unit: Option<&str>) -> String {
    match kind {
        Kind::Ranking => format!("bao-cao-xep-hang-thi-dua-{year}.pdf"),
        // Named for the people who open it: "Phieu-cham-diem-2026-STP-HTI.pdf".
        Kind::Sheet => format!("Phieu-cham-diem-{year}-{}.pdf", unit.unwrap_or("don-vi")),
        Kind::Agreement => format!("giao-uoc-thi-dua-{}.pdf", year + 1),
        Kind::Proposals => format!("de-nghi-khen-thuong-{year}.pdf"),
        Kind::Minutes => format!("bien-ban-bau-chon-khen-thuong-{year}.pdf"),
    }
}

/// The provisional ranking report of `day` (one a day may be made).
pub fn provisional_ranking(day: NaiveDate) -> String {
    format!("bao-cao-xep-hang-du-kien-{}.pdf", day.format("%Y-%m-%d"))
}

/// A unit's blank self-scoring form.
pub fn form(code: &str, year: i32) -> String {
    format!("Bang-tu-cham-{year}-{code}.xlsx")
}

/// A blank cross-check, by the inspected unit.
pub fn crosscheck(inspected: &str, year: i32) -> String {
    format!("Bien-ban-kiem-tra-cheo-{year}-{inspected}.xlsx")
}

/// A unit's commendation ballot.
pub fn ballot(code: &str, year: i32) -> String {
    format!("Phieu-bau-{year}-{code}.xlsx")
}

/// The folders of `reports/<year>/` that hold one file per unit.
pub const FORMS_FOLDER: &str = "bieu-mau";
pub const SHEETS_FOLDER: &str = "phieu-cham-diem";
pub const BALLOTS_FOLDER: &str = "phieu-bau";

/// Written beside a rejected workbook: its findings.
pub const FINDINGS_SUFFIX: &str = ".findings.txt";
/// Written beside an accepted workbook: its score sheet, the one its receipt carries.
pub const SHEET_SUFFIX: &str = ".phieu-cham-diem.pdf";
/// Everything that may be written beside a filed workbook.
pub const BESIDE: [&str; 2] = [FINDINGS_SUFFIX, SHEET_SUFFIX];
