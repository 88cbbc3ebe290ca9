//! `thidua demo` with the real binary: a fresh folder gets the whole cycle
//! (receipts, rejections, cross-checks, the year-end documents), mail stays
//! in files whatever the environment says, and a used folder is refused.

use tempfile::TempDir;

use crate::support::{all_files, pdf_text, thidua};

/// `To`, `Cc` and `Subject` of every `.eml` under `dir`, as written
/// (folded lines joined): two mails alike here are the same mail twice.
fn heads(dir: &std::path::Path) -> Vec<String> {
    all_files(dir)
        .iter()
        .filter(|p| p.extension().is_some_and(|x| x == "eml"))
        .map(|p| {
            let raw = std::fs::read_to_string(p).unwrap();
            let head = raw.split("\r\n\r\n").next().unwrap_or_default();
            let head = head.replace("\r\n ", " ").replace("\r\n\t", " ");
            let mut wanted: Vec<&str> = head
                .split("\r\n")
                .filter(|l| ["To:", "Cc:", "Subject:"].iter().any(|h| l.starts_with(h)))
                .collect();
            wanted.sort_unstable();
            wanted.join(" | ")
        })
        .collect()
}

#[test]
fn the_demo_runs_a_sample_year_end_to_end_in_a_fresh_folder() {
    let dir = TempDir::new().unwrap();
    // An SMTP setting in the environment must not make the demo mail anyone.
    let env = [
        ("THIDUA__MAIL__TRANSPORT", "smtp"),
        ("THIDUA__MAIL__SMTP__HOST", "mail.invalid"),
    ];
    let run = thidua(dir.path(), &["demo"], &env);
    assert_eq!(run.code, 0, "{run:?}");
    let data = dir.path().join("thidua-demo");
    for text in [
        "12 tệp của 10 đơn vị đã được nhận: 10 được chấp nhận (có 2 biên bản kiểm tra chéo), 2 bị từ chối",
        "STP-NAN — cố ý chấm một tiêu chí vượt điểm chuẩn (score-above-max)",
        "THADS-NAN — cố ý bỏ trống tài liệu minh chứng (evidence-missing)",
        "reports/2026/bao-cao-xep-hang-thi-dua-2026.pdf",
        "reports/2026/giao-uoc-thi-dua-2027.pdf",
        "thidua status",
    ] {
        assert!(
            run.stdout.contains(text),
            "{text:?} missing from:\n{}",
            run.stdout
        );
    }

    // Exactly: an answer to each of the 12 files, the 2 cross-checks'
    // results to the inspected units, the year-end mail to each of the 10
    // units, to the ministry and to the secretariat; no mail twice.
    let mails = heads(&data.join("outbox"));
    assert_eq!(mails.len(), 12 + 2 + 10 + 1 + 1, "{mails:#?}");
    let distinct: std::collections::BTreeSet<_> = mails.iter().collect();
    assert_eq!(
        distinct.len(),
        mails.len(),
        "a mail written twice: {mails:#?}"
    );
    let findings: Vec<_> = all_files(&data.join("rejected"))
        .into_iter()
        .filter(|p| p.to_string_lossy().ends_with(".findings.txt"))
        .collect();
    assert_eq!(findings.len(), 2, "{findings:?}");
    let all: String = findings
        .iter()
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect();
    assert!(
        all.contains("(score-above-max)") && all.contains("(evidence-missing)"),
        "{all}"
    );
    let ranking = pdf_text(
        &data.join("reports/2026/bao-cao-xep-hang-thi-dua-2026.pdf"),
        None,
    );
    assert!(ranking.contains("Sở Tư pháp tỉnh Quảng Trị"), "{ranking}");

    // The data folder answers the usual commands.
    let pointed = [("THIDUA__PATHS__DATA", data.to_str().unwrap())];
    let status = thidua(dir.path(), &["status"], &pointed);
    assert_eq!(status.code, 0, "{status:?}");
    assert!(
        status.stdout.contains("8/10 đơn vị đã nộp"),
        "{}",
        status.stdout
    );

    // A second demo into the same folder is refused, naming the option.
    let again = thidua(dir.path(), &["demo"], &[]);
    assert_eq!(again.code, 2, "{again:?}");
    assert!(again.stderr.contains("--dir"), "{}", again.stderr);
    assert!(again.stderr.contains("thidua-demo"), "{}", again.stderr);
}
