//! The validator on values: a small criteria table, a cluster of four units
//! and cell grids written here, parsed by `submission` and checked, with
//! each finding's code, severity, cell and message worked out by hand. No
//! file and no process; the integration tests keep the end-to-end view.

use std::collections::{BTreeMap, HashMap};

use super::*;
use crate::domain::cells::{Cell, Sheet};
use crate::domain::cluster::{Crosscheck, Rules, YearPlan};
use crate::domain::criteria::parse_table;
use crate::domain::findings::Severity;
use crate::domain::scoring::Points;
use crate::domain::submission::{self, Heading};
use crate::domain::vote::{Candidate, Section, VoteRules};

/// Leaves: A.1 (bands 4/3/0), A.2 (evidence), B.1, D.1 (deduction).
const TABLE: &str = r#"
unit_type = "stp"
year = 2026
title = "Bảng tiêu chí thử năm 2026"
decision = "thử"
step = 0.25
max = 10
classes = [
  { name = "Xuất sắc", min_percent = 90 },
  { name = "Yếu", min_percent = 0 },
]
indicators = [
  { code = "CT1", name = "Số việc thụ lý", unit = "việc" },
  { code = "CT2", name = "Số việc giải quyết", unit = "việc" },
]
[[criteria]]
code = "A"
number = "A"
name = "Nhiệm vụ"
max = 6
[[criteria]]
code = "A.1"
number = "1"
name = "Báo cáo đúng hạn"
max = 4
bands = [{ points = 4, condition = "đúng hạn" }, { points = 3, condition = "chậm" }, { points = 0, condition = "không gửi" }]
[[criteria]]
code = "A.2"
number = "2"
name = "Thẩm định văn bản"
max = 2
evidence = true
[[criteria]]
code = "B"
number = "B"
name = "Tổ chức"
max = 4
[[criteria]]
code = "B.1"
number = "1"
name = "Cán bộ"
max = 4
[[criteria]]
code = "D"
number = "D"
name = "Điểm trừ"
kind = "deduction"
max = 2
[[criteria]]
code = "D.1"
number = "1"
name = "Bị phê bình"
max = 2
"#;

fn tables() -> TableSet {
    let mut set = TableSet::default();
    set.insert(parse_table("stp-2026.toml", TABLE).unwrap())
        .unwrap();
    set
}

fn unit(code: &str, from: i32, until: Option<i32>, successor: Option<&str>) -> Unit {
    Unit {
        code: code.into(),
        name: format!("Sở Tư pháp {code}"),
        unit_type: "stp".into(),
        province: String::new(),
        emails: vec![],
        from_year: from,
        until_year: until,
        successor: successor.map(str::to_string),
        head_name: String::new(),
        head_title: String::new(),
        former_names: vec![],
    }
}

/// Open years 2026 and 2027 (2027 has no table); STP-CU merged into STP-HUE
/// after 2025; STP-MOI joins in 2027. STP-HUE cross-checks STP-QTR in 2026.
fn cluster() -> Cluster {
    Cluster {
        name: "Cụm thi đua số 1".into(),
        short_name: "Cụm 1".into(),
        timezone: "Asia/Ho_Chi_Minh".into(),
        open_years: vec![2026, 2027],
        ministry_email: String::new(),
        unit_types: vec![],
        units: vec![
            unit("STP-QTR", 2020, None, None),
            unit("STP-HUE", 2020, None, None),
            unit("STP-CU", 2020, Some(2025), Some("STP-HUE")),
            unit("STP-MOI", 2027, None, None),
        ],
        years: vec![YearPlan {
            year: 2026,
            deadline: chrono::NaiveDate::from_ymd_opt(2026, 11, 15).unwrap(),
            head: "STP-QTR".into(),
            deputies: vec![],
            motto: None,
            crosschecks: vec![Crosscheck {
                inspector: "STP-HUE".into(),
                inspected: "STP-QTR".into(),
            }],
        }],
        rules: Rules::default(),
    }
}

fn t(s: &str) -> Value {
    Value::Text(s.into())
}

fn n(v: f64) -> Value {
    Value::Number(v)
}

/// Zero-based `(row, col)` of an A1 name such as `E6` (one letter).
fn pos(a1: &str) -> (u32, u32) {
    let col = u32::from(a1.as_bytes()[0] - b'A');
    let row: u32 = a1[1..].parse().unwrap();
    (row - 1, col)
}

/// A sheet being written, cell by cell, in A1 names.
#[derive(Clone)]
struct Grid(BTreeMap<(u32, u32), Value>);

impl Grid {
    fn new(cells: &[(&str, Value)]) -> Grid {
        Grid(cells.iter().map(|(a, v)| (pos(a), v.clone())).collect())
    }

    fn set(mut self, a1: &str, v: Value) -> Grid {
        self.0.insert(pos(a1), v);
        self
    }

    fn clear(mut self, a1: &str) -> Grid {
        self.0.remove(&pos(a1));
        self
    }

    /// Empties a whole row (1-based, as printed).
    fn drop_row(mut self, row: u32) -> Grid {
        self.0.retain(|(r, _), _| *r != row - 1);
        self
    }

    fn sheet(&self, name: &str) -> Sheet {
        Sheet::new(
            name,
            self.0
                .iter()
                .map(|(&(row, col), v)| Cell {
                    row,
                    col,
                    value: v.clone(),
                })
                .collect(),
        )
    }
}

/// A correct self-scoring sheet of STP-QTR for 2026: total 4 + 2 + 3 − 0.
fn self_form() -> Grid {
    Grid::new(&[
        ("A1", t("Mã đơn vị")),
        ("B1", t("STP-QTR")),
        ("A2", t("Năm")),
        ("B2", n(2026.0)),
        ("A4", t("TT")),
        ("B4", t("Mã tiêu chí")),
        ("C4", t("Tiêu chí")),
        ("D4", t("Điểm chuẩn")),
        ("E4", t("Điểm tự chấm")),
        ("F4", t("Tài liệu minh chứng")),
        ("A5", t("A")),
        ("B5", t("A")),
        ("C5", t("Nhiệm vụ")),
        ("D5", n(6.0)),
        ("E5", n(6.0)),
        ("A6", t("1")),
        ("B6", t("A.1")),
        ("C6", t("Báo cáo đúng hạn")),
        ("D6", n(4.0)),
        ("E6", n(4.0)),
        ("A7", t("2")),
        ("B7", t("A.2")),
        ("C7", t("Thẩm định văn bản")),
        ("D7", n(2.0)),
        ("E7", n(2.0)),
        ("F7", t("Quyết định số 12/QĐ-STP")),
        ("A8", t("B")),
        ("B8", t("B")),
        ("C8", t("Tổ chức")),
        ("D8", n(4.0)),
        ("E8", n(3.0)),
        ("A9", t("1")),
        ("B9", t("B.1")),
        ("C9", t("Cán bộ")),
        ("D9", n(4.0)),
        ("E9", n(3.0)),
        ("A10", t("D")),
        ("B10", t("D")),
        ("C10", t("Điểm trừ")),
        ("D10", n(2.0)),
        ("E10", n(0.0)),
        ("A11", t("1")),
        ("B11", t("D.1")),
        ("C11", t("Bị phê bình")),
        ("D11", n(2.0)),
        ("E11", n(0.0)),
    ])
}

/// The `Số liệu` sheet: CT1 = 1.103, CT2 = 980.
fn figures_form() -> Grid {
    Grid::new(&[
        ("A1", t("Mã")),
        ("B1", t("Chỉ tiêu")),
        ("C1", t("Số liệu")),
        ("A2", t("CT1")),
        ("B2", t("Số việc thụ lý")),
        ("C2", n(1103.0)),
        ("A3", t("CT2")),
        ("B3", t("Số việc giải quyết")),
        ("C3", n(980.0)),
    ])
}

const SELF: &str = "Tự chấm điểm";

fn check_self(g: &Grid, folder: Option<&str>) -> Verdict {
    check_self_with(g, None, folder)
}

fn check_self_with(g: &Grid, figures: Option<&Grid>, folder: Option<&str>) -> Verdict {
    let (cluster, tables) = (cluster(), tables());
    let parsed = submission::self_scoring(&g.sheet(SELF)).unwrap();
    let figures = figures.map(|f| submission::figures(&f.sheet("Số liệu")));
    let figures = figures.as_ref().map(|r| match r {
        Ok(f) => Ok(f),
        Err(m) => Err(("Số liệu", m)),
    });
    let ctx = Context {
        cluster: &cluster,
        tables: &tables,
        folder_unit: folder,
        self_scores: None,
        ballot: None,
    };
    self_scoring(&parsed, figures, &ctx)
}

/// `(code, severity, cell)` of every finding, in order.
fn codes(v: &Verdict) -> Vec<(&'static str, Severity, Option<&str>)> {
    v.findings
        .iter()
        .map(|f| (f.code.as_str(), f.severity, f.cell.as_deref()))
        .collect()
}

/// The one finding of `v`, which must be `code` at `cell` on `sheet`.
#[track_caller]
fn only<'v>(v: &'v Verdict, code: Code, cell: Option<&str>) -> &'v Finding {
    assert_eq!(v.findings.len(), 1, "{:#?}", v.findings);
    let f = &v.findings[0];
    assert_eq!((f.code, f.cell.as_deref()), (code, cell), "{f:#?}");
    f
}

const E: Severity = Severity::Error;
const W: Severity = Severity::Warning;

fn scores(pairs: &[(&str, f64)]) -> BTreeMap<String, f64> {
    pairs.iter().map(|(c, s)| ((*c).to_string(), *s)).collect()
}

// ---------------------------------------------------------------- self-scoring

#[test]
fn a_correct_sheet_is_accepted_with_its_scores_evidence_and_total() {
    let v = check_self(&self_form(), Some("STP-QTR"));
    assert!(v.findings.is_empty(), "{:#?}", v.findings);
    assert!(v.accepted());
    assert_eq!(v.kind, Some(SubmissionKind::SelfScoring));
    assert_eq!(v.unit.as_deref(), Some("STP-QTR"));
    assert_eq!(v.year, Some(2026));
    assert_eq!(
        v.scores,
        scores(&[("A.1", 4.0), ("A.2", 2.0), ("B.1", 3.0), ("D.1", 0.0)])
    );
    assert_eq!(
        v.evidence,
        BTreeMap::from([("A.2".to_string(), "Quyết định số 12/QĐ-STP".to_string())])
    );
    assert_eq!(v.self_total, Some(9.0));
}

#[test]
fn a_deduction_is_taken_off_the_total() {
    let v = check_self(&self_form().set("E11", n(1.5)).set("E10", n(1.5)), None);
    assert!(v.findings.is_empty(), "{:#?}", v.findings);
    assert_eq!(v.self_total, Some(7.5));
}

#[test]
fn rows_are_found_by_their_printed_numbers_when_there_is_no_code_column() {
    // Numbers restart in each group ("1" under A, under B and under D),
    // and "2." is read as "2".
    let mut g = self_form();
    for r in 4..=11 {
        g = g.clear(&format!("B{r}"));
    }
    let g = g.set("A7", t("2."));
    let v = check_self(&g, None);
    assert!(v.findings.is_empty(), "{:#?}", v.findings);
    assert_eq!(
        v.scores,
        scores(&[("A.1", 4.0), ("A.2", 2.0), ("B.1", 3.0), ("D.1", 0.0)])
    );
    assert_eq!(v.self_total, Some(9.0));
}

#[test]
fn year_missing_without_the_label_beside_it_or_not_a_year() {
    let v = check_self(&self_form().clear("A2").clear("B2"), None);
    let f = only(&v, Code::YearMissing, None);
    assert_eq!(f.sheet.as_deref(), Some(SELF));
    assert!(f.message.contains("nhãn “Năm”"), "{}", f.message);
    assert_eq!(v.year, None);
    assert_eq!(v.self_total, None);

    let v = check_self(&self_form().clear("B2"), None);
    let f = only(&v, Code::YearMissing, Some("A2"));
    assert!(f.message.starts_with("Chưa ghi năm"), "{}", f.message);

    for bad in [
        t("năm nay"),
        n(2026.5),
        n(1899.0),
        n(2201.0),
        t("1899"),
        t("2201"),
        Value::Bool(true),
    ] {
        let v = check_self(&self_form().set("B2", bad.clone()), None);
        let f = only(&v, Code::YearMissing, Some("B2"));
        assert_eq!(
            f.message,
            format!("“{}” không phải là một năm (ví dụ 2026).", bad.display())
        );
    }
}

#[test]
fn a_year_written_as_text_is_read() {
    let v = check_self(&self_form().set("B2", t(" 2026 ")), None);
    assert!(v.findings.is_empty(), "{:#?}", v.findings);
    assert_eq!(v.year, Some(2026));
}

#[test]
fn year_mismatch_names_the_open_years() {
    let v = check_self(&self_form().set("B2", n(2025.0)), None);
    let f = only(&v, Code::YearMismatch, Some("B2"));
    assert_eq!(
        f.message,
        "Năm 2025 không phải là năm đang nhận bảng chấm điểm (đang nhận: 2026, 2027)."
    );
    assert_eq!(v.year, Some(2025));
    assert!(v.scores.is_empty());
}

#[test]
fn a_year_is_a_whole_number_from_1900_to_2200() {
    let cluster = cluster();
    let read = |value: Value| {
        let l = Labelled {
            label: (1, 0),
            value: Some(submission::Located { value, pos: (1, 1) }),
        };
        let mut findings = Vec::new();
        let year = declared_year(SELF, Some(&l), &cluster, &mut findings);
        let codes: Vec<Code> = findings.iter().map(|f| f.code).collect();
        (year, codes)
    };
    for (value, year) in [
        (n(1900.0), 1900),
        (n(2200.0), 2200),
        (t("1900"), 1900),
        (t("2.200"), 2200),
    ] {
        assert_eq!(read(value), (Some(year), vec![Code::YearMismatch]));
    }
    for value in [n(1899.0), n(2201.0), n(1999.5), t("1899"), t("2201")] {
        assert_eq!(read(value), (None, vec![Code::YearMissing]));
    }
    assert_eq!(read(t("2026")), (Some(2026), vec![]));
}

#[test]
fn an_open_year_without_a_table_is_a_year_mismatch_on_the_sheet() {
    let v = check_self(&self_form().set("B2", n(2027.0)), None);
    let f = only(&v, Code::YearMismatch, None);
    assert_eq!(f.sheet.as_deref(), Some(SELF));
    assert_eq!(
        f.message,
        "Chưa có bảng tiêu chí năm 2027 cho loại đơn vị của STP-QTR."
    );
}

#[test]
fn unit_missing_without_the_label_or_beside_it() {
    let v = check_self(&self_form().clear("A1").clear("B1"), None);
    let f = only(&v, Code::UnitMissing, None);
    assert_eq!(f.sheet.as_deref(), Some(SELF));
    assert!(f.message.contains("“Mã đơn vị”"), "{}", f.message);
    assert_eq!(v.unit, None);

    let v = check_self(&self_form().clear("B1"), None);
    let f = only(&v, Code::UnitMissing, Some("A1"));
    assert_eq!(f.message, "Chưa ghi mã đơn vị bên cạnh nhãn “Mã đơn vị”.");
}

#[test]
fn unit_unknown_quotes_the_code_and_keeps_it_as_declared() {
    let v = check_self(&self_form().set("B1", t("STP-XYZ")), None);
    let f = only(&v, Code::UnitUnknown, Some("B1"));
    assert_eq!(
        f.message,
        "Mã đơn vị “STP-XYZ” không có trong danh sách đơn vị của Cụm thi đua số 1."
    );
    // The verdict still says which unit the file claims to be from.
    assert_eq!(v.unit.as_deref(), Some("STP-XYZ"));
}

#[test]
fn a_unit_outside_its_years_is_unknown_and_its_successor_named() {
    let v = check_self(&self_form().set("B1", t("STP-CU")), None);
    let f = only(&v, Code::UnitUnknown, Some("B1"));
    assert_eq!(
        f.message,
        "Đơn vị “STP-CU” không phải là thành viên của Cụm thi đua số 1 năm 2026 (đơn vị kế thừa: STP-HUE)."
    );
    let v = check_self(&self_form().set("B1", t("STP-MOI")), None);
    let f = only(&v, Code::UnitUnknown, Some("B1"));
    assert_eq!(
        f.message,
        "Đơn vị “STP-MOI” không phải là thành viên của Cụm thi đua số 1 năm 2026."
    );
}

#[test]
fn a_unit_code_in_lower_case_or_in_the_label_cell_is_read() {
    let v = check_self(&self_form().set("B1", t("stp-qtr")), Some("STP-QTR"));
    assert!(v.findings.is_empty(), "{:#?}", v.findings);
    assert_eq!(v.unit.as_deref(), Some("STP-QTR"));

    let v = check_self(
        &self_form().clear("B1").set("A1", t("Mã đơn vị: STP-QTR")),
        Some("stp-qtr"),
    );
    assert!(v.findings.is_empty(), "{:#?}", v.findings);
}

#[test]
fn unit_folder_mismatch_points_at_the_declared_code() {
    let v = check_self(&self_form(), Some("STP-HUE"));
    let f = only(&v, Code::UnitFolderMismatch, Some("B1"));
    assert!(
        f.message
            .starts_with("Tệp nằm trong thư mục của đơn vị STP-HUE nhưng ghi mã đơn vị “STP-QTR”"),
        "{}",
        f.message
    );
    assert_eq!(v.self_total, None);
    // Typed into the label's cell, the code is that cell.
    let v = check_self(
        &self_form().clear("B1").set("A1", t("Mã đơn vị: STP-QTR")),
        Some("STP-HUE"),
    );
    only(&v, Code::UnitFolderMismatch, Some("A1"));
}

#[test]
fn criterion_unknown_by_code_and_by_number() {
    let v = check_self(&self_form().set("B9", t("B.9")), None);
    // B.1 is then absent as well.
    assert_eq!(
        codes(&v),
        [
            ("criterion-unknown", E, Some("B9")),
            ("criterion-missing", E, None)
        ]
    );
    assert_eq!(
        v.findings[0].message,
        "Mã tiêu chí “B.9” không có trong Bảng tiêu chí thử năm 2026."
    );

    // Without a code column, a "3" under B matches nothing there or above.
    let mut g = self_form();
    for r in 4..=11 {
        g = g.clear(&format!("B{r}"));
    }
    let v = check_self(&g.set("A9", t("3")), None);
    assert_eq!(
        codes(&v),
        [
            ("criterion-unknown", E, Some("A9")),
            ("criterion-missing", E, None)
        ]
    );
    assert_eq!(
        v.findings[0].message,
        "Số thứ tự “3” không khớp với tiêu chí nào của Bảng tiêu chí thử năm 2026 ở vị trí này."
    );
}

#[test]
fn criterion_duplicate_names_the_first_row() {
    let g = self_form()
        .set("A12", t("1"))
        .set("B12", t("a.1"))
        .set("C12", t("Báo cáo đúng hạn"))
        .set("D12", n(4.0))
        .set("E12", n(3.0));
    let v = check_self(&g, None);
    let f = only(&v, Code::CriterionDuplicate, Some("B12"));
    assert_eq!(
        f.message,
        "Tiêu chí 1 (A.1) “Báo cáo đúng hạn” xuất hiện hai lần (lần đầu ở dòng 6)."
    );
    // The first row counts.
    assert_eq!(v.scores["A.1"], 4.0);
}

#[test]
fn criterion_missing_for_each_absent_leaf() {
    let v = check_self(&self_form().drop_row(9).drop_row(11), None);
    assert_eq!(
        codes(&v),
        [
            ("criterion-missing", E, None),
            ("criterion-missing", E, None)
        ]
    );
    assert_eq!(
        v.findings[0].message,
        "Thiếu Tiêu chí 1 (B.1) “Cán bộ” trong bảng tự chấm."
    );
    assert_eq!(
        v.findings[1].message,
        "Thiếu Tiêu chí 1 (D.1) “Bị phê bình” trong bảng tự chấm."
    );
    assert_eq!(v.findings[0].sheet.as_deref(), Some(SELF));
}

#[test]
fn max_mismatch_on_leaves_and_groups() {
    let v = check_self(&self_form().set("D7", n(3.0)), None);
    let f = only(&v, Code::MaxMismatch, Some("D7"));
    assert_eq!(
        f.message,
        "Tiêu chí 2 (A.2) “Thẩm định văn bản”: điểm chuẩn ghi “3”, nhưng Bảng tiêu chí thử năm 2026 quy định 2 (có thể đang dùng biểu mẫu của năm khác)."
    );
    let v = check_self(&self_form().set("D5", t("sáu")), None);
    only(&v, Code::MaxMismatch, Some("D5"));
    // Written as text, or left out, the maximum is fine.
    let v = check_self(&self_form().set("D5", t("6")).clear("D7"), None);
    assert!(v.findings.is_empty(), "{:#?}", v.findings);
}

#[test]
fn score_missing_when_blank_or_spaces() {
    for g in [self_form().clear("E9"), self_form().set("E9", t("  "))] {
        let v = check_self(&g, None);
        let f = only(&v, Code::ScoreMissing, Some("E9"));
        assert_eq!(
            f.message,
            "Tiêu chí 1 (B.1) “Cán bộ”: chưa nhập điểm tự chấm."
        );
        assert!(!v.scores.contains_key("B.1"));
    }
}

#[test]
fn score_not_number_quotes_the_value() {
    let v = check_self(&self_form().set("E9", t("ba điểm")), None);
    let f = only(&v, Code::ScoreNotNumber, Some("E9"));
    assert_eq!(
        f.message,
        "Tiêu chí 1 (B.1) “Cán bộ”: điểm tự chấm “ba điểm” không phải là số."
    );
    let v = check_self(&self_form().set("E9", Value::Error("#REF!".into())), None);
    let f = only(&v, Code::ScoreNotNumber, Some("E9"));
    assert!(f.message.contains("“#REF!”"), "{}", f.message);
}

#[test]
fn scores_written_as_text_the_vietnamese_way_are_read() {
    let v = check_self(
        &self_form()
            .set("E5", t("5,5"))
            .set("E8", t("2,75"))
            .set("E9", t("2,75"))
            .set("E7", t("1.5")),
        None,
    );
    assert!(v.findings.is_empty(), "{:#?}", v.findings);
    assert_eq!(v.scores["B.1"], 2.75);
    assert_eq!(v.self_total, Some(4.0 + 1.5 + 2.75));
}

#[test]
fn score_negative_is_an_error_except_on_a_deduction() {
    let v = check_self(&self_form().set("E9", n(-1.0)), None);
    let f = only(&v, Code::ScoreNegative, Some("E9"));
    assert_eq!(f.severity, E);
    assert_eq!(
        f.message,
        "Tiêu chí 1 (B.1) “Cán bộ”: điểm tự chấm -1 là số âm; điểm không được âm."
    );

    // A deduction written −1,5 is read as 1,5 taken off, with a warning.
    let v = check_self(&self_form().set("E11", n(-1.5)).set("E10", n(-1.5)), None);
    let f = only(&v, Code::ScoreNegative, Some("E11"));
    assert_eq!(f.severity, W);
    assert_eq!(
        f.message,
        "Tiêu chí 1 (D.1) “Bị phê bình”: điểm trừ ghi số âm -1,5, được hiểu là 1,5."
    );
    assert!(v.accepted());
    assert_eq!(v.scores["D.1"], 1.5);
    assert_eq!(v.self_total, Some(9.0 - 1.5));
}

#[test]
fn score_above_max() {
    let v = check_self(&self_form().set("E7", n(2.25)), None);
    let f = only(&v, Code::ScoreAboveMax, Some("E7"));
    assert_eq!(
        f.message,
        "Tiêu chí 2 (A.2) “Thẩm định văn bản”: điểm tự chấm 2,25 vượt điểm chuẩn 2."
    );
    // The maximum itself, give or take float noise, is allowed.
    let v = check_self(&self_form().set("E7", n(2.0 + 1e-12)), None);
    assert!(v.findings.is_empty(), "{:#?}", v.findings);
}

#[test]
fn score_step_off_the_bands_or_the_step() {
    let v = check_self(&self_form().set("E6", n(3.5)), None);
    let f = only(&v, Code::ScoreStep, Some("E6"));
    assert_eq!(
        f.message,
        "Tiêu chí 1 (A.1) “Báo cáo đúng hạn”: điểm tự chấm 3,5 không thuộc các mức điểm của tiêu chí (4; 3; 0)."
    );
    let v = check_self(&self_form().set("E9", n(2.1)), None);
    let f = only(&v, Code::ScoreStep, Some("E9"));
    assert_eq!(
        f.message,
        "Tiêu chí 1 (B.1) “Cán bộ”: điểm tự chấm 2,1 không phải là bội số của bước điểm 0,25."
    );
    // Each band, and any multiple of the step, is fine.
    for (cell, value) in [("E6", 3.0), ("E6", 0.0), ("E9", 0.25), ("E9", 3.75)] {
        let g = self_form().set(cell, n(value)).clear("E5").clear("E8");
        let v = check_self(&g, None);
        assert!(v.findings.is_empty(), "{cell} = {value}: {:#?}", v.findings);
    }
}

#[test]
fn evidence_missing_points_at_the_evidence_cell() {
    let v = check_self(&self_form().clear("F7"), None);
    let f = only(&v, Code::EvidenceMissing, Some("F7"));
    assert_eq!(
        f.message,
        "Tiêu chí 2 (A.2) “Thẩm định văn bản”: có 2 điểm nhưng chưa ghi tài liệu minh chứng."
    );
    // No points, no evidence needed; a criterion without the flag needs none.
    let v = check_self(&self_form().clear("F7").set("E7", n(0.0)).clear("E5"), None);
    assert!(v.findings.is_empty(), "{:#?}", v.findings);
    assert!(!v.evidence.contains_key("A.2"));
    // Without an evidence column the score cell is named.
    let v = check_self(&self_form().clear("F4").clear("F7"), None);
    only(&v, Code::EvidenceMissing, Some("E7"));
}

#[test]
fn group_total_mismatch_is_a_warning_and_the_children_count() {
    let v = check_self(&self_form().set("E5", n(5.0)), None);
    let f = only(&v, Code::GroupTotalMismatch, Some("E5"));
    assert_eq!(f.severity, W);
    assert_eq!(
        f.message,
        "Dòng tổng Tiêu chí A (A) “Nhiệm vụ”: ghi 5, nhưng tổng điểm các tiêu chí con là 6; thidua dùng tổng các tiêu chí con."
    );
    assert!(v.accepted());
    assert_eq!(v.self_total, Some(9.0));
    // A deduction group's total may be written negative; a blank or text
    // group cell, or a group with a leaf in error, is not compared.
    let g = self_form()
        .set("E11", n(1.0))
        .set("E10", n(-1.0))
        .set("E8", t("ba"));
    let v = check_self(&g, None);
    assert!(v.findings.is_empty(), "{:#?}", v.findings);
    let v = check_self(&self_form().set("E5", n(5.0)).clear("E6"), None);
    only(&v, Code::ScoreMissing, Some("E6"));
}

#[test]
fn several_findings_come_in_sheet_order_and_reject_the_sheet() {
    let g = self_form()
        .set("E6", n(5.0))
        .set("E7", t("x"))
        .set("E9", n(-2.0));
    let v = check_self(&g, None);
    assert_eq!(
        codes(&v),
        [
            ("score-above-max", E, Some("E6")),
            ("score-not-number", E, Some("E7")),
            ("score-negative", E, Some("E9")),
        ]
    );
    assert!(!v.accepted());
    assert_eq!(v.self_total, None);
    assert_eq!(v.scores, scores(&[("D.1", 0.0)]));
}

// ---------------------------------------------------------------- figures

#[test]
fn figures_are_read_as_whole_numbers() {
    let f = figures_form().set("C3", t("1.250"));
    let v = check_self_with(&self_form(), Some(&f), None);
    assert!(v.findings.is_empty(), "{:#?}", v.findings);
    assert_eq!(
        v.indicators,
        BTreeMap::from([("CT1".to_string(), 1103), ("CT2".to_string(), 1250)])
    );
    assert_eq!(v.self_total, Some(9.0));
}

#[test]
fn indicator_invalid_unknown_code_bad_or_blank_figure() {
    let f = figures_form().set("A3", t("CT9"));
    let v = check_self_with(&self_form(), Some(&f), None);
    let x = only(&v, Code::IndicatorInvalid, Some("A3"));
    assert_eq!(x.sheet.as_deref(), Some("Số liệu"));
    assert_eq!(
        x.message,
        "Mã chỉ tiêu “CT9” không có trong danh sách chỉ tiêu năm 2026."
    );

    for bad in [n(-3.0), n(2.5), n(1e15), t("-4"), t("1,5"), t("nhiều")] {
        let f = figures_form().set("C3", bad.clone());
        let v = check_self_with(&self_form(), Some(&f), None);
        let x = only(&v, Code::IndicatorInvalid, Some("C3"));
        assert_eq!(x.severity, E);
        assert_eq!(
            x.message,
            format!(
                "Chỉ tiêu CT2 “Số việc giải quyết”: số liệu “{}” phải là số nguyên không âm (ví dụ 1.103).",
                bad.display()
            )
        );
        assert_eq!(v.indicators.len(), 1, "{bad:?}");
    }

    // A blank figure is a warning: the file is still taken.
    let f = figures_form().clear("C3");
    let v = check_self_with(&self_form(), Some(&f), None);
    let x = only(&v, Code::IndicatorInvalid, Some("C3"));
    assert_eq!(x.severity, W);
    assert_eq!(
        x.message,
        "Chỉ tiêu CT2 “Số việc giải quyết”: chưa nhập số liệu."
    );
    assert!(v.accepted());
    assert_eq!(v.indicators, BTreeMap::from([("CT1".to_string(), 1103)]));
    // Zero is a figure.
    let v = check_self_with(&self_form(), Some(&figures_form().set("C3", n(0.0))), None);
    assert_eq!(v.indicators["CT2"], 0);
}

#[test]
fn a_figures_sheet_without_its_header_is_header_missing() {
    let f = figures_form().clear("C1");
    let v = check_self_with(&self_form(), Some(&f), None);
    let x = only(&v, Code::HeaderMissing, Some("A1"));
    assert_eq!(
        x.message,
        "Trang “Số liệu”: dòng tiêu đề của bảng (dòng 1) thiếu cột “Số liệu”."
    );
    assert_eq!(v.self_total, None);
}

#[test]
fn header_missing_with_and_without_a_closest_row() {
    let none = MissingHeader {
        row: None,
        missing: vec![Heading::Number, Heading::SelfScore],
    };
    let f = header_missing(SELF, &none);
    assert_eq!((f.code, f.severity), (Code::HeaderMissing, E));
    assert_eq!((f.sheet.as_deref(), f.cell.as_deref()), (Some(SELF), None));
    assert_eq!(
        f.message,
        "Trang “Tự chấm điểm”: không tìm thấy dòng tiêu đề của bảng (cần các cột “TT”, “Điểm tự chấm”)."
    );
    let at = MissingHeader {
        row: Some(4),
        missing: vec![Heading::Max],
    };
    let f = header_missing(SELF, &at);
    assert_eq!(f.cell.as_deref(), Some("A5"));
    assert_eq!(
        f.message,
        "Trang “Tự chấm điểm”: dòng tiêu đề của bảng (dòng 5) thiếu cột “Điểm chuẩn”."
    );
}

#[test]
fn score_of_reads_each_kind_of_cell() {
    use rows::ScoreCell;
    assert_eq!(score_of(&Value::Empty), ScoreCell::Blank);
    assert_eq!(score_of(&t(" ")), ScoreCell::Blank);
    assert_eq!(score_of(&n(2.5)), ScoreCell::Number(2.5));
    assert_eq!(score_of(&t("9,5")), ScoreCell::Number(9.5));
    assert_eq!(score_of(&t("9,5đ")), ScoreCell::NotNumber("9,5đ".into()));
    assert_eq!(score_of(&n(f64::NAN)), ScoreCell::NotNumber("NaN".into()));
    assert_eq!(
        score_of(&Value::Bool(false)),
        ScoreCell::NotNumber("FALSE".into())
    );
}

#[test]
fn total_adds_scores_and_bonus_and_takes_off_deductions() {
    let table = parse_table("stp-2026.toml", TABLE).unwrap();
    let s = scores(&[("A.1", 3.0), ("A.2", 1.25), ("D.1", 0.5)]);
    // B.1 has no score: it counts as 0.
    assert_eq!(total_of(&table, &s), 3.0 + 1.25 - 0.5);
}

// ---------------------------------------------------------------- cross-check

/// STP-HUE's cross-check of STP-QTR: A.2 verified 1,5 against a self
/// score of 2, with a reason; the other rows as self-scored.
fn cross_form() -> Grid {
    Grid::new(&[
        ("A1", t("Đơn vị kiểm tra")),
        ("C1", t("STP-HUE")),
        ("A2", t("Đơn vị được kiểm tra")),
        ("C2", t("STP-QTR")),
        ("A3", t("Năm")),
        ("C3", n(2026.0)),
        ("A5", t("TT")),
        ("B5", t("Mã tiêu chí")),
        ("C5", t("Tiêu chí")),
        ("D5", t("Điểm tự chấm")),
        ("E5", t("Điểm kiểm tra")),
        ("F5", t("Lý do")),
        ("A6", t("A")),
        ("B6", t("A")),
        ("A7", t("1")),
        ("B7", t("A.1")),
        ("D7", n(4.0)),
        ("E7", n(4.0)),
        ("A8", t("2")),
        ("B8", t("A.2")),
        ("D8", n(2.0)),
        ("E8", t("1,5")),
        ("F8", t("Thiếu một văn bản")),
        ("A9", t("B")),
        ("B9", t("B")),
        ("A10", t("1")),
        ("B10", t("B.1")),
        ("D10", n(3.0)),
        ("E10", n(3.0)),
    ])
}

const CROSS: &str = "Kiểm tra chéo";

fn check_cross(g: &Grid, folder: Option<&str>, self_scores: Option<&SelfScores>) -> Verdict {
    check_cross_parsed(g, folder, self_scores, |_| {})
}

fn check_cross_parsed(
    g: &Grid,
    folder: Option<&str>,
    self_scores: Option<&SelfScores>,
    change: impl FnOnce(&mut CrossCheck),
) -> Verdict {
    let (cluster, tables) = (cluster(), tables());
    let mut parsed = submission::cross_check(&g.sheet(CROSS)).unwrap();
    change(&mut parsed);
    let ctx = Context {
        cluster: &cluster,
        tables: &tables,
        folder_unit: folder,
        self_scores,
        ballot: None,
    };
    cross_check(&parsed, &ctx)
}

#[test]
fn a_correct_cross_check_is_accepted_with_scores_reasons_and_printed_self() {
    let v = check_cross(&cross_form(), Some("STP-HUE"), None);
    assert!(v.findings.is_empty(), "{:#?}", v.findings);
    assert_eq!(v.kind, Some(SubmissionKind::CrossCheck));
    assert_eq!(v.unit.as_deref(), Some("STP-HUE"));
    assert_eq!(v.inspected.as_deref(), Some("STP-QTR"));
    assert_eq!(v.year, Some(2026));
    // Rows left blank (D.1 is absent altogether) are not verified.
    assert_eq!(
        v.scores,
        scores(&[("A.1", 4.0), ("A.2", 1.5), ("B.1", 3.0)])
    );
    assert_eq!(
        v.reasons,
        BTreeMap::from([("A.2".to_string(), "Thiếu một văn bản".to_string())])
    );
    assert_eq!(
        v.printed_self,
        scores(&[("A.1", 4.0), ("A.2", 2.0), ("B.1", 3.0)])
    );
    assert_eq!(v.self_total, None);
}

#[test]
fn reason_missing_against_the_printed_self_score() {
    let v = check_cross(&cross_form().clear("F8"), None, None);
    let f = only(&v, Code::ReasonMissing, Some("F8"));
    assert_eq!(
        f.message,
        "Tiêu chí 2 (A.2) “Thẩm định văn bản”: điểm kiểm tra 1,5 khác điểm tự chấm 2 nhưng chưa ghi lý do."
    );
    // Should the reason's column be unknown, the verified cell is named.
    let v = check_cross_parsed(&cross_form().clear("F8"), None, None, |c| {
        c.header.columns.remove(&Heading::Reason);
    });
    only(&v, Code::ReasonMissing, Some("E8"));
}

#[test]
fn reason_missing_against_the_accepted_self_scores_when_known() {
    // The accepted self score of B.1 is 3,5, whatever the sheet prints.
    let accepted: SelfScores = HashMap::from([
        ("A.1".to_string(), 4.0),
        ("A.2".to_string(), 2.0),
        ("B.1".to_string(), 3.5),
    ]);
    let v = check_cross(&cross_form(), None, Some(&accepted));
    let f = only(&v, Code::ReasonMissing, Some("F10"));
    assert!(
        f.message.contains("điểm kiểm tra 3 khác điểm tự chấm 3,5"),
        "{}",
        f.message
    );
    // Equal to the accepted score, a changed printed one needs no reason.
    let v = check_cross(
        &cross_form().set("D10", n(2.0)),
        None,
        Some(&HashMap::from([
            ("A.2".to_string(), 2.0),
            ("B.1".to_string(), 3.0),
        ])),
    );
    assert!(v.findings.is_empty(), "{:#?}", v.findings);
    assert_eq!(v.printed_self["B.1"], 2.0);
}

#[test]
fn a_verified_score_is_checked_like_a_self_score() {
    let v = check_cross(&cross_form().set("E10", n(4.5)), None, None);
    let f = only(&v, Code::ScoreAboveMax, Some("E10"));
    assert_eq!(
        f.message,
        "Tiêu chí 1 (B.1) “Cán bộ”: điểm kiểm tra 4,5 vượt điểm chuẩn 4."
    );
    let v = check_cross(&cross_form().set("E7", n(3.5)), None, None);
    only(&v, Code::ScoreStep, Some("E7"));
}

#[test]
fn crosscheck_not_assigned_points_at_the_inspector() {
    let g = cross_form().set("C1", t("STP-QTR")).set("C2", t("STP-HUE"));
    let v = check_cross(&g, None, None);
    let f = only(&v, Code::CrosscheckNotAssigned, Some("C1"));
    assert_eq!(
        f.message,
        "Đơn vị STP-QTR không được phân công kiểm tra chéo đơn vị STP-HUE năm 2026."
    );
}

#[test]
fn a_cross_check_names_both_units_and_its_folder_is_the_inspectors() {
    let v = check_cross(&cross_form(), Some("STP-QTR"), None);
    only(&v, Code::UnitFolderMismatch, Some("C1"));

    let v = check_cross(&cross_form().set("C2", t("STP-ABC")), None, None);
    let f = only(&v, Code::UnitUnknown, Some("C2"));
    assert!(f.message.contains("“STP-ABC”"), "{}", f.message);
    assert_eq!(v.unit.as_deref(), Some("STP-HUE"));
    assert_eq!(v.inspected, None);

    let v = check_cross(&cross_form().clear("C1"), None, None);
    let f = only(&v, Code::UnitMissing, Some("A1"));
    assert_eq!(
        f.message,
        "Chưa ghi mã đơn vị bên cạnh nhãn “Đơn vị kiểm tra”."
    );
    assert_eq!(v.unit, None);
    assert_eq!(v.inspected.as_deref(), Some("STP-QTR"));

    // A closed year has no assignments either.
    let v = check_cross(&cross_form().set("C3", n(2024.0)), None, None);
    assert_eq!(
        codes(&v),
        [
            ("year-mismatch", E, Some("C3")),
            ("crosscheck-not-assigned", E, Some("C1"))
        ]
    );
}

// ---------------------------------------------------------------- ballot

fn candidate(unit: &str) -> Candidate {
    Candidate {
        unit: unit.into(),
        name: format!("Sở Tư pháp {unit}"),
        total: Points::from_f64(95.0),
        class: "Xuất sắc".into(),
        proposed: false,
    }
}

/// One seat for the flag (co) and two for the certificate (bk).
fn ballot_context() -> BallotContext {
    BallotContext {
        sections: vec![
            Section {
                award: "co".into(),
                award_name: "Cờ thi đua".into(),
                unit_type: "stp".into(),
                type_name: "Sở Tư pháp".into(),
                seats: 1,
                candidates: vec![candidate("STP-HUE"), candidate("STP-QTR")],
            },
            Section {
                award: "bk".into(),
                award_name: "Bằng khen".into(),
                unit_type: "stp".into(),
                type_name: "Sở Tư pháp".into(),
                seats: 2,
                candidates: vec![candidate("STP-HUE"), candidate("STP-QTR")],
            },
        ],
        rules: VoteRules::default(),
        closed: None,
    }
}

/// STP-QTR's ballot: co for STP-HUE, bk for STP-HUE, nothing for itself.
fn ballot_form() -> Grid {
    Grid::new(&[
        ("A1", t("Mã đơn vị")),
        ("B1", t("STP-QTR")),
        ("A2", t("Năm")),
        ("B2", n(2026.0)),
        ("A4", t("Mã hình thức")),
        ("B4", t("Mã đơn vị được bầu")),
        ("C4", t("Đồng ý")),
        ("A5", t("co")),
        ("B5", t("STP-HUE")),
        ("C5", t("x")),
        ("A6", t("co")),
        ("B6", t("STP-QTR")),
        ("A7", t("bk")),
        ("B7", t("stp-hue")),
        ("C7", t("✓")),
        ("A8", t("bk")),
        ("B8", t("STP-QTR")),
        ("C8", t("không")),
    ])
}

const BALLOT: &str = "Phiếu bầu";

fn check_ballot(g: &Grid, bc: Option<&BallotContext>, folder: Option<&str>) -> Verdict {
    let (cluster, tables) = (cluster(), tables());
    let parsed = submission::ballot(&g.sheet(BALLOT)).unwrap();
    let ctx = Context {
        cluster: &cluster,
        tables: &tables,
        folder_unit: folder,
        self_scores: None,
        ballot: bc,
    };
    ballot(&parsed, &ctx)
}

fn marks(pairs: &[(&str, &str)]) -> std::collections::BTreeSet<(String, String)> {
    pairs
        .iter()
        .map(|(a, c)| ((*a).to_string(), (*c).to_string()))
        .collect()
}

#[test]
fn a_correct_ballot_is_accepted_with_its_marks() {
    let bc = ballot_context();
    let v = check_ballot(&ballot_form(), Some(&bc), Some("STP-QTR"));
    assert!(v.findings.is_empty(), "{:#?}", v.findings);
    assert_eq!(v.kind, Some(SubmissionKind::Ballot));
    assert_eq!(v.unit.as_deref(), Some("STP-QTR"));
    assert_eq!(v.year, Some(2026));
    assert_eq!(v.marks, marks(&[("bk", "STP-HUE"), ("co", "STP-HUE")]));
}

#[test]
fn ballot_mark_invalid_quotes_the_mark() {
    let bc = ballot_context();
    let v = check_ballot(&ballot_form().set("C8", t("có lẽ")), Some(&bc), None);
    let f = only(&v, Code::BallotMarkInvalid, Some("C8"));
    assert_eq!(
        f.message,
        "Ô “Đồng ý” ghi “có lẽ”: hãy đánh dấu x (hoặc X, ✓, 1, “có”) nếu đồng ý, để trống nếu không."
    );
    assert!(v.marks.is_empty());
}

#[test]
fn ballot_candidate_unknown_for_that_award() {
    let mut bc = ballot_context();
    // STP-HUE stands for the certificate only.
    bc.sections[0].candidates.retain(|c| c.unit != "STP-HUE");
    let v = check_ballot(&ballot_form(), Some(&bc), None);
    let f = only(&v, Code::BallotCandidateUnknown, Some("B5"));
    assert_eq!(
        f.message,
        "Đơn vị “STP-HUE” không có trong danh sách được bầu chọn cho hình thức “co”; hãy dùng phiếu bầu mới nhất do Văn phòng Khu vực gửi."
    );
    assert!(v.marks.is_empty());

    let v = check_ballot(
        &ballot_form().set("A7", t("huan-chuong")),
        Some(&ballot_context()),
        None,
    );
    only(&v, Code::BallotCandidateUnknown, Some("B7"));
}

#[test]
fn ballot_self_vote_unless_the_rules_allow_it() {
    let g = ballot_form().set("C8", t("X"));
    let v = check_ballot(&g, Some(&ballot_context()), None);
    let f = only(&v, Code::BallotSelfVote, Some("C8"));
    assert_eq!(
        f.message,
        "Đơn vị không được tự bầu cho mình (STP-QTR); hãy bỏ dấu ở dòng này."
    );
    let mut bc = ballot_context();
    bc.rules.self_vote = true;
    let v = check_ballot(&g, Some(&bc), None);
    assert!(v.findings.is_empty(), "{:#?}", v.findings);
    assert_eq!(
        v.marks,
        marks(&[("bk", "STP-HUE"), ("bk", "STP-QTR"), ("co", "STP-HUE")])
    );
}

#[test]
fn ballot_too_many_marks_points_at_the_first_mark_over_the_seats() {
    let mut bc = ballot_context();
    bc.rules.self_vote = true;
    // Two marks for the one flag.
    let v = check_ballot(&ballot_form().set("C6", t("1")), Some(&bc), None);
    let f = only(&v, Code::BallotTooManyMarks, Some("C6"));
    assert_eq!(
        f.message,
        "Hình thức “Cờ thi đua” của khối Sở Tư pháp chỉ có 1 suất nhưng phiếu đánh dấu 2 đơn vị; hãy bỏ bớt dấu."
    );
    assert!(v.marks.is_empty());
    // Two marks for the two certificates are fine.
    let v = check_ballot(&ballot_form().set("C8", t("có")), Some(&bc), None);
    assert!(v.findings.is_empty(), "{:#?}", v.findings);
}

#[test]
fn ballot_closed_refuses_the_whole_ballot() {
    let mut bc = ballot_context();
    bc.closed = Some("17:00 ngày 10 tháng 12 năm 2026".into());
    let v = check_ballot(&ballot_form(), Some(&bc), None);
    let f = only(&v, Code::BallotClosed, None);
    assert_eq!(f.sheet.as_deref(), Some(BALLOT));
    assert_eq!(
        f.message,
        "Việc bầu chọn đã kết thúc lúc 17:00 ngày 10 tháng 12 năm 2026; phiếu bầu gửi sau thời điểm này không được tính."
    );
    assert!(v.marks.is_empty());
}

#[test]
fn a_ballot_without_its_candidates_is_checked_for_its_form_only() {
    // No candidates to check against: the marks are kept as written.
    let g = ballot_form().set("C8", t("x")).set("A5", t("khac"));
    let v = check_ballot(&g, None, None);
    assert!(v.findings.is_empty(), "{:#?}", v.findings);
    assert_eq!(
        v.marks,
        marks(&[("bk", "STP-HUE"), ("bk", "STP-QTR"), ("khac", "STP-HUE")])
    );
    // Unit, year and folder are checked as on every form.
    let v = check_ballot(&ballot_form(), None, Some("STP-HUE"));
    only(&v, Code::UnitFolderMismatch, Some("B1"));
    let v = check_ballot(&ballot_form().clear("B2"), None, None);
    only(&v, Code::YearMissing, Some("A2"));
    assert_eq!(v.unit.as_deref(), Some("STP-QTR"));
    let v = check_ballot(&ballot_form().set("B1", t("STP-ABC")), None, None);
    only(&v, Code::UnitUnknown, Some("B1"));
    assert_eq!(v.unit, None);
}
