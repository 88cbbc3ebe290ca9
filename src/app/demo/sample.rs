//! Sample data: a year of varied but plausible scores, for the benchmarks,
//! the tests of the documents and the demo. Seeded, so every run makes
//! the same numbers.

use std::collections::BTreeMap;

use crate::config::Settings;
use crate::domain::criteria::{Kind, Table};
use crate::domain::scoring::{Points, Submitted, UnitInput, Verified};
use crate::io::workbook::form::Fill;

/// splitmix64: a well-mixed number from a seed.
fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// A filled form: most leaves at full marks, some a band or two lower, an
/// occasional deduction; evidence where the table asks for it.
pub fn varied(table: &Table, unit: &str, seed: u64) -> Fill {
    let base = unit.bytes().fold(seed, |h, b| mix(h ^ u64::from(b)));
    let mut fill = Fill::plausible(table);
    for (n, i) in table.leaves().enumerate() {
        let c = &table.criteria[i];
        let roll = mix(base ^ n as u64) % 100;
        let score = match c.kind {
            // The lightest deduction the criterion allows: its smallest
            // non-zero band, or one step.
            Kind::Deduction if roll < 8 => c
                .bands
                .iter()
                .map(|b| b.points)
                .filter(|p| *p > 0.0)
                .reduce(f64::min)
                .unwrap_or(table.step.min(c.max)),
            Kind::Deduction => 0.0,
            // Units rarely miss a hard condition; the ones that do are capped.
            _ if c.hard => c.max,
            _ => {
                let band = match roll {
                    0..=74 => 0,
                    75..=93 => 1,
                    _ => 2,
                };
                c.bands
                    .get(band)
                    .or(c.bands.last())
                    .map_or(c.max, |b| b.points)
            }
        };
        fill.scores.insert(c.code.clone(), score);
        if c.evidence {
            fill.evidence
                .insert(c.code.clone(), format!("Báo cáo số {}/BC-{unit}", 10 + n));
        }
    }
    for (n, ind) in table.indicators.iter().enumerate() {
        let v = 80 + mix(base ^ (1000 + n as u64)) % 300;
        fill.indicators.insert(ind.code.clone(), v as i64);
    }
    fill
}

fn points(scores: &BTreeMap<String, f64>) -> BTreeMap<String, Points> {
    scores
        .iter()
        .map(|(k, v)| (k.clone(), Points::from_f64(*v)))
        .collect()
}

/// One unit's input from a fill, received at `minute` past 08:00.
fn input(code: &str, name: &str, unit_type: &str, fill: &Fill, id: i64) -> UnitInput {
    UnitInput {
        code: code.to_string(),
        name: name.to_string(),
        unit_type: unit_type.to_string(),
        submission: Some(Submitted {
            id,
            received_at: chrono::DateTime::parse_from_rfc3339(&format!(
                "2026-11-{:02}T08:{:02}:00+07:00",
                1 + id % 14,
                id % 60
            ))
            .expect("a sample time")
            .to_utc(),
            scores: points(&fill.scores),
            indicators: fill.indicators.clone(),
        }),
        crosschecks: Vec::new(),
    }
}

/// Every member unit of `year` with a varied submission, except the last
/// member of each type (who has not sent one), and one cross-check per
/// assigned pair that lowers the inspected unit's first banded criterion
/// it scored at full marks. Returns the inputs and each unit's evidence.
pub fn cluster_year(
    settings: &Settings,
    year: i32,
) -> (Vec<UnitInput>, BTreeMap<String, BTreeMap<String, String>>) {
    let cluster = &settings.cluster;
    let mut units = Vec::new();
    let mut evidence = BTreeMap::new();
    for t in &cluster.unit_types {
        let members: Vec<_> = cluster
            .members(year)
            .filter(|u| u.unit_type == t.code)
            .collect();
        let Some(table) = settings.tables.get(&t.code, year) else {
            continue;
        };
        for (n, u) in members.iter().enumerate() {
            let name = u.name_in(year);
            if n + 1 == members.len() {
                units.push(UnitInput {
                    code: u.code.clone(),
                    name: name.to_string(),
                    unit_type: t.code.clone(),
                    submission: None,
                    crosschecks: Vec::new(),
                });
                continue;
            }
            let fill = varied(table, &u.code, 2026);
            evidence.insert(u.code.clone(), fill.evidence.clone());
            units.push(input(&u.code, name, &t.code, &fill, units.len() as i64 + 1));
        }
    }
    let plan = cluster
        .year(year)
        .map(|p| p.crosschecks.clone())
        .unwrap_or_default();
    for (n, pair) in plan.iter().enumerate() {
        let Some(target) = units.iter().position(|u| u.code == pair.inspected) else {
            continue;
        };
        let Some(sub) = units[target].submission.clone() else {
            continue;
        };
        let Some(table) = settings.tables.get(&units[target].unit_type, year) else {
            continue;
        };
        let candidates: Vec<_> = table
            .leaves()
            .map(|i| &table.criteria[i])
            .filter(|c| {
                c.kind == Kind::Score
                    && !c.hard
                    && c.bands.len() > 1
                    && sub.scores.get(&c.code) == Some(&Points::from_f64(c.max))
            })
            .collect();
        let lowered = candidates.get((mix(n as u64) % candidates.len().max(1) as u64) as usize);
        let Some(&c) = lowered else { continue };
        units[target].crosschecks.push(Verified {
            id: 1000 + n as i64,
            inspector: pair.inspector.clone(),
            received_at: chrono::DateTime::parse_from_rfc3339(&format!(
                "2026-11-20T09:{:02}:00+07:00",
                n % 60
            ))
            .expect("a sample time")
            .to_utc(),
            scores: [(c.code.clone(), Points::from_f64(c.bands[1].points))].into(),
            reasons: [(
                c.code.clone(),
                format!("Hồ sơ chỉ chứng minh mức “{}”", c.bands[1].condition),
            )]
            .into(),
        });
    }
    (units, evidence)
}

/// `n` made-up departments of justice with varied submissions, to see how
/// documents scale (the real clusters have 10 to 28 units).
pub fn many(settings: &Settings, year: i32, n: usize) -> Vec<UnitInput> {
    let Some(table) = settings.tables.get("stp", year) else {
        return Vec::new();
    };
    (0..n)
        .map(|i| {
            let code = format!("STP-M{i:03}");
            let fill = varied(table, &code, 7);
            input(
                &code,
                &format!("Sở Tư pháp mẫu số {}", i + 1),
                "stp",
                &fill,
                i as i64 + 1,
            )
        })
        .collect()
}
