//! SHA-256 in hex: file contents (duplicates are found by it) and
//! idempotency keys (Message-IDs and `.eml` names are derived from them).

use std::fmt::Write;

use sha2::{Digest, Sha256};

/// Lower-case hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

/// The SHA-256 of a file, hex.
pub fn hash_file(path: &std::path::Path) -> std::io::Result<String> {
    let mut input = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    std::io::copy(&mut input, &mut hasher)?;
    Ok(hex(&hasher.finalize()))
}

/// The hex SHA-256 of `text`, cut to `len` bytes of digest.
pub fn short(text: &str, len: usize) -> String {
    let d = Sha256::digest(text.as_bytes());
    hex(&d[..len.min(d.len())])
}

#[cfg(test)]
mod tests {
    #[test]
    fn hex_and_short() {
        assert_eq!(super::hex(&[0, 15, 255]), "000fff");
        assert_eq!(super::short("abc", 4), "ba7816bf");
    }
}
