//! Outside numbers: what a dialled string means (with the outside-line prefix, national
//! or international, the emergency numbers), its E.164 form, which permission class it
//! needs, and how the office's number block maps direct numbers (DIDs) to extensions.
//! German numbering (ITU-T E.164, Bundesnetzagentur): `0` national prefix, `00`
//! international prefix; 110 and 112 are always allowed, from everyone.

/// How far a person may call outside.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Permission {
    /// Extensions only (and the emergency numbers).
    Internal,
    /// The own area code.
    Local,
    /// Germany.
    National,
    /// Anywhere.
    International,
}

impl Permission {
    /// From its name in the configuration.
    pub fn parse(name: &str) -> Option<Permission> {
        match name {
            "internal" => Some(Permission::Internal),
            "local" => Some(Permission::Local),
            "national" => Some(Permission::National),
            "international" => Some(Permission::International),
            _ => None,
        }
    }

    /// Its name.
    pub fn as_str(self) -> &'static str {
        match self {
            Permission::Internal => "internal",
            Permission::Local => "local",
            Permission::National => "national",
            Permission::International => "international",
        }
    }
}

/// Where the office is, for turning dialled numbers into E.164.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// What people dial before an outside number (default `0`); empty: none.
    pub outside_prefix: String,
    /// The country code without `+` (`49`).
    pub country: String,
    /// The area code without the national `0` (`9321` for Kitzingen).
    pub area: String,
}

/// An outside number, understood.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outside {
    /// `+4993214711` (emergency numbers stay as dialled: `112`).
    pub e164: String,
    /// The permission it needs.
    pub needs: Permission,
    /// 110 or 112.
    pub emergency: bool,
}

/// Why a dialled string is not an outside number we can call.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NumberError {
    /// Not digits (after `+`, spaces, dashes, slashes, brackets).
    #[error("„{0}“ ist keine Rufnummer.")]
    NotANumber(String),
    /// Too short or too long for E.164 (at most 15 digits).
    #[error("„{0}“ ist als Rufnummer zu kurz oder zu lang.")]
    Length(String),
    /// The person may not call it.
    #[error("Diese Nummer ({needs}) dürfen Sie nicht anrufen; erlaubt ist: {allowed}.", needs = .needs.as_str(), allowed = .allowed.as_str())]
    NotAllowed {
        /// What it needs.
        needs: Permission,
        /// What the person has.
        allowed: Permission,
    },
}

const EMERGENCY: [&str; 2] = ["110", "112"];

impl Plan {
    /// Reads `dialled` as an outside number: with the outside prefix (`0` + `0…`/`00…`),
    /// `+…`, or an emergency number (with or without prefix). `None`: not an outside
    /// number (an extension or a name).
    pub fn outside(&self, dialled: &str) -> Option<Result<Outside, NumberError>> {
        let compact: String = dialled
            .chars()
            .filter(|c| !matches!(c, ' ' | '-' | '/' | '(' | ')' | '.'))
            .collect();
        if compact.is_empty() {
            return None;
        }
        let digits = compact.strip_prefix('+');
        if let Some(rest) = digits {
            return Some(self.e164(dialled, &format!("+{rest}")));
        }
        if !compact.chars().all(|c| c.is_ascii_digit()) {
            return None;
        }
        let after_prefix = match self.outside_prefix.as_str() {
            "" => Some(compact.as_str()),
            p => compact.strip_prefix(p),
        };
        for candidate in [Some(compact.as_str()), after_prefix].into_iter().flatten() {
            if EMERGENCY.contains(&candidate) {
                return Some(Ok(Outside {
                    e164: candidate.to_string(),
                    needs: Permission::Internal,
                    emergency: true,
                }));
            }
        }
        let rest = after_prefix?;
        if rest.is_empty() {
            return None;
        }
        let e164 = if let Some(international) = rest.strip_prefix("00") {
            format!("+{international}")
        } else if let Some(national) = rest.strip_prefix('0') {
            format!("+{}{national}", self.country)
        } else {
            format!("+{}{}{rest}", self.country, self.area)
        };
        Some(self.e164(dialled, &e164))
    }

    fn e164(&self, dialled: &str, e164: &str) -> Result<Outside, NumberError> {
        let digits = &e164[1..];
        if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) {
            return Err(NumberError::NotANumber(dialled.to_string()));
        }
        if !(6..=15).contains(&digits.len()) {
            return Err(NumberError::Length(dialled.to_string()));
        }
        let national = format!("+{}", self.country);
        let local = format!("{national}{}", self.area);
        let needs = if !e164.starts_with(&national) {
            Permission::International
        } else if e164.starts_with(&local) {
            Permission::Local
        } else {
            Permission::National
        };
        Ok(Outside {
            e164: e164.to_string(),
            needs,
            emergency: false,
        })
    }

    /// `dialled` as an outside number `allowed` may call.
    pub fn check(
        &self,
        dialled: &str,
        allowed: Permission,
    ) -> Option<Result<Outside, NumberError>> {
        Some(self.outside(dialled)?.and_then(|o| {
            if o.emergency || o.needs <= allowed {
                Ok(o)
            } else {
                Err(NumberError::NotAllowed {
                    needs: o.needs,
                    allowed,
                })
            }
        }))
    }
}

/// An office's numbers at one trunk: a block (`+49932192` + extension), single direct
/// numbers, and the main number.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NumberBlock {
    /// The block's prefix in E.164 (`+4993219280`); an extension appended is its DID.
    pub prefix: Option<String>,
    /// Single DIDs (E.164) and their extensions.
    pub dids: Vec<(String, String)>,
    /// The main number (E.164) and the extension it rings.
    pub main: Option<(String, String)>,
}

impl NumberBlock {
    /// The extension a called number (E.164, or the carrier's national form) rings.
    pub fn extension_of(&self, called: &str, plan: &Plan) -> Option<String> {
        let called = normalise_called(called, plan);
        if let Some((_, ext)) = self.main.as_ref().filter(|(n, _)| *n == called) {
            return Some(ext.clone());
        }
        if let Some((_, ext)) = self.dids.iter().find(|(n, _)| *n == called) {
            return Some(ext.clone());
        }
        let rest = called.strip_prefix(self.prefix.as_deref()?)?;
        (!rest.is_empty() && rest.chars().all(|c| c.is_ascii_digit())).then(|| rest.to_string())
    }

    /// The caller id of an extension: its DID, else the main number.
    pub fn caller_id(&self, extension: &str) -> Option<String> {
        if let Some((n, _)) = self.dids.iter().find(|(_, e)| e == extension) {
            return Some(n.clone());
        }
        match &self.prefix {
            Some(p) => Some(format!("{p}{extension}")),
            None => self.main.as_ref().map(|(n, _)| n.clone()),
        }
    }
}

/// A called or calling number as carriers send it (`+49…`, `0049…`, `09321…`, `49…`)
/// in E.164.
pub fn normalise_called(number: &str, plan: &Plan) -> String {
    let n: String = number
        .chars()
        .filter(|c| c.is_ascii_digit() || *c == '+')
        .collect();
    if n.starts_with('+') {
        n
    } else if let Some(i) = n.strip_prefix("00") {
        format!("+{i}")
    } else if let Some(national) = n.strip_prefix('0') {
        format!("+{}{national}", plan.country)
    } else if n.starts_with(&plan.country) && n.len() > 9 {
        format!("+{n}")
    } else {
        n
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan() -> Plan {
        Plan {
            outside_prefix: "0".into(),
            country: "49".into(),
            area: "9321".into(),
        }
    }

    #[test]
    fn dialled_numbers_become_e164_with_the_permission_they_need() {
        let p = plan();
        let o = |d: &str| p.outside(d).unwrap().unwrap();
        assert_eq!(
            (o("0 4711").e164, o("0 4711").needs),
            ("+4993214711".into(), Permission::Local)
        );
        assert_eq!(
            (o("0 030 1234567").e164, o("0 030 1234567").needs),
            ("+49301234567".into(), Permission::National)
        );
        assert_eq!(
            (o("0 0033 1 23456789").e164, o("0 0033 1 23456789").needs),
            ("+33123456789".into(), Permission::International)
        );
        assert_eq!(o("+49 9321 928-0").e164, "+499321928 0".replace(' ', ""));
        assert_eq!(o("+44 20 7946 0958").needs, Permission::International);
        assert_eq!(
            p.outside("2501"),
            None,
            "an extension is not an outside number"
        );
        assert_eq!(p.outside("c.clerk"), None);
        assert!(matches!(p.outside("0 00"), Some(Err(_))));
        assert!(matches!(
            p.outside("+1234567890123456"),
            Some(Err(NumberError::Length(_)))
        ));
        assert!(matches!(
            p.outside("+49abc"),
            Some(Err(NumberError::NotANumber(_)))
        ));
    }

    #[test]
    fn emergency_numbers_are_always_allowed_with_or_without_the_prefix() {
        let p = plan();
        for d in ["112", "0112", "110", "0 110"] {
            let o = p.check(d, Permission::Internal).unwrap().unwrap();
            assert!(o.emergency, "{d}");
        }
        assert_eq!(
            p.check("112", Permission::Internal).unwrap().unwrap().e164,
            "112"
        );
    }

    #[test]
    fn permissions_are_checked() {
        let p = plan();
        assert!(p.check("0 4711", Permission::Local).unwrap().is_ok());
        assert_eq!(
            p.check("0 030 1234567", Permission::Local).unwrap(),
            Err(NumberError::NotAllowed {
                needs: Permission::National,
                allowed: Permission::Local
            })
        );
        assert!(p
            .check("0 0033 123456789", Permission::National)
            .unwrap()
            .is_err());
        assert!(p
            .check("0 0033 123456789", Permission::International)
            .unwrap()
            .is_ok());
        assert!(p.check("0 4711", Permission::Internal).unwrap().is_err());
    }

    #[test]
    fn the_number_block_maps_dids_to_extensions_and_back() {
        let block = NumberBlock {
            prefix: Some("+499321928".into()),
            dids: vec![("+499321555".into(), "2401".into())],
            main: Some(("+4993219280".into(), "2000".into())),
        };
        let p = plan();
        assert_eq!(
            block.extension_of("+4993219282501", &p),
            Some("2501".into())
        );
        assert_eq!(
            block.extension_of("09321 928 2501", &p),
            Some("2501".into()),
            "national form"
        );
        assert_eq!(
            block.extension_of("004993219282501", &p),
            Some("2501".into())
        );
        assert_eq!(
            block.extension_of("+4993219280", &p),
            Some("2000".into()),
            "the main number"
        );
        assert_eq!(block.extension_of("+499321555", &p), Some("2401".into()));
        assert_eq!(block.extension_of("+4930123", &p), None);
        assert_eq!(block.caller_id("2401"), Some("+499321555".into()));
        assert_eq!(block.caller_id("2501"), Some("+4993219282501".into()));
    }
}
