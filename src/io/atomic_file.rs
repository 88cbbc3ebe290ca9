//! Writing a whole file so that a reader (a unit's mail client, an
//! operator's viewer, a restarted job) never sees half of it: the bytes go
//! to a temporary name beside the file, are flushed, then renamed over it.

use std::io::Write;
use std::path::Path;

/// Writes `bytes` to `path` through `.<name>.<pid>.part` and a rename,
/// creating the folder if needed. The pid keeps two writers apart.
pub fn write(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.{}.part", std::process::id()));
    let written = std::fs::File::create(&tmp).and_then(|mut f| {
        f.write_all(bytes)?;
        f.sync_all()
    });
    if let Err(e) = written.and_then(|()| std::fs::rename(&tmp, path)) {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    Ok(())
}
