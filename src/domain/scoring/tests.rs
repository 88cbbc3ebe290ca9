//! Hand-computed cases: every expected number is written here, worked out
//! from the small table below, not computed by the code under test.

use std::collections::BTreeMap;

use super::*;
use crate::domain::cluster::{Award, Rules, TieBreak};
use crate::domain::criteria::parse_table;

const TABLE: &str = r#"
unit_type = "stp"
year = 2026
title = "Bảng thử"
decision = "thử"
step = 0.25
max = 10
classes = [
  { name = "Xuất sắc", min_percent = 90 },
  { name = "Tốt", min_percent = 80 },
  { name = "Khá", min_percent = 70 },
  { name = "Trung bình", min_percent = 50 },
  { name = "Yếu", min_percent = 0 },
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
hard = true
bands = [{ points = 4, condition = "đúng hạn" }, { points = 3, condition = "chậm" }, { points = 0, condition = "không gửi" }]
[[criteria]]
code = "A.2"
number = "2"
name = "Thẩm định"
max = 2
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
code = "C"
number = "C"
name = "Điểm thưởng"
kind = "bonus"
max = 1
[[criteria]]
code = "C.1"
number = "1"
name = "Sáng kiến"
max = 1
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

fn table() -> Table {
    parse_table("test.toml", TABLE).unwrap()
}

fn p(v: f64) -> Points {
    Points::from_f64(v)
}

/// Scores for A.1, A.2, B.1, C.1, D.1.
fn sub(id: i64, at: &str, s: [f64; 5]) -> Submitted {
    let codes = ["A.1", "A.2", "B.1", "C.1", "D.1"];
    Submitted {
        id,
        received_at: chrono::DateTime::parse_from_rfc3339(at)
            .expect("a test time")
            .to_utc(),
        scores: codes
            .iter()
            .zip(s)
            .map(|(c, v)| ((*c).to_string(), p(v)))
            .collect(),
        indicators: BTreeMap::new(),
    }
}

fn unit(code: &str, s: Option<Submitted>) -> UnitInput {
    UnitInput {
        code: code.into(),
        name: format!("Sở Tư pháp {code}"),
        unit_type: "stp".into(),
        submission: s,
        crosschecks: vec![],
    }
}

fn rules() -> Rules {
    Rules {
        tie_breaks: vec![TieBreak::Group("A".into()), TieBreak::Earliest],
        hard_cap: Some("Tốt".into()),
        awards: vec![
            Award {
                code: "co".into(),
                name: "Cờ thi đua".into(),
                seats: 1,
                min_class: "Xuất sắc".into(),
                unit_types: vec![],
            },
            Award {
                code: "bk".into(),
                name: "Bằng khen".into(),
                seats: 2,
                min_class: "Tốt".into(),
                unit_types: vec![],
            },
        ],
    }
}

fn year(units: &[UnitInput]) -> YearResult {
    let t = table();
    score_year(
        2026,
        &[("stp".into(), "Sở Tư pháp".into())],
        &|_| Some(t.clone()),
        units,
        &rules(),
    )
}

#[test]
fn bonus_adds_and_deductions_subtract_exactly() {
    let t = table();
    // 4 + 1,75 + 3,5 + 0,75 − 1,25 = 8,75
    let s = sub(1, "2026-11-01T00:00:00Z", [4.0, 1.75, 3.5, 0.75, 1.25]);
    let (finals, adj) = final_scores(&t, &s, &[]);
    assert!(adj.is_empty());
    assert_eq!(total(&t, &finals), Points(875));
    let groups = group_totals(&t, &finals);
    assert_eq!(
        groups
            .iter()
            .map(|g| (g.code.as_str(), g.total))
            .collect::<Vec<_>>(),
        vec![
            ("A", Points(575)),
            ("B", Points(350)),
            ("C", Points(75)),
            ("D", Points(125))
        ]
    );
}

#[test]
fn ties_share_a_rank_and_tie_breaks_decide_the_order() {
    let r = year(&[
        // 9: 4 + 2 + 3 + 0 − 0
        unit(
            "U1",
            Some(sub(1, "2026-11-03T00:00:00Z", [4.0, 2.0, 3.0, 0.0, 0.0])),
        ),
        // 8: 4 + 1 + 3 = 8, group A 5
        unit(
            "U2",
            Some(sub(2, "2026-11-02T00:00:00Z", [4.0, 1.0, 3.0, 0.0, 0.0])),
        ),
        // 8: 4 + 2 + 2 = 8, group A 6 → above U2
        unit(
            "U3",
            Some(sub(3, "2026-11-04T00:00:00Z", [4.0, 2.0, 2.0, 0.0, 0.0])),
        ),
        // 7,5
        unit(
            "U4",
            Some(sub(4, "2026-11-01T00:00:00Z", [4.0, 1.5, 2.0, 0.0, 0.0])),
        ),
    ]);
    let ranking = &r.types[0].ranking;
    let rows: Vec<(&str, u32, u32, Points)> = ranking
        .iter()
        .map(|x| (x.scored.unit.as_str(), x.rank, x.position, x.scored.total))
        .collect();
    assert_eq!(
        rows,
        vec![
            ("U1", 1, 1, Points(900)),
            ("U3", 2, 2, Points(800)),
            ("U2", 2, 3, Points(800)),
            ("U4", 4, 4, Points(750))
        ]
    );
    let why = ranking[1].tie_break.as_deref().unwrap();
    assert!(
        why.contains("U2") && why.contains('A') && why.contains('6') && why.contains('5'),
        "{why}"
    );
    assert!(ranking[0].tie_break.is_none() && ranking[3].tie_break.is_none());
}

#[test]
fn equal_groups_fall_to_the_earlier_submission() {
    let r = year(&[
        unit(
            "U1",
            Some(sub(1, "2026-11-05T00:00:00Z", [4.0, 2.0, 2.0, 0.0, 0.0])),
        ),
        unit(
            "U2",
            Some(sub(2, "2026-11-02T00:00:00Z", [4.0, 2.0, 2.0, 0.0, 0.0])),
        ),
    ]);
    let ranking = &r.types[0].ranking;
    assert_eq!(ranking[0].scored.unit, "U2");
    assert!(ranking[0].tie_break.as_deref().unwrap().contains("sớm hơn"));
    assert_eq!((ranking[0].rank, ranking[1].rank), (1, 1));
}

/// Regression: the `earliest` tie-break compared the stored texts, so a
/// time written with `+07:00` lost to a later one written in UTC, and the
/// reason showed UTC clock times as if they were Viet Nam's.
#[test]
fn the_earliest_tie_break_compares_instants_and_says_viet_nam_time() {
    let r = year(&[
        unit(
            "U1",
            Some(sub(
                1,
                "2026-11-02T07:00:00+07:00",
                [4.0, 2.0, 2.0, 0.0, 0.0],
            )),
        ),
        unit(
            "U2",
            Some(sub(2, "2026-11-02T00:30:00Z", [4.0, 2.0, 2.0, 0.0, 0.0])),
        ),
    ]);
    let ranking = &r.types[0].ranking;
    assert_eq!(ranking[0].scored.unit, "U1");
    let why = ranking[0].tie_break.as_deref().unwrap();
    assert!(
        why.contains("07:00 ngày 02 tháng 11 năm 2026 so với 07:30 ngày 02 tháng 11 năm 2026"),
        "{why}"
    );
}

#[test]
fn cross_checks_override_self_scores_up_or_down_and_later_ones_replace() {
    let t = table();
    let s = sub(1, "2026-11-01T00:00:00Z", [4.0, 1.0, 3.0, 0.0, 0.0]);
    let check = |id: i64, at: &str, scores: &[(&str, f64)]| Verified {
        id,
        inspector: "U9".into(),
        received_at: chrono::DateTime::parse_from_rfc3339(at)
            .expect("a test time")
            .to_utc(),
        scores: scores
            .iter()
            .map(|(c, v)| ((*c).to_string(), p(*v)))
            .collect(),
        reasons: scores
            .iter()
            .map(|(c, _)| ((*c).to_string(), "theo hồ sơ".to_string()))
            .collect(),
    };
    // First check: A.1 down to 3, A.2 up to 2 (higher than the self score).
    let first = check(10, "2026-11-10T00:00:00Z", &[("A.1", 3.0), ("A.2", 2.0)]);
    let (finals, adj) = final_scores(&t, &s, std::slice::from_ref(&first));
    // 3 + 2 + 3 = 8
    assert_eq!(total(&t, &finals), Points(800));
    assert_eq!(adj.len(), 2);
    assert_eq!(
        (
            adj[1].criterion.as_str(),
            adj[1].self_score,
            adj[1].verified
        ),
        ("A.2", Points(100), Points(200))
    );
    // A later check by the same inspector replaces the first entirely: only B.1 → 2.
    let later = check(11, "2026-11-12T00:00:00Z", &[("B.1", 2.0)]);
    let (finals, adj) = final_scores(&t, &s, &[later, first]);
    // 4 + 1 + 2 = 7
    assert_eq!(total(&t, &finals), Points(700));
    assert_eq!(adj.len(), 1);
    // A verified score equal to the self score changes nothing and is no adjustment.
    let same = check(12, "2026-11-13T00:00:00Z", &[("A.1", 4.0)]);
    let (finals, adj) = final_scores(&t, &s, &[same]);
    assert_eq!(total(&t, &finals), Points(800));
    assert!(adj.is_empty());
}

#[test]
fn a_unit_without_a_submission_is_missing_not_zero() {
    let r = year(&[
        unit(
            "U1",
            Some(sub(1, "2026-11-01T00:00:00Z", [4.0, 2.0, 4.0, 0.0, 0.0])),
        ),
        unit("U2", None),
    ]);
    assert_eq!(r.types[0].ranking.len(), 1);
    assert_eq!(
        r.types[0].missing,
        vec![Missing {
            unit: "U2".into(),
            name: "Sở Tư pháp U2".into()
        }]
    );
}

#[test]
fn classes_follow_the_thresholds_and_a_hard_condition_caps_them() {
    let t = table();
    // 9 of 10 = 90 % → Xuất sắc; 8,75 → Tốt; 6,75 → Trung bình; 4,75 → Yếu.
    assert_eq!(
        classify(&t, Points(900), false, Some("Tốt")),
        (Some("Xuất sắc".into()), false)
    );
    assert_eq!(
        classify(&t, Points(875), false, Some("Tốt")),
        (Some("Tốt".into()), false)
    );
    assert_eq!(
        classify(&t, Points(675), false, None),
        (Some("Trung bình".into()), false)
    );
    assert_eq!(
        classify(&t, Points(475), false, None),
        (Some("Yếu".into()), false)
    );
    // 9,75 (with the bonus) but A.1 at 3 of 4: a hard condition unmet → capped at Tốt.
    let r = year(&[unit(
        "U1",
        Some(sub(1, "2026-11-01T00:00:00Z", [3.0, 2.0, 4.0, 1.0, 0.25])),
    )]);
    let row = &r.types[0].ranking[0];
    assert_eq!(row.scored.total, Points(975));
    assert_eq!(row.scored.unmet_hard, vec!["A.1".to_string()]);
    assert_eq!(
        (row.scored.class.as_deref(), row.scored.capped),
        (Some("Tốt"), true)
    );
}

#[test]
fn quotas_take_seats_in_order_among_eligible_units() {
    let r = year(&[
        // 10: Xuất sắc → Cờ
        unit(
            "U1",
            Some(sub(1, "2026-11-01T00:00:00Z", [4.0, 2.0, 4.0, 0.0, 0.0])),
        ),
        // 9,75 but capped at Tốt (A.1 = 3) → not the flag; Bằng khen
        unit(
            "U2",
            Some(sub(2, "2026-11-01T00:00:00Z", [3.0, 2.0, 4.0, 1.0, 0.25])),
        ),
        // 9,5: Xuất sắc → Bằng khen (the flag's one seat is taken)
        unit(
            "U3",
            Some(sub(3, "2026-11-01T00:00:00Z", [4.0, 1.5, 4.0, 0.0, 0.0])),
        ),
        // 8,5: Tốt, but the two Bằng khen seats are taken → nothing
        unit(
            "U4",
            Some(sub(4, "2026-11-01T00:00:00Z", [4.0, 0.5, 4.0, 0.0, 0.0])),
        ),
    ]);
    let got: Vec<(&str, Option<&str>)> = r.types[0]
        .ranking
        .iter()
        .map(|x| {
            (
                x.scored.unit.as_str(),
                x.proposal.as_ref().map(|p| p.award.as_str()),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            ("U1", Some("co")),
            ("U2", Some("bk")),
            ("U3", Some("bk")),
            ("U4", None)
        ]
    );
    let reason = &r.types[0].ranking[0].proposal.as_ref().unwrap().reason;
    assert_eq!(
        reason,
        "Xếp thứ 1 khối Sở Tư pháp với 10 điểm, xếp loại Xuất sắc"
    );
}

#[test]
fn figures_are_summed_per_type() {
    let mut t = table();
    t.indicators.push(crate::domain::criteria::Indicator {
        code: "SL01".into(),
        name: "Dự thảo được thẩm định".into(),
        unit: "lượt".into(),
    });
    let mut a = sub(1, "2026-11-01T00:00:00Z", [4.0, 2.0, 4.0, 0.0, 0.0]);
    a.indicators.insert("SL01".into(), 1000);
    let mut b = sub(2, "2026-11-01T00:00:00Z", [4.0, 2.0, 4.0, 0.0, 0.0]);
    b.indicators.insert("SL01".into(), 103);
    let units = [unit("U1", Some(a)), unit("U2", Some(b)), unit("U3", None)];
    let r = score_year(
        2026,
        &[("stp".into(), "Sở Tư pháp".into())],
        &|_| Some(t.clone()),
        &units,
        &rules(),
    );
    assert_eq!(r.figures[0].total, 1103);
    assert_eq!(r.figures[0].by_unit.len(), 2);
}

#[test]
fn tie_break_texts_name_the_rule_the_values_and_the_other_unit() {
    // Equal totals (8) and equal group A (6): the earlier submission wins.
    let r = year(&[
        unit(
            "U1",
            Some(sub(1, "2026-11-05T08:30:00Z", [4.0, 2.0, 2.0, 0.0, 0.0])),
        ),
        unit(
            "U2",
            Some(sub(2, "2026-11-02T07:15:00Z", [4.0, 2.0, 2.0, 0.0, 0.0])),
        ),
    ]);
    let ranking = &r.types[0].ranking;
    let texts: Vec<(&str, Option<&str>)> = ranking
        .iter()
        .map(|x| (x.scored.unit.as_str(), x.tie_break.as_deref()))
        .collect();
    assert_eq!(
        texts,
        [
            (
                "U2",
                Some(
                    "Bằng điểm với Sở Tư pháp U1, xếp trên vì nộp bảng tự chấm sớm hơn Sở Tư pháp U1: 14:15 ngày 02 tháng 11 năm 2026 so với 15:30 ngày 05 tháng 11 năm 2026"
                )
            ),
            (
                "U1",
                Some("Bằng điểm với Sở Tư pháp U2, xếp dưới theo tiêu chí phụ")
            ),
        ]
    );
    // Both are Tốt and the certificate has two seats: the reasons carry the
    // tie-break, lower-cased after a semicolon.
    let reasons: Vec<&str> = ranking
        .iter()
        .map(|x| x.proposal.as_ref().unwrap().reason.as_str())
        .collect();
    assert_eq!(
        reasons,
        [
            "Xếp thứ 1 khối Sở Tư pháp với 8 điểm, xếp loại Tốt; bằng điểm với Sở Tư pháp U1, xếp trên vì nộp bảng tự chấm sớm hơn Sở Tư pháp U1: 14:15 ngày 02 tháng 11 năm 2026 so với 15:30 ngày 05 tháng 11 năm 2026",
            "Xếp thứ 2 khối Sở Tư pháp với 8 điểm, xếp loại Tốt; bằng điểm với Sở Tư pháp U2, xếp dưới theo tiêu chí phụ",
        ]
    );

    // A group decides: its number and both subtotals are named.
    let r = year(&[
        unit(
            "U2",
            Some(sub(2, "2026-11-02T00:00:00Z", [4.0, 1.0, 3.0, 0.0, 0.0])),
        ),
        unit(
            "U3",
            Some(sub(3, "2026-11-04T00:00:00Z", [4.0, 2.0, 2.0, 0.0, 0.0])),
        ),
    ]);
    assert_eq!(
        r.types[0].ranking[0].tie_break.as_deref(),
        Some(
            "Bằng điểm với Sở Tư pháp U2, xếp trên vì điểm phần/nhóm A cao hơn: 6 so với 5 của Sở Tư pháp U2"
        )
    );
}

#[test]
fn without_tie_breaks_equal_totals_fall_to_the_unit_code() {
    let t = table();
    let no_rules = Rules {
        tie_breaks: vec![],
        hard_cap: None,
        awards: vec![],
    };
    let r = score_year(
        2026,
        &[("stp".into(), "Sở Tư pháp".into())],
        &|_| Some(t.clone()),
        &[
            unit(
                "U9",
                Some(sub(1, "2026-11-01T00:00:00Z", [4.0, 2.0, 2.0, 0.0, 0.0])),
            ),
            unit(
                "U1",
                Some(sub(2, "2026-11-09T00:00:00Z", [4.0, 1.0, 3.0, 0.0, 0.0])),
            ),
            unit(
                "U5",
                Some(sub(3, "2026-11-05T00:00:00Z", [4.0, 2.0, 3.0, 0.0, 0.0])),
            ),
        ],
        &no_rules,
    );
    let rows: Vec<(&str, u32, u32, Option<&str>, bool)> = r.types[0]
        .ranking
        .iter()
        .map(|x| {
            (
                x.scored.unit.as_str(),
                x.rank,
                x.position,
                x.tie_break.as_deref(),
                x.proposal.is_some(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            ("U5", 1, 1, None, false),
            (
                "U1",
                2,
                2,
                Some(
                    "Bằng điểm với Sở Tư pháp U9; các tiêu chí phụ không phân định được, xếp theo mã đơn vị"
                ),
                false
            ),
            (
                "U9",
                2,
                3,
                Some("Bằng điểm với Sở Tư pháp U1, xếp dưới theo tiêu chí phụ"),
                false
            ),
        ]
    );
}

#[test]
fn an_award_goes_only_to_units_of_its_class_or_better() {
    let r = year(&[
        // 9,75 but capped at Tốt (A.1 = 3): not the flag, which stays empty.
        unit(
            "U2",
            Some(sub(2, "2026-11-01T00:00:00Z", [3.0, 2.0, 4.0, 1.0, 0.25])),
        ),
        // 7,5: Khá, below the certificate's Tốt, though a seat is free.
        unit(
            "U4",
            Some(sub(4, "2026-11-01T00:00:00Z", [4.0, 1.5, 2.0, 0.0, 0.0])),
        ),
    ]);
    let got: Vec<(&str, Option<&str>, Option<&str>)> = r.types[0]
        .ranking
        .iter()
        .map(|x| {
            (
                x.scored.unit.as_str(),
                x.scored.class.as_deref(),
                x.proposal.as_ref().map(|p| p.award.as_str()),
            )
        })
        .collect();
    assert_eq!(
        got,
        [("U2", Some("Tốt"), Some("bk")), ("U4", Some("Khá"), None)]
    );
}

/// A cross-check by `inspector`, received at `at`, with each score's reason.
fn verified_by(inspector: &str, id: i64, at: &str, scores: &[(&str, f64, &str)]) -> Verified {
    Verified {
        id,
        inspector: inspector.into(),
        received_at: chrono::DateTime::parse_from_rfc3339(at)
            .expect("a test time")
            .to_utc(),
        scores: scores
            .iter()
            .map(|(c, v, _)| ((*c).to_string(), p(*v)))
            .collect(),
        reasons: scores
            .iter()
            .map(|(c, _, r)| ((*c).to_string(), (*r).to_string()))
            .collect(),
    }
}

/// The latest check of each inspector counts whatever the order they are
/// given in; of two inspectors scoring one criterion, the later received
/// stands, with its inspector and reason.
#[test]
fn the_latest_check_counts_in_any_order_and_the_later_inspector_stands() {
    let t = table();
    let s = sub(1, "2026-11-01T00:00:00Z", [4.0, 1.0, 3.0, 0.0, 0.0]);
    let first = verified_by("U8", 10, "2026-11-10T00:00:00Z", &[("A.1", 3.0, "chậm")]);
    let later = verified_by("U8", 11, "2026-11-12T00:00:00Z", &[("B.1", 2.0, "thiếu")]);
    for given in [
        [first.clone(), later.clone()],
        [later.clone(), first.clone()],
    ] {
        let (finals, adj) = final_scores(&t, &s, &given);
        // 4 + 1 + 2: only the later check of U8 counts.
        assert_eq!(total(&t, &finals), Points(700));
        assert_eq!(finals["A.1"], Points(400));
        assert_eq!(
            adj,
            [Adjustment {
                criterion: "B.1".into(),
                number: "1".into(),
                name: "Cán bộ".into(),
                self_score: Points(300),
                verified: Points(200),
                reason: "thiếu".into(),
                inspector: "U8".into(),
            }]
        );
    }
    // U9 checked A.2 after U8 did: U9's 1,5 stands, whatever the order given.
    let u8 = verified_by("U8", 20, "2026-11-10T00:00:00Z", &[("A.2", 2.0, "đủ")]);
    let u9 = verified_by(
        "U9",
        21,
        "2026-11-11T00:00:00Z",
        &[("A.2", 1.5, "thiếu một")],
    );
    for given in [[u8.clone(), u9.clone()], [u9.clone(), u8.clone()]] {
        let checks = verified(&given);
        assert_eq!(
            checks["A.2"],
            Check {
                score: Points(150),
                inspector: "U9".into(),
                reason: "thiếu một".into(),
            }
        );
    }
    // The same instant: the higher id was stored later and stands.
    let a = verified_by("U8", 30, "2026-11-10T00:00:00Z", &[("A.2", 2.0, "")]);
    let b = verified_by("U8", 31, "2026-11-10T00:00:00Z", &[("A.2", 0.5, "")]);
    for given in [[a.clone(), b.clone()], [b.clone(), a.clone()]] {
        assert_eq!(verified(&given)["A.2"].score, Points(50));
    }
}

/// A hard condition is unmet by a scored criterion below its maximum, or
/// by a deduction that took any points at all.
#[test]
fn hard_conditions_unmet_below_the_maximum_or_by_any_deduction() {
    let t = parse_table(
        "test.toml",
        &TABLE.replace(
            "name = \"Bị phê bình\"\nmax = 2",
            "name = \"Bị phê bình\"\nmax = 2\nhard = true",
        ),
    )
    .unwrap();
    let finals = |a1: f64, d1: f64| -> BTreeMap<String, Points> {
        [
            ("A.1", a1),
            ("A.2", 2.0),
            ("B.1", 4.0),
            ("C.1", 0.0),
            ("D.1", d1),
        ]
        .into_iter()
        .map(|(c, v)| (c.to_string(), p(v)))
        .collect()
    };
    assert_eq!(unmet_hard(&t, &finals(4.0, 0.0)), Vec::<String>::new());
    assert_eq!(unmet_hard(&t, &finals(3.0, 0.0)), ["A.1"]);
    assert_eq!(unmet_hard(&t, &finals(4.0, 0.25)), ["D.1"]);
    assert_eq!(unmet_hard(&t, &finals(0.0, 2.0)), ["A.1", "D.1"]);
    // A criterion with no final score counts as 0.
    let mut none = finals(4.0, 0.0);
    none.remove("D.1");
    assert_eq!(unmet_hard(&t, &none), Vec::<String>::new());
    none.remove("A.1");
    assert_eq!(unmet_hard(&t, &none), ["A.1"]);
}

/// The cap lowers a class only when the unit earned more than the cap;
/// at the cap or below it, its class stands and it is not marked capped.
#[test]
fn the_hard_condition_cap_marks_only_a_class_it_lowered() {
    let t = table();
    // 9 of 10: Xuất sắc, lowered to Tốt.
    assert_eq!(
        classify(&t, Points(900), true, Some("Tốt")),
        (Some("Tốt".into()), true)
    );
    // 8,75: Tốt already, nothing lowered.
    assert_eq!(
        classify(&t, Points(875), true, Some("Tốt")),
        (Some("Tốt".into()), false)
    );
    // 7: Khá, below the cap.
    assert_eq!(
        classify(&t, Points(700), true, Some("Tốt")),
        (Some("Khá".into()), false)
    );
    // Without a cap, or a cap naming no class, an unmet condition changes nothing.
    assert_eq!(
        classify(&t, Points(900), true, None),
        (Some("Xuất sắc".into()), false)
    );
    assert_eq!(
        classify(&t, Points(900), true, Some("Giỏi")),
        (Some("Xuất sắc".into()), false)
    );
}
