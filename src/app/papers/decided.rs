//! Who a year proposes for each award, the one answer every paper and mail
//! gives: once the vote is closed, the units it elected (a tie left to the
//! conference shown as such, an award nobody won left empty); where no
//! vote took place, the ranking's quota, shown as the ranking's suggestion.
//! Pure: values in, values out.

use serde::Serialize;

use crate::app::standings::Standings;
use crate::domain::scoring::TypeResult;
use crate::domain::vn::format_number;

/// How the year's proposals were decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Basis {
    /// The vote is closed and counted: its elected units are the proposals.
    Vote,
    /// Ballots are coming in; until the vote closes the ranking suggests.
    VoteOpen,
    /// No vote took place: the ranking's quota suggests.
    Ranking,
}

impl Basis {
    pub fn of(result: &Standings) -> Basis {
        match (&result.vote, result.vote_closed) {
            (Some(_), true) => Basis::Vote,
            (Some(_), false) => Basis::VoteOpen,
            (None, _) => Basis::Ranking,
        }
    }
}

/// One unit proposed for one award.
#[derive(Debug, Clone, Serialize)]
pub struct ProposalRow {
    pub unit_code: String,
    pub unit: String,
    pub award: String,
    /// Why: the votes it won, or the ranking's reason.
    pub reason: String,
    pub total: String,
    pub class: String,
    pub rank: u32,
    /// "6/7" when elected by the vote; empty for the ranking's suggestion.
    pub votes: String,
}

/// Candidates level for the last seat(s) of an award, for the conference.
#[derive(Debug, Clone, Serialize)]
pub struct TieRow {
    pub award: String,
    pub codes: Vec<String>,
    pub units: Vec<String>,
    pub votes: usize,
}

/// An award of the vote that nobody won, and why.
#[derive(Debug, Clone, Serialize)]
pub struct Unfilled {
    pub award: String,
    pub why: String,
}

/// What one unit type's papers propose.
#[derive(Debug, Clone, Serialize)]
pub struct Decided {
    pub basis: Basis,
    pub proposals: Vec<ProposalRow>,
    pub tied: Vec<TieRow>,
    pub unfilled: Vec<Unfilled>,
}

impl Decided {
    /// The awards proposed for `unit`, joined for a table cell.
    pub fn award_of(&self, unit: &str) -> String {
        self.proposals
            .iter()
            .filter(|p| p.unit_code == unit)
            .map(|p| p.award.as_str())
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// The tie `unit` is part of, if any, for a table cell.
    pub fn tie_of(&self, unit: &str) -> Option<String> {
        self.tied
            .iter()
            .find(|t| t.codes.iter().any(|u| u == unit))
            .map(|t| format!("{} (bằng phiếu, chờ Hội nghị quyết định)", t.award))
    }

    /// What a ranking table's proposal cell says of `unit`: the awards it
    /// is proposed for, then the tie it is part of.
    pub fn cell(&self, unit: &str) -> String {
        let won = self.award_of(unit);
        match self.tie_of(unit) {
            Some(tie) if won.is_empty() => tie,
            Some(tie) => format!("{won}; {tie}"),
            None => won,
        }
    }
}

/// What `t` proposes in `result`.
pub fn for_type(result: &Standings, t: &TypeResult) -> Decided {
    let basis = Basis::of(result);
    let row_of = |unit: &str| t.ranking.iter().find(|r| r.scored.unit == unit);
    let mut proposals = Vec::new();
    let mut tied = Vec::new();
    let mut unfilled = Vec::new();
    match (basis, &result.vote) {
        (Basis::Vote, Some(vote)) => {
            for s in vote.sections.iter().filter(|s| s.unit_type == t.unit_type) {
                for unit in &s.elected {
                    let Some(r) = row_of(unit) else { continue };
                    let votes = s
                        .counts
                        .iter()
                        .find(|c| &c.unit == unit)
                        .map_or(0, |c| c.votes);
                    proposals.push(ProposalRow {
                        unit_code: unit.clone(),
                        unit: r.scored.name.clone(),
                        award: s.award_name.clone(),
                        reason: format!(
                            "Được bầu chọn với {votes}/{} phiếu đồng ý (cần ít nhất {} phiếu)",
                            s.voters, s.votes_needed
                        ),
                        total: format_number(r.scored.total.as_f64()),
                        class: r.scored.class.clone().unwrap_or_default(),
                        rank: r.rank,
                        votes: format!("{votes}/{}", s.voters),
                    });
                }
                if !s.tied.is_empty() {
                    tied.push(TieRow {
                        award: s.award_name.clone(),
                        codes: s.tied.clone(),
                        units: s
                            .tied
                            .iter()
                            .map(|u| row_of(u).map_or_else(|| u.clone(), |r| r.scored.name.clone()))
                            .collect(),
                        votes: s.counts.iter().find(|c| c.tied).map_or(0, |c| c.votes),
                    });
                }
                if s.elected.is_empty() && s.tied.is_empty() {
                    unfilled.push(Unfilled {
                        award: s.award_name.clone(),
                        why: if s.quorum_met {
                            format!(
                                "không có đơn vị đạt từ {} phiếu đồng ý trở lên",
                                s.votes_needed
                            )
                        } else {
                            format!(
                                "không đủ số đơn vị tham gia bỏ phiếu ({}/{}, cần {})",
                                s.voters, s.members, s.quorum_needed
                            )
                        },
                    });
                }
            }
        }
        _ => {
            for r in &t.ranking {
                if let Some(p) = &r.proposal {
                    proposals.push(ProposalRow {
                        unit_code: r.scored.unit.clone(),
                        unit: r.scored.name.clone(),
                        award: p.name.clone(),
                        reason: p.reason.clone(),
                        total: format_number(r.scored.total.as_f64()),
                        class: r.scored.class.clone().unwrap_or_default(),
                        rank: r.rank,
                        votes: String::new(),
                    });
                }
            }
        }
    }
    Decided {
        basis,
        proposals,
        tied,
        unfilled,
    }
}

/// One line of a mail: an award, its unit type and who is proposed.
#[derive(Debug, Clone, Serialize)]
pub struct AwardLine {
    pub award: String,
    pub type_name: String,
    pub units: Vec<String>,
    pub tied: Vec<String>,
    pub unfilled: String,
}

/// The year's proposals as mail lines, award by award.
pub fn lines(result: &Standings) -> (Basis, Vec<AwardLine>) {
    let mut out: Vec<AwardLine> = Vec::new();
    for t in &result.types {
        let d = for_type(result, t);
        let mut awards: Vec<String> = d.proposals.iter().map(|p| p.award.clone()).collect();
        awards.extend(d.tied.iter().map(|x| x.award.clone()));
        awards.extend(d.unfilled.iter().map(|x| x.award.clone()));
        let mut seen = std::collections::BTreeSet::new();
        awards.retain(|a| seen.insert(a.clone()));
        for a in awards {
            out.push(AwardLine {
                type_name: t.name.clone(),
                units: d
                    .proposals
                    .iter()
                    .filter(|p| p.award == a)
                    .map(|p| p.unit.clone())
                    .collect(),
                tied: d
                    .tied
                    .iter()
                    .filter(|x| x.award == a)
                    .flat_map(|x| x.units.clone())
                    .collect(),
                unfilled: d
                    .unfilled
                    .iter()
                    .find(|x| x.award == a)
                    .map(|x| x.why.clone())
                    .unwrap_or_default(),
                award: a,
            });
        }
    }
    (Basis::of(result), out)
}
