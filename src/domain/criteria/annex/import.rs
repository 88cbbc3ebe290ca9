//! An annex read, completed into a whole table: the values an annex does
//! not print (the step, the classes, the indicators of `Số liệu`, and the
//! title or decision when it lacks them) come from flags or from a table
//! named as the model (by default the latest earlier table of the unit
//! type), each with where it came from; then every maximum and band is
//! checked against the step.

use super::model::{Annex, Item, Place, Problem, Severity};
use super::read::read;
use crate::domain::criteria::{Class, Indicator, Kind, Table, on_step};
use crate::domain::vn::format_number;

/// What the operator gave besides the annex.
#[derive(Debug, Clone, Default)]
pub struct Given<'a> {
    pub unit_type: &'a str,
    pub year: i32,
    /// The n-th table of the file (1-based); else the first with a header.
    pub table: Option<usize>,
    pub step: Option<f64>,
    pub title: Option<&'a str>,
    pub decision: Option<&'a str>,
    pub classes: Option<Vec<Class>>,
    /// The table to take what the annex lacks from, and why it was chosen.
    pub model: Option<(&'a Table, Why)>,
}

/// Why a table is the model for what an annex lacks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Why {
    /// The latest earlier table of the unit type.
    Earlier,
    /// Named with `--defaults-from`.
    Named,
}

/// Where a value of the table came from.
#[derive(Debug, Clone, PartialEq)]
pub enum Source {
    Annex(Place),
    /// A command-line flag, named without its dashes.
    Flag(&'static str),
    Model {
        file: String,
        why: Why,
        /// The model's year, when the value was changed from it to the
        /// table's (a title "… năm 2026" made "… năm 2027").
        changed_from: Option<i32>,
    },
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Source::Annex(place) => write!(f, "the annex ({place})"),
            Source::Flag(flag) => write!(f, "--{flag}"),
            Source::Model {
                file,
                why,
                changed_from,
            } => {
                write!(f, "{file}")?;
                match why {
                    Why::Earlier => f.write_str(", the latest earlier table of the unit type")?,
                    Why::Named => f.write_str(", named by --defaults-from")?,
                }
                if let Some(y) = changed_from {
                    write!(f, "; its year {y} changed")?;
                }
                Ok(())
            }
        }
    }
}

/// A value of the table and where it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Origin {
    pub key: &'static str,
    /// The value, shortly.
    pub value: String,
    pub from: Source,
}

/// A whole table read from an annex, ready to be written.
#[derive(Debug, Clone, PartialEq)]
pub struct Imported {
    pub unit_type: String,
    pub year: i32,
    pub title: String,
    pub decision: String,
    pub step: f64,
    pub max: f64,
    pub classes: Vec<Class>,
    pub indicators: Vec<Indicator>,
    pub items: Vec<Item>,
    /// Where the table was found in the file.
    pub found: String,
    pub origins: Vec<Origin>,
    pub problems: Vec<Problem>,
}

impl Imported {
    pub fn errors(&self) -> impl Iterator<Item = &Problem> {
        self.problems
            .iter()
            .filter(|p| p.severity == Severity::Error)
    }
}

/// Reads `annex` and completes it with `given`.
pub fn import(annex: &Annex, given: &Given<'_>) -> Imported {
    let draft = read(annex, given.table);
    let mut problems = draft.problems;
    let mut origins = Vec::new();
    let model = given.model.as_ref();
    let from_model = |t: &Table, why: Why| Source::Model {
        file: t.source.clone(),
        why,
        changed_from: None,
    };
    let err = |problems: &mut Vec<Problem>, message: String| {
        problems.push(Problem::new(Severity::Error, None, None, message));
    };

    let title = match (given.title, &draft.title, model) {
        (Some(t), _, _) => {
            origins.push(origin("title", t, Source::Flag("title")));
            t.to_string()
        }
        (None, Some((t, place)), _) => {
            origins.push(origin("title", t, Source::Annex(place.clone())));
            t.clone()
        }
        (None, None, Some((m, why))) => {
            let t = m
                .title
                .replace(&m.year.to_string(), &given.year.to_string());
            origins.push(origin(
                "title",
                &t,
                Source::Model {
                    file: m.source.clone(),
                    why: *why,
                    changed_from: (t != m.title).then_some(m.year),
                },
            ));
            t
        }
        (None, None, None) => {
            err(
                &mut problems,
                "title: the annex prints no title above the table and no earlier table gives one; give --title".into(),
            );
            String::new()
        }
    };
    let decision = match (given.decision, &draft.decision, model) {
        (Some(d), _, _) => {
            origins.push(origin("decision", d, Source::Flag("decision")));
            d.to_string()
        }
        (None, Some((d, place)), _) => {
            origins.push(origin("decision", d, Source::Annex(place.clone())));
            d.clone()
        }
        (None, None, Some((m, why))) => {
            origins.push(origin("decision", &m.decision, from_model(m, *why)));
            problems.push(Problem::new(
                Severity::Warning,
                None,
                None,
                format!(
                    "decision: the annex does not name its decision, so the {} table's is written; give --decision \"Quyết định số …\"",
                    m.year
                ),
            ));
            m.decision.clone()
        }
        (None, None, None) => {
            err(
                &mut problems,
                "decision: the annex does not name its decision (“Kèm theo Quyết định số …”) and no earlier table gives one; give --decision".into(),
            );
            String::new()
        }
    };
    let step = match (given.step, model) {
        (Some(s), _) => {
            origins.push(origin("step", &format_number(s), Source::Flag("step")));
            s
        }
        (None, Some((m, why))) => {
            origins.push(origin("step", &format_number(m.step), from_model(m, *why)));
            m.step
        }
        (None, None) => {
            err(
                &mut problems,
                format!(
                    "step: an annex does not print the table's step and there is no earlier `{}` table to take it from; give --step 0.25 (or 0.5), or --defaults-from a table",
                    given.unit_type
                ),
            );
            0.25
        }
    };
    if !(step > 0.0 && on_step(1.0, step)) {
        err(
            &mut problems,
            format!(
                "step: {} is not a step that divides 1 (use 0.25 or 0.5)",
                format_number(step)
            ),
        );
    }
    let classes = match (&given.classes, model) {
        (Some(c), _) => {
            origins.push(origin("classes", &classes_text(c), Source::Flag("classes")));
            c.clone()
        }
        (None, Some((m, why))) => {
            origins.push(origin(
                "classes",
                &classes_text(&m.classes),
                from_model(m, *why),
            ));
            m.classes.clone()
        }
        (None, None) => {
            err(
                &mut problems,
                "classes: an annex does not list the classification levels and there is no earlier table to take them from; give --classes \"Xuất sắc=90,Tốt=80,Khá=70,Trung bình=50,Yếu=0\", or --defaults-from a table".into(),
            );
            Vec::new()
        }
    };
    let indicators = if let Some((m, why)) = model {
        origins.push(origin(
            "indicators",
            &format!("{} (`Số liệu`)", m.indicators.len()),
            from_model(m, *why),
        ));
        m.indicators.clone()
    } else {
        problems.push(Problem::new(
                Severity::Warning,
                None,
                None,
                "indicators: no earlier table gives the figures of `Số liệu`; the table has none (add [[indicators]] by hand)".into(),
            ));
        Vec::new()
    };
    let items = draft.items;
    if step > 0.0 {
        for it in &items {
            let off: Vec<String> = std::iter::once(it.max)
                .chain(it.bands.iter().map(|b| b.points))
                .filter(|v| !on_step(*v, step))
                .map(format_number)
                .collect();
            if !off.is_empty() {
                problems.push(Problem::new(
                    Severity::Error,
                    Some(it.place.clone()),
                    Some(&it.name),
                    format!(
                        "{}: {} not on the table's step {} (from {}); if the annex uses quarter points, give --step 0.25",
                        it.code,
                        off.join(", "),
                        format_number(step),
                        origins
                            .iter()
                            .find(|o| o.key == "step")
                            .map_or_else(|| "the default".to_string(), |o| o.from.to_string())
                    ),
                ));
            }
        }
    }
    let max = items
        .iter()
        .filter(|c| c.parent.is_none() && c.kind == Kind::Score)
        .map(|c| c.max)
        .sum();
    Imported {
        unit_type: given.unit_type.to_string(),
        year: given.year,
        title,
        decision,
        step,
        max,
        classes,
        indicators,
        items,
        found: draft.found.unwrap_or_default(),
        origins,
        problems,
    }
}

fn origin(key: &'static str, value: &str, from: Source) -> Origin {
    Origin {
        key,
        value: value.to_string(),
        from,
    }
}

fn classes_text(c: &[Class]) -> String {
    c.iter()
        .map(|c| format!("{} ≥ {}%", c.name, format_number(c.min_percent)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Reads `--classes "Xuất sắc=90,Tốt=80,…"`.
pub fn parse_classes(s: &str) -> Result<Vec<Class>, String> {
    let mut out = Vec::new();
    for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (name, pct) = part
            .rsplit_once('=')
            .ok_or_else(|| format!("`{part}` is not NAME=PERCENT"))?;
        let min_percent = crate::domain::vn::parse_decimal(pct)
            .filter(|p| (0.0..=100.0).contains(p))
            .ok_or_else(|| format!("`{pct}` in `{part}` is not a percentage from 0 to 100"))?;
        out.push(Class {
            name: name.trim().to_string(),
            min_percent,
        });
    }
    if out.is_empty() {
        return Err("no classes given".into());
    }
    out.sort_by(|a, b| b.min_percent.total_cmp(&a.min_percent));
    Ok(out)
}
