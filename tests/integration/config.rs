//! Configuration: both shipped configs load, the embedded defaults work with
//! no file at all, overrides come from `THIDUA__SECTION__KEY`, and every
//! mistake names the file (or variable) and the key.

use std::path::Path;
use std::time::Duration;

use tempfile::TempDir;
use thidua::config::Settings;

use crate::support::{repo, shipped_config_path as config_path, thidua};

fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
        .collect()
}

/// A copy of the shipped config with `edit` applied, beside its criteria.
fn edited(edit: impl Fn(String) -> String) -> (TempDir, std::path::PathBuf) {
    let dir = TempDir::new().unwrap();
    let text = std::fs::read_to_string(config_path()).unwrap();
    let path = dir.path().join("thidua.toml");
    std::fs::write(&path, edit(text)).unwrap();
    let crit = dir.path().join("criteria");
    std::fs::create_dir(&crit).unwrap();
    for e in std::fs::read_dir(repo().join("config/criteria")).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), crit.join(e.file_name())).unwrap();
    }
    (dir, path)
}

fn load_err(path: &Path, vars: &[(&str, &str)]) -> String {
    Settings::load_with_env(Some(path), &env(vars))
        .unwrap_err()
        .to_string()
}

#[test]
fn the_2026_cluster_loads() {
    let s = Settings::load_with_env(Some(&config_path()), &[]).unwrap();
    assert_eq!(s.cluster.open_years, vec![2026]);
    assert_eq!(s.cluster.timezone, "Asia/Ho_Chi_Minh");
    let members: Vec<&str> = s.cluster.members(2026).map(|u| u.code.as_str()).collect();
    assert_eq!(members.len(), 10, "{members:?}");
    for province in ["THA", "NAN", "HTI", "QTR", "HUE"] {
        assert!(members.contains(&format!("STP-{province}").as_str()));
        assert!(members.contains(&format!("THADS-{province}").as_str()));
    }
    let qbi = s.cluster.unit("STP-QBI").unwrap();
    assert!(!qbi.exists_in(2026) && qbi.exists_in(2022));
    assert_eq!(qbi.successor.as_deref(), Some("STP-QTR"));
    assert_eq!(
        s.cluster.unit("THADS-QTR").unwrap().name_in(2022),
        "Cục Thi hành án dân sự tỉnh Quảng Trị"
    );
    assert!(s.tables.get("stp", 2026).is_some() && s.tables.get("thads", 2026).is_some());
    assert!(s.cluster.year(2026).unwrap().crosschecks.len() >= 10);
    // Relative paths are made absolute against the working folder.
    assert_eq!(
        s.paths.inbox,
        std::env::current_dir().unwrap().join("var/inbox")
    );
    assert_eq!(s.inbox.stable, Duration::from_secs(2));
    assert_eq!(s.inbox.rescan, Duration::from_secs(30));
    assert!(s.http_listen.is_none());
    assert!(
        s.cluster
            .units
            .iter()
            .flat_map(|u| &u.emails)
            .all(|e| e.ends_with(".example"))
    );
}

#[test]
fn the_2022_sample_cluster_loads() {
    let path = repo().join("config/samples/cluster-2022.toml");
    let s = Settings::load_with_env(Some(&path), &[]).unwrap();
    assert_eq!(s.cluster.members(2022).count(), 12);
    assert_eq!(s.cluster.year(2022).unwrap().head, "STP-QTR");
    assert!(s.tables.get("stp", 2022).is_some() && s.tables.get("thads", 2022).is_some());
}

#[test]
fn environment_overrides_a_key() {
    let s = Settings::load_with_env(
        Some(&config_path()),
        &env(&[
            ("THIDUA__INBOX__STABLE_SECS", "0.5"),
            ("THIDUA__PATHS__DATA", "/srv/thidua"),
        ]),
    )
    .unwrap();
    assert_eq!(s.inbox.stable, Duration::from_millis(500));
    assert_eq!(s.paths.archive, Path::new("/srv/thidua/archive"));
}

#[test]
fn a_bad_environment_value_names_the_variable_and_key() {
    let e = load_err(
        &config_path(),
        &[("THIDUA__INBOX__STABLE_SECS", "hai giây")],
    );
    assert!(
        e.contains("THIDUA__INBOX__STABLE_SECS") && e.contains("inbox.stable_secs"),
        "{e}"
    );
    let e = load_err(&config_path(), &[("THIDUA__MAIL__TRANSPORT", "pigeon")]);
    assert!(e.contains("mail.transport") && e.contains("pigeon"), "{e}");
}

#[test]
fn unknown_keys_are_errors_naming_file_and_key() {
    let (_dir, path) = edited(|t| t.replacen("\n[inbox]\n", "\n[inbox]\nstabel_secs = 3\n", 1));
    let e = load_err(&path, &[]);
    assert!(
        e.contains("thidua.toml") && e.contains("stabel_secs") && e.contains("inbox"),
        "{e}"
    );
    let e = load_err(&config_path(), &[("THIDUA__INBOX__COLOUR", "blue")]);
    assert!(e.contains("colour"), "{e}");
}

#[test]
fn wrong_references_name_the_key() {
    let (_dir, path) = edited(|t| t.replacen("head = \"STP-HTI\"", "head = \"STP-XXX\"", 1));
    let e = load_err(&path, &[]);
    assert!(
        e.contains("thidua.toml")
            && e.contains("years[")
            && e.contains(".head")
            && e.contains("STP-XXX"),
        "{e}"
    );
    let (_dir, path) = edited(|t| {
        t.replacen(
            "timezone = \"Asia/Ho_Chi_Minh\"",
            "timezone = \"Europe/Paris\"",
            1,
        )
    });
    assert!(load_err(&path, &[]).contains("cluster.timezone"));
}

#[test]
fn credentials_require_tls() {
    let e = load_err(
        &config_path(),
        &[
            ("THIDUA__MAIL__SMTP__USERNAME", "thidua"),
            ("THIDUA__MAIL__SMTP__SECURITY", "none"),
        ],
    );
    assert!(e.contains("mail.smtp.security"), "{e}");
}

#[test]
fn a_broken_criteria_table_names_file_and_code() {
    let (dir, path) = edited(|t| t);
    let f = dir.path().join("criteria/stp-2026.toml");
    let text = std::fs::read_to_string(&f).unwrap();
    // Make the first band of the file exceed every maximum.
    let at = text.find("{ points = ").unwrap() + "{ points = ".len();
    let end = at + text[at..].find(',').unwrap();
    let broken = format!("{}999{}", &text[..at], &text[end..]);
    std::fs::write(&f, broken).unwrap();
    let e = load_err(&path, &[]);
    assert!(
        e.contains("stp-2026.toml") && e.contains("criterion `") && e.contains("999"),
        "{e}"
    );
}

#[test]
fn the_binary_reports_config_errors_on_one_line_with_exit_2() {
    let (dir, path) = edited(|t| t.replacen("\n[inbox]\n", "\n[inbox]\nstabel_secs = 3\n", 1));
    let run = thidua(
        dir.path(),
        &["--config", path.to_str().unwrap(), "validate", "x.xlsx"],
        &[],
    );
    assert_eq!(run.code, 2, "{run:?}");
    assert_eq!(run.stderr.trim().lines().count(), 1, "{}", run.stderr);
    assert!(run.stderr.contains("stabel_secs"));
}

#[test]
fn the_embedded_defaults_work_without_any_file() {
    let dir = TempDir::new().unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_thidua"))
        .current_dir(dir.path())
        .env_remove("THIDUA_CONFIG")
        .args(["form", "--unit", "THADS-HUE", "-o", "form.xlsx"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    assert!(dir.path().join("form.xlsx").exists());
}
