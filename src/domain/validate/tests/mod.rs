//! The validator on values: a small criteria table, a cluster of four units
//! and cell grids written here, parsed by `submission` and checked, with
//! each finding's code, severity, cell and message worked out by hand. No
//! file and no process; the integration tests keep the end-to-end view.

use std::collections::{BTreeMap, HashMap};

mod ballot;
mod cross_check;
mod figures;
mod self_scoring;

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
            conference: None,
            naming: crate::domain::conference::Naming::defaults(""),
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
