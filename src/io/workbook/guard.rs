//! The checks made before a parser sees a file: its size, what it really is
//! (by its first bytes, not its name), and for zip-based formats every
//! entry's declared and actual unpacked size, so a zip bomb costs at most
//! the unpacked limit in CPU and nothing in memory.

use std::io::{Cursor, Read};
use std::path::Path;

use super::{Format, Limits, ReadError, why};
use crate::domain::vn::format_number;

const ZIP_MAGIC: &[u8] = b"PK\x03\x04";
const ZIP_EMPTY: &[u8] = b"PK\x05\x06";
const CFB_MAGIC: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
/// More entries than any real workbook has (a 500-sheet workbook has ~1.000).
const MAX_ENTRIES: usize = 20_000;
/// The most deflate can expand data (RFC 1951: 258 bytes from 2 bits).
const MAX_DEFLATE_RATIO: u64 = 1032;

fn mib(bytes: u64) -> String {
    format_number((bytes as f64 / (1024.0 * 1024.0) * 10.0).round() / 10.0)
}

pub(super) fn too_large_file(size: u64, max: u64) -> ReadError {
    ReadError::TooLarge(format!(
        "tệp nặng {} MiB, vượt giới hạn {} MiB",
        mib(size),
        mib(max)
    ))
}

fn too_large_unpacked(max: u64) -> ReadError {
    ReadError::TooLarge(format!(
        "nội dung tệp khi giải nén vượt giới hạn {} MiB (nghi là tệp nén độc hại)",
        mib(max)
    ))
}

fn cannot_open(e: &std::io::Error) -> ReadError {
    why::note(&format!("io: {e}"));
    ReadError::Unreadable(match e.kind() {
        std::io::ErrorKind::PermissionDenied => {
            "chương trình không có quyền đọc tệp này; hãy lưu lại tệp rồi gửi lại".into()
        }
        _ => "không mở được tệp; hãy gửi lại tệp".into(),
    })
}

/// Reads a whole file, refusing one over `max` bytes without reading it all.
pub(super) fn read_bounded(path: &Path, max: u64) -> Result<Vec<u8>, ReadError> {
    let meta = std::fs::metadata(path).map_err(|e| cannot_open(&e))?;
    if !meta.is_file() {
        return Err(ReadError::Unreadable(
            "đây không phải là một tệp (có thể là thư mục)".into(),
        ));
    }
    if meta.len() > max {
        return Err(too_large_file(meta.len(), max));
    }
    let file = std::fs::File::open(path).map_err(|e| cannot_open(&e))?;
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(max + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| cannot_open(&e))?;
    if bytes.len() as u64 > max {
        return Err(too_large_file(bytes.len() as u64, max));
    }
    Ok(bytes)
}

/// Decides the format from the content and checks zip entries.
pub(super) fn sniff(bytes: &[u8], limits: &Limits) -> Result<Format, ReadError> {
    if bytes.is_empty() {
        return Err(ReadError::Unreadable("tệp rỗng (0 byte)".into()));
    }
    if bytes.starts_with(ZIP_MAGIC) || bytes.starts_with(ZIP_EMPTY) {
        return check_zip(bytes, limits);
    }
    if bytes.starts_with(CFB_MAGIC) {
        if contains_utf16(bytes, "EncryptionInfo") || xor_obfuscated(bytes) {
            return Err(why::encrypted());
        }
        return Ok(Format::Xls);
    }
    Err(what_else(bytes))
}

/// What a file that is neither zip nor OLE is, as the sentence for it.
fn what_else(bytes: &[u8]) -> ReadError {
    // An Excel 2.x–4.0 file begins with its BOF record (MS-XLS 2.4.21):
    // 0x0009, 0x0209 or 0x0409, then a length of 4 to 16 bytes.
    if bytes.len() >= 4
        && matches!(bytes[..2], [0x09, 0x00 | 0x02 | 0x04])
        && matches!(u16::from_le_bytes([bytes[2], bytes[3]]), 4..=16)
    {
        return why::excel4();
    }
    let head = &bytes[..bytes.len().min(1024)];
    let texty = head
        .iter()
        .all(|b| b.is_ascii_graphic() || b.is_ascii_whitespace() || *b >= 0x80);
    if !texty {
        return why::not_a_workbook();
    }
    let text = String::from_utf8_lossy(head).to_ascii_lowercase();
    let start = text.trim_start_matches('\u{feff}').trim_start();
    if text.contains("urn:schemas-microsoft-com:office:spreadsheet") && start.starts_with("<?xml") {
        why::xml2003()
    } else if start.starts_with('<')
        && ["<html", "<table", "<!doctype html", "<body", "<meta"]
            .iter()
            .any(|t| text.contains(t))
    {
        why::html()
    } else {
        why::plain_text()
    }
}

/// Whether an OLE file holds a BIFF8 workbook obfuscated with XOR (its
/// `FilePass` record, MS-XLS 2.4.117, with encryption type 0), which calamine
/// reads as garbage instead of calling it encrypted. The workbook stream
/// begins on a sector boundary with its BOF record; `FilePass` follows it.
fn xor_obfuscated(bytes: &[u8]) -> bool {
    const BOF_GLOBALS: [u8; 6] = [0x09, 0x08, 0x10, 0x00, 0x00, 0x06];
    (512..bytes.len().saturating_sub(30)).step_by(64).any(|at| {
        let b = &bytes[at..];
        b.starts_with(&BOF_GLOBALS)
            && b[6..8] == [0x05, 0x00]
            && b[20..22] == [0x2F, 0x00]
            && b[24..26] == [0x00, 0x00]
    })
}

fn contains_utf16(bytes: &[u8], needle: &str) -> bool {
    let pattern: Vec<u8> = needle.encode_utf16().flat_map(u16::to_le_bytes).collect();
    bytes
        .windows(pattern.len())
        .any(|w| w == pattern.as_slice())
}

fn corrupt(e: impl std::fmt::Display) -> ReadError {
    why::note(&format!("zip: {e}"));
    why::damaged()
}

fn check_zip(bytes: &[u8], limits: &Limits) -> Result<Format, ReadError> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(corrupt)?;
    if zip.len() > MAX_ENTRIES {
        return Err(ReadError::TooLarge(format!(
            "tệp có {} thành phần, quá nhiều đối với một bảng tính",
            format_number(zip.len() as f64)
        )));
    }
    let mut declared: u64 = 0;
    // What the entries can unpack to at most, whatever they declare:
    // deflate cannot expand data more than 1032 times.
    let mut ceiling: u64 = 0;
    let mut format = None;
    let mut is_ods = false;
    for i in 0..zip.len() {
        let entry = zip.by_index_raw(i).map_err(corrupt)?;
        if entry.encrypted() {
            return Err(why::encrypted());
        }
        declared = declared.saturating_add(entry.size());
        ceiling = ceiling.saturating_add(match entry.compression() {
            zip::CompressionMethod::Stored => entry.compressed_size(),
            _ => entry.compressed_size().saturating_mul(MAX_DEFLATE_RATIO),
        });
        if declared > limits.max_unpacked_bytes {
            return Err(too_large_unpacked(limits.max_unpacked_bytes));
        }
        match entry.name().map_err(corrupt)?.as_ref() {
            "xl/workbook.xml" => format = Some(Format::Xlsx),
            "xl/workbook.bin" => format = Some(Format::Xlsb),
            "mimetype" => is_ods = true,
            _ => {}
        }
    }
    // Where the entries could unpack past the limit, every entry is inflated
    // once into nothing: an entry that lies about its size, or a total over
    // the limit, is caught before calamine allocates for it. Ordinary
    // workbooks (under ~100 KiB packed) cannot, and skip this pass.
    if ceiling > limits.max_unpacked_bytes {
        inflate_all(&mut zip, limits)?;
    }
    if is_ods {
        let mut m = zip.by_name("mimetype").map_err(corrupt)?;
        let mut mime = String::new();
        (&mut m)
            .take(200)
            .read_to_string(&mut mime)
            .map_err(corrupt)?;
        if mime.trim() == "application/vnd.oasis.opendocument.spreadsheet" {
            return Ok(Format::Ods);
        }
        return Err(ReadError::Unreadable(format!(
            "tệp OpenDocument nhưng không phải bảng tính ({})",
            crate::domain::vn::quote(mime.trim())
        )));
    }
    format.ok_or_else(|| {
        ReadError::Unreadable("tệp nén (zip) nhưng không phải bảng tính Excel/LibreOffice".into())
    })
}

/// Inflates every entry into nothing, counting: stops at the first entry
/// that unpacks past its declared size or when the total passes the limit.
fn inflate_all(zip: &mut zip::ZipArchive<Cursor<&[u8]>>, limits: &Limits) -> Result<(), ReadError> {
    let mut actual: u64 = 0;
    let mut buf = vec![0u8; 64 * 1024];
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).map_err(corrupt)?;
        let claimed = entry.size();
        let mut read: u64 = 0;
        loop {
            let n = entry.read(&mut buf).map_err(corrupt)?;
            if n == 0 {
                break;
            }
            read += n as u64;
            actual += n as u64;
            if read > claimed {
                return Err(ReadError::Unreadable(format!(
                    "thành phần “{}” của tệp giải nén ra nhiều hơn kích thước khai báo (tệp bị hỏng hoặc độc hại)",
                    entry.name().unwrap_or_default()
                )));
            }
            if actual > limits.max_unpacked_bytes {
                return Err(too_large_unpacked(limits.max_unpacked_bytes));
            }
        }
    }
    Ok(())
}
