//! The four faces of Liberation Serif (metric-compatible with Times New
//! Roman, the font Decree 30 asks for), read from `templates/fonts/` or,
//! without a templates folder, the copies compiled into the binary. Every
//! PDF embeds them as subsets, so output never depends on the machine's fonts.
//! Widths come from the font's own tables, so line breaking measures exactly
//! what the PDF viewer draws.

use std::collections::{BTreeSet, VecDeque};
use std::path::Path;
use std::sync::{Arc, Mutex, OnceLock};

use allsorts::binary::read::ReadScope;
use allsorts::font_data::FontData;
use allsorts::subset::{CmapTarget, SubsetProfile, subset};
use printpdf::{ParsedFont, PdfFontParseWarning};
use sha2::{Digest, Sha256};

use super::DocumentError;
use crate::config::editable::{EditableFiles, Shipped, shipped};

/// The four faces as shipped, in the order of [`Style::ALL`] (a face's
/// index is its style's).
static SHIPPED: &[Shipped] = &[
    shipped!("templates", "fonts/LiberationSerif-Regular.ttf"),
    shipped!("templates", "fonts/LiberationSerif-Bold.ttf"),
    shipped!("templates", "fonts/LiberationSerif-Italic.ttf"),
    shipped!("templates", "fonts/LiberationSerif-BoldItalic.ttf"),
];

/// A face of the family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Style {
    Regular,
    Bold,
    Italic,
    BoldItalic,
}

impl Style {
    pub const ALL: [Style; 4] = [
        Style::Regular,
        Style::Bold,
        Style::Italic,
        Style::BoldItalic,
    ];

    /// The face's PostScript name.
    fn postscript(self) -> &'static str {
        match self {
            Style::Regular => "LiberationSerif",
            Style::Bold => "LiberationSerif-Bold",
            Style::Italic => "LiberationSerif-Italic",
            Style::BoldItalic => "LiberationSerif-BoldItalic",
        }
    }

    pub fn index(self) -> usize {
        self as usize
    }

    /// This style with bold switched on.
    #[must_use]
    pub fn bold(self) -> Style {
        match self {
            Style::Regular | Style::Bold => Style::Bold,
            Style::Italic | Style::BoldItalic => Style::BoldItalic,
        }
    }

    /// This style with italic switched on.
    #[must_use]
    pub fn italic(self) -> Style {
        match self {
            Style::Regular | Style::Italic => Style::Italic,
            Style::Bold | Style::BoldItalic => Style::BoldItalic,
        }
    }
}

/// One parsed face and its advance widths in em.
#[derive(Debug)]
pub struct Face {
    pub font: ParsedFont,
    /// The file it came from, for messages.
    pub source: String,
    per_em: f32,
    missing: f32,
    /// The last subsets made, newest first, keyed by their characters:
    /// the score sheets of a burst of receipts mostly draw the same ones.
    recent: Mutex<VecDeque<(String, Arc<Subset>)>>,
}

/// Subsets kept per face: a unit's sheets draw the same characters, and a
/// burst cycles through the cluster's units (ten here). Each is the font
/// program (about 10–30 KB) parsed and deflated, so the four faces keep
/// about 1,5 MiB at most.
const SUBSETS_KEPT: usize = 12;

/// A subset of a face as a document embeds it, and its font program
/// deflated once for every document that draws the same characters.
#[derive(Debug)]
pub struct Subset {
    pub font: ParsedFont,
    packed: OnceLock<Vec<u8>>,
}

impl Subset {
    /// The font program deflated by `pack`, the first time it is asked for.
    pub fn packed(&self, pack: impl FnOnce(&[u8]) -> Vec<u8>) -> &[u8] {
        self.packed.get_or_init(|| pack(&self.font.original_bytes))
    }
}

impl Face {
    fn parse(bytes: &[u8], shown: String) -> Result<Face, DocumentError> {
        // Pages name glyphs by their ids in the subset, which holds for
        // TrueType outlines; CFF fonts and collections number them otherwise.
        if !(bytes.starts_with(&[0, 1, 0, 0]) || bytes.starts_with(b"true")) {
            return Err(DocumentError::Font {
                file: shown.clone(),
                reason: "not a single TrueType font (.ttf with glyf outlines); use Liberation Serif 2 or later".to_string(),
            });
        }
        let mut warnings: Vec<PdfFontParseWarning> = Vec::new();
        let font =
            ParsedFont::from_bytes(bytes, 0, &mut warnings).ok_or_else(|| DocumentError::Font {
                file: shown.clone(),
                reason: "not a TrueType font this program can read".to_string(),
            })?;
        if font.lookup_glyph_index(u32::from('ệ')).is_none() {
            return Err(DocumentError::Font {
                file: shown.clone(),
                reason: "the font has no Vietnamese letters (ệ); use Liberation Serif 2 or later"
                    .to_string(),
            });
        }
        let per_em = 1.0 / f32::from(font.units_per_em.max(1));
        let missing = f32::from(font.get_glyph_width(0).unwrap_or(0)) * per_em;
        Ok(Face {
            font,
            source: shown,
            per_em,
            missing,
            recent: Mutex::new(VecDeque::new()),
        })
    }

    /// A subset holding just `chars`: a recent one with the same
    /// characters, or a new one (see [`Face::make_subset`]).
    pub fn subset(&self, style: Style, chars: &BTreeSet<char>) -> Result<Arc<Subset>, String> {
        let key: String = chars.iter().collect();
        let recent = || {
            self.recent
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
        };
        // The one asked for goes to the front, so the sets in use stay.
        let take = |kept: &mut VecDeque<(String, Arc<Subset>)>| {
            let at = kept.iter().position(|(k, _)| *k == key)?;
            let hit = kept.remove(at)?;
            kept.push_front(hit);
            Some(kept[0].1.clone())
        };
        if let Some(hit) = take(&mut recent()) {
            return Ok(hit);
        }
        let made = Arc::new(Subset {
            font: self.make_subset(style, chars, &key)?,
            packed: OnceLock::new(),
        });
        let mut kept = recent();
        // Another thread may have made the same one meanwhile.
        if let Some(hit) = take(&mut kept) {
            return Ok(hit);
        }
        kept.push_front((key, made.clone()));
        kept.truncate(SUBSETS_KEPT);
        Ok(made)
    }

    /// A subset of the face holding just `chars` (and the missing-glyph
    /// box), named with the `ABCDEF+` tag that marks a subset in a PDF.
    /// The subset's own character map drives the PDF's encoding; `key`
    /// is `chars` as one string, which the tag is made from.
    fn make_subset(
        &self,
        style: Style,
        chars: &BTreeSet<char>,
        key: &str,
    ) -> Result<ParsedFont, String> {
        let mut ids: Vec<u16> = chars
            .iter()
            .filter_map(|c| self.font.lookup_glyph_index(u32::from(*c)))
            .filter(|g| *g != 0)
            .collect();
        ids.sort_unstable();
        ids.dedup();
        ids.insert(0, 0);
        let file = ReadScope::new(&self.font.original_bytes)
            .read::<FontData<'_>>()
            .map_err(|e| e.to_string())?;
        let provider = file.table_provider(0).map_err(|e| e.to_string())?;
        let bytes = subset(&provider, &ids, &SubsetProfile::Pdf, CmapTarget::Unicode)
            .map_err(|e| e.to_string())?;
        let mut font = ParsedFont::from_bytes(&bytes, 0, &mut Vec::new())
            .ok_or_else(|| "the subset cannot be read back".to_string())?;
        let digest = Sha256::digest(key.as_bytes());
        let tag: String = digest[..6]
            .iter()
            .map(|b| char::from(b'A' + b % 26))
            .collect();
        font.font_name = Some(format!("{tag}+{}", style.postscript()));
        Ok(font)
    }

    /// The advance of `c` in em.
    pub fn advance(&self, c: char) -> f32 {
        self.font
            .lookup_glyph_index(u32::from(c))
            .and_then(|g| self.font.get_glyph_width(g))
            .map_or(self.missing, |w| f32::from(w) * self.per_em)
    }
}

/// The family: four faces.
#[derive(Debug)]
pub struct Fonts {
    faces: Vec<Face>,
}

impl Fonts {
    /// Reads the faces from `dir/fonts/`, or the compiled-in copies when
    /// `dir` is `None`.
    pub fn load(dir: Option<&Path>) -> Result<Fonts, DocumentError> {
        let faces = EditableFiles::new(dir, SHIPPED)
            .all()
            .map(|file| {
                let file = file?;
                Face::parse(&file.content, file.origin.to_string())
            })
            .collect::<Result<_, _>>()?;
        Ok(Fonts { faces })
    }

    pub fn face(&self, style: Style) -> &Face {
        &self.faces[style.index()]
    }

    /// The width of `text` set in `style` at `size` points, in points.
    pub fn width(&self, style: Style, text: &str, size: f32) -> f32 {
        let face = self.face(style);
        text.chars().map(|c| face.advance(c)).sum::<f32>() * size
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_faces_cover_vietnamese_and_measure_like_times() {
        let f = Fonts::load(None).unwrap();
        for s in Style::ALL {
            assert!(f.face(s).source.ends_with(&format!("-{s:?}.ttf")), "{s:?}");
            for c in "ẮẰẲẴẶắằẳẵặỆệỮữỲỳƯưƠơĐđ".chars() {
                assert!(
                    f.face(s).font.lookup_glyph_index(u32::from(c)).is_some(),
                    "{s:?} lacks {c}"
                );
            }
        }
        // Times New Roman: "0" is half an em, the space a quarter.
        assert!((f.width(Style::Regular, "0", 10.0) - 5.0).abs() < 0.01);
        assert!((f.width(Style::Regular, " ", 10.0) - 2.5).abs() < 0.01);
        assert!(f.width(Style::Bold, "ĐỘC LẬP", 13.0) > f.width(Style::Regular, "ĐỘC LẬP", 13.0));
    }

    #[test]
    fn documents_drawing_the_same_characters_share_a_subset() {
        let f = Fonts::load(None).unwrap();
        let face = f.face(Style::Regular);
        let a: BTreeSet<char> = "Sở Tư pháp Hà Tĩnh".chars().collect();
        let b: BTreeSet<char> = "Sở Tư pháp Nghệ An".chars().collect();
        let first = face.subset(Style::Regular, &a).unwrap();
        let other = face.subset(Style::Regular, &b).unwrap();
        let again = face.subset(Style::Regular, &a).unwrap();
        assert!(Arc::ptr_eq(&first, &again));
        assert!(!Arc::ptr_eq(&first, &other));
        assert!(other.font.lookup_glyph_index(u32::from('ệ')).is_some());
        assert!(first.font.lookup_glyph_index(u32::from('ệ')).is_none());
        // Deflated once: the second ask does not run the packer.
        let packed = first.packed(|b| b[..10].to_vec()).to_vec();
        assert_eq!(again.packed(|_| unreachable!()), packed.as_slice());
        // Only the last few asked for are kept: one in use stays.
        let fill = |from: usize, to: usize| {
            for n in from..to {
                // One character of its own per set, so no two sets are equal.
                let own = char::from_u32(0x3400 + u32::try_from(n).unwrap()).unwrap();
                let chars = BTreeSet::from([own]);
                face.subset(Style::Regular, &chars).unwrap();
            }
        };
        fill(0, SUBSETS_KEPT - 1);
        assert!(Arc::ptr_eq(
            &first,
            &face.subset(Style::Regular, &a).unwrap()
        ));
        fill(SUBSETS_KEPT, 2 * SUBSETS_KEPT - 1);
        assert!(Arc::ptr_eq(
            &first,
            &face.subset(Style::Regular, &a).unwrap()
        ));
        fill(2 * SUBSETS_KEPT, 3 * SUBSETS_KEPT);
        let later = face.subset(Style::Regular, &a).unwrap();
        assert!(!Arc::ptr_eq(&first, &later));
    }

    #[test]
    fn a_templates_folder_without_the_fonts_is_an_error_naming_the_file() {
        // No fallback to the compiled-in faces for a configured folder.
        let dir = tempfile::tempdir().unwrap();
        let e = Fonts::load(Some(dir.path())).unwrap_err().to_string();
        let regular = dir.path().join("fonts/LiberationSerif-Regular.ttf");
        assert!(e.starts_with(&regular.display().to_string()), "{e}");
    }

    #[test]
    fn a_file_that_is_not_a_font_is_refused_with_its_name() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("fonts")).unwrap();
        std::fs::write(
            dir.path().join("fonts/LiberationSerif-Regular.ttf"),
            b"not a font",
        )
        .unwrap();
        let e = Fonts::load(Some(dir.path())).unwrap_err().to_string();
        assert!(e.contains("LiberationSerif-Regular.ttf"), "{e}");
    }
}
