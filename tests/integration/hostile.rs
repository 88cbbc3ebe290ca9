//! The hostile-input corpus, made here by a generator (no opaque files): 30
//! kinds of broken, oversized, tricky or malicious inputs dropped into the
//! inboxes of one running daemon. Each must end as the exact outcome below,
//! the daemon must keep running through all of them, and its peak memory
//! must stay under 256 MiB.

use std::io::Write;
use std::path::Path;
use std::time::Duration;

use tempfile::TempDir;
use thidua::domain::cells::Value;

use crate::support::{Daemon, Grid, SELF, daemon_env, drop_file, form_file, repo, wait_for};

/// What must become of a case.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Expect {
    /// Filed as accepted.
    Accepted,
    /// Rejected, with this finding among its errors.
    Rejected(&'static str),
    /// Not taken at all (not a file, gone, or left alone), and nothing recorded.
    NotTaken,
}

struct Case {
    kind: &'static str,
    /// The unit folder it is dropped into, and its file name there.
    unit: &'static str,
    name: String,
    expect: Expect,
}

fn zip_with(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in entries {
        zip.start_file(*name, opts).unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

/// The entries of a real form, with `sheet1` replaced.
fn with_sheet(form: &[u8], sheet_xml: &[u8]) -> Vec<u8> {
    let mut src = zip::ZipArchive::new(std::io::Cursor::new(form.to_vec())).unwrap();
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for i in 0..src.len() {
        let name = src
            .by_index(i)
            .unwrap()
            .name()
            .map(|n| n.to_string())
            .unwrap_or_default();
        if name == "xl/worksheets/sheet1.xml" {
            out.start_file(name, opts).unwrap();
            out.write_all(sheet_xml).unwrap();
        } else {
            out.raw_copy_file(src.by_index_raw(i).unwrap()).unwrap();
        }
    }
    out.finish().unwrap().into_inner()
}

const SHEET_HEAD: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#;
const SHEET_NS: &str = r#"xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main""#;

/// Writes every case's file; returns the cases.
#[allow(clippy::too_many_lines)]
fn generate(data: &Path, outside: &Path) -> Vec<Case> {
    use Expect::{Accepted, NotTaken, Rejected};
    let inbox = |unit: &str| {
        let p = data.join("inbox").join(unit);
        std::fs::create_dir_all(&p).unwrap();
        p
    };
    let good = form_file("STP-QTR", 3, false);
    let fixtures = repo().join("tests/fixtures/office");
    let mut cases = Vec::new();
    let put = |kind: &'static str, unit: &'static str, name: &str, bytes: &[u8], expect: Expect| {
        drop_file(&inbox(unit).join(name), bytes);
        Case {
            kind,
            unit,
            name: name.to_string(),
            expect,
        }
    };

    cases.push(put(
        "empty file",
        "STP-THA",
        "rong.xlsx",
        b"",
        Rejected("unreadable-file"),
    ));
    let noise: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    cases.push(put(
        "random bytes named .xlsx",
        "STP-THA",
        "nhieu.xlsx",
        &noise,
        Rejected("unreadable-file"),
    ));
    cases.push(put(
        "truncated zip",
        "STP-THA",
        "cut.xlsx",
        &good[..good.len() / 2],
        Rejected("unreadable-file"),
    ));
    // An honest bomb: 120 MiB of zeros declared, over the 100 MiB limit.
    let zeros = vec![0u8; 120 << 20];
    cases.push(put(
        "zip bomb",
        "STP-THA",
        "bom.xlsx",
        &zip_with(&[("xl/workbook.xml", b"<x/>"), ("xl/bom.bin", &zeros)]),
        Rejected("file-too-large"),
    ));
    drop(zeros);
    // An entry that says it is 1 KiB but inflates to 64 MiB.
    let mut lying = zip_with(&[
        ("xl/workbook.xml", b"<x/>"),
        ("xl/lie.bin", &vec![b'a'; 64 << 20]),
    ]);
    lie_about_size(&mut lying, "xl/lie.bin", 1024);
    cases.push(put(
        "entry lying about its size",
        "STP-THA",
        "noi-doi.xlsx",
        &lying,
        Rejected("unreadable-file"),
    ));
    let laughs = format!(
        r#"{SHEET_HEAD}<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;"><!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;"><!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;"><!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;"><!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;"><!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;"><!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">]><worksheet {SHEET_NS}><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>"#
    );
    cases.push(put(
        "billion laughs in a sheet",
        "STP-THA",
        "laughs.xlsx",
        &with_sheet(&good, laughs.as_bytes()),
        Rejected("unreadable-file"),
    ));
    let huge_dim = format!(
        r#"{SHEET_HEAD}<worksheet {SHEET_NS}><dimension ref="A1:XFD1048576"/><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c></row><row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>y</t></is></c></row></sheetData></worksheet>"#
    );
    cases.push(put(
        "a dimension of 1.048.576 × 16.384",
        "STP-THA",
        "rong-lon.xlsx",
        &with_sheet(&good, huge_dim.as_bytes()),
        Rejected("header-missing"),
    ));
    let mut rows = String::new();
    for r in 1..=200_000u32 {
        std::fmt::Write::write_fmt(
            &mut rows,
            format_args!(
                r#"<row r="{r}"><c r="A{r}"><v>{r}</v></c><c r="B{r}"><v>1</v></c></row>"#
            ),
        )
        .unwrap();
    }
    let many =
        format!("{SHEET_HEAD}<worksheet {SHEET_NS}><sheetData>{rows}</sheetData></worksheet>");
    cases.push(put(
        "200.000 filled rows",
        "STP-THA",
        "nhieu-dong.xlsx",
        &with_sheet(&good, many.as_bytes()),
        Rejected("file-too-large"),
    ));
    drop(rows);
    let big_cell = format!(
        r#"{SHEET_HEAD}<worksheet {SHEET_NS}><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>{}</t></is></c></row></sheetData></worksheet>"#,
        "a".repeat(10 << 20)
    );
    cases.push(put(
        "a cell of 10 MB",
        "STP-THA",
        "o-lon.xlsx",
        &with_sheet(&good, big_cell.as_bytes()),
        Rejected("header-missing"),
    ));
    // An OLE compound file as Office writes password-protected workbooks.
    cases.push(put(
        "encrypted workbook",
        "STP-NAN",
        "mat-khau.xlsx",
        &encrypted_like(),
        Rejected("unreadable-file"),
    ));
    let xls = std::fs::read(fixtures.join("STP-QTR-2026.xls")).unwrap();
    cases.push(put(
        ".xls named .xlsx",
        "STP-QTR",
        "that-ra-la-xls.xlsx",
        &xls,
        Accepted,
    ));
    // The worst file for memory found: calamine expands it into dense grids
    // of 65.536 × 256 cells; the reader child hits its cap.
    let dense = std::fs::read(repo().join("tests/fixtures/hostile/dense-grid.xls")).unwrap();
    cases.push(put(
        "dense .xls grid",
        "STP-QTR",
        "luoi-day.xls",
        &dense,
        Rejected("file-too-large"),
    ));
    let xlsx = std::fs::read(fixtures.join("STP-QTR-2026.xlsx")).unwrap();
    cases.push(put(
        ".xlsx named .xls",
        "STP-QTR",
        "that-ra-la-xlsx.xls",
        &xlsx,
        Accepted,
    ));
    cases.push(put(
        "CSV named .xlsx",
        "STP-NAN",
        "bang.csv.xlsx",
        "TT;Tiêu chí;Điểm chuẩn;Điểm tự chấm\n1;A;3;3\n".as_bytes(),
        Rejected("unreadable-file"),
    ));
    let mut g = Grid::empty();
    for i in 0..500 {
        g.text(&format!("Trang {i}"), "A1", "trống");
    }
    let p = data.join("500.xlsx");
    g.write(&p);
    cases.push(put(
        "500 sheets",
        "STP-NAN",
        "500-trang.xlsx",
        &std::fs::read(&p).unwrap(),
        Rejected("sheet-missing"),
    ));
    std::fs::remove_file(&p).unwrap();
    let mut g = Grid::from_bytes(good.clone());
    let (r1, r2) = (g.row_of("A.I.1"), g.row_of("A.I.2"));
    g.set(SELF, &format!("E{r1}"), Value::Error("#REF!".into()))
        .set(SELF, &format!("E{r2}"), Value::Error("#DIV/0!".into()));
    cases.push(put(
        "error cells in scores",
        "STP-QTR",
        "loi-o.xlsx",
        &grid_bytes(&g, data),
        Rejected("score-not-number"),
    ));
    let mut g = Grid::from_bytes(good.clone());
    g.map_cells(|c| {
        if let Value::Text(t) = &c.value {
            use unicode_normalization::UnicodeNormalization;
            c.value = Value::Text(t.nfd().collect());
        }
    });
    cases.push(put(
        "NFD text throughout",
        "STP-QTR",
        "nfd.xlsx",
        &grid_bytes(&g, data),
        Accepted,
    ));
    let mut g = Grid::from_bytes(good.clone());
    g.text(SELF, "C5", "\u{200b}STP-QTR\u{200f}");
    cases.push(put(
        "zero-width and right-to-left marks in the unit code",
        "STP-QTR",
        "an.xlsx",
        &grid_bytes(&g, data),
        Rejected("unit-unknown"),
    ));
    let mut g = Grid::from_bytes(good.clone());
    let r = g.row_of("A.I.1");
    g.text(
        SELF,
        &format!("F{r}"),
        "Số 1\r\n.\r\nMAIL FROM:<x@evil.example>\r\nRCPT TO:<y@evil.example>\r\nDATA",
    );
    cases.push(put(
        "CR/LF and SMTP commands in a cell",
        "STP-QTR",
        "smtp.xlsx",
        &grid_bytes(&g, data),
        Accepted,
    ));
    cases.push(put(
        "a name with ../ inside",
        "STP-HTI",
        "x..\\..\\..\\etc\\passwd.xlsx",
        &form_file("STP-QTR", 4, false),
        Rejected("unit-folder-mismatch"),
    ));
    // A leading dot is a hidden or temporary file: left alone (contract §3).
    cases.push(put(
        "a name starting with ../",
        "STP-HTI",
        "..\\..\\passwd.xlsx",
        &form_file("STP-QTR", 6, false),
        NotTaken,
    ));
    cases.push(put(
        "a NUL-like name",
        "STP-HTI",
        "bang\u{2400}\u{1}.xlsx",
        &form_file("STP-QTR", 5, false),
        Rejected("unit-folder-mismatch"),
    ));
    let long = format!("{}.xlsx", "Bảng tự chấm điểm thi đua ".repeat(6));
    assert!(long.len() > 200 && long.len() <= 255, "{}", long.len());
    cases.push(put("a 230-byte name", "STP-QTR", &long, &good, Accepted));
    // A symbolic link to a file outside the inbox.
    let secret = outside.join("bi-mat.xlsx");
    std::fs::write(&secret, form_file("STP-QTR", 12, false)).unwrap();
    std::os::unix::fs::symlink(&secret, inbox("STP-QTR").join("lien-ket.xlsx")).unwrap();
    cases.push(Case {
        kind: "a symlink pointing outside",
        unit: "STP-QTR",
        name: "lien-ket.xlsx".into(),
        expect: Rejected("unreadable-file"),
    });
    std::fs::create_dir_all(inbox("STP-QTR").join("thu-muc.xlsx")).unwrap();
    cases.push(Case {
        kind: "a directory named x.xlsx",
        unit: "STP-QTR",
        name: "thu-muc.xlsx".into(),
        expect: NotTaken,
    });
    // Gone before the stability window ends.
    drop_file(&inbox("STP-QTR").join("bien-mat.xlsx"), &good);
    std::fs::remove_file(inbox("STP-QTR").join("bien-mat.xlsx")).unwrap();
    cases.push(Case {
        kind: "a file that disappears",
        unit: "STP-QTR",
        name: "bien-mat.xlsx".into(),
        expect: NotTaken,
    });
    // The same file in two folders at once: each folder's copy is judged.
    let hti = form_file("STP-HTI", 9, false);
    cases.push(put(
        "the same file in two folders (its own)",
        "STP-HTI",
        "doi-a.xlsx",
        &hti,
        Accepted,
    ));
    cases.push(put(
        "the same file in two folders (another's)",
        "STP-HUE",
        "doi-b.xlsx",
        &hti,
        Rejected("unit-folder-mismatch"),
    ));
    // Unreadable by permissions (root reads it anyway).
    let locked = inbox("STP-QTR").join("khoa.xlsx");
    drop_file(&locked, &form_file("STP-QTR", 11, false));
    std::fs::set_permissions(&locked, std::os::unix::fs::PermissionsExt::from_mode(0o000)).unwrap();
    let root = unsafe_is_root();
    cases.push(Case {
        kind: "a file whose permissions deny reading",
        unit: "STP-QTR",
        name: "khoa.xlsx".into(),
        expect: if root { Accepted } else { NotTaken },
    });
    // A named pipe is left alone.
    let fifo = inbox("STP-QTR").join("ong.xlsx");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    cases.push(Case {
        kind: "a named pipe",
        unit: "STP-QTR",
        name: "ong.xlsx".into(),
        expect: NotTaken,
    });
    cases
}

fn unsafe_is_root() -> bool {
    std::process::Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"0\n"))
}

fn grid_bytes(g: &Grid, dir: &Path) -> Vec<u8> {
    let p = dir.join(".grid.xlsx");
    g.write(&p);
    let b = std::fs::read(&p).unwrap();
    std::fs::remove_file(&p).unwrap();
    b
}

/// Rewrites the uncompressed size of `entry` in its local header and the
/// central directory to `size`.
fn lie_about_size(zip: &mut [u8], entry: &str, size: u32) {
    let name = entry.as_bytes();
    let mut i = 0;
    while i + 46 < zip.len() {
        let sig = &zip[i..i + 4];
        if sig == b"PK\x03\x04" {
            let n = u16::from_le_bytes([zip[i + 26], zip[i + 27]]) as usize;
            if zip.get(i + 30..i + 30 + n) == Some(name) {
                zip[i + 22..i + 26].copy_from_slice(&size.to_le_bytes());
            }
        } else if sig == b"PK\x01\x02" {
            let n = u16::from_le_bytes([zip[i + 28], zip[i + 29]]) as usize;
            if zip.get(i + 46..i + 46 + n) == Some(name) {
                zip[i + 24..i + 28].copy_from_slice(&size.to_le_bytes());
            }
        }
        i += 1;
    }
}

/// An OLE compound file holding `EncryptionInfo` and `EncryptedPackage`
/// streams, the container Office uses for a password-protected workbook.
fn encrypted_like() -> Vec<u8> {
    let mut f = vec![0u8; 512 * 4];
    f[..8].copy_from_slice(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]);
    f[24..26].copy_from_slice(&0x3Eu16.to_le_bytes());
    f[26..28].copy_from_slice(&3u16.to_le_bytes());
    f[28..30].copy_from_slice(&0xFFFEu16.to_le_bytes());
    f[30..32].copy_from_slice(&9u16.to_le_bytes());
    f[32..34].copy_from_slice(&6u16.to_le_bytes());
    f[44..48].copy_from_slice(&1u32.to_le_bytes());
    f[48..52].copy_from_slice(&1u32.to_le_bytes());
    f[60..64].copy_from_slice(&0xFFFF_FFFEu32.to_le_bytes());
    f[68..72].copy_from_slice(&0xFFFF_FFFEu32.to_le_bytes());
    f[76..80].copy_from_slice(&0u32.to_le_bytes());
    for k in 1..109 {
        f[76 + k * 4..80 + k * 4].copy_from_slice(&0xFFFF_FFFFu32.to_le_bytes());
    }
    // Sector 0: the FAT; sector 1: the directory; sectors 2-3: data.
    let fat = 512;
    for (k, v) in [0xFFFF_FFFDu32, 0xFFFF_FFFE, 0xFFFF_FFFE, 0xFFFF_FFFE]
        .iter()
        .enumerate()
    {
        f[fat + k * 4..fat + k * 4 + 4].copy_from_slice(&v.to_le_bytes());
    }
    for k in 4..128 {
        f[fat + k * 4..fat + k * 4 + 4].copy_from_slice(&0xFFFF_FFFFu32.to_le_bytes());
    }
    let dir = 1024;
    let entry = |f: &mut Vec<u8>, at: usize, name: &str, kind: u8, start: u32, size: u32| {
        let utf16: Vec<u16> = name.encode_utf16().chain([0]).collect();
        for (k, c) in utf16.iter().enumerate() {
            f[at + k * 2..at + k * 2 + 2].copy_from_slice(&c.to_le_bytes());
        }
        f[at + 64..at + 66].copy_from_slice(&((utf16.len() * 2) as u16).to_le_bytes());
        f[at + 66] = kind;
        f[at + 67] = 1;
        f[at + 68..at + 80].copy_from_slice(&[0xFF; 12]);
        f[at + 116..at + 120].copy_from_slice(&start.to_le_bytes());
        f[at + 120..at + 124].copy_from_slice(&size.to_le_bytes());
    };
    entry(&mut f, dir, "Root Entry", 5, 0xFFFF_FFFE, 0);
    f[dir + 76..dir + 80].copy_from_slice(&1u32.to_le_bytes());
    entry(&mut f, dir + 128, "EncryptionInfo", 2, 2, 64);
    entry(&mut f, dir + 256, "EncryptedPackage", 2, 3, 64);
    f[dir + 128 + 72..dir + 128 + 76].copy_from_slice(&2u32.to_le_bytes());
    f
}

fn outcomes(data: &Path) -> Vec<(String, String, String)> {
    crate::support::ledger_query(
        data,
        "SELECT s.original_name, s.status, coalesce(group_concat(f.code), '')
         FROM submissions s LEFT JOIN findings f ON f.submission_id = s.id AND f.severity = 'error'
         WHERE s.status != 'processing' GROUP BY s.id ORDER BY s.id",
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )
}

fn peak_rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

#[test]
fn the_hostile_corpus_is_answered_and_the_daemon_keeps_running() {
    let dir = TempDir::new().unwrap();
    let data = dir.path().join("data");
    let outside = dir.path().join("ngoai");
    std::fs::create_dir_all(&outside).unwrap();
    let d = Daemon::start(&data, &daemon_env(&data));
    let cases = generate(&data, &outside);
    assert!(cases.len() >= 25, "{} kinds", cases.len());
    let expected_rows = cases
        .iter()
        .filter(|c| c.expect != Expect::NotTaken)
        .count();
    let start = std::time::Instant::now();
    loop {
        let r = outcomes(&data);
        if r.len() >= expected_rows {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(180),
            "only {} of {expected_rows} files answered: {r:#?}\ndaemon alive: {:?}\n{}",
            r.len(),
            std::fs::metadata(format!("/proc/{}", d.child.id())).is_ok(),
            d.log_text()
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    // A good file after all of them is still taken: the daemon is alive.
    drop_file(
        &data.join("inbox/STP-THA/sau-cung.xlsx"),
        &form_file("STP-THA", 1, false),
    );
    wait_for(Duration::from_secs(30), || {
        outcomes(&data)
            .iter()
            .any(|(n, s, _)| n == "sau-cung.xlsx" && s == "accepted")
            .then_some(())
    });
    let peak = peak_rss_kib(d.child.id());
    let log = d.log_text();
    // The reader children run one at a time: the tree's peak is at most the
    // daemon's plus the highest child's (which the daemon logs, from wait4).
    let child_peak = log
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|e| e["peak_kib"].as_u64())
        .max()
        .unwrap_or(0);
    eprintln!(
        "daemon peak RSS over {} kinds: {peak} KiB; highest reader child: {child_peak} KiB; tree at most {} KiB",
        cases.len(),
        peak + child_peak
    );
    assert_eq!(d.stop(), 0, "{log}");
    // Judged on the ledger as the daemon left it, so a file that should
    // have been left alone but was taken late is seen too.
    let rows = outcomes(&data);

    let mut failures = Vec::new();
    for c in &cases {
        let got: Vec<&(String, String, String)> =
            rows.iter().filter(|(n, _, _)| *n == c.name).collect();
        let ok = match c.expect {
            Expect::NotTaken => got.is_empty(),
            Expect::Accepted => got.len() == 1 && got[0].1 == "accepted",
            Expect::Rejected(code) => {
                got.len() == 1 && got[0].1 == "rejected" && got[0].2.split(',').any(|x| x == code)
            }
        };
        if !ok {
            failures.push(format!(
                "{} ({}/{}): expected {:?}, got {got:?}",
                c.kind, c.unit, c.name, c.expect
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // Nothing outside the inbox was touched; the link's target is intact;
    // every file was filed inside the data folder.
    assert!(outside.join("bi-mat.xlsx").exists());
    for (_, stored, _) in crate::support::ledger_rows(&data) {
        assert!(Path::new(&stored).starts_with(&data), "{stored}");
        assert!(
            !stored.contains("/../") && !stored.contains("\\..\\"),
            "{stored}"
        );
    }
    assert!(peak > 0 && peak < 256 * 1024, "peak memory {peak} KiB");
    assert!(child_peak > 0, "no reader child's peak in the log:\n{log}");
    assert!(
        peak + child_peak < 256 * 1024,
        "daemon {peak} KiB + reader child {child_peak} KiB"
    );
}

/// Inputs the fuzzers found (`fuzz/`, see `docs/fuzzing.md`), kept as
/// regression tests: each must stay a finding, never a crash.
#[test]
fn fuzzer_finds_stay_findings() {
    let dir = TempDir::new().unwrap();
    let found = repo().join("tests/fixtures/fuzz");
    let mut n = 0;
    for e in std::fs::read_dir(&found)
        .unwrap()
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x != "md"))
    {
        let (code, report) = crate::support::validate(dir.path(), &e.path(), &[]);
        assert_eq!(code, 1, "{}: {report}", e.path().display());
        // The finding each one is answered with, as its README says.
        let expected = if e.file_name().to_string_lossy().contains("dense-grid") {
            "file-too-large"
        } else {
            "unreadable-file"
        };
        crate::support::assert_finding(&report, expected, None);
        n += 1;
    }
    assert!(n >= 1);
}
