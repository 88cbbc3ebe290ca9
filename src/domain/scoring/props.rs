//! Properties of scoring over random workbooks of the shipped 2026 tables
//! (proptest): the total is the signed sum of the leaves, the ranking is a
//! permutation ordered by total, a cross-check that agrees with the self
//! scores changes nothing, and renaming units changes nothing.

use std::collections::BTreeMap;

use proptest::prelude::*;

use super::*;
use crate::domain::cluster::{Award, Rules, TieBreak};
use crate::domain::criteria::{Kind, parse_table};

/// The shipped table, compiled in (the domain reads no files).
fn table() -> Table {
    parse_table(
        "stp-2026.toml",
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/config/criteria/stp-2026.toml"
        )),
    )
    .unwrap()
}

fn rules() -> Rules {
    Rules {
        tie_breaks: vec![TieBreak::Group("A".into()), TieBreak::Earliest],
        hard_cap: Some("Tốt".into()),
        awards: vec![Award {
            code: "co".into(),
            name: "Cờ".into(),
            seats: 1,
            min_class: "Xuất sắc".into(),
            unit_types: vec![],
        }],
    }
}

/// Scores for every leaf: a band chosen by the seed, or a step multiple.
fn scores(t: &Table, picks: &[u8]) -> BTreeMap<String, Points> {
    t.leaves()
        .zip(picks.iter().cycle())
        .map(|(i, p)| {
            let c = &t.criteria[i];
            let v = if c.bands.is_empty() {
                let steps = (c.max / t.step).round() as u64;
                (u64::from(*p) % (steps + 1)) as f64 * t.step
            } else {
                c.bands[usize::from(*p) % c.bands.len()].points
            };
            (c.code.clone(), Points::from_f64(v))
        })
        .collect()
}

fn unit(code: &str, t: &Table, picks: &[u8], minute: usize) -> UnitInput {
    UnitInput {
        code: code.into(),
        name: format!("Đơn vị {code}"),
        unit_type: "stp".into(),
        submission: Some(Submitted {
            id: minute as i64,
            received_at: chrono::DateTime::parse_from_rfc3339(&format!(
                "2026-11-01T08:{:02}:00+07:00",
                minute % 60
            ))
            .expect("a sample time")
            .to_utc(),
            scores: scores(t, picks),
            indicators: BTreeMap::new(),
        }),
        crosschecks: Vec::new(),
    }
}

/// A unit per seed, `U00`, `U01`…, each sent a minute after the other;
/// the first seed is sent once more at the end, so a tie is always there
/// for the tie-break rules to settle.
fn units_of(t: &Table, seeds: &[Vec<u8>]) -> Vec<UnitInput> {
    seeds
        .iter()
        .chain(seeds.first())
        .enumerate()
        .map(|(i, p)| unit(&format!("U{i:02}"), t, p, i))
        .collect()
}

/// Picks from a few bands over a few leaves, so equal totals are common.
fn seeds() -> impl Strategy<Value = Vec<Vec<u8>>> {
    proptest::collection::vec(proptest::collection::vec(0u8..3, 1..8), 1..10)
}

fn ranked(units: &[UnitInput]) -> YearResult {
    let t = table();
    score_year(
        2026,
        &[("stp".into(), "Sở Tư pháp".into())],
        &|_| Some(t.clone()),
        units,
        &rules(),
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn the_total_is_the_signed_sum_of_the_leaves(picks in proptest::collection::vec(any::<u8>(), 1..80)) {
        let t = table();
        let s = scores(&t, &picks);
        let by_hand: Points = t
            .leaves()
            .map(|i| {
                let c = &t.criteria[i];
                let v = s[&c.code];
                if c.kind == Kind::Deduction { -v } else { v }
            })
            .sum();
        prop_assert_eq!(total(&t, &s), by_hand);
    }

    #[test]
    fn the_ranking_is_a_permutation_ordered_by_total(seeds in seeds()) {
        let t = table();
        let units = units_of(&t, &seeds);
        let r = ranked(&units);
        let ranking = &r.types[0].ranking;
        let mut codes: Vec<&str> = ranking.iter().map(|x| x.scored.unit.as_str()).collect();
        codes.sort_unstable();
        let mut expected: Vec<String> = units.iter().map(|u| u.code.clone()).collect();
        expected.sort();
        prop_assert_eq!(codes, expected.iter().map(String::as_str).collect::<Vec<_>>());
        for w in ranking.windows(2) {
            prop_assert!(w[0].scored.total >= w[1].scored.total);
            prop_assert!(w[0].rank <= w[1].rank);
            prop_assert_eq!(w[0].rank == w[1].rank, w[0].scored.total == w[1].scored.total);
        }
    }

    #[test]
    fn a_cross_check_that_agrees_changes_nothing(picks in proptest::collection::vec(any::<u8>(), 1..60)) {
        let t = table();
        let plain = unit("U1", &t, &picks, 1);
        let mut checked = plain.clone();
        let sub = checked.submission.clone().unwrap();
        checked.crosschecks.push(Verified {
            id: 99,
            inspector: "U2".into(),
            received_at: chrono::DateTime::parse_from_rfc3339("2026-11-20T09:00:00+07:00")
                .expect("a sample time")
                .to_utc(),
            scores: sub.scores.clone(),
            reasons: BTreeMap::new(),
        });
        let a = &ranked(&[plain]).types[0].ranking[0].scored;
        let b = &ranked(&[checked]).types[0].ranking[0].scored;
        prop_assert_eq!(a.total, b.total);
        prop_assert_eq!(&a.finals, &b.finals);
        prop_assert!(b.adjustments.is_empty());
        prop_assert_eq!(&a.class, &b.class);
    }

    #[test]
    fn renaming_units_changes_nothing(seeds in seeds()) {
        let t = table();
        let units = units_of(&t, &seeds);
        // The same units under other codes and names, listed in reverse.
        let renamed: Vec<UnitInput> = units
            .iter()
            .rev()
            .map(|u| UnitInput {
                code: format!("Z-{}", u.code),
                name: format!("Tên khác của {}", u.name),
                ..u.clone()
            })
            .collect();
        let shape = |r: &YearResult| -> Vec<(String, u32, u32, Points, Option<String>)> {
            r.types[0]
                .ranking
                .iter()
                .map(|x| (
                    x.scored.unit.trim_start_matches("Z-").to_string(),
                    x.rank,
                    x.position,
                    x.scored.total,
                    x.proposal.as_ref().map(|p| p.award.clone()),
                ))
                .collect()
        };
        prop_assert_eq!(shape(&ranked(&units)), shape(&ranked(&renamed)));
    }
}
