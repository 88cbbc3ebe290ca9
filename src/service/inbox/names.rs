//! Names thidua gives files it files: a unit's chosen name made safe (no
//! path traversal, no control or invisible characters, no characters that
//! Windows shares refuse, NFC, bounded length, its extension kept), and the
//! archive or rejected path built from it.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use unicode_normalization::UnicodeNormalization;

/// Longest name kept, in bytes (file systems allow 255).
const MAX_BYTES: usize = 120;

/// A safe file name for `original` (which may hold anything a unit typed).
pub fn sanitize(original: &str) -> String {
    let nfc: String = original.nfc().collect();
    let mut out = String::with_capacity(nfc.len());
    for ch in nfc.chars() {
        let bad = ch.is_control()
            || matches!(ch, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|')
            || matches!(ch as u32, 0x200B..=0x200F | 0x202A..=0x202E | 0x2060..=0x2069 | 0xFEFF);
        out.push(if bad { '_' } else { ch });
    }
    let trimmed = out.trim_matches(|c: char| c == '.' || c == ' ' || c == '_');
    let name = if trimmed.is_empty() { "tep" } else { trimmed };
    shorten(name)
}

/// Cuts `name` to [`MAX_BYTES`] on a character boundary, keeping a short extension.
fn shorten(name: &str) -> String {
    if name.len() <= MAX_BYTES {
        return name.to_string();
    }
    let (stem, ext) = match name.rsplit_once('.') {
        Some((s, e)) if !e.is_empty() && e.len() <= 8 => (s, format!(".{e}")),
        _ => (name, String::new()),
    };
    let mut cut = MAX_BYTES - ext.len();
    while !stem.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}{ext}", &stem[..cut.min(stem.len())])
}

/// `<root>/<year>/<unit>/<received>_<hash8>_<name>` (unknown parts as `khong-ro`).
pub fn filed_path(
    root: &Path,
    year: Option<i32>,
    unit: Option<&str>,
    received: DateTime<Utc>,
    hash: &str,
    original: &str,
) -> PathBuf {
    let year = year.map_or_else(|| "khong-ro".to_string(), |y| y.to_string());
    let unit = unit.map_or_else(|| "khong-ro".to_string(), sanitize);
    root.join(year).join(unit).join(format!(
        "{}_{}_{}",
        received.format("%Y%m%dT%H%M%SZ"),
        &hash[..8.min(hash.len())],
        sanitize(original)
    ))
}

pub use crate::app::papers::names::BESIDE;

/// `stored` with `suffix` appended to its file name.
pub fn beside(stored: &Path, suffix: &str) -> PathBuf {
    let name = stored
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    stored.with_file_name(format!("{name}{suffix}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_cannot_escape_or_hide() {
        assert_eq!(sanitize("../../etc/passwd"), "etc_passwd");
        assert_eq!(sanitize("a\u{0}b\r\nc.xlsx"), "a_b__c.xlsx");
        assert_eq!(sanitize("bang\u{202E}xslx.exe"), "bang_xslx.exe");
        assert_eq!(sanitize("..."), "tep");
        let nfd: String = "Bảng tự chấm.xlsx".nfd().collect();
        assert_eq!(sanitize(&nfd), "Bảng tự chấm.xlsx");
        let long = format!("{}.xlsx", "ấ".repeat(200));
        let s = sanitize(&long);
        assert!(
            s.len() <= MAX_BYTES && Path::new(&s).extension().is_some_and(|e| e == "xlsx"),
            "{s}"
        );
    }

    #[test]
    fn filed_paths_carry_time_hash_and_name() {
        let t = DateTime::parse_from_rfc3339("2026-11-27T01:02:03Z")
            .unwrap()
            .with_timezone(&Utc);
        let p = filed_path(
            Path::new("/d/archive"),
            Some(2026),
            Some("STP-QTR"),
            t,
            "0123456789abcdef",
            "x/../b.xlsx",
        );
        assert_eq!(
            p,
            Path::new("/d/archive/2026/STP-QTR/20261127T010203Z_01234567_x_.._b.xlsx")
        );
    }
}
