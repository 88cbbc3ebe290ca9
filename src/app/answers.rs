//! What units receive when they send a file: a receipt (accepted) or a
//! rejection listing every finding, rendered from the templates, with the
//! recipients and an idempotency key (made the submission's own once it is
//! recorded: `QueuedMail::for_submission`). Also the `.findings.txt` written beside
//! a rejected file. Values quoted from workbooks arrive already escaped by
//! `vn::quote`; file names are made single-line here.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use chrono::{DateTime, Utc};

use crate::domain::time::{format_time, local};
use serde::Serialize;

use crate::app::mail_texts::{Rendered, TextError, Texts};
use crate::app::papers::names;
use crate::domain::cluster::Cluster;
use crate::domain::criteria::{Kind, Table};
use crate::domain::findings::Finding;
use crate::domain::validate::{SubmissionKind, Verdict};
use crate::domain::vn::{format_date, format_number, norm, one_line};
use crate::io::ledger::{QueuedMail, Shown};

#[derive(Debug, Serialize)]
struct UnitRef {
    code: String,
    name: String,
}

#[derive(Debug, Serialize)]
#[allow(clippy::struct_field_names)]
struct Place {
    place: String,
    message: String,
    code: String,
}

#[derive(Debug, Serialize)]
struct Group {
    indent: String,
    number: String,
    name: String,
    total: String,
    max: String,
    /// A deduction group: its points are taken off ("−1 điểm").
    deduction: bool,
}

#[derive(Debug, Serialize)]
#[allow(clippy::struct_excessive_bools)]
struct Context {
    cluster: String,
    cluster_short: String,
    unit: UnitRef,
    inspected: Option<UnitRef>,
    year: String,
    kind: String,
    file: String,
    received: String,
    hash8: String,
    self_total: String,
    max: String,
    groups: Vec<Group>,
    changed: usize,
    /// A ballot's marks.
    votes: usize,
    errors: Vec<Place>,
    warnings: Vec<Place>,
    deadline: String,
    /// Received after the year's deadline (Viet Nam's date).
    past_deadline: bool,
    /// The sender already had an accepted file of this kind for the year.
    replaces: bool,
    secretariat: String,
    /// "Khu vực" or "Cụm": the year's word for the cluster.
    word: String,
    folder: String,
    sheet: bool,
    /// Every error is about the whole file (it could not be read, is too
    /// large…), none about a cell: the fix is to send another file.
    whole_file: bool,
}

/// One file's answer: to whom, and the text.
#[derive(Debug, Clone)]
pub struct Answer {
    pub mail: QueuedMail,
    /// The findings report written beside a rejected file.
    pub findings_txt: Option<String>,
}

/// Everything needed to answer one file.
#[derive(Debug, Clone, Copy)]
pub struct Received<'a> {
    pub original_name: &'a str,
    pub folder_unit: Option<&'a str>,
    pub received_at: DateTime<Utc>,
    pub hash: &'a str,
    /// The score sheet the receipt carries, if one was made.
    pub sheet: Option<&'a std::path::Path>,
    /// The sender already had an accepted file of this kind for the year,
    /// which this one replaces if it is accepted.
    pub replaces: bool,
}

fn place(f: &Finding) -> Place {
    let place = match (&f.sheet, &f.cell) {
        (Some(s), Some(c)) => format!("{s}!{c}"),
        (Some(s), None) => s.clone(),
        _ => "cả tệp".to_string(),
    };
    Place {
        place,
        message: f.message.clone(),
        code: f.code.as_str().to_string(),
    }
}

/// Group subtotals of leaf scores, for the top two levels of the table.
/// (Groups with an unscored leaf, as in a cross-check, are left out.)
pub fn group_totals(table: &Table, scores: &BTreeMap<String, f64>) -> BTreeMap<String, f64> {
    table
        .criteria
        .iter()
        .enumerate()
        .filter(|(_, c)| !c.is_leaf() && c.depth <= 1)
        .filter_map(|(i, c)| Some((c.code.clone(), table.subtotal(i, scores)?)))
        .collect()
}

#[derive(Debug, Serialize)]
struct Change {
    number: String,
    code: String,
    name: String,
    self_score: String,
    verified: String,
    reason: String,
}

/// The notice to the inspected unit of an accepted cross-check: the
/// criteria whose score changed, with self score, verified score and
/// reason. `self_scores` are the inspected unit's accepted self scores.
pub fn crosscheck_notice(
    texts: &Texts,
    cluster: &Cluster,
    table: &Table,
    verdict: &Verdict,
    r: &Received<'_>,
    self_scores: Option<&crate::domain::validate::SelfScores>,
    secretariat: &str,
) -> Result<Option<QueuedMail>, TextError> {
    let (Some(inspected), Some(inspector), Some(year)) = (
        verdict.inspected.as_deref().and_then(|c| cluster.unit(c)),
        verdict.unit.as_deref().and_then(|c| cluster.unit(c)),
        verdict.year,
    ) else {
        return Ok(None);
    };
    let mut changes = Vec::new();
    let mut unchanged = 0;
    for (code, verified) in &verdict.scores {
        // The self score of the inspected unit's accepted file, or where
        // none is accepted yet, the one printed on the cross-check.
        let own = match self_scores {
            Some(m) => m.get(code).copied(),
            None => verdict.printed_self.get(code).copied(),
        };
        if own.is_some_and(|s| crate::domain::criteria::same(s, *verified)) {
            unchanged += 1;
            continue;
        }
        let (number, name) = table
            .find(code)
            .map_or((String::new(), String::new()), |i| {
                (
                    table.criteria[i].number.clone(),
                    table.criteria[i].name.clone(),
                )
            });
        changes.push(Change {
            number,
            code: code.clone(),
            name,
            self_score: own.map_or_else(|| "chưa có".to_string(), format_number),
            verified: format_number(*verified),
            reason: one_line(verdict.reasons.get(code).map_or("", String::as_str)),
        });
    }
    let ctx = minijinja::context! {
        cluster => &cluster.name_in(year),
        cluster_short => &cluster.short_name,
        unit => minijinja::context! { code => &inspected.code, name => inspected.name_in(year) },
        inspector => minijinja::context! { code => &inspector.code, name => inspector.name_in(year) },
        year => year,
        received => format_time(r.received_at),
        file => one_line(r.original_name),
        changes => changes,
        unchanged => unchanged,
        deadline => cluster.year(year).map_or_else(String::new, |y| format_date(y.deadline)),
        secretariat => secretariat,
        word => cluster.word(year),
    };
    let Rendered { subject, body } = texts.render("mail/crosscheck.txt.j2", &ctx)?;
    Ok(Some(QueuedMail {
        key: format!("crosscheck-notice:{}:{}:{year}", r.hash, inspected.code),
        to: inspected.emails.clone(),
        cc: vec![secretariat.to_string()],
        subject,
        body,
        attachments: Vec::new(),
        in_reply_to: None,
        shown: Shown::to(inspected.name_in(year)),
    }))
}

/// Builds the answer to a file. `secretariat` is copied on every mail.
pub fn answer(
    texts: &Texts,
    cluster: &Cluster,
    table: Option<&Table>,
    verdict: &Verdict,
    r: &Received<'_>,
    secretariat: &str,
) -> Result<Answer, TextError> {
    let year = verdict.year.unwrap_or_else(|| cluster.current_year());
    // The unit answered is the sender: the folder's, or for a file in the
    // inbox root the unit it declares.
    let unit_code = r.folder_unit.or_else(|| {
        verdict
            .unit
            .as_deref()
            .filter(|c| cluster.unit(c).is_some())
    });
    let unit = unit_code.and_then(|c| cluster.unit(c));
    let unit_ref = unit.map_or_else(
        || UnitRef {
            code: "?".into(),
            name: "Đơn vị gửi tệp".into(),
        },
        |u| UnitRef {
            code: u.code.clone(),
            name: u.name_in(year).to_string(),
        },
    );
    let accepted = verdict.accepted();
    let groups = match (table, accepted) {
        (Some(t), true) => {
            let totals = group_totals(t, &verdict.scores);
            t.criteria
                .iter()
                .filter(|c| !c.is_leaf() && c.depth <= 1)
                .map(|c| Group {
                    indent: "  ".repeat(c.depth),
                    number: c.number.clone(),
                    name: match (c.kind, c.parent) {
                        (Kind::Bonus, None) if !norm(&c.name).contains("thưởng") => {
                            format!("{} (điểm thưởng)", c.name)
                        }
                        (Kind::Deduction, None) if !norm(&c.name).contains("trừ") => {
                            format!("{} (điểm trừ)", c.name)
                        }
                        _ => c.name.clone(),
                    },
                    total: format_number(totals.get(&c.code).copied().unwrap_or(0.0)),
                    max: format_number(c.max),
                    deduction: c.kind == Kind::Deduction,
                })
                .collect()
        }
        _ => Vec::new(),
    };
    let plan = cluster.year(year);
    let deadline = plan.map_or_else(String::new, |y| format_date(y.deadline));
    let past_deadline = plan.is_some_and(|y| local(r.received_at).date_naive() > y.deadline);
    let ctx = Context {
        cluster: cluster.name_in(year),
        cluster_short: cluster.short_name.clone(),
        inspected: verdict
            .inspected
            .as_deref()
            .and_then(|c| cluster.unit(c))
            .map(|u| UnitRef {
                code: u.code.clone(),
                name: u.name_in(year).to_string(),
            }),
        unit: unit_ref,
        year: year.to_string(),
        kind: match verdict.kind {
            Some(SubmissionKind::CrossCheck) => "cross-check",
            Some(SubmissionKind::Ballot) => "ballot",
            _ => "self-scoring",
        }
        .to_string(),
        votes: verdict.marks.len(),
        file: one_line(r.original_name),
        received: format_time(r.received_at),
        hash8: r.hash.chars().take(8).collect(),
        sheet: r.sheet.is_some(),
        self_total: verdict.self_total.map(format_number).unwrap_or_default(),
        max: table.map(|t| format_number(t.max)).unwrap_or_default(),
        groups,
        changed: verdict.scores.len(),
        errors: verdict
            .findings
            .iter()
            .filter(|f| f.is_error())
            .map(place)
            .collect(),
        warnings: verdict
            .findings
            .iter()
            .filter(|f| !f.is_error())
            .map(place)
            .collect(),
        deadline,
        past_deadline,
        replaces: r.replaces,
        secretariat: secretariat.to_string(),
        word: cluster.word(year).to_string(),
        folder: unit_code.unwrap_or("của đơn vị").to_string(),
        whole_file: verdict
            .findings
            .iter()
            .filter(|f| f.is_error())
            .all(|f| f.sheet.is_none() && f.cell.is_none()),
    };
    let template = if accepted {
        "mail/receipt.txt.j2"
    } else {
        "mail/rejection.txt.j2"
    };
    let Rendered { subject, body } = texts.render(template, &ctx)?;
    let to = match unit {
        Some(u) => u.emails.clone(),
        None => vec![secretariat.to_string()],
    };
    let cc = if to.iter().any(|a| a == secretariat) {
        Vec::new()
    } else {
        vec![secretariat.to_string()]
    };
    let status = if accepted { "receipt" } else { "rejection" };
    // The findings report filed beside a refused workbook is the
    // secretariat's: the mail's text, then each finding's code, to look up
    // with `thidua validate --json` (the unit's mail carries none).
    let findings_txt = (!accepted).then(|| {
        let mut txt = body.clone();
        txt.push_str("\n---\nMã lỗi (dành cho Thường trực Khu vực, không gửi đơn vị):\n");
        for f in &verdict.findings {
            let p = place(f);
            let _ = writeln!(txt, "  - [{}] ({})", p.place, p.code);
        }
        txt
    });
    // The unit is shown by its name; its score sheet travels under the name
    // people give it ("Phieu-cham-diem-2026-STP-HTI.pdf"), not the one it
    // is filed under beside the workbook.
    let mut shown = unit.map_or_else(Shown::default, |u| Shown::to(u.name_in(year)));
    if let Some(sheet) = r.sheet {
        shown.files.insert(
            sheet.to_path_buf(),
            names::document(crate::io::pdf::Kind::Sheet, year, unit_code),
        );
    }
    Ok(Answer {
        findings_txt,
        mail: QueuedMail {
            key: format!("{status}:{}:{}:{year}", r.hash, unit_code.unwrap_or("-")),
            to,
            cc,
            subject,
            body,
            attachments: r
                .sheet
                .map(std::path::Path::to_path_buf)
                .into_iter()
                .collect(),
            in_reply_to: None,
            shown,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::findings::Code;

    fn settings() -> crate::config::Settings {
        crate::config::Settings::load_with_env(None, &[]).unwrap()
    }

    fn received(sheet: Option<&std::path::Path>) -> Received<'_> {
        Received {
            original_name: "bang.xlsx",
            folder_unit: Some("STP-HTI"),
            received_at: chrono::Utc::now(),
            hash: "0123456789abcdef",
            sheet,
            replaces: false,
        }
    }

    /// Every finding, as an error and as a warning, each with its own
    /// Vietnamese message.
    fn every_finding(errors: bool) -> Vec<Finding> {
        Code::ALL
            .into_iter()
            .enumerate()
            .flat_map(|(i, c)| {
                let w = Finding::warning(c, format!("lưu ý số {i}"));
                if errors {
                    vec![Finding::error(c, format!("lỗi số {i}")), w]
                } else {
                    vec![w]
                }
            })
            .collect()
    }

    #[test]
    fn what_a_unit_reads_names_no_finding_code() {
        let s = settings();
        let texts = Texts::load(None).unwrap();
        for errors in [true, false] {
            let verdict = Verdict {
                kind: Some(SubmissionKind::SelfScoring),
                unit: Some("STP-HTI".into()),
                year: Some(2026),
                findings: every_finding(errors),
                self_total: (!errors).then_some(150.0),
                ..Verdict::default()
            };
            let a = answer(
                &texts,
                &s.cluster,
                s.tables.get("stp", 2026),
                &verdict,
                &received(None),
                &s.mail.from,
            )
            .unwrap();
            let text = format!("{}\n{}", a.mail.subject, a.mail.body);
            // The report filed for the secretariat keeps the codes.
            let filed = a.findings_txt.unwrap_or_default();
            assert_eq!(filed.starts_with(&a.mail.body), errors, "{filed}");
            assert_eq!(filed.contains("(score-above-max)"), errors, "{filed}");
            assert!(text.contains("lưu ý số 0"), "{text}");
            assert_eq!(text.contains("lỗi số 0"), errors, "{text}");
            for c in Code::ALL {
                assert!(
                    !text.contains(c.as_str()),
                    "`{}` in what the unit reads:\n{text}",
                    c.as_str()
                );
            }
        }
    }

    #[test]
    fn the_receipt_names_the_unit_and_its_score_sheet_for_people() {
        let s = settings();
        let texts = Texts::load(None).unwrap();
        let stored = std::path::Path::new(
            "archive/STP-HTI/20261129T125536Z_60d204a5_bang.xlsx.phieu-cham-diem.pdf",
        );
        let verdict = Verdict {
            kind: Some(SubmissionKind::SelfScoring),
            unit: Some("STP-HTI".into()),
            year: Some(2026),
            self_total: Some(150.0),
            ..Verdict::default()
        };
        let a = answer(
            &texts,
            &s.cluster,
            s.tables.get("stp", 2026),
            &verdict,
            &received(Some(stored)),
            &s.mail.from,
        )
        .unwrap();
        assert_eq!(a.mail.attachments, [stored.to_path_buf()]);
        assert_eq!(
            a.mail.shown.file_name(stored),
            "Phieu-cham-diem-2026-STP-HTI.pdf"
        );
        assert_eq!(a.mail.shown.to.as_deref(), Some("Sở Tư pháp tỉnh Hà Tĩnh"));
    }

    #[test]
    fn the_years_cluster_word_is_the_one_a_unit_reads() {
        let mut s = settings();
        for y in s.cluster.years.iter_mut().filter(|y| y.year == 2026) {
            y.naming.word = "Cụm".into();
        }
        let texts = Texts::load(None).unwrap();
        for (errors, self_total) in [(false, Some(150.0)), (true, None)] {
            let verdict = Verdict {
                kind: Some(SubmissionKind::SelfScoring),
                unit: Some("STP-HTI".into()),
                year: Some(2026),
                self_total,
                findings: if errors {
                    every_finding(true)
                } else {
                    Vec::new()
                },
                ..Verdict::default()
            };
            let a = answer(
                &texts,
                &s.cluster,
                s.tables.get("stp", 2026),
                &verdict,
                &received(None),
                &s.mail.from,
            )
            .unwrap();
            let body = &a.mail.body;
            assert!(
                body.contains("Trân trọng.\n\nThường trực Cụm thi đua các cơ quan Tư pháp")
                    && body.contains("\n\nThư này do hệ thống thidua gửi tự động. Mọi thắc mắc xin liên hệ Thường trực Cụm: "),
                "{body}"
            );
            assert!(!body.contains("Khu vực"), "{body}");
        }
    }
}
