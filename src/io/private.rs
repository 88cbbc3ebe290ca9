//! Folders only their owner can enter, files only their owner can read:
//! the data folder holds units' workbooks, the ledger and the mail, so it
//! is created `rwx------` (the operator may open it up on purpose; folders
//! that already exist keep their permissions), and the ledger and its
//! backups are `rw-------`.

use std::io;
use std::path::{Path, PathBuf};

use crate::config::Settings;

/// Creates the data folder's parts (inbox root, archive, rejected, outbox,
/// reports, staging) and one inbox folder per unit of the open years; an
/// error names the folder it could not create.
pub fn prepare_folders(settings: &Settings) -> Result<(), (PathBuf, io::Error)> {
    let p = &settings.paths;
    for dir in [
        &p.inbox,
        &p.archive,
        &p.rejected,
        &p.outbox,
        &p.reports,
        &p.staging,
    ] {
        create_dir_all(dir).map_err(|e| (dir.clone(), e))?;
    }
    for &year in &settings.cluster.open_years {
        for u in settings.cluster.members(year) {
            let dir = p.inbox.join(&u.code);
            create_dir_all(&dir).map_err(|e| (dir, e))?;
        }
    }
    Ok(())
}

/// `create_dir_all`, with every folder it creates owner-only.
pub fn create_dir_all(path: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(path)
    }
    #[cfg(not(unix))]
    {
        std::fs::create_dir_all(path)
    }
}

/// Makes the file at `path` readable and writable by its owner only
/// (`rw-------`), whatever the umask it was created under.
pub fn restrict_file(path: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    #[cfg(unix)]
    fn new_folders_are_owner_only() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a/b");
        super::create_dir_all(&p).unwrap();
        for d in [dir.path().join("a"), p] {
            let mode = std::fs::metadata(&d).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o700, "{}", d.display());
        }
    }
}
