//! The words of an annex's cells: tidying what Word and spreadsheets hand
//! over (NFD, non-breaking and zero-width spaces), the printed numbering
//! (`A`, `I`, `1`, `1.1`, `a`), points written "1,75 điểm", a band line
//! ("– Từ 95% đến dưới 100%: 1,75 điểm"), a per-occurrence rule ("trừ 0,5
//! điểm/lần, tối đa 2 điểm"), the kind a heading names ("Điểm thưởng",
//! "Điểm trừ") and the flags written into a name ("(bắt buộc)").
//! Pure text in, values out.

use unicode_normalization::UnicodeNormalization;

use crate::domain::criteria::Kind;

/// NFC; non-breaking, thin and other spaces made plain; zero-width
/// characters and soft hyphens dropped; each line's spaces collapsed and
/// trimmed; blank lines dropped. Line breaks are kept.
pub fn tidy(s: &str) -> String {
    let nfc: String = s.nfc().collect();
    let mut out = String::with_capacity(nfc.len());
    for line in nfc.split(['\n', '\r', '\u{2028}', '\u{2029}', '\u{b}']) {
        let mut l = String::with_capacity(line.len());
        for ch in line.chars() {
            match ch {
                c if crate::domain::vn::is_invisible(c) => {}
                c if c.is_whitespace() => {
                    if !l.is_empty() && !l.ends_with(' ') {
                        l.push(' ');
                    }
                }
                c => l.push(c),
            }
        }
        let l = l.trim_end();
        if l.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(l);
    }
    out
}

/// What a note or a mark says of a criterion: `(mandatory, needs
/// evidence)`, from "bắt buộc" and "minh chứng" / "kiểm chứng", each unless
/// a "không" stands in the two words before it ("không bắt buộc", "không
/// cần minh chứng"). One rule for the criterion's own brackets, its note
/// column and the notes under the table.
pub fn note_flags(s: &str) -> (bool, bool) {
    let low = s.to_lowercase();
    let said = |phrase: &str| {
        low.match_indices(phrase).any(|(at, _)| {
            let before: Vec<&str> = low[..at].split_whitespace().rev().take(2).collect();
            !before.contains(&"không")
        })
    };
    (said("bắt buộc"), said("minh chứng") || said("kiểm chứng"))
}

/// [`tidy`] on one line: line breaks become spaces.
pub fn one_line(s: &str) -> String {
    tidy(s).replace('\n', " ")
}

/// Lower case, one char for one char, so that positions in the result are
/// positions in the original.
fn lower_chars(s: &str) -> Vec<char> {
    s.chars()
        .map(|c| c.to_lowercase().next().unwrap_or(c))
        .collect()
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric()
}

/// Whether `hay` holds `word` as whole words (not inside a longer word).
pub fn has_words(hay: &str, word: &str) -> bool {
    let h = lower_chars(hay);
    let w: Vec<char> = word.chars().collect();
    find_words(&h, &w, 0).is_some()
}

fn find_words(h: &[char], w: &[char], from: usize) -> Option<usize> {
    if w.is_empty() || h.len() < w.len() {
        return None;
    }
    (from..=h.len() - w.len()).find(|&i| {
        h[i..i + w.len()] == *w
            && (i == 0 || !is_word(h[i - 1]))
            && (i + w.len() == h.len() || !is_word(h[i + w.len()]))
    })
}

/// A number written in the text, by char positions.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Num {
    start: usize,
    end: usize,
    value: f64,
}

/// The numbers of a text: digits with at most one `,` or `.` between
/// digits (`1,75`, `0.5`, `01`), not glued to a letter.
fn numbers(c: &[char]) -> Vec<Num> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < c.len() {
        if !c[i].is_ascii_digit() || (i > 0 && (c[i - 1].is_alphabetic() || c[i - 1] == '.')) {
            i += 1;
            continue;
        }
        let start = i;
        while i < c.len() && c[i].is_ascii_digit() {
            i += 1;
        }
        if i + 1 < c.len() && (c[i] == ',' || c[i] == '.') && c[i + 1].is_ascii_digit() {
            i += 1;
            while i < c.len() && c[i].is_ascii_digit() {
                i += 1;
            }
        }
        // `1.1.1` and `1,2,3` are not amounts.
        if i + 1 < c.len() && (c[i] == ',' || c[i] == '.') && c[i + 1].is_ascii_digit() {
            while i < c.len() && (c[i].is_ascii_digit() || c[i] == ',' || c[i] == '.') {
                i += 1;
            }
            continue;
        }
        if i < c.len() && c[i].is_alphabetic() && !is_point_unit_at(c, i) {
            continue;
        }
        let text: String = c[start..i]
            .iter()
            .map(|&ch| if ch == ',' { '.' } else { ch })
            .collect();
        if let Ok(value) = text.parse::<f64>() {
            out.push(Num {
                start,
                end: i,
                value,
            });
        }
    }
    out
}

/// Whether `c[i..]` starts with the word `điểm` or the abbreviation `đ`.
fn is_point_unit_at(c: &[char], i: usize) -> bool {
    point_unit_len(c, i).is_some()
}

fn point_unit_len(c: &[char], i: usize) -> Option<usize> {
    let word: Vec<char> = "điểm".chars().collect();
    if c.len() >= i + word.len() && c[i..i + word.len()] == *word {
        let end = i + word.len();
        if end == c.len() || !is_word(c[end]) {
            return Some(word.len());
        }
    }
    if c.get(i) == Some(&'đ') && c.get(i + 1).is_none_or(|&n| !is_word(n)) {
        return Some(1);
    }
    None
}

/// "2 điểm", "1,75đ": a number and its unit, by char positions.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Mention {
    num: Num,
    /// Just past the unit.
    end: usize,
}

fn mentions(c: &[char]) -> Vec<Mention> {
    numbers(c)
        .into_iter()
        .filter_map(|n| {
            let mut j = n.end;
            while j < c.len() && c[j] == ' ' {
                j += 1;
            }
            point_unit_len(c, j).map(|len| Mention {
                num: n,
                end: j + len,
            })
        })
        .collect()
}

/// Reads points written in a cell: `2`, `1,75`, `2 điểm`, `1,5đ`, `0.5`.
/// `None` for anything else.
pub fn points(cell: &str) -> Option<f64> {
    let line = one_line(cell);
    let chars = lower_chars(&line);
    let nums = numbers(&chars);
    let [only] = nums.as_slice() else { return None };
    if only.start != 0 {
        return None;
    }
    let mut end = only.end;
    while end < chars.len() && chars[end] == ' ' {
        end += 1;
    }
    if end < chars.len() {
        end += point_unit_len(&chars, end)?;
    }
    let rest: String = chars[end..].iter().collect();
    rest.trim_matches(|ch: char| ch == '.' || ch == ' ')
        .is_empty()
        .then_some(only.value)
}

/// The first number of a cell, for messages about a cell that holds one
/// among other words.
pub fn has_number(s: &str) -> bool {
    !numbers(&lower_chars(s)).is_empty()
}

/// A criterion's maximum written with words: "tối đa 10 điểm", "10 điểm
/// (tối đa)". Returns the points and whether the words say "at most".
pub fn stated_max(s: &str) -> Option<(f64, bool)> {
    if let Some(p) = points(s) {
        return Some((p, false));
    }
    let t = one_line(s);
    let c = lower_chars(&t);
    let ms = mentions(&c);
    let nums = numbers(&c);
    let capped = has_words(&t, "tối đa") || has_words(&t, "không quá");
    match (ms.as_slice(), nums.as_slice()) {
        ([m], _) => Some((m.num.value, capped)),
        ([], [n]) if capped => Some((n.value, true)),
        _ => None,
    }
}

const BULLETS: &[char] = &[
    '-', '–', '—', '−', '+', '•', '∙', '·', '*', '○', '●', '◦', '▪', '■', '□', '►', '➢', '→',
    // Symbol-font bullets Word leaves in the text.
    '\u{f0b7}', '\u{f0a7}', '\u{f076}', '\u{f0d8}', '\u{f0fc}', '\u{f0e0}', '\u{f02d}',
];

/// Whether a line starts with a bullet (`-`, `–`, `+`, `•`, …).
pub fn is_bulleted(line: &str) -> bool {
    let t = line.trim_start();
    let mut cs = t.chars();
    match cs.next() {
        Some(c) if BULLETS.contains(&c) => {
            // `-2 điểm` is a negative number, not a bullet.
            !cs.next().is_some_and(|n| n.is_ascii_digit()) || c == '+' || c == '•'
        }
        _ => false,
    }
}

/// A line without its bullet.
pub fn strip_bullet(line: &str) -> &str {
    let t = line.trim_start();
    if is_bulleted(t) {
        let mut cs = t.char_indices();
        cs.next();
        let rest = cs.next().map_or("", |(i, _)| &t[i..]);
        rest.trim_start()
    } else {
        t
    }
}

/// A band read from text.
#[derive(Debug, Clone, PartialEq)]
pub struct BandText {
    pub points: f64,
    /// The condition, possibly empty when the text held only the points.
    pub condition: String,
}

/// Words that join a condition to its points ("… : 2 điểm", "… trừ 0,5
/// điểm", "… được 1 điểm"), removed from the condition's end.
const JOINERS: &[&str] = &[
    "bị trừ",
    "được cộng",
    "được tính",
    "được chấm",
    "được",
    "cho",
    "trừ",
    "cộng",
    "chấm",
    "tính",
    "là",
    "đạt",
    "thì",
];

fn trim_condition(s: &str, strip_words: bool) -> String {
    let mut t = s.trim().to_string();
    loop {
        let before = t.clone();
        t = t
            .trim_end_matches([' ', ':', '=', '-', '–', '—', '→', ',', ';', '(', '.', '>'])
            .to_string();
        t = t
            .trim_start_matches([' ', ':', '=', '-', '–', '—', '→', ',', ';', ')', '.'])
            .to_string();
        if strip_words {
            let lower = t.to_lowercase();
            for w in JOINERS {
                if lower.ends_with(w) && lower.len() == t.len() {
                    let cut = t.len() - w.len();
                    let head = &t[..cut];
                    let negated = ["không", "chưa"]
                        .iter()
                        .any(|n| head.trim_end().to_lowercase().ends_with(n));
                    if t.is_char_boundary(cut)
                        && head.chars().last().is_none_or(|c| !is_word(c))
                        && !head.trim().is_empty()
                        && !negated
                    {
                        t = head.to_string();
                        break;
                    }
                }
            }
        }
        if t == before {
            return t;
        }
    }
}

/// Reads a band line: "– Đạt 100%: 2 điểm", "Từ 95% đến dưới 100%: 1,75
/// điểm", "Không thực hiện: 0 điểm", "Chậm 01 ngày trừ 0,5 điểm", "2 điểm:
/// đúng hạn", "Đúng hạn (2 điểm)", "Đạt 100%: 2". `None` when the line
/// gives no points, or more than one amount without saying which.
pub fn band(line: &str) -> Option<BandText> {
    let t = one_line(strip_bullet(line));
    let orig: Vec<char> = t.chars().collect();
    let c = lower_chars(&t);
    let ms: Vec<Mention> = mentions(&c)
        .into_iter()
        .filter(|m| !capped_before(&c, m.num.start))
        .collect();
    let tail_empty = |from: usize| {
        c[from..]
            .iter()
            .all(|&ch| matches!(ch, ' ' | '.' | ';' | ',' | ')' | ':'))
    };
    let text = |a: usize, b: usize| orig[a..b].iter().collect::<String>();
    if ms.is_empty() {
        // "Đạt 100%: 2" — a bare number after the last colon.
        let colon = c.iter().rposition(|&ch| ch == ':' || ch == '=')?;
        let rest: String = orig[colon + 1..].iter().collect();
        let p = crate::domain::vn::parse_decimal(rest.trim().trim_end_matches(['.', ';']))?;
        return Some(BandText {
            points: p,
            condition: trim_condition(&text(0, colon), false),
        });
    }
    let last = ms[ms.len() - 1];
    if tail_empty(last.end) {
        let mut start = last.num.start;
        // "Đúng hạn (2 điểm)"
        if let Some(open) = c[..start].iter().rposition(|&ch| ch == '(')
            && c[open + 1..start]
                .iter()
                .all(|&ch| ch == ' ' || is_word(ch))
            && c[open + 1..start].iter().filter(|&&ch| ch == ' ').count() <= 2
        {
            start = open;
        }
        if ms.len() > 1 && ms[..ms.len() - 1].iter().any(|m| tail_empty(m.end)) {
            return None;
        }
        // "…: 2 điểm" is joined by its colon; "… trừ 0,5 điểm" by a word.
        let head = text(0, start);
        let punctuated = head
            .trim_end()
            .ends_with([':', '=', '-', '–', '—', '→', '(', '>']);
        return Some(BandText {
            points: last.num.value,
            condition: trim_condition(&head, !punctuated),
        });
    }
    let first = ms[0];
    let lead = c[..first.num.start]
        .iter()
        .all(|&ch| ch == ' ' || ch == '(');
    if lead {
        return Some(BandText {
            points: first.num.value,
            condition: trim_condition(&text(first.end, orig.len()), false),
        });
    }
    None
}

/// Whether the amount at `start` is a cap ("tối đa 2 điểm", "không quá 2").
fn capped_before(c: &[char], start: usize) -> bool {
    let from = start.saturating_sub(14);
    let window: String = c[from..start].iter().collect();
    window.contains("tối đa") || window.contains("không quá")
}

/// A per-occurrence rule: "trừ 0,5 điểm/lần, tối đa 2 điểm", "mỗi lần bị
/// phê bình trừ 1 điểm (tối đa 3 điểm)", "cộng 1 điểm/sáng kiến".
#[derive(Debug, Clone, PartialEq)]
pub struct PerEach {
    pub each: f64,
    /// What is counted, as written ("lần", "văn bản").
    pub unit: String,
    pub cap: Option<f64>,
}

/// Finds a per-occurrence rule in a text.
pub fn per_occurrence(s: &str) -> Option<PerEach> {
    let t = one_line(s);
    let orig: Vec<char> = t.chars().collect();
    let c = lower_chars(&t);
    let ms = mentions(&c);
    let cap = cap_of(&c);
    for m in &ms {
        if capped_before(&c, m.num.start) {
            continue;
        }
        // "0,5 điểm/lần", "1 điểm / 01 văn bản", "0,5 điểm/mỗi lần"
        let mut j = m.end;
        while j < c.len() && c[j] == ' ' {
            j += 1;
        }
        if j < c.len() && c[j] == '/' {
            let unit = unit_after(&orig, &c, j + 1);
            if !unit.is_empty() {
                return Some(PerEach {
                    each: m.num.value,
                    unit,
                    cap,
                });
            }
        }
        // "0,5 điểm cho mỗi lần", "1 điểm mỗi văn bản"
        let rest: String = c[j..].iter().collect();
        for lead in [
            "cho mỗi ",
            "mỗi ",
            "đối với mỗi ",
            "với mỗi ",
            "trên mỗi ",
            "cho 01 ",
            "cho 1 ",
        ] {
            if rest.starts_with(lead) {
                let unit = unit_after(&orig, &c, j + lead.chars().count());
                if !unit.is_empty() {
                    return Some(PerEach {
                        each: m.num.value,
                        unit,
                        cap,
                    });
                }
            }
        }
    }
    // "Mỗi lần bị phê bình trừ 1 điểm"
    let w: Vec<char> = "mỗi".chars().collect();
    if let Some(at) = find_words(&c, &w, 0) {
        let unit = unit_after(&orig, &c, at + w.len());
        if let Some(m) = ms
            .iter()
            .find(|m| m.num.start > at && !capped_before(&c, m.num.start))
            && !unit.is_empty()
        {
            return Some(PerEach {
                each: m.num.value,
                unit,
                cap,
            });
        }
    }
    None
}

/// The counted thing after `/` or `mỗi`: one or two words, without a
/// leading count ("01 lần" → "lần"), stopping at a verb or punctuation.
fn unit_after(orig: &[char], c: &[char], from: usize) -> String {
    const STOP: &[&str] = &[
        "bị", "trừ", "được", "cộng", "thì", "chậm", "có", "không", "tối", "vi", "sai", "và",
        "hoặc", "trong",
    ];
    let mut words: Vec<String> = Vec::new();
    let mut i = from;
    loop {
        while i < c.len() && c[i] == ' ' {
            i += 1;
        }
        let start = i;
        while i < c.len() && is_word(c[i]) {
            i += 1;
        }
        if start == i {
            break;
        }
        let low: String = c[start..i].iter().collect();
        if words.is_empty() && low.chars().all(|ch| ch.is_ascii_digit()) {
            continue;
        }
        if STOP.contains(&low.as_str()) || words.len() == 2 {
            break;
        }
        let w: String = orig[start..i].iter().collect();
        if words.is_empty()
            && !matches!(
                w.as_str(),
                "văn" | "vụ" | "trường" | "đơn" | "sáng" | "báo" | "hồ"
            )
        {
            words.push(w);
            break;
        }
        words.push(w);
    }
    words.join(" ")
}

/// "tối đa 2 điểm", "tối đa không quá 2 điểm", "trừ tối đa 2 điểm", "không
/// quá 2 điểm".
fn cap_of(c: &[char]) -> Option<f64> {
    for key in ["tối đa", "không quá"] {
        let k: Vec<char> = key.chars().collect();
        let mut from = 0;
        while let Some(at) = find_words(c, &k, from) {
            from = at + 1;
            let tail = &c[at + k.len()..];
            if let Some(n) = numbers(tail).first()
                && n.start <= 16
            {
                return Some(n.value);
            }
        }
    }
    None
}

/// What a heading says about its part.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KindHint {
    Bonus,
    Deduction,
    /// Both words: a part holding bonus and deduction items.
    Both,
}

/// The kind a part's heading names: "Điểm thưởng", "Điểm cộng", "Cộng
/// điểm", "Điểm khuyến khích" are bonus points; "Điểm trừ", "Trừ điểm" are
/// deductions.
pub fn kind_hint(s: &str) -> Option<KindHint> {
    let t = one_line(s);
    let bonus = [
        "điểm thưởng",
        "điểm cộng",
        "cộng điểm",
        "thưởng điểm",
        "điểm khuyến khích",
    ]
    .iter()
    .any(|w| has_words(&t, w));
    let deduction = ["điểm trừ", "trừ điểm"].iter().any(|w| has_words(&t, w));
    match (bonus, deduction) {
        (true, true) => Some(KindHint::Both),
        (true, false) => Some(KindHint::Bonus),
        (false, true) => Some(KindHint::Deduction),
        (false, false) => None,
    }
}

/// The kind a heading names, when it names exactly one.
pub fn kind_of(s: &str) -> Option<Kind> {
    match kind_hint(s)? {
        KindHint::Bonus => Some(Kind::Bonus),
        KindHint::Deduction => Some(Kind::Deduction),
        KindHint::Both => None,
    }
}

/// Whether most letters of a text are capitals (a part's heading).
pub fn mostly_capitals(s: &str) -> bool {
    let letters: Vec<char> = s.chars().filter(|c| c.is_alphabetic()).collect();
    !letters.is_empty()
        && letters.iter().filter(|c| c.is_uppercase()).count() * 10 >= letters.len() * 8
}

/// Flags written into a name, and the name without them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NameFlags {
    pub name: String,
    pub hard: bool,
    pub evidence: bool,
    pub kind: Option<Kind>,
    /// "(150 điểm)", "(tối đa 10 điểm)" at the end of a heading.
    pub max: Option<(f64, bool)>,
}

/// Reads the bracketed remarks at the end of a name: "(bắt buộc)", "(có
/// minh chứng)", "(điểm thưởng)", "(150 điểm)", "(tối đa 10 điểm)".
pub fn name_flags(name: &str) -> NameFlags {
    let mut flags = NameFlags {
        name: one_line(name),
        ..NameFlags::default()
    };
    loop {
        let t = flags
            .name
            .trim_end()
            .trim_end_matches(['.', ':', ';'])
            .trim_end();
        let Some(inner) = t
            .strip_suffix(')')
            .and_then(|x| x.rfind('(').map(|i| (i, &x[i + 1..])))
        else {
            return flags;
        };
        let (open, body) = inner;
        let (hard, evidence) = note_flags(body);
        if hard {
            flags.hard = true;
        } else if evidence {
            flags.evidence = true;
        } else if let Some(k) = kind_of(body).filter(|_| !has_number(body)) {
            flags.kind = Some(k);
        } else if flags.max.is_none()
            && let Some(m) = stated_max(body).filter(|_| !mentions(&lower_chars(body)).is_empty())
        {
            flags.max = Some(m);
        } else {
            return flags;
        }
        flags.name = t[..open].trim_end().to_string();
    }
}

/// The level of a printed number, outermost first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// `A`, `B`: parts.
    Part,
    /// `I`, `II`: groups.
    Roman,
    /// `1`, `2`.
    Arabic,
    /// `1.1` (2), `1.1.1` (3): dotted numbers, by their count of parts.
    Dotted(u8),
    /// `a`, `b`, `đ`.
    Lower,
}

/// A printed number: its level, as printed (without a trailing `.` or
/// `)`), the part a code uses for it, and its place in its sequence.
#[derive(Debug, Clone, PartialEq)]
pub struct Number {
    pub level: Level,
    pub printed: String,
    pub segment: String,
    pub ordinal: u32,
}

/// The letters of Vietnamese lists, in order (`đ` after `d`).
const LOWER: &str = "abcdđefghijklmnopqrstuvwxyz";

fn roman_value(s: &str) -> Option<u32> {
    if s.is_empty() || s.len() > 7 || !s.chars().all(|c| "IVXL".contains(c)) {
        return None;
    }
    let val = |c: char| match c {
        'I' => 1,
        'V' => 5,
        'X' => 10,
        _ => 50,
    };
    let cs: Vec<u32> = s.chars().map(val).collect();
    let mut total = 0i64;
    for (i, v) in cs.iter().enumerate() {
        if cs.get(i + 1).is_some_and(|n| n > v) {
            total -= i64::from(*v);
        } else {
            total += i64::from(*v);
        }
    }
    let total = u32::try_from(total).ok()?;
    // Only canonical spellings (`IV`, not `IIII`).
    (to_roman(total) == s).then_some(total)
}

fn to_roman(mut n: u32) -> String {
    let mut s = String::new();
    for (v, r) in [
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ] {
        while n >= v {
            s.push_str(r);
            n -= v;
        }
    }
    s
}

/// Reads a printed number as it stands alone in a `TT` cell: `A`, `I.`,
/// `1`, `1.1`, `a)`, `(1)`. Roman `I`, `V`, `X` are read as Roman.
pub fn numbering(cell: &str) -> Option<Number> {
    let t = one_line(cell);
    let mut t = strip_part_word(t.trim());
    if let Some(inner) = t.strip_prefix('(').and_then(|x| x.strip_suffix(')')) {
        t = inner.trim();
    }
    let t = t.trim_end_matches(['.', ')', ':']).trim();
    if t.is_empty() || t.chars().count() > 12 {
        return None;
    }
    if let Some(v) = roman_value(t) {
        return Some(Number {
            level: Level::Roman,
            printed: t.to_string(),
            segment: t.to_string(),
            ordinal: v,
        });
    }
    let mut cs = t.chars();
    let first = cs.next()?;
    if cs.next().is_none() {
        if first.is_ascii_uppercase() {
            return Some(Number {
                level: Level::Part,
                printed: t.to_string(),
                segment: t.to_string(),
                ordinal: u32::from(first as u8 - b'A') + 1,
            });
        }
        if let Some(pos) = LOWER.chars().position(|c| c == first) {
            return Some(Number {
                level: Level::Lower,
                printed: t.to_string(),
                segment: if first == 'đ' {
                    "dd".into()
                } else {
                    t.to_string()
                },
                ordinal: pos as u32 + 1,
            });
        }
    }
    let parts: Vec<&str> = t.split('.').collect();
    if parts
        .iter()
        .all(|p| !p.is_empty() && p.len() <= 3 && p.chars().all(|c| c.is_ascii_digit()))
    {
        let last: u32 = parts[parts.len() - 1].parse().ok()?;
        let level = if parts.len() == 1 {
            Level::Arabic
        } else {
            Level::Dotted(parts.len().min(9) as u8)
        };
        return Some(Number {
            level,
            printed: parts.join("."),
            segment: last.to_string(),
            ordinal: last,
        });
    }
    None
}

/// "Phần A", "PHẦN I", "Mục 2": the number without its word.
fn strip_part_word(t: &str) -> &str {
    for w in ["phần ", "mục "] {
        if t.len() > w.len() && t.is_char_boundary(w.len()) && t[..w.len()].to_lowercase() == w {
            return t[w.len()..].trim_start();
        }
    }
    t
}

/// Splits "A. NHIỆM VỤ CHUYÊN MÔN", "1. Công tác…", "1.1 Tỷ lệ…", "a) Số…"
/// into its number and its text. The number must be followed by `.` or
/// `)` (a dotted number may be followed by a space alone), then the text.
pub fn split_numbered(text: &str) -> Option<(Number, String)> {
    let t = one_line(text);
    let t = strip_part_word(&t);
    let (head, rest) = t.split_once(' ')?;
    let rest = rest.trim_start_matches(['-', '–', ' ']).trim();
    if rest.is_empty() {
        return None;
    }
    let marked = head.ends_with('.') || head.ends_with(')') || head.ends_with(':');
    let n = numbering(head)?;
    let dotted = matches!(n.level, Level::Dotted(_));
    if !(marked || dotted) {
        return None;
    }
    // "2 điểm: …" is a band, not a numbered item; "C. ĐIỂM THƯỞNG" is a part.
    let low = rest.to_lowercase();
    if matches!(n.level, Level::Arabic | Level::Dotted(_))
        && (low.starts_with("điểm") || low.starts_with('%'))
    {
        return None;
    }
    // A roman or letter part begins a heading; a lone letter followed by a
    // lower-case word is more likely a sentence ("A là …").
    if matches!(n.level, Level::Part) && !marked {
        return None;
    }
    Some((n, rest.to_string()))
}

/// Whether a cell's text is a mark that says yes ("x", "Có", "✓", or a
/// description of the documents); "không", "-" and "0" say no.
pub fn says_yes(s: &str) -> bool {
    let t = one_line(s).to_lowercase();
    let t = t.trim();
    !(t.is_empty()
        || matches!(t, "không" | "k" | "-" | "–" | "0" | "no" | "false")
        || t.starts_with("không "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn note_flags_read_mandatory_and_evidence_each_with_its_own_negation() {
        assert_eq!(note_flags("Tiêu chí bắt buộc"), (true, false));
        assert_eq!(note_flags("Có tài liệu kiểm chứng"), (false, true));
        // A negation reaches the phrase it stands before, not the other.
        assert_eq!(note_flags("không cần minh chứng, bắt buộc"), (true, false));
        assert_eq!(note_flags("Không bắt buộc; có minh chứng"), (false, true));
        assert_eq!(note_flags("(*) Tiêu chí không bắt buộc"), (false, false));
        assert_eq!(note_flags("Ghi chú khác"), (false, false));
    }

    #[test]
    fn tidy_makes_nfd_and_odd_spaces_plain() {
        let nfd: String = "Điểm\u{a0}chuẩn".nfd().collect();
        assert_eq!(tidy(&format!("  {nfd}\u{200b} \r\n\n x ")), "Điểm chuẩn\nx");
    }

    #[test]
    fn bands_in_the_ways_annexes_write_them() {
        let b = |s: &str| band(s).map(|b| (b.points, b.condition));
        assert_eq!(b("– Đạt 100%: 2 điểm"), Some((2.0, "Đạt 100%".into())));
        assert_eq!(
            b("Từ 95% đến dưới 100%: 1,75 điểm"),
            Some((1.75, "Từ 95% đến dưới 100%".into()))
        );
        assert_eq!(
            b("+ Không thực hiện: 0 điểm."),
            Some((0.0, "Không thực hiện".into()))
        );
        assert_eq!(b("• Đúng hạn (2 điểm)"), Some((2.0, "Đúng hạn".into())));
        assert_eq!(
            b("- Chậm từ 01 đến 02 ngày trừ 0,5 điểm;"),
            Some((0.5, "Chậm từ 01 đến 02 ngày".into()))
        );
        assert_eq!(b("2 điểm: đúng hạn"), Some((2.0, "đúng hạn".into())));
        assert_eq!(b("Đạt 100%: 2"), Some((2.0, "Đạt 100%".into())));
        assert_eq!(b("Đạt 1.5đ"), Some((1.5, "Đạt".into())));
        assert_eq!(
            b("– Đạt từ 90 điểm trở lên: 3 điểm"),
            Some((3.0, "Đạt từ 90 điểm trở lên".into()))
        );
        assert_eq!(b("Không đạt: 0 điểm"), Some((0.0, "Không đạt".into())));
        assert_eq!(
            b("Thực hiện không được 0 điểm"),
            Some((0.0, "Thực hiện không được".into()))
        );
        assert_eq!(b("Thực hiện tốt"), None);
        assert_eq!(b("Tỷ lệ 100%"), None);
    }

    #[test]
    fn per_occurrence_rules_with_their_caps() {
        assert_eq!(
            per_occurrence("trừ 0,5 điểm/lần, tối đa 2 điểm"),
            Some(PerEach {
                each: 0.5,
                unit: "lần".into(),
                cap: Some(2.0)
            })
        );
        assert_eq!(
            per_occurrence("Mỗi lần bị phê bình trừ 1 điểm (tối đa không quá 3 điểm)"),
            Some(PerEach {
                each: 1.0,
                unit: "lần".into(),
                cap: Some(3.0)
            })
        );
        assert_eq!(
            per_occurrence("cộng 0,25 điểm / 01 văn bản").map(|p| (p.each, p.unit, p.cap)),
            Some((0.25, "văn bản".into(), None))
        );
        assert_eq!(
            per_occurrence("- Trừ 1 điểm đối với mỗi văn bản chậm").map(|p| p.unit),
            Some("văn bản".into())
        );
        assert_eq!(per_occurrence("Đạt 100%: 2 điểm"), None);
    }

    #[test]
    fn printed_numbers() {
        let n = |s: &str| numbering(s).map(|n| (n.level, n.printed, n.segment));
        assert_eq!(n("A"), Some((Level::Part, "A".into(), "A".into())));
        assert_eq!(n("II."), Some((Level::Roman, "II".into(), "II".into())));
        assert_eq!(n("IV"), Some((Level::Roman, "IV".into(), "IV".into())));
        assert_eq!(n("3"), Some((Level::Arabic, "3".into(), "3".into())));
        assert_eq!(n("1.2"), Some((Level::Dotted(2), "1.2".into(), "2".into())));
        assert_eq!(n("a)"), Some((Level::Lower, "a".into(), "a".into())));
        assert_eq!(n("đ"), Some((Level::Lower, "đ".into(), "dd".into())));
        assert_eq!(n("(2)"), Some((Level::Arabic, "2".into(), "2".into())));
        assert_eq!(n("Phần B"), Some((Level::Part, "B".into(), "B".into())));
        assert_eq!(n("-"), None);
        assert_eq!(n("Tổng"), None);
        assert_eq!(n("IIII"), None);
        let (num, rest) = split_numbered("A. NHIỆM VỤ CHUYÊN MÔN").unwrap();
        assert_eq!(
            (num.printed.as_str(), rest.as_str()),
            ("A", "NHIỆM VỤ CHUYÊN MÔN")
        );
        assert!(split_numbered("2 điểm: đúng hạn").is_none());
        assert!(split_numbered("100% văn bản").is_none());
        assert_eq!(split_numbered("1.1 Tỷ lệ").unwrap().1, "Tỷ lệ");
        assert_eq!(
            split_numbered("C. ĐIỂM THƯỞNG (tối đa 5 điểm)").unwrap().1,
            "ĐIỂM THƯỞNG (tối đa 5 điểm)"
        );
    }

    #[test]
    fn points_and_maxima() {
        assert_eq!(points("1,75"), Some(1.75));
        assert_eq!(points("2 điểm"), Some(2.0));
        assert_eq!(points("0.5đ"), Some(0.5));
        assert_eq!(points("tối đa 10"), None);
        assert_eq!(stated_max("Tối đa 10 điểm"), Some((10.0, true)));
        assert_eq!(points("1,7x"), None);
    }

    #[test]
    fn names_carry_flags() {
        let f = name_flags("ĐIỂM THƯỞNG (tối đa 10 điểm)");
        assert_eq!(f.name, "ĐIỂM THƯỞNG");
        assert_eq!(f.max, Some((10.0, true)));
        let f = name_flags("Gửi báo cáo đúng hạn (bắt buộc)");
        assert!(f.hard && f.name == "Gửi báo cáo đúng hạn");
        let f = name_flags("ĐIỂM TRỪ (điểm trừ)");
        assert_eq!(f.kind, Some(Kind::Deduction));
        let f = name_flags("Gửi báo cáo định kỳ (6 tháng, năm)");
        assert_eq!(f.name, "Gửi báo cáo định kỳ (6 tháng, năm)");
        assert_eq!(kind_of("C. ĐIỂM CỘNG"), Some(Kind::Bonus));
        assert_eq!(kind_of("Công tác thi đua, khen thưởng"), None);
    }
}
