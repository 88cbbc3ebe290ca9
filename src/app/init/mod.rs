//! `thidua init`: the data folder, with one inbox folder per member unit of
//! a year, each holding a short Vietnamese guide (`HUONG-DAN.txt`: what to
//! drop there, by when, what comes back), the unit's blank form and a blank
//! cross-check for each unit it inspects that year. Both
//! are recorded in the ledger as thidua's own files, so the daemon leaves
//! them alone until a unit fills the form in place and saves it.
//!
//! Running it again refreshes the files nobody changed (a new criteria
//! table gives a new form) and keeps every file a unit has touched.

pub mod own;

use std::path::{Path, PathBuf};

use chrono::Utc;
use serde::Serialize;

use crate::app::papers::names;
use crate::config::Settings;
use crate::config::editable::{Shipped, shipped};
use crate::io::ledger::Ledger;
use crate::io::templates::TemplateFile;
use crate::io::workbook::crosscheck_form::{CrosscheckSpec, blank_rows, crosscheck_bytes};
use crate::io::workbook::form::{FormSpec, form_bytes};

/// The guide's file name in each inbox folder.
pub const GUIDE: &str = "HUONG-DAN.txt";

/// The guide's template.
static GUIDE_TEMPLATE: Shipped = shipped!("templates", "init/huong-dan.txt.j2");

#[derive(Debug, thiserror::Error)]
pub enum InitError {
    #[error("{path}: {reason}")]
    Io { path: String, reason: String },
    #[error("{0}")]
    Template(String),
    #[error("--year: {0}")]
    Year(String),
    #[error(transparent)]
    Ledger(#[from] crate::io::ledger::LedgerError),
}

fn io(path: &Path, e: impl std::fmt::Display) -> InitError {
    InitError::Io {
        path: path.display().to_string(),
        reason: e.to_string(),
    }
}

/// What `init` did with each file.
#[derive(Debug, Default)]
pub struct InitReport {
    pub year: i32,
    pub folders: Vec<PathBuf>,
    /// Written now (new, or thidua's own and unchanged).
    pub written: Vec<PathBuf>,
    /// Left as they were: a unit (or someone) changed or put them there.
    pub kept: Vec<PathBuf>,
}

#[derive(Serialize)]
struct GuideContext<'a> {
    cluster: &'a str,
    unit_name: &'a str,
    code: &'a str,
    year: i32,
    deadline: String,
    form: &'a str,
    emails: String,
    secretariat: &'a str,
    inspects: Vec<Inspected>,
    /// The submission mailbox's address, when mail intake is on.
    mailbox: Option<&'a str>,
}

#[derive(Serialize)]
struct Inspected {
    unit: String,
    /// The blank cross-check form's file name.
    form: String,
}

/// Writes `bytes` to `path` unless someone else's file is there; records
/// it as thidua's own before it appears under its name.
fn place(
    ledger: &mut Ledger,
    inbox: &Path,
    path: &Path,
    bytes: &[u8],
    report: &mut InitReport,
) -> Result<(), InitError> {
    let key =
        crate::app::init::own::key(inbox, path).ok_or_else(|| io(path, "outside the inbox"))?;
    if path.exists() && !crate::app::init::own::untouched(ledger, inbox, path)? {
        report.kept.push(path.to_path_buf());
        return Ok(());
    }
    // A dot name is ignored by the daemon while it is being written.
    let name = path
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    let tmp = path.with_file_name(format!(".{name}.tmp"));
    std::fs::write(&tmp, bytes).map_err(|e| io(&tmp, e))?;
    let hash = crate::io::digest::hash_file(&tmp).map_err(|e| io(&tmp, e))?;
    let before = ledger.own_file(&key)?;
    ledger.record_own_file(&key, &hash, Utc::now())?;
    if let Err(e) = std::fs::rename(&tmp, path) {
        // The old file is still there: it must still count as thidua's.
        if let Some(h) = before {
            ledger.record_own_file(&key, &h, Utc::now())?;
        }
        let _ = std::fs::remove_file(&tmp);
        return Err(io(path, e));
    }
    report.written.push(path.to_path_buf());
    Ok(())
}

/// Prepares the data folder for `year` (default: the latest open year).
/// `step` is called once per unit done.
pub fn init(
    settings: &Settings,
    year: Option<i32>,
    step: &mut dyn FnMut(&str),
) -> Result<InitReport, InitError> {
    let cluster = &settings.cluster;
    let year = year.unwrap_or_else(|| cluster.current_year());
    let plan = cluster.year(year).ok_or_else(|| {
        InitError::Year(format!(
            "{year} has no [[years]] entry in {}",
            settings.source
        ))
    })?;
    crate::io::private::prepare_folders(settings).map_err(|(dir, e)| io(&dir, e))?;
    let guide = TemplateFile::load(settings.paths.templates.as_deref(), &GUIDE_TEMPLATE)
        .map_err(InitError::Template)?;
    let mut ledger = Ledger::open(&settings.paths.ledger)?;
    let inbox = &settings.paths.inbox;
    let mut report = InitReport {
        year,
        ..InitReport::default()
    };
    for u in cluster.members(year) {
        let dir = inbox.join(&u.code);
        crate::io::private::create_dir_all(&dir).map_err(|e| io(&dir, e))?;
        report.folders.push(dir.clone());
        let table = settings.tables.get(&u.unit_type, year).ok_or_else(|| {
            InitError::Year(format!("no criteria table for `{}` in {year}", u.unit_type))
        })?;
        let form = names::form(&u.code, year);
        let inspects = plan
            .crosschecks
            .iter()
            .filter(|c| c.inspector == u.code)
            .filter_map(|c| cluster.unit(&c.inspected))
            .map(|t| Inspected {
                unit: format!("{} ({})", t.name_in(year), t.code),
                form: names::crosscheck(&t.code, year),
            })
            .collect();
        let text = guide
            .render(GuideContext {
                cluster: &cluster.name_in(year),
                unit_name: u.name_in(year),
                code: &u.code,
                year,
                deadline: crate::domain::vn::format_date(plan.deadline),
                form: &form,
                emails: u.emails.join(", "),
                secretariat: &settings.mail.from,
                inspects,
                mailbox: settings.imap.as_ref().and_then(|i| i.address.as_deref()),
            })
            .map_err(InitError::Template)?;
        // Notepad and Word on the units' machines expect CRLF.
        let text = text.replace("\r\n", "\n").replace('\n', "\r\n");
        place(
            &mut ledger,
            inbox,
            &dir.join(GUIDE),
            text.as_bytes(),
            &mut report,
        )?;
        let spec = FormSpec {
            cluster_name: &cluster.name_in(year),
            table,
            unit: u,
            year,
        };
        let bytes = form_bytes(&spec, None).map_err(|e| io(&dir.join(&form), e))?;
        place(&mut ledger, inbox, &dir.join(&form), &bytes, &mut report)?;
        // A blank cross-check for each unit this one inspects this year.
        for pair in plan.crosschecks.iter().filter(|c| c.inspector == u.code) {
            let Some(table) = cluster
                .unit(&pair.inspected)
                .and_then(|t| settings.tables.get(&t.unit_type, year))
            else {
                continue;
            };
            let name = names::crosscheck(&pair.inspected, year);
            let rows = blank_rows(table);
            let bytes = crosscheck_bytes(&CrosscheckSpec {
                cluster_name: &cluster.name_in(year),
                table,
                inspector: &u.code,
                inspected: &pair.inspected,
                year,
                rows: &rows,
            })
            .map_err(|e| io(&dir.join(&name), e))?;
            place(&mut ledger, inbox, &dir.join(&name), &bytes, &mut report)?;
        }
        step(&u.code);
    }
    Ok(report)
}
