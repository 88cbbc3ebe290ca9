//! A queued mail as a MIME message: UTF-8 text in base64 (so no bare CR or
//! LF from a unit's text can reach the wire), attachments in base64 under
//! the names people read, `From` and `To` with display names (RFC 2047
//! encoded by lettre), and a Message-ID derived from the idempotency key.

use std::path::Path;

use lettre::Message;
use lettre::message::header::{ContentTransferEncoding, ContentType, HeaderName, HeaderValue};
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use unicode_normalization::UnicodeNormalization;

use crate::domain::vn::one_line;
use crate::io::ledger::QueuedMail;

/// The Message-ID of a key: the same key always gives the same ID.
pub fn message_id(key: &str) -> String {
    format!("<{}@thidua>", crate::io::digest::short(key, 16))
}

/// The address `addr` shown as `name` (none when empty), in NFC and on
/// one line.
fn mailbox(addr: &str, name: Option<&str>) -> Result<Mailbox, String> {
    let bare = addr
        .trim()
        .parse::<Mailbox>()
        .map_err(|e| format!("address `{}` is not valid: {e}", one_line(addr)))?;
    let name = name
        .map(|n| one_line(n).nfc().collect::<String>())
        .filter(|n| !n.is_empty());
    Ok(match name {
        Some(n) => Mailbox::new(Some(n), bare.email),
        None => bare,
    })
}

fn content_type(path: &Path) -> ContentType {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    let mime = match ext.as_str() {
        "pdf" => "application/pdf",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    };
    ContentType::parse(mime).unwrap_or(ContentType::TEXT_PLAIN)
}

/// Who sends: the address and the body it speaks for ("Thường trực Khu
/// vực thi đua …").
#[derive(Debug, Clone, Copy)]
pub struct Sender<'a> {
    pub address: &'a str,
    pub name: &'a str,
}

/// Builds the message. An error is permanent (a bad address, a missing attachment).
pub fn compose(m: &QueuedMail, from: Sender<'_>) -> Result<Message, String> {
    let mut b = Message::builder()
        .from(mailbox(from.address, Some(from.name))?)
        .subject(one_line(&m.subject))
        .message_id(Some(message_id(&m.key)));
    if m.to.is_empty() {
        return Err("the mail has no recipient".into());
    }
    // The recipients under the name given; the secretariat, copied or
    // addressed without one, under its own.
    let name_of = |addr: &str, given: Option<&str>| -> Option<String> {
        given.map(str::to_string).or_else(|| {
            addr.trim()
                .eq_ignore_ascii_case(from.address.trim())
                .then(|| from.name.to_string())
        })
    };
    for to in &m.to {
        b = b.to(mailbox(to, name_of(to, m.shown.to.as_deref()).as_deref())?);
    }
    for cc in &m.cc {
        b = b.cc(mailbox(cc, name_of(cc, None).as_deref())?);
    }
    if let Some(id) = m.in_reply_to.as_deref().map(one_line) {
        // A reply: the unit's mail client shows it in the thread of its mail.
        b = b.in_reply_to(id.clone()).references(id);
    }
    let text = SinglePart::builder()
        .header(ContentType::TEXT_PLAIN)
        .header(ContentTransferEncoding::Base64)
        .body(m.body.clone());
    let msg = if m.attachments.is_empty() {
        b.singlepart(text)
    } else {
        let mut parts = MultiPart::mixed().singlepart(text);
        for path in &m.attachments {
            let bytes =
                std::fs::read(path).map_err(|e| format!("attachment {}: {e}", path.display()))?;
            let name = one_line(&m.shown.file_name(path));
            parts = parts.singlepart(Attachment::new(name).body(bytes, content_type(path)));
        }
        b.multipart(parts)
    };
    let mut msg = msg.map_err(|e| format!("cannot build the message: {e}"))?;
    // Dated in Viet Nam's time, as the office that sends it reads it
    // (lettre writes UTC).
    msg.headers_mut().insert_raw(HeaderValue::new(
        HeaderName::new_from_ascii_str("Date"),
        crate::domain::time::local(chrono::Utc::now()).to_rfc2822(),
    ));
    Ok(msg)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_are_base64_and_headers_single_line() {
        let m = QueuedMail {
            key: "receipt:1".into(),
            to: vec!["vanphong@stp.quangtri.example".into()],
            cc: vec!["vanphong@stp.hatinh.example".into()],
            subject: "Từ chối\r\nBcc: x@y.example".into(),
            body: "Ô “\r\n.\r\nRCPT TO:<x@y>” không phải là số.\n".into(),
            attachments: vec![],
            in_reply_to: None,
            shown: crate::io::ledger::Shown::default(),
        };
        let raw = String::from_utf8(
            compose(
                &m,
                Sender {
                    address: "thidua@stp.hatinh.example",
                    name: "Thường trực Khu vực",
                },
            )
            .unwrap()
            .formatted(),
        )
        .unwrap();
        assert!(raw.contains("Content-Transfer-Encoding: base64"), "{raw}");
        let date = raw.lines().find(|l| l.starts_with("Date: ")).unwrap();
        assert!(date.ends_with(" +0700"), "in Viet Nam's time: {date}");
        assert_eq!(raw.matches("\r\nDate: ").count(), 1, "{raw}");
        assert!(!raw.contains("RCPT TO"), "{raw}");
        assert!(!raw.lines().any(|l| l.starts_with("Bcc:")), "{raw}");
        assert!(
            raw.contains(&format!("Message-ID: {}", message_id("receipt:1"))),
            "{raw}"
        );
    }
}
