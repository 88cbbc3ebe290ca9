//! The Word files and the ranking's workbook, read back by other programs:
//! `LibreOffice` (installed by `.ci/run`) turns each kind's `.docx` into a
//! PDF whose pages carry the same words as thidua's own PDF, page by page;
//! the `.docx` itself holds Decree 30's geometry, font and sizes; the
//! workbook that `score --xlsx` writes, read with calamine, equals `score
//! --json`, before and after the vote.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

use calamine::{Data, Reader, open_workbook_auto};
use serde_json::Value as Json;
use tempfile::TempDir;

use crate::ballots::{Mark, filled};
use crate::scoring::{env, scored_cluster};
use crate::support::{pdf_text, repo, thidua};

/// The scored cluster of `scoring.rs` with seven ballots counted, so that
/// every kind of paper (the minutes too) can be made.
fn voted_cluster(dir: &Path) -> (PathBuf, Vec<(&'static str, String)>) {
    let data = scored_cluster(dir);
    let env = env(&data).to_vec();
    let e: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let run = thidua(dir, &["job", "ballot", "--now"], &e);
    assert_eq!(run.code, 0, "{run:?}");
    let (flag, merit) = ("co-thi-dua", "bang-khen");
    let mine: Vec<Mark> = vec![
        (flag, "STP-THA", "x"),
        (flag, "THADS-NAN", "x"),
        (merit, "STP-THA", "x"),
        (merit, "STP-HTI", "x"),
    ];
    for voter in [
        "STP-NAN",
        "STP-HTI",
        "STP-QTR",
        "THADS-THA",
        "THADS-NAN",
        "THADS-HTI",
        "STP-HUE",
    ] {
        let inbox = data.join("inbox").join(voter);
        std::fs::create_dir_all(&inbox).unwrap();
        // A unit cannot vote for itself.
        let marks: Vec<Mark> = mine.iter().copied().filter(|m| m.1 != voter).collect();
        filled(dir, &e, voter, &marks).write(&inbox.join("phieu.xlsx"));
    }
    let run = thidua(dir, &["run", "--once"], &e);
    assert_eq!(run.code, 0, "{run:?}");
    // The vote closes: from now on it, not the ranking, decides.
    let run = thidua(dir, &["job", "close-vote", "--now"], &e);
    assert_eq!(run.code, 0, "{run:?}");
    (data, env)
}

fn pairs<'a>(env: &'a [(&'static str, String)]) -> Vec<(&'a str, &'a str)> {
    env.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

/// Converts `files` to PDF in `out` with `LibreOffice`, Times New Roman
/// found as the bundled Liberation Serif (fontconfig's metric alias).
fn libreoffice_pdf(files: &[PathBuf], work: &Path) -> PathBuf {
    let out = work.join("libreoffice");
    let conf = work.join("fonts.conf");
    std::fs::write(
        &conf,
        format!(
            "<?xml version=\"1.0\"?>\n<!DOCTYPE fontconfig SYSTEM \"fonts.dtd\">\n<fontconfig>\n  \
             <include ignore_missing=\"yes\">/etc/fonts/fonts.conf</include>\n  <dir>{}</dir>\n  \
             <cachedir>{}</cachedir>\n</fontconfig>\n",
            repo().join("templates/fonts").display(),
            work.join("fc-cache").display()
        ),
    )
    .unwrap();
    let status = Command::new("soffice")
        .arg("--headless")
        .arg(format!(
            "-env:UserInstallation=file://{}",
            work.join("lo-profile").display()
        ))
        .args(["--convert-to", "pdf", "--outdir"])
        .arg(&out)
        .args(files)
        .env("FONTCONFIG_FILE", &conf)
        .env("HOME", work)
        .output()
        .expect("soffice runs (LibreOffice, installed by .ci/run)");
    assert!(status.status.success(), "soffice: {status:?}");
    out
}

fn pages(pdf: &Path) -> usize {
    let out = Command::new("pdfinfo").arg(pdf).output().unwrap();
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
        .unwrap()
}

/// The words of page `p`, sorted: the same words on a page whatever order
/// a table's cells are read in.
fn words(pdf: &Path, p: usize) -> Vec<String> {
    let mut w: Vec<String> = pdf_text(pdf, Some((p, p)))
        .split_whitespace()
        .map(str::to_string)
        .collect();
    w.sort();
    w
}

const KINDS: [(&str, &[&str]); 6] = [
    ("ranking", &["ranking"]),
    ("ranking-final", &["ranking", "--final"]),
    ("sheet", &["sheet", "--unit", "STP-QTR"]),
    ("agreement", &["agreement"]),
    ("proposals", &["proposals"]),
    ("minutes", &["minutes"]),
];

#[test]
fn each_kind_as_a_word_file_has_the_pdfs_pages() {
    let dir = TempDir::new().unwrap();
    let (_, env) = voted_cluster(dir.path());
    let env = pairs(&env);
    let mut word_files = Vec::new();
    for (name, args) in KINDS {
        for (ext, extra) in [("pdf", &[][..]), ("docx", &["--format", "docx"][..])] {
            let out = dir.path().join(format!("{name}.{ext}"));
            let mut a: Vec<&str> = vec!["report"];
            a.extend(args);
            a.extend(extra);
            a.extend(["-o", out.to_str().unwrap()]);
            let run = thidua(dir.path(), &a, &env);
            assert_eq!(run.code, 0, "{a:?}: {run:?}");
            assert!(run.stdout.contains(ext), "{}", run.stdout);
            if ext == "docx" {
                let bytes = std::fs::read(&out).unwrap();
                assert!(bytes.starts_with(b"PK"), "{name}.docx is not a zip");
                word_files.push(out);
            }
        }
    }
    let converted = libreoffice_pdf(&word_files, dir.path());
    for (name, _) in KINDS {
        let ours = dir.path().join(format!("{name}.pdf"));
        let theirs = converted.join(format!("{name}.pdf"));
        let n = pages(&ours);
        assert_eq!(pages(&theirs), n, "{name}: pages");
        for p in 1..=n {
            assert_eq!(
                words(&theirs, p),
                words(&ours, p),
                "{name}, page {p}: LibreOffice's page of the Word file and thidua's PDF"
            );
        }
        // From page 2 the page number stands first, in both.
        if n > 1 {
            assert!(pdf_text(&theirs, Some((2, 2))).starts_with("2 "), "{name}");
        }
    }
}

/// A part of a `.docx` package, as text.
fn part(docx: &Path, name: &str) -> String {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(docx).unwrap()).unwrap();
    let mut s = String::new();
    zip.by_name(name).unwrap().read_to_string(&mut s).unwrap();
    s
}

const W: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";

fn attr<'a>(n: roxmltree::Node<'a, '_>, name: &str) -> Option<&'a str> {
    n.attribute((W, name))
}

fn child<'a, 'i>(n: roxmltree::Node<'a, 'i>, name: &str) -> Option<roxmltree::Node<'a, 'i>> {
    n.children().find(|c| c.has_tag_name((W, name)))
}

/// The run whose text is `text`: (size in points, bold, italic).
fn run_style(doc: &roxmltree::Document, text: &str) -> (f32, bool, bool) {
    let t = doc
        .descendants()
        .find(|n| n.has_tag_name((W, "t")) && n.text() == Some(text))
        .unwrap_or_else(|| panic!("no run `{text}`"));
    let rpr = child(t.parent().unwrap(), "rPr").unwrap();
    let size: f32 = attr(child(rpr, "sz").unwrap(), "val")
        .unwrap()
        .parse()
        .unwrap();
    (
        size / 2.0,
        child(rpr, "b").is_some(),
        child(rpr, "i").is_some(),
    )
}

#[test]
fn the_word_file_holds_decree_30s_page_font_and_sizes() {
    let dir = TempDir::new().unwrap();
    let data = scored_cluster(dir.path());
    let env = env(&data);
    let env = pairs(&env);
    let docx = dir.path().join("xep-hang.docx");
    let run = thidua(
        dir.path(),
        &["report", "ranking", "--final", "-o", docx.to_str().unwrap()],
        &env,
    );
    assert_eq!(run.code, 0, "{run:?}");

    let xml = part(&docx, "word/document.xml");
    let doc = roxmltree::Document::parse(&xml).unwrap();
    // A4 with the margins of the PDF: top and bottom 20 mm, left 30, right 15.
    let sect = doc
        .descendants()
        .find(|n| n.has_tag_name((W, "sectPr")))
        .unwrap();
    let mm = |node: &str, a: &str| -> f32 {
        let v: f32 = attr(child(sect, node).unwrap(), a)
            .unwrap()
            .parse()
            .unwrap();
        (v / 1440.0 * 25.4 * 10.0).round() / 10.0
    };
    assert_eq!((mm("pgSz", "w"), mm("pgSz", "h")), (210.0, 297.0));
    assert_eq!(
        [
            mm("pgMar", "top"),
            mm("pgMar", "bottom"),
            mm("pgMar", "left"),
            mm("pgMar", "right")
        ],
        [20.0, 20.0, 30.0, 15.0]
    );
    // No line grid: lines sit where their own height puts them.
    let grid = child(sect, "docGrid");
    assert!(grid.is_none_or(|g| attr(g, "type") != Some("lines")));
    // The page number in the header from page 2: a different first page
    // whose header has none.
    assert!(child(sect, "titlePg").is_some());
    let headers: Vec<(String, String)> = sect
        .children()
        .filter(|c| c.has_tag_name((W, "headerReference")))
        .map(|c| {
            let id = c
                .attribute((
                    "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
                    "id",
                ))
                .unwrap();
            (attr(c, "type").unwrap().to_string(), id.to_string())
        })
        .collect();
    let rels = part(&docx, "word/_rels/document.xml.rels");
    let target = |id: &str| {
        let rels = roxmltree::Document::parse(&rels).unwrap();
        let t = rels
            .descendants()
            .find(|n| n.attribute("Id") == Some(id))
            .and_then(|n| n.attribute("Target"))
            .unwrap()
            .to_string();
        part(&docx, &format!("word/{t}"))
    };
    let header = |kind: &str| {
        let (_, id) = headers.iter().find(|(t, _)| t == kind).unwrap();
        target(id)
    };
    let default = header("default");
    assert!(default.contains(">PAGE<"), "{default}");
    assert!(default.contains("w:jc w:val=\"center\""), "{default}");
    assert!(!header("first").contains("PAGE"));

    // Times New Roman, 13,5 pt by default.
    let styles = part(&docx, "word/styles.xml");
    let styles = roxmltree::Document::parse(&styles).unwrap();
    let defaults = styles
        .descendants()
        .find(|n| n.has_tag_name((W, "rPrDefault")))
        .unwrap();
    let fonts = defaults
        .descendants()
        .find(|n| n.has_tag_name((W, "rFonts")))
        .unwrap();
    for a in ["ascii", "hAnsi", "cs"] {
        assert_eq!(attr(fonts, a), Some("Times New Roman"), "{a}");
    }
    let sz = defaults
        .descendants()
        .find(|n| n.has_tag_name((W, "sz")))
        .unwrap();
    assert_eq!(attr(sz, "val"), Some("27"));
    // No other font anywhere.
    for f in doc.descendants().filter(|n| n.has_tag_name((W, "rFonts"))) {
        for a in f.attributes() {
            assert_eq!(a.value(), "Times New Roman", "{f:?}");
        }
    }

    // The PDF's sizes and faces.
    let head = run_style(&doc, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM");
    assert_eq!(head, (12.5, true, false));
    assert_eq!(
        run_style(&doc, "Độc lập - Tự do - Hạnh phúc"),
        (13.5, true, false)
    );
    assert_eq!(run_style(&doc, "BÁO CÁO"), (14.0, true, false));
    assert_eq!(run_style(&doc, "Nơi nhận:"), (12.0, true, true));
    assert_eq!(run_style(&doc, "- Lưu: VT, KVTĐ."), (11.0, false, false));
    assert_eq!(run_style(&doc, "TRƯỞNG KHU VỰC"), (13.0, true, false));
    let place = doc
        .descendants()
        .find(|n| n.has_tag_name((W, "t")) && n.text().is_some_and(|t| t.contains(", ngày ")))
        .unwrap();
    let place = place.text().unwrap();
    assert_eq!(run_style(&doc, place), (13.5, false, true));
    // The body: justified, a 1,27 cm first-line indent.
    let body = doc
        .descendants()
        .find(|n| {
            n.has_tag_name((W, "p"))
                && n.descendants()
                    .any(|t| t.text().is_some_and(|t| t.starts_with("Căn cứ Luật")))
        })
        .unwrap();
    let ppr = child(body, "pPr").unwrap();
    assert_eq!(attr(child(ppr, "jc").unwrap(), "val"), Some("both"));
    assert_eq!(attr(child(ppr, "ind").unwrap(), "firstLine"), Some("720"));

    // The letterhead is a table without borders.
    let tables: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name((W, "tbl")))
        .collect();
    let letterhead = tables[0];
    let borders = letterhead
        .descendants()
        .find(|n| n.has_tag_name((W, "tblBorders")))
        .unwrap();
    for b in borders.children().filter(roxmltree::Node::is_element) {
        assert_eq!(attr(b, "val"), Some("none"), "{b:?}");
    }
    assert!(
        letterhead
            .descendants()
            .any(|n| n.text() == Some("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"))
    );
    // The data tables: their heading rows repeat on every page, no row
    // splits; the ranking's heading reads as the PDF's.
    let with_heading: Vec<_> = tables
        .iter()
        .filter(|t| t.descendants().any(|n| n.has_tag_name((W, "tblHeader"))))
        .collect();
    assert!(
        with_heading.len() >= 3,
        "{} tables with a heading row",
        with_heading.len()
    );
    for t in &with_heading {
        let rows: Vec<_> = t.children().filter(|n| n.has_tag_name((W, "tr"))).collect();
        let first = rows[0];
        assert!(
            first
                .descendants()
                .any(|n| n.has_tag_name((W, "tblHeader"))),
            "the first row is the heading"
        );
        assert!(
            first
                .descendants()
                .any(|n| n.has_tag_name((W, "shd")) && attr(n, "fill") == Some("E6E6E6"))
        );
        for r in rows {
            assert!(
                r.descendants().any(|n| n.has_tag_name((W, "cantSplit"))),
                "a row that may split"
            );
        }
    }
    assert!(
        with_heading[0]
            .descendants()
            .any(|n| n.text() == Some("Hạng"))
    );
    // The last table holds "Nơi nhận:" and the signature, in one row.
    let closing = tables.last().unwrap();
    assert!(closing.descendants().any(|n| n.text() == Some("Nơi nhận:")));
    assert_eq!(
        closing
            .children()
            .filter(|n| n.has_tag_name((W, "tr")))
            .count(),
        1
    );
}

/// The cells of sheet `name`, rows of values.
fn sheet(book: &Path, name: &str) -> Vec<Vec<Data>> {
    let mut wb = open_workbook_auto(book).unwrap();
    let range = wb.worksheet_range(name).unwrap();
    range.rows().map(<[Data]>::to_vec).collect()
}

fn num(d: &Data) -> f64 {
    match d {
        Data::Float(f) => *f,
        Data::Int(i) => *i as f64,
        other => panic!("not a number: {other:?}"),
    }
}

fn text(d: &Data) -> String {
    match d {
        Data::String(s) => s.clone(),
        Data::Empty => String::new(),
        other => panic!("not text: {other:?}"),
    }
}

/// The workbook `score --xlsx` writes holds what `score --json` prints:
/// per unit type a row per ranked unit (rank, unit, part subtotals,
/// total, class, proposal or, after the vote, the elected award), and
/// the year's figures.
fn assert_book_is_json(book: &Path, json: &Json) {
    let wb = open_workbook_auto(book).unwrap();
    let names = wb.sheet_names();
    let types = json["types"].as_array().unwrap();
    assert_eq!(names.len(), types.len() + 1, "{names:?}");
    for t in types {
        let name = t["name"].as_str().unwrap();
        let rows = sheet(book, name);
        let ranking = t["ranking"].as_array().unwrap();
        assert_eq!(rows.len(), ranking.len() + 1, "{name}");
        let head: Vec<String> = rows[0].iter().map(text).collect();
        assert_eq!(&head[..3], ["Hạng", "Mã đơn vị", "Đơn vị"]);
        for (r, x) in rows[1..].iter().zip(ranking) {
            // `scored` is flattened into the ranked unit.
            let s = x;
            let parts: Vec<f64> = s["groups"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|g| !g["code"].as_str().unwrap().contains('.'))
                .map(|g| g["total"].as_f64().unwrap())
                .collect();
            let n = parts.len();
            assert_eq!(head.len(), 3 + n + 3, "{head:?}");
            assert_eq!(num(&r[0]), x["rank"].as_f64().unwrap());
            assert_eq!(text(&r[1]), s["unit"].as_str().unwrap());
            assert_eq!(text(&r[2]), s["name"].as_str().unwrap());
            let got: Vec<f64> = r[3..3 + n].iter().map(num).collect();
            assert_eq!(got, parts, "{}", s["unit"]);
            assert_eq!(num(&r[3 + n]), s["total"].as_f64().unwrap());
            assert_eq!(text(&r[4 + n]), s["class"].as_str().unwrap_or(""));
            let unit = s["unit"].as_str().unwrap();
            // The vote decides once it is closed; until then the ranking
            // suggests, as in every paper.
            let closed = json["vote_closed"].as_bool().unwrap_or(false);
            let proposal = match json.get("vote").filter(|_| closed) {
                None => x["proposal"]["name"].as_str().unwrap_or("").to_string(),
                Some(v) => v["sections"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter(|sec| sec["unit_type"] == t["unit_type"])
                    .filter(|sec| sec["elected"].as_array().unwrap().iter().any(|e| e == unit))
                    .map(|sec| sec["award_name"].as_str().unwrap().to_string())
                    .collect::<Vec<_>>()
                    .join("; "),
            };
            assert_eq!(text(&r[5 + n]), proposal, "{unit}");
        }
    }
    let figures = sheet(book, "Kết quả nổi bật");
    let want = json["figures"].as_array().unwrap();
    assert_eq!(figures.len(), want.len() + 1);
    for (r, f) in figures[1..].iter().zip(want) {
        assert_eq!(text(&r[1]), f["code"].as_str().unwrap());
        assert_eq!(text(&r[2]), f["name"].as_str().unwrap());
        assert_eq!(num(&r[3]), f["total"].as_f64().unwrap());
        assert_eq!(text(&r[4]), f["unit"].as_str().unwrap());
        assert_eq!(num(&r[5]) as usize, f["by_unit"].as_object().unwrap().len());
    }
    // The heading row stays in view.
    let mut zip = zip::ZipArchive::new(std::fs::File::open(book).unwrap()).unwrap();
    let mut first = String::new();
    zip.by_name("xl/worksheets/sheet1.xml")
        .unwrap()
        .read_to_string(&mut first)
        .unwrap();
    assert!(
        first.contains("ySplit=\"1\"") && first.contains("state=\"frozen\""),
        "{first}"
    );
}

#[test]
fn the_ranking_workbook_reads_back_as_score_json() {
    let dir = TempDir::new().unwrap();
    let data = scored_cluster(dir.path());
    let e = env(&data);
    let e = pairs(&e);
    let book = dir.path().join("xep-hang.xlsx");
    let run = thidua(
        dir.path(),
        &["score", "--json", "--xlsx", book.to_str().unwrap()],
        &e,
    );
    assert_eq!(run.code, 0, "{run:?}");
    let json = run.json();
    assert!(json.get("vote").is_none());
    // Before the vote the ranking's proposals stand.
    assert_book_is_json(&book, &json);
    let sp = sheet(&book, json["types"][0]["name"].as_str().unwrap());
    assert_eq!(text(&sp[0][sp[0].len() - 1]), "Đề nghị khen thưởng");
    assert!(sp[1..].iter().any(|r| !text(&r[r.len() - 1]).is_empty()));

    // After the vote, the elected.
    let voted = TempDir::new().unwrap();
    let (_, e) = voted_cluster(voted.path());
    let e = pairs(&e);
    let book = voted.path().join("sau-bau.xlsx");
    let run = thidua(
        voted.path(),
        &["score", "--json", "--xlsx", book.to_str().unwrap()],
        &e,
    );
    assert_eq!(run.code, 0, "{run:?}");
    let json = run.json();
    assert!(json.get("vote").is_some());
    assert_eq!(json["vote_closed"], true);
    assert_book_is_json(&book, &json);
    let sp = sheet(&book, json["types"][0]["name"].as_str().unwrap());
    assert_eq!(text(&sp[0][sp[0].len() - 1]), "Được bầu chọn khen thưởng");
}
