//! What the document templates see: plain values built from the scoring
//! results and the cluster, with every number and date already written the
//! Vietnamese way (`1.103`, `9,5`, "ngày 09 tháng 12 năm 2022"), so a
//! template only places text. Pure: no files, no clock (the date comes in).

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;

use crate::app::papers::decided::{self, Basis, ProposalRow, TieRow, Unfilled};
use crate::app::standings::Standings;
use crate::domain::cluster::Cluster;
use crate::domain::criteria::{Kind, Table, TableSet};
use crate::domain::scoring::{Check, Points, Scored};
use crate::domain::vn::{format_date, format_number};

/// The parts every document shares: who issues it, where and when.
#[derive(Debug, Clone, Serialize)]
pub struct Common {
    pub cluster: String,
    pub short: String,
    /// The scoring year the document is about.
    pub year: i32,
    /// "Hà Tĩnh, ngày 09 tháng 12 năm 2026": the place is the province of
    /// the year's head unit.
    pub place_date: String,
    /// The head unit's director, who signs for the cluster.
    pub signer: String,
    /// "Khu vực" or "Cụm" (`[[years]]` `cluster_word`).
    pub word: String,
    /// The ministry's receiving body, e.g. "Vụ Tổ chức cán bộ".
    pub ministry_body: String,
    /// Full citations, printed after "Căn cứ" in italics.
    pub legal_bases: Vec<String>,
}

impl Common {
    pub fn new(cluster: &Cluster, year: i32, date: NaiveDate) -> Common {
        let head = cluster
            .year(year)
            .and_then(|y| cluster.unit(&y.head))
            .or_else(|| cluster.members(year).next());
        let place = head.map_or("", |u| u.province.as_str());
        let date = format_date(date);
        let naming = cluster.naming(year);
        Common {
            cluster: cluster.name_in(year),
            short: cluster.short_name.clone(),
            year,
            place_date: if place.is_empty() {
                capitalise(&date)
            } else {
                format!("{place}, {date}")
            },
            signer: head.map(|u| u.head_name.clone()).unwrap_or_default(),
            word: naming.word,
            ministry_body: naming.ministry_body,
            legal_bases: naming.legal_bases,
        }
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

fn pts(p: Points) -> String {
    format_number(p.as_f64())
}

/// Cleans text that came from a workbook: control characters and the two
/// non-characters XML forbids (U+FFFE, U+FFFF) cannot stand in the markup.
fn xml_safe(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_control() || matches!(c, '\u{fffe}' | '\u{ffff}') {
                ' '
            } else {
                c
            }
        })
        .collect::<String>()
        .trim()
        .to_string()
}

#[derive(Debug, Clone, Serialize)]
pub struct Column {
    pub number: String,
    pub name: String,
    pub max: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct RankRow {
    pub rank: u32,
    pub unit: String,
    pub name: String,
    pub groups: Vec<String>,
    pub total: String,
    pub class: String,
    pub proposal: String,
    pub note: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ChartBar {
    pub label: String,
    pub value: f64,
    pub text: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct AdjustmentRow {
    pub unit: String,
    pub code: String,
    pub number: String,
    pub criterion: String,
    pub self_score: String,
    pub verified: String,
    pub reason: String,
    pub inspector: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct TypeSection {
    pub name: String,
    pub max: String,
    pub max_value: f64,
    pub columns: Vec<Column>,
    pub rows: Vec<RankRow>,
    pub bars: Vec<ChartBar>,
    /// Members that sent no self-scoring workbook.
    pub missing: Vec<String>,
    /// Members whose workbook was refused, none accepted yet.
    pub rejected: Vec<String>,
    pub adjustments: Vec<AdjustmentRow>,
    /// The vote's elected once it closed, else the ranking's suggestion.
    pub proposals: Vec<ProposalRow>,
    pub tied: Vec<TieRow>,
    pub unfilled: Vec<Unfilled>,
    pub submitted: usize,
    pub members: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct FigureRow {
    pub unit_type: String,
    pub name: String,
    pub unit: String,
    pub total: String,
    pub reported_by: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct Ranking {
    #[serde(flatten)]
    pub common: Common,
    pub provisional: bool,
    pub types: Vec<TypeSection>,
    pub figures: Vec<FigureRow>,
    /// The vote's result, once ballots were counted.
    pub vote: Vec<VoteSection>,
    /// How the proposals were decided: `vote`, `vote-open` or `ranking`.
    pub basis: Basis,
    /// What goes with the Tờ trình to the ministry, as its list says.
    pub attachments: Vec<String>,
    /// Scored on a criteria table marked `sample = true`.
    pub sample: bool,
}

fn type_name(cluster: &Cluster, code: &str) -> String {
    cluster
        .unit_type(code)
        .map_or_else(|| code.to_string(), |t| t.name.clone())
}

/// The ranking report's values.
pub fn ranking(
    cluster: &Cluster,
    tables: &TableSet,
    result: &Standings,
    provisional: bool,
    date: NaiveDate,
) -> Ranking {
    let year = result.year;
    let unit_name = |code: &str| {
        cluster
            .unit(code)
            .map_or_else(|| code.to_string(), |u| u.name_in(year).to_string())
    };
    let mut types = Vec::new();
    for t in &result.types {
        let table = tables.get(&t.unit_type, year);
        let roots: Vec<&crate::domain::criteria::Criterion> = table
            .map(|tb| tb.roots().map(|i| &tb.criteria[i]).collect())
            .unwrap_or_default();
        let columns = roots
            .iter()
            .map(|c| Column {
                number: c.number.clone(),
                name: c.name.clone(),
                max: format_number(c.max),
            })
            .collect();
        let mut rows = Vec::new();
        let mut bars = Vec::new();
        let mut adjustments = Vec::new();
        let decided = decided::for_type(result, t);
        for r in &t.ranking {
            let s = &r.scored;
            let groups = roots
                .iter()
                .map(|c| {
                    let g = s.groups.iter().find(|g| g.code == c.code);
                    let v = g.map_or(Points::ZERO, |g| g.total);
                    if c.kind == Kind::Deduction && v != Points::ZERO {
                        format!("−{}", pts(v))
                    } else {
                        pts(v)
                    }
                })
                .collect();
            let mut note = Vec::new();
            if s.capped {
                note.push("xếp loại bị giới hạn do chưa đạt tiêu chí bắt buộc".to_string());
            }
            rows.push(RankRow {
                rank: r.rank,
                unit: s.unit.clone(),
                name: s.name.clone(),
                groups,
                total: pts(s.total),
                class: s.class.clone().unwrap_or_default(),
                proposal: decided.cell(&s.unit),
                note: note.join("; "),
            });
            bars.push(ChartBar {
                label: s.name.clone(),
                // A total below zero (deductions) draws no bar.
                value: s.total.as_f64().max(0.0),
                text: pts(s.total),
            });
            for a in &s.adjustments {
                adjustments.push(AdjustmentRow {
                    unit: s.name.clone(),
                    code: a.criterion.clone(),
                    number: a.number.clone(),
                    criterion: a.name.clone(),
                    self_score: pts(a.self_score),
                    verified: pts(a.verified),
                    reason: xml_safe(&a.reason),
                    inspector: unit_name(&a.inspector),
                });
            }
        }
        let absent = result.absent(t);
        types.push(TypeSection {
            name: t.name.clone(),
            max: pts(t.max),
            max_value: t.max.as_f64(),
            columns,
            submitted: rows.len(),
            members: rows.len() + t.missing.len(),
            rows,
            bars,
            missing: absent.0,
            rejected: absent.1,
            adjustments,
            proposals: decided.proposals,
            tied: decided.tied,
            unfilled: decided.unfilled,
        });
    }
    let figures = result
        .figures
        .iter()
        .map(|f| FigureRow {
            unit_type: type_name(cluster, &f.unit_type),
            name: f.name.clone(),
            unit: f.unit.clone(),
            total: format_number(f.total as f64),
            reported_by: f.by_unit.len(),
        })
        .collect();
    Ranking {
        common: Common::new(cluster, year, date),
        provisional,
        types,
        figures,
        vote: result
            .vote
            .as_ref()
            .map(|v| vote_sections(cluster, year, v))
            .unwrap_or_default(),
        basis: Basis::of(result),
        attachments: attachments(result),
        sample: result
            .types
            .iter()
            .any(|t| tables.get(&t.unit_type, year).is_some_and(|tb| tb.sample)),
    }
}

/// What the year-end package sends the ministry with the Tờ trình: the
/// final ranking report, the vote's minutes once ballots were counted, and
/// the score sheet of every unit that has one (named).
fn attachments(result: &Standings) -> Vec<String> {
    let year = result.year;
    let mut out = vec![format!(
        "Báo cáo kết quả chấm điểm, xếp hạng thi đua năm {year}"
    )];
    if result.vote.is_some() {
        out.push(format!(
            "Biên bản kiểm phiếu bầu chọn khen thưởng năm {year}"
        ));
    }
    let names: Vec<&str> = result
        .types
        .iter()
        .flat_map(|t| t.ranking.iter().map(|r| r.scored.name.as_str()))
        .collect();
    if !names.is_empty() {
        out.push(format!(
            "Phiếu chấm điểm thi đua năm {year} của {} đơn vị: {}",
            names.len(),
            names.join("; ")
        ));
    }
    out
}

#[derive(Debug, Clone, Serialize)]
pub struct SheetRow {
    pub number: String,
    pub name: String,
    pub depth: usize,
    pub group: bool,
    pub max: String,
    pub self_score: String,
    pub verified: String,
    pub final_score: String,
    pub evidence: String,
    pub reason: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Sheet {
    #[serde(flatten)]
    pub common: Common,
    pub unit: String,
    pub unit_code: String,
    pub unit_type: String,
    pub table: String,
    pub received: String,
    pub rows: Vec<SheetRow>,
    pub self_total: String,
    pub total: String,
    pub max: String,
    pub class: String,
    pub capped: bool,
    pub adjusted: usize,
    /// "1/5", when the sheet is part of a ranking.
    pub rank: Option<String>,
    /// Scored on a criteria table marked `sample = true`.
    pub sample: bool,
}

/// What a score sheet shows of one unit.
pub struct SheetInput<'a> {
    pub table: &'a Table,
    pub scored: &'a Scored,
    pub self_scores: &'a BTreeMap<String, Points>,
    pub checks: &'a BTreeMap<String, Check>,
    pub evidence: &'a BTreeMap<String, String>,
    /// When the counted submission was received, already formatted.
    pub received: String,
    pub rank: Option<String>,
}

fn sum(table: &Table, i: usize, scores: &BTreeMap<String, Points>) -> Points {
    let c = &table.criteria[i];
    if c.is_leaf() {
        return scores.get(&c.code).copied().unwrap_or(Points::ZERO);
    }
    c.children.iter().map(|&k| sum(table, k, scores)).sum()
}

/// The score sheet's values.
pub fn sheet(cluster: &Cluster, input: &SheetInput, date: NaiveDate) -> Sheet {
    let table = input.table;
    let s = input.scored;
    let rows = table
        .criteria
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let leaf = c.is_leaf();
            let check = input.checks.get(&c.code).filter(|_| leaf);
            let changed = check.filter(|k| {
                input
                    .self_scores
                    .get(&c.code)
                    .copied()
                    .unwrap_or(Points::ZERO)
                    != k.score
            });
            SheetRow {
                number: c.number.clone(),
                name: c.name.clone(),
                depth: c.depth,
                group: !leaf,
                max: format_number(c.max),
                self_score: pts(sum(table, i, input.self_scores)),
                verified: check.map(|k| pts(k.score)).unwrap_or_default(),
                final_score: pts(sum(table, i, &s.finals)),
                evidence: if leaf {
                    input
                        .evidence
                        .get(&c.code)
                        .map(|e| xml_safe(e))
                        .unwrap_or_default()
                } else {
                    String::new()
                },
                reason: changed.map(|k| xml_safe(&k.reason)).unwrap_or_default(),
            }
        })
        .collect();
    let self_total = crate::domain::scoring::total(table, input.self_scores);
    Sheet {
        common: Common::new(cluster, table.year, date),
        unit: s.name.clone(),
        unit_code: s.unit.clone(),
        unit_type: type_name(cluster, &table.unit_type),
        table: table.title.clone(),
        received: input.received.clone(),
        rows,
        self_total: pts(self_total),
        total: pts(s.total),
        max: format_number(table.max),
        class: s.class.clone().unwrap_or_default(),
        capped: s.capped,
        adjusted: s.adjustments.len(),
        rank: input.rank.clone(),
        sample: table.sample,
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Member {
    pub code: String,
    pub name: String,
    pub name_upper: String,
    pub unit_type: String,
    pub head_name: String,
    pub head_title: String,
    pub role: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Agreement {
    #[serde(flatten)]
    pub common: Common,
    /// The year the agreement is for.
    pub next_year: i32,
    pub motto: String,
    /// The next year's deadline for self-scoring workbooks.
    pub deadline: String,
    pub head: Option<Member>,
    pub deputies: Vec<Member>,
    pub members: Vec<Member>,
    pub types: Vec<String>,
}

/// A unit's name in capitals for a signature label, its phrases bound by
/// no-break spaces so that a line breaks between them, not inside: "THI
/// HÀNH ÁN DÂN SỰ / TỈNH NGHỆ AN", never "THI HÀNH ÁN DÂN / SỰ TỈNH …".
/// The place at the end ("TỈNH" or "THÀNH PHỐ" and the province) is one
/// phrase; the others are [`vn::keep_phrases`]'.
fn phrases_kept(name: &str, province: &str) -> String {
    let bind = |s: &str| s.split(' ').collect::<Vec<_>>().join("\u{a0}");
    let mut out = name.to_string();
    for place in ["TỈNH", "THÀNH PHỐ"] {
        let tail = format!("{place} {province}");
        if !province.is_empty()
            && let Some(head) = out.strip_suffix(&tail)
        {
            out = format!("{head}{}", bind(&tail));
            break;
        }
    }
    crate::domain::vn::keep_phrases(&out)
}

/// The agreement for the year after `year`, signed at `year`'s conference;
/// `None` when the configuration has no `[[years]]` entry for it.
pub fn agreement(cluster: &Cluster, year: i32, date: NaiveDate) -> Option<Agreement> {
    let next = year + 1;
    let plan = cluster.year(next)?;
    let member = |code: &str| -> Option<Member> {
        let u = cluster.member(code, next)?;
        let role = if plan.head == code {
            "Trưởng Khu vực"
        } else if plan.deputies.iter().any(|d| d == code) {
            "Phó Trưởng Khu vực"
        } else {
            "Thành viên"
        };
        Some(Member {
            code: u.code.clone(),
            name: u.name_in(next).to_string(),
            name_upper: phrases_kept(&u.name_in(next).to_uppercase(), &u.province.to_uppercase()),
            unit_type: type_name(cluster, &u.unit_type),
            head_name: u.head_name.clone(),
            head_title: u.head_title.clone(),
            role: role.to_string(),
        })
    };
    Some(Agreement {
        common: Common::new(cluster, year, date),
        next_year: next,
        motto: plan.motto.clone().unwrap_or_default(),
        deadline: format_date(plan.deadline),
        head: member(&plan.head),
        deputies: plan.deputies.iter().filter_map(|d| member(d)).collect(),
        members: cluster
            .members(next)
            .filter_map(|u| member(&u.code))
            .collect(),
        types: cluster.unit_types.iter().map(|t| t.name.clone()).collect(),
    })
}

#[derive(Debug, Clone, Serialize)]
pub struct VoteRow {
    pub name: String,
    pub votes: usize,
    pub outcome: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct VoteSection {
    pub award_name: String,
    pub type_name: String,
    pub seats: u32,
    pub voters: usize,
    pub members: usize,
    pub quorum_needed: usize,
    pub quorum_met: bool,
    pub votes_needed: usize,
    pub rows: Vec<VoteRow>,
    pub elected: Vec<String>,
    pub tied: Vec<String>,
}

/// The vote's sections for a template: names, counts, outcomes.
pub fn vote_sections(
    cluster: &Cluster,
    year: i32,
    vote: &crate::domain::vote::VoteResult,
) -> Vec<VoteSection> {
    let name = |code: &str| {
        cluster
            .unit(code)
            .map_or_else(|| code.to_string(), |u| u.name_in(year).to_string())
    };
    vote.sections
        .iter()
        .map(|s| VoteSection {
            award_name: s.award_name.clone(),
            type_name: s.type_name.clone(),
            seats: s.seats,
            voters: s.voters,
            members: s.members,
            quorum_needed: s.quorum_needed,
            quorum_met: s.quorum_met,
            votes_needed: s.votes_needed,
            rows: s
                .counts
                .iter()
                .map(|c| VoteRow {
                    name: c.name.clone(),
                    votes: c.votes,
                    outcome: if c.elected {
                        "Đề nghị"
                    } else if c.tied {
                        "Bằng phiếu, chờ Hội nghị quyết định"
                    } else {
                        ""
                    }
                    .to_string(),
                })
                .collect(),
            elected: s.elected.iter().map(|u| name(u)).collect(),
            tied: s.tied.iter().map(|u| name(u)).collect(),
        })
        .collect()
}

#[derive(Debug, Clone, Serialize)]
pub struct InvalidBallot {
    pub unit: String,
    pub reason: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Minutes {
    #[serde(flatten)]
    pub common: Common,
    /// "11:00 ngày 05 tháng 12 năm 2026".
    pub closed: String,
    /// The conference the count was made at, if configured: "08:00 ngày
    /// 09 tháng 12 năm 2026", the place, the chair (name and title).
    pub opened: String,
    pub place: String,
    pub chair: String,
    pub chair_title: String,
    /// The counting committee, head first.
    pub counting: Vec<String>,
    pub voted: Vec<String>,
    pub absent: Vec<String>,
    /// Ballots issued (one per member), received, valid, invalid.
    pub issued: usize,
    pub received: usize,
    pub valid: usize,
    pub invalid: Vec<InvalidBallot>,
    pub sections: Vec<VoteSection>,
    pub secretary: String,
    /// "quá 50 %" of the ballots cast.
    pub threshold: String,
    /// "2/3" as a share of the members.
    pub quorum: String,
    /// The candidates came from a ranking scored on a criteria table marked
    /// `sample = true`.
    pub sample: bool,
}

/// What the minutes need besides the tally.
pub struct MinutesInput<'a> {
    pub vote: &'a crate::domain::vote::VoteResult,
    pub closed: String,
    pub conference: Option<&'a crate::domain::conference::Conference>,
    pub secretary: &'a str,
    pub threshold: f64,
    pub quorum: f64,
    /// Units whose every ballot was invalid, with the reason of the last.
    pub invalid: Vec<(String, String)>,
    /// The ranking the candidates came from was scored on a sample table.
    pub sample: bool,
}

/// The minutes of the vote ("Biên bản kiểm phiếu").
pub fn minutes(cluster: &Cluster, year: i32, input: &MinutesInput, date: NaiveDate) -> Minutes {
    let name = |code: &str| {
        cluster
            .unit(code)
            .map_or_else(|| code.to_string(), |u| u.name_in(year).to_string())
    };
    let vote = input.vote;
    let c = input.conference;
    let percent = |x: f64| format_number((x * 1000.0).round() / 10.0);
    let invalid: Vec<InvalidBallot> = input
        .invalid
        .iter()
        .map(|(u, r)| InvalidBallot {
            unit: name(u),
            reason: xml_safe(r),
        })
        .collect();
    let issued = cluster.members(year).count();
    Minutes {
        common: Common::new(cluster, year, date),
        closed: input.closed.clone(),
        opened: c
            .map(|c| crate::domain::time::format_time(c.opens()))
            .unwrap_or_default(),
        place: c.map(|c| c.place.clone()).unwrap_or_default(),
        chair: c.map(|c| c.chair.clone()).unwrap_or_default(),
        chair_title: c.map(|c| c.chair_title.clone()).unwrap_or_default(),
        counting: c.map(|c| c.counting.clone()).unwrap_or_default(),
        voted: vote.voted.iter().map(|u| name(u)).collect(),
        absent: vote
            .absent
            .iter()
            .filter(|u| !input.invalid.iter().any(|(i, _)| i == *u))
            .map(|u| name(u))
            .collect(),
        issued,
        received: vote.voted.len() + invalid.len(),
        valid: vote.voted.len(),
        invalid,
        sections: vote_sections(cluster, year, vote),
        secretary: c
            .and_then(|c| c.secretary.clone())
            .unwrap_or_else(|| input.secretary.to_string()),
        threshold: format!("quá {} %", percent(input.threshold)),
        quorum: format!("{} %", percent(input.quorum)),
        sample: input.sample,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> crate::config::Settings {
        crate::config::Settings::load_with_env(None, &[]).unwrap()
    }

    #[test]
    fn the_place_is_the_heads_province_and_the_date_has_leading_zeros() {
        let s = settings();
        let c = Common::new(
            &s.cluster,
            2026,
            NaiveDate::from_ymd_opt(2026, 2, 9).unwrap(),
        );
        assert_eq!(c.place_date, "Hà Tĩnh, ngày 09 tháng 02 năm 2026");
        assert_eq!(c.signer, s.cluster.unit("STP-HTI").unwrap().head_name);
    }

    #[test]
    fn the_agreement_needs_the_next_years_plan() {
        let s = settings();
        let d = NaiveDate::from_ymd_opt(2026, 12, 9).unwrap();
        let a = agreement(&s.cluster, 2026, d).unwrap();
        assert_eq!(a.next_year, 2027);
        assert_eq!(a.members.len(), 10);
        assert_eq!(a.head.as_ref().unwrap().code, "STP-QTR");
        assert_eq!(
            a.members[0].name_upper,
            "SỞ TƯ\u{a0}PHÁP TỈNH\u{a0}THANH\u{a0}HÓA"
        );
        assert_eq!(a.deadline, "ngày 15 tháng 11 năm 2027");
        assert!(agreement(&s.cluster, 2027, d).is_none());
    }

    #[test]
    fn a_signature_label_breaks_between_phrases() {
        assert_eq!(
            phrases_kept("THI HÀNH ÁN DÂN SỰ THÀNH PHỐ HUẾ", "HUẾ"),
            "THI HÀNH ÁN DÂN\u{a0}SỰ THÀNH\u{a0}PHỐ\u{a0}HUẾ"
        );
        assert_eq!(
            phrases_kept("CỤC THI HÀNH ÁN DÂN SỰ TỈNH QUẢNG TRỊ", "QUẢNG TRỊ"),
            "CỤC THI HÀNH ÁN DÂN\u{a0}SỰ TỈNH\u{a0}QUẢNG\u{a0}TRỊ"
        );
    }

    #[test]
    fn workbook_text_loses_what_xml_cannot_hold() {
        assert_eq!(xml_safe(" a\u{7}b\n"), "a b");
        assert_eq!(xml_safe("x\u{ffff}y\u{fffe}"), "x y");
    }
}
