//! A cross-check: both units, the assignment, verified scores and reasons.

use super::*;

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

/// Only leaves with a verified score are verified: a leaf left blank keeps
/// its self score (no finding), and a group's total row is never a score.
#[test]
fn blank_leaves_and_group_rows_are_not_verified() {
    let g = cross_form()
        .clear("E7")
        .set("E6", n(5.5))
        .set("E9", t("ba"));
    let v = check_cross(&g, None, None);
    assert!(v.findings.is_empty(), "{:#?}", v.findings);
    assert_eq!(v.scores, scores(&[("A.2", 1.5), ("B.1", 3.0)]));
    assert_eq!(v.printed_self.get("A.1"), None);
}
