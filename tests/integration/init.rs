//! `thidua init` with the real binary: an inbox folder per unit with its
//! guide and blank form, which the daemon leaves alone until a unit fills
//! the form in place; a second init keeps what units changed.

use tempfile::TempDir;

use std::time::Duration;

use crate::support::{Daemon, config_path, drop_file, form_file, ledger_rows, thidua, wait_for};

#[test]
fn init_writes_guides_and_forms_the_daemon_leaves_alone_until_filled() {
    let dir = TempDir::new().unwrap();
    let data = dir.path().join("data");
    let env = [
        ("THIDUA__PATHS__DATA", data.to_str().unwrap()),
        ("THIDUA__INBOX__STABLE_SECS", "0.2"),
    ];
    let run = thidua(dir.path(), &["init"], &env);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stdout.contains("10 thư mục nhận tệp"), "{}", run.stdout);
    // A guide, a blank form and a blank cross-check per unit.
    assert!(run.stdout.contains("30 tệp đã ghi"), "{}", run.stdout);

    let qtr = data.join("inbox/STP-QTR");
    let guide = std::fs::read_to_string(qtr.join("HUONG-DAN.txt")).unwrap();
    for text in [
        "HƯỚNG DẪN GỬI BẢNG TỰ CHẤM ĐIỂM THI ĐUA NĂM 2026\r\n",
        "Đơn vị: Sở Tư pháp tỉnh Quảng Trị (mã STP-QTR)",
        "Hạn nộp: ngày 15 tháng 11 năm 2026",
        "\"Bang-tu-cham-2026-STP-QTR.xlsx\"",
        "Sở Tư pháp thành phố Huế (STP-HUE): mẫu biên bản trống là tệp \"Bien-ban-kiem-tra-cheo-2026-STP-HUE.xlsx\"",
    ] {
        assert!(guide.contains(text), "{text:?} missing from:\n{guide}");
    }
    assert!(
        !guide.replace("\r\n", "").contains('\n'),
        "bare LF in the guide"
    );
    let form = qtr.join("Bang-tu-cham-2026-STP-QTR.xlsx");
    let (code, report) = crate::support::validate(dir.path(), &form, &["--unit", "STP-QTR"]);
    assert_eq!(code, 1, "a blank form is not a submission: {report}");
    assert!(
        qtr.join("Bien-ban-kiem-tra-cheo-2026-STP-HUE.xlsx")
            .exists()
    );

    // The daemon takes none of thidua's own files and mails nobody.
    let once = thidua(dir.path(), &["run", "--once"], &env);
    assert!(
        once.stdout.contains("Đã xử lý 0 tệp, đã gửi 0 thư"),
        "{once:?}"
    );
    assert!(form.exists() && qtr.join("HUONG-DAN.txt").exists());
    assert!(ledger_rows(&data).is_empty());

    // A unit fills its form in place: now it is a submission.
    std::fs::write(&form, form_file("STP-QTR", 3, false)).unwrap();
    // Someone edits another unit's guide: init must keep it.
    let hue_guide = data.join("inbox/STP-HUE/HUONG-DAN.txt");
    std::fs::write(&hue_guide, "ghi chú của đơn vị\r\n").unwrap();
    let once = thidua(dir.path(), &["run", "--once"], &env);
    assert!(once.stdout.contains("Đã xử lý 2 tệp"), "{once:?}");
    let rows = ledger_rows(&data);
    let outcomes: Vec<(&str, &str)> = rows
        .iter()
        .map(|(s, _, n)| (n.as_str(), s.as_str()))
        .collect();
    assert!(
        outcomes.contains(&("Bang-tu-cham-2026-STP-QTR.xlsx", "accepted"))
            && outcomes.contains(&("HUONG-DAN.txt", "rejected")),
        "{rows:?}"
    );

    // Both were taken out of the inbox, so nothing of thidua's is there.
    assert!(!form.exists() && !hue_guide.exists());

    // Another unit's guide, changed but not taken yet: init keeps it.
    let nan_guide = data.join("inbox/STP-NAN/HUONG-DAN.txt");
    std::fs::write(&nan_guide, "lại sửa\r\n").unwrap();
    let again = thidua(dir.path(), &["init"], &env);
    assert_eq!(again.code, 0, "{again:?}");
    assert!(again.stdout.contains("29 tệp đã ghi"), "{}", again.stdout);
    assert!(
        again.stdout.contains("Giữ nguyên 1 tệp") && again.stdout.contains("STP-NAN/HUONG-DAN.txt"),
        "{}",
        again.stdout
    );
    assert_eq!(std::fs::read_to_string(&nan_guide).unwrap(), "lại sửa\r\n");
    // Where the guide and the form were taken, fresh ones are written…
    let guide = std::fs::read_to_string(&hue_guide).unwrap();
    assert!(
        guide.contains("HƯỚNG DẪN GỬI BẢNG TỰ CHẤM ĐIỂM THI ĐUA NĂM 2026\r\n")
            && guide.contains("Đơn vị: Sở Tư pháp thành phố Huế (mã STP-HUE)"),
        "{guide}"
    );
    let (code, report) = crate::support::validate(dir.path(), &form, &["--unit", "STP-QTR"]);
    assert_eq!(code, 1, "the fresh form is blank again: {report}");
    // …and they are thidua's own again: the daemon takes only the changed guide.
    let once = thidua(dir.path(), &["run", "--once"], &env);
    assert!(once.stdout.contains("Đã xử lý 1 tệp"), "{once:?}");
    assert!(hue_guide.exists() && form.exists() && !nan_guide.exists());
}

/// The shipped configuration's data folder is relative (`var`), while the
/// inbox watcher reports absolute paths: a running daemon must still leave
/// thidua's own files alone and still know which unit's folder a file is in.
#[test]
fn a_relative_data_folder_keeps_own_files_and_unit_folders_apart() {
    let dir = TempDir::new().unwrap();
    let rel = [
        ("THIDUA__PATHS__DATA", "du-lieu"),
        ("THIDUA__INBOX__STABLE_SECS", "0.3"),
        ("THIDUA__INBOX__RESCAN_SECS", "1"),
    ];
    assert_eq!(thidua(dir.path(), &["init"], &rel).code, 0);
    let data = dir.path().join("du-lieu");
    let env: Vec<(String, String)> = rel
        .iter()
        .chain(&[("THIDUA_LOG", "info,thidua=debug")])
        .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
        .collect();
    let d = Daemon::start_in(Some(dir.path()), &config_path(), &data, &env);
    // STP-QTR's workbook dropped into STP-HUE's folder is the wrong folder.
    drop_file(
        &data.join("inbox/STP-HUE/bang-qtr.xlsx"),
        &form_file("STP-QTR", 5, false),
    );
    wait_for(Duration::from_secs(20), || {
        (!ledger_rows(&data).is_empty()).then_some(())
    });
    // The daemon is working; several rescans and stability windows (1 s,
    // 0,3 s) pass over the 30 files init wrote, and none of them is taken.
    std::thread::sleep(Duration::from_secs(3));
    let rows = ledger_rows(&data);
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0].0, "rejected", "{rows:?}");
    let report = std::fs::read_to_string(format!("{}.findings.txt", rows[0].1)).unwrap();
    assert!(report.contains("unit-folder-mismatch"), "{report}");
    assert!(data.join("inbox/STP-HUE/HUONG-DAN.txt").exists());
    assert!(
        data.join("inbox/STP-QTR/Bang-tu-cham-2026-STP-QTR.xlsx")
            .exists()
    );
    // Each own file was looked at once, not again at every rescan.
    let log = d.log_text();
    let looks = log
        .lines()
        .filter(|l| l.contains("\"prepared\"") && l.contains("HUONG-DAN.txt"))
        .filter(|l| l.contains("STP-HUE"))
        .count();
    assert_eq!(looks, 1, "{log}");
    assert_eq!(d.stop(), 0);
}
