//! What a job run produces: the documents it writes (and where) and the
//! mails it queues, each with an idempotency key made of the job, the
//! scheduled time and the recipient. The plan comes first, so `--dry-run`
//! can show it and a run that is repeated after a crash writes the same
//! files and queues nothing twice.

use std::path::PathBuf;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::app::mail_texts::{TextError, Texts};
use crate::app::papers::names;
use crate::config::Settings;
use crate::domain::cluster::Unit;
use crate::domain::schedule::JobKind;
use crate::domain::time::local;
use crate::domain::vn::format_date;
use crate::io::ledger::{Ledger, LedgerError, QueuedMail, Shown};

/// A document a run writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Make {
    /// The unit's blank self-scoring form (`.xlsx`).
    Form {
        unit: String,
    },
    Ranking {
        provisional: bool,
    },
    Proposals,
    Agreement,
    Sheet {
        unit: String,
    },
    /// The unit's commendation ballot (`.xlsx`).
    Ballot {
        unit: String,
    },
    Minutes,
    /// The Word file (`.docx`) of a paper, written beside its PDF for the
    /// secretariat to edit.
    Word(Box<Make>),
    /// The final ranking as a workbook (`.xlsx`), for the secretariat.
    RankingWorkbook,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Doc {
    pub path: PathBuf,
    pub make: Make,
}

/// Everything one run of a job does.
#[derive(Debug, Clone)]
pub struct Plan {
    pub year: i32,
    pub scheduled_at: DateTime<Utc>,
    /// The year as the plan read and scored it, for its papers too (the
    /// year-end and close-vote runs; close-vote counts the ballots by its
    /// time): read from the ledger and scored once a run.
    pub scored: Option<ScoredYear>,
    pub docs: Vec<Doc>,
    pub mails: Vec<QueuedMail>,
}

/// A year's units as read from the ledger, and their standings.
#[derive(Debug, Clone)]
pub struct ScoredYear {
    pub units: Vec<crate::domain::scoring::UnitInput>,
    pub standings: crate::app::standings::Standings,
}

#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    #[error(transparent)]
    Ledger(#[from] LedgerError),
    #[error(transparent)]
    Text(#[from] TextError),
    #[error("{0}")]
    Config(String),
}

#[derive(Serialize)]
struct UnitRef<'a> {
    code: &'a str,
    name: &'a str,
}

#[derive(Serialize)]
struct Recipient<'a> {
    name: &'a str,
    kind: &'a str,
}

fn base_name(p: &std::path::Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// The Word file beside the PDF `pdf` made by `make`.
fn word(pdf: &std::path::Path, make: &Make) -> Doc {
    Doc {
        path: pdf.with_extension(crate::app::papers::Format::Docx.extension()),
        make: Make::Word(Box::new(make.clone())),
    }
}

/// Builds the plan of `kind` for the time `at` it was scheduled, under the
/// job run `run` (`None` for a plan only shown, `--dry-run`). The run is in
/// each mail's key: a run repeated after a crash (the same run) queues
/// nothing twice, while a new run for the same time (the real one after a
/// run made by mistake, under a clock that was wrong) sends its own mails.
pub fn plan(
    settings: &Settings,
    texts: &Texts,
    ledger: &Ledger,
    kind: JobKind,
    at: DateTime<Utc>,
    run: Option<i64>,
) -> Result<Plan, PlanError> {
    let year = year_of(settings, kind, at)?;
    plan_year(settings, texts, ledger, kind, at, run, year)
}

/// The year a run of `kind` at `at` works on. The kick-off opens the year
/// it runs in. The others work on the latest open year up to the
/// scheduled time's, so a year-end caught up in January is still last
/// year's.
pub fn year_of(settings: &Settings, kind: JobKind, at: DateTime<Utc>) -> Result<i32, PlanError> {
    let cluster = &settings.cluster;
    let scheduled_year = chrono::Datelike::year(&local(at).date_naive());
    Ok(if kind == JobKind::Kickoff {
        if !cluster.is_open(scheduled_year) {
            return Err(PlanError::Config(format!(
                "kickoff: {scheduled_year} is not in cluster.open_years of {}; add it (with its [[years]] entry and criteria tables) to send its forms",
                settings.source
            )));
        }
        scheduled_year
    } else {
        cluster
            .open_years
            .iter()
            .copied()
            .filter(|o| *o <= scheduled_year)
            .max()
            .unwrap_or_else(|| cluster.current_year())
    })
}

/// Plans one run of `kind` scheduled at `at` (see [`plan`]) for `year`,
/// as [`year_of`] gives it.
#[allow(clippy::too_many_arguments)]
pub fn plan_year(
    settings: &Settings,
    texts: &Texts,
    ledger: &Ledger,
    kind: JobKind,
    at: DateTime<Utc>,
    run: Option<i64>,
    year: i32,
) -> Result<Plan, PlanError> {
    let cluster = &settings.cluster;
    let yp = cluster.year(year).ok_or_else(|| {
        PlanError::Config(format!(
            "the open year {year} has no [[years]] entry in {}",
            settings.source
        ))
    })?;
    let dir = settings.paths.reports.join(year.to_string());
    let day = local(at).date_naive();
    let run = run.map(|id| format!("run{id}:")).unwrap_or_default();
    let key = |who: &str| format!("job:{}:{}:{run}{who}", kind.name(), at.to_rfc3339());
    let secretariat = settings.mail.from.clone();
    let secretariat_name = cluster.secretariat(year);
    let members: Vec<&Unit> = cluster.members(year).collect();
    let common = |extra: minijinja::Value| {
        minijinja::context! {
            cluster => &cluster.name_in(year),
            cluster_short => &cluster.short_name,
            year => year,
            next_year => year + 1,
            deadline => format_date(yp.deadline),
            secretariat => &secretariat,
            word => cluster.word(year),
            date => format_date(day),
            ..extra
        }
    };
    let mail = |who: &str,
                (to, name): (Vec<String>, &str),
                template: &str,
                ctx: minijinja::Value,
                attachments: Vec<PathBuf>|
     -> Result<QueuedMail, PlanError> {
        let r = texts.render(template, &ctx)?;
        Ok(QueuedMail {
            key: key(who),
            to,
            cc: Vec::new(),
            subject: r.subject,
            body: r.body,
            attachments,
            in_reply_to: None,
            shown: Shown::to(name),
        })
    };
    let mut docs = Vec::new();
    let mut scored = None;
    let mut mails = Vec::new();
    match kind {
        JobKind::Kickoff => {
            for u in &members {
                let path = dir
                    .join(names::FORMS_FOLDER)
                    .join(names::form(&u.code, year));
                let ctx = common(minijinja::context! {
                    unit => UnitRef { code: &u.code, name: u.name_in(year) },
                    folder => format!("inbox/{}", u.code),
                    form => base_name(&path),
                    mailbox => settings.imap.as_ref().and_then(|i| i.address.clone()),
                    reply => settings.imap.as_ref().and_then(|i| i.address.as_deref()).is_some_and(|a| a.eq_ignore_ascii_case(&secretariat)),
                });
                mails.push(mail(
                    &u.code,
                    (u.emails.clone(), u.name_in(year)),
                    "mail/kickoff.txt.j2",
                    ctx,
                    vec![path.clone()],
                )?);
                docs.push(Doc {
                    path,
                    make: Make::Form {
                        unit: u.code.clone(),
                    },
                });
            }
        }
        JobKind::Reminder => {
            let overdue = day > yp.deadline;
            for u in &members {
                if ledger.latest_accepted(&u.code, year)?.is_some() {
                    continue;
                }
                let ctx = common(minijinja::context! {
                    unit => UnitRef { code: &u.code, name: u.name_in(year) },
                    folder => format!("inbox/{}", u.code),
                    overdue => overdue,
                });
                mails.push(mail(
                    &u.code,
                    (u.emails.clone(), u.name_in(year)),
                    "mail/reminder.txt.j2",
                    ctx,
                    Vec::new(),
                )?);
            }
        }
        JobKind::Provisional => {
            let path = dir.join(names::provisional_ranking(day));
            let submitted = members
                .iter()
                .map(|u| ledger.latest_accepted(&u.code, year).map(|s| s.is_some()))
                .collect::<Result<Vec<bool>, _>>()?
                .into_iter()
                .filter(|x| *x)
                .count();
            let mut to_all: Vec<(String, &str, Vec<String>)> = members
                .iter()
                .map(|u| (u.code.clone(), u.name_in(year), u.emails.clone()))
                .collect();
            to_all.push((
                "secretariat".into(),
                &secretariat_name,
                vec![secretariat.clone()],
            ));
            for (who, name, to) in to_all {
                let ctx = common(minijinja::context! {
                    recipient => Recipient { name, kind: "unit" },
                    submitted => submitted,
                    members => members.len(),
                    report => base_name(&path),
                });
                mails.push(mail(
                    &who,
                    (to, name),
                    "mail/provisional.txt.j2",
                    ctx,
                    vec![path.clone()],
                )?);
            }
            docs.push(Doc {
                path,
                make: Make::Ranking { provisional: true },
            });
        }
        JobKind::YearEnd => {
            if cluster.year(year + 1).is_none() {
                return Err(PlanError::Config(format!(
                    "year-end: the agreement for {} needs a [[years]] entry for {} in {}",
                    year + 1,
                    year + 1,
                    settings.source
                )));
            }
            let ranking = dir.join(names::document(crate::io::pdf::Kind::Ranking, year, None));
            let proposals = dir.join(names::document(crate::io::pdf::Kind::Proposals, year, None));
            let agreement = dir.join(names::document(crate::io::pdf::Kind::Agreement, year, None));
            let workbook = ranking.with_extension("xlsx");
            for (path, make) in [
                (&ranking, Make::Ranking { provisional: false }),
                (&proposals, Make::Proposals),
                (&agreement, Make::Agreement),
            ] {
                docs.push(Doc {
                    path: path.clone(),
                    make,
                });
            }
            let units = crate::app::standings::gather(settings, ledger, year)?;
            let standing = crate::app::standings::with_vote(settings, ledger, year, &units)?;
            let (basis, awards) = crate::app::papers::decided::lines(&standing);
            scored = Some(ScoredYear {
                units: units.clone(),
                standings: standing,
            });
            let mut sheets = Vec::new();
            for u in &members {
                let mut attachments = vec![ranking.clone(), agreement.clone()];
                let sent = units
                    .iter()
                    .any(|i| i.code == u.code && i.submission.is_some());
                if sent {
                    let sheet = dir.join(names::SHEETS_FOLDER).join(names::document(
                        crate::io::pdf::Kind::Sheet,
                        year,
                        Some(&u.code),
                    ));
                    docs.push(Doc {
                        path: sheet.clone(),
                        make: Make::Sheet {
                            unit: u.code.clone(),
                        },
                    });
                    sheets.push(sheet.clone());
                    attachments.insert(1, sheet);
                }
                let attached: Vec<String> = attachments.iter().map(|p| base_name(p)).collect();
                let ctx = common(minijinja::context! {
                    recipient => Recipient { name: u.name_in(year), kind: "unit" },
                    attachments => attached,
                    basis => basis,
                    awards => &awards,
                });
                mails.push(mail(
                    &u.code,
                    (u.emails.clone(), u.name_in(year)),
                    "mail/year-end.txt.j2",
                    ctx,
                    attachments,
                )?);
            }
            let mut package = vec![ranking.clone(), proposals.clone(), agreement.clone()];
            if ledger.has_ballots(year)? {
                let minutes = dir.join(names::document(crate::io::pdf::Kind::Minutes, year, None));
                docs.push(Doc {
                    path: minutes.clone(),
                    make: Make::Minutes,
                });
                package.push(minutes.clone());
                for m in &mut mails {
                    m.attachments.push(minutes.clone());
                }
            }
            // The Tờ trình lists every unit's score sheet as attached: they go.
            package.extend(sheets);
            let naming = cluster.naming(year);
            let ministry = if naming.ministry_body.is_empty() {
                "Bộ Tư pháp".to_string()
            } else {
                format!("{}, Bộ Tư pháp", naming.ministry_body)
            };
            // Every paper also as a Word file beside its PDF, and the ranking
            // as a workbook: the secretariat edits and pastes from these;
            // the units and the ministry get the PDFs only.
            let words: Vec<Doc> = docs.iter().map(|d| word(&d.path, &d.make)).collect();
            let mut editable: Vec<PathBuf> = words
                .iter()
                .filter(|d| !matches!(&d.make, Make::Word(m) if matches!(**m, Make::Sheet { .. })))
                .map(|d| d.path.clone())
                .collect();
            editable.push(workbook.clone());
            docs.extend(words);
            docs.push(Doc {
                path: workbook,
                make: Make::RankingWorkbook,
            });
            for (who, name, kind_, to, files) in [
                (
                    "ministry",
                    ministry.as_str(),
                    "ministry",
                    naming.ministry_email.clone(),
                    package.clone(),
                ),
                (
                    "secretariat",
                    secretariat_name.as_str(),
                    "secretariat",
                    secretariat.clone(),
                    package.iter().chain(&editable).cloned().collect(),
                ),
            ] {
                let attached: Vec<String> = files.iter().map(|p| base_name(p)).collect();
                let ctx = common(minijinja::context! {
                    recipient => Recipient { name, kind: kind_ },
                    attachments => attached,
                    basis => basis,
                    awards => &awards,
                });
                mails.push(mail(
                    who,
                    (vec![to], name),
                    "mail/year-end.txt.j2",
                    ctx,
                    files,
                )?);
            }
        }
        JobKind::Ballot => {
            let closes = crate::app::standings::vote_closes(settings, ledger, year)?
                .map(crate::domain::time::format_time);
            for u in &members {
                let path = dir
                    .join(names::BALLOTS_FOLDER)
                    .join(names::ballot(&u.code, year));
                let ctx = common(minijinja::context! {
                    unit => UnitRef { code: &u.code, name: u.name_in(year) },
                    folder => format!("inbox/{}", u.code),
                    form => base_name(&path),
                    closes => closes.clone(),
                });
                mails.push(mail(
                    &u.code,
                    (u.emails.clone(), u.name_in(year)),
                    "mail/ballot.txt.j2",
                    ctx,
                    vec![path.clone()],
                )?);
                docs.push(Doc {
                    path,
                    make: Make::Ballot {
                        unit: u.code.clone(),
                    },
                });
            }
        }
        JobKind::CloseVote => {
            let path = dir.join(names::document(crate::io::pdf::Kind::Minutes, year, None));
            // The vote closes with this run, at the time it was scheduled
            // for: its tally then is the result, whatever came after.
            let units = crate::app::standings::gather(settings, ledger, year)?;
            let standing = crate::app::standings::closing_at(settings, ledger, year, &units, at)?;
            let ballots = standing.vote.as_ref().map_or(0, |v| v.voted.len());
            let (_, awards) = crate::app::papers::decided::lines(&standing);
            scored = Some(ScoredYear {
                units,
                standings: standing,
            });
            let ctx = common(minijinja::context! {
                awards => &awards,
                recipient => Recipient { name: &secretariat_name, kind: "secretariat" },
                ballots => ballots,
                members => members.len(),
                minutes => base_name(&path),
            });
            let attachments = if ballots > 0 {
                vec![path.clone()]
            } else {
                Vec::new()
            };
            mails.push(mail(
                "secretariat",
                (vec![secretariat.clone()], &secretariat_name),
                "mail/vote-closed.txt.j2",
                ctx,
                attachments,
            )?);
            if ballots > 0 {
                docs.push(Doc {
                    path,
                    make: Make::Minutes,
                });
            }
        }
    }
    Ok(Plan {
        year,
        scheduled_at: at,
        scored,
        docs,
        mails,
    })
}
