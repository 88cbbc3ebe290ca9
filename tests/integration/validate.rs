//! `thidua validate`: every finding code of the contract, produced by a
//! workbook written for it and asserted with its cell.

use serde_json::Value as Json;
use tempfile::TempDir;
use thidua::domain::cells::Value;

use crate::support::{Grid, SELF, assert_finding, crosscheck, findings, thidua, validate};

const UNIT: &str = "STP-QTR";

/// Writes `grid` into a temp dir and validates it.
fn check(grid: &Grid, extra: &[&str]) -> (i32, Json) {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("bang-tu-cham.xlsx");
    grid.write(&path);
    validate(dir.path(), &path, extra)
}

fn rejected_with(grid: &Grid, code: &str, cell: Option<&str>) -> Json {
    let (exit, report) = check(grid, &[]);
    assert_eq!(exit, 1, "{report}");
    assert_eq!(report["accepted"], false);
    assert_finding(&report, code, cell);
    report
}

/// First leaf with bands and with evidence required, from the real table.
fn leaf(
    pred: impl Fn(&thidua::domain::criteria::Criterion) -> bool,
) -> thidua::domain::criteria::Criterion {
    let s = crate::support::settings();
    let t = s.tables.get("stp", s.cluster.current_year()).unwrap();
    t.leaves()
        .map(|i| t.criteria[i].clone())
        .find(|c| pred(c))
        .expect("the sample table has such a leaf")
}

/// The total a fill should score, counted here independently of thidua.
fn fill_total(fill: &thidua::io::workbook::form::Fill) -> f64 {
    let s = crate::support::settings();
    let t = s.tables.get("stp", 2026).unwrap();
    t.leaves()
        .map(|i| {
            let c = &t.criteria[i];
            let v = fill.scores[&c.code];
            if c.kind == thidua::domain::criteria::Kind::Deduction {
                -v
            } else {
                v
            }
        })
        .sum()
}

#[test]
fn a_filled_form_is_accepted_with_its_total() {
    let (grid, fill) = Grid::filled(UNIT);
    let (exit, report) = check(&grid, &["--unit", UNIT]);
    assert_eq!(exit, 0, "{report}");
    assert_eq!(report["accepted"], true);
    assert_eq!(report["unit"], UNIT);
    assert_eq!(report["year"], 2026);
    assert!(
        (report["self_total"].as_f64().unwrap() - fill_total(&fill)).abs() < 1e-9,
        "{report}"
    );
    assert!(findings(&report).is_empty(), "{report}");
}

#[test]
fn unreadable_file() {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("rac.xlsx");
    std::fs::write(&path, b"\x00\x01garbage that is not a workbook\xff\xfe").unwrap();
    let (exit, report) = validate(dir.path(), &path, &[]);
    assert_eq!(exit, 1);
    assert_eq!(
        findings(&report),
        vec![("unreadable-file".into(), "error".into(), None)]
    );
}

#[test]
fn file_too_large() {
    let (grid, _) = Grid::filled(UNIT);
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("lon.xlsx");
    grid.write(&path);
    let run = thidua(
        dir.path(),
        &["validate", "--json", path.to_str().unwrap()],
        &[("THIDUA__LIMITS__MAX_FILE_MIB", "0.001")],
    );
    assert_eq!(run.code, 1);
    assert_finding(&run.json()[0], "file-too-large", None);
}

#[test]
fn sheet_missing() {
    let mut grid = Grid::empty();
    grid.text("Sheet1", "A1", "Danh sách cán bộ")
        .text("Sheet1", "B2", "Nguyễn Văn A");
    rejected_with(&grid, "sheet-missing", None);
}

#[test]
fn header_missing_names_the_row() {
    let (mut grid, _) = Grid::filled(UNIT);
    grid.clear(SELF, "E8");
    let report = rejected_with(&grid, "header-missing", Some("A8"));
    assert!(
        report["findings"][0]["message"]
            .as_str()
            .unwrap()
            .contains("Điểm tự chấm")
    );
}

#[test]
fn unit_missing() {
    let (mut grid, _) = Grid::filled(UNIT);
    grid.clear(SELF, "C5");
    rejected_with(&grid, "unit-missing", Some("A5"));
}

#[test]
fn unit_unknown_quotes_invisible_characters() {
    let (mut grid, _) = Grid::filled(UNIT);
    grid.text(SELF, "C5", "STP\u{200B}-QTR");
    let report = rejected_with(&grid, "unit-unknown", Some("C5"));
    assert!(
        report["findings"][0]["message"]
            .as_str()
            .unwrap()
            .contains("STP\\u{200B}-QTR"),
        "{report}"
    );
}

#[test]
fn unit_of_a_merged_province_is_unknown_after_the_merger() {
    let (mut grid, _) = Grid::filled(UNIT);
    grid.text(SELF, "C5", "STP-QBI");
    let report = rejected_with(&grid, "unit-unknown", Some("C5"));
    assert!(
        report["findings"][0]["message"]
            .as_str()
            .unwrap()
            .contains("STP-QTR"),
        "{report}"
    );
}

#[test]
fn unit_folder_mismatch() {
    let (grid, _) = Grid::filled(UNIT);
    let (exit, report) = check(&grid, &["--unit", "STP-HUE"]);
    assert_eq!(exit, 1);
    assert_finding(&report, "unit-folder-mismatch", Some("C5"));
}

#[test]
fn year_missing_and_year_mismatch() {
    let (mut grid, _) = Grid::filled(UNIT);
    grid.text(SELF, "E5", "năm nay");
    rejected_with(&grid, "year-missing", Some("E5"));
    grid.clear(SELF, "E5");
    rejected_with(&grid, "year-missing", Some("D5"));
    grid.num(SELF, "E5", 2025.0);
    rejected_with(&grid, "year-mismatch", Some("E5"));
}

#[test]
fn criterion_unknown_by_code_and_by_number() {
    let c = leaf(|_| true);
    let (mut grid, _) = Grid::filled(UNIT);
    let row = grid.row_of(&c.code);
    grid.text(SELF, &format!("B{row}"), "Z.IX.9");
    rejected_with(&grid, "criterion-unknown", Some(&format!("B{row}")));

    // Without the code column, an unknown printed number is found by TT.
    let (mut grid, _) = Grid::filled(UNIT);
    let row = grid.row_of(&c.code);
    grid.text(SELF, &format!("A{row}"), "99");
    grid.delete_column(SELF, 1, 8);
    rejected_with(&grid, "criterion-unknown", Some(&format!("A{row}")));
}

#[test]
fn criterion_duplicate_and_missing() {
    let s = crate::support::settings();
    let t = s.tables.get("stp", 2026).unwrap();
    let leaves: Vec<String> = t.leaves().map(|i| t.criteria[i].code.clone()).collect();
    let (mut grid, _) = Grid::filled(UNIT);
    let second = grid.row_of(&leaves[1]);
    grid.text(SELF, &format!("B{second}"), &leaves[0]);
    let report = rejected_with(&grid, "criterion-duplicate", Some(&format!("B{second}")));
    assert_finding(&report, "criterion-missing", None);
    let missing = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "criterion-missing")
        .unwrap();
    assert_eq!(missing["sheet"], SELF);
    assert!(missing["message"].as_str().unwrap().contains(&leaves[1]));
}

#[test]
fn max_mismatch() {
    let c = leaf(|_| true);
    let (mut grid, _) = Grid::filled(UNIT);
    let row = grid.row_of(&c.code);
    grid.num(SELF, &format!("D{row}"), c.max + 1.0);
    rejected_with(&grid, "max-mismatch", Some(&format!("D{row}")));
}

#[test]
fn score_missing_not_number_negative_above_max() {
    let c = leaf(|c| c.kind == thidua::domain::criteria::Kind::Score);
    let cell = |g: &Grid| format!("E{}", g.row_of(&c.code));
    let (mut grid, _) = Grid::filled(UNIT);
    let e = cell(&grid);
    grid.clear(SELF, &e);
    rejected_with(&grid, "score-missing", Some(&e));
    grid.text(SELF, &e, "chín rưỡi");
    let report = rejected_with(&grid, "score-not-number", Some(&e));
    assert!(
        report["findings"][0]["message"]
            .as_str()
            .unwrap()
            .contains("“chín rưỡi”")
    );
    grid.num(SELF, &e, -1.0);
    rejected_with(&grid, "score-negative", Some(&e));
    grid.num(SELF, &e, c.max + 0.5);
    rejected_with(&grid, "score-above-max", Some(&e));
}

#[test]
fn score_step_off_the_bands_and_off_the_step() {
    let banded = leaf(|c| c.bands.len() >= 3 && c.kind == thidua::domain::criteria::Kind::Score);
    let (mut grid, _) = Grid::filled(UNIT);
    let e = format!("E{}", grid.row_of(&banded.code));
    // A value on the step but not one of the bands.
    let off = (0..=(banded.max * 4.0) as i32)
        .map(|k| f64::from(k) * 0.25)
        .find(|v| !banded.bands.iter().any(|b| (b.points - v).abs() < 1e-9))
        .expect("a value between the bands");
    grid.num(SELF, &e, off);
    rejected_with(&grid, "score-step", Some(&e));

    let free = leaf(|c| c.bands.is_empty() && c.kind == thidua::domain::criteria::Kind::Score);
    let (mut grid, _) = Grid::filled(UNIT);
    let e = format!("E{}", grid.row_of(&free.code));
    grid.num(SELF, &e, 0.1);
    rejected_with(&grid, "score-step", Some(&e));
}

#[test]
fn evidence_missing() {
    let c = leaf(|c| c.evidence && c.kind == thidua::domain::criteria::Kind::Score);
    let (mut grid, fill) = Grid::filled(UNIT);
    assert!(fill.scores[&c.code] > 0.0);
    let f = format!("F{}", grid.row_of(&c.code));
    grid.clear(SELF, &f);
    rejected_with(&grid, "evidence-missing", Some(&f));
}

#[test]
fn group_total_mismatch_is_a_warning() {
    let s = crate::support::settings();
    let t = s.tables.get("stp", 2026).unwrap();
    let group = t
        .criteria
        .iter()
        .find(|c| !c.is_leaf() && c.parent.is_some())
        .unwrap();
    let (mut grid, _) = Grid::filled(UNIT);
    let e = format!("E{}", grid.row_of(&group.code));
    grid.num(SELF, &e, group.max + 7.0);
    let (exit, report) = check(&grid, &[]);
    assert_eq!(exit, 0, "{report}");
    assert_eq!(
        findings(&report),
        vec![("group-total-mismatch".into(), "warning".into(), Some(e))]
    );
}

#[test]
fn negative_deduction_is_read_as_its_absolute_value_with_a_warning() {
    let c = leaf(|c| {
        c.kind == thidua::domain::criteria::Kind::Deduction
            && (c.bands.is_empty() || c.bands.iter().any(|b| b.points > 0.0))
    });
    let v = c
        .bands
        .iter()
        .map(|b| b.points)
        .find(|p| *p > 0.0)
        .unwrap_or(c.max);
    let (mut grid, fill) = Grid::filled(UNIT);
    let e = format!("E{}", grid.row_of(&c.code));
    grid.num(SELF, &e, -v);
    let (exit, report) = check(&grid, &[]);
    assert_finding(&report, "score-negative", Some(&e));
    assert_eq!(exit, 0, "{report}");
    assert_eq!(report["findings"][0]["severity"], "warning");
    assert!(
        (report["self_total"].as_f64().unwrap() - (fill_total(&fill) - v)).abs() < 1e-9,
        "{report}"
    );
}

#[test]
fn indicator_invalid() {
    let (mut grid, _) = Grid::filled(UNIT);
    grid.text("Số liệu", "D4", "12,5");
    rejected_with(&grid, "indicator-invalid", Some("D4"));
    let (mut grid, _) = Grid::filled(UNIT);
    grid.text("Số liệu", "A4", "SL99");
    rejected_with(&grid, "indicator-invalid", Some("A4"));
    // Thousands written the Vietnamese way are a whole number.
    let (mut grid, _) = Grid::filled(UNIT);
    grid.text("Số liệu", "D4", "1.103");
    let (exit, report) = check(&grid, &[]);
    assert_eq!(exit, 0, "{report}");
}

#[test]
fn crosscheck_by_an_assigned_unit_is_accepted() {
    let c = leaf(|c| c.bands.len() >= 2 && c.kind == thidua::domain::criteria::Kind::Score);
    let (hi, lo) = (c.bands[0].points, c.bands[1].points);
    // 2026: each unit inspects the next one, north to south.
    let grid = crosscheck(
        "STP-THA",
        "STP-NAN",
        &[(&c.code, hi, lo, "Chậm 2 ngày so với kế hoạch")],
    );
    let (exit, report) = check(&grid, &["--unit", "STP-THA"]);
    assert_eq!(exit, 0, "{report}");
    assert_eq!(report["unit"], "STP-THA");
}

#[test]
fn crosscheck_not_assigned() {
    let c = leaf(|c| c.kind == thidua::domain::criteria::Kind::Score);
    let grid = crosscheck("STP-THA", "STP-HUE", &[(&c.code, c.max, c.max, "")]);
    rejected_with(&grid, "crosscheck-not-assigned", Some("C3"));
}

#[test]
fn reason_missing() {
    let c = leaf(|c| c.bands.len() >= 2 && c.kind == thidua::domain::criteria::Kind::Score);
    let (hi, lo) = (c.bands[0].points, c.bands[1].points);
    let grid = crosscheck("STP-THA", "STP-NAN", &[(&c.code, hi, lo, "")]);
    rejected_with(&grid, "reason-missing", Some("F8"));
}

#[test]
fn every_contract_code_is_covered_here() {
    // A guard that this file keeps one case per code: the names of the codes
    // appear in the assertions above.
    let sources = [include_str!("validate.rs"), include_str!("ballots.rs")];
    for code in thidua::domain::findings::Code::ALL {
        assert!(
            sources
                .iter()
                .any(|s| s.contains(&format!("\"{}\"", code.as_str()))),
            "no test for {code}"
        );
    }
}

#[test]
fn human_output_names_file_code_and_cell_and_exit_codes() {
    let c = leaf(|c| c.kind == thidua::domain::criteria::Kind::Score);
    let dir = TempDir::new().unwrap();
    let (mut bad, _) = Grid::filled(UNIT);
    let e = format!("E{}", bad.row_of(&c.code));
    bad.text(SELF, &e, "abc");
    bad.write(&dir.path().join("sai.xlsx"));
    let (good, _) = Grid::filled(UNIT);
    good.write(&dir.path().join("dung.xlsx"));
    let run = thidua(dir.path(), &["validate", "dung.xlsx"], &[]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stdout
            .starts_with("dung.xlsx: CHẤP NHẬN (STP-QTR, năm 2026), tổng điểm tự chấm "),
        "{}",
        run.stdout
    );
    let run = thidua(dir.path(), &["validate", "."], &[]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stdout
            .contains("sai.xlsx: TỪ CHỐI (STP-QTR, năm 2026) — 1 lỗi"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains(&format!("score-not-number       'Tự chấm điểm'!{e}")),
        "{}",
        run.stdout
    );
    let run = thidua(dir.path(), &["validate", "khong-co.xlsx"], &[]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("khong-co.xlsx"), "{}", run.stderr);
}

#[test]
fn retyped_forms_still_read() {
    // Without the code column: rows found by printed number within groups.
    let (mut grid, _) = Grid::filled(UNIT);
    grid.delete_column(SELF, 1, 8);
    let (exit, report) = check(&grid, &[]);
    assert_eq!(exit, 0, "{report}");

    // Text in NFD, labels in capitals, scores typed as text with a comma.
    let (mut grid, _) = Grid::filled(UNIT);
    grid.map_cells(|c| {
        use unicode_normalization::UnicodeNormalization;
        if let Value::Text(t) = &c.value {
            let nfd: String = t.nfd().collect();
            c.value = Value::Text(if c.row < 8 { nfd.to_uppercase() } else { nfd });
        }
        if c.col == 4
            && c.row > 8
            && let Value::Number(n) = c.value
        {
            c.value = Value::Text(format!(" {} ", n.to_string().replace('.', ",")));
        }
    });
    let (exit, report) = check(&grid, &[]);
    assert_eq!(exit, 0, "{report}");
    assert!(report["self_total"].as_f64().unwrap() > 0.0);
}

#[test]
fn a_sheet_of_another_name_is_used_with_a_warning() {
    let (mut grid, _) = Grid::filled(UNIT);
    grid.sheets
        .iter_mut()
        .find(|s| s.name == SELF)
        .unwrap()
        .name = "Sheet1".into();
    let (exit, report) = check(&grid, &[]);
    assert_eq!(exit, 0, "{report}");
    assert_eq!(
        findings(&report)[0],
        ("sheet-missing".into(), "warning".into(), None)
    );
}

#[test]
fn a_zip_bomb_is_refused_before_it_is_unpacked() {
    use std::io::Write;
    let (grid, _) = Grid::filled(UNIT);
    let dir = TempDir::new().unwrap();
    let form = dir.path().join("form.xlsx");
    grid.write(&form);
    // The form plus an entry of 3 MiB of zeros, against a 1 MiB limit.
    let mut src = zip::ZipArchive::new(std::fs::File::open(&form).unwrap()).unwrap();
    let path = dir.path().join("bom.xlsx");
    let mut out = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
    for i in 0..src.len() {
        out.raw_copy_file(src.by_index_raw(i).unwrap()).unwrap();
    }
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    out.start_file("xl/media/image1.bin", opts).unwrap();
    out.write_all(&vec![0u8; 3 << 20]).unwrap();
    out.finish().unwrap();
    let run = thidua(
        dir.path(),
        &["validate", "--json", "bom.xlsx"],
        &[("THIDUA__LIMITS__MAX_UNPACKED_MIB", "1")],
    );
    assert_eq!(run.code, 1, "{run:?}");
    assert_finding(&run.json()[0], "file-too-large", None);
}

/// An ODS whose rows repeat 16.384 × 1.024 empty cells around two values:
/// calamine would expand it into a dense grid of ~1 GiB while opening it.
fn dense_ods() -> Vec<u8> {
    use std::io::Write;
    let table = r#"<table:table table:name="Tự chấm điểm"><table:table-row><table:table-cell office:value-type="string"><text:p>x</text:p></table:table-cell></table:table-row><table:table-row table:number-rows-repeated="16384"><table:table-cell table:number-columns-repeated="1024"/></table:table-row><table:table-row><table:table-cell table:number-columns-repeated="1023"/><table:table-cell office:value-type="string"><text:p>y</text:p></table:table-cell></table:table-row></table:table>"#;
    let content = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body><office:spreadsheet>{}</office:spreadsheet></office:body></office:document-content>"#,
        table.repeat(4)
    );
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    zip.start_file("mimetype", stored).unwrap();
    zip.write_all(b"application/vnd.oasis.opendocument.spreadsheet")
        .unwrap();
    zip.start_file("content.xml", zip::write::SimpleFileOptions::default())
        .unwrap();
    zip.write_all(content.as_bytes()).unwrap();
    zip.start_file(
        "META-INF/manifest.xml",
        zip::write::SimpleFileOptions::default(),
    )
    .unwrap();
    zip.write_all(br#"<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>"#).unwrap();
    zip.finish().unwrap().into_inner()
}

/// Regression: small .xls and .ods files that expand into dense grids used
/// to abort the process (calamine allocates while opening them). They are
/// now read in a child process with a memory cap, and refused.
#[test]
fn r1_dense_grid_xls_and_ods_are_refused_not_fatal() {
    let dir = TempDir::new().unwrap();
    let ods = dir.path().join("dense.ods");
    std::fs::write(&ods, dense_ods()).unwrap();
    let xls = crate::support::repo().join("tests/fixtures/hostile/dense-grid.xls");
    for path in [&ods, &xls] {
        let (exit, report) = validate(dir.path(), path, &[]);
        assert_eq!(exit, 1, "{report}");
        assert_finding(&report, "file-too-large", None);
    }
}
