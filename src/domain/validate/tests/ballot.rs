//! A ballot against its candidates, seats, rules and closing time.

use super::*;

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
        "Đơn vị “STP-HUE” không có trong danh sách được bầu chọn cho hình thức “co”; hãy dùng phiếu bầu mới nhất do Thường trực Khu vực gửi."
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
