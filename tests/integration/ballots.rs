//! The commendation vote with the real binary: ballots mailed by the
//! `ballot` job, filled, returned through the inboxes (one replaced, one
//! rejected), the vote closed, tallied by hand and in `score --json`, the
//! minutes mailed; and each ballot finding with its cell.
//!
//! The scored cluster (see `scoring.rs`) gives these candidates (class
//! Xuất sắc): Sở Tư pháp THA, HTI, QTR (NAN is capped at Tốt); Thi hành án
//! NAN, THA. Awards: `co-thi-dua` 1 seat, `bang-khen` 2 seats, per type.

use std::path::Path;
use std::time::Duration;

use serde_json::Value as Json;
use tempfile::TempDir;
use thidua::domain::cells::Value;

use crate::scoring::scored_cluster;
use crate::support::{
    Grid, Smtp, assert_finding, drop_file, pairs, smtp_env, thidua, validate_with, wait_for,
};

const SHEET: &str = "Phiếu bầu";

/// `(award, candidate, what is typed in Đồng ý)`.
pub type Mark<'a> = (&'a str, &'a str, &'a str);

/// The 1-based row of `(award, candidate)` on a ballot.
fn row(g: &Grid, award: &str, candidate: &str) -> u32 {
    let s = g.sheets.iter().find(|s| s.name == SHEET).unwrap();
    let at = |col: u32, text: &str| {
        s.cells
            .iter()
            .filter(move |c| c.col == col && c.value == Value::Text(text.into()))
            .map(|c| c.row)
            .collect::<Vec<u32>>()
    };
    let rows = at(1, award);
    at(4, candidate)
        .into_iter()
        .find(|r| rows.contains(r))
        .unwrap_or_else(|| panic!("no row for {award} / {candidate}"))
        + 1
}

/// The unit's ballot from the real form, with `marks` set to "x".
pub fn filled(dir: &Path, env: &[(&str, &str)], voter: &str, marks: &[Mark]) -> Grid {
    let path = dir.join(format!("blank-{voter}.xlsx"));
    let run = thidua(
        dir,
        &[
            "form",
            "--ballot",
            "--unit",
            voter,
            "-o",
            path.to_str().unwrap(),
        ],
        env,
    );
    assert_eq!(run.code, 0, "{run:?}");
    let mut g = Grid::from_bytes(std::fs::read(&path).unwrap());
    for (award, candidate, mark) in marks {
        let r = row(&g, award, candidate);
        g.text(SHEET, &format!("J{r}"), mark);
    }
    g
}

#[test]
fn the_whole_vote_from_ballots_to_minutes() {
    let dir = TempDir::new().unwrap();
    let data = scored_cluster(dir.path());
    let smtp = Smtp::start(0, &dir.path().join("smtp"), &[]);
    let env = smtp_env(&data, smtp.port);
    let env = pairs(&env);

    // The ballots go out.
    let run = thidua(dir.path(), &["job", "ballot", "--now"], &env);
    assert_eq!(run.code, 0, "{run:?}");
    // The job sends before it returns: one ballot to each of the ten
    // members, carrying that unit's own form.
    let sent = smtp.messages();
    assert_eq!(sent.len(), 10, "{} mails", sent.len());
    for u in crate::support::settings().cluster.members(2026) {
        let file = format!("Phieu-bau-2026-{}.xlsx", u.code);
        let with: Vec<_> = sent.iter().filter(|m| m.raw.contains(&file)).collect();
        assert_eq!(with.len(), 1, "{file}");
        assert!(
            u.emails.iter().all(|e| with[0].rcpt_tos.contains(e)),
            "{file} to {:?}",
            with[0].rcpt_tos
        );
    }
    assert!(
        data.join("reports/2026/phieu-bau/Phieu-bau-2026-STP-THA.xlsx")
            .exists()
    );

    // Seven of ten vote (quorum 7); a candidate needs 4 of 7 votes.
    let (flag, merit) = ("co-thi-dua", "bang-khen");
    let ballots: Vec<(&str, Vec<Mark>)> = vec![
        (
            "STP-THA",
            vec![
                (flag, "STP-HTI", "x"),
                (flag, "THADS-NAN", "X"),
                (merit, "STP-HTI", "✓"),
                (merit, "STP-QTR", "1"),
            ],
        ),
        (
            "STP-NAN",
            vec![
                (flag, "STP-THA", "có"),
                (flag, "THADS-NAN", "x"),
                (merit, "STP-THA", "x"),
                (merit, "STP-HTI", "x"),
            ],
        ),
        (
            "STP-HTI",
            vec![
                (flag, "STP-THA", "x"),
                (flag, "THADS-NAN", "x"),
                (merit, "STP-THA", "x"),
                (merit, "STP-QTR", "x"),
            ],
        ),
        (
            "STP-QTR",
            vec![
                (flag, "STP-THA", "x"),
                (flag, "THADS-NAN", "x"),
                (merit, "STP-THA", "x"),
                (merit, "STP-HTI", "x"),
            ],
        ),
        (
            "THADS-THA",
            vec![
                (flag, "STP-THA", "x"),
                (merit, "STP-THA", "x"),
                (merit, "STP-QTR", "x"),
            ],
        ),
        (
            "THADS-NAN",
            vec![
                (flag, "STP-THA", "x"),
                (flag, "THADS-THA", "x"),
                (merit, "STP-THA", "x"),
                (merit, "STP-HTI", "x"),
            ],
        ),
        (
            "THADS-HTI",
            vec![
                (flag, "STP-THA", "x"),
                (flag, "THADS-THA", "x"),
                (merit, "STP-THA", "x"),
                (merit, "STP-QTR", "x"),
            ],
        ),
    ];
    let inbox = |u: &str| {
        let p = data.join("inbox").join(u);
        std::fs::create_dir_all(&p).unwrap();
        p
    };
    // THADS-HTI first sends another choice, then replaces it.
    filled(
        dir.path(),
        &env,
        "THADS-HTI",
        &[(flag, "STP-HTI", "x"), (merit, "STP-HTI", "x")],
    )
    .write(&inbox("THADS-HTI").join("a-phieu-cu.xlsx"));
    for (voter, marks) in &ballots {
        let name = if *voter == "THADS-HTI" {
            "b-phieu-moi.xlsx"
        } else {
            "phieu.xlsx"
        };
        filled(dir.path(), &env, voter, marks).write(&inbox(voter).join(name));
    }
    // STP-HUE marks three units for two seats: rejected, so it stays absent.
    filled(
        dir.path(),
        &env,
        "STP-HUE",
        &[
            (merit, "STP-THA", "x"),
            (merit, "STP-HTI", "x"),
            (merit, "STP-QTR", "x"),
        ],
    )
    .write(&inbox("STP-HUE").join("phieu.xlsx"));
    let run = thidua(dir.path(), &["run", "--once"], &env);
    assert_eq!(run.code, 0, "{run:?}");

    // The vote closes; a ballot after that is refused.
    let run = thidua(dir.path(), &["job", "close-vote", "--now"], &env);
    assert_eq!(run.code, 0, "{run:?}");
    filled(dir.path(), &env, "STP-HUE", &[(merit, "STP-THA", "x")])
        .write(&inbox("STP-HUE").join("tre.xlsx"));
    let run = thidua(dir.path(), &["run", "--once"], &env);
    assert_eq!(run.code, 0, "{run:?}");
    let late = crate::support::ledger_rows(&data)
        .into_iter()
        .filter(|(_, _, name)| name == "tre.xlsx")
        .map(|(status, _, _)| status)
        .collect::<Vec<_>>();
    assert_eq!(late, ["rejected"]);

    // The tally, counted by hand.
    let score = thidua(dir.path(), &["score", "--json"], &env);
    assert_eq!(score.code, 0, "{score:?}");
    let vote = &score.json()["vote"];
    let mut absent: Vec<&str> = vote["absent"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    absent.sort_unstable();
    assert_eq!(absent, ["STP-HUE", "THADS-HUE", "THADS-QTR"]);
    let section = |award: &str, t: &str| -> &Json {
        vote["sections"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["award"] == award && s["unit_type"] == t)
            .unwrap()
    };
    let votes = |s: &Json| -> Vec<(String, u64)> {
        let mut v: Vec<(String, u64)> = s["counts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                (
                    c["unit"].as_str().unwrap().to_string(),
                    c["votes"].as_u64().unwrap(),
                )
            })
            .collect();
        v.sort();
        v
    };
    let flag_stp = section(flag, "stp");
    assert_eq!(
        (
            flag_stp["voters"].as_u64(),
            flag_stp["quorum_met"].as_bool()
        ),
        (Some(7), Some(true))
    );
    assert_eq!(flag_stp["votes_needed"], 4);
    assert_eq!(
        votes(flag_stp),
        [
            ("STP-HTI".into(), 1),
            ("STP-QTR".into(), 0),
            ("STP-THA".into(), 6)
        ]
    );
    assert_eq!(flag_stp["elected"], serde_json::json!(["STP-THA"]));
    let flag_thads = section(flag, "thads");
    assert_eq!(
        votes(flag_thads),
        [("THADS-NAN".into(), 4), ("THADS-THA".into(), 2)]
    );
    assert_eq!(flag_thads["elected"], serde_json::json!(["THADS-NAN"]));
    let merit_stp = section(merit, "stp");
    assert_eq!(
        votes(merit_stp),
        [
            ("STP-HTI".into(), 4),
            ("STP-QTR".into(), 4),
            ("STP-THA".into(), 6)
        ]
    );
    assert_eq!(merit_stp["elected"], serde_json::json!(["STP-THA"]));
    let mut tied: Vec<&str> = merit_stp["tied"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    tied.sort_unstable();
    assert_eq!(
        tied,
        ["STP-HTI", "STP-QTR"],
        "a tie for the last seat is reported"
    );

    // The minutes went to the secretariat when the vote closed; they name
    // the units and the counts.
    let minutes = data.join("reports/2026/bien-ban-bau-chon-khen-thuong-2026.pdf");
    let text = crate::support::pdf_text(&minutes, None);
    for needle in [
        "BIÊN BẢN KIỂM PHIẾU",
        "Bầu chọn đơn vị đề nghị khen thưởng năm 2026",
        "Hội nghị tổng kết công tác thi đua, khen thưởng năm 2026",
        "tại Hội trường Sở Tư pháp tỉnh Hà Tĩnh, do Trần Đình Khánh",
        "I. BAN KIỂM PHIẾU",
        "1. Phan Văn Hiếu, Giám đốc Sở Tư pháp tỉnh Quảng Trị — Trưởng ban;",
        "Số phiếu phát ra: 10",
        "Số phiếu thu về: 8",
        "Số phiếu hợp lệ: 7;",
        // STP-HUE's ballot, refused at intake, is counted as invalid, with why.
        "Số phiếu không hợp lệ: 1, gồm:",
        "+ Phiếu của Sở Tư pháp thành phố Huế:",
        "Đơn vị có phiếu hợp lệ (7)",
        "Đơn vị không gửi phiếu (2)",
        "TRƯỞNG BAN KIỂM PHIẾU",
        "Việc kiểm phiếu kết thúc lúc",
        "Cờ thi đua của Bộ Tư pháp — khối Sở Tư pháp (1 suất)",
        "Số phiếu hợp lệ: 7/10 đơn vị",
        "Bằng phiếu",
        "THƯ KÝ",
        "Nguyễn Thị Minh Tâm",
    ] {
        assert!(
            text.contains(needle),
            "{needle} missing from the minutes:\n{text}"
        );
    }
    let to_secretariat = wait_for(Duration::from_secs(20), || {
        smtp.messages()
            .into_iter()
            .find(|m| m.raw.contains("bien-ban-bau-chon-khen-thuong-2026.pdf"))
    });
    assert_eq!(to_secretariat.rcpt_tos, ["vanphong@stp.hatinh.example"]);

    // The year-end package carries the minutes to every unit and the ministry.
    let run = thidua(dir.path(), &["job", "year-end", "--now"], &env);
    assert_eq!(run.code, 0, "{run:?}");
    let year_end = wait_for(Duration::from_secs(30), || {
        let m: Vec<_> = smtp
            .messages()
            .into_iter()
            .filter(|m| m.raw.contains("giao-uoc-thi-dua-2027.pdf"))
            .collect();
        (m.len() >= 12).then_some(m)
    });
    assert!(
        year_end
            .iter()
            .all(|m| m.raw.contains("bien-ban-bau-chon-khen-thuong-2026.pdf"))
    );
    // The ranking and the proposals the year-end run wrote carry the vote.
    for f in [
        "bao-cao-xep-hang-thi-dua-2026.pdf",
        "de-nghi-khen-thuong-2026.pdf",
    ] {
        let text = crate::support::pdf_text(&data.join("reports/2026").join(f), None);
        assert!(text.contains("BẦU CHỌN"), "{f}: {text}");
    }
    let report = thidua(
        dir.path(),
        &[
            "report",
            "ranking",
            "--final",
            "-o",
            dir.path().join("kq.pdf").to_str().unwrap(),
        ],
        &env,
    );
    assert_eq!(report.code, 0, "{report:?}");
    let text = crate::support::pdf_text(&dir.path().join("kq.pdf"), None);
    assert!(text.contains("KẾT QUẢ BẦU CHỌN KHEN THƯỞNG"), "{text}");
}

#[test]
fn each_ballot_finding_names_its_cell() {
    let dir = TempDir::new().unwrap();
    let data = scored_cluster(dir.path());
    let env = [("THIDUA__PATHS__DATA", data.to_str().unwrap())];
    let (flag, merit) = ("co-thi-dua", "bang-khen");
    let write = |name: &str, g: &Grid| {
        let p = dir.path().join(name);
        g.write(&p);
        p
    };

    // Every spelling of a mark is accepted.
    let ok = filled(
        dir.path(),
        &env,
        "STP-NAN",
        &[
            (flag, "STP-THA", "X"),
            (flag, "THADS-NAN", "✓"),
            (merit, "STP-HTI", "có"),
            (merit, "STP-QTR", "1"),
        ],
    );
    let (code, report) = validate_with(
        &env,
        dir.path(),
        &write("ok.xlsx", &ok),
        &["--unit", "STP-NAN"],
    );
    assert_eq!(code, 0, "{report}");

    // Three marks for two seats: the third mark is named.
    let g = filled(
        dir.path(),
        &env,
        "STP-NAN",
        &[
            (merit, "STP-THA", "x"),
            (merit, "STP-HTI", "x"),
            (merit, "STP-QTR", "x"),
        ],
    );
    let third = format!(
        "J{}",
        row(&g, merit, "STP-QTR")
            .max(row(&g, merit, "STP-HTI"))
            .max(row(&g, merit, "STP-THA"))
    );
    let (_, report) = validate_with(&env, dir.path(), &write("many.xlsx", &g), &[]);
    assert_finding(&report, "ballot-too-many-marks", Some(&third));

    // A unit voting for itself (its own code typed over another row's).
    let mut g = filled(dir.path(), &env, "STP-HTI", &[(flag, "STP-THA", "x")]);
    let r = row(&g, flag, "STP-THA");
    g.text(SHEET, &format!("E{r}"), "STP-HTI");
    let (_, report) = validate_with(&env, dir.path(), &write("self.xlsx", &g), &[]);
    assert_finding(&report, "ballot-self-vote", Some(&format!("J{r}")));

    // A candidate not on the list (STP-NAN is Tốt, not Xuất sắc).
    let mut g = filled(dir.path(), &env, "STP-HTI", &[(flag, "STP-THA", "x")]);
    let r = row(&g, flag, "STP-THA");
    g.text(SHEET, &format!("E{r}"), "STP-NAN");
    let (_, report) = validate_with(&env, dir.path(), &write("unknown.xlsx", &g), &[]);
    assert_finding(&report, "ballot-candidate-unknown", Some(&format!("E{r}")));

    // A mark that is neither yes nor no.
    let g = filled(dir.path(), &env, "STP-HTI", &[(flag, "STP-THA", "?")]);
    let cell = format!("J{}", row(&g, flag, "STP-THA"));
    let (_, report) = validate_with(&env, dir.path(), &write("unclear.xlsx", &g), &[]);
    assert_finding(&report, "ballot-mark-invalid", Some(&cell));

    // The same checks as the self-scoring form for the header block.
    let mut g = filled(dir.path(), &env, "STP-HTI", &[]);
    g.text(SHEET, "C5", "STP-XYZ");
    let (_, report) = validate_with(&env, dir.path(), &write("who.xlsx", &g), &[]);
    assert_finding(&report, "unit-unknown", Some("C5"));

    // After the vote is closed, a ballot is refused.
    let run = thidua(dir.path(), &["job", "close-vote", "--now"], &env);
    assert_eq!(run.code, 0, "{run:?}");
    let (code, report) = validate_with(
        &env,
        dir.path(),
        &write("late.xlsx", &ok),
        &["--unit", "STP-NAN"],
    );
    assert_eq!(code, 1);
    assert_finding(&report, "ballot-closed", None);
}

/// A ballot dropped into a unit folder of a running cluster is acknowledged.
#[test]
fn a_ballot_gets_a_receipt() {
    let dir = TempDir::new().unwrap();
    let data = scored_cluster(dir.path());
    let env = [
        ("THIDUA__PATHS__DATA", data.to_str().unwrap()),
        ("THIDUA__INBOX__STABLE_SECS", "0.2"),
    ];
    let g = filled(
        dir.path(),
        &env,
        "STP-QTR",
        &[("co-thi-dua", "STP-THA", "x")],
    );
    let p = data.join("inbox/STP-QTR/phieu-bau.xlsx");
    g.write(&dir.path().join("tmp.xlsx"));
    drop_file(&p, &std::fs::read(dir.path().join("tmp.xlsx")).unwrap());
    let run = thidua(dir.path(), &["run", "--once"], &env);
    assert_eq!(run.code, 0, "{run:?}");
    let texts: Vec<String> = crate::support::outbox_mails(&data)
        .into_iter()
        .filter(|m| m.raw.contains("vanphong@stp.quangtri.example"))
        .map(|m| m.text())
        .collect();
    assert!(
        texts.iter().any(
            |t| t.contains("đã tiếp nhận phiếu bầu chọn khen thưởng năm 2026")
                && t.contains("Số đơn vị được đơn vị đồng ý bầu chọn: 1")
        ),
        "{texts:#?}"
    );
    let rows = crate::support::ledger_rows(&data);
    assert!(
        rows.iter()
            .any(|(status, _, name)| status == "accepted" && name == "phieu-bau.xlsx"),
        "{rows:?}"
    );
}

/// The units elect other units than the ranking's quota would (the flag of
/// the Sở Tư pháp to Hà Tĩnh, not Thanh Hóa; of the Thi hành án to Thanh
/// Hóa, not Nghệ An): after the close and the year-end run, every paper and
/// mail proposes the elected units, and the Tờ trình's attachments go.
#[test]
fn the_vote_not_the_quota_decides_every_paper_and_mail() {
    let dir = TempDir::new().unwrap();
    let data = scored_cluster(dir.path());
    let smtp = Smtp::start(0, &dir.path().join("smtp"), &[]);
    let env = smtp_env(&data, smtp.port);
    let env = pairs(&env);
    let run = thidua(dir.path(), &["job", "ballot", "--now"], &env);
    assert_eq!(run.code, 0, "{run:?}");
    let (flag, merit) = ("co-thi-dua", "bang-khen");
    let inbox = |u: &str| {
        let p = data.join("inbox").join(u);
        std::fs::create_dir_all(&p).unwrap();
        p
    };
    for voter in [
        "STP-THA",
        "STP-NAN",
        "STP-HTI",
        "STP-QTR",
        "THADS-THA",
        "THADS-NAN",
        "THADS-HTI",
    ] {
        // No unit votes for itself: Hà Tĩnh gives its flag vote to Thanh
        // Hóa, Thanh Hóa (THADS) to Nghệ An; each still has 6 of 7.
        let stp_flag = if voter == "STP-HTI" {
            "STP-THA"
        } else {
            "STP-HTI"
        };
        let thads_flag = if voter == "THADS-THA" {
            "THADS-NAN"
        } else {
            "THADS-THA"
        };
        let mut marks = vec![(flag, stp_flag, "x"), (flag, thads_flag, "x")];
        if voter != "STP-THA" {
            marks.push((merit, "STP-THA", "x"));
        }
        if voter != "STP-QTR" {
            marks.push((merit, "STP-QTR", "x"));
        }
        filled(dir.path(), &env, voter, &marks).write(&inbox(voter).join("phieu.xlsx"));
    }
    let run = thidua(dir.path(), &["run", "--once"], &env);
    assert_eq!(run.code, 0, "{run:?}");
    let run = thidua(dir.path(), &["job", "close-vote", "--now"], &env);
    assert_eq!(run.code, 0, "{run:?}");
    let run = thidua(dir.path(), &["job", "year-end", "--now"], &env);
    assert_eq!(run.code, 0, "{run:?}");

    let reports = data.join("reports/2026");
    let ranking =
        crate::support::pdf_text(&reports.join("bao-cao-xep-hang-thi-dua-2026.pdf"), None);
    for needle in [
        "Đề nghị khen thưởng theo kết quả bầu chọn",
        "Sở Tư pháp tỉnh Hà Tĩnh: đề nghị tặng Cờ thi đua của Bộ Tư pháp",
        "Thi hành án dân sự tỉnh Thanh Hóa: đề nghị tặng Cờ thi đua của Bộ Tư pháp",
        "Sở Tư pháp tỉnh Thanh Hóa: đề nghị tặng Bằng khen của Bộ trưởng Bộ Tư pháp",
    ] {
        assert!(ranking.contains(needle), "{needle}: {ranking}");
    }
    for quota in [
        "Sở Tư pháp tỉnh Thanh Hóa: đề nghị tặng Cờ thi đua",
        "Thi hành án dân sự tỉnh Nghệ An: đề nghị tặng Cờ thi đua",
        "Gợi ý",
    ] {
        assert!(!ranking.contains(quota), "{quota}: {ranking}");
    }
    let proposals = crate::support::pdf_text(&reports.join("de-nghi-khen-thuong-2026.pdf"), None);
    for needle in [
        "Kết quả bầu chọn",
        "Được bầu chọn với 6/7 phiếu đồng ý",
        "Sở Tư pháp tỉnh Hà Tĩnh",
        "Hồ sơ kèm theo",
        "Phiếu chấm điểm thi đua năm 2026 của 6 đơn vị",
    ] {
        assert!(proposals.contains(needle), "{needle}: {proposals}");
    }
    // Each proposal row of the Tờ trình: the unit and its award.
    let layout = std::process::Command::new("pdftotext")
        .args(["-layout", "-enc", "UTF-8"])
        .arg(reports.join("de-nghi-khen-thuong-2026.pdf"))
        .arg("-")
        .output()
        .unwrap();
    let layout = String::from_utf8(layout.stdout).unwrap();
    // No word breaks inside in a table cell ("Hạn" / "g" in the header).
    assert!(layout.contains("Hạng"), "{layout}");
    assert!(!layout.lines().any(|l| l.trim() == "g"), "{layout}");
    // A row's award may wrap onto the line above or below its unit.
    let lines: Vec<&str> = layout.lines().collect();
    let flag_rows: Vec<&str> = (0..lines.len())
        .filter(|&i| lines[i].contains("Xuất sắc"))
        .filter(|&i| {
            lines[i.saturating_sub(1)..=(i + 1).min(lines.len() - 1)]
                .iter()
                .any(|l| l.contains("Cờ thi đua của Bộ"))
        })
        .map(|i| lines[i])
        .collect();
    assert_eq!(flag_rows.len(), 2, "{layout}");
    assert!(
        flag_rows
            .iter()
            .any(|l| l.contains("Sở Tư pháp tỉnh Hà Tĩnh")),
        "{layout}"
    );
    assert!(!flag_rows.iter().any(|l| l.contains("Nghệ An")), "{layout}");

    let minutes = crate::support::pdf_text(
        &reports.join("bien-ban-bau-chon-khen-thuong-2026.pdf"),
        None,
    );
    // Scored on the shipped sample tables: every page of every kind made
    // from them says so (the agreement is made from no table).
    for f in [
        "bao-cao-xep-hang-thi-dua-2026.pdf",
        "de-nghi-khen-thuong-2026.pdf",
        "bien-ban-bau-chon-khen-thuong-2026.pdf",
        "phieu-cham-diem/Phieu-cham-diem-2026-STP-HTI.pdf",
    ] {
        let info = std::process::Command::new("pdfinfo")
            .arg(reports.join(f))
            .output()
            .unwrap();
        let pages: usize = String::from_utf8_lossy(&info.stdout)
            .lines()
            .find_map(|l| l.strip_prefix("Pages:"))
            .and_then(|n| n.trim().parse().ok())
            .unwrap_or_else(|| panic!("{f}: no page count"));
        assert!(pages >= 2, "{f}: {pages} pages");
        for page in 1..=pages {
            let text = crate::support::pdf_text(&reports.join(f), Some((page, page)));
            assert!(
                text.contains("BẢN MẪU: chấm theo bảng tiêu chí mẫu"),
                "{f} p. {page}: {text}"
            );
        }
    }
    let status = thidua(dir.path(), &["status"], &env);
    assert!(
        status.stdout.contains(
            "Cảnh báo: đang dùng bảng tiêu chí MẪU (sample = true): stp 2026, thads 2026"
        ),
        "{}",
        status.stdout
    );
    // Decree 30: the bases cited in full, in italics, ";" then "."; the
    // copy kept by the drafting body; true metadata, no PDF/X claim.
    for needle in [
        "Kính gửi: Bộ Tư pháp (Vụ Tổ chức cán bộ)",
        "Căn cứ Luật Thi đua, khen thưởng ngày 15 tháng 6 năm 2022;",
        "Căn cứ Nghị định số 98/2023/NĐ-CP ngày 31 tháng 12 năm 2023",
        "của Khu vực thi đua các cơ quan Tư pháp các tỉnh Bắc Trung Bộ. Khu vực",
        "- Lưu: VT, KVTĐ.",
    ] {
        assert!(proposals.contains(needle), "{needle}: {proposals}");
    }
    for f in [
        "bao-cao-xep-hang-thi-dua-2026.pdf",
        "de-nghi-khen-thuong-2026.pdf",
        "bien-ban-bau-chon-khen-thuong-2026.pdf",
        "giao-uoc-thi-dua-2027.pdf",
    ] {
        let bytes = std::fs::read(reports.join(f)).unwrap();
        let doc = lopdf::Document::load_mem(&bytes).unwrap();
        let info = doc
            .get_dictionary(doc.trailer.get(b"Info").unwrap().as_reference().unwrap())
            .unwrap();
        assert!(info.get(b"GTS_PDFXVersion").is_err(), "{f}: no PDF/X claim");
        let created = info.get(b"CreationDate").unwrap().as_str().unwrap();
        let year = chrono::Datelike::year(&chrono::Utc::now()).to_string();
        assert!(
            created.starts_with(format!("D:{year}").as_bytes()) && created.ends_with(b"+07'00'"),
            "{f}: {}",
            String::from_utf8_lossy(created)
        );
    }
    // The conference's papers carry its date (the test config holds it
    // yesterday), whatever day the run is.
    let held = crate::support::settings()
        .cluster
        .year(2026)
        .unwrap()
        .conference
        .clone()
        .unwrap()
        .date;
    let held = thidua::domain::vn::format_date(held);
    for f in [
        "bao-cao-xep-hang-thi-dua-2026.pdf",
        "de-nghi-khen-thuong-2026.pdf",
        "bien-ban-bau-chon-khen-thuong-2026.pdf",
        "giao-uoc-thi-dua-2027.pdf",
    ] {
        let text = crate::support::pdf_text(&reports.join(f), None);
        assert!(
            text.contains(&format!("Hà Tĩnh, {held}")),
            "{f}: {held} in {text}"
        );
    }
    // `report proposals|minutes` write the same papers; --date overrides.
    for kind in ["proposals", "minutes"] {
        let out = dir.path().join(format!("{kind}.pdf"));
        let run = thidua(
            dir.path(),
            &[
                "report",
                kind,
                "--date",
                "2026-12-20",
                "-o",
                out.to_str().unwrap(),
            ],
            &env,
        );
        assert_eq!(run.code, 0, "{run:?}");
        let text = crate::support::pdf_text(&out, None);
        assert!(
            text.contains("Hà Tĩnh, ngày 20 tháng 12 năm 2026"),
            "{kind}: {text}"
        );
        assert!(text.contains("Sở Tư pháp tỉnh Hà Tĩnh"), "{kind}: {text}");
    }
    assert!(minutes.contains("Sở Tư pháp tỉnh Hà Tĩnh"), "{minutes}");

    let year_end = wait_for(Duration::from_secs(30), || {
        let m: Vec<_> = smtp
            .messages()
            .into_iter()
            .filter(|m| m.raw.contains("giao-uoc-thi-dua-2027.pdf"))
            .collect();
        (m.len() >= 12).then_some(m)
    });
    for m in &year_end {
        let text = m.text();
        assert!(
            text.contains("Cờ thi đua của Bộ Tư pháp (khối Sở Tư pháp): Sở Tư pháp tỉnh Hà Tĩnh."),
            "{text}"
        );
        assert!(
            text.contains(
                "Cờ thi đua của Bộ Tư pháp (khối Thi hành án dân sự): Thi hành án dân sự tỉnh Thanh Hóa."
            ),
            "{text}"
        );
        assert!(text.contains("theo kết quả bầu chọn"), "{text}");
        assert!(text.contains("Trân trọng."), "{text}");
    }
    let closed = smtp
        .messages()
        .into_iter()
        .find(|m| m.raw.contains("Kết thúc bầu chọn") || m.text().contains("Kết quả bầu chọn:"))
        .expect("the vote-closed mail");
    assert!(
        closed
            .text()
            .contains("(khối Sở Tư pháp): Sở Tư pháp tỉnh Hà Tĩnh."),
        "{}",
        closed.text()
    );
    // The ministry's mail carries what the Tờ trình lists: every sheet.
    let ministry = year_end
        .iter()
        .find(|m| m.rcpt_tos.iter().any(|r| r.contains("moj")))
        .expect("the ministry's mail");
    for u in [
        "STP-THA",
        "STP-NAN",
        "STP-HTI",
        "STP-QTR",
        "THADS-THA",
        "THADS-NAN",
    ] {
        assert!(
            ministry
                .raw
                .contains(&format!("Phieu-cham-diem-2026-{u}.pdf")),
            "{u}"
        );
    }
}
