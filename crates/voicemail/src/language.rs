//! The language a box speaks and writes in: its owner's, German unless they chose English.

use crate::Error;
use std::fmt;
use std::str::FromStr;

/// The language of a box's default greeting, its menu and its notification e-mails.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum Language {
    /// German, the default.
    #[default]
    German,
    /// English.
    English,
}

impl Language {
    /// The ISO 639-1 code the store and the web client use: `de` or `en`.
    pub fn code(self) -> &'static str {
        match self {
            Language::German => "de",
            Language::English => "en",
        }
    }
}

impl FromStr for Language {
    type Err = Error;

    /// `de` or `en`, in any case; also a tag with a region (`de-DE`, `en-GB`).
    fn from_str(text: &str) -> Result<Language, Error> {
        let primary = text.split(['-', '_']).next().unwrap_or_default();
        match primary.to_ascii_lowercase().as_str() {
            "de" => Ok(Language::German),
            "en" => Ok(Language::English),
            _ => Err(Error::UnknownLanguage {
                code: text.to_owned(),
            }),
        }
    }
}

impl fmt::Display for Language {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_regions_are_accepted() {
        for language in [Language::German, Language::English] {
            assert_eq!(language.code().parse::<Language>(), Ok(language));
            assert_eq!(language.to_string(), language.code());
        }
        assert_eq!("de-DE".parse::<Language>(), Ok(Language::German));
        assert_eq!("EN_gb".parse::<Language>(), Ok(Language::English));
        assert_eq!(Language::default(), Language::German);
    }

    #[test]
    fn other_languages_are_refused_by_name() {
        for code in ["fr", "", "deu", "-de"] {
            assert_eq!(
                code.parse::<Language>(),
                Err(Error::UnknownLanguage {
                    code: code.to_owned()
                }),
                "{code:?}"
            );
        }
    }
}
