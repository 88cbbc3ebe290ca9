//! Mail to the submission mailbox, judged: which unit sent it (the unit
//! whose configured `emails` hold the `From` address), whether it is taken
//! at all, and the answer to a mail that takes nothing (an unknown sender, a
//! sender the receiving server did not vouch for, no workbook attached).

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::app::mail_texts::{TextError, Texts};
use crate::domain::cluster::{Cluster, Unit};
use crate::domain::time::format_time;
use crate::io::ledger::{MailOutcome, QueuedMail};
use crate::io::mail::incoming::{Authenticity, IncomingMail};

/// What to do with a mail.
#[derive(Debug)]
pub enum Judged<'a> {
    /// Take its files as dropped in this unit's folder.
    Take(&'a Unit),
    /// Take nothing; answer with why.
    Refuse(MailOutcome, Option<&'a Unit>),
}

/// The unit whose `emails` hold `from` (case-insensitively).
pub fn unit_of<'a>(cluster: &'a Cluster, from: &str) -> Option<&'a Unit> {
    cluster
        .units
        .iter()
        .find(|u| u.emails.iter().any(|e| e.trim().eq_ignore_ascii_case(from)))
}

/// Judges a mail read from the mailbox.
pub fn judge<'a>(cluster: &'a Cluster, mail: &IncomingMail) -> Judged<'a> {
    let unit = mail.from.as_deref().and_then(|f| unit_of(cluster, f));
    if let Authenticity::Fail(_) = mail.authenticity {
        return Judged::Refuse(MailOutcome::NotAuthentic, unit);
    }
    let Some(unit) = unit else {
        return Judged::Refuse(MailOutcome::UnknownSender, None);
    };
    if mail.files.is_empty() {
        return Judged::Refuse(MailOutcome::NoWorkbook, Some(unit));
    }
    Judged::Take(unit)
}

#[derive(Serialize)]
struct UnitRef {
    code: String,
    name: String,
}

/// The answer to a mail that took nothing, keyed by the mail (`mail_key`).
/// It goes to the sender and the secretariat; for a mail whose sender the
/// server did not vouch for, to the secretariat only (the `From` may be
/// someone else's), as a reply to the mail.
#[allow(clippy::too_many_arguments)]
pub fn not_taken(
    texts: &Texts,
    cluster: &Cluster,
    mail: &IncomingMail,
    why: MailOutcome,
    unit: Option<&Unit>,
    mail_key: &str,
    received_at: DateTime<Utc>,
    secretariat: &str,
) -> Result<QueuedMail, TextError> {
    let sender = mail.from.clone().unwrap_or_default();
    let auth = match &mail.authenticity {
        Authenticity::Fail(why) => why.clone(),
        _ => String::new(),
    };
    let r = texts.render(
        "mail/mail-not-taken.txt.j2",
        &minijinja::context! {
            cluster => cluster.name_in(cluster.current_year()),
            cluster_short => &cluster.short_name,
            why => why.as_str(),
            sender => &sender,
            subject => &mail.subject,
            received => format_time(received_at),
            unit => unit.map(|u| UnitRef { code: u.code.clone(), name: u.name.clone() }),
            auth => auth,
            refused => &mail.refused,
            secretariat => secretariat,
            word => cluster.word(cluster.current_year()),
        },
    )?;
    let mut to = Vec::new();
    if why != MailOutcome::NotAuthentic && !sender.is_empty() {
        to.push(sender.clone());
    }
    // The sender is shown as its unit where the address is one of a
    // unit's (the secretariat, addressed instead, is named when sent).
    let shown = match unit {
        Some(u) if !to.is_empty() => {
            crate::io::ledger::Shown::to(u.name_in(cluster.current_year()))
        }
        _ => crate::io::ledger::Shown::default(),
    };
    let mut cc = vec![secretariat.to_string()];
    if to.is_empty() {
        to = std::mem::take(&mut cc);
    }
    if to.iter().any(|t| t.eq_ignore_ascii_case(secretariat)) {
        cc.clear();
    }
    Ok(QueuedMail {
        key: format!("mail-not-taken:{mail_key}"),
        to,
        cc,
        subject: r.subject,
        body: r.body,
        attachments: Vec::new(),
        in_reply_to: mail.message_id.clone(),
        shown,
    })
}
