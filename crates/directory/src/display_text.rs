//! Text as people see it: the characters that make a name look like something else.
//!
//! Invisible format characters (Unicode general category Cf) change how text is laid out
//! without being seen. A right-to-left override (U+202E) shows `Rechnung\u{202E}fdp.exe`
//! as "Rechnungexe.pdf"; a zero-width space, a word joiner, a soft hyphen or a byte order
//! mark makes two names that look the same, so a stranger can pass for a colleague.
//!
//! **Names** (people, units, groups, rooms, device labels) never need them here, so they
//! are refused where a name is entered ([`first_hidden`]). That includes the
//! left-to-right and right-to-left marks and the zero-width joiner: a name in Arabic or
//! Hebrew script shows correctly without marks once the client isolates it, and the joiner
//! would only let emoji sequences into names at the price of look-alike names. **File
//! names** come from the operating system, where refusing would only annoy: the same
//! characters are stripped ([`strip_hidden`]). **Free text** (chat messages, status notes)
//! keeps them all, since Arabic and Hebrew need the marks and emoji such as the family
//! (man, joiner, woman, joiner, girl) need the joiner; [`balance_bidi`] makes it harmless
//! instead.

use std::fmt;
use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};

/// Characters outside category Cf that show nothing: the combining grapheme joiner, the
/// Hangul fillers (a "blank" name in chat apps), the Khmer inherent vowels and the
/// Mongolian free variation selectors. Variation selectors U+FE00–U+FE0F are not here:
/// they choose the emoji or text form of the character before them (☎️ in a room name).
const BLANK: [char; 11] = [
    '\u{034F}', '\u{115F}', '\u{1160}', '\u{3164}', '\u{FFA0}', '\u{17B4}', '\u{17B5}', '\u{180B}',
    '\u{180C}', '\u{180D}', '\u{180F}',
];

/// Whether `c` has no place in a name: a format character (Cf: bidi embeddings,
/// overrides, isolates and marks, zero-width characters, the byte order mark, the soft
/// hyphen, tags…), a line or paragraph separator (U+2028, U+2029: a paragraph separator
/// also ends every bidi embedding), or a character in [`BLANK`].
pub fn is_hidden(c: char) -> bool {
    matches!(
        c.general_category(),
        GeneralCategory::Format
            | GeneralCategory::LineSeparator
            | GeneralCategory::ParagraphSeparator
    ) || BLANK.contains(&c)
}

/// A character that [`is_hidden`], for messages: `U+202E (right-to-left override)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HiddenChar(pub char);

impl HiddenChar {
    /// The code point as Unicode writes it, e.g. `U+202E`.
    pub fn code(self) -> String {
        format!("U+{:04X}", u32::from(self.0))
    }

    /// What the character is, in English words.
    pub fn description(self) -> &'static str {
        match self.0 {
            '\u{00AD}' => "soft hyphen",
            '\u{061C}' => "Arabic letter mark",
            '\u{200B}' => "zero-width space",
            '\u{200C}' => "zero-width non-joiner",
            '\u{200D}' => "zero-width joiner",
            '\u{200E}' => "left-to-right mark",
            '\u{200F}' => "right-to-left mark",
            '\u{2028}' => "line separator",
            '\u{2029}' => "paragraph separator",
            '\u{202A}' => "left-to-right embedding",
            '\u{202B}' => "right-to-left embedding",
            '\u{202C}' => "pop directional formatting",
            '\u{202D}' => "left-to-right override",
            '\u{202E}' => "right-to-left override",
            '\u{2060}' => "word joiner",
            '\u{2066}' => "left-to-right isolate",
            '\u{2067}' => "right-to-left isolate",
            '\u{2068}' => "first strong isolate",
            '\u{2069}' => "pop directional isolate",
            '\u{FEFF}' => "byte order mark",
            _ => "invisible formatting character",
        }
    }
}

impl fmt::Display for HiddenChar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.code(), self.description())
    }
}

/// The first character of `name` that [`is_hidden`], if any.
///
/// ```
/// use directory::display_text::{first_hidden, HiddenChar};
/// assert_eq!(first_hidden("Anna Adler"), None);
/// assert_eq!(first_hidden("\u{202E}gnp.exe"), Some(HiddenChar('\u{202E}')));
/// ```
pub fn first_hidden(name: &str) -> Option<HiddenChar> {
    name.chars().find(|&c| is_hidden(c)).map(HiddenChar)
}

/// `name` without the characters that [`is_hidden`].
pub fn strip_hidden(name: &str) -> String {
    name.chars().filter(|&c| !is_hidden(c)).collect()
}

/// The closer of an embedding or override (LRE, RLE, LRO, RLO): POP DIRECTIONAL FORMATTING.
const PDF: char = '\u{202C}';
/// The closer of an isolate (LRI, RLI, FSI): POP DIRECTIONAL ISOLATE.
const PDI: char = '\u{2069}';

#[derive(Clone, Copy, PartialEq, Eq)]
enum Opened {
    Embedding,
    Isolate,
}

impl Opened {
    fn closer(self) -> char {
        match self {
            Opened::Embedding => PDF,
            Opened::Isolate => PDI,
        }
    }
}

/// Free text with every bidi embedding, override and isolate closed within its own line,
/// and closers that close nothing dropped. Shown on its own, the text looks exactly as
/// before: the Unicode bidi algorithm (UAX #9 X7, X6a, X8) ignores such closers and ends
/// everything still open at the end of a paragraph. But a client that puts the text into a
/// longer line (a search hit, a notification) can no longer have an
/// unclosed override run into what follows, nor a stray closer end its own isolate early.
///
/// ```
/// use directory::display_text::balance_bidi;
/// assert_eq!(balance_bidi("Anhang: \u{202E}fdp.exe"), "Anhang: \u{202E}fdp.exe\u{202C}");
/// assert_eq!(balance_bidi("\u{2069}\u{202C}danach"), "danach");
/// ```
pub fn balance_bidi(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut open: Vec<Opened> = Vec::new();
    let close_all = |open: &mut Vec<Opened>, out: &mut String| {
        while let Some(o) = open.pop() {
            out.push(o.closer());
        }
    };
    for c in text.chars() {
        match c {
            '\u{202A}' | '\u{202B}' | '\u{202D}' | '\u{202E}' => open.push(Opened::Embedding),
            '\u{2066}' | '\u{2067}' | '\u{2068}' => open.push(Opened::Isolate),
            // X7: a PDF closes the innermost embedding unless an isolate is open inside it.
            PDF if open.last() == Some(&Opened::Embedding) => {
                open.pop();
            }
            PDF => continue,
            // X6a: a PDI closes its isolate and every embedding opened inside it; the
            // embeddings get their PDF first, so the output nests plainly.
            PDI if open.contains(&Opened::Isolate) => {
                while open.last() == Some(&Opened::Embedding) {
                    open.pop();
                    out.push(PDF);
                }
                open.pop();
            }
            PDI => continue,
            // A line break ends a paragraph (X8), and with it everything still open.
            '\n' | '\u{2029}' => close_all(&mut open, &mut out),
            _ => {}
        }
        out.push(c);
    }
    close_all(&mut open, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_spoofing_characters_are_hidden() {
        let bidi = ('\u{202A}'..='\u{202E}').chain('\u{2066}'..='\u{2069}');
        let marks = ['\u{061C}', '\u{200E}', '\u{200F}'];
        let zero_width = ['\u{200B}', '\u{200C}', '\u{200D}', '\u{2060}', '\u{FEFF}'];
        let others = [
            '\u{00AD}',
            '\u{2028}',
            '\u{2029}',
            '\u{180E}',
            '\u{E0041}',
            '\u{3164}',
        ];
        for c in bidi.chain(marks).chain(zero_width).chain(others) {
            assert!(is_hidden(c), "{:?}", HiddenChar(c).code());
        }
    }

    #[test]
    fn letters_spaces_and_emoji_are_not() {
        let text = "Jürgen Weiß-Meier (Sachgebiet 2.3) 'Anna' #1 ☎️ ☕ \u{00A0}ذ ש Ж";
        assert_eq!(first_hidden(text), None);
        assert_eq!(strip_hidden(text), text);
    }

    #[test]
    fn messages_name_the_character() {
        assert_eq!(
            HiddenChar('\u{202E}').to_string(),
            "U+202E (right-to-left override)"
        );
        assert_eq!(
            HiddenChar('\u{E0041}').to_string(),
            "U+E0041 (invisible formatting character)"
        );
    }

    #[test]
    fn stripping_keeps_the_visible_name() {
        assert_eq!(strip_hidden("\u{202E}gnp.exe"), "gnp.exe");
        assert_eq!(
            strip_hidden("Bericht\u{200B}\u{FEFF}\u{AD}.pdf"),
            "Bericht.pdf"
        );
    }

    #[test]
    fn open_overrides_close_at_the_end_of_their_line() {
        assert_eq!(
            balance_bidi("a\u{202E}b\nc\u{2067}d\u{202B}e"),
            "a\u{202E}b\u{202C}\nc\u{2067}d\u{202B}e\u{202C}\u{2069}"
        );
        assert_eq!(
            balance_bidi("\u{2068}\u{202D}x\u{2069}y"),
            "\u{2068}\u{202D}x\u{202C}\u{2069}y",
            "a PDI closes the override opened inside its isolate"
        );
        assert_eq!(
            balance_bidi("\u{202E}\u{2066}x\u{202C}y"),
            "\u{202E}\u{2066}xy\u{2069}\u{202C}",
            "a PDF cannot reach out of an isolate"
        );
    }

    #[test]
    fn balanced_text_and_the_marks_it_keeps_stay_as_they_are() {
        for text in [
            "\u{202B}שלום\u{202C} und \u{2067}مرحبا\u{2069}",
            "ناصر\u{200F} (Sachgebiet 2)",
            "Familie 👨\u{200D}👩\u{200D}👧",
            "",
        ] {
            assert_eq!(balance_bidi(text), text);
        }
    }

    /// How deep a text leaves the bidi state at its end, by the rules of UAX #9: the
    /// number of embeddings and isolates still open.
    fn depth_at_end(text: &str) -> usize {
        let mut open: Vec<Opened> = Vec::new();
        for c in text.chars() {
            match c {
                '\u{202A}' | '\u{202B}' | '\u{202D}' | '\u{202E}' => open.push(Opened::Embedding),
                '\u{2066}' | '\u{2067}' | '\u{2068}' => open.push(Opened::Isolate),
                PDF if open.last() == Some(&Opened::Embedding) => {
                    open.pop();
                }
                PDI if open.contains(&Opened::Isolate) => {
                    while open.pop() == Some(Opened::Embedding) {}
                }
                '\n' | '\u{2029}' => open.clear(),
                _ => {}
            }
        }
        open.len()
    }

    proptest! {
        #[test]
        fn nothing_stays_open_and_the_visible_text_is_kept(
            text in "[a-zא\u{202A}-\u{202E}\u{2066}-\u{2069}\n]{0,24}",
            after in "[a-z]{0,3}",
        ) {
            let balanced = balance_bidi(&text);
            prop_assert_eq!(depth_at_end(&balanced), 0);
            // Appended text starts in the state the text started in.
            prop_assert_eq!(depth_at_end(&format!("{balanced}{after}")), 0);
            // Put inside a client's isolate, it neither closes that isolate nor leaves
            // anything open in it (one line: a line break would end the isolate anyway).
            let line = balanced.replace('\n', " ");
            prop_assert_eq!(depth_at_end(&format!("\u{2068}{line}")), 1);
            let visible = |s: &str| s.chars().filter(|&c| !is_hidden(c)).collect::<String>();
            prop_assert_eq!(visible(&balanced), visible(&text));
            prop_assert_eq!(balance_bidi(&balanced), balanced.clone(), "idempotent");
        }
    }
}
