//! Workbooks sent by mail (contract §7), against a real IMAP server
//! (Dovecot, tests/imap/) and the real SMTP server (tests/smtp/): the answer
//! is a reply to the unit's mail; an unknown sender and a mail without a
//! workbook are answered and take nothing; two attachments and a zip; a kill
//! in the middle of a batch and a restart; the server down, then up; the
//! password nowhere.

use std::collections::HashSet;
use std::path::Path;
use std::time::Duration;

use tempfile::TempDir;

use crate::imap_support::{Dovecot, PASSWORD, imap_env, mail};
use crate::support::{
    Daemon, Received, Smtp, all_files, form_file, ledger_query, smtp_env, thidua, wait_for,
};

/// Each mail row of the ledger: (uid, outcome, files).
fn mail_rows(data: &Path) -> Vec<(u32, String, i64)> {
    ledger_query(
        data,
        "SELECT uid, outcome, files FROM imap_mails ORDER BY uid",
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )
}

/// Submissions that came by mail: (mail part, sender, status).
fn mailed(data: &Path) -> Vec<(String, String, String)> {
    ledger_query(
        data,
        "SELECT mail_part, mail_sender, status FROM submissions WHERE mail_part IS NOT NULL ORDER BY id",
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )
}

fn http_get(port: u16) -> String {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(s, "GET / HTTP/1.0\r\nHost: localhost\r\n\r\n").unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    out
}

fn wait_mails(smtp: &Smtp, n: usize) -> Vec<Received> {
    wait_for(Duration::from_secs(40), || {
        let m = smtp.messages();
        (m.len() >= n).then_some(m)
    })
}

#[test]
fn a_workbook_by_mail_is_answered_as_a_reply_to_the_units_addresses() {
    let dir = TempDir::new().unwrap();
    let imap = Dovecot::start(&dir.path().join("imap"));
    let smtp = Smtp::start(0, &dir.path().join("smtp"), &[]);
    let data = dir.path().join("data");
    let uid = imap.append(&mail(
        "VanPhong@stp.hatinh.example",
        "<gui-1@stp.hatinh.example>",
        "",
        &[("Bang tu cham 2026.xlsx", &form_file("STP-HTI", 3, false))],
    ));
    // A person opened it before thidua did: still taken, once.
    imap.set_seen(uid, true);
    let d = Daemon::start(&data, &imap_env(smtp_env(&data, smtp.port), &imap));
    let msgs = wait_mails(&smtp, 1);
    let receipt = &msgs[0];
    assert_eq!(
        receipt.header("In-Reply-To").as_deref(),
        Some("<gui-1@stp.hatinh.example>"),
        "{}",
        receipt.raw
    );
    assert_eq!(
        receipt.header("References").as_deref(),
        Some("<gui-1@stp.hatinh.example>")
    );
    for to in [
        "vanphong@stp.hatinh.example",
        "khuvucthidua@stp.hatinh.example",
    ] {
        assert!(
            receipt.rcpt_tos.iter().any(|r| r == to),
            "{:?}",
            receipt.rcpt_tos
        );
    }
    assert!(
        receipt.text().contains("Tệp: Bang tu cham 2026.xlsx"),
        "{}",
        receipt.text()
    );
    wait_for(Duration::from_secs(10), || {
        (!mail_rows(&data).is_empty()).then_some(())
    });
    assert_eq!(mail_rows(&data), vec![(uid, "taken".to_string(), 1)]);
    let rows = mailed(&data);
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert!(
        rows[0].0.starts_with("INBOX/") && rows[0].0.ends_with(&format!("/{uid}/0")),
        "{rows:?}"
    );
    assert_eq!(rows[0].1, "vanphong@stp.hatinh.example");
    assert_eq!(rows[0].2, "accepted");
    // Filed in the archive like a dropped file; the mail flagged, not deleted.
    assert!(
        all_files(&data.join("archive"))
            .iter()
            .any(|p| p.to_string_lossy().ends_with("Bang tu cham 2026.xlsx")),
        "{:?}",
        all_files(&data)
    );
    wait_for(Duration::from_secs(10), || {
        imap.flags(uid).contains("$ThiduaHandled").then_some(())
    });
    assert_eq!(imap.count(), 1);
    // Marked unread again by a person: nothing happens twice.
    imap.set_seen(uid, false);
    std::thread::sleep(Duration::from_secs(2));
    assert_eq!(d.stop(), 0);
    let port = crate::support::free_port();
    let mut env = imap_env(smtp_env(&data, smtp.port), &imap);
    env.push(("THIDUA__HTTP__LISTEN".into(), format!("127.0.0.1:{port}")));
    env.push(("THIDUA_LOG".into(), "thidua=debug".into()));
    let d = Daemon::start(&data, &env);
    // The new daemon has read the mailbox through once: what it would do
    // twice, it has done by then.
    wait_for(Duration::from_secs(30), || {
        d.log_text()
            .contains("submission mailbox read")
            .then_some(())
    });
    assert_eq!(
        ledger_query(&data, "SELECT id FROM outbox", |r| r.get::<_, i64>(0)).len(),
        1,
        "answered once"
    );
    assert_eq!(smtp.messages().len(), 1, "sent once");
    assert_eq!(mailed(&data).len(), 1, "filed once");
    // The status page and `status` show the file came by mail.
    let page = http_get(port);
    assert!(
        page.contains("qua thư điện tử từ vanphong@stp.hatinh.example"),
        "{page}"
    );
    let log = d.log_text();
    assert_eq!(d.stop(), 0);
    let status = thidua(
        dir.path(),
        &["status"],
        &[("THIDUA__PATHS__DATA", data.to_str().unwrap())],
    );
    assert!(
        status
            .stdout
            .contains("Bang tu cham 2026.xlsx, qua thư điện tử từ vanphong@stp.hatinh.example"),
        "{}",
        status.stdout
    );
    // The password appears in no log, file, status or page.
    for (what, text) in [
        ("log", log),
        ("status", status.stdout.clone() + &status.stderr),
        ("page", page),
    ] {
        assert!(!text.contains(PASSWORD), "the password is in the {what}");
    }
    for f in all_files(&data) {
        let bytes = std::fs::read(&f).unwrap_or_default();
        assert!(
            !bytes
                .windows(PASSWORD.len())
                .any(|w| w == PASSWORD.as_bytes()),
            "the password is in {}",
            f.display()
        );
    }
}

#[test]
fn an_unknown_sender_and_a_mail_without_a_workbook_are_answered_and_take_nothing() {
    let dir = TempDir::new().unwrap();
    let imap = Dovecot::start(&dir.path().join("imap"));
    let smtp = Smtp::start(0, &dir.path().join("smtp"), &[]);
    let data = dir.path().join("data");
    imap.append(&mail(
        "la@khong-ro.example",
        "<la-1@khong-ro.example>",
        "",
        &[("bang.xlsx", &form_file("STP-QTR", 1, false))],
    ));
    imap.append(&mail(
        "vanphong@stp.quangtri.example",
        "<trong-1@stp.quangtri.example>",
        "",
        &[],
    ));
    let d = Daemon::start(&data, &imap_env(smtp_env(&data, smtp.port), &imap));
    let msgs = wait_mails(&smtp, 2);
    let unknown = msgs
        .iter()
        .find(|m| m.header("In-Reply-To").as_deref() == Some("<la-1@khong-ro.example>"))
        .expect("the unknown sender is answered as a reply");
    assert!(
        unknown.rcpt_tos.iter().any(|r| r == "la@khong-ro.example"),
        "{:?}",
        unknown.rcpt_tos
    );
    assert!(
        unknown
            .rcpt_tos
            .iter()
            .any(|r| r == "vanphong@stp.hatinh.example"),
        "the secretariat is copied: {:?}",
        unknown.rcpt_tos
    );
    assert!(
        unknown.text().contains("không phải địa chỉ thư đã đăng ký"),
        "{}",
        unknown.text()
    );
    let empty = msgs
        .iter()
        .find(|m| m.header("In-Reply-To").as_deref() == Some("<trong-1@stp.quangtri.example>"))
        .expect("the mail without a workbook is answered");
    assert!(
        empty
            .rcpt_tos
            .iter()
            .any(|r| r == "vanphong@stp.quangtri.example")
    );
    assert!(
        empty.text().contains("không có tệp bảng tính nào đính kèm"),
        "{}",
        empty.text()
    );
    let outcomes: Vec<String> = mail_rows(&data).into_iter().map(|r| r.1).collect();
    assert_eq!(outcomes, vec!["unknown-sender", "no-workbook"]);
    assert!(mailed(&data).is_empty(), "nothing taken");
    assert!(all_files(&data.join("archive")).is_empty());
    assert!(all_files(&data.join("rejected")).is_empty());
    drop(d);
}

#[test]
fn two_attachments_and_a_zip_are_each_taken_as_dropped_files() {
    let dir = TempDir::new().unwrap();
    let imap = Dovecot::start(&dir.path().join("imap"));
    let smtp = Smtp::start(0, &dir.path().join("smtp"), &[]);
    let data = dir.path().join("data");
    // Two attachments: a good workbook and one with an error.
    imap.append(&mail(
        "vanphong@stp.nghean.example",
        "<hai-1@stp.nghean.example>",
        "",
        &[
            ("dung.xlsx", &form_file("STP-NAN", 1, false)),
            ("sai.xlsx", &form_file("STP-NAN", 2, true)),
        ],
    ));
    // A zip holding a workbook (and a lock file that is no one's).
    let zip = {
        let mut buf = std::io::Cursor::new(Vec::new());
        let mut z = zip::ZipWriter::new(&mut buf);
        let o = zip::write::SimpleFileOptions::default();
        z.start_file("thu muc/bang-qtr.xlsx", o).unwrap();
        std::io::Write::write_all(&mut z, &form_file("STP-QTR", 5, false)).unwrap();
        z.start_file("~$bang-qtr.xlsx", o).unwrap();
        std::io::Write::write_all(&mut z, b"lock").unwrap();
        z.finish().unwrap();
        buf.into_inner()
    };
    imap.append(&mail(
        "vanphong@stp.quangtri.example",
        "<zip-1@stp.quangtri.example>",
        "",
        &[("ho-so.zip", &zip)],
    ));
    let d = Daemon::start(&data, &imap_env(smtp_env(&data, smtp.port), &imap));
    let msgs = wait_mails(&smtp, 3);
    let replies: Vec<String> = msgs
        .iter()
        .filter_map(|m| m.header("In-Reply-To"))
        .collect();
    assert_eq!(
        replies
            .iter()
            .filter(|r| *r == "<hai-1@stp.nghean.example>")
            .count(),
        2,
        "one answer per attachment: {replies:?}"
    );
    assert!(
        replies.iter().any(|r| r == "<zip-1@stp.quangtri.example>"),
        "{replies:?}"
    );
    let mut statuses: Vec<String> = mailed(&data).into_iter().map(|r| r.2).collect();
    statuses.sort();
    assert_eq!(statuses, vec!["accepted", "accepted", "rejected"]);
    assert!(
        all_files(&data.join("archive"))
            .iter()
            .any(|p| p.to_string_lossy().ends_with("bang-qtr.xlsx"))
    );
    assert!(
        all_files(&data.join("rejected"))
            .iter()
            .any(|p| p.to_string_lossy().ends_with("sai.xlsx.findings.txt"))
    );
    assert_eq!(
        mail_rows(&data)
            .into_iter()
            .map(|r| (r.1, r.2))
            .collect::<Vec<_>>(),
        vec![("taken".to_string(), 2), ("taken".to_string(), 1)]
    );
    drop(d);
}

#[test]
fn a_kill_in_the_middle_of_a_batch_repeats_nothing_and_loses_nothing() {
    let dir = TempDir::new().unwrap();
    let imap = Dovecot::start(&dir.path().join("imap"));
    let smtp = Smtp::start(0, &dir.path().join("smtp"), &[]);
    let data = dir.path().join("data");
    let senders = [
        ("vanphong@stp.hatinh.example", "STP-HTI"),
        ("vanphong@stp.quangtri.example", "STP-QTR"),
        ("vanphong@stp.nghean.example", "STP-NAN"),
        ("vanphong@stp.thanhhoa.example", "STP-THA"),
    ];
    let mut ids = HashSet::new();
    for i in 0..8 {
        let (from, unit) = senders[i % senders.len()];
        let id = format!("<lo-{i}@test.example>");
        imap.append(&mail(
            from,
            &id,
            "",
            &[(&format!("bang-{i}.xlsx"), &form_file(unit, 10 + i, false))],
        ));
        ids.insert(id);
    }
    let env = imap_env(smtp_env(&data, smtp.port), &imap);
    let d = Daemon::start(&data, &env);
    wait_for(Duration::from_secs(40), || {
        (!mailed(&data).is_empty()).then_some(())
    });
    d.kill();
    let before = mail_rows(&data).len();
    assert!(
        before < 8,
        "the kill came after the batch ({before} mails done); the test proves nothing"
    );
    let d = Daemon::start(&data, &env);
    wait_for(Duration::from_secs(60), || {
        (mail_rows(&data).len() == 8).then_some(())
    });
    let parts: Vec<String> = mailed(&data).into_iter().map(|r| r.0).collect();
    let unique: HashSet<&String> = parts.iter().collect();
    assert_eq!(parts.len(), 8, "each file once: {parts:?}");
    assert_eq!(unique.len(), 8);
    let msgs = wait_mails(&smtp, 8);
    std::thread::sleep(Duration::from_secs(1));
    // (In-Reply-To, Message-ID) of every answer. A kill between the SMTP
    // server's acceptance and the ledger's note that it was sent sends that
    // one answer again, with the same Message-ID (mail clients show it once):
    // the outbox delivers at least once. No mail gets two different answers.
    let answers: HashSet<(String, String)> = smtp
        .messages()
        .iter()
        .filter_map(|m| Some((m.header("In-Reply-To")?, m.header("Message-ID")?)))
        .collect();
    let got: HashSet<String> = answers.iter().map(|a| a.0.clone()).collect();
    assert_eq!(got, ids, "each mail answered");
    assert_eq!(
        answers.len(),
        8,
        "no mail answered twice: {answers:?} ({} mails received)",
        msgs.len()
    );
    assert_eq!(imap.count(), 8, "nothing deleted from the server");
    drop(d);
}

#[test]
fn the_server_down_then_up_loses_nothing() {
    let dir = TempDir::new().unwrap();
    let mut imap = Dovecot::start(&dir.path().join("imap"));
    let smtp = Smtp::start(0, &dir.path().join("smtp"), &[]);
    let data = dir.path().join("data");
    imap.append(&mail(
        "vanphong@stp.hatinh.example",
        "<truoc@stp.hatinh.example>",
        "",
        &[("bang.xlsx", &form_file("STP-HTI", 1, false))],
    ));
    imap.stop();
    let d = Daemon::start(&data, &imap_env(smtp_env(&data, smtp.port), &imap));
    std::thread::sleep(Duration::from_secs(2));
    assert!(smtp.messages().is_empty());
    imap.start_again();
    wait_mails(&smtp, 1);
    // Down while the daemon waits in IDLE, then up with a new mail.
    imap.stop();
    std::thread::sleep(Duration::from_secs(1));
    imap.start_again();
    imap.append(&mail(
        "vanphong@stp.quangtri.example",
        "<sau@stp.quangtri.example>",
        "",
        &[("bang.xlsx", &form_file("STP-QTR", 2, false))],
    ));
    let msgs = wait_mails(&smtp, 2);
    let replies: HashSet<String> = msgs
        .iter()
        .filter_map(|m| m.header("In-Reply-To"))
        .collect();
    assert!(
        replies.contains("<truoc@stp.hatinh.example>")
            && replies.contains("<sau@stp.quangtri.example>"),
        "{replies:?}"
    );
    assert_eq!(mailed(&data).len(), 2);
    let log = d.log_text();
    assert!(
        log.contains("submission mailbox unavailable"),
        "the outage is logged"
    );
    assert!(!log.contains(PASSWORD));
    assert!(!imap.log().contains(PASSWORD));
    drop(d);
}

#[test]
fn hostile_mail_is_answered_or_refused_and_writes_nothing_outside_the_data_folder() {
    let dir = TempDir::new().unwrap();
    let imap = Dovecot::start(&dir.path().join("imap"));
    let smtp = Smtp::start(0, &dir.path().join("smtp"), &[]);
    let data = dir.path().join("data");
    // A forged From: the receiving server's Authentication-Results says DMARC failed.
    imap.append(&mail(
        "vanphong@stp.hatinh.example",
        "<gia-mao@ke-xau.example>",
        "Authentication-Results: mx.khuvuc.example; dmarc=fail header.from=stp.hatinh.example; spf=fail\r\n",
        &[("bang.xlsx", &form_file("STP-HTI", 1, false))],
    ));
    // A name that climbs out of the folder, with a line break in it (an
    // encoded word, so it survives the header), and then bad base64.
    let name = format!(
        "=?utf-8?B?{}?=",
        crate::imap_support::base64(b"../../../../tmp/thoat\r\nX.xlsx")
    );
    imap.append(&mail(
        "vanphong@stp.quangtri.example",
        "<ten-la@stp.quangtri.example>",
        "",
        &[(&name, &form_file("STP-QTR", 1, false))],
    ));
    imap.append(b"From: <vanphong@stp.nghean.example>\r\nMessage-ID: <hong@stp.nghean.example>\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Disposition: attachment; filename=\"x.xlsx\"\r\nContent-Transfer-Encoding: base64\r\n\r\n!!!@@@###\r\n--b--\r\n");
    let d = Daemon::start(&data, &imap_env(smtp_env(&data, smtp.port), &imap));
    let msgs = wait_mails(&smtp, 3);
    let forged = msgs
        .iter()
        .find(|m| m.header("In-Reply-To").as_deref() == Some("<gia-mao@ke-xau.example>"))
        .expect("the secretariat is told of the forged mail");
    assert_eq!(
        forged.rcpt_tos,
        vec!["vanphong@stp.hatinh.example".to_string()]
    );
    assert!(forged.text().contains("giả mạo"), "{}", forged.text());
    wait_for(Duration::from_secs(10), || {
        (mail_rows(&data).len() == 3).then_some(())
    });
    let outcomes: Vec<String> = mail_rows(&data).into_iter().map(|r| r.1).collect();
    assert_eq!(outcomes[0], "not-authentic");
    // The climbing name is filed inside the archive under its base name.
    let archived = all_files(&data.join("archive"));
    assert!(
        archived
            .iter()
            .any(|p| p.to_string_lossy().ends_with("thoatX.xlsx")),
        "{archived:?}"
    );
    assert!(!Path::new("/tmp/thoat\r\nX.xlsx").exists());
    assert!(!dir.path().join("thoat").exists());
    // Bad base64: taken as what it decodes to, and answered (rejected) like any bad file.
    assert!(
        msgs.iter()
            .any(|m| m.header("In-Reply-To").as_deref() == Some("<hong@stp.nghean.example>")),
        "{:?}",
        msgs.iter()
            .map(|m| m.header("In-Reply-To"))
            .collect::<Vec<_>>()
    );
    assert!(d.log_text().lines().all(|l| !l.contains("panicked")));
    drop(d);
}

#[test]
fn the_units_are_told_they_may_send_by_mail() {
    let dir = TempDir::new().unwrap();
    let data = dir.path().join("data");
    let env = [
        ("THIDUA__PATHS__DATA", data.to_str().unwrap()),
        ("THIDUA__INTAKE__IMAP__HOST", "mail.khuvuc.example"),
        ("THIDUA__INTAKE__IMAP__USERNAME", "nopbai@khuvuc.example"),
    ];
    let r = thidua(dir.path(), &["init"], &env);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let guide = std::fs::read_to_string(data.join("inbox/STP-QTR/HUONG-DAN.txt")).unwrap();
    assert!(guide.contains("nopbai@khuvuc.example"), "{guide}");
    assert!(guide.contains("qua thư điện tử"), "{guide}");
    let r = thidua(dir.path(), &["job", "kickoff", "--now"], &env);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let texts: Vec<String> = crate::support::outbox_mails(&data)
        .iter()
        .map(crate::support::Received::text)
        .collect();
    assert_eq!(
        texts.len(),
        crate::support::settings().cluster.members(2026).count(),
        "one kickoff mail per member"
    );
    assert!(
        texts
            .iter()
            .all(|t| t.contains("gửi thư đính kèm tệp đã điền tới địa chỉ nopbai@khuvuc.example")),
        "{}",
        texts[0]
    );
    // Without the mailbox, the guide does not say so.
    let plain = dir.path().join("plain");
    let r = thidua(
        dir.path(),
        &["init"],
        &[("THIDUA__PATHS__DATA", plain.to_str().unwrap())],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let guide = std::fs::read_to_string(plain.join("inbox/STP-QTR/HUONG-DAN.txt")).unwrap();
    assert!(!guide.contains("qua thư điện tử"), "{guide}");
}
