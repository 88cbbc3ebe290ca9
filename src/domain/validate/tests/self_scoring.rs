//! A self-scoring sheet: unit, year, folder, then each row's identity,
//! maximum, score, evidence and group total.

use super::*;

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
    // The noise allowed is the step check's: 2,0000001 is on the step of
    // 0,25 and not above the maximum 2 ("2 vượt điểm chuẩn 2" was said),
    // while 2,00001 is above it.
    let v = check_self(&self_form().set("E7", n(2.0 + 1e-7)), None);
    assert!(v.findings.is_empty(), "{:#?}", v.findings);
    let v = check_self(&self_form().set("E7", n(2.0 + 1e-5)), None);
    only(&v, Code::ScoreAboveMax, Some("E7"));
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

/// A criterion's name is quoted in full up to 60 characters and cut with
/// “…” after that, counted in characters, not bytes.
#[test]
fn a_long_criterion_name_is_cut_after_sixty_characters() {
    let long = "Thẩm định dự thảo văn bản quy phạm pháp luật của Hội đồng nhân dân và Ủy ban nhân dân tỉnh";
    assert!(long.chars().count() > 61);
    let sixty: String = long.chars().take(60).collect();
    let sixty_one: String = long.chars().take(61).collect();
    let message = |name: &str| {
        let mut tables = TableSet::default();
        tables
            .insert(
                parse_table(
                    "stp-2026.toml",
                    &TABLE.replace(
                        "name = \"Thẩm định văn bản\"",
                        &format!("name = \"{name}\""),
                    ),
                )
                .unwrap(),
            )
            .unwrap();
        let cluster = cluster();
        let ctx = Context {
            cluster: &cluster,
            tables: &tables,
            folder_unit: None,
            self_scores: None,
            ballot: None,
        };
        let g = self_form().set("E7", n(2.25));
        let parsed = submission::self_scoring(&g.sheet(SELF)).unwrap();
        let v = self_scoring(&parsed, None, &ctx);
        only(&v, Code::ScoreAboveMax, Some("E7")).message.clone()
    };
    assert_eq!(
        message(&sixty),
        format!("Tiêu chí 2 (A.2) “{sixty}”: điểm tự chấm 2,25 vượt điểm chuẩn 2.")
    );
    assert_eq!(
        message(&sixty_one),
        format!("Tiêu chí 2 (A.2) “{sixty}…”: điểm tự chấm 2,25 vượt điểm chuẩn 2.")
    );
}
