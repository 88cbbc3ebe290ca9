//! `thidua form`: the blank form carries the table, and a form it wrote,
//! filled in, is accepted by `validate` — also after a real office suite
//! (`LibreOffice`) saved it as .xlsx, .ods and .xls (committed fixtures).

use tempfile::TempDir;
use thidua::io::workbook::{Book, Limits, Value};

use crate::support::{SELF, findings, repo, thidua, validate};

#[test]
fn the_blank_form_lists_every_criterion_with_its_bands() {
    let dir = TempDir::new().unwrap();
    let run = thidua(
        dir.path(),
        &["form", "--unit", "STP-HTI", "-o", "blank.xlsx"],
        &[],
    );
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stdout.contains("blank.xlsx"));
    let mut book = Book::open(&dir.path().join("blank.xlsx"), &Limits::default()).unwrap();
    assert!(book.sheet_names().iter().any(|n| n == SELF));
    let sheet = book.sheet(SELF).unwrap();
    assert_eq!(sheet.get(4, 2), &Value::Text("STP-HTI".into()));
    assert_eq!(sheet.get(4, 4), &Value::Number(2026.0));
    let s = crate::support::settings();
    let t = s.tables.get("stp", 2026).unwrap();
    for c in &t.criteria {
        let row = sheet
            .cells
            .iter()
            .find(|x| x.col == 1 && x.value == Value::Text(c.code.clone()))
            .unwrap_or_else(|| panic!("{} is on the form", c.code))
            .row;
        assert_eq!(sheet.get(row, 0), &Value::Text(c.number.clone()));
        assert_eq!(sheet.get(row, 3), &Value::Number(c.max));
        if !c.bands.is_empty() {
            // The bands, one per line, in the cell under the criterion.
            let Value::Text(t) = sheet.get(row + 1, 2) else {
                panic!("band row of {}", c.code)
            };
            assert_eq!(t.lines().count(), c.bands.len(), "{t}");
            for b in &c.bands {
                assert!(t.contains(&b.condition), "{t}");
            }
        }
    }
    // The blank form is rejected for its blank scores, not for its layout.
    let (exit, report) = validate(dir.path(), &dir.path().join("blank.xlsx"), &[]);
    assert_eq!(exit, 1);
    assert!(
        findings(&report)
            .iter()
            .all(|(code, _, _)| code == "score-missing" || code == "indicator-invalid"),
        "{report}"
    );
}

#[test]
fn form_refuses_unknown_units_and_years() {
    let dir = TempDir::new().unwrap();
    let run = thidua(
        dir.path(),
        &["form", "--unit", "STP-QBI", "-o", "x.xlsx"],
        &[],
    );
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("STP-QBI") && run.stderr.contains("2026"),
        "{}",
        run.stderr
    );
    let run = thidua(
        dir.path(),
        &[
            "form", "--unit", "STP-HTI", "--year", "2031", "-o", "x.xlsx",
        ],
        &[],
    );
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("2031"), "{}", run.stderr);
}

/// Files saved by `LibreOffice` from a filled form (see
/// `tests/fixtures/office/make-fixtures.sh`).
#[test]
fn forms_saved_by_libreoffice_are_accepted() {
    let dir = repo().join("tests/fixtures/office");
    let mut seen = 0;
    for ext in ["xlsx", "ods", "xls"] {
        let path = dir.join(format!("STP-QTR-2026.{ext}"));
        let (exit, report) = validate(&repo(), &path, &["--unit", "STP-QTR"]);
        assert_eq!(exit, 0, "{ext}: {report}");
        assert_eq!(report["unit"], "STP-QTR");
        assert!(report["self_total"].as_f64().unwrap() > 0.0);
        seen += 1;
    }
    let path = dir.join("THADS-NAN-2026.ods");
    let (exit, report) = validate(&repo(), &path, &[]);
    assert_eq!(exit, 0, "{report}");
    assert_eq!(seen, 3);
}
