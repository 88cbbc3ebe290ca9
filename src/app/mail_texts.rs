//! The texts people receive: minijinja templates in `templates/mail/`
//! (editable without recompiling; the shipped copies are compiled in as the
//! fallback). Each template has a `subject` and a `body` block. Templates
//! are compiled at start-up, so a mistake stops the daemon with the file's name.

use std::path::Path;

use minijinja::Environment;
use serde::Serialize;

use crate::config::editable::{EditableError, EditableFiles, Shipped, shipped};
use crate::domain::vn::one_line;
use crate::io::templates;

static TEMPLATES: &[Shipped] = &[
    shipped!("templates", "mail/receipt.txt.j2"),
    shipped!("templates", "mail/rejection.txt.j2"),
    shipped!("templates", "mail/crosscheck.txt.j2"),
    shipped!("templates", "mail/kickoff.txt.j2"),
    shipped!("templates", "mail/reminder.txt.j2"),
    shipped!("templates", "mail/provisional.txt.j2"),
    shipped!("templates", "mail/year-end.txt.j2"),
    shipped!("templates", "mail/job-failed.txt.j2"),
    shipped!("templates", "mail/ballot.txt.j2"),
    shipped!("templates", "mail/vote-closed.txt.j2"),
    shipped!("templates", "mail/mail-not-taken.txt.j2"),
];

#[derive(Debug, thiserror::Error)]
pub enum TextError {
    #[error("template {name}: {reason}")]
    Template { name: String, reason: String },
    #[error(transparent)]
    File(#[from] EditableError),
}

/// A rendered mail text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub subject: String,
    pub body: String,
}

#[derive(Debug, Clone)]
pub struct Texts {
    env: Environment<'static>,
    /// Where the templates came from, for messages.
    pub source: String,
}

fn template_error(name: &str, e: &minijinja::Error) -> TextError {
    TextError::Template {
        name: name.to_string(),
        reason: templates::reason(e),
    }
}

impl Texts {
    /// Loads and compiles the templates of `dir` (the templates folder), or
    /// the compiled-in ones when `dir` is `None`.
    pub fn load(dir: Option<&Path>) -> Result<Texts, TextError> {
        let files = EditableFiles::new(dir, TEMPLATES);
        let mut env = templates::environment();
        env.set_keep_trailing_newline(true);
        for file in files.texts() {
            let file = file?;
            let shown = file.origin.to_string();
            let name = file.name.clone();
            env.add_template_owned(file.name, file.content)
                .map_err(|e| template_error(&shown, &e))?;
            let t = env
                .get_template(&name)
                .map_err(|e| template_error(&shown, &e))?;
            for block in ["subject", "body"] {
                if !t.source().contains(&format!("{{% block {block} %}}")) {
                    return Err(TextError::Template {
                        name: shown.clone(),
                        reason: format!("the template has no `{{% block {block} %}}`"),
                    });
                }
            }
        }
        Ok(Texts {
            env,
            source: files.source(),
        })
    }

    /// Renders the `subject` and `body` blocks of template `name`.
    pub fn render(&self, name: &str, ctx: &impl Serialize) -> Result<Rendered, TextError> {
        let t = self
            .env
            .get_template(name)
            .map_err(|e| template_error(name, &e))?;
        let mut captured = t
            .render_captured(ctx)
            .map_err(|e| template_error(name, &e))?;
        let (subject, body) = captured
            .with_state_mut(|state| {
                Ok::<_, minijinja::Error>((
                    state.render_block("subject")?,
                    state.render_block("body")?,
                ))
            })
            .map_err(|e| template_error(name, &e))?;
        Ok(Rendered {
            subject: one_line(&subject),
            body: tidy(&body),
        })
    }
}

/// A body: CRLF or CR become LF, other control characters (but tabs) go,
/// runs of blank lines shrink to one, and it ends with one newline.
fn tidy(s: &str) -> String {
    let unified = s.replace("\r\n", "\n").replace('\r', "\n");
    let mut out = String::with_capacity(unified.len());
    let mut blank = 0;
    for line in unified.trim_matches('\n').lines() {
        let line: String = line
            .chars()
            .filter(|c| !c.is_control() || *c == '\t')
            .collect();
        let line = line.trim_end();
        if line.is_empty() {
            blank += 1;
            if blank > 1 {
                continue;
            }
        } else {
            blank = 0;
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_templates_compile_and_render() {
        let t = Texts::load(None).unwrap();
        let ctx = minijinja::context! {
            cluster => "Khu vực thi đua", cluster_short => "KVTĐ",
            unit => minijinja::context! { code => "STP-QTR", name => "Sở Tư pháp tỉnh Quảng Trị" },
            year => 2026, kind => "self-scoring", file => "bang.xlsx", received => "08:00 ngày 27 tháng 11 năm 2026",
            hash8 => "0123abcd", self_total => "187,25", max => "200",
            groups => vec![
                minijinja::context! { indent => "", number => "A", name => "Nhiệm vụ", total => "140", max => "150", deduction => false },
                minijinja::context! { indent => "", number => "D", name => "Điểm trừ", total => "1", max => "20", deduction => true },
            ],
            warnings => Vec::<String>::new(), inspected => (), changed => 0,
            deadline => "ngày 15 tháng 11 năm 2026", secretariat => "vanphong@stp.hatinh.example", word => "Khu vực",
            errors => Vec::<String>::new(), folder => "STP-QTR", sheet => true, votes => 0,
            replaces => false, past_deadline => false,
        };
        let r = t.render("mail/receipt.txt.j2", &ctx).unwrap();
        assert!(
            r.body.contains("Phiếu chấm điểm (tệp PDF đính kèm)"),
            "{}",
            r.body
        );
        assert_eq!(
            r.subject,
            "[KVTĐ] Biên nhận bảng tự chấm điểm năm 2026 — STP-QTR"
        );
        assert!(
            r.body.contains("Tổng điểm tự chấm: 187,25 / 200 điểm"),
            "{}",
            r.body
        );
        assert!(r.body.contains("  A. Nhiệm vụ: 140 / 150"), "{}", r.body);
        assert!(
            r.body.contains("  D. Điểm trừ: −1 điểm (trừ tối đa 20)\n"),
            "{}",
            r.body
        );
        assert!(!r.body.contains("\n\n\n"));
    }

    #[test]
    fn a_broken_template_names_its_file() {
        let dir = tempfile::TempDir::new().unwrap();
        std::fs::create_dir(dir.path().join("mail")).unwrap();
        for file in TEMPLATES {
            std::fs::write(dir.path().join(file.name), file.bytes).unwrap();
        }
        std::fs::write(
            dir.path().join("mail/rejection.txt.j2"),
            "{% block subject %}{{ x {% endblock %}",
        )
        .unwrap();
        let e = Texts::load(Some(dir.path())).unwrap_err().to_string();
        assert!(e.contains("rejection.txt.j2"), "{e}");
    }

    #[test]
    fn header_values_lose_line_breaks() {
        assert_eq!(one_line("a\r\nRCPT TO:<x@y>\n b"), "a RCPT TO:<x@y> b");
    }
}
