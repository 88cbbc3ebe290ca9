//! A mail from the submission mailbox, read: who sent it, whether the
//! receiving server vouched for the sender's domain (`Authentication-Results`),
//! and the files attached, with `.zip` attachments opened. Everything a
//! sender controls is bounded here: the mail's size, the number of files,
//! each file's size, the depth of MIME nesting, the length of headers; file
//! names are cut to a plain base name that cannot leave a folder.

use std::io::Read;

use mail_parser::{MessageParser, MimeHeaders};

/// Bounds on one mail.
#[derive(Debug, Clone, Copy)]
pub struct MailLimits {
    /// The whole mail as the server holds it.
    pub max_mail_bytes: u64,
    /// Files taken from one mail (attachments plus workbooks inside zips).
    pub max_files: usize,
    /// One file (an attachment, or one entry of a zip).
    pub max_file_bytes: u64,
    /// All the entries of one zip, unpacked.
    pub max_unpacked_bytes: u64,
}

/// What the receiving server said of the sender's domain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Authenticity {
    /// No `Authentication-Results` header: nothing is known either way.
    Unknown,
    /// DMARC passed, or SPF or DKIM passed for the From domain.
    Pass,
    /// DMARC failed, or SPF and DKIM both failed: the From is likely forged.
    Fail(String),
}

/// A file out of a mail, with a name safe to write in a folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailFile {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// A mail, read.
#[derive(Debug, Clone)]
pub struct IncomingMail {
    pub message_id: Option<String>,
    /// The `From` address, lower case; `None` when there is none usable.
    pub from: Option<String>,
    pub subject: String,
    pub authenticity: Authenticity,
    pub files: Vec<MailFile>,
    /// Attachments not taken, with why (in Vietnamese, for the answer).
    pub refused: Vec<String>,
}

/// Whether an attachment is handed to the intake (it decides what it is):
/// a workbook of an extension the inbox takes, or a CSV (which the intake
/// answers as such); other attachments (a signature logo, a PDF letter) are
/// left.
fn taken(ext: &str) -> bool {
    ext == "csv" || crate::io::workbook::EXTENSIONS.contains(&ext)
}

/// Longest header block read; a mail over it is read without its excess.
const MAX_HEADER_BYTES: usize = 256 * 1024;
/// Longest file name written, in bytes.
const MAX_NAME_BYTES: usize = 150;
/// Deepest MIME nesting looked into.
const MAX_DEPTH: usize = 12;

/// A file name as it may be written: the last path component, control
/// characters and separators removed, at most 150 bytes; never empty,
/// never `.`/`..`, never hidden.
pub fn safe_name(raw: &str) -> String {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = base
        .chars()
        .filter(|c| !c.is_control())
        .map(|c| {
            if matches!(c, ':' | '*' | '?' | '"' | '<' | '>' | '|') {
                '_'
            } else {
                c
            }
        })
        .collect();
    let cleaned = cleaned
        .trim()
        .trim_start_matches('.')
        .trim_start_matches('~');
    // The end is kept (the extension decides what the file is), within a
    // byte budget well under a file system's 255-byte names.
    let mut kept = Vec::new();
    let mut bytes = 0;
    for c in cleaned.chars().rev() {
        bytes += c.len_utf8();
        if bytes > MAX_NAME_BYTES {
            break;
        }
        kept.push(c);
    }
    let cleaned: String = kept.into_iter().rev().collect();
    if cleaned.is_empty() {
        "tep-dinh-kem".to_string()
    } else {
        cleaned
    }
}

fn extension(name: &str) -> String {
    name.rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default()
}

/// The bare address of a `From` value, lower case, if it looks like one.
fn bare_address(a: &str) -> Option<String> {
    let a = a.trim().trim_matches(['<', '>']).to_lowercase();
    let (local, domain) = a.split_once('@')?;
    (!local.is_empty()
        && domain.contains('.')
        && !a
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == ','))
    .then_some(a)
}

/// Reads `raw`. Never fails: what cannot be read is left out and said in
/// `refused`.
pub fn read_mail(raw: &[u8], limits: &MailLimits) -> IncomingMail {
    let header_end = find(raw, b"\r\n\r\n").or_else(|| find(raw, b"\n\n"));
    let raw: std::borrow::Cow<'_, [u8]> = match header_end {
        Some(end) if end > MAX_HEADER_BYTES => {
            std::borrow::Cow::Owned([trim_headers(&raw[..end]), raw[end..].to_vec()].concat())
        }
        _ => std::borrow::Cow::Borrowed(raw),
    };
    let Some(msg) = MessageParser::default().parse(raw.as_ref()) else {
        return IncomingMail {
            message_id: None,
            from: None,
            subject: String::new(),
            authenticity: Authenticity::Unknown,
            files: Vec::new(),
            refused: vec!["thư không đọc được theo chuẩn MIME".to_string()],
        };
    };
    let from = msg
        .from()
        .and_then(|a| a.first())
        .and_then(|a| a.address())
        .and_then(bare_address);
    let message_id = msg
        .message_id()
        .map(|id| {
            format!(
                "<{}>",
                id.chars()
                    .filter(|c| !c.is_control() && !c.is_whitespace() && *c != '<' && *c != '>')
                    .take(250)
                    .collect::<String>()
            )
        })
        .filter(|id| id.len() > 2);
    let subject: String = msg
        .subject()
        .unwrap_or("")
        .chars()
        .filter(|c| !c.is_control())
        .take(200)
        .collect();
    let results: Vec<&str> = msg
        .headers_raw()
        .filter(|(n, _)| n.eq_ignore_ascii_case("Authentication-Results"))
        .map(|(_, v)| v)
        .collect();
    let authenticity = judge(results.first().copied(), from.as_deref());

    let mut files = Vec::new();
    let mut refused = Vec::new();
    // Walk the parts without recursion, bounded in depth.
    let mut stack: Vec<(u32, usize)> = vec![(0, 0)];
    while let Some((id, depth)) = stack.pop() {
        let Some(part) = msg.part(id) else { continue };
        if let Some(subs) = part.sub_parts() {
            if depth >= MAX_DEPTH {
                refused.push(format!("phần thư lồng quá {MAX_DEPTH} cấp không được đọc"));
                continue;
            }
            stack.extend(subs.iter().rev().map(|s| (*s, depth + 1)));
            continue;
        }
        let Some(name) = part.attachment_name() else {
            continue;
        };
        if part.is_message() {
            continue;
        }
        let name = safe_name(name);
        let ext = extension(&name);
        let bytes = part.contents();
        if ext == "zip" {
            unzip(&name, bytes, limits, &mut files, &mut refused);
        } else if taken(&ext) {
            push(
                MailFile {
                    name,
                    bytes: bytes.to_vec(),
                },
                limits,
                &mut files,
                &mut refused,
            );
        }
    }
    IncomingMail {
        message_id,
        from,
        subject,
        authenticity,
        files,
        refused,
    }
}

fn push(f: MailFile, limits: &MailLimits, files: &mut Vec<MailFile>, refused: &mut Vec<String>) {
    if files.len() >= limits.max_files {
        refused.push(format!(
            "tệp {} không được tiếp nhận: mỗi thư chỉ nhận tối đa {} tệp",
            crate::domain::vn::quote(&f.name),
            limits.max_files
        ));
    } else {
        // An oversize file is still handed on: the intake files it as
        // rejected with `file-too-large`, as for a dropped file.
        files.push(f);
    }
}

fn unzip(
    name: &str,
    bytes: &[u8],
    limits: &MailLimits,
    files: &mut Vec<MailFile>,
    refused: &mut Vec<String>,
) {
    let shown = crate::domain::vn::quote(name);
    let Ok(mut zip) = zip::ZipArchive::new(std::io::Cursor::new(bytes)) else {
        refused.push(format!("tệp nén {shown} không mở được"));
        return;
    };
    let mut unpacked = 0u64;
    for i in 0..zip.len() {
        let Ok(mut entry) = zip.by_index(i) else {
            refused.push(format!("một tệp trong {shown} không đọc được"));
            continue;
        };
        if entry.is_dir() {
            continue;
        }
        let raw_name = entry.name().map(|n| n.to_string()).unwrap_or_default();
        let base = raw_name.rsplit(['/', '\\']).next().unwrap_or("");
        let inner = safe_name(&raw_name);
        // Office lock files, hidden files and macOS's resource forks are no one's workbook.
        if base.starts_with("~$")
            || base.starts_with('.')
            || raw_name.starts_with("__MACOSX/")
            || !taken(&extension(&inner))
        {
            continue;
        }
        if files.len() >= limits.max_files {
            refused.push(format!(
                "tệp {} trong {shown} không được tiếp nhận: mỗi thư chỉ nhận tối đa {} tệp",
                crate::domain::vn::quote(&inner),
                limits.max_files
            ));
            continue;
        }
        let room = limits
            .max_file_bytes
            .min(limits.max_unpacked_bytes.saturating_sub(unpacked));
        let mut out = Vec::new();
        let read = (&mut entry).take(room + 1).read_to_end(&mut out);
        if read.is_err() {
            refused.push(format!(
                "tệp {} trong {shown} không giải nén được",
                crate::domain::vn::quote(&inner)
            ));
            continue;
        }
        if out.len() as u64 > room {
            refused.push(format!(
                "tệp {} trong {shown} quá lớn khi giải nén (giới hạn {} byte)",
                crate::domain::vn::quote(&inner),
                crate::domain::vn::format_number(room as f64)
            ));
            continue;
        }
        unpacked += out.len() as u64;
        files.push(MailFile {
            name: inner,
            bytes: out,
        });
    }
}

/// A header block over the bound, without its longest fields: each field
/// (a line and its continuation lines) over 16 KiB is dropped, and fields
/// stop being kept at the bound.
fn trim_headers(block: &[u8]) -> Vec<u8> {
    const MAX_FIELD: usize = 16 * 1024;
    let mut fields: Vec<&[u8]> = Vec::new();
    let mut start = 0;
    for (i, w) in block.windows(2).enumerate() {
        if w[0] == b'\n' && !matches!(w[1], b' ' | b'\t') {
            fields.push(&block[start..=i]);
            start = i + 1;
        }
    }
    fields.push(&block[start..]);
    let mut out = Vec::new();
    for f in fields {
        if f.len() <= MAX_FIELD && out.len() + f.len() <= MAX_HEADER_BYTES {
            out.extend_from_slice(f);
        }
    }
    out
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// The verdict of the receiving server's `Authentication-Results` (the
/// topmost one: the header the mailbox's own server added last; headers
/// below it came with the mail and prove nothing).
pub fn judge(results: Option<&str>, from: Option<&str>) -> Authenticity {
    let Some(text) = results else {
        return Authenticity::Unknown;
    };
    let domain = from
        .and_then(|f| f.rsplit_once('@'))
        .map(|(_, d)| d.to_string());
    let mut dmarc = None;
    let mut spf = None;
    let mut dkim_aligned = false;
    let mut dkim_failed = false;
    for clause in text.split(';').skip(1) {
        let clause = clause.trim().to_ascii_lowercase();
        let Some((method, rest)) = clause.split_once('=') else {
            continue;
        };
        let result: String = rest
            .chars()
            .take_while(char::is_ascii_alphanumeric)
            .collect();
        match method.trim() {
            "dmarc" => dmarc = Some(result),
            "spf" => spf = Some(result),
            "dkim" => {
                let d = clause
                    .split_whitespace()
                    .find_map(|w| {
                        w.strip_prefix("header.d=")
                            .or_else(|| w.strip_prefix("header.i=@"))
                    })
                    .map(str::to_string);
                let aligned = match (&d, &domain) {
                    (Some(d), Some(f)) => f == d || f.ends_with(&format!(".{d}")),
                    _ => false,
                };
                if result == "pass" && aligned {
                    dkim_aligned = true;
                } else if result != "pass" && result != "none" {
                    dkim_failed = true;
                }
            }
            _ => {}
        }
    }
    match dmarc.as_deref() {
        Some("fail") => return Authenticity::Fail("DMARC không đạt (dmarc=fail)".into()),
        Some("pass") => return Authenticity::Pass,
        _ => {}
    }
    let spf_failed = matches!(spf.as_deref(), Some("fail" | "softfail"));
    if spf_failed && !dkim_aligned {
        let dkim = if dkim_failed {
            "không đạt"
        } else {
            "không có"
        };
        return Authenticity::Fail(format!(
            "SPF không đạt và chữ ký DKIM của tên miền gửi {dkim}"
        ));
    }
    if spf.as_deref() == Some("pass") || dkim_aligned {
        Authenticity::Pass
    } else {
        Authenticity::Unknown
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fmt::Write as _;

    const LIMITS: MailLimits = MailLimits {
        max_mail_bytes: 50 << 20,
        max_files: 3,
        max_file_bytes: 1 << 20,
        max_unpacked_bytes: 2 << 20,
    };

    fn b64(bytes: &[u8]) -> String {
        const T: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut out = String::new();
        for c in bytes.chunks(3) {
            let b = [c[0], *c.get(1).unwrap_or(&0), *c.get(2).unwrap_or(&0)];
            let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
            for k in 0..4 {
                out.push(if k <= c.len() {
                    T[((n >> (18 - 6 * k)) & 63) as usize] as char
                } else {
                    '='
                });
            }
        }
        out
    }

    fn mail(headers: &str, parts: &[(&str, &str)]) -> Vec<u8> {
        let mut m = format!(
            "{headers}From: <VanPhong@STP.example>\r\nMessage-ID: <id-1@x>\r\nSubject: t\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nhi\r\n"
        );
        for (name, body) in parts {
            let _ = write!(
                m,
                "--b\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=\"{name}\"\r\nContent-Transfer-Encoding: base64\r\n\r\n{body}\r\n"
            );
        }
        m.push_str("--b--\r\n");
        m.into_bytes()
    }

    #[test]
    fn file_names_cannot_leave_the_folder() {
        for (raw, want) in [
            ("../../etc/passwd.xlsx", "passwd.xlsx"),
            ("..\\..\\x.xlsx", "x.xlsx"),
            ("a\r\nBcc: x.xlsx", "aBcc_ x.xlsx"),
            ("..", "tep-dinh-kem"),
            (".hidden.xlsx", "hidden.xlsx"),
            ("", "tep-dinh-kem"),
            ("/", "tep-dinh-kem"),
        ] {
            assert_eq!(safe_name(raw), want, "{raw:?}");
        }
        let long = format!("{}.xlsx", "a".repeat(500));
        assert_eq!(extension(&safe_name(&long)), "xlsx");
        assert_eq!(safe_name(&long).len(), 150);
        let vn = format!("{}.xlsx", "Bảng tự chấm điểm ".repeat(40));
        assert!(safe_name(&vn).len() <= 150 && extension(&safe_name(&vn)) == "xlsx");
    }

    #[test]
    fn sender_message_id_and_workbooks_are_read() {
        let m = read_mail(
            &mail(
                "",
                &[
                    ("../bang.xlsx", &b64(b"PK-xlsx")),
                    ("logo.png", &b64(b"png")),
                    ("Bang.XLSB", &b64(b"xlsb")),
                ],
            ),
            &LIMITS,
        );
        assert_eq!(m.from.as_deref(), Some("vanphong@stp.example"));
        assert_eq!(m.message_id.as_deref(), Some("<id-1@x>"));
        assert_eq!(
            m.files,
            vec![
                MailFile {
                    name: "bang.xlsx".into(),
                    bytes: b"PK-xlsx".to_vec()
                },
                // Every extension the inbox takes is taken by mail too.
                MailFile {
                    name: "Bang.XLSB".into(),
                    bytes: b"xlsb".to_vec()
                }
            ]
        );
        assert_eq!(m.authenticity, Authenticity::Unknown);
    }

    #[test]
    fn many_attachments_are_cut_at_the_limit_and_said() {
        let parts: Vec<(String, String)> =
            (0..6).map(|i| (format!("b{i}.xlsx"), b64(b"x"))).collect();
        let parts: Vec<(&str, &str)> = parts
            .iter()
            .map(|(a, b)| (a.as_str(), b.as_str()))
            .collect();
        let m = read_mail(&mail("", &parts), &LIMITS);
        assert_eq!(m.files.len(), 3);
        assert_eq!(m.refused.len(), 3, "{:?}", m.refused);
        assert!(m.refused[0].contains("tối đa 3 tệp"), "{:?}", m.refused);
    }

    #[test]
    fn bad_base64_deep_nesting_and_huge_headers_do_not_crash() {
        let m = read_mail(
            &mail("", &[("x.xlsx", "!!!not base64@@@\r\n====")]),
            &LIMITS,
        );
        // Undecodable base64 is handed on as it came: the intake answers it
        // as a file it cannot read, so the unit hears of it.
        assert_eq!(m.files.len(), 1);
        assert_eq!(m.files[0].bytes, b"!!!not base64@@@\r\n====");
        // 5,000 nested multiparts.
        let mut nested = String::from(
            "From: <a@b.example>\r\nContent-Type: multipart/mixed; boundary=\"n0\"\r\n\r\n",
        );
        for i in 1..5000 {
            let _ = write!(
                nested,
                "--n{}\r\nContent-Type: multipart/mixed; boundary=\"n{i}\"\r\n\r\n",
                i - 1
            );
        }
        let m = read_mail(nested.as_bytes(), &LIMITS);
        assert!(m.files.is_empty());
        assert_eq!(
            m.refused,
            ["phần thư lồng quá 12 cấp không được đọc"],
            "the depth refused is said"
        );
        let huge = format!("X-Junk: {}\r\n", "a".repeat(2 << 20));
        let m = read_mail(&mail(&huge, &[("b.xlsx", &b64(b"x"))]), &LIMITS);
        assert_eq!(m.files.len(), 1);
        let m = read_mail(b"\0\0\xff\xfe garbage", &LIMITS);
        assert!(m.files.is_empty() && m.from.is_none());
    }

    #[test]
    fn a_zip_gives_its_workbooks_within_the_limits() {
        let mut buf = std::io::Cursor::new(Vec::new());
        {
            let mut z = zip::ZipWriter::new(&mut buf);
            let o = zip::write::SimpleFileOptions::default();
            for (name, bytes) in [
                ("thu/../../a.xlsx", vec![1u8; 10]),
                ("~$a.xlsx", vec![1; 10]),
                ("__MACOSX/._a.xlsx", vec![1; 10]),
                ("ghi-chu.txt", vec![1; 10]),
                ("to.ods", vec![0; 3 << 20]),
            ] {
                z.start_file(name, o).unwrap();
                std::io::Write::write_all(&mut z, &bytes).unwrap();
            }
            z.finish().unwrap();
        }
        let m = read_mail(
            &mail("", &[("ho-so.zip", &b64(&buf.into_inner()))]),
            &LIMITS,
        );
        assert_eq!(m.files.len(), 1, "{:?}", m.refused);
        assert_eq!(m.files[0].name, "a.xlsx");
        assert!(
            m.refused.iter().any(|r| r.contains("quá lớn khi giải nén")),
            "{:?}",
            m.refused
        );
        let m = read_mail(&mail("", &[("hong.zip", &b64(b"not a zip"))]), &LIMITS);
        assert!(m.refused[0].contains("không mở được"));
    }

    #[test]
    fn authentication_results_are_judged_from_the_topmost_header() {
        let from = Some("vanphong@stp.example");
        assert_eq!(judge(None, from), Authenticity::Unknown);
        assert!(matches!(
            judge(Some("mx.example; dmarc=fail header.from=stp.example"), from),
            Authenticity::Fail(_)
        ));
        assert_eq!(
            judge(Some("mx.example; dmarc=pass header.from=stp.example"), from),
            Authenticity::Pass
        );
        assert!(matches!(
            judge(
                Some("mx.example; spf=fail smtp.mailfrom=stp.example; dkim=none"),
                from
            ),
            Authenticity::Fail(_)
        ));
        assert_eq!(
            judge(
                Some("mx.example; spf=fail smtp.mailfrom=x; dkim=pass header.d=stp.example"),
                from
            ),
            Authenticity::Pass,
            "a DKIM signature of the From domain stands for it"
        );
        assert_eq!(
            judge(
                Some("mx.example; spf=softfail; dkim=pass header.d=other.example"),
                from
            )
            .clone(),
            judge(Some("mx.example; spf=fail"), from)
        );
        // A forged pass below the server's own header does not count.
        let raw = mail(
            "Authentication-Results: mx.khuvuc.example; dmarc=fail header.from=stp.example\r\nAuthentication-Results: forged; dmarc=pass\r\n",
            &[("b.xlsx", &b64(b"x"))],
        );
        assert!(matches!(
            read_mail(&raw, &LIMITS).authenticity,
            Authenticity::Fail(_)
        ));
    }
}
