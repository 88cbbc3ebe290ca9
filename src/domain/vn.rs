//! Vietnamese text and numbers: the normalisation used to compare labels
//! (NFC, trimmed, case-folded, spaces collapsed), reading numbers written
//! `9,5` or `1.103`, writing them back the same way, dates written
//! "ngày 09 tháng 12 năm 2022", and quoting a unit's value safely in a message.

use std::fmt::Write;

use unicode_normalization::UnicodeNormalization;

/// The comparison form of a label: NFC, lower case, inner whitespace
/// collapsed, surrounding spaces and a trailing `:` removed.
pub fn norm(s: &str) -> String {
    let lower = if s.is_ascii() {
        s.to_ascii_lowercase()
    } else if unicode_normalization::is_nfc_quick(s.chars())
        == unicode_normalization::IsNormalized::Yes
    {
        s.to_lowercase()
    } else {
        s.nfc().collect::<String>().to_lowercase()
    };
    let mut out = String::with_capacity(lower.len());
    for word in lower.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    let trimmed = out.trim_end_matches([':', '：']).trim_end();
    trimmed.to_string()
}

/// NFC with surrounding whitespace removed: the stored form of a value.
pub fn clean(s: &str) -> String {
    let t = s.trim();
    if t.is_ascii()
        || unicode_normalization::is_nfc_quick(t.chars())
            == unicode_normalization::IsNormalized::Yes
    {
        t.to_string()
    } else {
        t.nfc().collect()
    }
}

/// Reads a decimal written the Vietnamese (`9,5`) or the English (`9.5`)
/// way, with optional spaces, a sign, and thousands groups when both
/// separators appear (`1.234,5`). `None` when it is not a number.
pub fn parse_decimal(s: &str) -> Option<f64> {
    let t: String = s
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{a0}' && *c != '\u{202f}')
        .collect();
    if t.is_empty() || t.len() > 40 {
        return None;
    }
    let (sign, body) = match t.strip_prefix('-') {
        Some(b) => (-1.0, b),
        None => (1.0, t.strip_prefix('+').unwrap_or(&t)),
    };
    let plain = match (body.rfind(','), body.rfind('.')) {
        (Some(c), Some(d)) if c > d => body.replace('.', "").replace(',', "."),
        (Some(_), Some(_)) => body.replace(',', ""),
        (Some(_), None) if body.matches(',').count() == 1 => body.replace(',', "."),
        (Some(_), None) => return None,
        (None, _) if body.matches('.').count() > 1 => return None,
        (None, _) => body.to_string(),
    };
    if plain.is_empty()
        || !plain.chars().all(|c| c.is_ascii_digit() || c == '.')
        || plain.starts_with('.')
        || plain.ends_with('.')
    {
        return None;
    }
    plain.parse::<f64>().ok().map(|v| sign * v)
}

/// Reads a whole number where thousands may be grouped with dots or spaces
/// (`1.103`, `1 103`, `1103`). `None` for anything else, fractions included.
pub fn parse_whole(s: &str) -> Option<i64> {
    let t: String = s
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{a0}' && *c != '\u{202f}')
        .collect();
    let (neg, body) = match t.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, t.as_str()),
    };
    if body.is_empty() || body.len() > 24 {
        return None;
    }
    let digits = if body.contains('.') {
        let mut groups = body.split('.');
        let first = groups.next()?;
        if first.is_empty() || first.len() > 3 || !groups.clone().all(|g| g.len() == 3) {
            return None;
        }
        body.replace('.', "")
    } else {
        body.to_string()
    };
    if !digits.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let v: i64 = digits.parse().ok()?;
    Some(if neg { -v } else { v })
}

/// Writes a number the Vietnamese way: `1.103`, `9,5`, `187,25`, `-2`.
pub fn format_number(v: f64) -> String {
    let neg = v < 0.0;
    let abs = v.abs();
    let mut s = format!("{abs:.2}");
    while s.ends_with('0') {
        s.pop();
    }
    if s.ends_with('.') {
        s.pop();
    }
    let (int, frac) = match s.split_once('.') {
        Some((i, f)) => (i.to_string(), Some(f.to_string())),
        None => (s.clone(), None),
    };
    let mut grouped = String::new();
    for (i, ch) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push('.');
        }
        grouped.push(ch);
    }
    let mut out = String::new();
    if neg && abs >= 0.005 {
        out.push('-');
    }
    out.push_str(&grouped);
    if let Some(f) = frac {
        out.push(',');
        out.push_str(&f);
    }
    out
}

/// "ngày 09 tháng 12 năm 2022": days under 10 and months 1–2 with a leading zero.
pub fn format_date(d: chrono::NaiveDate) -> String {
    use chrono::Datelike;
    let month = if d.month() <= 2 {
        format!("{:02}", d.month())
    } else {
        d.month().to_string()
    };
    format!("ngày {:02} tháng {} năm {}", d.day(), month, d.year())
}

/// A value quoted for a message: shown in “…”, invisible and control
/// characters written as `\u{…}`, cut after 60 characters.
pub fn quote(s: &str) -> String {
    const MAX: usize = 60;
    let mut out = String::from("“");
    for (n, ch) in s.chars().enumerate() {
        if n == MAX {
            out.push('…');
            break;
        }
        if ch.is_control() || is_invisible(ch) {
            let _ = write!(out, "\\u{{{:04X}}}", ch as u32);
        } else {
            out.push(ch);
        }
    }
    out.push('”');
    out
}

/// Zero-width, direction and soft-hyphen characters: nothing a reader sees.
pub fn is_invisible(ch: char) -> bool {
    matches!(ch as u32,
        0x200B..=0x200F | 0x202A..=0x202E | 0x2060..=0x2064 | 0x2066..=0x2069 | 0xFEFF | 0x00AD)
}

/// One line of text (a mail header, a log field, a file name shown to a
/// person): control characters and line breaks become spaces.
pub fn one_line(s: &str) -> String {
    let cleaned: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    cleaned.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Phrases of the bodies' names that a heading line must not split: a
/// Vietnamese word is often two syllables written apart ("CƠ QUAN", "TƯ
/// PHÁP"), and a break between them reads as two words.
const PHRASES: &[&str] = &[
    "BẮC TRUNG BỘ",
    "NAM TRUNG BỘ",
    "KHU VỰC",
    "THI ĐUA",
    "KHEN THƯỞNG",
    "CƠ QUAN",
    "TƯ PHÁP",
    "DÂN SỰ",
    "THÀNH PHỐ",
];

/// Words that open what follows and never end a heading's line.
const OPENERS: &[&str] = &["CÁC", "CỦA", "VÀ"];

/// `upper` (a body's name in capitals, for a letterhead or a signature
/// label) with no-break spaces inside its phrases and after a word that
/// opens one, so that lines break between phrases: "KHU VỰC THI ĐUA / CÁC
/// CƠ QUAN TƯ PHÁP / CÁC TỈNH BẮC TRUNG BỘ", never "… THI ĐUA CÁC / CƠ
/// QUAN …". A name too long for its line still breaks, at the no-break
/// spaces if it must.
pub fn keep_phrases(upper: &str) -> String {
    let bind = |s: &str| s.replace(' ', "\u{a0}");
    // Split at plain spaces only: a no-break space already there stays.
    let words: Vec<&str> = upper.split(' ').filter(|w| !w.is_empty()).collect();
    let mut out = format!(" {} ", words.join(" "));
    for phrase in PHRASES {
        out = out.replace(&format!(" {phrase} "), &format!(" {} ", bind(phrase)));
    }
    for word in OPENERS {
        out = out.replace(&format!(" {word} "), &format!(" {word}\u{a0}"));
    }
    out.trim_matches(' ').trim_end_matches('\u{a0}').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_compare_in_any_unicode_form_and_case() {
        let nfd: String = "Điểm tự chấm".nfd().collect();
        assert_ne!(nfd, "Điểm tự chấm");
        assert_eq!(norm(&format!("  {}:", nfd.to_uppercase())), "điểm tự chấm");
        assert_eq!(norm("Điểm\n tự   chấm"), "điểm tự chấm");
    }

    #[test]
    fn decimals_in_both_styles() {
        assert_eq!(parse_decimal("9,5"), Some(9.5));
        assert_eq!(parse_decimal(" 9.5 "), Some(9.5));
        assert_eq!(parse_decimal("1.234,5"), Some(1234.5));
        assert_eq!(parse_decimal("-0,25"), Some(-0.25));
        assert_eq!(parse_decimal("9,5 điểm"), None);
        assert_eq!(parse_decimal("1,2,3"), None);
        assert_eq!(parse_decimal(""), None);
        assert_eq!(parse_decimal("."), None);
    }

    #[test]
    fn whole_numbers_with_thousands_dots() {
        assert_eq!(parse_whole("1.103"), Some(1103));
        assert_eq!(parse_whole("1 103"), Some(1103));
        assert_eq!(parse_whole("12.345.678"), Some(12_345_678));
        assert_eq!(parse_whole("1.10"), None);
        assert_eq!(parse_whole("9,5"), None);
        assert_eq!(parse_whole("-3"), Some(-3));
    }

    #[test]
    fn numbers_and_dates_written_the_vietnamese_way() {
        assert_eq!(format_number(1103.0), "1.103");
        assert_eq!(format_number(9.5), "9,5");
        assert_eq!(format_number(187.25), "187,25");
        assert_eq!(format_number(1_234_567.0), "1.234.567");
        assert_eq!(format_number(0.0), "0");
        assert_eq!(format_number(-2.0), "-2");
        let d = chrono::NaiveDate::from_ymd_opt(2022, 12, 9).unwrap();
        assert_eq!(format_date(d), "ngày 09 tháng 12 năm 2022");
        let d = chrono::NaiveDate::from_ymd_opt(2023, 2, 14).unwrap();
        assert_eq!(format_date(d), "ngày 14 tháng 02 năm 2023");
    }

    #[test]
    fn quoting_shows_invisible_characters_and_cuts_long_values() {
        assert_eq!(quote("STP\u{200B}-QTR"), "“STP\\u{200B}-QTR”");
        assert_eq!(quote("a\r\nb"), "“a\\u{000D}\\u{000A}b”");
        let long = "x".repeat(1000);
        assert_eq!(quote(&long).chars().count(), 60 + 3);
    }

    #[test]
    fn norm_folds_case_spaces_and_a_trailing_colon_of_either_width() {
        assert_eq!(norm("  MÃ ĐƠN VỊ :  "), "mã đơn vị");
        assert_eq!(norm("Năm："), "năm");
        assert_eq!(norm("TT:"), "tt");
        assert_eq!(norm("Tiêu\tchí\u{a0} con"), "tiêu chí con");
        assert_eq!(norm("::"), "");
    }

    #[test]
    fn clean_trims_and_composes() {
        let nfd: String = "Quảng Trị".nfd().collect();
        assert_eq!(clean(&format!("  {nfd}\n")), "Quảng Trị");
        assert_eq!(clean(" STP-QTR "), "STP-QTR");
        // Composed text is kept as written, case included.
        assert_eq!(clean("Đồng Ý"), "Đồng Ý");
    }

    #[test]
    fn decimals_edge_cases() {
        assert_eq!(parse_decimal("+9,5"), Some(9.5));
        assert_eq!(parse_decimal("1,234.5"), Some(1234.5));
        assert_eq!(parse_decimal("9\u{a0},\u{202f}5"), Some(9.5));
        assert_eq!(parse_decimal("-9"), Some(-9.0));
        assert_eq!(parse_decimal("1.2.3"), None);
        assert_eq!(parse_decimal("9,"), None);
        assert_eq!(parse_decimal(",5"), None);
        assert_eq!(parse_decimal("-"), None);
        assert_eq!(parse_decimal("1e3"), None);
        assert_eq!(
            parse_decimal(&"1".repeat(40)),
            Some(1.111_111_111_111_111_1e39)
        );
        assert_eq!(parse_decimal(&"1".repeat(41)), None);
    }

    #[test]
    fn whole_numbers_edge_cases() {
        assert_eq!(parse_whole("0"), Some(0));
        assert_eq!(parse_whole("1\u{a0}103"), Some(1103));
        assert_eq!(parse_whole("1234.567"), None);
        assert_eq!(parse_whole(".103"), None);
        assert_eq!(parse_whole("1.1034"), None);
        assert_eq!(parse_whole(""), None);
        assert_eq!(parse_whole("-"), None);
        assert_eq!(parse_whole("+3"), None);
        assert_eq!(parse_whole("12a"), None);
        assert_eq!(parse_whole(&"9".repeat(18)), Some(999_999_999_999_999_999));
        assert_eq!(parse_whole(&"1".repeat(25)), None);
        assert_eq!(parse_whole(&"9".repeat(24)), None);
    }

    #[test]
    fn whole_numbers_group_thousands_from_a_first_group_of_one_to_three_digits() {
        assert_eq!(parse_whole("123.456"), Some(123_456));
        assert_eq!(parse_whole("12.345"), Some(12_345));
        assert_eq!(parse_whole("100.000.000"), Some(100_000_000));
        assert_eq!(parse_whole("1234.567"), None);
        // At most 24 characters, whatever the value: 24 with leading zeros
        // are read, 25 are not.
        assert_eq!(parse_whole(&format!("{}7", "0".repeat(23))), Some(7));
        assert_eq!(parse_whole(&format!("{}7", "0".repeat(24))), None);
        assert_eq!(parse_whole(&format!("-{}7", "0".repeat(23))), Some(-7));
    }

    #[test]
    fn numbers_rounded_to_hundredths_and_grouped_by_thousands() {
        assert_eq!(format_number(100.0), "100");
        assert_eq!(format_number(999.0), "999");
        assert_eq!(format_number(1000.5), "1.000,5");
        assert_eq!(format_number(12_345.75), "12.345,75");
        assert_eq!(format_number(0.004), "0");
        assert_eq!(format_number(0.006), "0,01");
        assert_eq!(format_number(9.999), "10");
        assert_eq!(format_number(-0.004), "0");
        assert_eq!(format_number(-0.25), "-0,25");
        assert_eq!(format_number(-1103.5), "-1.103,5");
    }

    #[test]
    fn dates_pad_days_and_the_first_two_months() {
        let d = |y, m, d| chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(format_date(d(2026, 1, 1)), "ngày 01 tháng 01 năm 2026");
        assert_eq!(format_date(d(2026, 3, 10)), "ngày 10 tháng 3 năm 2026");
        assert_eq!(format_date(d(2026, 11, 30)), "ngày 30 tháng 11 năm 2026");
    }

    #[test]
    fn quoting_cuts_after_exactly_sixty_characters() {
        let sixty = "ê".repeat(60);
        assert_eq!(quote(&sixty), format!("“{sixty}”"));
        assert_eq!(quote(&"ê".repeat(61)), format!("“{sixty}…”"));
        assert_eq!(quote(""), "“”");
        for ch in [
            '\u{200B}', '\u{200F}', '\u{202A}', '\u{202E}', '\u{2060}', '\u{2064}', '\u{2066}',
            '\u{2069}', '\u{FEFF}', '\u{AD}',
        ] {
            assert_eq!(
                quote(&ch.to_string()),
                format!("“\\u{{{:04X}}}”", ch as u32),
                "{:X}",
                ch as u32
            );
        }
        // Ordinary letters and spaces around the invisible ranges stay.
        for ch in ['\u{200A}', '\u{2010}', '\u{2065}', '\u{206A}', 'Đ', ' '] {
            assert_eq!(quote(&ch.to_string()), format!("“{ch}”"));
        }
    }

    #[test]
    fn one_line_turns_breaks_and_controls_into_single_spaces() {
        assert_eq!(
            one_line("Bảng\r\ntự chấm\t 2026\u{7}x"),
            "Bảng tự chấm 2026 x"
        );
        assert_eq!(one_line("  a  "), "a");
        assert_eq!(one_line(""), "");
    }

    #[test]
    fn a_heading_breaks_between_phrases_not_inside_them() {
        assert_eq!(
            keep_phrases("KHU VỰC THI ĐUA CÁC CƠ QUAN TƯ PHÁP CÁC TỈNH BẮC TRUNG BỘ"),
            "KHU\u{a0}VỰC THI\u{a0}ĐUA CÁC\u{a0}CƠ\u{a0}QUAN TƯ\u{a0}PHÁP \
             CÁC\u{a0}TỈNH BẮC\u{a0}TRUNG\u{a0}BỘ"
        );
        // Phrases side by side each stay whole; an opener at the end or
        // a phrase inside a longer word is left alone.
        assert_eq!(keep_phrases("TƯ PHÁP DÂN SỰ"), "TƯ\u{a0}PHÁP DÂN\u{a0}SỰ");
        assert_eq!(keep_phrases(" SỞ  TƯ PHÁPX VÀ"), "SỞ TƯ PHÁPX VÀ");
        assert_eq!(keep_phrases(""), "");
        assert_eq!(keep_phrases("TỈNH\u{a0}HÀ TĨNH"), "TỈNH\u{a0}HÀ TĨNH");
    }
}
