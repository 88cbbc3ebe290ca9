//! The criteria loader's checks on values: each mistake a table file can
//! hold is refused with the file, the key or the criterion's code and the
//! reason written out here in full, and a correct table keeps every value
//! it was given. Written to kill the mutants `cargo mutants --file
//! src/domain/criteria/parse.rs` found missed (docs/testing.md).

use super::*;

const HEAD: &str = r#"
unit_type = "stp"
year = 2026
title = "Bảng thử"
decision = "Quyết định số 1/QĐ-BTP"
step = 0.25
max = 3
"#;

/// A (score, 3) = A.1 (2, bands 2/1,5/0) + A.2 (1); B (deduction, 1).
const GOOD: &str = r#"
[[criteria]]
code = "A"
number = "A"
name = "Nhiệm vụ"
max = 3
[[criteria]]
code = "A.1"
number = "1"
name = "Báo cáo"
max = 2
bands = [{ points = 2, condition = "đúng hạn" }, { points = 1.5, condition = "chậm 1–2 ngày" }, { points = 0, condition = "không gửi" }]
[[criteria]]
code = "A.2"
number = "2"
name = "Thẩm định"
max = 1
[[criteria]]
code = "B"
number = "B"
name = "Điểm trừ"
kind = "deduction"
max = 1
"#;

fn parse(head: &str, criteria: &str) -> Result<Table, CriteriaError> {
    parse_table("stp-test.toml", &format!("{head}\n{criteria}"))
}

/// The message a table with `criteria` under [`HEAD`] is refused with.
#[track_caller]
fn refused(criteria: &str) -> String {
    parse(HEAD, criteria).unwrap_err().to_string()
}

/// The message a table with `HEAD` changed by `(from, to)` and [`GOOD`]
/// criteria is refused with.
#[track_caller]
fn refused_head(from: &str, to: &str) -> String {
    assert!(HEAD.contains(from), "{from}");
    parse(&HEAD.replace(from, to), GOOD)
        .unwrap_err()
        .to_string()
}

/// One criterion as written in a table.
fn crit(code: &str, number: &str, max: &str, extra: &str) -> String {
    format!(
        "[[criteria]]\ncode = \"{code}\"\nnumber = \"{number}\"\nname = \"Tiêu chí {code}\"\nmax = {max}\n{extra}\n"
    )
}

#[test]
fn a_good_table_keeps_every_value_it_was_given() {
    let head = HEAD.replace(
        "max = 3\n",
        "max = 3\nsample = true\nclasses = [{ name = \"Khá\", min_percent = 70 }, { name = \"Xuất sắc\", min_percent = 90 }, { name = \"Yếu\", min_percent = 0 }]\nindicators = [{ code = \"CT1\", name = \"Số việc thụ lý\", unit = \"việc\" }, { code = \"CT2\", name = \"Số việc giải quyết\", unit = \"vụ\" }]\n",
    );
    let good = GOOD
        .replace(
            "name = \"Thẩm định\"\nmax = 1",
            "name = \"  Thẩm định \"\nmax = 1\nevidence = true\nhard = true",
        )
        .replace("number = \"2\"", "number = \" 2. \"")
        .replace(
            "condition = \"chậm 1–2 ngày\"",
            "condition = \" chậm 1–2 ngày \"",
        );
    let t = parse(&head, &good).unwrap();
    assert_eq!(
        (t.unit_type.as_str(), t.year, t.title.as_str()),
        ("stp", 2026, "Bảng thử")
    );
    assert_eq!(t.decision, "Quyết định số 1/QĐ-BTP");
    assert!(t.sample);
    assert_eq!((t.step, t.max), (0.25, 3.0));
    assert_eq!(t.source, "stp-test.toml");
    // Highest threshold first, whatever the order written.
    let classes: Vec<(&str, f64)> = t
        .classes
        .iter()
        .map(|c| (c.name.as_str(), c.min_percent))
        .collect();
    assert_eq!(classes, [("Xuất sắc", 90.0), ("Khá", 70.0), ("Yếu", 0.0)]);
    assert_eq!(
        t.indicators,
        [
            Indicator {
                code: "CT1".into(),
                name: "Số việc thụ lý".into(),
                unit: "việc".into()
            },
            Indicator {
                code: "CT2".into(),
                name: "Số việc giải quyết".into(),
                unit: "vụ".into()
            },
        ]
    );

    let codes: Vec<&str> = t.criteria.iter().map(|c| c.code.as_str()).collect();
    assert_eq!(codes, ["A", "A.1", "A.2", "B"]);
    let a = &t.criteria[0];
    assert_eq!(
        (a.kind, a.max, a.depth, a.parent),
        (Kind::Score, 3.0, 0, None)
    );
    assert_eq!(a.children, [1, 2]);
    assert!(!a.evidence && !a.hard && a.bands.is_empty());
    let a1 = &t.criteria[1];
    assert_eq!(
        (a1.kind, a1.max, a1.depth, a1.parent),
        (Kind::Score, 2.0, 1, Some(0))
    );
    assert_eq!(
        a1.bands,
        [
            Band {
                points: 2.0,
                condition: "đúng hạn".into()
            },
            Band {
                points: 1.5,
                condition: "chậm 1–2 ngày".into()
            },
            Band {
                points: 0.0,
                condition: "không gửi".into()
            },
        ]
    );
    let a2 = &t.criteria[2];
    assert_eq!((a2.number.as_str(), a2.name.as_str()), ("2.", "Thẩm định"));
    assert!(a2.evidence && a2.hard && a2.is_leaf());
    assert_eq!((a2.depth, a2.parent), (1, Some(0)));
    let b = &t.criteria[3];
    assert_eq!(
        (b.kind, b.max, b.depth, b.parent),
        (Kind::Deduction, 1.0, 0, None)
    );
    assert_eq!(b.name, "Điểm trừ");

    // Found by code in any case.
    assert_eq!(
        (t.find("a.2"), t.find("A.2"), t.find("b")),
        (Some(2), Some(2), Some(3))
    );
    assert_eq!(t.find("A.3"), None);
}

#[test]
fn depth_counts_the_levels_above_and_kinds_are_inherited() {
    let t = parse(
        &HEAD.replace("max = 3", "max = 2"),
        &[
            crit("A", "A", "2", ""),
            crit("A.I", "I", "2", ""),
            crit("A.I.1", "1", "2", ""),
            crit("C", "C", "1", "kind = \"bonus\""),
            crit("C.1", "1", "1", ""),
        ]
        .concat(),
    )
    .unwrap();
    let depth: Vec<(&str, usize, Kind)> = t
        .criteria
        .iter()
        .map(|c| (c.code.as_str(), c.depth, c.kind))
        .collect();
    assert_eq!(
        depth,
        [
            ("A", 0, Kind::Score),
            ("A.I", 1, Kind::Score),
            ("A.I.1", 2, Kind::Score),
            ("C", 0, Kind::Bonus),
            ("C.1", 1, Kind::Bonus),
        ]
    );
    // A bonus part does not count towards the declared maximum.
    assert_eq!(t.max, 2.0);
}

#[test]
fn the_step_must_divide_one() {
    for step in ["0", "-0.5", "0.3", "0.4", "2", "nan"] {
        let e = refused_head("step = 0.25", &format!("step = {step}"));
        let shown = if step == "nan" { "NaN" } else { step };
        assert_eq!(
            e,
            format!(
                "stp-test.toml: key `step`: {shown} is not a step that divides 1 (use 0.25 or 0.5)"
            )
        );
    }
    for step in ["0.5", "1", "0.25"] {
        let t = parse(
            &HEAD.replace("step = 0.25", &format!("step = {step}")),
            GOOD.replace("points = 1.5", "points = 1").as_str(),
        )
        .unwrap();
        assert_eq!(t.step, step.parse::<f64>().unwrap());
    }
}

#[test]
fn a_table_without_criteria_is_refused() {
    assert_eq!(
        refused("criteria = []"),
        "stp-test.toml: key `criteria`: the table lists no criteria"
    );
}

#[test]
fn codes_are_unique_ignoring_case() {
    assert_eq!(
        refused(&GOOD.replace("code = \"A.2\"", "code = \"A.1\"")),
        "stp-test.toml: criterion `A.1`: the code appears twice (codes are compared ignoring case)"
    );
    assert_eq!(
        refused(&GOOD.replace("code = \"B\"", "code = \"a\"")),
        "stp-test.toml: criterion `a`: the code appears twice (codes are compared ignoring case)"
    );
}

#[test]
fn a_code_is_letters_and_digits_between_dots() {
    for code in ["", " ", "A 1", "A/1", "Á", "A..1", ".A", "A.", "A,1"] {
        assert_eq!(
            refused(&crit(code, "1", "3", "")),
            format!(
                "stp-test.toml: criterion `{code}`: a code is ASCII letters and digits separated by dots, like A.I.1"
            ),
            "{code:?}"
        );
    }
    // Underscores and hyphens are allowed, and spaces around are trimmed.
    let t = parse(
        &HEAD.replace("max = 3", "max = 6"),
        &[crit("II_1", "1", "3", ""), crit(" X-2 ", "2", "3", "")].concat(),
    )
    .unwrap();
    let codes: Vec<&str> = t.criteria.iter().map(|c| c.code.as_str()).collect();
    assert_eq!(codes, ["II_1", "X-2"]);
}

#[test]
fn the_printed_number_may_not_be_empty() {
    assert_eq!(
        refused(&crit("A", " ", "3", "")),
        "stp-test.toml: criterion `A`: the printed number is empty"
    );
}

#[test]
fn a_child_needs_its_parent_listed_before_it() {
    assert_eq!(
        refused(&crit("A.I.1", "1", "3", "")),
        "stp-test.toml: criterion `A.I.1`: its parent `A.I` is not listed before it"
    );
}

#[test]
fn a_kind_is_score_bonus_or_deduction_and_a_childs_that_of_its_parent() {
    assert_eq!(
        refused(&crit("A", "A", "3", "kind = \"penalty\"")),
        "stp-test.toml: criterion `A`: kind `penalty` is not one of score, bonus, deduction"
    );
    assert_eq!(
        refused(&GOOD.replace(
            "name = \"Thẩm định\"\nmax = 1",
            "name = \"Thẩm định\"\nmax = 1\nkind = \"bonus\""
        )),
        "stp-test.toml: criterion `A.2`: kind `bonus` differs from its parent's `score`"
    );
    // Said again, the parent's kind is accepted.
    let t = parse(
        HEAD,
        &GOOD.replace(
            "name = \"Thẩm định\"\nmax = 1",
            "name = \"Thẩm định\"\nmax = 1\nkind = \"score\"",
        ),
    )
    .unwrap();
    assert_eq!(t.criteria[2].kind, Kind::Score);
}

#[test]
fn a_maximum_is_above_zero_and_on_the_step() {
    for (max, shown) in [("0", "0"), ("-1", "-1"), ("nan", "NaN")] {
        assert_eq!(
            refused(&crit("A", "A", max, "")),
            format!("stp-test.toml: criterion `A`: the maximum {shown} is not above 0")
        );
    }
    assert_eq!(
        refused(&crit("A", "A", "2.9", "")),
        "stp-test.toml: criterion `A`: the maximum 2.9 is not a multiple of the step 0.25"
    );
}

#[test]
fn a_group_maximum_is_its_childrens_sum_and_the_table_maximum_its_parts() {
    assert_eq!(
        refused(&GOOD.replace(
            "name = \"Thẩm định\"\nmax = 1",
            "name = \"Thẩm định\"\nmax = 1.5"
        )),
        "stp-test.toml: criterion `A`: the maximum 3 differs from the sum of its children's maxima 3.5"
    );
    assert_eq!(
        refused_head("max = 3", "max = 4"),
        "stp-test.toml: key `max`: 4 differs from the sum of the top-level score criteria 3"
    );
}

#[test]
fn bands_belong_to_leaves_within_zero_and_the_maximum_on_the_step_once_each() {
    assert_eq!(
        refused(&GOOD.replace(
            "name = \"Nhiệm vụ\"\nmax = 3",
            "name = \"Nhiệm vụ\"\nmax = 3\nbands = [{ points = 3, condition = \"đủ\" }]"
        )),
        "stp-test.toml: criterion `A`: a group cannot list bands; give them to its leaves"
    );
    let band =
        |points: &str| refused(&GOOD.replace("points = 1.5,", &format!("points = {points},")));
    assert_eq!(
        band("-0.5"),
        "stp-test.toml: criterion `A.1`: band -0.5 (\"chậm 1–2 ngày\") is outside 0..2"
    );
    assert_eq!(
        band("2.25"),
        "stp-test.toml: criterion `A.1`: band 2.25 (\"chậm 1–2 ngày\") is outside 0..2"
    );
    assert_eq!(
        band("1.6"),
        "stp-test.toml: criterion `A.1`: band 1.6 is not a multiple of the step 0.25"
    );
    assert_eq!(
        band("2"),
        "stp-test.toml: criterion `A.1`: band 2 is listed twice"
    );
    assert_eq!(
        band("0"),
        "stp-test.toml: criterion `A.1`: band 0 is listed twice"
    );
    // The maximum is allowed give or take float noise (the step check's:
    // 2.0000001 is in), and 2.00001 is out.
    let t = parse(HEAD, &GOOD.replace("points = 2,", "points = 2.0000001,")).unwrap();
    assert_eq!(t.criteria[1].bands[0].points, 2.0 + 1e-7);
    assert_eq!(
        band("2.00001"),
        "stp-test.toml: criterion `A.1`: band 2.00001 (\"chậm 1–2 ngày\") is outside 0..2"
    );
    // The maximum and 0 themselves are bands a leaf may have.
    let t = parse(HEAD, &GOOD.replace("points = 1.5,", "points = 0.25,")).unwrap();
    let points: Vec<f64> = t.criteria[1].bands.iter().map(|b| b.points).collect();
    assert_eq!(points, [2.0, 0.25, 0.0]);
}

#[test]
fn class_thresholds_are_percentages_and_indicator_codes_unique() {
    for (percent, shown) in [("-1", "-1"), ("100.5", "100.5"), ("nan", "NaN")] {
        assert_eq!(
            refused_head(
                "max = 3",
                &format!(
                    "max = 3\nclasses = [{{ name = \"Tốt\", min_percent = 80 }}, {{ name = \"Khá\", min_percent = {percent} }}]"
                )
            ),
            format!(
                "stp-test.toml: key `classes.min_percent`: {shown} for `Khá` is not between 0 and 100"
            )
        );
    }
    let t = parse(
        &HEAD.replace(
            "max = 3",
            "max = 3\nclasses = [{ name = \"Yếu\", min_percent = 0 }, { name = \"Xuất sắc\", min_percent = 100 }]",
        ),
        GOOD,
    )
    .unwrap();
    let names: Vec<&str> = t.classes.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["Xuất sắc", "Yếu"]);

    assert_eq!(
        refused_head(
            "max = 3",
            "max = 3\nindicators = [{ code = \"CT1\", name = \"a\", unit = \"việc\" }, { code = \"CT2\", name = \"b\", unit = \"việc\" }, { code = \"CT1\", name = \"c\", unit = \"việc\" }]"
        ),
        "stp-test.toml: key `indicators.code`: `CT1` appears twice"
    );
}

#[test]
fn a_syntax_error_names_the_file_on_one_line() {
    let e = parse_table("stp-x.toml", "unit_type = \"stp\"\nyear = ").unwrap_err();
    let e = e.to_string();
    assert!(
        e.starts_with("stp-x.toml: not a valid criteria table: "),
        "{e}"
    );
    assert!(!e.contains('\n'), "{e}");
}

#[test]
fn a_set_holds_one_table_per_unit_type_and_year() {
    let table = |file: &str, head: &str| parse_table(file, &format!("{head}\n{GOOD}")).unwrap();
    let mut set = TableSet::default();
    set.insert(table("stp-2026.toml", HEAD)).unwrap();
    set.insert(table("stp-2027.toml", &HEAD.replace("2026", "2027")))
        .unwrap();
    set.insert(table(
        "thads-2026.toml",
        &HEAD.replace("\"stp\"", "\"thads\""),
    ))
    .unwrap();
    let e = set
        .insert(table("khac.toml", HEAD))
        .unwrap_err()
        .to_string();
    assert_eq!(
        e,
        "khac.toml: the table is for `stp` 2026, but `stp-2026.toml` already holds that unit type and year"
    );
    assert_eq!(set.get("stp", 2026).unwrap().source, "stp-2026.toml");
    assert_eq!(set.get("stp", 2027).unwrap().source, "stp-2027.toml");
    assert_eq!(set.get("thads", 2026).unwrap().source, "thads-2026.toml");
    assert!(set.get("thads", 2027).is_none());
    let files: Vec<&str> = set.iter().map(|t| t.source.as_str()).collect();
    assert_eq!(files, ["stp-2026.toml", "stp-2027.toml", "thads-2026.toml"]);
}

/// The float tolerances are strict: scores equal and values on the step
/// within less than a millionth, not at a millionth.
#[test]
fn scores_are_the_same_and_on_the_step_within_less_than_a_millionth() {
    assert!(same(2.0, 2.0));
    assert!(same(0.0, 5e-7));
    assert!(same(1.25, 1.25 + 1e-9));
    assert!(!same(0.0, 1e-6));
    assert!(!same(1e-6, 0.0));
    assert!(!same(2.0, 2.25));

    assert!(on_step(2.75, 0.25));
    assert!(on_step(3.0, 0.5));
    assert!(on_step(0.0, 0.25));
    assert!(on_step(5e-7, 1.0));
    assert!(!on_step(1e-6, 1.0));
    assert!(!on_step(2.6, 0.25));
    let t = parse(HEAD, GOOD).unwrap();
    assert!(t.on_step(1.75));
    assert!(!t.on_step(1.8));
}

#[test]
fn an_indicator_is_found_by_its_exact_code() {
    let t = parse(
        &HEAD.replace(
            "max = 3",
            "max = 3\nindicators = [{ code = \"CT1\", name = \"Số việc thụ lý\", unit = \"việc\" }, { code = \"CT2\", name = \"Số việc giải quyết\", unit = \"vụ\" }]",
        ),
        GOOD,
    )
    .unwrap();
    assert_eq!(
        t.indicator("CT2").map(|i| i.name.as_str()),
        Some("Số việc giải quyết")
    );
    assert_eq!(t.indicator("CT1").map(|i| i.unit.as_str()), Some("việc"));
    assert_eq!(t.indicator("CT3"), None);
}

#[test]
fn an_unknown_key_is_refused_with_the_file_and_the_key() {
    assert_eq!(
        refused(&GOOD.replace("number = \"2\"", "number = \"2\"\nmaximum = 1")),
        "stp-test.toml: not a valid criteria table: TOML parse error at line 24, column 1    \
         | 24 | maximum = 1    | ^^^^^^^ unknown field `maximum`, expected one of `code`, \
         `number`, `name`, `kind`, `max`, `evidence`, `hard`, `bands`"
    );
}
