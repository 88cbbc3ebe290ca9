//! What a unit reads when its workbook cannot be read: one Vietnamese
//! sentence that fits the case (encrypted, too old, a web page or plain
//! text under a workbook's name, only charts, damaged). The reading
//! library's own text, English and technical, goes to the log as a
//! structured event and never into the sentence.

use std::cell::RefCell;

use super::ReadError;

thread_local! {
    /// The last library text noted on this thread, for the reader child's reply.
    static DETAIL: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Logs a library's text about a file and keeps it for [`take_detail`].
pub(super) fn note(detail: &str) {
    tracing::warn!(target: "thidua::workbook", detail, "the workbook reader refused a file");
    DETAIL.with(|d| *d.borrow_mut() = Some(detail.to_string()));
}

/// The last text [`note`]d on this thread, taken.
pub(super) fn take_detail() -> Option<String> {
    DETAIL.with(|d| d.borrow_mut().take())
}

const RESAVE: &str = "hãy mở tệp bằng Excel hoặc LibreOffice, lưu lại dưới dạng .xlsx rồi gửi lại";

pub(super) fn encrypted() -> ReadError {
    ReadError::Unreadable("tệp được đặt mật khẩu (mã hóa); hãy gỡ mật khẩu rồi gửi lại".into())
}

pub(super) fn excel4() -> ReadError {
    ReadError::Unreadable(format!(
        "tệp được lưu theo định dạng Excel 4.0 hoặc cũ hơn, quá cũ để đọc; {RESAVE}"
    ))
}

pub(super) fn html() -> ReadError {
    ReadError::Unreadable(format!(
        "tệp là một trang web (HTML) mang đuôi bảng tính, không phải bảng tính thật; {RESAVE}"
    ))
}

pub(super) fn xml2003() -> ReadError {
    ReadError::Unreadable(format!(
        "tệp là bảng tính XML 2003 (XML Spreadsheet), định dạng không được nhận; {RESAVE}"
    ))
}

pub(super) fn plain_text() -> ReadError {
    ReadError::Unreadable(format!(
        "tệp là văn bản thuần (có thể là CSV) mang đuôi bảng tính, không phải bảng tính thật; {RESAVE}"
    ))
}

pub(super) fn not_a_workbook() -> ReadError {
    ReadError::Unreadable(
        "tệp không phải là bảng tính Excel/LibreOffice (.xlsx, .xlsm, .xls, .xlsb, .ods)".into(),
    )
}

pub(super) fn charts_only() -> ReadError {
    ReadError::Unreadable(
        "tệp chỉ có trang biểu đồ, không có trang tính nào để chứa bảng chấm điểm; hãy gửi tệp bảng chấm điểm".into(),
    )
}

/// A damaged file, whatever the library said (which is logged).
pub(super) fn damaged() -> ReadError {
    ReadError::Unreadable(format!(
        "tệp bị hỏng hoặc không đúng định dạng bảng tính; {RESAVE}"
    ))
}

/// The reader gave up in a way that is thidua's fault, not the file's.
pub(super) fn internal() -> ReadError {
    ReadError::Unreadable(format!(
        "trình đọc bảng tính gặp lỗi nội bộ khi đọc tệp này (đã ghi nhận để khắc phục); {RESAVE}"
    ))
}

/// A library's error about a file, turned into the sentence that fits.
pub(super) fn library_error(e: &dyn std::fmt::Display) -> ReadError {
    let text = e.to_string();
    note(&text);
    let lower = text.to_ascii_lowercase();
    if lower.contains("password") || lower.contains("ncrypt") {
        encrypted()
    } else if lower.contains("chartsheet") {
        charts_only()
    } else {
        damaged()
    }
}

/// A library that panicked on a file: its message is logged.
pub(super) fn panicked(payload: &(dyn std::any::Any + Send)) -> ReadError {
    let message = payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "(no message)".to_string());
    note(&format!("panic: {message}"));
    damaged()
}
