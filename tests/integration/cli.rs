//! The command line as an operator meets it: every command's `--help` has
//! an example, `job --help` names every job, `form --all` writes each
//! member's form, commands that work through many files keep pipes free of
//! progress bars, and the exit status says what kind of trouble it was
//! (0 done, 1 rejected, 2 usage or configuration, 3 runtime).

use tempfile::TempDir;
use thidua::domain::schedule::JobKind;

use crate::support::{Grid, thidua};

const COMMANDS: &[&str] = &[
    "run", "score", "status", "form", "job", "report", "init", "demo", "validate",
];

#[test]
fn every_commands_help_has_an_example() {
    let dir = TempDir::new().unwrap();
    let top = thidua(dir.path(), &["--help"], &[]);
    assert_eq!(top.code, 0, "{top:?}");
    for c in COMMANDS {
        assert!(
            top.stdout.contains(&format!("  {c} ")),
            "{c} not listed:\n{}",
            top.stdout
        );
        let help = thidua(dir.path(), &[c, "--help"], &[]);
        assert_eq!(help.code, 0, "{c}: {help:?}");
        // An example is a line of its own after the heading; the usage line
        // ("Usage: thidua run …") does not count.
        let examples = help.stdout.split_once("Example").map(|(_, t)| t);
        assert!(
            examples.is_some_and(|t| t
                .lines()
                .any(|l| l.trim_start().contains(&format!("thidua {c}")))),
            "{c} --help has no example:\n{}",
            help.stdout
        );
    }
}

#[test]
fn form_all_writes_every_members_form_and_a_pipe_gets_no_progress_bar() {
    let dir = TempDir::new().unwrap();
    let out = dir.path().join("mau");
    let run = thidua(
        dir.path(),
        &["form", "--all", "-o", out.to_str().unwrap()],
        &[],
    );
    assert_eq!(run.code, 0, "{run:?}");
    let mut names: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names.len(), 10, "{names:?}");
    assert!(names.contains(&"Bang-tu-cham-2026-STP-QTR.xlsx".to_string()));
    assert!(run.stderr.is_empty(), "stderr in a pipe: {:?}", run.stderr);

    // A folder of blank forms: all rejected, findings on stdout, and
    // nothing on stderr (no bar when stderr is not a terminal).
    let v = thidua(dir.path(), &["validate", out.to_str().unwrap()], &[]);
    assert_eq!(v.code, 1, "{v:?}");
    assert!(v.stdout.contains("score-missing"), "{}", v.stdout);
    assert!(v.stderr.is_empty(), "stderr in a pipe: {:?}", v.stderr);

    let both = thidua(
        dir.path(),
        &["form", "--all", "--unit", "STP-QTR", "-o", "x"],
        &[],
    );
    assert_eq!(both.code, 2, "{both:?}");
}

/// `thidua … | head -1`: the reader goes away; thidua finishes its work and
/// exits without a panic.
#[test]
fn a_closed_pipe_is_not_a_panic() {
    let dir = TempDir::new().unwrap();
    let out = dir.path().join("mau");
    let mut child = crate::support::thidua_command(
        dir.path(),
        &["form", "--all", "-o", out.to_str().unwrap()],
        &[],
    )
    .stdout(std::process::Stdio::piped())
    .stderr(std::process::Stdio::piped())
    .spawn()
    .unwrap();
    drop(child.stdout.take());
    let done = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&done.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(done.status.code(), Some(0), "{stderr}");
    assert_eq!(std::fs::read_dir(&out).unwrap().count(), 10);
}

#[test]
fn job_help_names_every_job() {
    let dir = TempDir::new().unwrap();
    let help = thidua(dir.path(), &["job", "--help"], &[]);
    assert_eq!(help.code, 0, "{help:?}");
    let jobs = help
        .stdout
        .lines()
        .find(|l| l.starts_with("Jobs: "))
        .unwrap_or_else(|| panic!("no `Jobs:` line:\n{}", help.stdout));
    for kind in JobKind::ALL {
        assert!(
            jobs.split([' ', ',', '.']).any(|w| w == kind.name()),
            "{} not in {jobs:?}",
            kind.name()
        );
    }
}

/// A ledger that cannot be opened is a runtime failure (3), whichever
/// command needs it, and the message names the ledger's path.
#[test]
fn a_ledger_that_cannot_be_opened_exits_3_naming_it() {
    let dir = TempDir::new().unwrap();
    // A folder inside a file: no sqlite file can ever be made there.
    let ledger = "/dev/null/x.sqlite";
    for args in [&["status"][..], &["score"], &["job", "year-end"]] {
        let run = thidua(dir.path(), args, &[("THIDUA__PATHS__LEDGER", ledger)]);
        assert_eq!(run.code, 3, "{args:?}: {run:?}");
        assert!(run.stderr.contains(ledger), "{args:?}: {}", run.stderr);
        assert_eq!(run.stderr.trim().lines().count(), 1, "{}", run.stderr);
    }
}

/// A usage mistake exits 2, whether clap or thidua finds it.
#[test]
fn a_usage_mistake_exits_2() {
    let dir = TempDir::new().unwrap();
    let cases: [&[&str]; 4] = [
        &["score", "--yaer", "2026"],
        &["validate", "--unit", "STP-NOWHERE", "x.xlsx"],
        &["validate", "khong-co.xlsx"],
        &["job", "year-ends"],
    ];
    for args in cases {
        let run = thidua(dir.path(), args, &[]);
        assert_eq!(run.code, 2, "{args:?}: {run:?}");
        assert!(!run.stderr.is_empty(), "{args:?}");
    }
}

/// `validate`: 0 when every workbook is accepted, 1 when one is rejected.
#[test]
fn a_rejected_workbook_exits_1() {
    let dir = TempDir::new().unwrap();
    let good = dir.path().join("dung.xlsx");
    Grid::filled("STP-QTR").0.write(&good);
    let blank = dir.path().join("trong.xlsx");
    let form = thidua(
        dir.path(),
        &["form", "--unit", "STP-QTR", "-o", blank.to_str().unwrap()],
        &[],
    );
    assert_eq!(form.code, 0, "{form:?}");

    let ok = thidua(dir.path(), &["validate", good.to_str().unwrap()], &[]);
    assert_eq!(ok.code, 0, "{ok:?}");
    let one_rejected = thidua(
        dir.path(),
        &["validate", good.to_str().unwrap(), blank.to_str().unwrap()],
        &[],
    );
    assert_eq!(one_rejected.code, 1, "{one_rejected:?}");
    assert!(
        one_rejected.stdout.contains("TỪ CHỐI"),
        "{}",
        one_rejected.stdout
    );
    assert!(one_rejected.stderr.is_empty(), "{}", one_rejected.stderr);
}
