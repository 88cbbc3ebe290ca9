//! The command line as an operator meets it: every command's `--help` has
//! an example, `form --all` writes each member's form, and commands that
//! work through many files keep pipes free of progress bars.

use tempfile::TempDir;

use crate::support::thidua;

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
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_thidua"))
        .current_dir(dir.path())
        .arg("--config")
        .arg(crate::support::config_path())
        .args(["form", "--all", "-o", out.to_str().unwrap()])
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
