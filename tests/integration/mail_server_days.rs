//! The mail server's bad days, as the issue found them: a server that
//! accepts TCP and never answers, one that sends its greeting a byte every
//! 5 s, a refused login, and a mail refused for good that the operator puts
//! back with `thidua mail retry`. Each wait ends by its named timeout, the
//! daemon stops within 10 s of SIGTERM whatever the server does, and no
//! mail is lost or given up because of the server.

use std::io::Write;
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use tempfile::TempDir;

use crate::support::{
    Daemon, Smtp, drop_file, form_file, ledger_rows, pairs, smtp_env, thidua, wait_for,
};

/// How the fake server treats each connection.
#[derive(Clone, Copy)]
enum Stuck {
    /// Accepts and never sends a byte.
    Silent,
    /// Sends its greeting one byte every 5 s.
    Dribble,
    /// Answers the greeting, EHLO and every command at once, but never the
    /// command that starts with this word (`RCPT`, or `.` for the final
    /// dot of the message).
    StallAt(&'static str),
}

/// A fake SMTP server on loopback; its threads end when it is dropped (or
/// after two minutes at most).
struct FakeServer {
    port: u16,
    accepted: Arc<AtomicUsize>,
    done: Arc<AtomicBool>,
}

impl FakeServer {
    fn start(mode: Stuck) -> FakeServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let port = listener.local_addr().unwrap().port();
        let accepted = Arc::new(AtomicUsize::new(0));
        let done = Arc::new(AtomicBool::new(false));
        let (a, d) = (accepted.clone(), done.clone());
        std::thread::spawn(move || {
            let start = Instant::now();
            let mut held: Vec<TcpStream> = Vec::new();
            while !d.load(Ordering::SeqCst) && start.elapsed() < Duration::from_secs(120) {
                if let Ok((s, _)) = listener.accept() {
                    a.fetch_add(1, Ordering::SeqCst);
                    if let Stuck::StallAt(word) = mode {
                        let d = d.clone();
                        let s = s.try_clone().unwrap();
                        std::thread::spawn(move || converse(s, word, &d));
                    }
                    if let Stuck::Dribble = mode {
                        let mut s = s.try_clone().unwrap();
                        let d = d.clone();
                        std::thread::spawn(move || {
                            for b in b"220 localhost ESMTP\r\n" {
                                if d.load(Ordering::SeqCst) || s.write_all(&[*b]).is_err() {
                                    return;
                                }
                                for _ in 0..50 {
                                    if d.load(Ordering::SeqCst) {
                                        return;
                                    }
                                    std::thread::sleep(Duration::from_millis(100));
                                }
                            }
                        });
                    }
                    held.push(s);
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        });
        FakeServer {
            port,
            accepted,
            done,
        }
    }
}

/// A prompt SMTP server's side of one connection, silent from the first
/// line that starts with `stall` on (`.` stalls at the final dot).
fn converse(s: TcpStream, stall: &str, done: &AtomicBool) {
    use std::io::{BufRead, BufReader};
    s.set_read_timeout(Some(Duration::from_millis(200)))
        .unwrap();
    let mut out = s.try_clone().unwrap();
    let mut reader = BufReader::new(s);
    let say = |out: &mut TcpStream, text: &str| out.write_all(text.as_bytes()).is_ok();
    if !say(&mut out, "220 localhost ESMTP\r\n") {
        return;
    }
    let mut in_data = false;
    let mut stalled = false;
    let mut line = String::new();
    while !done.load(Ordering::SeqCst) {
        match reader.read_line(&mut line) {
            Ok(0) => return,
            Ok(_) if !line.ends_with('\n') => continue,
            Ok(_) => {}
            Err(_) => continue,
        }
        let got = std::mem::take(&mut line);
        let word = got.trim_end().to_ascii_uppercase();
        if stalled {
            continue;
        }
        if in_data {
            if word == "." {
                in_data = false;
                if stall == "." {
                    stalled = true;
                } else if !say(&mut out, "250 2.0.0 OK\r\n") {
                    return;
                }
            }
            continue;
        }
        if word.starts_with(stall) {
            stalled = true;
            continue;
        }
        let answer = if word.starts_with("EHLO") {
            "250-localhost\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n"
        } else if word.starts_with("DATA") {
            in_data = true;
            "354 go ahead\r\n"
        } else if word.starts_with("QUIT") {
            let _ = say(&mut out, "221 bye\r\n");
            return;
        } else {
            "250 OK\r\n"
        };
        if !say(&mut out, answer) {
            return;
        }
    }
}

impl Drop for FakeServer {
    fn drop(&mut self) {
        self.done.store(true, Ordering::SeqCst);
    }
}

/// `(status, attempts, last_error)` of every outbox row.
fn outbox(data: &std::path::Path) -> Vec<(String, i64, String)> {
    crate::support::ledger_query(
        data,
        "SELECT status, attempts, coalesce(last_error, '') FROM outbox ORDER BY id",
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )
}

/// Sends SIGTERM and returns the exit code and how long the stop took.
fn stop_timed(d: Daemon) -> (i32, Duration) {
    let start = Instant::now();
    let code = d.stop();
    (code, start.elapsed())
}

fn env_with(data: &std::path::Path, port: u16, extra: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut env = smtp_env(data, port);
    env.extend(
        extra
            .iter()
            .map(|(k, v)| ((*k).to_string(), (*v).to_string())),
    );
    env
}

#[test]
fn a_server_that_never_answers_times_out_by_name_and_sigterm_is_quick() {
    let dir = TempDir::new().unwrap();
    let data = dir.path().join("data");
    let server = FakeServer::start(Stuck::Silent);
    let env = env_with(
        &data,
        server.port,
        &[
            ("THIDUA__MAIL__SMTP__GREETING_TIMEOUT_SECS", "1"),
            ("THIDUA__MAIL__MAX_ATTEMPTS", "2"),
        ],
    );
    let d = Daemon::start(&data, &env);
    drop_file(
        &d.inbox("STP-QTR").join("bang.xlsx"),
        &form_file("STP-QTR", 1, false),
    );
    // Each try ends by the greeting's deadline, named in the log, and the
    // mail keeps waiting past mail.max_attempts.
    wait_for(Duration::from_secs(40), || {
        let rows = outbox(&data);
        (rows.len() == 1 && rows[0].1 >= 3).then_some(())
    });
    let rows = outbox(&data);
    assert_eq!(rows[0].0, "pending", "{rows:?}");
    assert!(
        rows[0].2.contains("mail.smtp.greeting_timeout_secs"),
        "{rows:?}"
    );
    let log = d.log_text();
    assert!(
        log.contains("mail.smtp.greeting_timeout_secs (1 s) passed"),
        "{log}"
    );
    assert!(log.contains("it waits for the mail server"), "{log}");
    assert!(!log.contains("failed for good"), "{log}");

    // The operator sees how long it has waited.
    let status = thidua(dir.path(), &["status"], &pairs(&env));
    assert!(
        status.stdout.contains("thư chờ lâu nhất đã chờ"),
        "{}",
        status.stdout
    );
    let (code, took) = stop_timed(d);
    assert_eq!(code, 0);
    assert!(took < Duration::from_secs(10), "SIGTERM took {took:?}");
    assert_eq!(outbox(&data)[0].0, "pending", "the mail stays queued");
}

#[test]
fn a_greeting_a_byte_every_five_seconds_is_cut_and_does_not_hold_the_stop() {
    let dir = TempDir::new().unwrap();
    let data = dir.path().join("data");
    let server = FakeServer::start(Stuck::Dribble);
    // The greeting's deadline cuts a server that is never silent for long.
    let env = env_with(
        &data,
        server.port,
        &[("THIDUA__MAIL__SMTP__GREETING_TIMEOUT_SECS", "3")],
    );
    let d = Daemon::start(&data, &env);
    drop_file(
        &d.inbox("STP-HUE").join("bang.xlsx"),
        &form_file("STP-HUE", 2, false),
    );
    wait_for(Duration::from_secs(30), || {
        d.log_text()
            .contains("mail.smtp.greeting_timeout_secs (3 s) passed")
            .then_some(())
    });
    assert_eq!(ledger_rows(&data).len(), 1);
    assert_eq!(d.stop(), 0);

    // With the shipped deadlines (greeting 30 s, exchange 300 s), SIGTERM in
    // the middle of such a greeting still stops the daemon at once.
    let data2 = dir.path().join("data2");
    let env = env_with(&data2, server.port, &[]);
    let d = Daemon::start(&data2, &env);
    let before = server.accepted.load(Ordering::SeqCst);
    drop_file(
        &d.inbox("STP-HUE").join("bang.xlsx"),
        &form_file("STP-HUE", 2, false),
    );
    wait_for(Duration::from_secs(30), || {
        (server.accepted.load(Ordering::SeqCst) > before).then_some(())
    });
    std::thread::sleep(Duration::from_secs(1));
    let (code, took) = stop_timed(d);
    assert_eq!(code, 0);
    assert!(took < Duration::from_secs(10), "SIGTERM took {took:?}");
    let rows = outbox(&data2);
    assert_eq!(rows.len(), 1);
    assert_eq!(
        (rows[0].0.as_str(), rows[0].1),
        ("pending", 0),
        "queued, and the interrupted try is not counted: {rows:?}"
    );
}

#[test]
fn a_refused_login_waits_and_a_mail_refused_for_good_comes_back_with_mail_retry() {
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
            "--reject-rcpt",
            "vanphong@stp.quangtri.example",
        ],
    );
    let data = dir.path().join("data");
    let mut env = env_with(&data, smtp.port, &[("THIDUA__MAIL__MAX_ATTEMPTS", "2")]);
    env.retain(|(k, _)| k != "THIDUA__MAIL__SMTP__SECURITY" && k != "THIDUA__MAIL__SMTP__HOST");
    env.extend([
        ("THIDUA__MAIL__SMTP__HOST".into(), "localhost".into()),
        ("THIDUA__MAIL__SMTP__SECURITY".into(), "starttls".into()),
        ("THIDUA__MAIL__SMTP__USERNAME".into(), "thidua".into()),
        (
            "THIDUA__MAIL__SMTP__CA_FILE".into(),
            certs.join("cert.pem").display().to_string(),
        ),
    ]);
    // A wrong password: the mail is tried again and again, never failed.
    let mut wrong = env.clone();
    wrong.push(("THIDUA_SMTP_PASSWORD".into(), "sai".into()));
    let d = Daemon::start(&data, &wrong);
    drop_file(
        &d.inbox("STP-HTI").join("bang.xlsx"),
        &form_file("STP-HTI", 3, false),
    );
    wait_for(Duration::from_secs(40), || {
        let rows = outbox(&data);
        (rows.len() == 1 && rows[0].1 >= 4).then_some(())
    });
    assert_eq!(d.stop(), 0);
    let rows = outbox(&data);
    assert_eq!(rows[0].0, "pending", "{rows:?}");
    assert!(rows[0].2.contains("535"), "{rows:?}");

    // The right password: it is sent; a mail to an address the server
    // refuses fails for good.
    let mut right = env.clone();
    right.push(("THIDUA_SMTP_PASSWORD".into(), "mat-khau".into()));
    let d = Daemon::start(&data, &right);
    drop_file(
        &d.inbox("STP-QTR").join("bang.xlsx"),
        &form_file("STP-QTR", 4, false),
    );
    wait_for(Duration::from_secs(40), || {
        let rows = outbox(&data);
        (rows.len() == 2 && rows[0].0 == "sent" && rows[1].0 == "failed").then_some(())
    });
    assert_eq!(d.stop(), 0);
    let status = thidua(dir.path(), &["status"], &pairs(&right));
    assert!(status.stdout.contains("lỗi (số 2)"), "{}", status.stdout);

    // Usage: nothing named.
    let none = thidua(dir.path(), &["mail", "retry"], &pairs(&right));
    assert_eq!(none.code, 2, "{none:?}");
    // A number that is not a failed mail is said so (exit 1); the failed
    // one named beside it is put back.
    let run = thidua(dir.path(), &["mail", "retry", "1", "2"], &pairs(&right));
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stdout.contains("Đã đưa lại 1 thư"), "{}", run.stdout);
    assert!(run.stdout.contains("số 1."), "{}", run.stdout);
    let rows = outbox(&data);
    assert_eq!((rows[1].0.as_str(), rows[1].1), ("pending", 0), "{rows:?}");
    let again = thidua(dir.path(), &["mail", "retry", "--failed"], &pairs(&right));
    assert_eq!(again.code, 0, "{again:?}");
    assert!(
        again.stdout.contains("Đã đưa lại 0 thư"),
        "{}",
        again.stdout
    );
}

/// The command deadline is each command's own: a server that answers the
/// greeting, EHLO and MAIL FROM at once and then never answers RCPT TO is
/// cut after `mail.smtp.command_timeout_secs`, named with the command, not
/// after the deadline of all the commands together (it was 2 s × 4 before)
/// nor the whole exchange's. The answer to the final dot may take RFC
/// 5321's 10 minutes (a server may scan the message first, and a mail cut
/// there may have been taken, so sent twice): a server that never gives it
/// is cut by the whole exchange's deadline, not the command's. Either way
/// the mail stays queued.
#[test]
fn a_server_stalling_on_one_command_is_cut_by_the_command_deadline() {
    for (stall, wanted) in [
        (
            "RCPT",
            "mail.smtp.command_timeout_secs (2 s) passed during RCPT TO",
        ),
        (
            ".",
            "mail.smtp.exchange_timeout_secs (6 s) passed during the whole exchange",
        ),
    ] {
        let dir = TempDir::new().unwrap();
        let data = dir.path().join("data");
        let server = FakeServer::start(Stuck::StallAt(stall));
        let env = env_with(
            &data,
            server.port,
            &[
                ("THIDUA__MAIL__SMTP__COMMAND_TIMEOUT_SECS", "2"),
                (
                    "THIDUA__MAIL__SMTP__EXCHANGE_TIMEOUT_SECS",
                    if stall == "." { "6" } else { "120" },
                ),
                ("THIDUA__MAIL__MAX_ATTEMPTS", "1"),
            ],
        );
        let d = Daemon::start(&data, &env);
        drop_file(
            &d.inbox("STP-QTR").join("bang.xlsx"),
            &form_file("STP-QTR", 5, false),
        );
        wait_for(Duration::from_secs(60), || {
            let rows = outbox(&data);
            (rows.len() == 1 && rows[0].1 >= 2).then_some(())
        });
        let rows = outbox(&data);
        assert_eq!(rows[0].0, "pending", "{stall}: {rows:?}");
        assert!(rows[0].2.contains(wanted), "{stall}: {rows:?}");
        let log = d.log_text();
        assert!(log.contains(wanted), "{stall}: {log}");
        // Cut by the one deadline named, and no other.
        let other = if stall == "." {
            "command_timeout_secs"
        } else {
            "exchange_timeout_secs"
        };
        assert!(
            !log.contains(other) && !log.contains("(8 s)"),
            "{stall}: {log}"
        );
        assert!(!log.contains("failed for good"), "{stall}: {log}");
        assert_eq!(d.stop(), 0);
        assert_eq!(outbox(&data)[0].0, "pending", "the mail stays queued");
    }
}
