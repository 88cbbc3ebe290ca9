//! The criteria tables of a deployment: every `*.toml` file of the
//! configured folder (`paths.criteria`), else the tables compiled into the
//! program, read through [`EditableFiles`] and parsed by
//! [`domain::criteria`](crate::domain::criteria) (text in, table out).

use std::path::Path;

use super::ConfigError;
use super::editable::{EditableFiles, Shipped, shipped};
use crate::domain::criteria::{TableSet, parse_table};

/// The tables shipped with the program, used with the embedded
/// configuration (unless the environment names a folder).
static SHIPPED: &[Shipped] = &[
    shipped!("config/criteria", "stp-2026.toml"),
    shipped!("config/criteria", "thads-2026.toml"),
    shipped!("config/criteria", "stp-2022.toml"),
    shipped!("config/criteria", "thads-2022.toml"),
];

/// Every table of `folder`, or the shipped ones when it is `None`; each
/// message names its file.
pub(super) fn load(folder: Option<&Path>) -> Result<TableSet, ConfigError> {
    let mut set = TableSet::default();
    for file in EditableFiles::new(folder, SHIPPED).texts_with_extension("toml")? {
        set.insert(parse_table(&file.origin.to_string(), &file.content)?)?;
    }
    Ok(set)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_tables_load() {
        let set = load(None).unwrap();
        for (t, y) in [
            ("stp", 2026),
            ("thads", 2026),
            ("stp", 2022),
            ("thads", 2022),
        ] {
            let table = set.get(t, y).unwrap();
            assert!(table.sample);
            assert!(table.leaves().count() >= 40, "{t}-{y}");
            assert_eq!(
                table.source,
                format!("<embedded>/config/criteria/{t}-{y}.toml")
            );
        }
        assert!(set.get("stp", 2026).unwrap().leaves().count() <= 70);
        // Every table in config/criteria/ is compiled in: a file added
        // there and not to SHIPPED would load from a folder only.
        let in_folder = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/config/criteria"))
            .unwrap()
            .filter(|e| {
                e.as_ref()
                    .unwrap()
                    .path()
                    .extension()
                    .is_some_and(|x| x == "toml")
            })
            .count();
        assert_eq!(in_folder, SHIPPED.len());
        assert_ne!(
            set.get("stp", 2026).unwrap().max,
            set.get("thads", 2026).unwrap().max
        );
    }

    #[test]
    fn a_missing_folder_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let gone = dir.path().join("criteria");
        let e = load(Some(&gone)).unwrap_err().to_string();
        assert!(e.starts_with(&gone.display().to_string()), "{e}");
    }
}
