//! Mail through a real SMTP server (aiosmtpd, `tests/smtp/server.py`):
//! receipts and rejections, STARTTLS with AUTH, a server down while files
//! arrive, and a workbook that tries to smuggle SMTP commands.

use std::collections::HashSet;
use std::time::Duration;

use tempfile::TempDir;
use thidua::domain::cells::Value;

use crate::support::{
    Daemon, Grid, SELF, Smtp, drop_file, form_file, free_port, ledger_rows, smtp_env, wait_for,
};

#[test]
fn receipts_and_rejections_reach_the_smtp_server() {
    let dir = TempDir::new().unwrap();
    let smtp = Smtp::start(0, &dir.path().join("smtp"), &[]);
    let data = dir.path().join("data");
    let d = Daemon::start(&data, &smtp_env(&data, smtp.port));
    drop_file(
        &d.inbox("STP-HTI").join("bang.xlsx"),
        &form_file("STP-HTI", 4, false),
    );
    drop_file(
        &d.inbox("THADS-THA").join("loi.xlsx"),
        &form_file("THADS-THA", 5, true),
    );
    let msgs = wait_for(Duration::from_secs(20), || {
        let m = smtp.messages();
        (m.len() == 2).then_some(m)
    });
    // The rejection is copied to the secretariat (at stp.hatinh too): tell
    // them apart by the enforcement agency's address, whatever the order.
    let receipt = msgs
        .iter()
        .find(|m| !m.rcpt_tos.iter().any(|r| r.contains("thads.thanhhoa")))
        .unwrap();
    for to in [
        "vanphong@stp.hatinh.example",
        "khuvucthidua@stp.hatinh.example",
    ] {
        assert!(
            receipt.rcpt_tos.iter().any(|r| r == to),
            "the receipt goes to STP-HTI's addresses: {:?}",
            receipt.rcpt_tos
        );
    }
    let subject = receipt.header("Subject").unwrap();
    assert!(
        subject.starts_with("=?utf-8?"),
        "non-ASCII subjects are encoded: {subject}"
    );
    let text = receipt.text();
    assert!(
        text.contains("đã tiếp nhận bảng tự chấm điểm thi đua năm 2026"),
        "{text}"
    );
    assert!(text.contains("Tổng điểm tự chấm:"), "{text}");
    assert!(text.contains("Tệp: bang.xlsx"), "{text}");
    // Read as from an office: the deduction group as a deduction, the
    // closing, the signing body; dated in Viet Nam's time.
    assert!(
        text.contains("D. ĐIỂM TRỪ: không bị trừ điểm (trừ tối đa 20)"),
        "{text}"
    );
    assert!(
        text.replace("\r\n", "\n")
            .contains("Trân trọng.\n\nThường trực Khu vực thi đua các cơ quan Tư pháp"),
        "{text}"
    );
    assert!(!text.contains("Văn phòng Khu vực"), "{text}");
    let sent_at = receipt.header("Date").unwrap();
    assert!(sent_at.ends_with("+0700"), "{sent_at}");
    // The score sheet travels with the receipt.
    assert!(
        text.contains("Phiếu chấm điểm (tệp PDF đính kèm)"),
        "{text}"
    );
    assert!(receipt.raw.contains("Content-Type: application/pdf"));
    // From and To name the secretariat and the unit: RFC 2047 on the wire,
    // decoded (by mail-parser, not thidua's code) to NFC Vietnamese.
    for h in ["From", "To"] {
        let raw = receipt.header(h).unwrap();
        assert!(raw.starts_with("=?utf-8?"), "{h} is encoded: {raw}");
    }
    let parsed = mail_parser::MessageParser::default()
        .parse(receipt.raw.as_bytes())
        .unwrap();
    let shown = |a: Option<&mail_parser::Address>| -> Vec<(String, String)> {
        a.unwrap()
            .iter()
            .map(|m| {
                (
                    m.name().unwrap_or_default().to_string(),
                    m.address().unwrap_or_default().to_string(),
                )
            })
            .collect()
    };
    let secretariat = "Thường trực Khu vực thi đua các cơ quan Tư pháp các tỉnh Bắc Trung Bộ";
    let unit = "Sở Tư pháp tỉnh Hà Tĩnh";
    for (name, _) in shown(parsed.from()).iter().chain(&shown(parsed.to())) {
        let nfc: String = unicode_normalization::UnicodeNormalization::nfc(name.as_str()).collect();
        assert_eq!(name, &nfc, "NFC");
    }
    assert_eq!(
        shown(parsed.from()),
        [(
            secretariat.to_string(),
            "vanphong@stp.hatinh.example".to_string()
        )]
    );
    assert_eq!(
        shown(parsed.to()),
        [
            (unit.to_string(), "vanphong@stp.hatinh.example".to_string()),
            (
                unit.to_string(),
                "khuvucthidua@stp.hatinh.example".to_string()
            )
        ]
    );
    // The score sheet travels under the name people give it, as the
    // year-end package's do, not the one it is filed under.
    let names: Vec<String> = parsed
        .attachments()
        .map(|a| {
            mail_parser::MimeHeaders::attachment_name(a)
                .unwrap_or_default()
                .to_string()
        })
        .collect();
    assert_eq!(names, ["Phieu-cham-diem-2026-STP-HTI.pdf"]);
    assert!(!receipt.raw.contains("phieu-cham-diem.pdf"), "{names:?}");
    let rejection = msgs
        .iter()
        .find(|m| m.rcpt_tos.iter().any(|r| r.contains("thads.thanhhoa")))
        .unwrap();
    let text = rejection.text();
    assert!(
        text.contains("chưa được tiếp nhận") && text.contains("vượt điểm chuẩn"),
        "{text}"
    );
    // The finding codes are for `validate --json`, the logs and the
    // ledger, not for the clerk who reads the mail.
    assert!(!text.contains("score-above-max"), "{text}");
    assert!(text.contains("Trân trọng."), "{text}");
    let parsed = mail_parser::MessageParser::default()
        .parse(rejection.raw.as_bytes())
        .unwrap();
    let to = parsed.to().unwrap().first().unwrap();
    assert_eq!(
        (to.name(), to.address()),
        (
            Some("Thi hành án dân sự tỉnh Thanh Hóa"),
            Some("vanphong@thads.thanhhoa.example")
        )
    );
    let cc = parsed.cc().unwrap().first().unwrap();
    assert_eq!(
        cc.name(),
        Some("Thường trực Khu vực thi đua các cơ quan Tư pháp các tỉnh Bắc Trung Bộ")
    );
    assert!(text.contains("Tự chấm điểm!E"), "the cell is named: {text}");
    // The secretariat (mail.from, Hà Tĩnh's office in 2026) is copied.
    assert!(
        rejection
            .rcpt_tos
            .iter()
            .any(|r| r == "vanphong@stp.hatinh.example"),
        "{:?}",
        rejection.rcpt_tos
    );
    assert_eq!(d.stop(), 0);
}

#[test]
fn starttls_with_auth() {
    let dir = TempDir::new().unwrap();
    let certs = dir.path().join("certs");
    let smtp = Smtp::start(
        0,
        &dir.path().join("smtp"),
        &[
            "--starttls",
            certs.to_str().unwrap(),
            "--auth",
            "thidua:mat-khau",
        ],
    );
    let data = dir.path().join("data");
    let mut env = smtp_env(&data, smtp.port);
    env.retain(|(k, _)| k != "THIDUA__MAIL__SMTP__SECURITY" && k != "THIDUA__MAIL__SMTP__HOST");
    env.extend([
        ("THIDUA__MAIL__SMTP__HOST".into(), "localhost".into()),
        ("THIDUA__MAIL__SMTP__SECURITY".into(), "starttls".into()),
        ("THIDUA__MAIL__SMTP__USERNAME".into(), "thidua".into()),
        (
            "THIDUA__MAIL__SMTP__CA_FILE".into(),
            certs.join("cert.pem").display().to_string(),
        ),
        ("THIDUA_SMTP_PASSWORD".into(), "mat-khau".into()),
    ]);
    let d = Daemon::start(&data, &env);
    drop_file(
        &d.inbox("STP-NAN").join("bang.xlsx"),
        &form_file("STP-NAN", 6, false),
    );
    let msgs = wait_for(Duration::from_secs(20), || {
        let m = smtp.messages();
        (!m.is_empty()).then_some(m)
    });
    assert!(msgs[0].tls, "sent over TLS");
    assert_eq!(msgs[0].auth_user.as_deref(), Some("thidua"));
    assert!(!smtp.commands().contains("mat-khau"));
    let log = d.log_text();
    assert_eq!(d.stop(), 0);

    // The password is nowhere thidua writes: not in its log, not in
    // `status`, not in the ledger or any other file of the data folder.
    assert!(!log.contains("mat-khau"), "{log}");
    let status = crate::support::thidua(dir.path(), &["status"], &crate::support::pairs(&env));
    assert_eq!(status.code, 0, "{status:?}");
    assert!(!status.stdout.contains("mat-khau") && !status.stderr.contains("mat-khau"));
    for f in crate::support::all_files(&data) {
        let bytes = std::fs::read(&f).unwrap();
        assert!(
            !bytes.windows(8).any(|w| w == b"mat-khau"),
            "the password is in {}",
            f.display()
        );
    }
    // A wrong password: the error names the login, not the password.
    let mut wrong = env.clone();
    wrong.retain(|(k, _)| k != "THIDUA_SMTP_PASSWORD");
    wrong.push(("THIDUA_SMTP_PASSWORD".into(), "sai-mat-khau".into()));
    let d = Daemon::start(&data, &wrong);
    drop_file(
        &d.inbox("STP-THA").join("bang.xlsx"),
        &form_file("STP-THA", 7, false),
    );
    wait_for(Duration::from_secs(20), || {
        d.log_text().contains("mail not sent").then_some(())
    });
    let log = d.log_text();
    assert_eq!(d.stop(), 0);
    assert!(!log.contains("sai-mat-khau"), "{log}");

    // Folders thidua created are the owner's only.
    // (The test itself made `data/` and `data/inbox/` before the daemon did.)
    for sub in ["archive", "rejected", "outbox", "reports", "inbox/STP-HUE"] {
        let perms = std::fs::metadata(data.join(sub)).unwrap().permissions();
        let mode = std::os::unix::fs::PermissionsExt::mode(&perms) & 0o777;
        assert_eq!(mode, 0o700, "{sub}");
    }
}

#[test]
fn mail_waits_for_a_server_that_is_down_and_arrives_once() {
    let dir = TempDir::new().unwrap();
    let port = free_port();
    let data = dir.path().join("data");
    let mut env = smtp_env(&data, port);
    env.push(("THIDUA__MAIL__MAX_ATTEMPTS".into(), "30".into()));
    env.push(("THIDUA__MAIL__RETRY_SECS".into(), "0.1".into()));
    let d = Daemon::start(&data, &env);
    let units = ["STP-THA", "STP-NAN", "STP-HTI", "STP-QTR", "STP-HUE"];
    for i in 0..20 {
        let unit = units[i % units.len()];
        drop_file(
            &d.inbox(unit).join(format!("bang-{i}.xlsx")),
            &form_file(unit, 100 + i, i % 4 == 0),
        );
    }
    wait_for(Duration::from_secs(60), || {
        (ledger_rows(&data).len() == 20).then_some(())
    });
    std::thread::sleep(Duration::from_millis(500));
    let smtp = Smtp::start(port, &dir.path().join("smtp"), &[]);
    let msgs = wait_for(Duration::from_secs(60), || {
        let m = smtp.messages();
        (m.len() >= 20).then_some(m)
    });
    std::thread::sleep(Duration::from_secs(2));
    let msgs = if smtp.messages().len() > msgs.len() {
        smtp.messages()
    } else {
        msgs
    };
    assert_eq!(msgs.len(), 20, "every mail arrives, exactly once");
    let ids: HashSet<String> = msgs
        .iter()
        .map(|m| m.header("Message-ID").unwrap())
        .collect();
    assert_eq!(ids.len(), 20);
    assert_eq!(d.stop(), 0);
}

#[test]
fn smtp_commands_in_a_cell_stay_text_inside_one_message() {
    let dir = TempDir::new().unwrap();
    let smtp = Smtp::start(0, &dir.path().join("smtp"), &[]);
    let data = dir.path().join("data");
    let d = Daemon::start(&data, &smtp_env(&data, smtp.port));
    let (mut grid, _) = Grid::filled("STP-QTR");
    let s = crate::support::settings();
    let t = s.tables.get("stp", 2026).unwrap();
    let leaf = t
        .leaves()
        .map(|i| &t.criteria[i])
        .find(|c| c.kind == thidua::domain::criteria::Kind::Score)
        .unwrap();
    let cell = format!("E{}", grid.row_of(&leaf.code));
    grid.set(
        SELF,
        &cell,
        Value::Text("\r\n.\r\nRCPT TO:<x@y>\r\nDATA\r\n".into()),
    );
    let path = dir.path().join("tiem.xlsx");
    grid.write(&path);
    drop_file(
        &d.inbox("STP-QTR").join("tiem.xlsx"),
        &std::fs::read(&path).unwrap(),
    );
    let msgs = wait_for(Duration::from_secs(20), || {
        let m = smtp.messages();
        (!m.is_empty()).then_some(m)
    });
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(smtp.messages().len(), 1, "one message");
    let rcpts: Vec<&str> = msgs[0].rcpt_tos.iter().map(String::as_str).collect();
    assert_eq!(
        rcpts,
        vec![
            "vanphong@stp.quangtri.example",
            "vanphong@stp.hatinh.example"
        ]
    );
    let commands = smtp.commands().to_lowercase();
    assert!(
        !commands.contains("x@y"),
        "no smuggled command reached the server:\n{commands}"
    );
    let text = msgs[0].text();
    assert!(
        text.contains("RCPT TO:<x@y>") && text.contains(&cell),
        "quoted as text: {text}"
    );
    assert_eq!(d.stop(), 0);
}
