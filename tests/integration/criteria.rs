//! `thidua criteria import` and `export` (issue 17): every shipped table
//! comes back from its export; annexes written by `LibreOffice`, python-docx
//! and openpyxl (`tests/fixtures/annex/`) import to the table they mean, and
//! the blank form made from it carries the annex's criteria, numbers,
//! maxima and bands; unreadable rows are named with their cell and text.

use std::path::{Path, PathBuf};

use rust_xlsxwriter::Workbook;
use serde_json::Value as Json;
use tempfile::TempDir;
use thidua::domain::criteria::{Table, parse_table};
use thidua::io::workbook::{Book, Limits, Value};

use crate::support::{SELF, repo, settings, thidua};

fn fixture(name: &str) -> PathBuf {
    repo().join("tests/fixtures/annex").join(name)
}

fn load(path: &Path) -> Table {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    parse_table(&path.display().to_string(), &text).unwrap_or_else(|e| panic!("{e}"))
}

/// A criterion as the tests compare it: everything but its place in memory.
type Row = (
    String,
    String,
    String,
    String,
    f64,
    bool,
    bool,
    Vec<(f64, String)>,
);

fn rows(t: &Table) -> Vec<Row> {
    t.criteria
        .iter()
        .map(|c| {
            (
                c.code.clone(),
                c.number.clone(),
                c.name.clone(),
                c.kind.as_str().to_string(),
                c.max,
                c.evidence,
                c.hard,
                c.bands
                    .iter()
                    .map(|b| (b.points, b.condition.clone()))
                    .collect(),
            )
        })
        .collect()
}

/// Two tables are the same but for `sample` (an import is never a sample)
/// and the file they came from.
fn assert_same(got: &Table, want: &Table, what: &str) {
    assert_eq!(rows(got), rows(want), "{what}: criteria");
    for (g, w) in got.criteria.iter().zip(&want.criteria) {
        assert_eq!(
            (g.parent, &g.children, g.depth),
            (w.parent, &w.children, w.depth),
            "{what}: the tree at {}",
            w.code
        );
    }
    assert_eq!(
        (&got.unit_type, got.year, &got.title, &got.decision),
        (&want.unit_type, want.year, &want.title, &want.decision),
        "{what}"
    );
    assert_eq!((got.step, got.max), (want.step, want.max), "{what}");
    assert_eq!(got.classes, want.classes, "{what}: classes");
    assert_eq!(got.indicators, want.indicators, "{what}: indicators");
}

/// A criteria folder holding copies of the shipped tables, and the
/// environment that points thidua at it.
fn criteria_folder(dir: &Path) -> (PathBuf, String) {
    let folder = dir.join("criteria");
    std::fs::create_dir_all(&folder).unwrap();
    for e in std::fs::read_dir(repo().join("config/criteria")).unwrap() {
        let p = e.unwrap().path();
        std::fs::copy(&p, folder.join(p.file_name().unwrap())).unwrap();
    }
    let env = folder.display().to_string();
    (folder, env)
}

#[test]
fn every_shipped_table_comes_back_from_its_export() {
    let dir = TempDir::new().unwrap();
    let s = settings();
    for table in s.tables.iter() {
        let name = format!("{}-{}", table.unit_type, table.year);
        let model = repo().join(format!("config/criteria/{name}.toml"));
        for ext in ["xlsx", "docx"] {
            let annex = dir.path().join(format!("{name}.{ext}"));
            let out = dir.path().join(format!("{name}-{ext}.toml"));
            let year = table.year.to_string();
            let run = thidua(
                dir.path(),
                &[
                    "criteria",
                    "export",
                    "--unit-type",
                    &table.unit_type,
                    "--year",
                    &year,
                    "-o",
                    annex.to_str().unwrap(),
                ],
                &[],
            );
            assert_eq!(run.code, 0, "{run:?}");
            let run = thidua(
                dir.path(),
                &[
                    "criteria",
                    "import",
                    annex.to_str().unwrap(),
                    "--unit-type",
                    &table.unit_type,
                    "--year",
                    &year,
                    "--defaults-from",
                    model.to_str().unwrap(),
                    "-o",
                    out.to_str().unwrap(),
                ],
                &[],
            );
            assert_eq!(run.code, 0, "{name}.{ext}: {run:?}");
            assert!(!run.stdout.contains("error:"), "{}", run.stdout);
            assert_same(&load(&out), table, &format!("{name}.{ext}"));
        }
    }
}

#[test]
fn exports_saved_again_by_libreoffice_come_back() {
    let dir = TempDir::new().unwrap();
    let s = settings();
    for (file, unit_type, year) in [
        ("lo-resaved-stp-2026.docx", "stp", 2026),
        ("lo-resaved-thads-2026.ods", "thads", 2026),
    ] {
        let out = dir.path().join(format!("{file}.toml"));
        let model = repo().join(format!("config/criteria/{unit_type}-{year}.toml"));
        let run = thidua(
            dir.path(),
            &[
                "criteria",
                "import",
                fixture(file).to_str().unwrap(),
                "--unit-type",
                unit_type,
                "--year",
                &year.to_string(),
                "--defaults-from",
                model.to_str().unwrap(),
                "-o",
                out.to_str().unwrap(),
            ],
            &[],
        );
        assert_eq!(run.code, 0, "{file}: {run:?}");
        assert_same(&load(&out), s.tables.get(unit_type, year).unwrap(), file);
    }
}

fn expected(unit_type: &str) -> Json {
    let text =
        std::fs::read_to_string(fixture(&format!("expected-{unit_type}-2027.json"))).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// The table an annex means, from its expected file, as the tests compare it.
fn expected_rows(e: &Json) -> Vec<Row> {
    e["criteria"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let s = |k: &str| c[k].as_str().unwrap().to_string();
            (
                s("code"),
                s("number"),
                s("name"),
                s("kind"),
                c["max"].as_f64().unwrap(),
                c["evidence"].as_bool().unwrap(),
                c["hard"].as_bool().unwrap(),
                c["bands"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|b| {
                        (
                            b["points"].as_f64().unwrap(),
                            b["condition"].as_str().unwrap().to_string(),
                        )
                    })
                    .collect(),
            )
        })
        .collect()
}

/// The blank form carries each criterion with its number, maximum and bands.
fn assert_form_has(form: &Path, want: &[Row]) {
    let mut book = Book::open(form, &Limits::default()).unwrap();
    let sheet = book.sheet(SELF).unwrap();
    for (code, number, _, _, max, _, _, bands) in want {
        let row = sheet
            .cells
            .iter()
            .find(|c| c.col == 1 && c.value == Value::Text(code.clone()))
            .unwrap_or_else(|| panic!("{code} is on the form"))
            .row;
        assert_eq!(sheet.get(row, 0), &Value::Text(number.clone()), "{code}");
        assert_eq!(sheet.get(row, 3), &Value::Number(*max), "{code}");
        if !bands.is_empty() {
            let Value::Text(t) = sheet.get(row + 1, 2) else {
                panic!("the bands of {code}")
            };
            let lines: Vec<&str> = t.lines().collect();
            assert_eq!(lines.len(), bands.len(), "{code}: {t}");
            for ((points, condition), line) in bands.iter().zip(lines) {
                let p = thidua::domain::vn::format_number(*points);
                assert_eq!(line, format!("– {condition}: {p} điểm"), "{code}");
            }
        }
    }
}

#[test]
fn annexes_from_other_tools_give_their_table_and_its_form() {
    for (file, unit_type, unit) in [
        ("lo-writer-stp-2027.docx", "stp", "STP-QTR"),
        ("openpyxl-stp-2027.xlsx", "stp", "STP-QTR"),
        ("lo-calc-stp-2027.xls", "stp", "STP-QTR"),
        ("python-docx-thads-2027.docx", "thads", "THADS-NAN"),
        ("lo-calc-thads-2027.ods", "thads", "THADS-NAN"),
    ] {
        let dir = TempDir::new().unwrap();
        let (folder, env) = criteria_folder(dir.path());
        let env = [("THIDUA__PATHS__CRITERIA", env.as_str())];
        // No -o, no flag: into the criteria folder, the rest from 2026's table.
        let run = thidua(
            dir.path(),
            &[
                "criteria",
                "import",
                fixture(file).to_str().unwrap(),
                "--unit-type",
                unit_type,
                "--year",
                "2027",
            ],
            &env,
        );
        assert_eq!(run.code, 0, "{file}: {run:?}");
        assert!(!run.stdout.contains("error:"), "{}", run.stdout);
        let earlier = format!("{unit_type}-2026.toml, the latest earlier table of the unit type");
        for key in ["step", "classes", "indicators"] {
            assert!(
                run.stdout
                    .lines()
                    .any(|l| l.trim_start().starts_with(key) && l.contains(&earlier)),
                "{file}: where {key} came from:\n{}",
                run.stdout
            );
        }
        assert!(run.stdout.contains("thidua form --unit"), "{}", run.stdout);
        let written = folder.join(format!("{unit_type}-2027.toml"));
        let table = load(&written);
        let e = expected(unit_type);
        let want = expected_rows(&e);
        assert_eq!(rows(&table), want, "{file}");
        assert_eq!(table.max, e["max"].as_f64().unwrap(), "{file}");
        let meta = &e["fixtures"][file];
        assert_eq!(table.title, meta["title"].as_str().unwrap(), "{file}");
        assert_eq!(table.decision, meta["decision"].as_str().unwrap(), "{file}");
        assert!(!table.sample);
        let model = settings();
        let model = model.tables.get(unit_type, 2026).unwrap();
        assert_eq!((table.step, &table.classes), (model.step, &model.classes));

        // The blank form of the new year is made from it.
        let run = thidua(
            dir.path(),
            &["form", "--unit", unit, "--year", "2027", "-o", "form.xlsx"],
            &env,
        );
        assert_eq!(run.code, 0, "{file}: {run:?}");
        assert_form_has(&dir.path().join("form.xlsx"), &want);
    }
}

/// An annex workbook from rows of text.
fn annex_xlsx(path: &Path, rows: &[&[&str]]) {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet().set_name("Phụ lục").unwrap();
    for (r, row) in rows.iter().enumerate() {
        for (c, t) in row.iter().enumerate() {
            if !t.is_empty() {
                ws.write_string(r as u32, c as u16, *t).unwrap();
            }
        }
    }
    wb.save(path).unwrap();
}

#[test]
fn unreadable_rows_are_named_and_nothing_is_written() {
    let dir = TempDir::new().unwrap();
    let (folder, env) = criteria_folder(dir.path());
    let env = [("THIDUA__PATHS__CRITERIA", env.as_str())];
    let annex = dir.path().join("phu-luc.xlsx");
    annex_xlsx(
        &annex,
        &[
            &["BẢNG TIÊU CHÍ THI ĐUA NĂM 2027"],
            &["(Kèm theo Quyết định số 1/QĐ-BTP)"],
            &["TT", "Nội dung", "Điểm chuẩn"],
            &["A", "NHIỆM VỤ", "5"],
            &["1", "Báo cáo", "1,7x"],
            &["2", "Thẩm định", "3"],
            &["", "– Đạt 3 điểm khi xong sớm", ""],
        ],
    );
    let run = thidua(
        dir.path(),
        &[
            "criteria",
            "import",
            annex.to_str().unwrap(),
            "--unit-type",
            "stp",
            "--year",
            "2027",
        ],
        &env,
    );
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stdout
            .contains("error: 'Phụ lục'!C5: “1,7x”: not a number of points"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("error: 'Phụ lục'!B7: “– Đạt 3 điểm khi xong sớm”: under A.2"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("nothing was written"), "{}", run.stdout);
    assert!(!folder.join("stp-2027.toml").exists());

    // With -o, what was read is written for a person to finish.
    let out = dir.path().join("draft.toml");
    let run = thidua(
        dir.path(),
        &[
            "criteria",
            "import",
            annex.to_str().unwrap(),
            "--unit-type",
            "stp",
            "--year",
            "2027",
            "-o",
            out.to_str().unwrap(),
        ],
        &env,
    );
    assert_eq!(run.code, 1, "{run:?}");
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(text.contains("# CHƯA ĐẦY ĐỦ: 3 chỗ"), "{text}");
}

#[test]
fn import_never_writes_over_a_table_unless_told_to() {
    let dir = TempDir::new().unwrap();
    let (folder, env) = criteria_folder(dir.path());
    let env = [("THIDUA__PATHS__CRITERIA", env.as_str())];
    let annex = fixture("openpyxl-stp-2027.xlsx");
    let args = |extra: &[&str]| -> Vec<String> {
        [
            "criteria",
            "import",
            annex.to_str().unwrap(),
            "--unit-type",
            "stp",
            "--year",
            "2026",
        ]
        .iter()
        .map(ToString::to_string)
        .chain(extra.iter().map(ToString::to_string))
        .collect()
    };
    let run = |a: &[String]| {
        let a: Vec<&str> = a.iter().map(String::as_str).collect();
        thidua(dir.path(), &a, &env)
    };
    let r = run(&args(&[]));
    assert_eq!(r.code, 2, "{r:?}");
    assert!(
        r.stderr.contains("stp-2026.toml exists; give -o"),
        "{}",
        r.stderr
    );
    // Named with -o, the sample is replaced: its defaults come from 2022.
    let target = folder.join("stp-2026.toml");
    let r = run(&args(&["-o", target.to_str().unwrap(), "--step", "0.25"]));
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stdout.contains("stp-2022.toml"), "{}", r.stdout);
    assert!(!load(&target).sample);
    let r = thidua(
        dir.path(),
        &[
            "criteria",
            "import",
            annex.to_str().unwrap(),
            "--unit-type",
            "sotp",
            "--year",
            "2027",
        ],
        &env,
    );
    assert_eq!(r.code, 2, "{r:?}");
    assert!(
        r.stderr.contains("--unit-type: `sotp` is not a unit type"),
        "{}",
        r.stderr
    );
}

#[test]
fn without_an_earlier_table_the_flags_give_what_an_annex_lacks() {
    let dir = TempDir::new().unwrap();
    let annex = dir.path().join("phu-luc.xlsx");
    annex_xlsx(
        &annex,
        &[
            &["STT", "Tiêu chí", "Điểm tối đa"],
            &["1", "Báo cáo", "2"],
            &["", "- Đúng hạn: 2 điểm", ""],
            &["", "- Chậm: 1 điểm", ""],
        ],
    );
    let out = dir.path().join("stp-2020.toml");
    let base = [
        "criteria",
        "import",
        annex.to_str().unwrap(),
        "--unit-type",
        "stp",
        "--year",
        "2020",
        "-o",
        out.to_str().unwrap(),
    ];
    let run = thidua(dir.path(), &base, &[]);
    assert_eq!(run.code, 1, "{run:?}");
    for key in ["step:", "classes:", "title:", "decision:"] {
        assert!(
            run.stdout.contains(&format!("error: {key}")),
            "{key}\n{}",
            run.stdout
        );
    }
    let mut args = base.to_vec();
    args.extend([
        "--step",
        "0.5",
        "--classes",
        "Xuất sắc=90,Tốt=80,Khá=70,Trung bình=50,Yếu=0",
        "--title",
        "Bảng tiêu chí năm 2020",
        "--decision",
        "Quyết định số 9/QĐ-BTP",
    ]);
    let run = thidua(dir.path(), &args, &[]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stdout.contains("← --step"), "{}", run.stdout);
    let t = load(&out);
    assert_eq!((t.step, t.classes.len(), t.max), (0.5, 5, 2.0));
    assert_eq!(t.criteria[0].bands.len(), 2);
}

#[test]
fn export_names_what_it_cannot_write() {
    let dir = TempDir::new().unwrap();
    let run = thidua(
        dir.path(),
        &[
            "criteria",
            "export",
            "--unit-type",
            "stp",
            "--year",
            "2026",
            "-o",
            "x.pdf",
        ],
        &[],
    );
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains(".xlsx or a .docx"), "{}", run.stderr);
    let run = thidua(
        dir.path(),
        &[
            "criteria",
            "export",
            "--unit-type",
            "stp",
            "--year",
            "2030",
            "-o",
            "x.docx",
        ],
        &[],
    );
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stderr.contains("no criteria table for `stp` in 2030"),
        "{}",
        run.stderr
    );
}
