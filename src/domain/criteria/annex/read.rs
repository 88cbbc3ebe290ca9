//! Reading an annex's rows into criteria: the table's header, then row by
//! row the printed numbers into a tree with codes (`A.I.1.1`), names,
//! maxima, evidence and mandatory marks, and the bands written under a
//! criterion (in its own cell, in a column of their own, or in rows of
//! their own). Rows it cannot read are named with their cell and text.
//! The title and decision printed above the table are read too; the notes
//! under it say what marks such as `(*)` mean.

use super::header::{self, Columns};
use super::model::{Annex, Block, Draft, Grid, Item, Place, Problem, Severity};
use super::text::{
    self, KindHint, Level, Number, PerEach, band, has_words, is_bulleted, kind_hint,
    mostly_capitals, name_flags, numbering, per_occurrence, says_yes, split_numbered, stated_max,
    strip_bullet, tidy,
};
use crate::domain::cells::{Cell, Value};
use crate::domain::criteria::{Band, Kind, same};
use crate::domain::vn::norm;

/// A maximum as printed on a criterion's row.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Stated {
    points: f64,
    /// The annex says "at most" ("tối đa"): a cap, not a sum.
    capped: bool,
}

/// Per-item facts that do not go into the table as such.
#[derive(Debug, Clone, Default)]
struct Extra {
    stated: Option<Stated>,
    level: Option<Level>,
    ordinal: u32,
    per: Option<(PerEach, Place)>,
}

struct Reader {
    draft: Draft,
    extra: Vec<Extra>,
    /// The open criteria, outermost first: (level, index).
    stack: Vec<(Level, usize)>,
    /// Notes under the table, for what `(*)` means.
    notes: Vec<String>,
    /// Totals printed in the table: (points, place, text).
    totals: Vec<(f64, Place, String)>,
    /// A signature line or the notes under the table were reached.
    ended: bool,
    /// The item being read is a heading printed without a number.
    synthetic: bool,
}

/// Where the reading of one grid stopped.
enum Flow {
    /// At the grid's end: a following table may continue it.
    Open,
    /// At a signature or the notes: the table is over.
    Closed,
}

/// Reads an annex. `table` picks the n-th table (1-based, in document
/// order: a document's tables or a workbook's sheets); otherwise the first
/// one with a header is read.
pub fn read(annex: &Annex, table: Option<usize>) -> Draft {
    let mut r = Reader {
        draft: Draft::default(),
        extra: Vec::new(),
        stack: Vec::new(),
        notes: Vec::new(),
        totals: Vec::new(),
        ended: false,
        synthetic: false,
    };
    let mut pre: Vec<(String, Place)> = Vec::new();
    let mut line = 0usize;
    let mut tables = 0usize;
    let mut start = None;
    for (i, block) in annex.blocks.iter().enumerate() {
        match block {
            Block::Text(t) => {
                line += 1;
                let t = tidy(t);
                if !t.is_empty() {
                    pre.push((t.replace('\n', " "), Place::Line(line)));
                }
            }
            Block::Break => pre.clear(),
            Block::Table(g) => {
                tables += 1;
                if table.is_some_and(|n| n != tables) {
                    pre.clear();
                    continue;
                }
                match header::find(&g.sheet) {
                    Some(cols) => {
                        for (row, cells) in g.sheet.rows() {
                            if row >= cols.first_row {
                                break;
                            }
                            let t = row_text(cells);
                            if !t.is_empty() {
                                pre.push((t, Place::cell(g, row, cells[0].col)));
                            }
                        }
                        start = Some((i, cols));
                        break;
                    }
                    None if table.is_some() => {
                        r.problem(
                            Severity::Error,
                            None,
                            None,
                            format!(
                                "table {tables} has no header row naming the criterion's text (`Nội dung`, `Tiêu chí`) and its maximum (`Điểm chuẩn`, `Điểm tối đa`, `Điểm`)"
                            ),
                        );
                        return r.draft;
                    }
                    None => {}
                }
            }
        }
    }
    let Some((first, cols)) = start else {
        r.problem(
            Severity::Error,
            None,
            None,
            match table {
                Some(n) => format!("there is no table {n} (the file has {tables})"),
                None => "no table has a header row naming the criterion's text (`Nội dung`, `Tiêu chí`) and its maximum (`Điểm chuẩn`, `Điểm tối đa`, `Điểm`)".into(),
            },
        );
        return r.draft;
    };
    r.title_and_decision(&pre);
    // What a mark such as `(*)` means may be said above the table too.
    r.notes.extend(pre.iter().map(|(t, _)| t.clone()));
    let Block::Table(g) = &annex.blocks[first] else {
        unreachable!("start is a table")
    };
    let mut flow = r.grid(g, &cols, cols.last_row + 1);
    let mut pages = vec![tables_before(annex, first)];
    let mut text_between = false;
    let mut cols = cols;
    for (i, block) in annex.blocks.iter().enumerate().skip(first + 1) {
        match block {
            Block::Text(t) => {
                let t = tidy(t);
                if !t.is_empty() {
                    // Notes under the table, over one or more paragraphs.
                    text_between = true;
                    r.notes.push(t.replace('\n', " "));
                    flow = Flow::Closed;
                }
            }
            Block::Break => flow = Flow::Closed,
            Block::Table(g) => {
                let found = header::find(&g.sheet);
                if matches!(flow, Flow::Open) && !text_between {
                    let from = match &found {
                        Some(c) => {
                            cols = c.clone();
                            c.last_row + 1
                        }
                        None => 0,
                    };
                    flow = r.grid(g, &cols, from);
                    pages.push(tables_before(annex, i));
                } else if found.is_some() {
                    r.problem(
                        Severity::Note,
                        None,
                        None,
                        format!(
                            "table {} also has a criteria header; this import read table {} (choose another with --table)",
                            tables_before(annex, i),
                            pages[0]
                        ),
                    );
                    break;
                }
            }
        }
    }
    r.draft.found = Some(match (&annex.blocks[first], pages.len()) {
        (Block::Table(g), 1) => grid_name(g),
        (_, n) => format!("tables {}–{}", pages[0], pages[0] + n - 1),
    });
    r.finish();
    r.draft
}

/// How a grid is named in messages: `table 2` or `sheet 'Phụ lục'`.
fn grid_name(g: &Grid) -> String {
    match g.naming {
        super::model::Naming::Document(n) => format!("table {n}"),
        super::model::Naming::Workbook => format!("sheet '{}'", g.sheet.name),
    }
}

/// The 1-based number of the table at block `i`.
fn tables_before(annex: &Annex, i: usize) -> usize {
    annex.blocks[..=i]
        .iter()
        .filter(|b| matches!(b, Block::Table(_)))
        .count()
}

fn cell_text(v: &Value) -> String {
    match v {
        Value::Empty => String::new(),
        other => tidy(&other.display()),
    }
}

fn row_text(cells: &[Cell]) -> String {
    cells
        .iter()
        .map(|c| cell_text(&c.value).replace('\n', " "))
        .filter(|t| !t.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Lines that end a table: signatures and the like.
fn is_end(t: &str) -> bool {
    let n = norm(t);
    [
        "người lập",
        "thủ trưởng",
        "nơi nhận",
        "bộ trưởng",
        "kt. bộ trưởng",
        "kt bộ trưởng",
        "tm.",
        "xác nhận của",
        "(ký",
        "ký tên",
        "giám đốc",
    ]
    .iter()
    .any(|p| n.starts_with(p))
}

/// Lines that open the notes under a table.
fn is_note(t: &str) -> bool {
    let n = norm(t);
    ["ghi chú", "lưu ý", "chú thích", "chú ý", "(*)", "(**)", "*"]
        .iter()
        .any(|p| n.starts_with(p))
}

/// A line that announces bands ("Cách chấm điểm:", "Mức điểm:").
fn is_band_heading(t: &str) -> bool {
    let s = strip_bullet(t).trim();
    s.ends_with(':') && !text::has_number(s) && s.chars().count() <= 40
}

fn is_total(t: &str) -> bool {
    let n = norm(t);
    [
        "tổng cộng",
        "tổng điểm",
        "tổng số điểm",
        "tổng số",
        "cộng điểm chuẩn",
    ]
    .iter()
    .any(|p| n.starts_with(p))
        || n == "cộng"
        || n == "tổng"
}

/// A value of the `Điểm` column.
enum MaxCell {
    Empty,
    Points(Stated),
    Per(PerEach),
    Unreadable(String),
}

fn max_cell(v: &Value) -> MaxCell {
    match v {
        Value::Empty => MaxCell::Empty,
        Value::Number(n) => MaxCell::Points(Stated {
            points: *n,
            capped: false,
        }),
        other => {
            let t = cell_text(other);
            if t.is_empty() {
                return MaxCell::Empty;
            }
            if let Some(p) = per_occurrence(&t) {
                return MaxCell::Per(p);
            }
            match stated_max(&t) {
                Some((points, capped)) => MaxCell::Points(Stated { points, capped }),
                None => MaxCell::Unreadable(t),
            }
        }
    }
}

/// The cells of one row by role.
struct Entry<'a> {
    grid: &'a Grid,
    row: u32,
    cells: &'a [Cell],
    cols: &'a Columns,
}

impl Entry<'_> {
    fn at(&self, col: Option<u32>) -> &Value {
        static EMPTY: Value = Value::Empty;
        col.and_then(|c| self.cells.iter().find(|x| x.col == c))
            .map_or(&EMPTY, |x| &x.value)
    }

    fn text(&self, col: Option<u32>) -> String {
        cell_text(self.at(col))
    }

    fn place(&self, col: u32) -> Place {
        Place::cell(self.grid, self.row, col)
    }

    /// Text of the cells that are not the maximum, the number or a flag:
    /// a merged heading may start in any column.
    fn other_text(&self) -> (String, u32) {
        let c = self.cols;
        let skip = [Some(c.max), c.number, c.evidence, c.hard, c.note, c.code];
        let mut out = Vec::new();
        let mut first = None;
        for cell in self.cells {
            if skip.contains(&Some(cell.col)) {
                continue;
            }
            let t = cell_text(&cell.value);
            if !t.is_empty() {
                first.get_or_insert(cell.col);
                out.push(t);
            }
        }
        (out.join("\n"), first.unwrap_or(c.name))
    }
}

impl Reader {
    fn problem(
        &mut self,
        severity: Severity,
        place: Option<Place>,
        text: Option<&str>,
        message: String,
    ) {
        self.draft
            .problems
            .push(Problem::new(severity, place, text, message));
    }

    /// Reads the rows of one grid from `from`.
    fn grid(&mut self, g: &Grid, cols: &Columns, from: u32) -> Flow {
        if self.ended {
            return Flow::Closed;
        }
        for (row, cells) in g.sheet.rows() {
            if row < from {
                continue;
            }
            let first = cells.iter().find(|c| !cell_text(&c.value).is_empty());
            let Some(first) = first else { continue };
            let lead = cell_text(&first.value);
            if self.ended {
                self.notes.push(row_text(cells));
                continue;
            }
            if is_end(&lead) {
                self.ended = true;
                continue;
            }
            if header::repeats(cells) || header::numbers_columns(cells) {
                continue;
            }
            let r = Entry {
                grid: g,
                row,
                cells,
                cols,
            };
            let tt = r.text(cols.number);
            if is_note(&lead)
                && numbering(&tt).is_none()
                && (first.col < cols.name || self.draft.items.is_empty())
            {
                self.ended = true;
                self.notes.push(row_text(cells));
                continue;
            }
            self.row(&r);
        }
        if self.ended { Flow::Closed } else { Flow::Open }
    }

    fn row(&mut self, r: &Entry<'_>) {
        let cols = r.cols;
        let tt = r.text(cols.number);
        let code = r.text(cols.code);
        let name_cell = r.text(Some(cols.name));
        let mut name = name_cell.clone();
        let mut number: Option<Number> = None;
        if !tt.is_empty() {
            if let Some(n) = numbering(&tt) {
                number = Some(n);
            } else if let Some((n, rest)) = split_numbered(&tt) {
                number = Some(n);
                name = if name.is_empty() {
                    rest
                } else {
                    format!("{rest}\n{name}")
                };
            } else if is_bulleted(&tt) {
                let rest = strip_bullet(&tt).to_string();
                if name.is_empty() {
                    name.clone_from(&tt);
                } else if !rest.is_empty() {
                    name = format!("{rest} {name}");
                }
            } else if name.is_empty() || cols.number == Some(cols.name) {
                // A heading merged across the number and the text.
                if let Some((n, rest)) = split_numbered(&tt) {
                    number = Some(n);
                    name = rest;
                } else {
                    name.clone_from(&tt);
                }
            } else {
                self.problem(
                    Severity::Error,
                    Some(r.place(cols.number.unwrap_or(cols.name))),
                    Some(&tt),
                    "not a printed number such as A, I, 1, 1.1 or a; the row is left out".into(),
                );
                return;
            }
        } else if !code.is_empty() && cols.number.is_none() {
            let seg = code.rsplit('.').next().unwrap_or(&code);
            number = numbering(seg);
        } else if let Some((n, rest)) = split_numbered(name.lines().next().unwrap_or(""))
            && !self.lettered_band(r, &name, &rest)
        {
            let others: Vec<&str> = name.lines().skip(1).collect();
            number = Some(n);
            name = std::iter::once(rest.as_str())
                .chain(others)
                .collect::<Vec<_>>()
                .join("\n");
        }
        if name.is_empty() && number.is_none() {
            let (other, _) = r.other_text();
            name = other;
        }
        match number {
            Some(n) => self.item(r, &n, &name, &code),
            None => self.unnumbered(r, &name),
        }
    }

    /// "a) Đạt 100%: 5 điểm" under a criterion, with nothing in `Điểm`: a
    /// band numbered in its text, not an item ("a) Tự kiểm tra (3 điểm)" is
    /// an item).
    fn lettered_band(&self, r: &Entry<'_>, name: &str, rest: &str) -> bool {
        !self.draft.items.is_empty()
            && name.lines().count() == 1
            && matches!(r.at(Some(r.cols.max)), Value::Empty)
            && !rest.trim_end().ends_with(')')
            && band(rest).is_some_and(|b| !b.condition.is_empty())
            && rest.contains(':')
    }

    /// A row with a printed number: a new criterion.
    fn item(&mut self, r: &Entry<'_>, number: &Number, raw_name: &str, code_cell: &str) {
        let cols = r.cols;
        let place = r.place(cols.number.unwrap_or(cols.name));
        let mut lines = raw_name.lines();
        let Some(first) = lines.next() else {
            self.problem(
                Severity::Error,
                Some(place),
                Some(&number.printed),
                "a printed number with no text beside it; the row is left out".into(),
            );
            return;
        };
        // Lines after the first: more of the name, then bands or notes.
        let mut name = first.to_string();
        let mut items: Vec<String> = Vec::new();
        for l in lines {
            let starts = is_bulleted(l)
                || band(l).is_some()
                || per_occurrence(l).is_some()
                || is_band_heading(l);
            if starts {
                items.push(l.to_string());
            } else if items.is_empty() {
                name.push(' ');
                name.push_str(l);
            } else if items
                .last()
                .is_some_and(|x| band(x).is_some() || is_band_heading(x))
            {
                items.push(l.to_string());
            } else if let Some(last) = items.last_mut() {
                last.push(' ');
                last.push_str(l);
            }
        }
        let flags = name_flags(&name);
        let mut stated = flags.max.map(|(points, capped)| Stated { points, capped });
        let mut per = per_occurrence(&flags.name).map(|p| (p, place.at_col(cols.name)));
        let max_place = r.place(cols.max);
        match max_cell(r.at(Some(cols.max))) {
            MaxCell::Empty => {}
            MaxCell::Points(s) => {
                if let Some(n) = stated
                    && !same(n.points, s.points)
                {
                    self.problem(
                        Severity::Error,
                        Some(max_place.clone()),
                        Some(&r.text(Some(cols.max))),
                        format!(
                            "the maximum differs from the {} points written in the text beside it",
                            crate::domain::vn::format_number(n.points)
                        ),
                    );
                }
                stated = Some(Stated {
                    points: s.points,
                    capped: s.capped || stated.is_some_and(|n| n.capped),
                });
            }
            MaxCell::Per(p) => {
                if let Some(cap) = p.cap {
                    stated = Some(Stated {
                        points: cap,
                        capped: false,
                    });
                }
                per = Some((p, max_place.clone()));
            }
            MaxCell::Unreadable(t) => {
                self.problem(
                    Severity::Error,
                    Some(max_place.clone()),
                    Some(&t),
                    "not a number of points (write it like 2, 1,75 or 0,5)".into(),
                );
            }
        }
        if let Some(s) = stated
            && s.points < 0.0
        {
            self.problem(
                Severity::Error,
                Some(max_place),
                Some(&r.text(Some(cols.max))),
                "a maximum below 0; write deductions as positive points under a deduction part (`Điểm trừ`)".into(),
            );
            stated = None;
        }
        let mut evidence = flags.evidence || says_yes(&r.text(cols.evidence));
        let mut hard = flags.hard || says_yes(&r.text(cols.hard));
        let mut notes = Vec::new();
        let note = r.text(cols.note);
        if !note.is_empty() {
            let (says_hard, says_evidence) = super::text::note_flags(&note);
            let mut used = false;
            if says_evidence {
                evidence = true;
                used = true;
            }
            if says_hard {
                hard = true;
                used = true;
            }
            if !used {
                notes.push(format!("Ghi chú: {}", note.replace('\n', " ")));
            }
        }
        // The tree.
        while self
            .stack
            .last()
            .is_some_and(|(level, _)| *level >= number.level)
        {
            self.stack.pop();
        }
        let parent = self.stack.last().map(|(_, i)| *i);
        if let (Level::Dotted(k), Some(p)) = (number.level, parent) {
            let prefix = number.printed.rsplit_once('.').map_or("", |(a, _)| a);
            let pn = &self.draft.items[p].number;
            let plevel = self.extra[p].level;
            let fits = match plevel {
                Some(Level::Arabic) => k == 2,
                Some(Level::Dotted(j)) => j + 1 == k,
                _ => false,
            };
            if fits && prefix.trim_start_matches('0') != pn.trim_start_matches('0') {
                self.problem(
                    Severity::Warning,
                    Some(place.clone()),
                    Some(&number.printed),
                    format!("numbered {} but printed under {pn}", number.printed),
                );
            }
        }
        let code = match parent {
            Some(p) => format!("{}.{}", self.draft.items[p].code, number.segment),
            None => number.segment.clone(),
        };
        let code = if code_cell.is_empty() {
            code
        } else if code_cell
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
            && code_cell.rsplit_once('.').map(|(a, _)| a)
                == parent.map(|p| self.draft.items[p].code.as_str())
        {
            code_cell.to_string()
        } else {
            self.problem(
                Severity::Error,
                Some(r.place(cols.code.unwrap_or(cols.name))),
                Some(code_cell),
                format!(
                    "this code does not continue its parent's ({}); the code {code} is used",
                    parent.map_or("none: a top-level criterion has a code without dots", |p| {
                        self.draft.items[p].code.as_str()
                    })
                ),
            );
            code
        };
        // The kind: a top-level part's heading names it; items inherit it.
        let kind = match parent {
            Some(p) => {
                let k = self.draft.items[p].kind;
                if let Some(own) = flags.kind
                    && own != k
                {
                    self.problem(
                        Severity::Error,
                        Some(place.clone()),
                        Some(&name),
                        format!(
                            "marked {} inside a {} part; a part's items share its kind",
                            own.as_str(),
                            k.as_str()
                        ),
                    );
                }
                k
            }
            None => match (flags.kind, kind_hint(&flags.name)) {
                (Some(k), _) => k,
                (None, Some(KindHint::Bonus)) => Kind::Bonus,
                (None, Some(KindHint::Deduction)) => Kind::Deduction,
                (None, Some(KindHint::Both)) => {
                    self.problem(
                        Severity::Error,
                        Some(place.clone()),
                        Some(&name),
                        "a part holding both bonus and deduction points; thidua's tables give each top-level part one kind, so split it into two parts (e.g. C. Điểm thưởng, D. Điểm trừ) in the annex".into(),
                    );
                    Kind::Bonus
                }
                (None, None) => Kind::Score,
            },
        };
        // Numbering that jumps (a row lost in the annex?).
        if number.level != Level::Lower && !self.synthetic {
            let prev = self
                .draft
                .items
                .iter()
                .enumerate()
                .rev()
                .find(|(i, it)| it.parent == parent && self.extra[*i].level == Some(number.level))
                .map(|(i, it)| (self.extra[i].ordinal, it.number.clone()));
            let expected = prev.as_ref().map_or(1, |(p, _)| p + 1);
            if number.ordinal != expected {
                let message = match &prev {
                    Some((_, before)) => format!(
                        "the numbering jumps from {before} to {}; is a row missing?",
                        number.printed
                    ),
                    None => "the first item of its group is not numbered 1, A, I or a".into(),
                };
                self.problem(
                    Severity::Warning,
                    Some(place.clone()),
                    Some(&number.printed),
                    message,
                );
            }
        }
        let i = self.draft.items.len();
        if let Some(p) = parent {
            self.draft.items[p].children.push(i);
        }
        self.draft.items.push(Item {
            code,
            number: number.printed.clone(),
            name: flags.name.clone(),
            kind,
            max: 0.0,
            evidence,
            hard,
            bands: Vec::new(),
            parent,
            children: Vec::new(),
            place: place.clone(),
            notes,
        });
        self.extra.push(Extra {
            stated,
            level: Some(number.level),
            ordinal: number.ordinal,
            per,
        });
        self.stack.push((number.level, i));
        let bands_text = r.text(cols.bands);
        let bands_place = r.place(cols.bands.unwrap_or(cols.name));
        if !bands_text.is_empty() {
            let lines: Vec<String> = bands_text.lines().map(str::to_string).collect();
            self.band_lines(i, &lines, &bands_place);
        }
        if !items.is_empty() {
            self.band_lines(i, &items, &place.at_col(cols.name));
        }
    }

    /// A row without a printed number: bands or notes of the criterion
    /// above, a total, or a part's heading printed without a number.
    fn unnumbered(&mut self, r: &Entry<'_>, text: &str) {
        let cols = r.cols;
        let max_raw = r.at(Some(cols.max)).clone();
        let max = max_cell(&max_raw);
        let (_, text_col) = r.other_text();
        let place = r.place(if text.is_empty() {
            cols.max
        } else {
            text_col.min(cols.name)
        });
        if text.is_empty() {
            match max {
                MaxCell::Empty => {}
                _ => self.problem(
                    Severity::Error,
                    Some(r.place(cols.max)),
                    Some(&cell_text(&max_raw)),
                    "points with no text beside them; the row is left out".into(),
                ),
            }
            return;
        }
        if is_total(text) {
            match max {
                MaxCell::Points(s) => self.totals.push((s.points, place, text.to_string())),
                _ => {
                    if let Some((p, _)) = stated_max(text) {
                        self.totals.push((p, place, text.to_string()));
                    }
                }
            }
            return;
        }
        let one = text.replace('\n', " ");
        let low = norm(&one);
        if kind_hint(&one).is_some()
            && (mostly_capitals(&one) || low.starts_with("điểm") || low.starts_with("phần"))
            && !is_bulleted(text)
            && band(&one).is_none()
        {
            self.unnumbered_part(r, &one, place);
            return;
        }
        let Some(current) = self.draft.items.len().checked_sub(1) else {
            if matches!(max, MaxCell::Points(_) | MaxCell::Per(_)) {
                self.problem(
                    Severity::Error,
                    Some(place),
                    Some(text),
                    "points on a row above the first numbered criterion; the row is left out"
                        .into(),
                );
            } else {
                self.problem(
                    Severity::Note,
                    Some(place),
                    Some(text),
                    "text above the first numbered criterion, left out".into(),
                );
            }
            return;
        };
        match max {
            MaxCell::Points(s) => {
                // A band in a row of its own, its points in the `Điểm` column.
                let cond = strip_bullet(&one).to_string();
                let condition = match band(&cond) {
                    Some(b) if same(b.points, s.points) => b.condition,
                    _ => cond,
                };
                let condition = condition
                    .trim_end_matches([';', '.', ',', ':'])
                    .trim()
                    .to_string();
                self.push_band(current, s.points, condition, &place, text);
            }
            MaxCell::Per(p) => {
                self.extra[current].per = Some((p, place));
            }
            MaxCell::Unreadable(t) => self.problem(
                Severity::Error,
                Some(r.place(cols.max)),
                Some(&t),
                "not a number of points (write it like 2, 1,75 or 0,5); the band is left out"
                    .into(),
            ),
            MaxCell::Empty => {
                let lines: Vec<String> = text
                    .lines()
                    .map(|l| split_numbered(l).map_or_else(|| l.to_string(), |(_, rest)| rest))
                    .collect();
                self.band_lines(current, &lines, &place);
            }
        }
    }

    /// "ĐIỂM THƯỞNG" printed on a row without a number: a new top-level
    /// part, numbered after the last one.
    fn unnumbered_part(&mut self, r: &Entry<'_>, text: &str, place: Place) {
        let tops: Vec<usize> = (0..self.draft.items.len())
            .filter(|&i| self.draft.items[i].parent.is_none())
            .collect();
        let level = tops
            .last()
            .and_then(|&i| self.extra[i].level)
            .unwrap_or(Level::Part);
        let next = tops.last().map_or(1, |&i| self.extra[i].ordinal + 1);
        let printed = match level {
            Level::Roman => roman(next),
            Level::Arabic => next.to_string(),
            _ => ((b'A' + (next.clamp(1, 26) - 1) as u8) as char).to_string(),
        };
        // Printed like its siblings, but above any numbered item, so that
        // the items under it (which restart at 1) are its children.
        let number = Number {
            level: Level::Part,
            ordinal: numbering(&printed).map_or(next, |n| n.ordinal),
            segment: printed.clone(),
            printed: printed.clone(),
        };
        self.problem(
            Severity::Warning,
            Some(place),
            Some(text),
            format!("a part's heading without a printed number; numbered {printed}"),
        );
        self.stack.clear();
        self.synthetic = true;
        self.item(r, &number, text, "");
        self.synthetic = false;
    }

    /// Lines under a criterion: bands, per-occurrence rules, or notes.
    fn band_lines(&mut self, item: usize, lines: &[String], place: &Place) {
        // Lines that continue the one before (a band's text broken over two
        // lines) are joined to it.
        let mut joined: Vec<String> = Vec::new();
        for l in lines {
            let starts = joined.is_empty()
                || is_bulleted(l)
                || band(l).is_some()
                || is_band_heading(l)
                || joined
                    .last()
                    .is_some_and(|x| band(x).is_some() || is_band_heading(x));
            if starts {
                joined.push(l.clone());
            } else if let Some(last) = joined.last_mut() {
                last.push(' ');
                last.push_str(l);
            }
        }
        for l in &joined {
            if is_band_heading(l) {
                continue;
            }
            if let Some(p) = per_occurrence(l) {
                self.extra[item].per = Some((p, place.clone()));
                continue;
            }
            // Several bands on one line, separated by `;`.
            let parts: Vec<&str> = l
                .split(';')
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .collect();
            if parts.len() > 1 && parts.iter().all(|p| band(p).is_some()) {
                for p in parts {
                    if let Some(b) = band(p) {
                        self.push_band(item, b.points, b.condition, place, p);
                    }
                }
                continue;
            }
            match band(l) {
                Some(b) => self.push_band(item, b.points, b.condition, place, l),
                None if text::has_number(l) && has_words(l, "điểm") => self.problem(
                    Severity::Error,
                    Some(place.clone()),
                    Some(l),
                    format!(
                        "under {}: a line with points that is not read as a band (write it like “– Đạt 100%: 2 điểm”); it is left out",
                        self.draft.items[item].code
                    ),
                ),
                None => {
                    let code = self.draft.items[item].code.clone();
                    self.draft.items[item].notes.push(strip_bullet(l).to_string());
                    self.problem(
                        Severity::Note,
                        Some(place.clone()),
                        Some(l),
                        format!("under {code}: not a band (no points); kept as a comment in the table file"),
                    );
                }
            }
        }
    }

    fn push_band(
        &mut self,
        item: usize,
        points: f64,
        condition: String,
        place: &Place,
        text: &str,
    ) {
        if condition.is_empty() {
            self.problem(
                Severity::Error,
                Some(place.clone()),
                Some(text),
                "a band without its condition; it is left out".into(),
            );
            return;
        }
        let it = &mut self.draft.items[item];
        if let Some(b) = it.bands.iter_mut().find(|b| same(b.points, points)) {
            b.condition = format!("{}; {}", b.condition, condition);
            let code = it.code.clone();
            self.problem(
                Severity::Note,
                Some(place.clone()),
                Some(text),
                format!(
                    "under {code}: a second condition for {} points, joined to the first",
                    crate::domain::vn::format_number(points)
                ),
            );
            return;
        }
        it.bands.push(Band { points, condition });
    }

    /// The title and the decision printed above the table.
    fn title_and_decision(&mut self, pre: &[(String, Place)]) {
        let mut used = vec![false; pre.len()];
        for (i, (t, place)) in pre.iter().enumerate() {
            let n = norm(t);
            let inner = t
                .trim()
                .trim_start_matches('(')
                .trim_end_matches(')')
                .trim();
            let ni = norm(inner);
            let decision = n.contains("quyết định")
                && (t.trim_start().starts_with('(')
                    || ni.starts_with("ban hành kèm theo")
                    || ni.starts_with("kèm theo")
                    || ni.starts_with("quyết định số"));
            if decision && self.draft.decision.is_none() {
                let mut d = inner.to_string();
                for lead in ["ban hành kèm theo", "kèm theo"] {
                    if norm(&d).starts_with(lead) {
                        d = d
                            .chars()
                            .skip(lead.chars().count())
                            .collect::<String>()
                            .trim()
                            .to_string();
                    }
                }
                self.draft.decision = Some((d, place.clone()));
                used[i] = true;
            }
        }
        let skip = |n: &str| {
            [
                "phụ lục",
                "phụ biểu",
                "mẫu số",
                "bộ tư pháp",
                "cộng hòa xã hội",
                "cộng hoà xã hội",
                "độc lập",
                "số:",
            ]
            .iter()
            .any(|p| n.starts_with(p))
                || n.contains(", ngày ")
        };
        let Some(start) = (0..pre.len()).find(|&i| {
            let n = norm(&pre[i].0);
            !used[i] && !skip(&n) && (n.starts_with("bảng") || n.contains("tiêu chí"))
        }) else {
            return;
        };
        let mut title = pre[start].0.trim().to_string();
        let caps = mostly_capitals(&title);
        for (i, (t, _)) in pre.iter().enumerate().skip(start + 1) {
            if used[i] || !caps || !mostly_capitals(t) || skip(&norm(t)) {
                break;
            }
            title.push(' ');
            title.push_str(t.trim());
        }
        self.draft.title = Some((title, pre[start].1.clone()));
    }

    /// What needs the whole table: marks defined by the notes, rules per
    /// occurrence, maxima from bands and children, and the checks.
    fn finish(&mut self) {
        self.marks();
        for i in 0..self.draft.items.len() {
            self.per_occurrence(i);
        }
        let n = self.draft.items.len();
        // Children come after their parents: fill maxima from the end.
        for i in (0..n).rev() {
            self.maximum(i);
        }
        self.checks();
    }

    /// `(*)` and the like after names, with their meaning from the notes.
    fn marks(&mut self) {
        let mut meanings: Vec<(String, bool, bool)> = Vec::new();
        for note in self.notes.iter().flat_map(|n| n.split(';')) {
            let (hard, evidence) = super::text::note_flags(note);
            if !(hard || evidence) {
                continue;
            }
            // "(*) Tiêu chí bắt buộc", "Tiêu chí có dấu (*) là tiêu chí bắt
            // buộc", "* Bắt buộc": the longest mark the note names.
            let t = note.trim_start_matches(['-', '–', ' ']);
            let t = t.strip_prefix("Ghi chú:").map_or(t, str::trim_start);
            let mark = ["(***)", "(**)", "(*)"]
                .iter()
                .find(|m| note.contains(*m))
                .or_else(|| ["***", "**", "*"].iter().find(|m| t.starts_with(*m)));
            if let Some(m) = mark {
                meanings.push(((*m).to_string(), hard, evidence));
            }
        }
        for i in 0..self.draft.items.len() {
            loop {
                let name = self.draft.items[i].name.trim_end().to_string();
                let found = ["(***)", "(**)", "(*)"]
                    .iter()
                    .chain(["***", "**", "*"].iter())
                    .find(|m| name.ends_with(*m));
                let Some(mark) = found else { break };
                let meaning = meanings
                    .iter()
                    .find(|(m, _, _)| m.trim_matches(['(', ')']) == mark.trim_matches(['(', ')']));
                let it = &mut self.draft.items[i];
                if let Some((_, hard, evidence)) = meaning {
                    it.hard |= *hard;
                    it.evidence |= *evidence;
                    it.name = name[..name.len() - mark.len()].trim_end().to_string();
                } else {
                    let place = it.place.clone();
                    let code = it.code.clone();
                    self.problem(
                        Severity::Warning,
                        Some(place),
                        Some(&name),
                        format!("{code} is marked {mark}, but no note under the table says what {mark} means; the mark stays in its name"),
                    );
                    break;
                }
            }
        }
    }

    /// "trừ 0,5 điểm/lần, tối đa 2 điểm": the bands 2 / 1,5 / 1 / 0,5 / 0.
    fn per_occurrence(&mut self, i: usize) {
        let Some((per, place)) = self.extra[i].per.clone() else {
            return;
        };
        let code = self.draft.items[i].code.clone();
        if !self.draft.items[i].children.is_empty() {
            return;
        }
        if !self.draft.items[i].bands.is_empty() {
            self.problem(
                Severity::Note,
                Some(place),
                None,
                format!(
                    "{code} lists bands and also points per {}; the bands are used",
                    per.unit
                ),
            );
            return;
        }
        let stated = self.extra[i].stated.map(|s| s.points);
        let cap = match (per.cap, stated) {
            (Some(c), Some(s)) if !same(c, s) => {
                self.problem(
                    Severity::Error,
                    Some(place),
                    None,
                    format!(
                        "{code}: the cap of {} points differs from the maximum {}",
                        crate::domain::vn::format_number(c),
                        crate::domain::vn::format_number(s)
                    ),
                );
                return;
            }
            (Some(c), _) | (None, Some(c)) => c,
            (None, None) => {
                self.problem(
                    Severity::Error,
                    Some(place),
                    None,
                    format!(
                        "{code}: {} per {} with no cap (“tối đa … điểm”) and no maximum; give it a maximum in the annex",
                        points_text(per.each),
                        per.unit
                    ),
                );
                return;
            }
        };
        self.extra[i].stated = Some(Stated {
            points: cap,
            capped: false,
        });
        let count = cap / per.each;
        if per.each <= 0.0 || (count - count.round()).abs() > 1e-6 || count.round() > 20.0 {
            self.problem(
                Severity::Note,
                Some(place),
                None,
                format!(
                    "{code}: {} per {} up to {}: scored freely on the table's step (no bands)",
                    points_text(per.each),
                    per.unit,
                    crate::domain::vn::format_number(cap)
                ),
            );
            return;
        }
        let n = count.round() as u32;
        let unit = per.unit.clone();
        self.draft.items[i].notes.push(format!(
            "Phụ lục: {} điểm/{unit}, tối đa {} điểm; các mức điểm dưới đây do thidua lập từ đó.",
            crate::domain::vn::format_number(per.each),
            crate::domain::vn::format_number(cap)
        ));
        self.problem(
            Severity::Note,
            Some(place),
            None,
            format!(
                "{code}: {} per {unit} up to {}, written as the bands {}",
                points_text(per.each),
                crate::domain::vn::format_number(cap),
                (0..=n)
                    .rev()
                    .map(|k| crate::domain::vn::format_number(per.each * f64::from(k)))
                    .collect::<Vec<_>>()
                    .join(" / ")
            ),
        );
        let bands = (0..=n)
            .rev()
            .map(|k| Band {
                points: per.each * f64::from(k),
                condition: if k == 0 {
                    "Không có".to_string()
                } else if k == n {
                    format!("Từ {k:02} {unit} trở lên")
                } else {
                    format!("{k:02} {unit}")
                },
            })
            .collect();
        self.draft.items[i].bands = bands;
    }

    /// A leaf's maximum from its row or its bands; a group's from its
    /// children, checked against what the annex prints.
    fn maximum(&mut self, i: usize) {
        let stated = self.extra[i].stated;
        let it = self.draft.items[i].clone();
        let code = it.code.clone();
        let place = it.place.clone();
        if it.children.is_empty() {
            let top = it
                .bands
                .iter()
                .map(|b| b.points)
                .fold(None, |m: Option<f64>, p| Some(m.map_or(p, |m| m.max(p))));
            match (stated, top) {
                (Some(s), _) => self.draft.items[i].max = s.points,
                (None, Some(t)) => {
                    self.draft.items[i].max = t;
                    self.problem(
                        Severity::Note,
                        Some(place),
                        None,
                        format!(
                            "{code} prints no maximum; its highest band, {}, is used",
                            crate::domain::vn::format_number(t)
                        ),
                    );
                }
                (None, None) => self.problem(
                    Severity::Error,
                    Some(place),
                    Some(&it.name),
                    format!("{code} has no maximum (`Điểm chuẩn`), no bands and no items under it"),
                ),
            }
            return;
        }
        if !it.bands.is_empty() {
            self.problem(
                Severity::Error,
                Some(place.clone()),
                Some(&it.name),
                format!("{code} has items under it and also bands; bands belong to the items that are scored"),
            );
        }
        let sum: f64 = it.children.iter().map(|&k| self.draft.items[k].max).sum();
        self.draft.items[i].max = sum;
        // An item whose maximum could not be read is named already.
        let unknown = it.children.iter().any(|&k| self.draft.items[k].max <= 0.0);
        match stated {
            _ if unknown => {}
            Some(s) if !same(s.points, sum) && s.capped => {
                self.draft.items[i].notes.push(format!(
                    "Phụ lục ghi tối đa {} điểm; các mục con cộng lại {} điểm.",
                    crate::domain::vn::format_number(s.points),
                    crate::domain::vn::format_number(sum)
                ));
                self.problem(
                    Severity::Warning,
                    Some(place),
                    None,
                    format!(
                        "{code}: the annex caps it at {} points while its items add up to {}; a table gives a group the sum of its items, so {} is written (the cap is kept as a comment)",
                        crate::domain::vn::format_number(s.points),
                        crate::domain::vn::format_number(sum),
                        crate::domain::vn::format_number(sum)
                    ),
                );
            }
            Some(s) if !same(s.points, sum) => self.problem(
                Severity::Error,
                Some(place),
                None,
                format!(
                    "{code}: the maximum {} differs from the sum of its items {}",
                    crate::domain::vn::format_number(s.points),
                    crate::domain::vn::format_number(sum)
                ),
            ),
            _ => {}
        }
    }

    fn checks(&mut self) {
        if self.draft.items.is_empty()
            && self
                .draft
                .problems
                .iter()
                .all(|p| p.severity != Severity::Error)
        {
            self.problem(
                Severity::Error,
                None,
                None,
                "the table has a header but no numbered criteria under it".into(),
            );
            return;
        }
        let items = self.draft.items.clone();
        for (i, it) in items.iter().enumerate() {
            if let Some(j) = items[..i]
                .iter()
                .position(|o| o.code.eq_ignore_ascii_case(&it.code))
            {
                self.problem(
                    Severity::Error,
                    Some(it.place.clone()),
                    Some(&it.number),
                    format!(
                        "the code {} is used twice (also at {}): two items of one group with the same number",
                        it.code, items[j].place
                    ),
                );
            }
            if it.children.is_empty() && it.max <= 0.0 && self.extra[i].stated.is_some() {
                self.problem(
                    Severity::Error,
                    Some(it.place.clone()),
                    Some(&it.name),
                    format!(
                        "{}: a maximum of 0; a scored item needs more than 0 points",
                        it.code
                    ),
                );
            }
            for b in &it.bands {
                if b.points < 0.0 || crate::domain::criteria::above(b.points, it.max) {
                    self.problem(
                        Severity::Error,
                        Some(it.place.clone()),
                        Some(&b.condition),
                        format!(
                            "{}: the band of {} points is outside 0..{}",
                            it.code,
                            crate::domain::vn::format_number(b.points),
                            crate::domain::vn::format_number(it.max)
                        ),
                    );
                }
            }
        }
        let score: f64 = items
            .iter()
            .filter(|c| c.parent.is_none() && c.kind == Kind::Score)
            .map(|c| c.max)
            .sum();
        let bonus: f64 = items
            .iter()
            .filter(|c| c.parent.is_none() && c.kind == Kind::Bonus)
            .map(|c| c.max)
            .sum();
        for (points, place, text) in self.totals.clone() {
            let parts = items
                .iter()
                .filter(|c| c.parent.is_none())
                .any(|c| same(c.max, points));
            if !(same(points, score) || same(points, score + bonus) || parts) {
                self.problem(
                    Severity::Error,
                    Some(place),
                    Some(&text),
                    format!(
                        "the total printed, {}, differs from the sum of the scored parts {}",
                        crate::domain::vn::format_number(points),
                        crate::domain::vn::format_number(score)
                    ),
                );
            }
        }
    }
}

/// "1 point", "0,5 points".
fn points_text(v: f64) -> String {
    let n = crate::domain::vn::format_number(v);
    if same(v, 1.0) {
        format!("{n} point")
    } else {
        format!("{n} points")
    }
}

fn roman(n: u32) -> String {
    let mut n = n;
    let mut s = String::new();
    for (v, r) in [(10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")] {
        while n >= v {
            s.push_str(r);
            n -= v;
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::cells::Sheet;
    use crate::domain::criteria::annex::model::Naming;

    /// A workbook sheet from rows of cells (`""` for an empty cell).
    fn grid(rows: &[&[&str]]) -> Grid {
        let mut cells = Vec::new();
        for (r, row) in rows.iter().enumerate() {
            for (c, t) in row.iter().enumerate() {
                if !t.is_empty() {
                    cells.push(Cell {
                        row: r as u32,
                        col: c as u32,
                        value: Value::Text((*t).to_string()),
                    });
                }
            }
        }
        Grid {
            sheet: Sheet::new("Sheet1", cells),
            naming: Naming::Workbook,
        }
    }

    fn annex(rows: &[&[&str]]) -> Annex {
        Annex {
            blocks: vec![Block::Table(grid(rows))],
        }
    }

    const HEAD: &[&str] = &["TT", "Nội dung", "Điểm chuẩn", "Tài liệu kiểm chứng"];

    fn item<'a>(d: &'a Draft, code: &str) -> &'a Item {
        d.items
            .iter()
            .find(|i| i.code == code)
            .unwrap_or_else(|| panic!("no {code} in {:#?}", d.items))
    }

    fn errors(d: &Draft) -> Vec<String> {
        d.problems
            .iter()
            .filter(|p| p.severity == Severity::Error)
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn a_tree_with_bands_in_the_cell_in_rows_and_per_occurrence() {
        let d = read(
            &annex(&[
                &["BẢNG TIÊU CHÍ CHẤM ĐIỂM THI ĐUA NĂM 2027"],
                &["(Kèm theo Quyết định số 12/QĐ-BTP ngày 02/01/2027)"],
                HEAD,
                &["A", "NHIỆM VỤ CHUYÊN MÔN", "7"],
                &["I", "Báo cáo", ""],
                &[
                    "1",
                    "Gửi báo cáo đúng hạn\n– Đúng hạn: 2 điểm\n– Chậm: 1,5 điểm\n– Không gửi: 0 điểm",
                    "2",
                    "x",
                ],
                &["2", "Thẩm định", "5"],
                &["", "- Đạt 100%", "5"],
                &["", "- Dưới 100%", "2,5"],
                &[],
                &["B", "ĐIỂM TRỪ"],
                &["1", "Bị phê bình", "Trừ 0,5 điểm/lần, tối đa 2 điểm"],
            ]),
            None,
        );
        assert_eq!(errors(&d), Vec::<String>::new());
        assert_eq!(
            d.title.as_ref().unwrap().0,
            "BẢNG TIÊU CHÍ CHẤM ĐIỂM THI ĐUA NĂM 2027"
        );
        assert_eq!(
            d.decision.as_ref().unwrap().0,
            "Quyết định số 12/QĐ-BTP ngày 02/01/2027"
        );
        let codes: Vec<&str> = d.items.iter().map(|i| i.code.as_str()).collect();
        assert_eq!(codes, ["A", "A.I", "A.I.1", "A.I.2", "B", "B.1"]);
        let one = item(&d, "A.I.1");
        assert!(one.evidence);
        assert_eq!(one.name, "Gửi báo cáo đúng hạn");
        assert_eq!(
            one.bands
                .iter()
                .map(|b| (b.points, b.condition.as_str()))
                .collect::<Vec<_>>(),
            [(2.0, "Đúng hạn"), (1.5, "Chậm"), (0.0, "Không gửi")]
        );
        assert_eq!(item(&d, "A.I.2").bands.len(), 2);
        assert_eq!(item(&d, "A.I").max, 7.0);
        let b = item(&d, "B");
        assert_eq!((b.kind, b.max), (Kind::Deduction, 2.0));
        let b1 = item(&d, "B.1");
        assert_eq!(b1.kind, Kind::Deduction);
        assert_eq!(
            b1.bands.iter().map(|b| b.points).collect::<Vec<_>>(),
            [2.0, 1.5, 1.0, 0.5, 0.0]
        );
        assert_eq!(b1.bands[0].condition, "Từ 04 lần trở lên");
    }

    #[test]
    fn unreadable_rows_are_named_with_their_cell_and_text() {
        let d = read(
            &annex(&[
                HEAD,
                &["A", "PHẦN", "3"],
                &["1", "Một", "1,7x"],
                &["2", "Hai", "3"],
                &["", "– Đạt 2 điểm khi hoàn thành sớm", ""],
                &["", "", "4"],
                &["Ⅻ", "Mười hai", "1"],
            ]),
            None,
        );
        let e = errors(&d);
        assert!(
            e.iter()
                .any(|m| m.starts_with("'Sheet1'!C3: “1,7x”: not a number")),
            "{e:#?}"
        );
        assert!(
            e.iter().any(|m| m.starts_with("'Sheet1'!B5: “– Đạt")),
            "{e:#?}"
        );
        assert!(
            e.iter()
                .any(|m| m.starts_with("'Sheet1'!C6: “4”: points with no text")),
            "{e:#?}"
        );
        assert!(
            e.iter().any(|m| m.starts_with("'Sheet1'!A7: “Ⅻ”")),
            "{e:#?}"
        );
    }

    #[test]
    fn sums_bands_codes_and_totals_are_checked() {
        let d = read(
            &annex(&[
                HEAD,
                &["A", "PHẦN", "10"],
                &["1", "Một", "4"],
                &["", "– Đạt: 5 điểm", ""],
                &["2", "Hai", "3"],
                &["2", "Hai lần", "3"],
                &["", "Tổng cộng", "12"],
            ]),
            None,
        );
        let e = errors(&d).join("\n");
        assert!(
            e.contains("A.1: the band of 5 points is outside 0..4"),
            "{e}"
        );
        assert!(
            e.contains("the code A.2 is used twice (also at 'Sheet1'!A5)"),
            "{e}"
        );
        assert!(
            e.contains("the total printed, 12, differs from the sum of the scored parts 10"),
            "{e}"
        );
        let d = read(
            &annex(&[
                HEAD,
                &["A", "PHẦN", "9"],
                &["1", "Một", "4"],
                &["2", "Hai", "3"],
            ]),
            None,
        );
        assert!(
            errors(&d)
                .join("\n")
                .contains("A: the maximum 9 differs from the sum of its items 7"),
            "{:?}",
            errors(&d)
        );
    }

    #[test]
    fn a_cap_the_annex_prints_is_a_warning_not_an_error() {
        let d = read(
            &annex(&[
                HEAD,
                &["A", "PHẦN", "2"],
                &["1", "Một", "2"],
                &["B", "ĐIỂM THƯỞNG (tối đa 3 điểm)", ""],
                &["1", "Sáng kiến", "2"],
                &["2", "Bằng khen", "2"],
            ]),
            None,
        );
        assert_eq!(errors(&d), Vec::<String>::new());
        let b = item(&d, "B");
        assert_eq!(
            (b.kind, b.max, b.name.as_str()),
            (Kind::Bonus, 4.0, "ĐIỂM THƯỞNG")
        );
        assert!(d.problems.iter().any(|p| {
            p.severity == Severity::Warning
                && p.message
                    .contains("caps it at 3 points while its items add up to 4")
        }));
    }

    #[test]
    fn marks_explained_by_the_notes_and_headings_without_numbers() {
        let d = read(
            &annex(&[
                &["STT", "Tiêu chí", "Điểm tối đa"],
                &["1", "Gửi báo cáo (*)", "2"],
                &["2", "Thẩm định văn bản (**)", "3"],
                &["", "ĐIỂM TRỪ", ""],
                &["1", "Chậm hồ sơ", "1"],
                &[],
                &["Ghi chú: (*) Tiêu chí bắt buộc; (**) Phải có tài liệu minh chứng."],
                &["1. Điểm thưởng không quá 5 điểm"],
            ]),
            None,
        );
        assert_eq!(errors(&d), Vec::<String>::new());
        let one = item(&d, "1");
        assert!(
            one.hard && !one.evidence && one.name == "Gửi báo cáo",
            "{one:?}"
        );
        let two = item(&d, "2");
        assert!(
            two.evidence && !two.hard && two.name == "Thẩm định văn bản",
            "{two:?}"
        );
        // The unnumbered heading is a new top-level part, numbered after "2".
        let part = item(&d, "3");
        assert_eq!((part.kind, part.number.as_str()), (Kind::Deduction, "3"));
        assert_eq!(item(&d, "3.1").kind, Kind::Deduction);
        assert_eq!(
            d.items.len(),
            4,
            "the notes under the table are not criteria"
        );
    }

    #[test]
    fn numbering_in_the_text_nfd_and_odd_spaces() {
        use unicode_normalization::UnicodeNormalization;
        let nfd = |s: &str| s.nfd().collect::<String>();
        let head = [
            nfd("Số\u{a0}TT"),
            nfd("NỘI DUNG TIÊU CHÍ"),
            nfd("Thang\u{a0}điểm"),
        ];
        let h: Vec<&str> = head.iter().map(String::as_str).collect();
        let a = nfd("A. KẾT QUẢ (10 điểm)");
        let one = nfd("1. Tỷ lệ thi hành xong\u{a0}về việc");
        let d = read(
            &annex(&[
                &h,
                &["", &a, ""],
                &["", &one, "10"],
                &["", "+ Đạt\u{a0}chỉ tiêu: 10\u{a0}điểm", ""],
            ]),
            None,
        );
        assert_eq!(errors(&d), Vec::<String>::new());
        let i = item(&d, "A.1");
        assert_eq!(i.name, "Tỷ lệ thi hành xong về việc");
        assert_eq!(i.bands[0].condition, "Đạt chỉ tiêu");
        assert_eq!(item(&d, "A").max, 10.0);
    }

    #[test]
    fn a_part_with_both_kinds_is_refused_and_jumps_are_warned() {
        let d = read(
            &annex(&[
                HEAD,
                &["A", "PHẦN", "1"],
                &["1", "Một", "1"],
                &["B", "ĐIỂM THƯỞNG, ĐIỂM TRỪ", "1"],
                &["1", "Một", "1"],
                &["3", "Ba", "1"],
            ]),
            None,
        );
        assert!(errors(&d).join("\n").contains("both bonus and deduction"));
        assert!(
            d.problems
                .iter()
                .any(|p| p.message.contains("jumps from 1 to 3"))
        );
    }

    #[test]
    fn notes_over_several_paragraphs_explain_marks() {
        let blocks = vec![
            Block::Table(grid(&[
                HEAD,
                &["1", "Báo cáo (*)", "2"],
                &["2", "Thẩm định (**)", "1"],
            ])),
            Block::Text("Ghi chú:".into()),
            Block::Text("- (*) Tiêu chí bắt buộc.".into()),
            Block::Text("- (**) Phải có tài liệu kiểm chứng.".into()),
        ];
        let d = read(&Annex { blocks }, None);
        assert_eq!(errors(&d), Vec::<String>::new());
        assert!(item(&d, "1").hard && item(&d, "2").evidence);
        assert_eq!(item(&d, "2").name, "Thẩm định");
    }

    #[test]
    fn bands_lettered_in_their_text_are_bands() {
        let d = read(
            &annex(&[
                HEAD,
                &["1", "Thẩm định", "5"],
                &["", "a) Đạt 100%: 5 điểm", ""],
                &["", "b) Dưới 100%: 2,5 điểm", ""],
                &["2", "Kiểm tra", ""],
                &["", "a) Tự kiểm tra (3 điểm)", ""],
                &["", "b) Rà soát", "2"],
            ]),
            None,
        );
        assert_eq!(errors(&d), Vec::<String>::new());
        let one = item(&d, "1");
        assert_eq!(
            one.bands
                .iter()
                .map(|b| (b.points, b.condition.as_str()))
                .collect::<Vec<_>>(),
            [(5.0, "Đạt 100%"), (2.5, "Dưới 100%")]
        );
        assert_eq!(
            (item(&d, "2.a").max, item(&d, "2.b").max, item(&d, "2").max),
            (3.0, 2.0, 5.0)
        );
    }

    #[test]
    fn the_table_option_picks_a_later_table() {
        let blocks = vec![
            Block::Text("Phụ lục I".into()),
            Block::Table(grid(&[HEAD, &["1", "Sở", "1"]])),
            Block::Text("Phụ lục II".into()),
            Block::Table(grid(&[HEAD, &["1", "Cục", "2"], &["2", "Chi cục", "3"]])),
        ];
        let annex = Annex { blocks };
        let first = read(&annex, None);
        assert_eq!(first.items.len(), 1);
        assert!(
            first
                .problems
                .iter()
                .any(|p| p.message.contains("table 2 also has a criteria header"))
        );
        let second = read(&annex, Some(2));
        assert_eq!(second.items.len(), 2);
        assert!(
            errors(&read(&annex, Some(3)))
                .join("")
                .contains("there is no table 3")
        );
    }
}
