//! The `Số liệu` sheet, a missing header, and the helpers the other
//! checks share (reading a score cell, the total).

use super::*;

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

/// A file that cannot be read at all is rejected by its one finding.
#[test]
fn a_single_finding_verdict_holds_it_and_is_rejected() {
    let missing = MissingHeader {
        row: None,
        missing: vec![Heading::Code],
    };
    let v = Verdict::single(header_missing(SELF, &missing));
    assert_eq!(codes(&v), [("header-missing", E, None)]);
    assert_eq!(v.findings[0].sheet.as_deref(), Some(SELF));
    assert!(!v.accepted());
    assert_eq!((v.kind, v.unit.as_deref(), v.year), (None, None, None));
    assert!(v.scores.is_empty() && v.self_total.is_none());
    // A warning alone does not reject.
    let w = Verdict::single(Finding::warning(Code::GroupTotalMismatch, "x"));
    assert!(w.accepted());
    assert_eq!(codes(&w), [("group-total-mismatch", W, None)]);
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
