//! `cargo bench --bench validate`: throughput and peak memory of the real
//! `thidua validate` on 1.000 generated workbooks, and the CPU time and peak
//! memory it spends rejecting zip bombs (an honest one and one whose entry
//! lies about its size). Each run is a child process measured with wait4,
//! so the numbers are the binary's own. Results go into
//! `docs/performance.md` by hand.

#![allow(unsafe_code)] // wait4 measures each child process.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use thidua::config::Settings;
use thidua::io::workbook::form::{Fill, FormSpec, form_bytes};

const WORKBOOKS: usize = 1_000;
const RUNS: usize = 5;

struct Measured {
    wall: Duration,
    cpu: Duration,
    max_rss_kib: i64,
    code: i32,
    stdout: Vec<u8>,
}

#[allow(clippy::zombie_processes)] // reaped by wait4 below, which also yields its rusage
fn run(args: &[&str]) -> Measured {
    let start = Instant::now();
    let child = Command::new(env!("CARGO_BIN_EXE_thidua"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("thidua runs");
    let pid = child.id() as libc::pid_t;
    let mut stdout = Vec::new();
    let mut out = child.stdout.expect("stdout");
    std::io::Read::read_to_end(&mut out, &mut stdout).expect("read stdout");
    let mut status = 0;
    // SAFETY: an all-zero rusage is a valid value for wait4 to fill in.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: pid is our own child, not yet waited for; the pointers are valid.
    let r = unsafe { libc::wait4(pid, &raw mut status, 0, &raw mut usage) };
    assert_eq!(r, pid, "wait4");
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    Measured {
        wall: start.elapsed(),
        cpu: tv(usage.ru_utime) + tv(usage.ru_stime),
        max_rss_kib: usage.ru_maxrss,
        code: libc::WEXITSTATUS(status),
        stdout,
    }
}

/// A tiny deterministic generator, so every run validates the same files.
struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
}

fn generate(settings: &Settings, dir: &Path) {
    let year = settings.cluster.current_year();
    let units: Vec<_> = settings.cluster.members(year).collect();
    let mut rng = Lcg(2026);
    // A bar on a terminal only (indicatif hides it in pipes and logs).
    let pb = indicatif::ProgressBar::new(WORKBOOKS as u64);
    for i in 0..WORKBOOKS {
        let unit = units[i % units.len()];
        let table = settings.tables.get(&unit.unit_type, year).expect("table");
        let mut fill = Fill::plausible(table);
        for k in table.leaves() {
            let c = &table.criteria[k];
            if !c.bands.is_empty() && c.kind != thidua::domain::criteria::Kind::Deduction {
                let b = &c.bands[(rng.next() % c.bands.len() as u64) as usize];
                fill.scores.insert(c.code.clone(), b.points);
            }
        }
        let spec = FormSpec {
            cluster_name: &settings.cluster.name,
            table,
            unit,
            year,
        };
        let bytes = form_bytes(&spec, Some(&fill)).expect("form");
        std::fs::write(dir.join(format!("{:04}-{}.xlsx", i, unit.code)), bytes).expect("write");
        pb.inc(1);
    }
    pb.finish_and_clear();
}

/// A real form plus `copies` entries that all point at one deflated run of
/// 100 MiB of zeros (overlapping entries, so the file stays small); with
/// `lie`, every such entry claims to hold 1 KiB.
fn bomb(settings: &Settings, path: &Path, copies: u16, lie: bool) {
    let unit = settings.cluster.unit("STP-QTR").expect("unit");
    let table = settings.tables.get("stp", 2026).expect("table");
    let spec = FormSpec {
        cluster_name: &settings.cluster.name,
        table,
        unit,
        year: 2026,
    };
    let form = form_bytes(&spec, Some(&Fill::plausible(table))).expect("form");
    let mut src = zip::ZipArchive::new(std::io::Cursor::new(form)).expect("zip");
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for i in 0..src.len() {
        let f = src.by_index_raw(i).expect("entry");
        out.raw_copy_file(f).expect("copy");
    }
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(9));
    out.start_file("xl/media/image00.bin", opts).expect("start");
    let chunk = vec![0u8; 1 << 20];
    for _ in 0..100 {
        out.write_all(&chunk).expect("write");
    }
    let bytes = out.finish().expect("finish").into_inner();
    std::fs::write(path, overlap(&bytes, b"xl/media/image00.bin", copies, lie))
        .expect("write bomb");
}

fn u16_at(b: &[u8], i: usize) -> u16 {
    u16::from_le_bytes([b[i], b[i + 1]])
}

fn u32_at(b: &[u8], i: usize) -> u32 {
    u32::from_le_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]])
}

/// Repeats the central-directory record of `name` `copies - 1` more times
/// (names ending in 01, 02, …), all pointing at the same data.
fn overlap(bytes: &[u8], name: &[u8], copies: u16, lie: bool) -> Vec<u8> {
    let eocd = bytes.len() - 22;
    assert_eq!(
        &bytes[eocd..eocd + 4],
        b"PK\x05\x06",
        "no comment after EOCD"
    );
    let cd_start = u32_at(bytes, eocd + 16) as usize;
    let mut records: Vec<Vec<u8>> = Vec::new();
    let mut i = cd_start;
    while i < eocd {
        let len = 46
            + u16_at(bytes, i + 28) as usize
            + u16_at(bytes, i + 30) as usize
            + u16_at(bytes, i + 32) as usize;
        records.push(bytes[i..i + len].to_vec());
        i += len;
    }
    let k = records
        .iter()
        .position(|r| r[46..].starts_with(name))
        .expect("bomb entry");
    let n = name.len();
    for c in 1..copies {
        let mut r = records[k].clone();
        r[46 + n - 6..46 + n - 4].copy_from_slice(format!("{c:02}").as_bytes());
        records.push(r);
    }
    let mut out = bytes[..cd_start].to_vec();
    for mut r in records {
        if lie && r[46..].starts_with(&name[..n - 6]) {
            r[24..28].copy_from_slice(&1024u32.to_le_bytes());
        }
        out.extend_from_slice(&r);
    }
    let cd_size = (out.len() - cd_start) as u32;
    let count = u16_at(bytes, eocd + 10) + copies - 1;
    let mut end = bytes[eocd..].to_vec();
    end[8..10].copy_from_slice(&count.to_le_bytes());
    end[10..12].copy_from_slice(&count.to_le_bytes());
    end[12..16].copy_from_slice(&cd_size.to_le_bytes());
    out.extend_from_slice(&end);
    out
}

fn main() {
    // `cargo bench` passes --bench; `cargo test --benches` passes nothing. Either way, run once.
    let settings = Settings::load_with_env(
        Some(&Path::new(env!("CARGO_MANIFEST_DIR")).join("config/thidua.toml")),
        &[],
    )
    .expect("config");
    let config = format!("{}/config/thidua.toml", env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::TempDir::new().expect("tempdir");

    for (name, lie) in [
        ("zip bomb (honest sizes)", false),
        ("zip bomb (entry lies about its size)", true),
    ] {
        let path = dir
            .path()
            .join(if lie { "lying-bomb.xlsx" } else { "bomb.xlsx" });
        bomb(&settings, &path, 11, lie);
        let size = std::fs::metadata(&path).expect("meta").len();
        let m = run(&[
            "--config",
            &config,
            "validate",
            "--json",
            path.to_str().expect("utf-8"),
        ]);
        let report: serde_json::Value = serde_json::from_slice(&m.stdout).expect("json");
        let code = &report[0]["findings"][0]["code"];
        println!(
            "{name}: {} KiB file declaring 1,100 MiB in 11 overlapping entries -> exit {}, {code}; CPU {:.3} s, peak RSS {:.1} MiB",
            size / 1024,
            m.code,
            m.cpu.as_secs_f64(),
            m.max_rss_kib as f64 / 1024.0
        );
        assert_eq!(m.code, 1);
        assert!(
            code == "file-too-large" || code == "unreadable-file",
            "{report}"
        );
    }

    // THIDUA_BENCH_DIR keeps the generated workbooks there (for profiling).
    let books =
        std::env::var_os("THIDUA_BENCH_DIR").map_or_else(|| dir.path().join("books"), Into::into);
    std::fs::create_dir_all(&books).expect("mkdir");
    let t = Instant::now();
    generate(&settings, &books);
    println!(
        "generated {WORKBOOKS} workbooks in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    // Five runs: the machine is shared, so report the best and the median.
    let mut runs: Vec<Measured> = (0..RUNS)
        .map(|_| {
            run(&[
                "--config",
                &config,
                "validate",
                "--json",
                books.to_str().expect("utf-8"),
            ])
        })
        .collect();
    for m in &runs {
        let report: serde_json::Value = serde_json::from_slice(&m.stdout).expect("json");
        let accepted = report
            .as_array()
            .expect("array")
            .iter()
            .filter(|r| r["accepted"] == true)
            .count();
        assert_eq!(accepted, WORKBOOKS, "every generated workbook is accepted");
    }
    runs.sort_by_key(|m| m.wall);
    let rate = |m: &Measured| WORKBOOKS as f64 / m.wall.as_secs_f64();
    let (best, median) = (&runs[0], &runs[RUNS / 2]);
    println!(
        "validate {WORKBOOKS} workbooks, {RUNS} runs on {} cores: best {:.0} workbooks/s ({:.3} s wall, {:.3} s CPU), median {:.0} workbooks/s; peak RSS {:.1} MiB",
        std::thread::available_parallelism().map_or(1, std::num::NonZero::get),
        rate(best),
        best.wall.as_secs_f64(),
        best.cpu.as_secs_f64(),
        rate(median),
        runs.iter().map(|m| m.max_rss_kib).max().unwrap_or(0) as f64 / 1024.0
    );
}
