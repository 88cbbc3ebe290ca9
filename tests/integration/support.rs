//! The test harness: the shipped settings, workbooks built from the real
//! form and edited cell by cell (`Grid`), and runs of the real `thidua`
//! binary with their exit code, stdout and parsed JSON.

use std::path::{Path, PathBuf};
use std::process::Command;

use rust_xlsxwriter::Workbook;
use serde_json::Value as Json;
use thidua::config::Settings;
use thidua::workbook::form::{Fill, FormSpec, form_bytes};
use thidua::workbook::{Book, Cell, Limits, Sheet, Value};

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn config_path() -> PathBuf {
    repo().join("config/thidua.toml")
}

pub fn settings() -> Settings {
    Settings::load_with_env(Some(&config_path()), &[]).expect("the shipped config loads")
}

/// A workbook as editable cells, written back as `.xlsx`.
#[derive(Debug, Clone)]
pub struct Grid {
    pub sheets: Vec<Sheet>,
}

pub const SELF: &str = "Tự chấm điểm";

/// Zero-based (row, col) of an A1 name.
pub fn pos(a1: &str) -> (u32, u32) {
    let letters: String = a1.chars().take_while(char::is_ascii_alphabetic).collect();
    let digits = &a1[letters.len()..];
    let col = letters.bytes().fold(0u32, |acc, b| {
        acc * 26 + u32::from(b.to_ascii_uppercase() - b'A' + 1)
    }) - 1;
    (digits.parse::<u32>().unwrap() - 1, col)
}

impl Grid {
    pub fn from_bytes(bytes: Vec<u8>) -> Grid {
        let mut book = Book::from_bytes(bytes, &Limits::default()).unwrap();
        let names = book.sheet_names().to_vec();
        Grid {
            sheets: names.iter().map(|n| book.sheet(n).unwrap()).collect(),
        }
    }

    /// The real form of `unit` for the open year, filled with plausible scores.
    pub fn filled(unit: &str) -> (Grid, Fill) {
        let s = settings();
        let u = s.cluster.unit(unit).unwrap();
        let year = s.cluster.current_year();
        let table = s.tables.get(&u.unit_type, year).unwrap();
        let fill = Fill::plausible(table);
        let spec = FormSpec {
            cluster_name: &s.cluster.name,
            table,
            unit: u,
            year,
        };
        (
            Grid::from_bytes(form_bytes(&spec, Some(&fill)).unwrap()),
            fill,
        )
    }

    pub fn empty() -> Grid {
        Grid { sheets: Vec::new() }
    }

    pub fn sheet_mut(&mut self, name: &str) -> &mut Sheet {
        if let Some(i) = self.sheets.iter().position(|s| s.name == name) {
            return &mut self.sheets[i];
        }
        self.sheets.push(Sheet::new(name, Vec::new()));
        self.sheets.last_mut().unwrap()
    }

    pub fn set(&mut self, sheet: &str, a1: &str, value: Value) -> &mut Grid {
        let (row, col) = pos(a1);
        self.set_at(sheet, row, col, value)
    }

    pub fn set_at(&mut self, sheet: &str, row: u32, col: u32, value: Value) -> &mut Grid {
        let s = self.sheet_mut(sheet);
        s.cells.retain(|c| (c.row, c.col) != (row, col));
        if !matches!(value, Value::Empty) {
            s.cells.push(Cell { row, col, value });
        }
        let name = s.name.clone();
        let cells = std::mem::take(&mut s.cells);
        *s = Sheet::new(&name, cells);
        self
    }

    pub fn text(&mut self, sheet: &str, a1: &str, t: &str) -> &mut Grid {
        self.set(sheet, a1, Value::Text(t.into()))
    }

    pub fn num(&mut self, sheet: &str, a1: &str, n: f64) -> &mut Grid {
        self.set(sheet, a1, Value::Number(n))
    }

    pub fn clear(&mut self, sheet: &str, a1: &str) -> &mut Grid {
        self.set(sheet, a1, Value::Empty)
    }

    /// The 1-based row number of the criterion `code` on the self-scoring sheet.
    pub fn row_of(&self, code: &str) -> u32 {
        let s = self.sheets.iter().find(|s| s.name == SELF).unwrap();
        s.cells
            .iter()
            .find(|c| c.col == 1 && c.value == Value::Text(code.into()))
            .unwrap_or_else(|| panic!("no row for {code}"))
            .row
            + 1
    }

    /// Applies `f` to every cell of every sheet.
    pub fn map_cells(&mut self, f: impl Fn(&mut Cell)) -> &mut Grid {
        for s in &mut self.sheets {
            s.cells.iter_mut().for_each(&f);
        }
        self
    }

    /// Removes column `col` of a sheet from the 1-based row `from` down,
    /// shifting the cells right of it left (a table retyped without a column).
    pub fn delete_column(&mut self, sheet: &str, col: u32, from: u32) -> &mut Grid {
        let s = self.sheet_mut(sheet);
        s.cells.retain(|c| c.col != col || c.row + 1 < from);
        for c in &mut s.cells {
            if c.col > col && c.row + 1 >= from {
                c.col -= 1;
            }
        }
        self
    }

    pub fn write(&self, path: &Path) {
        let mut wb = Workbook::new();
        for s in &self.sheets {
            let ws = wb.add_worksheet().set_name(&s.name).unwrap();
            for c in &s.cells {
                let col = u16::try_from(c.col).unwrap();
                match &c.value {
                    Value::Number(n) => ws.write_number(c.row, col, *n).map(|_| ()),
                    Value::Text(t) | Value::Date(t) | Value::Error(t) => {
                        ws.write_string(c.row, col, t).map(|_| ())
                    }
                    Value::Bool(b) => ws.write_boolean(c.row, col, *b).map(|_| ()),
                    Value::Empty => Ok(()),
                }
                .unwrap();
            }
        }
        wb.save(path).unwrap();
    }
}

/// A finished run of the real binary.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn json(&self) -> Json {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}):\n{}\nstderr:\n{}",
                self.stdout, self.stderr
            )
        })
    }
}

/// Runs `thidua` in `dir` with the shipped config unless `args` give one.
pub fn thidua(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_thidua"));
    cmd.current_dir(dir).env_remove("THIDUA_CONFIG");
    for (k, _) in std::env::vars() {
        if k.starts_with("THIDUA__") {
            cmd.env_remove(k);
        }
    }
    if !args.contains(&"--config") {
        cmd.arg("--config").arg(config_path());
    }
    cmd.args(args).envs(env.iter().copied());
    let out = cmd.output().expect("thidua runs");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// `thidua validate --json` on one file; returns the exit code and its report.
pub fn validate(dir: &Path, file: &Path, extra: &[&str]) -> (i32, Json) {
    let mut args = vec!["validate", "--json"];
    args.extend_from_slice(extra);
    let f = file.to_str().unwrap();
    args.push(f);
    let run = thidua(dir, &args, &[]);
    let json = run.json();
    assert_eq!(json.as_array().map(Vec::len), Some(1), "{}", run.stdout);
    (run.code, json[0].clone())
}

/// The findings of a report as `(code, severity, cell)`.
pub fn findings(report: &Json) -> Vec<(String, String, Option<String>)> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_string(),
                f["severity"].as_str().unwrap().to_string(),
                f["cell"].as_str().map(str::to_string),
            )
        })
        .collect()
}

/// Asserts that `report` holds a finding with `code` at `cell`, and shows
/// all findings when it does not.
#[track_caller]
pub fn assert_finding(report: &Json, code: &str, cell: Option<&str>) {
    let all = findings(report);
    assert!(
        all.iter()
            .any(|(c, _, at)| c == code && at.as_deref() == cell),
        "expected {code} at {cell:?}; got:\n{}",
        serde_json::to_string_pretty(&report["findings"]).unwrap()
    );
}
