//! Workbooks as plain cells. Reading goes through calamine with bounds: a
//! file-size limit, a check of every zip entry's declared and actual
//! unpacked size before calamine sees the file, and a budget of cells. A
//! parser panic is caught and reported as an unreadable file. Only
//! worksheets are sheets here: chart, dialog and macro sheets are left out.
//! Writing the workbooks thidua sends lives in [`form`], [`ballot_form`] and
//! [`crosscheck_form`]; the ranking's workbook in [`ranking`].

pub mod ballot_form;
pub mod criteria_annex;
pub mod crosscheck_form;
pub mod form;
mod guard;
pub mod isolate;
pub mod ranking;
pub mod style;
mod why;

use std::io::Cursor;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;

use calamine::{Data, DataRef, Ods, Reader, SheetType, Xls, Xlsb, Xlsx};

pub use crate::domain::cells::{Cell, Limits, Sheet, Value};

/// Why a workbook could not be read.
#[derive(Debug, Clone, PartialEq, thiserror::Error, serde::Serialize, serde::Deserialize)]
pub enum ReadError {
    /// Over the size, unpacked-size or cell limit; the text says which (Vietnamese).
    #[error("{0}")]
    TooLarge(String),
    /// Not a spreadsheet, corrupt, encrypted or unsupported (Vietnamese).
    #[error("{0}")]
    Unreadable(String),
}

/// The spreadsheet formats the contract accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Xlsx,
    Xlsb,
    Xls,
    Ods,
}

/// The extensions a unit may send (lower case, without the dot).
pub const EXTENSIONS: &[&str] = &["xlsx", "xlsm", "xls", "xlsb", "ods"];

/// Whether a file name has one of the accepted extensions.
pub fn has_workbook_extension(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
}

enum Inner {
    Xlsx(Xlsx<Cursor<Vec<u8>>>),
    Xlsb(Xlsb<Cursor<Vec<u8>>>),
    Xls(Xls<Cursor<Vec<u8>>>),
    Ods(Ods<Cursor<Vec<u8>>>),
    /// Sheets read by a child process (see [`isolate`]).
    Loaded(Vec<Sheet>),
}

/// An open workbook whose sheets are read on demand within one cell budget.
pub struct Book {
    inner: Inner,
    names: Vec<String>,
    cells_left: u64,
    pub format: Format,
}

impl std::fmt::Debug for Book {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Book")
            .field("format", &self.format)
            .field("sheets", &self.names)
            .field("cells_left", &self.cells_left)
            .finish_non_exhaustive()
    }
}

impl Book {
    /// Opens a workbook file within `limits`.
    pub fn open(path: &Path, limits: &Limits) -> Result<Book, ReadError> {
        let bytes = guard::read_bounded(path, limits.max_file_bytes)?;
        Book::from_bytes(bytes, limits)
    }

    /// Opens a workbook held in memory within `limits`.
    /// `.xls` and `.ods` are read by a child process when
    /// [`isolate::use_worker`] was called.
    pub fn from_bytes(bytes: Vec<u8>, limits: &Limits) -> Result<Book, ReadError> {
        if bytes.len() as u64 > limits.max_file_bytes {
            return Err(guard::too_large_file(
                bytes.len() as u64,
                limits.max_file_bytes,
            ));
        }
        let format = guard::sniff(&bytes, limits)?;
        if let (Format::Xls | Format::Ods, Some(exe)) = (format, isolate::worker()) {
            let sheets = isolate::read_in_child(exe, &bytes, limits)?;
            return Ok(Book {
                names: sheets.iter().map(|s| s.name.clone()).collect(),
                inner: Inner::Loaded(sheets),
                cells_left: limits.max_cells,
                format,
            });
        }
        Book::from_bytes_here(bytes, limits)
    }

    /// Opens a workbook in this process, whatever its format.
    pub fn from_bytes_here(bytes: Vec<u8>, limits: &Limits) -> Result<Book, ReadError> {
        if bytes.len() as u64 > limits.max_file_bytes {
            return Err(guard::too_large_file(
                bytes.len() as u64,
                limits.max_file_bytes,
            ));
        }
        let format = guard::sniff(&bytes, limits)?;
        let opened = catch_unwind(AssertUnwindSafe(|| open_inner(format, bytes)));
        let inner = match opened {
            Ok(r) => r?,
            Err(payload) => return Err(why::panicked(payload.as_ref())),
        };
        let metadata = match &inner {
            Inner::Xlsx(w) => w.sheets_metadata().to_vec(),
            Inner::Xlsb(w) => w.sheets_metadata().to_vec(),
            Inner::Xls(w) => w.sheets_metadata().to_vec(),
            Inner::Ods(w) => w.sheets_metadata().to_vec(),
            Inner::Loaded(_) => Vec::new(),
        };
        // A chart sheet (or a dialog or macro sheet) holds no cells: the
        // sheet search must not stop at one.
        let names: Vec<String> = metadata
            .iter()
            .filter(|s| s.typ == SheetType::WorkSheet)
            .map(|s| s.name.clone())
            .collect();
        if names.is_empty() && !metadata.is_empty() {
            return Err(why::charts_only());
        }
        Ok(Book {
            inner,
            names,
            cells_left: limits.max_cells,
            format,
        })
    }

    pub fn sheet_names(&self) -> &[String] {
        &self.names
    }

    /// Reads one sheet's non-empty cells, charging them to the cell budget.
    pub fn sheet(&mut self, name: &str) -> Result<Sheet, ReadError> {
        let budget = self.cells_left;
        let read = catch_unwind(AssertUnwindSafe(|| {
            read_sheet(&mut self.inner, name, budget)
        }));
        let cells = match read {
            Ok(r) => r?,
            Err(payload) => return Err(why::panicked(payload.as_ref())),
        };
        self.cells_left -= cells.len() as u64;
        Ok(Sheet::new(name, cells))
    }
}

fn unreadable(e: impl std::fmt::Display) -> ReadError {
    why::library_error(&e)
}

fn open_inner(format: Format, bytes: Vec<u8>) -> Result<Inner, ReadError> {
    let cur = Cursor::new(bytes);
    Ok(match format {
        Format::Xlsx => Inner::Xlsx(Xlsx::new(cur).map_err(unreadable)?),
        Format::Xlsb => Inner::Xlsb(Xlsb::new(cur).map_err(unreadable)?),
        Format::Xls => Inner::Xls(Xls::new(cur).map_err(unreadable)?),
        Format::Ods => Inner::Ods(Ods::new(cur).map_err(unreadable)?),
    })
}

fn too_many_cells(budget: u64) -> ReadError {
    ReadError::TooLarge(format!(
        "tệp có quá nhiều ô dữ liệu (giới hạn {} ô)",
        crate::domain::vn::format_number(budget as f64)
    ))
}

fn read_sheet(inner: &mut Inner, name: &str, budget: u64) -> Result<Vec<Cell>, ReadError> {
    let mut cells = Vec::new();
    let mut push = |row: u32, col: u32, value: Value| -> Result<(), ReadError> {
        if matches!(value, Value::Empty) {
            return Ok(());
        }
        if cells.len() as u64 >= budget {
            return Err(too_many_cells(budget));
        }
        cells.push(Cell { row, col, value });
        Ok(())
    };
    match inner {
        Inner::Loaded(sheets) => {
            let sheet = sheets
                .iter()
                .find(|s| s.name == name)
                .ok_or_else(|| ReadError::Unreadable(format!("không có trang “{name}”")))?;
            for c in &sheet.cells {
                push(c.row, c.col, c.value.clone())?;
            }
        }
        Inner::Xlsx(w) => {
            let mut r = w.worksheet_cells_reader(name).map_err(unreadable)?;
            while let Some(c) = r.next_cell().map_err(unreadable)? {
                let (row, col) = c.get_position();
                push(row, col, from_ref(c.get_value()))?;
            }
        }
        Inner::Xlsb(w) => {
            let mut r = w.worksheet_cells_reader(name).map_err(unreadable)?;
            while let Some(c) = r.next_cell().map_err(unreadable)? {
                let (row, col) = c.get_position();
                push(row, col, from_ref(c.get_value()))?;
            }
        }
        Inner::Xls(w) => {
            let range = w.worksheet_range(name).map_err(unreadable)?;
            for (row, col, v) in range.used_cells() {
                let (r0, c0) = range.start().unwrap_or((0, 0));
                push(r0 + row as u32, c0 + col as u32, from_data(v))?;
            }
        }
        Inner::Ods(w) => {
            let range = w.worksheet_range(name).map_err(unreadable)?;
            for (row, col, v) in range.used_cells() {
                let (r0, c0) = range.start().unwrap_or((0, 0));
                push(r0 + row as u32, c0 + col as u32, from_data(v))?;
            }
        }
    }
    Ok(cells)
}

fn from_ref(v: &DataRef<'_>) -> Value {
    match v {
        DataRef::Int(i) => Value::Number(*i as f64),
        DataRef::Float(f) => number(*f),
        DataRef::String(s) => Value::Text(s.clone()),
        DataRef::SharedString(s) => Value::Text((*s).to_string()),
        DataRef::Bool(b) => Value::Bool(*b),
        DataRef::DateTime(d) => Value::Date(d.to_string()),
        DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => Value::Date(s.clone()),
        DataRef::Error(e) => Value::Error(e.to_string()),
        DataRef::Empty => Value::Empty,
    }
}

fn from_data(v: &Data) -> Value {
    match v {
        Data::Int(i) => Value::Number(*i as f64),
        Data::Float(f) => number(*f),
        Data::String(s) => Value::Text(s.clone()),
        Data::Bool(b) => Value::Bool(*b),
        Data::DateTime(d) => Value::Date(d.to_string()),
        Data::DateTimeIso(s) | Data::DurationIso(s) => Value::Date(s.clone()),
        Data::Error(e) => Value::Error(e.to_string()),
        Data::Empty => Value::Empty,
    }
}

/// A number as read; NaN and the infinities (which some writers store for a
/// formula's error) are the error cell Excel shows for them.
fn number(f: f64) -> Value {
    if f.is_finite() {
        Value::Number(f)
    } else {
        Value::Error("#NUM!".to_string())
    }
}
