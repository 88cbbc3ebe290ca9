//! The cell grid a workbook is read into, as plain values: what the
//! submission parser and the validator work on, with no reader behind it
//! (`io::workbook` fills it from a file), and the bounds on what reading one
//! workbook may cost.

/// Bounds on what reading one workbook may cost.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_file_bytes: u64,
    pub max_unpacked_bytes: u64,
    pub max_cells: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_bytes: 20 * 1024 * 1024,
            max_unpacked_bytes: 100 * 1024 * 1024,
            max_cells: 200_000,
        }
    }
}

/// A cell's value as read.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Value {
    Empty,
    Number(f64),
    Text(String),
    Bool(bool),
    /// An error cell such as `#REF!`.
    Error(String),
    /// A date or time, shown as read.
    Date(String),
}

impl Value {
    pub fn is_empty(&self) -> bool {
        match self {
            Value::Empty => true,
            Value::Text(t) => t.trim().is_empty(),
            _ => false,
        }
    }

    /// The value as text, as a person would see it.
    pub fn display(&self) -> String {
        match self {
            Value::Empty => String::new(),
            Value::Number(n) => {
                if n.fract() == 0.0 && n.abs() < 1e15 {
                    format!("{}", *n as i64)
                } else {
                    n.to_string()
                }
            }
            Value::Text(t) => t.clone(),
            Value::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
            Value::Error(e) | Value::Date(e) => e.clone(),
        }
    }
}

/// One non-empty cell at a zero-based `(row, col)`.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Cell {
    pub row: u32,
    pub col: u32,
    pub value: Value,
}

/// A sheet as sorted, non-empty cells.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Sheet {
    pub name: String,
    /// Sorted by `(row, col)`.
    pub cells: Vec<Cell>,
}

impl Sheet {
    pub fn new(name: &str, mut cells: Vec<Cell>) -> Sheet {
        cells.sort_by_key(|c| (c.row, c.col));
        Sheet {
            name: name.to_string(),
            cells,
        }
    }

    /// The cells grouped by row, in order.
    pub fn rows(&self) -> impl Iterator<Item = (u32, &[Cell])> {
        self.cells
            .chunk_by(|a, b| a.row == b.row)
            .map(|chunk| (chunk[0].row, chunk))
    }

    pub fn get(&self, row: u32, col: u32) -> &Value {
        static EMPTY: Value = Value::Empty;
        self.cells
            .binary_search_by_key(&(row, col), |c| (c.row, c.col))
            .map_or(&EMPTY, |i| &self.cells[i].value)
    }
}
