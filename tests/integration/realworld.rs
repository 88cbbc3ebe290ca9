//! Files from the real world: workbooks that `LibreOffice` and a second writer
//! (openpyxl, xlwt) really wrote (`tests/fixtures/realworld/`, made by its
//! `make.sh`), each read to its right outcome, with a Vietnamese sentence
//! that fits the case and the library's own text only in the log.

use std::path::Path;
use std::time::Duration;

use tempfile::TempDir;

use crate::support::{Daemon, daemon_env, drop_file, findings, repo, validate, wait_for};

fn fixture(name: &str) -> std::path::PathBuf {
    repo().join("tests/fixtures/realworld").join(name)
}

/// Words of the reading libraries' English texts seen in messages before.
const ENGLISH: &[&str] = &[
    "Expecting",
    "chartsheet",
    "Codepage",
    "panicked",
    "error",
    "Error",
    "Invalid",
    "zip",
    "not found",
    "password",
];

#[track_caller]
fn vietnamese_only(text: &str) {
    for w in ENGLISH {
        assert!(!text.contains(w), "library text {w:?} in {text:?}");
    }
}

#[test]
fn office_files_are_read_right() {
    // (file, accepted, the one error's code, words its message must hold)
    let cases: &[(&str, bool, &str, &str)] = &[
        ("nan-hidden-sheet-xlwt.xls", true, "", ""),
        ("nan-hidden-sheet-lo.ods", true, "", ""),
        ("nan-hidden-sheet-lo.xls", true, "", ""),
        ("chart-first-renamed.xlsx", true, "", ""),
        (
            "charts-only.xlsx",
            false,
            "unreadable-file",
            "chỉ có trang biểu đồ",
        ),
        (
            "xor-obfuscated.xls",
            false,
            "unreadable-file",
            "đặt mật khẩu",
        ),
        ("excel4.xls", false, "unreadable-file", "Excel 4.0"),
        (
            "html-saved-as.xls",
            false,
            "unreadable-file",
            "trang web (HTML)",
        ),
        (
            "csv-saved-as.xls",
            false,
            "unreadable-file",
            "văn bản thuần (có thể là CSV)",
        ),
        (
            "damaged-half.xls",
            false,
            "unreadable-file",
            "tệp bị hỏng hoặc không đúng định dạng",
        ),
    ];
    let mut wrong = Vec::new();
    for (name, accepted, code, words) in cases {
        let (exit, report) = validate(&repo(), &fixture(name), &["--unit", "STP-QTR"]);
        let all = findings(&report);
        let messages: Vec<String> = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["message"].as_str().unwrap().to_string())
            .collect();
        for m in &messages {
            vietnamese_only(m);
        }
        let ok = if *accepted {
            exit == 0 && report["unit"] == "STP-QTR" && report["self_total"].as_f64() > Some(0.0)
        } else {
            exit == 1 && all.len() == 1 && all[0].0 == *code && messages[0].contains(words)
        };
        if !ok {
            wrong.push(format!("{name}: exit {exit}, {messages:?}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    // The renamed sheet behind the chart sheet was found by its content.
    let (_, report) = validate(
        &repo(),
        &fixture("chart-first-renamed.xlsx"),
        &["--unit", "STP-QTR"],
    );
    assert!(
        findings(&report)
            .iter()
            .any(|(c, s, _)| c == "sheet-missing" && s == "warning"),
        "{report}"
    );
}

/// The text of every `.eml` the file transport wrote, decoded.
fn mails(data: &Path) -> Vec<String> {
    crate::support::outbox_mails(data)
        .iter()
        .map(crate::support::Received::text)
        .collect()
}

#[test]
fn whole_file_errors_are_told_as_such_and_library_text_goes_to_the_log() {
    let dir = TempDir::new().unwrap();
    let data = dir.path().join("data");
    let d = Daemon::start(&data, &daemon_env(&data));
    let inbox = d.inbox("STP-QTR");
    for name in [
        "damaged-half.xls",
        "xor-obfuscated.xls",
        "nan-hidden-sheet-lo.ods",
    ] {
        drop_file(&inbox.join(name), &std::fs::read(fixture(name)).unwrap());
    }
    // A file calamine panics on (found by fuzzing).
    let panics = repo().join("tests/fixtures/fuzz/calamine-cfb-to-u32.xls");
    drop_file(&inbox.join("hoang.xls"), &std::fs::read(panics).unwrap());
    let texts = wait_for(Duration::from_secs(60), || {
        let m = mails(&data);
        (m.len() == 4).then_some(m)
    });
    let log = d.log_text();
    assert_eq!(d.stop(), 0, "{log}");
    let rejections: Vec<&String> = texts
        .iter()
        .filter(|t| t.contains("chưa được tiếp nhận"))
        .collect();
    assert_eq!(rejections.len(), 3, "{texts:#?}");
    for t in &rejections {
        vietnamese_only(t);
        assert!(t.contains("thuộc về cả tệp"), "{t}");
        assert!(!t.contains("sửa đúng các ô"), "{t}");
    }
    // The NaN in the hidden sheet did not stop the form being accepted.
    assert!(
        texts
            .iter()
            .any(|t| t.contains("nan-hidden-sheet-lo.ods") && !t.contains("chưa được tiếp nhận")),
        "{texts:#?}"
    );
    // What calamine said about the damaged file is in the log, as a field
    // of a structured event, and no raw text reached standard error.
    let events: Vec<serde_json::Value> = log
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|_| panic!("not a JSON event: {l:?}")))
        .collect();
    assert!(
        events.iter().any(|e| e["target"] == "thidua::workbook"
            && e["detail"].as_str().is_some_and(|d| !d.is_empty())),
        "{log}"
    );
    // The panic's message too, as a field, never as raw text.
    assert!(
        events.iter().any(|e| e["target"] == "thidua::workbook"
            && e["detail"]
                .as_str()
                .is_some_and(|d| d.starts_with("panic: "))),
        "{log}"
    );
}
