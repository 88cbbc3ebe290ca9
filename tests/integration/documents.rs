//! The PDF documents, read back with poppler (`pdftotext`, `pdffonts`,
//! installed by `.ci/run`): the ranking report, the score sheets (from
//! `thidua report` and attached to receipts), the agreement, and a
//! 100-unit report.

use std::path::Path;
use std::process::Command;

use chrono::NaiveDate;
use tempfile::TempDir;
use thidua::io::pdf::Documents;

use crate::scoring::{env, scored_cluster};
use crate::support::{pdf_text as text_of, settings, thidua};

fn page_count(pdf: &Path) -> usize {
    let out = Command::new("pdfinfo")
        .arg(pdf)
        .output()
        .expect("pdfinfo runs");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
        .expect("pdfinfo prints the pages")
}

/// Every font of the PDF is embedded, as a subset: `pdffonts` prints
/// `yes yes` in its emb and sub columns.
fn assert_fonts_embedded(pdf: &Path) {
    let out = Command::new("pdffonts")
        .arg(pdf)
        .output()
        .expect("pdffonts runs");
    let listing = String::from_utf8_lossy(&out.stdout).into_owned();
    let rows: Vec<&str> = listing.lines().skip(2).collect();
    assert!(!rows.is_empty(), "{listing}");
    for row in rows {
        let cols: Vec<&str> = row.split_whitespace().collect();
        let n = cols.len();
        assert!(
            n >= 7 && cols[n - 5] == "yes" && cols[n - 4] == "yes",
            "not embedded as a subset: {row}\n{listing}"
        );
        assert!(cols[0].contains("+LiberationSerif"), "{row}");
    }
}

fn assert_has(text: &str, wanted: &[&str]) {
    for w in wanted {
        assert!(text.contains(w), "`{w}` missing from:\n{text}");
    }
}

#[test]
fn the_ranking_report_shows_each_type_in_vietnamese_figures() {
    let dir = TempDir::new().unwrap();
    let data = scored_cluster(dir.path());
    let env = env(&data);
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let pdf = dir.path().join("xep-hang.pdf");
    let run = thidua(
        dir.path(),
        &["report", "ranking", "-o", pdf.to_str().unwrap()],
        &env,
    );
    assert_eq!(run.code, 0, "{run:?}");
    assert_fonts_embedded(&pdf);
    let text = text_of(&pdf, None);
    let s = settings();
    let head = s.cluster.unit("STP-HTI").unwrap();
    assert_has(
        &text,
        &[
            "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
            "Độc lập - Tự do - Hạnh phúc",
            "BÁO CÁO",
            "Kết quả chấm điểm, xếp hạng thi đua năm 2026 (dự kiến)",
            "Hà Tĩnh, ngày",
            "SỞ TƯ PHÁP",
            "THI HÀNH ÁN DÂN SỰ",
            "Sở Tư pháp tỉnh Thanh Hóa",
            "Sở Tư pháp tỉnh Nghệ An",
            "Thi hành án dân sự tỉnh Nghệ An",
            // Totals, the Vietnamese way.
            "209,25",
            "207,5",
            // The unit that sent nothing.
            "Sở Tư pháp thành phố Huế",
            // The cross-check adjustment and its reason.
            "Kế hoạch ban hành tháng 3",
            // Proposals with their reasons.
            "Cờ thi đua của Bộ Tư pháp",
            "Bằng khen của Bộ trưởng Bộ Tư pháp",
            "Nơi nhận:",
            "- Lưu: VT, KVTĐ.",
            "TM. KHU VỰC THI ĐUA",
            "TRƯỞNG KHU VỰC",
            &head.head_name,
        ],
    );
    // The provisional report is marked so; the final one is not.
    let fin = dir.path().join("chinh-thuc.pdf");
    let run = thidua(
        dir.path(),
        &["report", "ranking", "--final", "-o", fin.to_str().unwrap()],
        &env,
    );
    assert_eq!(run.code, 0, "{run:?}");
    let text = text_of(&fin, None);
    assert!(text.contains("Kết quả chấm điểm, xếp hạng thi đua năm 2026"));
    assert!(!text.contains("(dự kiến)"), "{text}");
    // From page 2 on, the page number stands first on the page.
    assert!(page_count(&fin) >= 2);
    assert!(text_of(&fin, Some((2, 2))).starts_with("2 "));
    assert!(!text_of(&fin, Some((1, 1))).starts_with("1 "));
}

#[test]
fn a_score_sheet_lists_every_criterion_with_the_cross_check() {
    let dir = TempDir::new().unwrap();
    let data = scored_cluster(dir.path());
    let env = env(&data);
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let pdf = dir.path().join("phieu.pdf");
    let run = thidua(
        dir.path(),
        &[
            "report",
            "sheet",
            "--unit",
            "STP-QTR",
            "-o",
            pdf.to_str().unwrap(),
        ],
        &env,
    );
    assert_eq!(run.code, 0, "{run:?}");
    assert_fonts_embedded(&pdf);
    let text = text_of(&pdf, None);
    assert_has(
        &text,
        &[
            "PHIẾU CHẤM ĐIỂM",
            "của Sở Tư pháp tỉnh Quảng Trị",
            // Self total 208,25; after the cross-check 207,5 of 200.
            "208,25",
            "207,5/200 điểm",
            "Kế hoạch ban hành tháng 3",
            "thứ hạng trong khối: 4/4",
        ],
    );
    // Every criterion of the table is on it, by name.
    let s = settings();
    let table = s.tables.get("stp", 2026).unwrap();
    for c in &table.criteria {
        let start: String = c
            .name
            .split_whitespace()
            .take(4)
            .collect::<Vec<_>>()
            .join(" ");
        assert!(text.contains(&start), "{} ({start}) missing", c.code);
    }

    // A unit without an accepted workbook has no sheet: exit 1, and why.
    let none = dir.path().join("none.pdf");
    let run = thidua(
        dir.path(),
        &[
            "report",
            "sheet",
            "--unit",
            "STP-HUE",
            "-o",
            none.to_str().unwrap(),
        ],
        &env,
    );
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stderr.contains("STP-HUE"), "{}", run.stderr);
    assert!(!none.exists());
    let run = thidua(dir.path(), &["report", "sheet", "-o", "x.pdf"], &env);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("--unit"), "{}", run.stderr);
}

/// The `application/pdf` part of a message.
fn pdf_attachment(eml: &str) -> Option<Vec<u8>> {
    eml.contains("Content-Type: application/pdf")
        .then(|| crate::support::part(eml, "Content-Type: application/pdf"))
        .flatten()
}

#[test]
fn a_receipt_carries_the_units_score_sheet() {
    let dir = TempDir::new().unwrap();
    let data = scored_cluster(dir.path());
    let receipts: Vec<String> = crate::support::outbox_mails(&data)
        .into_iter()
        .map(|m| m.raw)
        .filter(|m| m.contains("vanphong@stp.thanhhoa.example"))
        .collect();
    let with_pdf: Vec<Vec<u8>> = receipts.iter().filter_map(|m| pdf_attachment(m)).collect();
    assert_eq!(with_pdf.len(), 1, "one receipt to STP-THA, with its sheet");
    let pdf = dir.path().join("attached.pdf");
    std::fs::write(&pdf, &with_pdf[0]).unwrap();
    assert_fonts_embedded(&pdf);
    assert_has(
        &text_of(&pdf, None),
        &[
            "PHIẾU CHẤM ĐIỂM",
            "của Sở Tư pháp tỉnh Thanh Hóa",
            "210/200 điểm",
        ],
    );
    // The sheet is filed beside the workbook too.
    let beside = crate::support::filed(&data.join("archive"))
        .into_iter()
        .filter(|p| thidua::service::inbox::names::beside(p, ".phieu-cham-diem.pdf").exists())
        .count();
    assert_eq!(
        beside, 7,
        "a sheet beside each accepted self-scoring workbook"
    );
}

#[test]
fn the_agreement_has_a_whole_signature_block_per_member() {
    let dir = TempDir::new().unwrap();
    let pdf = dir.path().join("giao-uoc.pdf");
    let run = thidua(
        dir.path(),
        &[
            "report",
            "agreement",
            "--year",
            "2026",
            "-o",
            pdf.to_str().unwrap(),
        ],
        &[(
            "THIDUA__PATHS__DATA",
            dir.path().join("data").to_str().unwrap(),
        )],
    );
    assert_eq!(run.code, 0, "{run:?}");
    assert_fonts_embedded(&pdf);
    let text = text_of(&pdf, None);
    assert_has(
        &text,
        &[
            "BẢN GIAO ƯỚC THI ĐUA NĂM 2027",
            "Bản giao ước thi đua năm 2027",
            "Đoàn kết, kỷ cương, sáng tạo, vượt khó, thi đua hoàn thành xuất sắc nhiệm vụ",
            "Trưởng Khu vực (Thường trực): Sở Tư pháp tỉnh Quảng Trị",
            "ngày 15 tháng 11 năm 2027",
        ],
    );
    // A label breaks between phrases: "THI HÀNH ÁN DÂN SỰ / TỈNH …", never
    // "… DÂN / SỰ TỈNH …" (pdftotext keeps the lines of the two columns).
    let layout = Command::new("pdftotext")
        .args(["-layout", "-enc", "UTF-8"])
        .arg(&pdf)
        .arg("-")
        .output()
        .unwrap();
    let layout = String::from_utf8(layout.stdout).unwrap();
    assert!(layout.contains("THI HÀNH ÁN DÂN SỰ"), "{layout}");
    for line in layout.lines() {
        assert!(
            !line.trim_end().ends_with("DÂN") && !line.contains("DÂN   "),
            "a label broken inside a phrase: {line}\n{layout}"
        );
    }
    // One block per member of 2027: its name in capitals, the head's
    // title and name, all on one page.
    let s = settings();
    let pages = page_count(&pdf);
    let members: Vec<_> = s.cluster.members(2027).collect();
    assert_eq!(members.len(), 10);
    for u in members {
        let on = (1..=pages)
            .find(|&p| text_of(&pdf, Some((p, p))).contains(&u.head_name))
            .unwrap_or_else(|| panic!("{} ({}) has no signature block", u.head_name, u.code));
        let page = text_of(&pdf, Some((on, on)));
        let last_word = u.name.split_whitespace().last().unwrap().to_uppercase();
        assert!(
            page.contains(&last_word) && page.contains(&u.head_title),
            "{}'s block is split across pages:\n{page}",
            u.code
        );
    }
    // A year without a [[years]] entry for the next year: a configuration
    // error (exit 2), and why.
    let run = thidua(
        dir.path(),
        &["report", "agreement", "--year", "2027", "-o", "x.pdf"],
        &[(
            "THIDUA__PATHS__DATA",
            dir.path().join("data").to_str().unwrap(),
        )],
    );
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("2028"), "{}", run.stderr);
}

#[test]
fn a_hundred_unit_report_renders_every_unit() {
    let s = settings();
    let docs = Documents::load(None).unwrap();
    let units = thidua::app::demo::sample::many(&s, 2026, 100);
    let pdf = thidua::app::papers::ranking_of(
        &s,
        &docs,
        2026,
        &units,
        None,
        true,
        NaiveDate::from_ymd_opt(2026, 12, 9).unwrap(),
    )
    .and_then(|p| p.pdf(&docs))
    .unwrap();
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("100.pdf");
    std::fs::write(&path, pdf).unwrap();
    assert!(page_count(&path) >= 5);
    let text = text_of(&path, None);
    for i in 1..=100 {
        assert!(
            text.contains(&format!("Sở Tư pháp mẫu số {i} ")),
            "unit {i} missing"
        );
    }
    assert!(text.contains("ngày 09 tháng 12 năm 2026"));
    // The ranking table runs over several pages, its header on each.
    for p in 2..=4 {
        let page = text_of(&path, Some((p, p)));
        assert!(
            page.starts_with(&format!("{p} ")),
            "page number first: {page}"
        );
        assert!(
            page.contains("Hạng") && page.contains("Tổng điểm"),
            "{page}"
        );
    }
}

/// STP-THA's score sheet of the sample year with `text` as the evidence
/// of the table's first criterion: the PDF's text and its page count.
fn sheet_with_evidence(text: &str) -> (String, usize) {
    let s = settings();
    let docs = Documents::load(None).unwrap();
    let (units, mut evidence) = thidua::app::demo::sample::cluster_year(&s, 2026);
    let table = s.tables.get("stp", 2026).unwrap();
    let first = table
        .leaves()
        .next()
        .map(|i| table.criteria[i].code.clone())
        .unwrap();
    evidence
        .get_mut("STP-THA")
        .unwrap()
        .insert(first, text.to_string());
    let pdf = thidua::app::papers::sheet_of(
        &s,
        &docs,
        2026,
        &units,
        "STP-THA",
        &evidence["STP-THA"],
        NaiveDate::from_ymd_opt(2026, 12, 9).unwrap(),
    )
    .and_then(|p| p.pdf(&docs))
    .unwrap();
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("phieu.pdf");
    std::fs::write(&path, pdf).unwrap();
    (text_of(&path, None), page_count(&path))
}

#[test]
fn a_units_text_stays_text_and_comes_out_composed() {
    use unicode_normalization::UnicodeNormalization;
    // Markup, an entity, a control character and decomposed (NFD) letters.
    let hostile = format!(
        "</td></tr></table><p>x</p> &amp; \u{7}{}",
        "Quyết định số 12/QĐ-UBND".nfd().collect::<String>()
    );
    let (text, _) = sheet_with_evidence(&hostile);
    // (A long word may be broken across lines, so compare without spaces.)
    assert!(
        text.replace(' ', "").contains("</td></tr></table><p>x</p>"),
        "{text}"
    );
    assert!(text.contains("&amp;"), "{text}");
    assert!(
        text.contains("Quyết định số 12/QĐ-UBND"),
        "composed (NFC): {text}"
    );
}

#[test]
fn evidence_longer_than_a_page_continues_on_the_next() {
    let mut long = String::new();
    for i in 1..=300 {
        std::fmt::Write::write_fmt(&mut long, format_args!("Văn bản số {i}/QĐ-UBND; ")).unwrap();
    }
    let (_, plain_pages) = sheet_with_evidence("Văn bản số 1/QĐ-UBND");
    let (text, pages) = sheet_with_evidence(&long);
    // 300 references fill more than a page of the evidence column.
    assert!(
        pages > plain_pages + 1,
        "{pages} pages against {plain_pages}"
    );
    let text = text.replace(' ', "");
    for i in [1, 150, 299, 300] {
        assert!(
            text.contains(&format!("Vănbảnsố{i}/QĐ-UBND;")),
            "document {i} lost"
        );
    }
}

#[test]
fn a_type_with_no_workbook_numbers_its_sections_without_a_gap() {
    let s = settings();
    let docs = Documents::load(None).unwrap();
    let units: Vec<thidua::domain::scoring::UnitInput> = s
        .cluster
        .members(2026)
        .map(|u| thidua::domain::scoring::UnitInput {
            code: u.code.clone(),
            name: u.name_in(2026).to_string(),
            unit_type: u.unit_type.clone(),
            submission: None,
            crosschecks: Vec::new(),
        })
        .collect();
    let pdf = thidua::app::papers::ranking_of(
        &s,
        &docs,
        2026,
        &units,
        None,
        true,
        NaiveDate::from_ymd_opt(2026, 12, 9).unwrap(),
    )
    .and_then(|p| p.pdf(&docs))
    .unwrap();
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("empty.pdf");
    std::fs::write(&path, pdf).unwrap();
    let text = text_of(&path, None);
    // No bars, so no chart: the sections after the table close up.
    for n in [
        "1.1. Bảng xếp hạng",
        "1.2. Đơn vị chưa có bảng tự chấm điểm hợp lệ",
        "1.3. Điều chỉnh",
        "1.4. Gợi ý",
    ] {
        assert!(text.contains(n), "{n}: {text}");
    }
    assert!(
        !text.contains("1.5.") && !text.contains("Biểu đồ"),
        "{text}"
    );
}

/// The page (1-based) of `pages`' texts that holds `needle`, the first.
fn page_of(pages: &[String], needle: &str) -> Option<usize> {
    pages.iter().position(|t| t.contains(needle)).map(|i| i + 1)
}

/// Whatever comes before them, a group heading of a table is on the page
/// of its first row, and the closing line before the signatures on the
/// page of the signatures: the filler before them moves them across every
/// place of a page foot.
#[test]
fn headings_and_signatures_are_never_left_alone_at_a_page_foot() {
    let docs = Documents::load(None).unwrap();
    let dir = TempDir::new().unwrap();
    let mut rows = Vec::new();
    for g in 1..=12 {
        rows.push(format!(
            "<tr keep=\"next\"><td><b>NHOMX{g}</b></td><td><b>Nhóm tiêu chí số {g} có tên dài vừa phải</b></td></tr>"
        ));
        for k in 1..=4 {
            rows.push(format!(
                "<tr><td>MUCX{g}X{k}</td><td>Tiêu chí {g}.{k}: hoàn thành nhiệm vụ được giao trong năm</td></tr>"
            ));
        }
    }
    let rows = rows.concat();
    let mut checked = 0;
    for filler in 0..34 {
        let lines = (0..filler)
            .map(|i| format!("<p>Dòng đệm số {i}.</p>"))
            .collect::<Vec<_>>()
            .concat();
        let xml = format!(
            "<document><title>BÁO CÁO</title>{lines}<table widths=\"10 60\" size=\"11\"><thead><tr><th>TT</th><th>Tiêu chí</th></tr></thead><tbody>{rows}</tbody></table>\
             {lines}<p keep=\"next\">DONGKETTHUC: biên bản được lập thành 02 bản.</p>\
             <signatures columns=\"3\"><signature><role>THƯ KÝ</role><name>KYTENA</name></signature>\
             <signature><role>TRƯỞNG BAN</role><name>KYTENB</name></signature></signatures></document>"
        );
        let doc = thidua::io::pdf::markup::parse(&xml).unwrap();
        let pdf = dir.path().join(format!("t{filler}.pdf"));
        std::fs::write(&pdf, docs.typeset(&doc, "thử").unwrap()).unwrap();
        // One text per page: pdftotext separates them with a form feed.
        let out = Command::new("pdftotext")
            .args(["-enc", "UTF-8"])
            .arg(&pdf)
            .arg("-")
            .output()
            .unwrap();
        let pages: Vec<String> = String::from_utf8(out.stdout)
            .unwrap()
            .split('\u{c}')
            .map(str::to_string)
            .collect();
        assert!(pages.len() > 2, "filler {filler}: {} pages", pages.len());
        for g in 1..=12 {
            let head = page_of(&pages, &format!("NHOMX{g}")).unwrap();
            let first = page_of(&pages, &format!("MUCX{g}X1")).unwrap();
            assert_eq!(
                head, first,
                "filler {filler}: group {g} alone at a page foot"
            );
            checked += 1;
        }
        assert_eq!(
            page_of(&pages, "DONGKETTHUC"),
            page_of(&pages, "KYTENA"),
            "filler {filler}: the signatures apart from the closing line"
        );
    }
    assert_eq!(checked, 34 * 12);
}

/// The year's cluster word (`[[years]]` `cluster_word`: "Khu vực" or
/// "Cụm") names the issuing body of the year's papers and its blank form,
/// not only the secretariat that signs the mails.
#[test]
fn the_years_cluster_word_names_the_issuer_of_its_papers_and_forms() {
    let dir = TempDir::new().unwrap();
    let base = std::fs::read_to_string(crate::support::config_path()).unwrap();
    let at = base
        .find("\nyear = 2026")
        .expect("a [[years]] entry for 2026");
    let text = format!(
        "{}{}",
        &base[..at],
        base[at..].replacen("cluster_word = \"Khu vực\"", "cluster_word = \"Cụm\"", 1)
    );
    assert_ne!(text, base, "2026's entry names its cluster word");
    let config = dir.path().join("cum.toml");
    std::fs::write(&config, text).unwrap();
    let cfg = config.to_str().unwrap();
    let data = dir.path().join("data");
    let env = [("THIDUA__PATHS__DATA", data.to_str().unwrap())];

    let pdf = dir.path().join("giao-uoc.pdf");
    let args = ["--config", cfg, "report", "agreement", "--year", "2026"];
    let run = thidua(
        dir.path(),
        &[&args[..], &["-o", pdf.to_str().unwrap()]].concat(),
        &env,
    );
    assert_eq!(run.code, 0, "{run:?}");
    let first = text_of(&pdf, Some((1, 1)));
    assert!(first.contains("CỤM THI ĐUA"), "{first}");
    assert!(!first.contains("KHU VỰC THI ĐUA"), "{first}");

    let form = dir.path().join("form.xlsx");
    let args = [
        "--config", cfg, "form", "--unit", "STP-QTR", "--year", "2026",
    ];
    let run = thidua(
        dir.path(),
        &[&args[..], &["-o", form.to_str().unwrap()]].concat(),
        &env,
    );
    assert_eq!(run.code, 0, "{run:?}");
    let cells = format!(
        "{:?}",
        crate::support::Grid::from_bytes(std::fs::read(&form).unwrap()).sheets
    );
    assert!(cells.contains("CỤM THI ĐUA CÁC CƠ QUAN TƯ PHÁP"), "{cells}");
    assert!(!cells.contains("KHU VỰC THI ĐUA"), "{cells}");
}
