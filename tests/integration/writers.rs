//! Units and operators as they really behave: a unit that sends A, then B,
//! then A again; writers that pause; files and folders thidua may read but
//! not remove, or not read at all; folders that are links or no unit's.

use std::path::Path;
use std::time::Duration;

use tempfile::TempDir;

use crate::support::{Daemon, daemon_env, drop_file, form_file, ledger_rows, wait_for};

/// The `.eml` files the file transport wrote.
fn emls(data: &Path) -> Vec<String> {
    crate::support::outbox_mails(data)
        .into_iter()
        .map(|m| m.raw)
        .collect()
}

#[test]
fn a_unit_sending_a_then_b_then_a_again_is_answered_each_time() {
    let dir = TempDir::new().unwrap();
    let data = dir.path().join("data");
    let d = Daemon::start(&data, &daemon_env(&data));
    let inbox = d.inbox("STP-QTR");
    let a = form_file("STP-QTR", 1, false);
    let b = form_file("STP-QTR", 2, false);
    for (n, bytes) in [(1, &a), (2, &b), (3, &a)] {
        drop_file(&inbox.join(format!("lan-{n}.xlsx")), bytes);
        wait_for(Duration::from_secs(30), || {
            (ledger_rows(&data).len() == n && emls(&data).len() == n).then_some(())
        });
    }
    // Sent once more unchanged, A is a duplicate of the latest: no answer.
    drop_file(&inbox.join("lan-4.xlsx"), &a);
    wait_for(Duration::from_secs(30), || {
        (ledger_rows(&data).len() == 4).then_some(())
    });
    std::thread::sleep(Duration::from_millis(800));
    let log = d.log_text();
    assert_eq!(d.stop(), 0, "{log}");
    let rows = ledger_rows(&data);
    let status: Vec<&str> = rows.iter().map(|(s, _, _)| s.as_str()).collect();
    assert_eq!(
        status,
        ["accepted", "accepted", "accepted", "duplicate"],
        "{rows:?}"
    );
    assert_eq!(
        emls(&data).len(),
        3,
        "one answer for each of A, B and A again"
    );
}

#[test]
fn a_writer_that_pauses_longer_than_the_window_loses_nothing() {
    use std::io::Write as _;
    let dir = TempDir::new().unwrap();
    let data = dir.path().join("data");
    let d = Daemon::start(&data, &daemon_env(&data));
    let inbox = d.inbox("STP-QTR");
    let form = form_file("STP-QTR", 1, false);
    let path = inbox.join("dang-ghi.xlsx");
    // As a copy over a slow share does: half, a pause five times the
    // window (0,4 s) with the file still open, then the rest.
    let mut w = std::fs::File::create(&path).unwrap();
    w.write_all(&form[..form.len() / 2]).unwrap();
    w.flush().unwrap();
    std::thread::sleep(Duration::from_secs(2));
    assert!(ledger_rows(&data).is_empty(), "taken while still open");
    assert!(path.exists());
    w.write_all(&form[form.len() / 2..]).unwrap();
    drop(w);
    let rows = wait_for(Duration::from_secs(20), || {
        let r = ledger_rows(&data);
        (!r.is_empty()).then_some(r)
    });
    std::thread::sleep(Duration::from_secs(1));
    let log = d.log_text();
    assert_eq!(d.stop(), 0, "{log}");
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0].0, "accepted", "{rows:?}");
    let archived = crate::support::filed(&data.join("archive"));
    assert_eq!(archived.len(), 1);
    assert_eq!(std::fs::read(&archived[0]).unwrap(), form, "the whole file");
    assert!(!path.exists());
}

/// Runs the daemon as `nobody` (only root can), on a data folder `nobody`
/// owns; `None` when not root (a skip, which CI refuses).
fn daemon_as_nobody(data: &Path) -> Option<Daemon> {
    let root = std::process::Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0");
    if !root {
        // CI runs as root; a skip there would pass without testing.
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must run this test as root (the daemon runs as nobody)"
        );
        eprintln!("skipped: needs root to run the daemon as another user (nobody)");
        return None;
    }
    let mut p = data.to_path_buf();
    while let Some(parent) = p.parent() {
        if parent == Path::new("/tmp") || parent == Path::new("/") {
            break;
        }
        // The temp folders on the way must be enterable.
        std::process::Command::new("chmod")
            .arg("o+x")
            .arg(parent)
            .status()
            .unwrap();
        p = parent.to_path_buf();
    }
    std::fs::create_dir_all(data).unwrap();
    std::process::Command::new("chown")
        .args(["-R", "nobody:nogroup"])
        .arg(data)
        .status()
        .unwrap();
    let log = data.with_file_name("daemon-as-nobody.log");
    let mut cmd = std::process::Command::new("setpriv");
    cmd.args(["--reuid=nobody", "--regid=nogroup", "--clear-groups", "--"])
        .arg(env!("CARGO_BIN_EXE_thidua"))
        .arg("--config")
        .arg(crate::support::config_path())
        .arg("run");
    for (k, _) in std::env::vars() {
        if k.starts_with("THIDUA") {
            cmd.env_remove(k);
        }
    }
    cmd.envs(daemon_env(data))
        .env("THIDUA_LOG_FORMAT", "json")
        .env("HOME", "/tmp")
        .stdout(std::process::Stdio::null())
        .stderr(std::fs::File::create(&log).unwrap());
    Some(Daemon {
        child: cmd.spawn().expect("setpriv runs"),
        data: data.to_path_buf(),
        log,
    })
}

#[test]
fn files_the_unprivileged_daemon_cannot_remove_or_read_are_answered_once() {
    let dir = TempDir::new().unwrap();
    let data = dir.path().join("data");
    let Some(d) = daemon_as_nobody(&data) else {
        return;
    };
    let unit = data.join("inbox/STP-QTR");
    wait_for(Duration::from_secs(20), || unit.is_dir().then_some(()));
    // A subfolder another account owns: readable, not writable.
    let locked = unit.join("khoa");
    std::fs::create_dir(&locked).unwrap();
    drop_file(
        &locked.join("chi-doc.xlsx"),
        &form_file("STP-QTR", 1, false),
    );
    std::process::Command::new("chmod")
        .arg("755")
        .arg(&locked)
        .status()
        .unwrap();
    // A file the daemon may not read at all.
    let secret = unit.join("khong-doc-duoc.xlsx");
    drop_file(&secret, &form_file("STP-QTR", 2, false));
    std::process::Command::new("chmod")
        .arg("600")
        .arg(&secret)
        .status()
        .unwrap();
    wait_for(Duration::from_secs(30), || {
        (ledger_rows(&data).len() == 2 && emls(&data).len() == 2).then_some(())
    });
    // Several rescans (1 s each) later, still once each.
    std::thread::sleep(Duration::from_secs(4));
    let log = d.log_text();
    let rows = ledger_rows(&data);
    let mails = emls(&data);
    assert_eq!(d.stop(), 0, "{log}");
    assert_eq!(rows.len(), 2, "taken again: {rows:?}\n{log}");
    assert_eq!(mails.len(), 2, "answered again");
    assert!(locked.join("chi-doc.xlsx").exists(), "left where it was");
    assert!(secret.exists(), "left where it was");
    let unreadable: Vec<&String> = mails
        .iter()
        .filter(|m| m.contains("khong-doc-duoc"))
        .collect();
    assert_eq!(unreadable.len(), 1);
    let to = unreadable[0]
        .lines()
        .find(|l| l.starts_with("To: "))
        .unwrap()
        .to_string();
    let from = unreadable[0]
        .lines()
        .find(|l| l.starts_with("From: "))
        .unwrap()
        .to_string();
    assert!(
        from.contains(to.trim_start_matches("To: ").trim()),
        "answered to the secretariat: {to} / {from}"
    );
    let removal_warnings = log
        .lines()
        .filter(|l| l.contains("cannot remove the file from the inbox"))
        .count();
    assert_eq!(removal_warnings, 1, "{log}");
}

#[test]
fn folders_a_link_made_by_the_operator_a_stray_folder_and_deep_files() {
    let dir = TempDir::new().unwrap();
    let data = dir.path().join("data");
    let share = dir.path().join("o-chia-se/STP-HUE");
    std::fs::create_dir_all(&share).unwrap();
    let inbox = data.join("inbox");
    std::fs::create_dir_all(&inbox).unwrap();
    std::os::unix::fs::symlink(&share, inbox.join("STP-HUE")).unwrap();
    // Present before the start, 12 folders deep.
    let deep = inbox.join("STP-QTR/a/b/c/d/e/f/g/h/i/j/k/l");
    std::fs::create_dir_all(&deep).unwrap();
    drop_file(&deep.join("sau.xlsx"), &form_file("STP-QTR", 1, false));
    let d = Daemon::start(&data, &daemon_env(&data));
    drop_file(
        &share.join("qua-lien-ket.xlsx"),
        &form_file("STP-HUE", 2, false),
    );
    let stray = inbox.join("thu-muc-la");
    std::fs::create_dir_all(&stray).unwrap();
    drop_file(&stray.join("lac.xlsx"), &form_file("STP-NAN", 3, false));
    let rows = wait_for(Duration::from_secs(30), || {
        let r = ledger_rows(&data);
        (r.len() == 3 && emls(&data).len() == 3).then_some(r)
    });
    let log = d.log_text();
    assert_eq!(d.stop(), 0, "{log}");
    let find = |name: &str| rows.iter().find(|(_, _, n)| n == name).cloned();
    assert_eq!(find("sau.xlsx").unwrap().0, "accepted", "{rows:?}");
    assert_eq!(find("qua-lien-ket.xlsx").unwrap().0, "accepted", "{rows:?}");
    assert_eq!(find("lac.xlsx").unwrap().0, "rejected", "{rows:?}");
    // The stray file went to the secretariat, for no unit.
    let stray_mail = emls(&data)
        .into_iter()
        .find(|m| m.contains("lac.xlsx"))
        .unwrap();
    let from = stray_mail
        .lines()
        .find(|l| l.starts_with("From: "))
        .unwrap()
        .to_string();
    let to = stray_mail
        .lines()
        .find(|l| l.starts_with("To: "))
        .unwrap()
        .to_string();
    assert!(
        from.contains(to.trim_start_matches("To: ").trim()),
        "{to} / {from}"
    );
    // The link is still the operator's link, and is followed again.
    assert!(
        std::fs::symlink_metadata(inbox.join("STP-HUE"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
    let d = Daemon::start(&data, &daemon_env(&data));
    drop_file(&share.join("lan-hai.xlsx"), &form_file("STP-HUE", 4, false));
    wait_for(Duration::from_secs(30), || {
        (ledger_rows(&data).len() == 4).then_some(())
    });
    assert_eq!(d.stop(), 0);
    assert!(
        std::fs::symlink_metadata(inbox.join("STP-HUE"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
}

#[test]
fn a_unit_folder_linked_to_nothing_stops_the_start_with_one_line() {
    let dir = TempDir::new().unwrap();
    let data = dir.path().join("data");
    let inbox = data.join("inbox");
    std::fs::create_dir_all(&inbox).unwrap();
    std::os::unix::fs::symlink(dir.path().join("khong-co"), inbox.join("STP-HUE")).unwrap();
    let env = daemon_env(&data);
    let pairs = crate::support::pairs(&env);
    let run = crate::support::thidua(dir.path(), &["run", "--once"], &pairs);
    assert_eq!(run.code, 3, "{}", run.stderr);
    let lines: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.contains("STP-HUE"))
        .collect();
    assert_eq!(lines.len(), 1, "{}", run.stderr);
    assert!(lines[0].contains("symbolic link"), "{}", run.stderr);
}

#[test]
fn a_stray_folder_is_reported_once_for_its_files_not_once_per_file() {
    let dir = TempDir::new().unwrap();
    let data = dir.path().join("data");
    // Three workbooks a unit put in a folder named after no unit.
    let stray = data.join("inbox/nop-nham");
    std::fs::create_dir_all(&stray).unwrap();
    for (n, unit) in [(1, "STP-NAN"), (2, "STP-QTR"), (3, "STP-HUE")] {
        drop_file(
            &stray.join(format!("bang-{n}.xlsx")),
            &form_file(unit, n, false),
        );
    }
    let d = Daemon::start(&data, &daemon_env(&data));
    let rows = wait_for(Duration::from_secs(30), || {
        let r = ledger_rows(&data);
        (r.len() == 3 && !emls(&data).is_empty()).then_some(r)
    });
    // Rescans come every second: a few go by.
    std::thread::sleep(Duration::from_millis(2500));
    let log = d.log_text();
    assert_eq!(d.stop(), 0, "{log}");
    assert!(rows.iter().all(|(s, _, _)| s == "rejected"), "{rows:?}");
    let lines = log
        .lines()
        .filter(|l| l.contains("named after no unit"))
        .count();
    assert_eq!(lines, 1, "one line for the folder:\n{log}");
    let mails = emls(&data);
    assert_eq!(mails.len(), 1, "one answer for the folder");
    let text =
        String::from_utf8(crate::support::part(&mails[0], "Content-Type: text/plain").unwrap())
            .unwrap();
    assert!(text.contains("“nop-nham”"), "{text}");
    for n in 1..=3 {
        assert!(text.contains(&format!("bang-{n}.xlsx")), "{text}");
    }
    assert!(text.contains("còn 2 tệp khác"), "{text}");
    let to = mails[0].lines().find(|l| l.starts_with("To: ")).unwrap();
    let from = mails[0].lines().find(|l| l.starts_with("From: ")).unwrap();
    assert!(
        from.contains(to.trim_start_matches("To: ").trim()),
        "to the secretariat: {to} / {from}"
    );
    // Each file is filed with its own findings all the same, under no unit.
    let rejected = crate::support::filed(&data.join("rejected"));
    assert_eq!(rejected.len(), 3, "{rejected:?}");
    assert!(std::fs::read_dir(&stray).unwrap().next().is_none());

    // The same file put there again is seen before (a duplicate), yet its
    // folder is reported again: were it silent, so would be the folder's
    // other files that came with it.
    let d = Daemon::start(&data, &daemon_env(&data));
    // (The latest file of no unit is the one a file is compared with.)
    let third = rejected
        .iter()
        .find(|p| p.to_string_lossy().ends_with("_bang-3.xlsx"))
        .unwrap();
    drop_file(&stray.join("bang-3.xlsx"), &std::fs::read(third).unwrap());
    let rows = wait_for(Duration::from_secs(30), || {
        let r = ledger_rows(&data);
        (r.len() == 4 && emls(&data).len() == 2).then_some(r)
    });
    assert_eq!(d.stop(), 0);
    assert_eq!(
        rows.iter().filter(|(s, _, _)| s == "duplicate").count(),
        1,
        "{rows:?}"
    );
    let again = emls(&data).into_iter().find(|m| m != &mails[0]).unwrap();
    let text = String::from_utf8(crate::support::part(&again, "Content-Type: text/plain").unwrap())
        .unwrap();
    assert!(
        text.contains("“nop-nham”") && text.contains("bang-3.xlsx"),
        "{text}"
    );
}

#[test]
fn a_newline_in_a_file_name_is_one_escaped_human_log_line_and_answered() {
    let dir = TempDir::new().unwrap();
    let data = dir.path().join("data");
    let inbox = data.join("inbox/STP-QTR");
    std::fs::create_dir_all(&inbox).unwrap();
    let log_path = dir.path().join("human.log");
    // The human log, as an operator reads it on a terminal or in a file.
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_thidua"))
        .arg("--config")
        .arg(crate::support::config_path())
        .args(["--log-format", "human", "run"])
        .env_remove("THIDUA_LOG_FORMAT")
        .env_remove("THIDUA_LOG")
        .envs(daemon_env(&data))
        .stdout(std::process::Stdio::null())
        .stderr(std::fs::File::create(&log_path).unwrap())
        .spawn()
        .unwrap();
    drop_file(
        &inbox.join("bảng\nmới.xlsx"),
        &form_file("STP-QTR", 1, false),
    );
    let rows = wait_for(Duration::from_secs(30), || {
        let r = ledger_rows(&data);
        (r.len() == 1 && emls(&data).len() == 1).then_some(r)
    });
    std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(child.wait().unwrap().success());
    let log = std::fs::read_to_string(&log_path).unwrap();
    assert_eq!(rows[0].0, "accepted", "{rows:?}");
    assert_eq!(rows[0].2, "bảng\nmới.xlsx", "the name as the unit gave it");
    // Every line is a whole event: it starts with its time.
    for line in log.lines() {
        assert!(
            line.starts_with(|c: char| c.is_ascii_digit()),
            "a line that is no event of its own: {line:?}\n{log}"
        );
    }
    let taken: Vec<&str> = log.lines().filter(|l| l.contains("file taken")).collect();
    assert_eq!(taken.len(), 1, "{log}");
    assert!(taken[0].contains(r"bảng\nmới.xlsx"), "{}", taken[0]);
    // The answer names the file too, on one line of its own.
    let mail = &emls(&data)[0];
    let text =
        String::from_utf8(crate::support::part(mail, "Content-Type: text/plain").unwrap()).unwrap();
    assert!(text.contains("mới.xlsx"), "{text}");
}

/// A file changed between its copy into `.staging/` and its removal from
/// the inbox (a unit saving it again at that moment) is left in the inbox
/// and taken again as it ends. Tested one layer below the daemon, on the
/// intake's own two steps with real files: through the running daemon the
/// change would have to land in the few milliseconds between the copy and
/// the removal of one file, which a test cannot time from outside.
#[test]
fn a_file_changed_after_it_was_staged_stays_in_the_inbox_and_is_taken_as_it_ends() {
    use thidua::service::inbox::Shape;
    use thidua::service::inbox::intake::{commit, prepare};
    let dir = TempDir::new().unwrap();
    let data = dir.path().join("data");
    let settings = thidua::config::Settings::load_with_env(
        Some(&crate::support::config_path()),
        &[(
            "THIDUA__PATHS__DATA".to_string(),
            data.display().to_string(),
        )],
    )
    .unwrap();
    thidua::io::private::prepare_folders(&settings).unwrap();
    let texts = thidua::app::mail_texts::Texts::load(settings.paths.templates.as_deref()).unwrap();
    let docs = thidua::io::pdf::Documents::load(settings.paths.templates.as_deref()).unwrap();
    let mut ledger = thidua::io::ledger::Ledger::open(&settings.paths.ledger).unwrap();
    let path = settings.paths.inbox.join("STP-QTR/bang.xlsx");
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let first = form_file("STP-QTR", 1, false);
    let second = form_file("STP-QTR", 2, false);
    let third = form_file("STP-QTR", 3, false);
    let archived = || crate::support::filed(&settings.paths.archive);
    let take = |ledger: &mut thidua::io::ledger::Ledger, between: &dyn Fn()| {
        let shape = Shape::of(&path).unwrap();
        let p = prepare(&settings, &docs, ledger, &path, shape, chrono::Utc::now()).unwrap();
        between();
        commit(&settings, &texts, ledger, p).unwrap()
    };

    // Saved again, with other content, while the first version was taken.
    std::fs::write(&path, &first).unwrap();
    let t = take(&mut ledger, &|| std::fs::write(&path, &second).unwrap());
    assert!(
        !t.left_in_inbox,
        "changed: to be taken again, not held back"
    );
    assert_eq!(
        std::fs::read(&path).unwrap(),
        second,
        "the new version stays"
    );
    assert_eq!(std::fs::read(&archived()[0]).unwrap(), first);

    // Only its time changed (the same bytes saved again): it stays too.
    let t = take(&mut ledger, &|| {
        let f = std::fs::File::options().write(true).open(&path).unwrap();
        f.set_modified(std::time::SystemTime::now() + Duration::from_secs(5))
            .unwrap();
    });
    assert!(!t.left_in_inbox);
    assert_eq!(std::fs::read(&path).unwrap(), second);

    // Changed again while taken, then left alone: the next take files the
    // last version and removes the inbox file.
    let _ = take(&mut ledger, &|| std::fs::write(&path, &third).unwrap());
    assert!(path.exists());
    let t = take(&mut ledger, &|| {});
    assert_eq!(t.status.as_str(), "accepted");
    assert!(!path.exists(), "taken as it ended, then removed");
    let versions: Vec<Vec<u8>> = archived()
        .iter()
        .map(|p| std::fs::read(p).unwrap())
        .collect();
    for (n, v) in [(1, &first), (2, &second), (3, &third)] {
        assert!(versions.contains(v), "version {n} filed");
    }
    let rows = ledger_rows(&data);
    let status: Vec<&str> = rows.iter().map(|(s, _, _)| s.as_str()).collect();
    assert_eq!(
        status,
        ["accepted", "accepted", "duplicate", "accepted"],
        "{rows:?}"
    );
}

#[test]
fn where_the_lease_cannot_tell_the_stability_window_decides() {
    use std::io::Write as _;
    let dir = TempDir::new().unwrap();
    let data = dir.path().join("data");
    let Some(d) = daemon_as_nobody(&data) else {
        return;
    };
    let unit = data.join("inbox/STP-QTR");
    wait_for(Duration::from_secs(20), || unit.is_dir().then_some(()));
    // The daemon's own file, whole but still held open by its writer: the
    // lease says it is being written, so it waits, however long.
    let own = unit.join("cua-minh.xlsx");
    let own_form = form_file("STP-QTR", 1, false);
    let mut own_writer = std::fs::File::create(&own).unwrap();
    std::process::Command::new("chown")
        .args(["nobody:nogroup"])
        .arg(&own)
        .status()
        .unwrap();
    own_writer.write_all(&own_form).unwrap();
    own_writer.flush().unwrap();
    // A file another account owns, held open the same way: an unprivileged
    // daemon may not take a lease on it (as on a network share), so the
    // stability window (0,4 s here) decides alone.
    let other = unit.join("cua-nguoi-khac.xlsx");
    let mut other_writer = std::fs::File::create(&other).unwrap();
    other_writer
        .write_all(&form_file("STP-QTR", 2, false))
        .unwrap();
    other_writer.flush().unwrap();
    let rows = wait_for(Duration::from_secs(20), || {
        let r = ledger_rows(&data);
        (!r.is_empty()).then_some(r)
    });
    assert_eq!(rows[0].2, "cua-nguoi-khac.xlsx", "{rows:?}");
    // Five windows later the daemon's own file still waits for its writer.
    std::thread::sleep(Duration::from_secs(2));
    let rows = ledger_rows(&data);
    assert_eq!(rows.len(), 1, "taken while its writer held it: {rows:?}");
    assert!(own.exists());
    // Closed: taken at once, whole.
    drop(own_writer);
    let rows = wait_for(Duration::from_secs(20), || {
        let r = ledger_rows(&data);
        (r.len() == 2).then_some(r)
    });
    drop(other_writer);
    let log = d.log_text();
    assert_eq!(d.stop(), 0, "{log}");
    assert!(rows.iter().all(|(s, _, _)| s == "accepted"), "{rows:?}");
    let own_filed = rows.iter().find(|r| r.2 == "cua-minh.xlsx").unwrap();
    assert_eq!(std::fs::read(&own_filed.1).unwrap(), own_form);
    assert!(!own.exists());
}
