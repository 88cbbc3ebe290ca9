//! A cluster's worth of workbooks and cross-checks dropped into the daemon,
//! then `thidua score --json` against a ranking worked out by hand.
//!
//! Sở Tư pháp (200 + 10 bonus; full marks = 210):
//! - STP-THA: full marks → 210; Xuất sắc; the flag.
//! - STP-NAN: A.I.1 (a hard condition, max 3) at 2,25 → 209,25; Xuất sắc by
//!   points but capped at Tốt; no award (both need Xuất sắc).
//! - STP-HTI: deduction D.2 = 1 → 209; Xuất sắc; Bằng khen.
//! - STP-QTR: first sends full marks, then a later file with A.I.2 = 2,25 and
//!   B.I.1 = 4 (self total 208,25), which replaces it. STP-HTI (its inspector
//!   in 2026) sends a cross-check raising A.I.2 to 3, then a later one that
//!   raises A.I.2 to 3 and lowers B.I.1 to 2,5: final 210 − 2,5 = 207,5;
//!   Xuất sắc; the second Bằng khen.
//! - STP-HUE: nothing → missing.
//!
//! Thi hành án dân sự (100 + 5 bonus = 105): THADS-NAN and THADS-THA both
//! full marks, rank 1 both; group A equal, so the earlier file (NAN, taken
//! first) goes first and takes the flag; THA gets a Bằng khen; three missing.

use std::path::{Path, PathBuf};

use serde_json::Value as Json;
use tempfile::TempDir;

use crate::support::{crosscheck, drop_file, full_form, thidua};

fn rows(t: &Json) -> Vec<(String, u64, u64, f64, String, Option<String>)> {
    t["ranking"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["unit"].as_str().unwrap().to_string(),
                r["rank"].as_u64().unwrap(),
                r["position"].as_u64().unwrap(),
                r["total"].as_f64().unwrap(),
                r["class"].as_str().unwrap_or("").to_string(),
                r["proposal"]["award"].as_str().map(str::to_string),
            )
        })
        .collect()
}

/// Drops the cluster described above into `dir/data` and lets the daemon
/// take it in once (file mail transport). Returns the data folder.
pub fn scored_cluster(dir: &Path) -> PathBuf {
    let data = dir.join("data");
    let inbox = |unit: &str| {
        let p = data.join("inbox").join(unit);
        std::fs::create_dir_all(&p).unwrap();
        p
    };
    drop_file(
        &inbox("STP-THA").join("bang.xlsx"),
        &full_form("STP-THA", &[]),
    );
    drop_file(
        &inbox("STP-NAN").join("bang.xlsx"),
        &full_form("STP-NAN", &[("A.I.1", 2.25)]),
    );
    drop_file(
        &inbox("STP-HTI").join("bang.xlsx"),
        &full_form("STP-HTI", &[("D.2", 1.0)]),
    );
    drop_file(
        &inbox("STP-QTR").join("a-truoc.xlsx"),
        &full_form("STP-QTR", &[]),
    );
    drop_file(
        &inbox("STP-QTR").join("b-sau.xlsx"),
        &full_form("STP-QTR", &[("A.I.2", 2.25), ("B.I.1", 4.0)]),
    );
    let first = crosscheck(
        "STP-HTI",
        "STP-QTR",
        &[(
            "A.I.2",
            2.25,
            3.0,
            "Báo cáo gửi đúng hạn theo sổ công văn đến",
        )],
    );
    let later = crosscheck(
        "STP-HTI",
        "STP-QTR",
        &[
            (
                "A.I.2",
                2.25,
                3.0,
                "Báo cáo gửi đúng hạn theo sổ công văn đến",
            ),
            ("B.I.1", 4.0, 2.5, "Kế hoạch ban hành tháng 3"),
        ],
    );
    first.write(&inbox("STP-HTI").join("kc-1.xlsx"));
    later.write(&inbox("STP-HTI").join("kc-2.xlsx"));
    drop_file(
        &inbox("THADS-NAN").join("bang.xlsx"),
        &full_form("THADS-NAN", &[]),
    );
    drop_file(
        &inbox("THADS-THA").join("bang.xlsx"),
        &full_form("THADS-THA", &[]),
    );

    let env = [
        ("THIDUA__PATHS__DATA", data.to_str().unwrap()),
        ("THIDUA__INBOX__STABLE_SECS", "0.2"),
    ];
    let run = thidua(dir, &["run", "--once"], &env);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stdout.contains("Đã xử lý 9 tệp"), "{}", run.stdout);
    data
}

/// The environment that points `thidua` at `data`.
pub fn env(data: &Path) -> [(&'static str, String); 2] {
    [
        ("THIDUA__PATHS__DATA", data.to_str().unwrap().to_string()),
        ("THIDUA__INBOX__STABLE_SECS", "0.2".to_string()),
    ]
}

#[test]
fn a_clusters_files_give_the_hand_computed_ranking() {
    let dir = TempDir::new().unwrap();
    let data = scored_cluster(dir.path());
    let env = env(&data);
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let score = thidua(dir.path(), &["score", "--json"], &env);
    assert_eq!(score.code, 0, "{score:?}");
    let json = score.json();
    assert_eq!(json["year"], 2026);
    let stp = &json["types"][0];
    assert_eq!(stp["unit_type"], "stp");
    let s = |u: &str, rank, pos, total, class: &str, award: Option<&str>| {
        (
            u.to_string(),
            rank,
            pos,
            total,
            class.to_string(),
            award.map(str::to_string),
        )
    };
    assert_eq!(
        rows(stp),
        vec![
            s("STP-THA", 1, 1, 210.0, "Xuất sắc", Some("co-thi-dua")),
            s("STP-NAN", 2, 2, 209.25, "Tốt", None),
            s("STP-HTI", 3, 3, 209.0, "Xuất sắc", Some("bang-khen")),
            s("STP-QTR", 4, 4, 207.5, "Xuất sắc", Some("bang-khen")),
        ]
    );
    assert_eq!(stp["missing"][0]["unit"], "STP-HUE");
    let nan = &stp["ranking"][1];
    assert_eq!(nan["capped"], true);
    assert_eq!(nan["unmet_hard"][0], "A.I.1");
    let qtr = &stp["ranking"][3];
    let adj: Vec<(String, f64, f64)> = qtr["adjustments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["criterion"].as_str().unwrap().to_string(),
                a["self_score"].as_f64().unwrap(),
                a["verified"].as_f64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        adj,
        vec![("A.I.2".into(), 2.25, 3.0), ("B.I.1".into(), 4.0, 2.5)]
    );
    let groups: Vec<(String, f64)> = qtr["groups"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|g| !g["code"].as_str().unwrap().contains('.'))
        .map(|g| {
            (
                g["code"].as_str().unwrap().to_string(),
                g["total"].as_f64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        groups,
        vec![
            ("A".into(), 150.0),
            ("B".into(), 47.5),
            ("C".into(), 10.0),
            ("D".into(), 0.0)
        ]
    );

    let thads = &json["types"][1];
    assert_eq!(
        rows(thads),
        vec![
            s("THADS-NAN", 1, 1, 105.0, "Xuất sắc", Some("co-thi-dua")),
            s("THADS-THA", 1, 2, 105.0, "Xuất sắc", Some("bang-khen"))
        ]
    );
    assert!(
        thads["ranking"][0]["tie_break"]
            .as_str()
            .unwrap()
            .contains("sớm hơn"),
        "{}",
        thads["ranking"][0]
    );
    assert_eq!(thads["missing"].as_array().unwrap().len(), 3);

    // The inspected unit was told which criteria changed, with both scores and the reason.
    let texts: Vec<String> = crate::support::outbox_mails(&data)
        .into_iter()
        // `To: <name> <address>` (the unit by name, RFC 2047-encoded).
        .filter(|m| {
            m.header("To")
                .is_some_and(|to| to.contains("<vanphong@stp.quangtri.example>"))
        })
        .map(|m| m.text())
        .collect();
    let notice = texts
        .iter()
        .find(|t| {
            t.contains("biên bản kiểm tra chéo năm 2026 của Sở Tư pháp tỉnh Hà Tĩnh")
                && t.contains("B.I.1")
        })
        .unwrap_or_else(|| panic!("no cross-check notice among {texts:#?}"));
    assert!(
        notice.contains("Tiêu chí 1 (B.I.1)")
            && notice.contains("Điểm tự chấm: 4 — Điểm kiểm tra: 2,5"),
        "{notice}"
    );
    assert!(
        notice.contains("Lý do: Kế hoạch ban hành tháng 3"),
        "{notice}"
    );
    let human = thidua(dir.path(), &["score"], &env);
    assert!(
        human.stdout.contains("STP-QTR") && human.stdout.contains("207,5"),
        "{}",
        human.stdout
    );
    assert!(
        human
            .stdout
            .contains("Chưa có bảng tự chấm được tiếp nhận: STP-HUE"),
        "{}",
        human.stdout
    );
}

#[test]
fn the_2022_cluster_prints_its_old_names() {
    let dir = TempDir::new().unwrap();
    let data = dir.path().join("data");
    let config = crate::support::repo().join("config/samples/cluster-2022.toml");
    let env = [("THIDUA__PATHS__DATA", data.to_str().unwrap())];
    let run = thidua(
        dir.path(),
        &["--config", config.to_str().unwrap(), "score"],
        &env,
    );
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stdout
            .contains("Cục Thi hành án dân sự tỉnh Quảng Bình"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("Sở Tư pháp tỉnh Thừa Thiên Huế"),
        "{}",
        run.stdout
    );
    let now = thidua(dir.path(), &["score"], &env);
    assert!(
        now.stdout.contains("Sở Tư pháp thành phố Huế") && !now.stdout.contains("Quảng Bình"),
        "{}",
        now.stdout
    );
}

/// A unit whose workbook was refused sent something: the ranking, `status`
/// and the status page's data tell it from a unit that sent nothing.
#[test]
fn a_refused_workbook_is_not_told_as_nothing_sent() {
    let dir = TempDir::new().unwrap();
    let data = scored_cluster(dir.path());
    let env = env(&data);
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    drop_file(
        &data.join("inbox/STP-HUE/bang.xlsx"),
        &crate::support::form_file("STP-HUE", 9, true),
    );
    let run = thidua(dir.path(), &["run", "--once"], &env);
    assert_eq!(run.code, 0, "{run:?}");
    let pdf = dir.path().join("xep-hang.pdf");
    let run = thidua(
        dir.path(),
        &["report", "ranking", "-o", pdf.to_str().unwrap()],
        &env,
    );
    assert_eq!(run.code, 0, "{run:?}");
    let text = crate::support::pdf_text(&pdf, None);
    assert!(
        text.contains(
            "- Đã gửi nhưng bảng tự chấm điểm bị từ chối, chưa gửi lại bảng hợp lệ: Sở Tư pháp thành phố Huế."
        ),
        "{text}"
    );
    // The Sở Tư pháp all sent something; of the enforcement agencies,
    // three sent nothing.
    let sent_nothing: Vec<&str> = text
        .split("- Chưa gửi bảng tự chấm điểm: ")
        .skip(1)
        .map(|rest| rest.split('.').next().unwrap())
        .collect();
    assert_eq!(
        sent_nothing,
        [
            "Thi hành án dân sự tỉnh Hà Tĩnh; Thi hành án dân sự tỉnh Quảng Trị; Thi hành án dân sự thành phố Huế"
        ],
        "{text}"
    );
    let status = thidua(dir.path(), &["status"], &env);
    let hue = status
        .stdout
        .lines()
        .find(|l| l.trim_start().starts_with("STP-HUE"))
        .unwrap();
    assert!(hue.contains("bị từ chối"), "{hue}");
    let hti = status
        .stdout
        .lines()
        .find(|l| l.trim_start().starts_with("THADS-HTI"))
        .unwrap();
    assert!(hti.contains("chưa nộp"), "{hti}");
}
