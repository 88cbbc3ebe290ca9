//! The test harness: the shipped settings, workbooks built from the real
//! form and edited cell by cell (`Grid`), and runs of the real `thidua`
//! binary with their exit code, stdout and parsed JSON.

use std::path::{Path, PathBuf};
use std::process::Command;

use rust_xlsxwriter::Workbook;
use serde_json::Value as Json;
use thidua::config::Settings;
use thidua::io::workbook::form::{Fill, FormSpec, form_bytes};
use thidua::io::workbook::{Book, Cell, Limits, Sheet, Value};

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The configuration file as shipped.
pub fn shipped_config_path() -> PathBuf {
    repo().join("config/thidua.toml")
}

/// The shipped configuration with its 2026 conference held yesterday, so
/// that `close-vote` and `year-end` may run now whatever today's date
/// (they refuse to run before the conference); written once per test run.
pub fn config_path() -> PathBuf {
    static PATH: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    PATH.get_or_init(|| {
        let yesterday = (thidua::domain::time::local(chrono::Utc::now())
            - chrono::Duration::days(1))
        .date_naive()
        .max(chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap());
        // One folder a day under the build's own temp folder, not one per
        // run in /tmp: the text depends on the date only, and each run
        // writes it whole (config_with_conference renames into place).
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("test-config-{yesterday}"));
        std::fs::create_dir_all(&dir).unwrap();
        config_with_conference(&dir, yesterday, "00:00")
    })
    .clone()
}

/// The shipped configuration with the 2026 conference on `date` at `time`
/// (Viet Nam's time) and the criteria folder made absolute, written as
/// `dir/thidua.toml`.
pub fn config_with_conference(dir: &Path, date: chrono::NaiveDate, time: &str) -> PathBuf {
    let shipped = std::fs::read_to_string(shipped_config_path()).unwrap();
    let text = shipped
        .replace(
            "date = \"2026-12-09\", time = \"08:00\"",
            &format!("date = \"{date}\", time = \"{time}\""),
        )
        .replace(
            "criteria = \"criteria\"",
            &format!(
                "criteria = {:?}",
                repo().join("config/criteria").display().to_string()
            ),
        );
    assert_ne!(
        text, shipped,
        "the conference line is in the shipped config"
    );
    let path = dir.join("thidua.toml");
    // Written beside and renamed, so that a test binary running at the
    // same time never reads it half-written.
    let part = dir.join(format!("thidua.toml.{}", std::process::id()));
    std::fs::write(&part, text).unwrap();
    std::fs::rename(&part, &path).unwrap();
    path
}

pub fn settings() -> Settings {
    Settings::load_with_env(Some(&config_path()), &[]).expect("the shipped config loads")
}

/// A workbook as editable cells, written back as `.xlsx`.
#[derive(Debug, Clone)]
pub struct Grid {
    pub sheets: Vec<Sheet>,
}

pub const SELF: &str = "Tự chấm điểm";

/// Zero-based (row, col) of an A1 name.
pub fn pos(a1: &str) -> (u32, u32) {
    let letters: String = a1.chars().take_while(char::is_ascii_alphabetic).collect();
    let digits = &a1[letters.len()..];
    let col = letters.bytes().fold(0u32, |acc, b| {
        acc * 26 + u32::from(b.to_ascii_uppercase() - b'A' + 1)
    }) - 1;
    (digits.parse::<u32>().unwrap() - 1, col)
}

impl Grid {
    pub fn from_bytes(bytes: Vec<u8>) -> Grid {
        let mut book = Book::from_bytes(bytes, &Limits::default()).unwrap();
        let names = book.sheet_names().to_vec();
        Grid {
            sheets: names.iter().map(|n| book.sheet(n).unwrap()).collect(),
        }
    }

    /// The real form of `unit` for the open year, filled with plausible scores.
    pub fn filled(unit: &str) -> (Grid, Fill) {
        let mut kept = None;
        let bytes = form_with(unit, |table| {
            let fill = Fill::plausible(table);
            kept = Some(fill.clone());
            fill
        });
        (Grid::from_bytes(bytes), kept.expect("filled"))
    }

    pub fn empty() -> Grid {
        Grid { sheets: Vec::new() }
    }

    pub fn sheet_mut(&mut self, name: &str) -> &mut Sheet {
        if let Some(i) = self.sheets.iter().position(|s| s.name == name) {
            return &mut self.sheets[i];
        }
        self.sheets.push(Sheet::new(name, Vec::new()));
        self.sheets.last_mut().unwrap()
    }

    pub fn set(&mut self, sheet: &str, a1: &str, value: Value) -> &mut Grid {
        let (row, col) = pos(a1);
        self.set_at(sheet, row, col, value)
    }

    pub fn set_at(&mut self, sheet: &str, row: u32, col: u32, value: Value) -> &mut Grid {
        let s = self.sheet_mut(sheet);
        s.cells.retain(|c| (c.row, c.col) != (row, col));
        if !matches!(value, Value::Empty) {
            s.cells.push(Cell { row, col, value });
        }
        let name = s.name.clone();
        let cells = std::mem::take(&mut s.cells);
        *s = Sheet::new(&name, cells);
        self
    }

    pub fn text(&mut self, sheet: &str, a1: &str, t: &str) -> &mut Grid {
        self.set(sheet, a1, Value::Text(t.into()))
    }

    pub fn num(&mut self, sheet: &str, a1: &str, n: f64) -> &mut Grid {
        self.set(sheet, a1, Value::Number(n))
    }

    pub fn clear(&mut self, sheet: &str, a1: &str) -> &mut Grid {
        self.set(sheet, a1, Value::Empty)
    }

    /// The 1-based row number of the criterion `code` on the self-scoring sheet.
    pub fn row_of(&self, code: &str) -> u32 {
        let s = self.sheets.iter().find(|s| s.name == SELF).unwrap();
        s.cells
            .iter()
            .find(|c| c.col == 1 && c.value == Value::Text(code.into()))
            .unwrap_or_else(|| panic!("no row for {code}"))
            .row
            + 1
    }

    /// Applies `f` to every cell of every sheet.
    pub fn map_cells(&mut self, f: impl Fn(&mut Cell)) -> &mut Grid {
        for s in &mut self.sheets {
            s.cells.iter_mut().for_each(&f);
        }
        self
    }

    /// Removes column `col` of a sheet from the 1-based row `from` down,
    /// shifting the cells right of it left (a table retyped without a column).
    pub fn delete_column(&mut self, sheet: &str, col: u32, from: u32) -> &mut Grid {
        let s = self.sheet_mut(sheet);
        s.cells.retain(|c| c.col != col || c.row + 1 < from);
        for c in &mut s.cells {
            if c.col > col && c.row + 1 >= from {
                c.col -= 1;
            }
        }
        self
    }

    pub fn write(&self, path: &Path) {
        let mut wb = Workbook::new();
        for s in &self.sheets {
            let ws = wb.add_worksheet().set_name(&s.name).unwrap();
            for c in &s.cells {
                let col = u16::try_from(c.col).unwrap();
                match &c.value {
                    Value::Number(n) => ws.write_number(c.row, col, *n).map(|_| ()),
                    Value::Text(t) | Value::Date(t) | Value::Error(t) => {
                        ws.write_string(c.row, col, t).map(|_| ())
                    }
                    Value::Bool(b) => ws.write_boolean(c.row, col, *b).map(|_| ()),
                    Value::Empty => Ok(()),
                }
                .unwrap();
            }
        }
        wb.save(path).unwrap();
    }
}

/// A finished run of the real binary.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn json(&self) -> Json {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}):\n{}\nstderr:\n{}",
                self.stdout, self.stderr
            )
        })
    }
}

/// `thidua` in `dir` with the shipped config unless `args` give one, and
/// none of the settings the environment of the test run may hold.
pub fn thidua_command(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_thidua"));
    cmd.current_dir(dir).env_remove("THIDUA_CONFIG");
    for (k, _) in std::env::vars() {
        if k.starts_with("THIDUA__") {
            cmd.env_remove(k);
        }
    }
    if !args.contains(&"--config") {
        cmd.arg("--config").arg(config_path());
    }
    cmd.args(args).envs(env.iter().copied());
    cmd
}

/// Runs `thidua` in `dir` with the shipped config unless `args` give one.
pub fn thidua(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    let out = thidua_command(dir, args, env)
        .output()
        .expect("thidua runs");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// `thidua validate --json` on one file; returns the exit code and its report.
pub fn validate(dir: &Path, file: &Path, extra: &[&str]) -> (i32, Json) {
    validate_with(&[], dir, file, extra)
}

/// As [`validate`], with environment variables (a data folder, say).
pub fn validate_with(env: &[(&str, &str)], dir: &Path, file: &Path, extra: &[&str]) -> (i32, Json) {
    let mut args = vec!["validate", "--json"];
    args.extend_from_slice(extra);
    let f = file.to_str().unwrap();
    args.push(f);
    let run = thidua(dir, &args, env);
    let json = run.json();
    assert_eq!(json.as_array().map(Vec::len), Some(1), "{}", run.stdout);
    (run.code, json[0].clone())
}

/// The findings of a report as `(code, severity, cell)`.
pub fn findings(report: &Json) -> Vec<(String, String, Option<String>)> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_string(),
                f["severity"].as_str().unwrap().to_string(),
                f["cell"].as_str().map(str::to_string),
            )
        })
        .collect()
}

/// Asserts that `report` holds a finding with `code` at `cell`, and shows
/// all findings when it does not.
#[track_caller]
pub fn assert_finding(report: &Json, code: &str, cell: Option<&str>) {
    let all = findings(report);
    assert!(
        all.iter()
            .any(|(c, _, at)| c == code && at.as_deref() == cell),
        "expected {code} at {cell:?}; got:\n{}",
        serde_json::to_string_pretty(&report["findings"]).unwrap()
    );
}

/// A running `thidua run` on a temp data folder, killed when dropped.
pub struct Daemon {
    pub child: std::process::Child,
    pub data: PathBuf,
    pub log: PathBuf,
}

/// Environment for a daemon on `data`: short windows so tests are quick.
pub fn daemon_env(data: &Path) -> Vec<(String, String)> {
    vec![
        ("THIDUA__PATHS__DATA".into(), data.display().to_string()),
        ("THIDUA__INBOX__STABLE_SECS".into(), "0.4".into()),
        ("THIDUA__INBOX__RESCAN_SECS".into(), "1".into()),
        ("THIDUA__MAIL__RETRY_SECS".into(), "0.2".into()),
    ]
}

impl Daemon {
    pub fn start(data: &Path, env: &[(String, String)]) -> Daemon {
        Daemon::start_with(&config_path(), data, env)
    }

    /// A daemon on another configuration file.
    pub fn start_with(config: &Path, data: &Path, env: &[(String, String)]) -> Daemon {
        Daemon::start_in(None, config, data, env)
    }

    /// A daemon started in the working folder `cwd` (for relative paths).
    pub fn start_in(
        cwd: Option<&Path>,
        config: &Path,
        data: &Path,
        env: &[(String, String)],
    ) -> Daemon {
        std::fs::create_dir_all(data).unwrap();
        let log = data.join(format!(
            "daemon-{}.log",
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos()
        ));
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_thidua"));
        cmd.arg("--config").arg(config).args(["run"]);
        if let Some(d) = cwd {
            cmd.current_dir(d);
        }
        for (k, _) in std::env::vars() {
            if k.starts_with("THIDUA") {
                cmd.env_remove(k);
            }
        }
        cmd.envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .env("THIDUA_LOG_FORMAT", "json")
            .stdout(std::process::Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap());
        Daemon {
            child: cmd.spawn().expect("thidua run starts"),
            data: data.to_path_buf(),
            log,
        }
    }

    pub fn inbox(&self, unit: &str) -> PathBuf {
        let p = self.data.join("inbox").join(unit);
        std::fs::create_dir_all(&p).unwrap();
        p
    }

    /// Sends SIGTERM and waits; returns the exit code.
    pub fn stop(mut self) -> i32 {
        let pid = self.child.id().to_string();
        Command::new("kill").args(["-TERM", &pid]).status().unwrap();
        let code = wait_for(Duration::from_secs(20), || self.child.try_wait().unwrap())
            .code()
            .unwrap_or(-1);
        std::mem::forget(self);
        code
    }

    /// SIGKILL, as a crash.
    pub fn kill(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
        std::mem::forget(self);
    }

    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

use std::time::Duration;

/// Polls `f` every 50 ms until it returns `Some`, or panics after `limit`.
#[track_caller]
pub fn wait_for<T>(limit: Duration, mut f: impl FnMut() -> Option<T>) -> T {
    let start = std::time::Instant::now();
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(start.elapsed() < limit, "gave up waiting after {limit:?}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The units' files under `dir` (recursively), without what thidua wrote
/// beside them (findings reports, score sheets).
pub fn filed(dir: &Path) -> Vec<PathBuf> {
    fn walk(d: &Path, out: &mut Vec<PathBuf>) {
        let Ok(rd) = std::fs::read_dir(d) else { return };
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(&p, out);
            } else if !thidua::service::inbox::names::BESIDE
                .iter()
                .any(|s| p.to_string_lossy().ends_with(s))
            {
                out.push(p);
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, &mut out);
    out.sort();
    out
}

/// Borrowed `(key, value)` pairs of an owned environment, for [`thidua`].
pub fn pairs(env: &[(String, String)]) -> Vec<(&str, &str)> {
    env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

/// Every file below `dir`, in no particular order; none if it is missing.
pub fn all_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(all_files(&p));
            } else {
                out.push(p);
            }
        }
    }
    out
}

/// Settled submissions in the ledger: (status, stored path, original
/// name); a file still being taken (`processing`) is not one yet. Empty
/// while the daemon has not created the ledger yet.
pub fn ledger_rows(data: &Path) -> Vec<(String, String, String)> {
    submissions(data, "WHERE status != 'processing'")
}

/// Every submission row, those still `processing` (or left so by a kill)
/// included.
pub fn all_ledger_rows(data: &Path) -> Vec<(String, String, String)> {
    submissions(data, "")
}

fn submissions(data: &Path, filter: &str) -> Vec<(String, String, String)> {
    ledger_query(
        data,
        &format!("SELECT status, stored_path, original_name FROM submissions {filter} ORDER BY id"),
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )
}

/// The rows `sql` selects from the ledger in `data`, each read by `row`:
/// none while the ledger or its tables do not exist yet (the daemon is
/// starting). Any other error (a column renamed, a query broken) fails the
/// test, where a reader answering "no rows" would let "nothing happened"
/// pass. The ledger is never created here.
pub fn ledger_query<T>(
    data: &Path,
    sql: &str,
    row: impl FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
) -> Vec<T> {
    let path = data.join("thidua.sqlite");
    if !path.exists() {
        return Vec::new();
    }
    let c =
        rusqlite::Connection::open_with_flags(&path, rusqlite::OpenFlags::SQLITE_OPEN_READ_WRITE)
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    c.busy_timeout(Duration::from_secs(10)).unwrap();
    let mut s = match c.prepare(sql) {
        Ok(s) => s,
        Err(e) if e.to_string().contains("no such table") => return Vec::new(),
        Err(e) => panic!("{sql}: {e}"),
    };
    s.query_map([], row)
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .map(|r| r.unwrap_or_else(|e| panic!("{sql}: {e}")))
        .collect()
}

/// The real form of `unit` for the open year, filled by `fill` from its table.
pub fn form_with(
    unit: &str,
    fill: impl FnOnce(&thidua::domain::criteria::Table) -> Fill,
) -> Vec<u8> {
    let s = settings();
    let u = s.cluster.unit(unit).unwrap();
    let year = s.cluster.current_year();
    let table = s.tables.get(&u.unit_type, year).unwrap();
    let fill = fill(table);
    let spec = FormSpec {
        cluster_name: &s.cluster.name,
        table,
        unit: u,
        year,
    };
    form_bytes(&spec, Some(&fill)).unwrap()
}

/// A filled form of `unit` as bytes, with `seed` varying one score so each is distinct.
pub fn form_file(unit: &str, seed: usize, bad: bool) -> Vec<u8> {
    form_with(unit, |table| {
        let mut fill = Fill::plausible(table);
        let leaves: Vec<usize> = table
            .leaves()
            .filter(|&i| {
                table.criteria[i].bands.len() >= 2
                    && table.criteria[i].kind == thidua::domain::criteria::Kind::Score
            })
            .collect();
        for (k, &i) in leaves.iter().enumerate() {
            let c = &table.criteria[i];
            let b = (seed >> (k % 16)) & 1;
            fill.scores.insert(c.code.clone(), c.bands[b].points);
        }
        fill.preparer = Some(format!("Người lập số {seed}"));
        if bad {
            let c = &table.criteria[leaves[0]];
            fill.scores.insert(c.code.clone(), c.max + 1.0);
        }
        fill
    })
}

/// Writes `bytes` to `path` atomically (as a finished copy would appear).
pub fn drop_file(path: &Path, bytes: &[u8]) {
    let tmp = path.with_file_name(format!(
        ".{}.part",
        path.file_name().unwrap().to_string_lossy()
    ));
    std::fs::write(&tmp, bytes).unwrap();
    std::fs::rename(&tmp, path).unwrap();
}

/// A real SMTP server (Python's aiosmtpd, `tests/smtp/server.py`) writing
/// what it receives to a folder; stopped when dropped.
pub struct Smtp {
    child: std::process::Child,
    _stdin: std::process::ChildStdin,
    pub port: u16,
    pub out: PathBuf,
}

/// A message as the SMTP server received it.
#[derive(Debug, Clone)]
pub struct Received {
    pub rcpt_tos: Vec<String>,
    pub raw: String,
    pub tls: bool,
    pub auth_user: Option<String>,
}

/// Every mail the file transport wrote into `data/outbox` (its `.eml`
/// files, by name), as the SMTP server would have received it; none while
/// the folder does not exist.
pub fn outbox_mails(data: &Path) -> Vec<Received> {
    let Ok(rd) = std::fs::read_dir(data.join("outbox")) else {
        return Vec::new();
    };
    let mut paths: Vec<PathBuf> = rd
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "eml"))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|p| Received {
            rcpt_tos: Vec::new(),
            raw: std::fs::read_to_string(&p).unwrap(),
            tls: false,
            auth_user: None,
        })
        .collect()
}

impl Received {
    pub fn header(&self, name: &str) -> Option<String> {
        let prefix = format!("{name}: ");
        self.raw
            .lines()
            .find(|l| l.starts_with(&prefix))
            .map(|l| l[prefix.len()..].trim().to_string())
    }

    /// The decoded text body (the base64 text/plain part, alone or the
    /// first part of a message with attachments).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&part(&self.raw, "Content-Type: text/plain").unwrap_or_default())
            .into_owned()
    }
}

/// The decoded body of the first MIME part of `raw` whose headers start at
/// `header` (or of the whole message when `raw` has no such part).
pub fn part(raw: &str, header: &str) -> Option<Vec<u8>> {
    let from = raw.find(header).unwrap_or(0);
    let rest = &raw[from..];
    let body_at = rest.find("\r\n\r\n")? + 4;
    let b64: String = rest[body_at..]
        .lines()
        .take_while(|l| !l.starts_with("--"))
        .collect();
    let mut child = Command::new("base64")
        .arg("-d")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), b64.as_bytes()).unwrap();
    Some(child.wait_with_output().unwrap().stdout)
}

impl Smtp {
    /// Starts the server on `port` (0 for any) with extra `args`.
    pub fn start(port: u16, out: &Path, args: &[&str]) -> Smtp {
        use std::io::BufRead as _;
        std::fs::create_dir_all(out).unwrap();
        let mut child = Command::new("python3")
            .arg(repo().join("tests/smtp/server.py"))
            .args(["--host", "127.0.0.1", "--port", &port.to_string(), "--out"])
            .arg(out)
            .arg("--exit-on-stdin-eof")
            .args(args)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::inherit())
            .spawn()
            .expect("python3 runs tests/smtp/server.py (pip install aiosmtpd)");
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let port = line
            .strip_prefix("READY ")
            .and_then(|p| p.trim().parse().ok())
            .unwrap_or_else(|| panic!("the SMTP server did not start: {line:?}"));
        Smtp {
            _stdin: child.stdin.take().unwrap(),
            child,
            port,
            out: out.to_path_buf(),
        }
    }

    pub fn messages(&self) -> Vec<Received> {
        let Ok(text) = std::fs::read_to_string(self.out.join("envelopes.jsonl")) else {
            return Vec::new();
        };
        text.lines()
            .filter_map(|l| serde_json::from_str::<Json>(l).ok())
            .map(|e| Received {
                rcpt_tos: e["rcpt_tos"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|r| r.as_str().unwrap().to_string())
                    .collect(),
                raw: std::fs::read_to_string(self.out.join(e["file"].as_str().unwrap())).unwrap(),
                tls: e["tls"].as_bool().unwrap_or(false),
                auth_user: e["auth_user"].as_str().map(str::to_string),
            })
            .collect()
    }

    pub fn commands(&self) -> String {
        std::fs::read_to_string(self.out.join("commands.log")).unwrap_or_default()
    }
}

impl Drop for Smtp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A TCP port free right now on the loopback.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Daemon environment sending through the SMTP server on `port`, in clear.
pub fn smtp_env(data: &Path, port: u16) -> Vec<(String, String)> {
    let mut env = daemon_env(data);
    env.extend([
        ("THIDUA__MAIL__TRANSPORT".to_string(), "smtp".to_string()),
        (
            "THIDUA__MAIL__SMTP__HOST".to_string(),
            "127.0.0.1".to_string(),
        ),
        ("THIDUA__MAIL__SMTP__PORT".to_string(), port.to_string()),
        (
            "THIDUA__MAIL__SMTP__SECURITY".to_string(),
            "none".to_string(),
        ),
    ]);
    env
}

/// A cross-check workbook by `inspector` on `inspected` for 2026 with rows
/// `(code, self score, verified score, reason)`.
pub fn crosscheck(inspector: &str, inspected: &str, rows: &[(&str, f64, f64, &str)]) -> Grid {
    let sheet = "Kiểm tra chéo";
    let mut g = Grid::empty();
    g.text(sheet, "A1", "BIÊN BẢN KIỂM TRA CHÉO")
        .text(sheet, "A3", "Đơn vị kiểm tra:")
        .text(sheet, "C3", inspector)
        .text(sheet, "A4", "Đơn vị được kiểm tra:")
        .text(sheet, "C4", inspected)
        .text(sheet, "A5", "Năm:")
        .num(sheet, "C5", 2026.0);
    for (col, h) in [
        "TT",
        "Mã tiêu chí",
        "Tiêu chí",
        "Điểm tự chấm",
        "Điểm kiểm tra",
        "Lý do",
    ]
    .iter()
    .enumerate()
    {
        let a1 = format!("{}7", (b'A' + col as u8) as char);
        g.text(sheet, &a1, h);
    }
    for (i, (code, own, verified, reason)) in rows.iter().enumerate() {
        let r = 8 + i;
        g.text(sheet, &format!("A{r}"), "x")
            .text(sheet, &format!("B{r}"), code)
            .num(sheet, &format!("D{r}"), *own)
            .num(sheet, &format!("E{r}"), *verified);
        if !reason.is_empty() {
            g.text(sheet, &format!("F{r}"), reason);
        }
    }
    g
}

/// The real form of `unit` with every item at its maximum, then `changes`
/// `(code, score)` applied.
pub fn full_form(unit: &str, changes: &[(&str, f64)]) -> Vec<u8> {
    form_with(unit, |table| {
        let mut fill = Fill::full(table);
        for (code, v) in changes {
            assert!(fill.scores.contains_key(*code), "{code} is a leaf");
            fill.scores.insert((*code).to_string(), *v);
        }
        fill
    })
}

/// The text of a PDF (or of pages `first..=last`), white space collapsed.
pub fn pdf_text(pdf: &Path, pages: Option<(usize, usize)>) -> String {
    let mut cmd = Command::new("pdftotext");
    cmd.args(["-enc", "UTF-8"]);
    if let Some((f, l)) = pages {
        cmd.args(["-f", &f.to_string(), "-l", &l.to_string()]);
    }
    let out = cmd
        .arg(pdf)
        .arg("-")
        .output()
        .expect("pdftotext runs (poppler-utils)");
    assert!(out.status.success(), "pdftotext {}: {out:?}", pdf.display());
    String::from_utf8(out.stdout)
        .unwrap()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}
