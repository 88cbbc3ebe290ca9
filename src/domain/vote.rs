//! The commendation vote at the year-end conference ("bầu chọn khen
//! thưởng"): the ballot's sections (per award and unit type, the units
//! whose class qualifies, with the ranking's proposal marked), the marks a
//! ballot may carry, and the tally: votes per candidate over the units that
//! voted, the quorum, the threshold, the seats, and ties reported rather
//! than broken. Pure: values in, values out.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::domain::cluster::Cluster;
use crate::domain::criteria::TableSet;
use crate::domain::scoring::{Points, YearResult};
use crate::domain::vn::norm;

/// One unit that may be voted for under an award.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Candidate {
    pub unit: String,
    pub name: String,
    pub total: Points,
    pub class: String,
    /// The ranking proposes it for this award.
    pub proposed: bool,
}

/// One award for one unit type.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Section {
    pub award: String,
    pub award_name: String,
    pub unit_type: String,
    pub type_name: String,
    pub seats: u32,
    pub candidates: Vec<Candidate>,
}

/// The ballot's sections for a year: for each configured award (in order)
/// and each unit type it applies to, the ranked units whose class reaches
/// the award's minimum, best first.
pub fn sections(cluster: &Cluster, tables: &TableSet, result: &YearResult) -> Vec<Section> {
    let mut out = Vec::new();
    for award in &cluster.rules.awards {
        for t in result
            .types
            .iter()
            .filter(|t| award.applies_to(&t.unit_type))
        {
            let Some(table) = tables.get(&t.unit_type, result.year) else {
                continue;
            };
            let Some(min) = table.classes.iter().position(|c| c.name == award.min_class) else {
                continue;
            };
            let candidates = t
                .ranking
                .iter()
                .filter(|r| {
                    r.scored
                        .class
                        .as_ref()
                        .and_then(|c| table.classes.iter().position(|k| &k.name == c))
                        .is_some_and(|i| i <= min)
                })
                .map(|r| Candidate {
                    unit: r.scored.unit.clone(),
                    name: r.scored.name.clone(),
                    total: r.scored.total,
                    class: r.scored.class.clone().unwrap_or_default(),
                    proposed: r.proposal.as_ref().is_some_and(|p| p.award == award.code),
                })
                .collect();
            out.push(Section {
                award: award.code.clone(),
                award_name: award.name.clone(),
                unit_type: t.unit_type.clone(),
                type_name: t.name.clone(),
                seats: award.seats,
                candidates,
            });
        }
    }
    out
}

/// How a cell of the `Đồng ý` column reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    Yes,
    No,
    /// Something that is neither: the unit must say.
    Unclear,
}

/// Reads a mark: x, X, ✓, ✔, 1 and "có" agree; blank, 0 and "không" do not.
pub fn read_mark(text: &str) -> Mark {
    let n = norm(text);
    match n.as_str() {
        "" | "0" | "không" | "khong" | "no" => Mark::No,
        "x" | "✓" | "✔" | "☑" | "1" | "có" | "co" | "yes" | "đồng ý" => Mark::Yes,
        _ => Mark::Unclear,
    }
}

/// The vote's rules from the configuration.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct VoteRules {
    /// Share of the member units that must vote, e.g. 2/3.
    pub quorum: f64,
    /// A candidate needs more than this share of the ballots cast, e.g. 1/2.
    pub threshold: f64,
    /// Whether a unit may vote for itself.
    pub self_vote: bool,
}

impl Default for VoteRules {
    fn default() -> VoteRules {
        VoteRules {
            quorum: 2.0 / 3.0,
            threshold: 0.5,
            self_vote: false,
        }
    }
}

/// A counted ballot: the voter and the `(award, candidate)` pairs marked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ballot {
    pub voter: String,
    pub marks: BTreeSet<(String, String)>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Count {
    pub unit: String,
    pub name: String,
    pub votes: usize,
    pub elected: bool,
    pub tied: bool,
}

/// One section's result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SectionResult {
    pub award: String,
    pub award_name: String,
    pub unit_type: String,
    pub type_name: String,
    pub seats: u32,
    /// Ballots cast (units that voted), and the members who could vote.
    pub voters: usize,
    pub members: usize,
    pub quorum_needed: usize,
    pub quorum_met: bool,
    /// Votes needed: more than `threshold` of the ballots cast.
    pub votes_needed: usize,
    pub counts: Vec<Count>,
    pub elected: Vec<String>,
    /// Candidates tied for the last seat(s), left for the conference.
    pub tied: Vec<String>,
}

/// The whole vote's result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VoteResult {
    pub voted: Vec<String>,
    pub absent: Vec<String>,
    pub sections: Vec<SectionResult>,
}

/// Counts `ballots` (one per voter, the counted one) for `sections`;
/// `members` are the units entitled to vote.
pub fn tally(
    sections: &[Section],
    ballots: &[Ballot],
    members: &[String],
    rules: &VoteRules,
) -> VoteResult {
    let voters: BTreeSet<&str> = ballots
        .iter()
        .map(|b| b.voter.as_str())
        .filter(|v| members.iter().any(|m| m == v))
        .collect();
    let cast = voters.len();
    // A share written as 0.6667 means two thirds: a hundredth of a vote of
    // slack keeps 0.6667 × 9 at 6, not 7.
    let quorum_needed = (rules.quorum * members.len() as f64 - 0.01).ceil().max(0.0) as usize;
    let quorum_met = cast >= quorum_needed;
    // More than `threshold` of the ballots: the smallest whole number above.
    let votes_needed = (rules.threshold * cast as f64 + 1e-9).floor() as usize + 1;
    let mut out = Vec::new();
    for s in sections {
        let mut tallied: BTreeMap<&str, usize> = BTreeMap::new();
        for b in ballots.iter().filter(|b| voters.contains(b.voter.as_str())) {
            for (award, unit) in &b.marks {
                if award == &s.award && s.candidates.iter().any(|c| &c.unit == unit) {
                    *tallied.entry(unit.as_str()).or_default() += 1;
                }
            }
        }
        let mut counts: Vec<Count> = s
            .candidates
            .iter()
            .map(|c| Count {
                unit: c.unit.clone(),
                name: c.name.clone(),
                votes: tallied.get(c.unit.as_str()).copied().unwrap_or(0),
                elected: false,
                tied: false,
            })
            .collect();
        counts.sort_by_key(|c| std::cmp::Reverse(c.votes));
        let mut elected = Vec::new();
        let mut tied = Vec::new();
        if quorum_met {
            let qualified: Vec<usize> = (0..counts.len())
                .filter(|&i| counts[i].votes >= votes_needed)
                .collect();
            let seats = s.seats as usize;
            // Units level with the last seat's count take the seats if the
            // next qualified unit has fewer votes; if it has as many, the
            // level units are tied and the conference decides.
            match qualified.get(seats) {
                Some(&next)
                    if seats > 0 && counts[next].votes == counts[qualified[seats - 1]].votes =>
                {
                    let edge = counts[next].votes;
                    let (at, above): (Vec<usize>, Vec<usize>) =
                        qualified.iter().partition(|&&i| counts[i].votes == edge);
                    elected = above;
                    tied = at;
                }
                Some(_) => elected = qualified[..seats].to_vec(),
                None => elected = qualified,
            }
        }
        for &i in &elected {
            counts[i].elected = true;
        }
        for &i in &tied {
            counts[i].tied = true;
        }
        out.push(SectionResult {
            award: s.award.clone(),
            award_name: s.award_name.clone(),
            unit_type: s.unit_type.clone(),
            type_name: s.type_name.clone(),
            seats: s.seats,
            voters: cast,
            members: members.len(),
            quorum_needed,
            quorum_met,
            votes_needed,
            elected: elected.iter().map(|&i| counts[i].unit.clone()).collect(),
            tied: tied.iter().map(|&i| counts[i].unit.clone()).collect(),
            counts,
        });
    }
    VoteResult {
        voted: voters.iter().map(|v| (*v).to_string()).collect(),
        absent: members
            .iter()
            .filter(|m| !voters.contains(m.as_str()))
            .cloned()
            .collect(),
        sections: out,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn section(seats: u32, candidates: &[&str]) -> Section {
        Section {
            award: "bang-khen".into(),
            award_name: "Bằng khen".into(),
            unit_type: "stp".into(),
            type_name: "Sở Tư pháp".into(),
            seats,
            candidates: candidates
                .iter()
                .map(|c| Candidate {
                    unit: (*c).into(),
                    name: (*c).into(),
                    total: Points::ZERO,
                    class: "Xuất sắc".into(),
                    proposed: false,
                })
                .collect(),
        }
    }

    fn ballot(voter: &str, marks: &[&str]) -> Ballot {
        Ballot {
            voter: voter.into(),
            marks: marks
                .iter()
                .map(|m| ("bang-khen".to_string(), (*m).to_string()))
                .collect(),
        }
    }

    fn members(n: usize) -> Vec<String> {
        (1..=n).map(|i| format!("U{i}")).collect()
    }

    #[test]
    fn every_accepted_spelling_of_a_mark() {
        for yes in ["x", "X", " x ", "✓", "✔", "1", "có", "Có", "CÓ"] {
            assert_eq!(read_mark(yes), Mark::Yes, "{yes}");
        }
        for no in ["", "  ", "0", "không", "Không"] {
            assert_eq!(read_mark(no), Mark::No, "{no}");
        }
        for unclear in ["?", "xx", "2", "v"] {
            assert_eq!(read_mark(unclear), Mark::Unclear, "{unclear}");
        }
    }

    #[test]
    fn hand_counted_two_seats_out_of_ten_members() {
        // 10 members, 8 vote (quorum 2/3 → 7 needed); more than half of 8 → 5 votes.
        let s = section(2, &["A", "B", "C"]);
        let b: Vec<Ballot> = [
            ("U1", &["A", "B"][..]),
            ("U2", &["A", "B"]),
            ("U3", &["A", "C"]),
            ("U4", &["A", "B"]),
            ("U5", &["A", "B"]),
            ("U6", &["B", "C"]),
            ("U7", &["A"]),
            ("U8", &["C"]),
        ]
        .iter()
        .map(|(v, m)| ballot(v, m))
        .collect();
        let r = tally(&[s], &b, &members(10), &VoteRules::default());
        let sec = &r.sections[0];
        assert_eq!((sec.voters, sec.quorum_needed, sec.votes_needed), (8, 7, 5));
        let votes: Vec<(&str, usize)> = sec
            .counts
            .iter()
            .map(|c| (c.unit.as_str(), c.votes))
            .collect();
        assert_eq!(votes, [("A", 6), ("B", 5), ("C", 3)]);
        assert_eq!(sec.elected, ["A", "B"]);
        assert!(sec.tied.is_empty());
        assert_eq!(r.absent, ["U9", "U10"]);
    }

    #[test]
    fn no_quorum_elects_nobody() {
        let s = section(1, &["A"]);
        let b: Vec<Ballot> = (1..=6).map(|i| ballot(&format!("U{i}"), &["A"])).collect();
        let r = tally(&[s], &b, &members(10), &VoteRules::default());
        assert!(!r.sections[0].quorum_met);
        assert!(r.sections[0].elected.is_empty());
        assert_eq!(r.sections[0].counts[0].votes, 6);
    }

    #[test]
    fn a_tie_for_the_last_seat_is_reported_not_broken() {
        // 9 voters of 9: A 9, B 6, C 6; two seats → A in, B and C tied.
        let s = section(2, &["A", "B", "C"]);
        let b: Vec<Ballot> = (1..=9)
            .map(|i| {
                ballot(
                    &format!("U{i}"),
                    if i <= 6 { &["A", "B", "C"] } else { &["A"] },
                )
            })
            .collect();
        let r = tally(&[s], &b, &members(9), &VoteRules::default());
        let sec = &r.sections[0];
        assert_eq!(sec.elected, ["A"]);
        let mut tied = sec.tied.clone();
        tied.sort();
        assert_eq!(tied, ["B", "C"]);
        assert!(sec.counts.iter().filter(|c| c.tied).count() == 2);
    }

    #[test]
    fn units_level_at_the_last_seat_are_all_in_when_the_seats_allow() {
        // 10 voters, 6 votes needed, 2 seats: A 7, B 7 and C 6 all
        // qualify; A and B, level at the last seat, both fit; C is out.
        let s = section(2, &["A", "B", "C"]);
        let b: Vec<Ballot> = (1..=10)
            .map(|i| {
                let m: &[&str] = match i {
                    1..=4 => &["A", "B"],
                    5..=7 => &["A", "C"],
                    _ => &["B", "C"],
                };
                ballot(&format!("U{i}"), m)
            })
            .collect();
        let r = tally(&[s], &b, &members(10), &VoteRules::default());
        let sec = &r.sections[0];
        let votes: Vec<(&str, usize)> = sec
            .counts
            .iter()
            .map(|c| (c.unit.as_str(), c.votes))
            .collect();
        assert_eq!(votes, [("A", 7), ("B", 7), ("C", 6)]);
        assert_eq!(sec.elected, ["A", "B"]);
        assert!(sec.tied.is_empty());
    }

    #[test]
    fn a_quorum_of_two_thirds_written_as_a_decimal() {
        let rules = VoteRules {
            quorum: 0.6667,
            ..VoteRules::default()
        };
        for (n, needed) in [(9, 6), (10, 7), (12, 8), (28, 19)] {
            let r = tally(&[section(1, &["A"])], &[], &members(n), &rules);
            assert_eq!(r.sections[0].quorum_needed, needed, "{n} members");
        }
    }

    #[test]
    fn half_the_votes_is_not_more_than_half() {
        let s = section(1, &["A"]);
        let b: Vec<Ballot> = (1..=8)
            .map(|i| ballot(&format!("U{i}"), if i <= 4 { &["A"] } else { &[] }))
            .collect();
        let r = tally(&[s], &b, &members(8), &VoteRules::default());
        assert_eq!(r.sections[0].votes_needed, 5);
        assert!(r.sections[0].elected.is_empty());
    }

    #[test]
    fn ballots_of_non_members_do_not_count() {
        let s = section(1, &["A"]);
        let mut b: Vec<Ballot> = (1..=3).map(|i| ballot(&format!("U{i}"), &["A"])).collect();
        b.push(ballot("OUTSIDER", &["A"]));
        let r = tally(&[s], &b, &members(3), &VoteRules::default());
        assert_eq!(r.sections[0].voters, 3);
        assert_eq!(r.sections[0].counts[0].votes, 3);
    }

    #[test]
    fn a_mark_counts_only_under_its_own_award() {
        // Two sections with the same candidates: marks under one award are
        // not votes under the other.
        let bk = section(1, &["A", "B"]);
        let mut co = section(1, &["A", "B"]);
        co.award = "co-thi-dua".into();
        let b: Vec<Ballot> = (1..=3)
            .map(|i| Ballot {
                voter: format!("U{i}"),
                marks: [("co-thi-dua".to_string(), "A".to_string())].into(),
            })
            .collect();
        let r = tally(&[bk, co], &b, &members(3), &VoteRules::default());
        let votes = |s: usize| -> Vec<(&str, usize)> {
            r.sections[s]
                .counts
                .iter()
                .map(|c| (c.unit.as_str(), c.votes))
                .collect()
        };
        assert_eq!(votes(0), [("A", 0), ("B", 0)]);
        assert_eq!(votes(1), [("A", 3), ("B", 0)]);
        assert!(r.sections[0].elected.is_empty());
        assert_eq!(r.sections[1].elected, ["A"]);
    }

    #[test]
    fn an_award_without_seats_elects_nobody() {
        let s = section(0, &["A", "B"]);
        let b: Vec<Ballot> = (1..=3)
            .map(|i| ballot(&format!("U{i}"), &["A", "B"]))
            .collect();
        let r = tally(&[s], &b, &members(3), &VoteRules::default());
        let r = &r.sections[0];
        assert!(r.quorum_met);
        assert_eq!((r.counts[0].votes, r.counts[1].votes), (3, 3));
        assert!(r.elected.is_empty() && r.tied.is_empty(), "{r:?}");
    }

    use crate::domain::scoring::Ranked;

    /// A table whose classes are Xuất sắc (90 %), Tốt (80 %), Khá (0 %).
    fn table(unit_type: &str) -> crate::domain::criteria::Table {
        crate::domain::criteria::parse_table(
            "t.toml",
            &format!(
                r#"
unit_type = "{unit_type}"
year = 2026
title = "Bảng"
decision = "thử"
step = 0.25
max = 10
classes = [
  {{ name = "Xuất sắc", min_percent = 90 }},
  {{ name = "Tốt", min_percent = 80 }},
  {{ name = "Khá", min_percent = 0 }},
]
[[criteria]]
code = "A"
number = "1"
name = "Nhiệm vụ"
max = 10
"#
            ),
        )
        .unwrap()
    }

    fn ranked(unit: &str, total: i64, class: Option<&str>, proposal: Option<&str>) -> Ranked {
        Ranked {
            rank: 1,
            position: 1,
            scored: crate::domain::scoring::Scored {
                unit: unit.into(),
                name: format!("Đơn vị {unit}"),
                total: Points(total),
                groups: vec![],
                finals: BTreeMap::new(),
                adjustments: vec![],
                unmet_hard: vec![],
                class: class.map(str::to_string),
                capped: false,
                received_at: chrono::DateTime::default(),
                submission_id: 0,
            },
            tie_break: None,
            proposal: proposal.map(|a| crate::domain::scoring::Proposal {
                award: a.into(),
                name: a.into(),
                reason: String::new(),
            }),
        }
    }

    #[test]
    fn sections_list_each_award_by_unit_type_with_the_classes_that_reach_it() {
        use crate::domain::cluster::{Award, Rules};
        use crate::domain::scoring::TypeResult;
        type Row = (String, String, String, u32, Vec<(String, bool)>);
        let mut tables = TableSet::default();
        tables.insert(table("stp")).unwrap();
        tables.insert(table("thads")).unwrap();
        let award = |code: &str, min: &str, types: &[&str]| Award {
            code: code.into(),
            name: format!("Hình thức {code}"),
            seats: 2,
            min_class: min.into(),
            unit_types: types.iter().map(|t| (*t).to_string()).collect(),
        };
        let cluster = Cluster {
            name: "Cụm".into(),
            short_name: "Cụm".into(),
            timezone: String::new(),
            open_years: vec![2026],
            ministry_email: String::new(),
            unit_types: vec![],
            units: vec![],
            years: vec![],
            rules: Rules {
                tie_breaks: vec![],
                hard_cap: None,
                awards: vec![
                    award("co", "Xuất sắc", &["stp"]),
                    award("bk", "Tốt", &[]),
                    // A class no table has: no section.
                    award("x", "Giỏi", &[]),
                ],
            },
        };
        let kind = |code: &str, ranking: Vec<Ranked>| TypeResult {
            unit_type: code.into(),
            name: format!("Khối {code}"),
            max: Points(1000),
            ranking,
            missing: vec![],
        };
        let result = YearResult {
            year: 2026,
            types: vec![
                kind(
                    "stp",
                    vec![
                        ranked("S1", 950, Some("Xuất sắc"), Some("co")),
                        ranked("S2", 850, Some("Tốt"), Some("bk")),
                        ranked("S3", 500, Some("Khá"), None),
                        ranked("S4", 400, None, None),
                    ],
                ),
                kind(
                    "thads",
                    vec![ranked("T1", 920, Some("Xuất sắc"), Some("bk"))],
                ),
                // No table for this type in 2026: no section.
                kind("khac", vec![ranked("K1", 990, Some("Xuất sắc"), None)]),
            ],
            figures: vec![],
        };
        let got: Vec<Row> = sections(&cluster, &tables, &result)
            .into_iter()
            .map(|s| {
                (
                    s.award,
                    s.unit_type,
                    s.type_name,
                    s.seats,
                    s.candidates
                        .into_iter()
                        .map(|c| (c.unit, c.proposed))
                        .collect(),
                )
            })
            .collect();
        let row = |a: &str, t: &str, c: &[(&str, bool)]| {
            (
                a.to_string(),
                t.to_string(),
                format!("Khối {t}"),
                2,
                c.iter()
                    .map(|(u, p)| ((*u).to_string(), *p))
                    .collect::<Vec<_>>(),
            )
        };
        assert_eq!(
            got,
            [
                row("co", "stp", &[("S1", true)]),
                row("bk", "stp", &[("S1", false), ("S2", true)]),
                row("bk", "thads", &[("T1", true)]),
            ]
        );
        let first = &sections(&cluster, &tables, &result)[0];
        assert_eq!(first.award_name, "Hình thức co");
        assert_eq!(first.candidates[0].name, "Đơn vị S1");
        assert_eq!(first.candidates[0].total, Points(950));
        assert_eq!(first.candidates[0].class, "Xuất sắc");
    }
}
