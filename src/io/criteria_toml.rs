//! A criteria table read from an annex, written as the commented TOML file
//! `config/criteria/` holds (`stp-2027.toml`): the same keys and comments
//! as the shipped tables, where each value not printed in the annex came
//! from, the annex's row above each criterion, and the annex's remarks
//! that are not data kept as comments. The loader reads it as it is.

use std::fmt::Write;

use crate::domain::criteria::Kind;
use crate::domain::criteria::annex::{Imported, Severity, Source, Why};
use crate::domain::vn::format_number;

/// A TOML string, escaped by the toml crate.
fn quoted(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

/// A number as TOML writes it: `2`, `1.75` (whole numbers without a
/// fraction, the rest through the toml crate).
fn num(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        toml::Value::Float(v).to_string()
    }
}

/// A comment line: no line breaks inside.
fn comment(s: &str) -> String {
    s.replace(['\n', '\r'], " ")
}

fn source_vi(s: &Source) -> String {
    match s {
        Source::Annex(place) => format!("theo phụ lục ({place})"),
        Source::Flag(flag) => format!("theo tham số --{flag}"),
        Source::Model {
            file,
            why,
            changed_from,
        } => {
            let why = match why {
                Why::Earlier => "bảng gần nhất trước đó của loại đơn vị này",
                Why::Named => "bảng chỉ định bằng --defaults-from",
            };
            let changed = changed_from
                .map(|y| format!("; đã đổi năm {y}"))
                .unwrap_or_default();
            format!("theo {file} ({why}{changed})")
        }
    }
}

/// The file's text. `file` names the annex it was read from, `date` the
/// day of the import (`YYYY-MM-DD`).
pub fn render(table: &Imported, file: &str, date: &str) -> String {
    let t = table;
    let mut text = String::new();
    let w = &mut text;
    let _ = writeln!(w, "# {}", comment(&t.title));
    let _ = writeln!(
        w,
        "# Nhập bằng `thidua criteria import` ngày {date} từ phụ lục {} ({}).",
        comment(file),
        t.found
    );
    let errors: Vec<_> = t.errors().collect();
    if !errors.is_empty() {
        let _ = writeln!(
            w,
            "# CHƯA ĐẦY ĐỦ: {} chỗ trong phụ lục không đọc được; các dòng đó không có trong bảng này:",
            errors.len()
        );
        for p in &errors {
            let _ = writeln!(w, "#   - {}", comment(&p.to_string()));
        }
    }
    let _ = writeln!(
        w,
        "# Giá trị không in trong phụ lục (hoặc chọn lại bằng tham số):"
    );
    for origin in &t.origins {
        let _ = writeln!(
            w,
            "#   {}: {} — {}",
            origin.key,
            comment(&origin.value),
            source_vi(&origin.from)
        );
    }
    w.push_str(
        "# Cấu trúc tệp: thông tin chung (loại đơn vị, năm, tên bảng, quyết định, bước điểm, tổng điểm chuẩn);
# [[classes]] các mức xếp loại theo % tổng điểm chuẩn; [[indicators]] các chỉ tiêu số liệu của năm;
# [[criteria]] các tiêu chí theo đúng thứ tự in, mục cha đứng trước mục con.
# - code: mã duy nhất; mã mục cha có được khi bỏ đoạn cuối (A.II.1.1 → A.II.1 → A.II → A).
# - number: số thứ tự in (A, I, 1, 1.1, a), đánh lại từ đầu trong từng nhóm.
# - kind (score | bonus | deduction): chỉ ghi ở phần cấp cao nhất, mục con kế thừa.
# - max: điểm chuẩn; điểm chuẩn của nhóm bằng đúng tổng điểm chuẩn các mục con;
#   max của bảng bằng tổng điểm chuẩn các phần loại \"score\".
# - bands: các mức điểm được chấm kèm điều kiện, theo thứ tự in; tiêu chí không có
#   bands được chấm tự do theo bước điểm (step).
# - evidence = true: có điểm thì phải ghi tài liệu minh chứng (số, ký hiệu văn bản);
#   hard = true: điều kiện bắt buộc.
",
    );
    let parts: Vec<String> = t
        .items
        .iter()
        .filter(|c| c.parent.is_none())
        .map(|c| {
            let kind = match c.kind {
                Kind::Score => "",
                Kind::Bonus => ", điểm thưởng",
                Kind::Deduction => ", điểm trừ",
            };
            format!("{} ({}{kind})", c.number, format_number(c.max))
        })
        .collect();
    let _ = writeln!(
        w,
        "# Bảng này: {}; tổng điểm chuẩn {}; bước điểm {}.",
        parts.join(" + "),
        format_number(t.max),
        format_number(t.step)
    );
    let _ = writeln!(w);
    let _ = writeln!(w, "unit_type = {}", quoted(&t.unit_type));
    let _ = writeln!(w, "year = {}", t.year);
    let _ = writeln!(w, "title = {}", quoted(&t.title));
    let _ = writeln!(w, "decision = {}", quoted(&t.decision));
    let _ = writeln!(w, "step = {}", num(t.step));
    let _ = writeln!(w, "max = {}", num(t.max));
    if !t.classes.is_empty() {
        let _ = writeln!(w);
        let _ = writeln!(
            w,
            "# Xếp loại theo tỷ lệ phần trăm tổng điểm chuẩn, từ cao xuống thấp."
        );
    }
    for c in &t.classes {
        let _ = writeln!(w, "[[classes]]");
        let _ = writeln!(w, "name = {}", quoted(&c.name));
        let _ = writeln!(w, "min_percent = {}", num(c.min_percent));
        let _ = writeln!(w);
    }
    if !t.indicators.is_empty() {
        let _ = writeln!(
            w,
            "# Số liệu của năm (sheet \"Số liệu\"): số nguyên không âm."
        );
    }
    for i in &t.indicators {
        let _ = writeln!(w, "[[indicators]]");
        let _ = writeln!(w, "code = {}", quoted(&i.code));
        let _ = writeln!(w, "name = {}", quoted(&i.name));
        let _ = writeln!(w, "unit = {}", quoted(&i.unit));
        let _ = writeln!(w);
    }
    let _ = writeln!(
        w,
        "# Tiêu chí: danh sách phẳng theo thứ tự in; mục cha đứng trước mục con."
    );
    for c in &t.items {
        let depth = {
            let mut depth = 0;
            let mut up = c.parent;
            while let Some(i) = up {
                depth += 1;
                up = t.items[i].parent;
            }
            depth
        };
        let heading = format!(
            "{}. {} ({} điểm)",
            c.code,
            comment(&c.name),
            format_number(c.max)
        );
        match depth {
            0 => {
                let _ = writeln!(w, "# === {heading} ===");
            }
            1 if !c.children.is_empty() => {
                let _ = writeln!(w, "# --- {heading} ---");
            }
            _ => {}
        }
        let _ = writeln!(w, "# Phụ lục: {}", c.place);
        for n in &c.notes {
            let _ = writeln!(w, "# {}", comment(n));
        }
        let _ = writeln!(w, "[[criteria]]");
        let _ = writeln!(w, "code = {}", quoted(&c.code));
        let _ = writeln!(w, "number = {}", quoted(&c.number));
        let _ = writeln!(w, "name = {}", quoted(&c.name));
        if c.parent.is_none() {
            let _ = writeln!(w, "kind = {}", quoted(c.kind.as_str()));
        }
        let _ = writeln!(w, "max = {}", num(c.max));
        if c.evidence {
            let _ = writeln!(w, "evidence = true");
        }
        if c.hard {
            let _ = writeln!(w, "hard = true");
        }
        if !c.bands.is_empty() {
            let _ = writeln!(w, "bands = [");
            for b in &c.bands {
                let _ = writeln!(
                    w,
                    "  {{ points = {}, condition = {} }},",
                    num(b.points),
                    quoted(&b.condition)
                );
            }
            let _ = writeln!(w, "]");
        }
        let _ = writeln!(w);
    }
    let notes = t
        .problems
        .iter()
        .filter(|p| p.severity == Severity::Warning)
        .count();
    if notes > 0 {
        let _ = writeln!(
            w,
            "# {notes} điểm cần xem lại khi nhập (xem thông báo của lệnh `thidua criteria import`)."
        );
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_and_numbers_are_valid_toml() {
        let s = format!(
            "a = {}\nb = {}\nc = {}",
            quoted("x \"y\" \\ z\u{1}"),
            num(2.0),
            num(1.75)
        );
        let v: toml::Table = toml::from_str(&s).unwrap();
        assert_eq!(v["a"].as_str(), Some("x \"y\" \\ z\u{1}"));
        assert_eq!(v["b"].as_integer(), Some(2));
        assert_eq!(v["c"].as_float(), Some(1.75));
    }
}
