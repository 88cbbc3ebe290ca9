//! The status page of a running daemon, over real HTTP: the overview in
//! Vietnamese (escaped), `/healthz`, `/metrics` with the counts the ledger
//! holds, and refusals of what the page does not do.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use tempfile::TempDir;

use crate::support::{
    Daemon, crosscheck, daemon_env, drop_file, form_file, ledger_rows, thidua, wait_for,
};

/// `(status, headers, body)` of one request.
fn http(addr: &str, method: &str, path: &str) -> (u16, String, String) {
    http_as(addr, addr, method, path)
}

/// The same with `host` in the Host header.
fn http_as(addr: &str, host: &str, method: &str, path: &str) -> (u16, String, String) {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"
    )
    .unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let raw = String::from_utf8(raw).unwrap();
    let (head, body) = raw.split_once("\r\n\r\n").unwrap();
    let status = head.split_whitespace().nth(1).unwrap().parse().unwrap();
    (status, head.to_lowercase(), body.to_string())
}

/// The address the daemon logged for its page.
fn page_addr(d: &Daemon) -> String {
    wait_for(Duration::from_secs(20), || {
        d.log_text()
            .lines()
            .filter(|l| l.contains("status page listening"))
            .find_map(|l| {
                let v: serde_json::Value = serde_json::from_str(l).ok()?;
                let url = v["url"].as_str()?.to_string();
                Some(
                    url.trim_start_matches("http://")
                        .trim_end_matches('/')
                        .to_string(),
                )
            })
    })
}

#[test]
fn the_status_page_shows_units_ranking_jobs_outbox_and_metrics() {
    let dir = TempDir::new().unwrap();
    let data = dir.path().join("data");
    let mut env = daemon_env(&data);
    env.push(("THIDUA__HTTP__LISTEN".into(), "127.0.0.1:0".into()));
    let d = Daemon::start(&data, &env);
    let addr = page_addr(&d);
    assert!(addr.starts_with("127.0.0.1:"), "{addr}");

    let (code, head, body) = http(&addr, "GET", "/healthz");
    assert_eq!((code, body.as_str()), (200, "ok\n"), "{head}");

    drop_file(
        &d.inbox("STP-QTR").join("<b>bang&co.xlsx"),
        &form_file("STP-QTR", 1, false),
    );
    drop_file(
        &d.inbox("STP-HUE").join("bang-hue.xlsx"),
        &form_file("STP-HUE", 2, true),
    );
    // STP-THA sends only a cross-check: it has still not submitted.
    crosscheck("STP-THA", "STP-NAN", &[("A.I.1", 3.0, 3.0, "")])
        .write(&d.inbox("STP-THA").join("kiem-tra-cheo.xlsx"));
    wait_for(Duration::from_secs(30), || {
        (ledger_rows(&data).len() == 3).then_some(())
    });

    let (code, head, html) = http(&addr, "GET", "/");
    assert_eq!(code, 200, "{head}");
    assert!(
        head.contains("content-type: text/html; charset=utf-8"),
        "{head}"
    );
    assert!(
        head.contains("content-security-policy: default-src 'none'"),
        "{head}"
    );
    for text in [
        "<html lang=\"vi\">",
        "Năm 2026: 1/10 đơn vị đã nộp",
        "Sở Tư pháp tỉnh Quảng Trị",
        "<td class=\"submitted\">đã nộp</td>",
        "bị từ chối, chưa có bảng hợp lệ",
        "chưa nộp",
        "Xếp hạng tạm thời năm 2026",
        "Công việc theo lịch",
        "year-end",
        "Hộp thư đi",
        // A unit's file name is shown escaped, never as markup.
        "&lt;b&gt;bang&amp;co.xlsx",
    ] {
        assert!(html.contains(text), "{text:?} missing from:\n{html}");
    }
    assert!(!html.contains("<b>bang"), "{html}");
    assert_eq!(
        html.matches("<td class=\"submitted\">").count(),
        1,
        "{html}"
    );
    assert_eq!(html.matches("<td class=\"rejected\">").count(), 1, "{html}");
    assert_eq!(
        html.matches("<td class=\"missing\">chưa nộp").count(),
        8,
        "{html}"
    );
    assert!(
        html.contains("kiem-tra-cheo.xlsx"),
        "the latest file of STP-THA: {html}"
    );

    // Three receipts and the cross-check's notice to STP-NAN are sent (file
    // transport) before the counts are read.
    wait_for(Duration::from_secs(20), || {
        let (_, _, m) = http(&addr, "GET", "/metrics");
        m.contains("thidua_emails_total{state=\"sent\"} 4")
            .then_some(())
    });
    let (code, head, metrics) = http(&addr, "GET", "/metrics");
    assert_eq!(code, 200, "{head}");
    assert!(head.contains("application/openmetrics-text"), "{head}");
    for line in [
        "# TYPE thidua_files counter",
        "thidua_files_total{status=\"accepted\"} 2",
        "thidua_files_total{status=\"rejected\"} 1",
        "thidua_findings_total{code=\"score-above-max\"} 1",
        "thidua_emails_total{state=\"failed\"} 0",
        "thidua_emails_pending 0",
        "thidua_units{year=\"2026\",state=\"submitted\"} 1",
        "thidua_units{year=\"2026\",state=\"missing\"} 9",
        "thidua_emails_oldest_waiting_seconds 0",
        "thidua_job_last_success_timestamp_seconds{job=\"year-end\"} 0",
        "# EOF",
    ] {
        assert!(metrics.contains(line), "{line:?} missing from:\n{metrics}");
    }
    let build = format!(
        "thidua_build_info{{version=\"{}\"}} 1",
        env!("CARGO_PKG_VERSION")
    );
    assert!(metrics.contains(&build), "{build} missing from:\n{metrics}");

    let (code, head, _) = http(&addr, "POST", "/");
    assert_eq!(code, 405);
    assert!(head.contains("allow: get, head"), "{head}");
    assert_eq!(http(&addr, "GET", "/khong-co").0, 404);
    // A page elsewhere reaching it through a name that resolves to 127.0.0.1.
    let (code, _, body) = http_as(&addr, "ke-la.example", "GET", "/metrics");
    assert_eq!(code, 403, "{body}");
    let (code, _, body) = http(&addr, "HEAD", "/");
    assert_eq!((code, body.as_str()), (200, ""));
    assert_eq!(d.stop(), 0);
}

/// This machine's address on its network, if it has one: the source
/// address of a route outwards (nothing is sent).
fn network_address() -> Option<std::net::IpAddr> {
    let s = std::net::UdpSocket::bind("0.0.0.0:0").ok()?;
    s.connect("192.0.2.1:9").ok()?;
    let ip = s.local_addr().ok()?.ip();
    (!ip.is_loopback() && !ip.is_unspecified()).then_some(ip)
}

/// Whether anything accepts a connection at `addr` within a second.
fn accepts(addr: &str) -> bool {
    let addr: std::net::SocketAddr = addr.parse().unwrap();
    TcpStream::connect_timeout(&addr, Duration::from_secs(1)).is_ok()
}

/// The page is started, at a loopback address, and cannot be reached at any
/// other: not at another address of the loopback network (a socket on
/// 127.0.0.1 is not one on 127.0.0.2, a socket on 0.0.0.0 is), nor at the
/// machine's network address. A non-loopback setting stops both `status`
/// and the daemon before any page starts.
#[test]
fn the_status_page_listens_on_loopback_only() {
    let dir = TempDir::new().unwrap();
    let data = dir.path().join("data");
    let run = thidua(
        dir.path(),
        &["status"],
        &[
            ("THIDUA__PATHS__DATA", data.to_str().unwrap()),
            ("THIDUA__HTTP__LISTEN", "0.0.0.0:8080"),
        ],
    );
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stderr.contains("THIDUA__HTTP__LISTEN"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("http.listen"), "{}", run.stderr);
    assert!(run.stderr.contains("loopback"), "{}", run.stderr);

    // The daemon refuses to start on it: no page, exit 2.
    let mut env = daemon_env(&data);
    env.push(("THIDUA__HTTP__LISTEN".into(), "0.0.0.0:0".into()));
    let mut refused = Daemon::start(&data, &env);
    let status = wait_for(Duration::from_secs(30), || {
        refused.child.try_wait().unwrap()
    });
    assert_eq!(status.code(), Some(2), "{}", refused.log_text());
    let log = refused.log_text();
    assert!(
        log.contains("http.listen") && log.contains("loopback"),
        "{log}"
    );
    assert!(!log.contains("status page listening"), "{log}");
    drop(refused);

    let mut env = daemon_env(&data);
    env.push(("THIDUA__HTTP__LISTEN".into(), "127.0.0.1:0".into()));
    let d = Daemon::start(&data, &env);
    let addr = page_addr(&d);
    let port = addr
        .strip_prefix("127.0.0.1:")
        .unwrap_or_else(|| panic!("the page says it listens at {addr}"));
    let (code, _, body) = http(&addr, "GET", "/healthz");
    assert_eq!((code, body.as_str()), (200, "ok\n"));
    assert!(
        !accepts(&format!("127.0.0.2:{port}")),
        "the page answers at 127.0.0.2:{port}: it listens beyond 127.0.0.1"
    );
    match network_address() {
        Some(ip) => assert!(
            !accepts(&std::net::SocketAddr::new(ip, port.parse().unwrap()).to_string()),
            "the page answers at the network address {ip}"
        ),
        // Without a network there is no other address to reach it at.
        None => eprintln!("no network address: checked at 127.0.0.2 only"),
    }
    assert_eq!(d.stop(), 0);
}

/// Whether the daemon closed `s` (end of stream or an error) within `limit`.
fn closed_within(s: &mut TcpStream, limit: Duration) -> bool {
    s.set_read_timeout(Some(limit)).unwrap();
    let mut buf = [0u8; 512];
    loop {
        match s.read(&mut buf) {
            Ok(0) => return true,
            Ok(_) => {}
            Err(e) => {
                return !matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                );
            }
        }
    }
}

/// The case: ~2,000 connections and slow clients against a daemon
/// limited to 1,024 open files, as the shipped unit is. The page used to
/// run out of file handles, and a workbook dropped meanwhile failed and the
/// daemon exited. Now the flood is cut down, the file is taken, and the page
/// answers again afterwards.
#[test]
fn a_flood_of_connections_and_slow_clients_do_not_hurt_the_daemon() {
    // This test holds 2,000 sockets open at once.
    rlimit::increase_nofile_limit(4096).unwrap();
    let dir = TempDir::new().unwrap();
    let data = dir.path().join("data");
    let mut env = daemon_env(&data);
    env.push(("THIDUA__HTTP__LISTEN".into(), "127.0.0.1:0".into()));
    let mut d = Daemon::start(&data, &env);
    rlimit::prlimit(
        d.child.id() as i32,
        rlimit::Resource::NOFILE,
        Some((1024, 1024)),
        None,
    )
    .unwrap();
    let addr = page_addr(&d);
    assert_eq!(http(&addr, "GET", "/healthz").0, 200);

    // A slow client sending its request a byte at a time is cut off once
    // the header time is up.
    let mut slow = TcpStream::connect(&addr).unwrap();
    let started = std::time::Instant::now();
    let mut cut = false;
    for b in b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "
        .iter()
        .cycle()
        .take(60)
    {
        if slow.write_all(&[*b]).is_err() {
            cut = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(250));
        if started.elapsed() > Duration::from_secs(8) {
            break;
        }
    }
    assert!(
        cut || closed_within(&mut slow, Duration::from_secs(10)),
        "a client dribbling its request head was not cut off"
    );

    // 2,000 connections held open at once: half send nothing, half half a
    // request, and every tenth closes before its answer.
    let mut held = Vec::new();
    let mut connected = 0;
    for i in 0..2000 {
        let Ok(mut s) = TcpStream::connect(&addr) else {
            continue;
        };
        connected += 1;
        if i % 2 == 1 {
            let _ = s.write_all(b"GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n");
        }
        if i % 10 == 0 {
            let _ = s.write_all(b"\r\n");
            continue;
        }
        held.push(s);
    }
    assert!(
        connected > 1024,
        "only {connected} connections: the flood never passed the daemon's 1.024 files"
    );
    // A workbook arriving meanwhile is taken.
    drop_file(
        &d.inbox("STP-QTR").join("trong-luc-bi-don.xlsx"),
        &form_file("STP-QTR", 1, false),
    );
    wait_for(Duration::from_secs(30), || {
        (ledger_rows(&data).len() == 1).then_some(())
    });
    assert!(d.child.try_wait().unwrap().is_none(), "the daemon exited");
    drop(held);

    // The page answers again.
    let (code, _, body) = wait_for(Duration::from_secs(30), || {
        let mut s = TcpStream::connect(&addr).ok()?;
        s.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
        s.write_all(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            .ok()?;
        let mut raw = String::new();
        s.read_to_string(&mut raw).ok()?;
        let (top, body) = raw.split_once("\r\n\r\n")?;
        let code: u16 = top.split_whitespace().nth(1)?.parse().ok()?;
        Some((code, top.to_string(), body.to_string()))
    });
    assert_eq!((code, body.as_str()), (200, "ok\n"));
    assert_eq!(http(&addr, "GET", "/").0, 200);
    assert!(d.child.try_wait().unwrap().is_none(), "the daemon exited");
    assert_eq!(d.stop(), 0);
}

/// `/healthz` fails when a part of the daemon has stopped doing its work,
/// through faults as they happen: the inbox folder goes away (deleted, or
/// the share it lives on is gone), so the watcher takes nothing; and the
/// ledger is held locked by another program (an operator's `sqlite3` left
/// in a transaction), so the mail worker can record no mail. Each is 503
/// naming the part and why, and 200 again once the fault is over; the
/// daemon never stops for it.
#[test]
fn healthz_fails_while_the_watcher_or_the_mail_worker_cannot_work() {
    let dir = TempDir::new().unwrap();
    let data = dir.path().join("data");
    // Mail goes to a server that is down, so a mail keeps waiting and the
    // worker looks at the outbox every second.
    let mut env = crate::support::smtp_env(&data, crate::support::free_port());
    env.extend([
        ("THIDUA__HTTP__LISTEN".into(), "127.0.0.1:0".into()),
        ("THIDUA__MAIL__RETRY_MAX_SECS".into(), "1".into()),
    ]);
    let mut d = Daemon::start(&data, &env);
    let addr = page_addr(&d);
    let health = || {
        let (code, _, body) = http(&addr, "GET", "/healthz");
        (code, body)
    };
    assert_eq!(health(), (200, "ok\n".to_string()));

    // The inbox folder goes away: 503 naming the watcher and the folder.
    let inbox = data.join("inbox");
    let moved = data.join("inbox-gone");
    std::fs::rename(&inbox, &moved).unwrap();
    let body = wait_for(Duration::from_secs(20), || {
        let (code, body) = health();
        (code == 503).then_some(body)
    });
    assert!(
        body.starts_with("inbox watcher stopped: the inbox folder")
            && body.contains(&inbox.display().to_string()),
        "{body}"
    );
    assert!(
        d.log_text().contains("the inbox watcher has stopped"),
        "{}",
        d.log_text()
    );
    // Back: 200, and a file dropped is taken (by the watch set up again).
    std::fs::rename(&moved, &inbox).unwrap();
    wait_for(Duration::from_secs(20), || {
        (health().0 == 200).then_some(())
    });
    drop_file(
        &d.inbox("STP-QTR").join("sau-khi-tro-lai.xlsx"),
        &form_file("STP-QTR", 1, false),
    );
    wait_for(Duration::from_secs(30), || {
        (ledger_rows(&data).len() == 1).then_some(())
    });
    // Its receipt waits for the mail server; the worker still works.
    std::thread::sleep(Duration::from_secs(2));
    assert_eq!(health(), (200, "ok\n".to_string()));

    // Another program holds the ledger's write lock: the worker cannot
    // record its tries (after SQLite's 10 s wait), and says so.
    let lock = rusqlite::Connection::open(data.join("thidua.sqlite")).unwrap();
    lock.busy_timeout(Duration::from_secs(20)).unwrap();
    lock.execute_batch("BEGIN IMMEDIATE").unwrap();
    let body = wait_for(Duration::from_secs(60), || {
        let (code, body) = health();
        (code == 503).then_some(body)
    });
    assert!(
        body.starts_with("mail worker stopped: cannot work the outbox") && body.contains("locked"),
        "{body}"
    );
    assert!(d.child.try_wait().unwrap().is_none(), "the daemon exited");
    lock.execute_batch("ROLLBACK").unwrap();
    drop(lock);
    wait_for(Duration::from_secs(30), || {
        (health().0 == 200).then_some(())
    });
    let rows = crate::support::all_ledger_rows(&data);
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(d.stop(), 0);
}
