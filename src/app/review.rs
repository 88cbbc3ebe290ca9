//! Reviewing one file as the daemon and `thidua validate` do: read it within
//! limits, pick the sheet, parse it and validate it. The only step here that
//! touches the disk is opening the workbook; a parser panic or any read
//! failure becomes a finding, never a crash.

use std::path::Path;

use crate::domain::findings::{Code, Finding};
use crate::domain::submission::{
    self, SHEET_BALLOT, SHEET_CROSS, SHEET_FIGURES, SHEET_SELF, same_name,
};
use crate::domain::validate::{self, Context, Verdict, header_missing};
use crate::io::workbook::{Book, Limits, ReadError, Sheet};

/// Reads and validates the workbook at `path`.
pub fn review_file(path: &Path, limits: &Limits, ctx: &Context<'_>) -> Verdict {
    guarded(|| match Book::open(path, limits) {
        Ok(mut book) => review_book(&mut book, ctx),
        Err(e) => Verdict::single(read_finding(&e)),
    })
}

/// Runs a review so that a panic anywhere in it (a bug, or a parser choking
/// on a hostile file) becomes an `unreadable-file` finding for that file.
fn guarded(f: impl FnOnce() -> Verdict) -> Verdict {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).unwrap_or_else(|_| {
        Verdict::single(Finding::error(
            Code::UnreadableFile,
            "Không đọc được tệp: chương trình gặp lỗi nội bộ khi xử lý tệp này (đã ghi nhận để khắc phục); hãy lưu lại tệp bằng Excel hoặc LibreOffice rồi gửi lại.",
        ))
    })
}

fn read_finding(e: &ReadError) -> Finding {
    match e {
        ReadError::TooLarge(m) => Finding::error(Code::FileTooLarge, format!("Tệp quá lớn: {m}.")),
        ReadError::Unreadable(m) => {
            Finding::error(Code::UnreadableFile, format!("Không đọc được tệp: {m}."))
        }
    }
}

enum Picked {
    SelfScoring(Sheet, bool),
    CrossCheck(Sheet, bool),
    Ballot(Sheet),
}

fn pick(book: &mut Book) -> Result<Picked, Finding> {
    let names = book.sheet_names().to_vec();
    if let Some(n) = names.iter().find(|n| same_name(n, SHEET_BALLOT)) {
        return Ok(Picked::Ballot(book.sheet(n).map_err(|e| read_finding(&e))?));
    }
    if let Some(n) = names.iter().find(|n| same_name(n, SHEET_CROSS)) {
        return Ok(Picked::CrossCheck(
            book.sheet(n).map_err(|e| read_finding(&e))?,
            false,
        ));
    }
    if let Some(n) = names.iter().find(|n| same_name(n, SHEET_SELF)) {
        return Ok(Picked::SelfScoring(
            book.sheet(n).map_err(|e| read_finding(&e))?,
            false,
        ));
    }
    for n in names.iter().filter(|n| !same_name(n, SHEET_FIGURES)) {
        let sheet = book.sheet(n).map_err(|e| read_finding(&e))?;
        if submission::find_header(&sheet, submission::SELF_REQUIRED, &[]).is_ok() {
            return Ok(Picked::SelfScoring(sheet, true));
        }
        if submission::find_header(&sheet, submission::CROSS_REQUIRED, &[]).is_ok() {
            return Ok(Picked::CrossCheck(sheet, true));
        }
        if submission::find_header(&sheet, submission::BALLOT_REQUIRED, &[]).is_ok() {
            return Ok(Picked::Ballot(sheet));
        }
    }
    Err(Finding::error(
        Code::SheetMissing,
        format!(
            "Không có trang “{SHEET_SELF}” (hoặc “{SHEET_CROSS}”) và không trang nào chứa bảng chấm điểm; các trang có trong tệp: {}.",
            names
                .iter()
                .take(10)
                .map(|n| crate::domain::vn::quote(n))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    ))
}

fn fallback_warning(sheet: &str, wanted: &str) -> Finding {
    Finding::warning(
        Code::SheetMissing,
        format!("Không có trang tên “{wanted}”; đã dùng trang “{sheet}” vì trang này chứa bảng chấm điểm."),
    )
    .on_sheet(sheet)
}

/// Validates an open workbook.
pub fn review_book(book: &mut Book, ctx: &Context<'_>) -> Verdict {
    let picked = match pick(book) {
        Ok(p) => p,
        Err(f) => return Verdict::single(f),
    };
    match picked {
        Picked::SelfScoring(sheet, fallback) => {
            let parsed = match submission::self_scoring(&sheet) {
                Ok(p) => p,
                Err(m) => return Verdict::single(header_missing(&sheet.name, &m)),
            };
            let figures_sheet = book
                .sheet_names()
                .iter()
                .find(|n| same_name(n, SHEET_FIGURES))
                .cloned()
                .map(|n| book.sheet(&n));
            let figures_sheet = match figures_sheet {
                Some(Ok(s)) => Some(s),
                Some(Err(e)) => return Verdict::single(read_finding(&e)),
                None => None,
            };
            let figures = figures_sheet
                .as_ref()
                .map(|s| submission::figures(s).map_err(|m| (s.name.clone(), m)));
            let figures_ref = figures.as_ref().map(|r| match r {
                Ok(f) => Ok(f),
                Err((name, m)) => Err((name.as_str(), m)),
            });
            let mut v = validate::self_scoring(&parsed, figures_ref, ctx);
            if fallback {
                v.findings
                    .insert(0, fallback_warning(&sheet.name, SHEET_SELF));
            }
            v
        }
        Picked::Ballot(sheet) => match submission::ballot(&sheet) {
            Ok(parsed) => validate::ballot(&parsed, ctx),
            Err(m) => Verdict::single(header_missing(&sheet.name, &m)),
        },
        Picked::CrossCheck(sheet, fallback) => {
            let parsed = match submission::cross_check(&sheet) {
                Ok(p) => p,
                Err(m) => return Verdict::single(header_missing(&sheet.name, &m)),
            };
            let mut v = validate::cross_check(&parsed, ctx);
            if fallback {
                v.findings
                    .insert(0, fallback_warning(&sheet.name, SHEET_CROSS));
            }
            v
        }
    }
}
