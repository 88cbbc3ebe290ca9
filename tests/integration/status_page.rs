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
        "# EOF",
    ] {
        assert!(metrics.contains(line), "{line:?} missing from:\n{metrics}");
    }

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
}
