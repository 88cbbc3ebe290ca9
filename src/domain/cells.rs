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
    /// Any `f64`, NaN and the infinities included: they are written as
    /// the strings `"NaN"`, `"inf"` and `"-inf"` (JSON has no such numbers),
    /// so the reader child's reply always reads back.
    Number(#[serde(with = "any_f64")] f64),
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

/// A number as JSON allows: finite ones as numbers, the others as text.
mod any_f64 {
    use serde::{Deserialize, Deserializer, Serializer};

    #[allow(clippy::trivially_copy_pass_by_ref)] // serde's `with` signature
    pub fn serialize<S: Serializer>(n: &f64, s: S) -> Result<S::Ok, S::Error> {
        if n.is_nan() {
            s.serialize_str("NaN")
        } else if n.is_infinite() {
            s.serialize_str(if *n > 0.0 { "inf" } else { "-inf" })
        } else {
            s.serialize_f64(*n)
        }
    }

    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Wire {
        Number(f64),
        Text(String),
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
        match Wire::deserialize(d)? {
            Wire::Number(n) => Ok(n),
            Wire::Text(t) => match t.as_str() {
                "NaN" => Ok(f64::NAN),
                "inf" => Ok(f64::INFINITY),
                "-inf" => Ok(f64::NEG_INFINITY),
                other => Err(serde::de::Error::custom(format!("not a number: {other}"))),
            },
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_number_survives_json() {
        for n in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY, 0.0, -1.5, 1e300] {
            let v = Value::Number(n);
            let text = serde_json::to_string(&v).unwrap();
            let back: Value = serde_json::from_str(&text).unwrap();
            match back {
                Value::Number(m) if n.is_nan() => assert!(m.is_nan(), "{text}"),
                Value::Number(m) => assert_eq!(m.to_bits(), n.to_bits(), "{text}"),
                other => panic!("{text} read back as {other:?}"),
            }
        }
    }
}
