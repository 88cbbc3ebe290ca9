//! What an annex import works on and gives back: the document as blocks
//! (paragraphs and tables, or a workbook's sheets), the place of a cell for
//! messages, the problems found, and the criteria read.

use std::fmt;

use crate::domain::cells::Sheet;
use crate::domain::criteria::{Band, Kind};

/// One piece of an annex, in document order.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// A paragraph outside any table (a title, the decision, a note).
    Text(String),
    /// A table (of a Word document) or a sheet (of a workbook).
    Table(Grid),
    /// A boundary no table continues across (the next sheet of a workbook).
    Break,
}

/// A table's cells, and how its places are named.
#[derive(Debug, Clone, PartialEq)]
pub struct Grid {
    pub sheet: Sheet,
    /// Cells are named as in a workbook (`'Sheet1'!C12`) or as in a
    /// document (`table 2, row 12, cell 3`).
    pub naming: Naming,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Naming {
    Workbook,
    /// The 1-based number of the table in the document.
    Document(usize),
}

/// An annex as read from its file.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Annex {
    pub blocks: Vec<Block>,
}

/// Where a value was read, for messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Place {
    Cell {
        naming: Naming,
        sheet: String,
        row: u32,
        col: u32,
    },
    /// The n-th (1-based) paragraph outside the tables.
    Line(usize),
}

impl Place {
    pub fn cell(grid: &Grid, row: u32, col: u32) -> Place {
        Place::Cell {
            naming: grid.naming,
            sheet: grid.sheet.name.clone(),
            row,
            col,
        }
    }

    /// The same row, another column.
    #[must_use]
    pub fn at_col(&self, col: u32) -> Place {
        match self {
            Place::Cell {
                naming, sheet, row, ..
            } => Place::Cell {
                naming: *naming,
                sheet: sheet.clone(),
                row: *row,
                col,
            },
            Place::Line(n) => Place::Line(*n),
        }
    }
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Place::Cell {
                naming: Naming::Workbook,
                sheet,
                row,
                col,
            } => write!(f, "'{sheet}'!{}", crate::domain::findings::a1((*row, *col))),
            Place::Cell {
                naming: Naming::Document(n),
                row,
                col,
                ..
            } => write!(f, "table {n}, row {}, cell {}", row + 1, col + 1),
            Place::Line(n) => write!(f, "paragraph {n}"),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// A row or value that could not be read, or a check that failed.
    Error,
    /// Read, but worth a look.
    Warning,
    /// Kept out of the table (a note, a remark), said so.
    Note,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "note",
        }
    }
}

/// Something the import found, at a place, quoting the annex's text.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    pub severity: Severity,
    pub place: Option<Place>,
    /// The cell's text as the annex has it.
    pub text: Option<String>,
    pub message: String,
}

impl Problem {
    pub fn new(
        severity: Severity,
        place: Option<Place>,
        text: Option<&str>,
        message: String,
    ) -> Problem {
        Problem {
            severity,
            place,
            text: text.map(super::text::one_line),
            message,
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(p) = &self.place {
            write!(f, "{p}: ")?;
        }
        if let Some(t) = &self.text {
            let short: String = t.chars().take(90).collect();
            let more = if t.chars().count() > 90 { "…" } else { "" };
            write!(f, "“{short}{more}”: ")?;
        }
        f.write_str(&self.message)
    }
}

/// A criterion as read, before the table's own values are added.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    pub code: String,
    pub number: String,
    pub name: String,
    pub kind: Kind,
    /// 0 until known (a group's is its children's sum).
    pub max: f64,
    pub evidence: bool,
    pub hard: bool,
    pub bands: Vec<Band>,
    pub parent: Option<usize>,
    pub children: Vec<usize>,
    /// The row it was read from.
    pub place: Place,
    /// Text under it that is neither a band nor its name, kept as comments.
    pub notes: Vec<String>,
}

/// What reading an annex gave.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Draft {
    /// The table's title as the annex prints it, with its place.
    pub title: Option<(String, Place)>,
    /// The decision the annex belongs to ("Quyết định số …").
    pub decision: Option<(String, Place)>,
    /// Where the table was found ("table 2, rows 4–96").
    pub found: Option<String>,
    pub items: Vec<Item>,
    pub problems: Vec<Problem>,
}
