//! `thidua criteria import` and `export`: the ministry's annex read from a
//! `.docx`, `.xlsx`, `.xls` or `.ods` file into a criteria table file,
//! completed from the latest earlier table of the unit type (or the
//! flags), checked, written where the configuration keeps its tables and
//! loaded back through the real loader; and a table written out as the
//! ministry prints it, as `.xlsx` or `.docx`.

use std::path::{Path, PathBuf};

use crate::config::Settings;
use crate::domain::cells::Limits;
use crate::domain::criteria::annex::{
    Annex, Block, Given, Grid, Imported, Naming, Problem, Severity, Why, import as read_annex,
    parse_classes,
};
use crate::domain::criteria::{Table, parse_table};
use crate::io::workbook::Book;

/// A mistake in the command's input (exit 2), or an annex that cannot be
/// opened at all (exit 1).
#[derive(Debug, thiserror::Error)]
pub enum CriteriaError {
    #[error("{0}")]
    Usage(String),
    #[error("{file}: {reason}")]
    Unreadable { file: String, reason: String },
}

fn usage(s: impl Into<String>) -> CriteriaError {
    CriteriaError::Usage(s.into())
}

/// What `thidua criteria import` was asked.
#[derive(Debug, Clone)]
pub struct ImportRequest<'a> {
    pub file: &'a Path,
    pub unit_type: &'a str,
    pub year: i32,
    pub output: Option<&'a Path>,
    pub table: Option<usize>,
    /// A `.toml` file, or `TYPE-YEAR` of the configured tables.
    pub defaults_from: Option<&'a str>,
    pub step: Option<f64>,
    pub title: Option<&'a str>,
    pub decision: Option<&'a str>,
    pub classes: Option<&'a str>,
}

/// What an import did.
#[derive(Debug)]
pub struct ImportReport {
    pub imported: Imported,
    /// Where the table was written, if it was.
    pub written: Option<PathBuf>,
    /// The table as the loader read it back, when it did.
    pub loaded: Option<Table>,
    /// Problems found after reading: the loader's verdict, two tables of
    /// one year in the criteria folder.
    pub after: Vec<Problem>,
    /// A `thidua form` command line to look at the result.
    pub look: Option<String>,
}

impl ImportReport {
    /// Whether anything could not be read or failed a check (exit 1).
    pub fn failed(&self) -> bool {
        self.imported.errors().next().is_some()
            || self.after.iter().any(|p| p.severity == Severity::Error)
    }
}

/// Reads an annex file into blocks: a document's paragraphs and tables, or
/// a workbook's sheets.
pub fn read_file(path: &Path, limits: &Limits) -> Result<Annex, CriteriaError> {
    let unreadable = |reason: String| CriteriaError::Unreadable {
        file: path.display().to_string(),
        reason,
    };
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    // Read once, within the size limit; what the file is comes from its
    // bytes as much as from its name.
    let bytes = {
        use std::io::Read;
        let max = limits.max_file_bytes;
        let mut bytes = Vec::new();
        std::fs::File::open(path)
            .and_then(|f| f.take(max + 1).read_to_end(&mut bytes))
            .map_err(|e| unreadable(format!("cannot read the file: {e}")))?;
        if bytes.len() as u64 > max {
            return Err(unreadable(format!(
                "the file is over the limit of {max} bytes (limits.max_file_mib)"
            )));
        }
        bytes
    };
    let is_word = matches!(ext.as_str(), "docx" | "docm" | "doc" | "dotx")
        || (bytes.starts_with(b"PK")
            && zip::ZipArchive::new(std::io::Cursor::new(&bytes))
                .is_ok_and(|mut z| z.by_name("word/document.xml").is_ok()));
    if is_word {
        return crate::io::docx_tables::from_bytes(&bytes, limits).map_err(|e| unreadable(e.0));
    }
    let mut book = Book::from_bytes(bytes, limits).map_err(|e| {
        unreadable(format!(
            "not a Word document or a spreadsheet thidua reads (.docx, .xlsx, .xls, .ods): {e}"
        ))
    })?;
    let mut annex = Annex::default();
    for name in book.sheet_names().to_vec() {
        let sheet = book.sheet(&name).map_err(|e| unreadable(e.to_string()))?;
        if !annex.blocks.is_empty() {
            annex.blocks.push(Block::Break);
        }
        annex.blocks.push(Block::Table(Grid {
            sheet,
            naming: Naming::Workbook,
        }));
    }
    Ok(annex)
}

/// The table an annex's missing values are taken from.
fn model<'a>(
    settings: &'a Settings,
    req: &ImportRequest<'_>,
    named: &'a mut Option<Table>,
) -> Result<Option<(&'a Table, Why)>, CriteriaError> {
    if let Some(spec) = req.defaults_from {
        let path = Path::new(spec);
        if path.is_file() {
            let text = std::fs::read_to_string(path)
                .map_err(|e| usage(format!("--defaults-from: {spec}: {e}")))?;
            let t = parse_table(spec, &text).map_err(|e| usage(format!("--defaults-from: {e}")))?;
            *named = Some(t);
            return Ok(named.as_ref().map(|t| (t, Why::Named)));
        }
        let found = spec.rsplit_once('-').and_then(|(ty, y)| {
            y.parse::<i32>()
                .ok()
                .and_then(|y| settings.tables.get(ty, y))
        });
        return match found {
            Some(t) => Ok(Some((t, Why::Named))),
            None => Err(usage(format!(
                "--defaults-from: `{spec}` is neither a file nor a table TYPE-YEAR of the configuration (it has {})",
                settings
                    .tables
                    .iter()
                    .map(|t| format!("{}-{}", t.unit_type, t.year))
                    .collect::<Vec<_>>()
                    .join(", ")
            ))),
        };
    }
    Ok(settings
        .tables
        .iter()
        .filter(|t| t.unit_type == req.unit_type && t.year < req.year)
        .max_by_key(|t| t.year)
        .map(|t| (t, Why::Earlier)))
}

/// Where the table goes when `-o` is not given.
fn default_output(settings: &Settings, req: &ImportRequest<'_>) -> Result<PathBuf, CriteriaError> {
    let dir = settings.paths.criteria.as_ref().ok_or_else(|| {
        usage(format!(
            "the configuration ({}) uses the criteria tables compiled into thidua, so there is no criteria folder to write to; give -o FILE.toml",
            settings.source
        ))
    })?;
    let path = dir.join(format!("{}-{}.toml", req.unit_type, req.year));
    if path.exists() {
        return Err(usage(format!(
            "{} exists; give -o {} to replace it, or -o another file",
            path.display(),
            path.display()
        )));
    }
    Ok(path)
}

/// `thidua criteria import`.
pub fn import(
    settings: &Settings,
    req: &ImportRequest<'_>,
    today: chrono::NaiveDate,
) -> Result<ImportReport, CriteriaError> {
    if !settings
        .cluster
        .unit_types
        .iter()
        .any(|t| t.code == req.unit_type)
    {
        return Err(usage(format!(
            "--unit-type: `{}` is not a unit type of {} (it has {})",
            req.unit_type,
            settings.source,
            settings
                .cluster
                .unit_types
                .iter()
                .map(|t| t.code.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    if !req.file.exists() {
        return Err(usage(format!("{}: no such file", req.file.display())));
    }
    if let Some(s) = req.step
        && !(s > 0.0 && crate::domain::criteria::on_step(1.0, s))
    {
        return Err(usage(format!(
            "--step: {s} is not a step that divides 1 (use 0.25 or 0.5)"
        )));
    }
    let classes = req
        .classes
        .map(parse_classes)
        .transpose()
        .map_err(|e| usage(format!("--classes: {e}")))?;
    let output = match req.output {
        Some(o) => o.to_path_buf(),
        None => default_output(settings, req)?,
    };
    let mut named = None;
    let model = model(settings, req, &mut named)?;
    let annex = read_file(req.file, &settings.limits)?;
    let given = Given {
        unit_type: req.unit_type,
        year: req.year,
        table: req.table,
        step: req.step,
        title: req.title,
        decision: req.decision,
        classes,
        model,
    };
    let imported = read_annex(&annex, &given);
    let file_name = req.file.file_name().map_or_else(
        || req.file.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let text = crate::io::criteria_toml::render(&imported, &file_name, &today.to_string());
    let mut after = Vec::new();
    let shown = output.display().to_string();
    let loaded = match parse_table(&shown, &text) {
        Ok(t) => Some(t),
        Err(e) => {
            if imported.errors().next().is_none() {
                after.push(Problem::new(
                    Severity::Error,
                    None,
                    None,
                    format!("the table read does not load: {e}"),
                ));
            }
            None
        }
    };
    let failed = imported.errors().next().is_some() || loaded.is_none();
    let written = if !failed || req.output.is_some() {
        crate::io::atomic_file::write(&output, text.as_bytes())
            .map_err(|e| usage(format!("{shown}: cannot write the table: {e}")))?;
        Some(output.clone())
    } else {
        None
    };
    let in_folder = settings
        .paths
        .criteria
        .as_ref()
        .is_some_and(|dir| output.parent().is_some_and(|p| same_dir(p, dir)));
    if written.is_some() && loaded.is_none() && in_folder {
        after.push(Problem::new(
            Severity::Warning,
            None,
            None,
            format!(
                "{shown} is in the criteria folder but does not load yet: thidua will not start until it is finished or removed"
            ),
        ));
    }
    if written.is_some()
        && let (Some(dir), Some(other)) = (
            settings.paths.criteria.as_ref(),
            settings.tables.get(req.unit_type, req.year),
        )
        && output.parent().is_some_and(|p| same_dir(p, dir))
        && !same_file(Path::new(&other.source), &output)
    {
        after.push(Problem::new(
            Severity::Warning,
            None,
            None,
            format!(
                "{} also holds a `{}` table for {}; remove one of the two before thidua next starts",
                other.source, req.unit_type, req.year
            ),
        ));
    }
    let look = settings
        .cluster
        .members(req.year)
        .chain(settings.cluster.members(settings.cluster.current_year()))
        .find(|u| u.unit_type == req.unit_type)
        .map(|u| {
            format!(
                "thidua form --unit {} --year {} -o {}-{}.xlsx",
                u.code, req.year, u.code, req.year
            )
        });
    Ok(ImportReport {
        imported,
        written,
        loaded,
        after,
        look,
    })
}

fn same_dir(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(x), Ok(y)) => x == y,
        _ => a == b,
    }
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(x), Ok(y)) => x == y,
        _ => a == b,
    }
}

/// The format `criteria export` writes, from the output's extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    Xlsx,
    Docx,
}

/// `thidua criteria export`: the table of `unit_type` and `year` as the
/// ministry prints it. Returns the table written.
pub fn export<'a>(
    settings: &'a Settings,
    unit_type: &str,
    year: i32,
    output: &Path,
) -> Result<(&'a Table, ExportFormat), CriteriaError> {
    let format = match output
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("xlsx") => ExportFormat::Xlsx,
        Some("docx") => ExportFormat::Docx,
        _ => {
            return Err(usage(format!(
                "-o: {}: write a .xlsx or a .docx file",
                output.display()
            )));
        }
    };
    let table = settings.tables.get(unit_type, year).ok_or_else(|| {
        usage(format!(
            "no criteria table for `{unit_type}` in {year} (the configuration has {})",
            settings
                .tables
                .iter()
                .map(|t| format!("{}-{}", t.unit_type, t.year))
                .collect::<Vec<_>>()
                .join(", ")
        ))
    })?;
    let written = match format {
        ExportFormat::Xlsx => {
            crate::io::workbook::criteria_annex::write(output, table).map_err(|e| e.to_string())
        }
        ExportFormat::Docx => {
            crate::io::docx_annex::write(output, table).map_err(|e| e.to_string())
        }
    };
    written.map_err(|e| usage(format!("{}: cannot write the table: {e}", output.display())))?;
    Ok((table, format))
}
