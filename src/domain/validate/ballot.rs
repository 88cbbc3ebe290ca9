//! Checking a ballot ("Phiếu bầu chọn khen thưởng"): the voting unit and
//! year as on every form, then each marked row against the ballot's
//! sections: the candidate must be on the list for that award, a unit may
//! not vote for itself (unless allowed), an award takes no more marks than
//! its seats, a mark must read as yes or no, and nothing counts after the
//! vote has closed.

use std::collections::BTreeMap;

use super::{Context, SubmissionKind, Verdict, declared_unit, declared_year, folder_check};
use crate::domain::findings::{Code, Finding};
use crate::domain::submission::BallotSheet;
use crate::domain::vn::quote;
use crate::domain::vote::{Mark, Section, VoteRules, read_mark};

/// What a ballot is checked against.
#[derive(Debug, Clone, Default)]
pub struct BallotContext {
    pub sections: Vec<Section>,
    pub rules: VoteRules,
    /// The vote has closed: ballots are refused.
    pub closed: Option<String>,
}

/// Validates a ballot sheet.
pub fn ballot(b: &BallotSheet, ctx: &Context<'_>) -> Verdict {
    let mut v = Verdict {
        kind: Some(SubmissionKind::Ballot),
        ..Verdict::default()
    };
    let sheet = b.sheet.as_str();
    let year = declared_year(sheet, b.year.as_ref(), ctx.cluster, &mut v.findings);
    v.year = year;
    let unit = declared_unit(
        sheet,
        "Mã đơn vị",
        b.unit.as_ref(),
        year,
        ctx.cluster,
        &mut v.findings,
    );
    v.unit = unit.map(|u| u.code.clone());
    let (Some(unit), Some(_)) = (unit, year) else {
        return v;
    };
    folder_check(
        sheet,
        unit,
        b.unit.as_ref(),
        ctx.folder_unit,
        &mut v.findings,
    );
    if let Some(bc) = ctx.ballot
        && let Some(when) = &bc.closed
    {
        v.findings.push(
            Finding::error(
                Code::BallotClosed,
                format!("Việc bầu chọn đã kết thúc lúc {when}; phiếu bầu gửi sau thời điểm này không được tính."),
            )
            .on_sheet(sheet),
        );
        return v;
    }
    // Marks per section (award and unit type), in sheet order, to name the
    // mark over the seats.
    let mut per_section: BTreeMap<usize, Vec<(u32, u32)>> = BTreeMap::new();
    for r in &b.rows {
        let award = r.award.text();
        let candidate = r.candidate.text().to_uppercase();
        let mark = r.mark.as_ref().map_or(Mark::No, |m| read_mark(&m.text()));
        let mark_pos = r
            .mark
            .as_ref()
            .map_or((r.row, r.candidate.pos.1), |m| m.pos);
        if mark == Mark::Unclear {
            v.findings.push(
                Finding::error(
                    Code::BallotMarkInvalid,
                    format!(
                        "Ô “Đồng ý” ghi {}: hãy đánh dấu x (hoặc X, ✓, 1, “có”) nếu đồng ý, để trống nếu không.",
                        quote(&r.mark.as_ref().map(crate::domain::submission::Located::text).unwrap_or_default())
                    ),
                )
                .at(sheet, mark_pos),
            );
            continue;
        }
        if mark == Mark::No {
            continue;
        }
        if let Some(bc) = ctx.ballot {
            let Some(index) = bc
                .sections
                .iter()
                .position(|s| s.award == award && s.candidates.iter().any(|c| c.unit == candidate))
            else {
                v.findings.push(
                    Finding::error(
                        Code::BallotCandidateUnknown,
                        format!(
                            "Đơn vị {} không có trong danh sách được bầu chọn cho hình thức {}; hãy dùng phiếu bầu mới nhất do Thường trực Khu vực gửi.",
                            quote(&candidate),
                            quote(&award)
                        ),
                    )
                    .at(sheet, r.candidate.pos),
                );
                continue;
            };
            if !bc.rules.self_vote && candidate.eq_ignore_ascii_case(&unit.code) {
                v.findings.push(
                    Finding::error(
                        Code::BallotSelfVote,
                        format!(
                            "Đơn vị không được tự bầu cho mình ({}); hãy bỏ dấu ở dòng này.",
                            unit.code
                        ),
                    )
                    .at(sheet, mark_pos),
                );
                continue;
            }
            per_section.entry(index).or_default().push(mark_pos);
        }
        v.marks.insert((award, candidate));
    }
    if let Some(bc) = ctx.ballot {
        for (index, marks) in &per_section {
            let s = &bc.sections[*index];
            let seats = s.seats as usize;
            if marks.len() > seats {
                v.findings.push(
                    Finding::error(
                        Code::BallotTooManyMarks,
                        format!(
                            "Hình thức “{}” của khối {} chỉ có {seats} suất nhưng phiếu đánh dấu {} đơn vị; hãy bỏ bớt dấu.",
                            s.award_name,
                            s.type_name,
                            marks.len()
                        ),
                    )
                    .at(sheet, marks[seats]),
                );
            }
        }
    }
    if !v.accepted() {
        v.marks.clear();
    }
    v
}
