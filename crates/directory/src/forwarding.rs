//! Call forwarding of a person: unconditionally, when busy, and when nobody answers within
//! N seconds — each rule on or off, each to the extension of another person or to the
//! person's own voicemail box ([`VOICEMAIL`]).
//!
//! Pure: [`ForwardingRules::validate`] is told the person's own extension and which
//! extensions exist, and the SIP proxy asks [`target_for`] where a call goes.
//!
//! How the proxy uses it, for a call to a person with rules `r`:
//! 1. When the call arrives, `target_for(&r, Situation::Unconditional)`: if it names a
//!    destination, the call goes there and rings none of the person's devices.
//! 2. While the devices ring, [`ForwardingRules::no_answer_after`] is the ring timer; when
//!    it fires, the branches are cancelled and the call goes to
//!    `target_for(&r, Situation::NoAnswer)`.
//! 3. When the person is already in a call, or every device answers busy,
//!    `target_for(&r, Situation::Busy)` names where it goes instead of a `486 Busy Here`.
//!
//! ```
//! use directory::forwarding::{
//!     target_for, Destination, ForwardingRules, RuleRequest, RulesRequest, Situation,
//! };
//! use directory::Extension;
//!
//! let own = Extension::parse("2501").unwrap();
//! let request = RulesRequest {
//!     busy: RuleRequest { on: true, target: Some("2502") },
//!     no_answer: RuleRequest { on: true, target: Some("voicemail") },
//!     no_answer_secs: 15,
//!     ..RulesRequest::default()
//! };
//! let rules = ForwardingRules::validate(&request, &own, |_| true).unwrap();
//! assert_eq!(target_for(&rules, Situation::Unconditional), None);
//! assert_eq!(target_for(&rules, Situation::Busy).unwrap().as_str(), "2502");
//! assert_eq!(target_for(&rules, Situation::NoAnswer), Some(&Destination::Voicemail));
//! assert_eq!(rules.no_answer_after(), Some(std::time::Duration::from_secs(15)));
//! ```
//!
//! A rule that is off may keep its target, so switching it on again is one click. A
//! forwarded call may meet the target's own rules; a [`ForwardingPath`] per call follows
//! them without going in a circle and at most [`MAX_FORWARDING_HOPS`] times. The voicemail
//! box ends the path: a call there goes nowhere else.

use crate::Extension;
use std::fmt;
use std::ops::RangeInclusive;
use std::time::Duration;

/// Seconds of ringing before the no-answer rule forwards: at least 5 (a phone needs a
/// moment to be picked up), at most 120 (callers give up long before).
pub const NO_ANSWER_SECS: RangeInclusive<u32> = 5..=120;

/// Seconds of ringing when nobody chose otherwise (about four rings).
pub const DEFAULT_NO_ANSWER_SECS: u32 = 20;

/// How often one call may be forwarded, following the targets' own rules: enough for a
/// deputy's deputy, and a circle (A to B, B to A) ends instead of ringing forever.
pub const MAX_FORWARDING_HOPS: usize = 3;

/// The three kinds of rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RuleKind {
    /// Every call, without ringing the person.
    Always,
    /// When the person is in a call or every device answers busy.
    Busy,
    /// When nobody answers within the person's seconds.
    NoAnswer,
}

impl RuleKind {
    /// Every kind, in the order forms and errors list them.
    pub const ALL: [RuleKind; 3] = [RuleKind::Always, RuleKind::Busy, RuleKind::NoAnswer];

    /// The name in the API and the database: `always`, `busy`, `no_answer`.
    pub fn name(self) -> &'static str {
        match self {
            RuleKind::Always => "always",
            RuleKind::Busy => "busy",
            RuleKind::NoAnswer => "no_answer",
        }
    }

    /// The kind with this name.
    pub fn parse(name: &str) -> Option<RuleKind> {
        RuleKind::ALL.into_iter().find(|k| k.name() == name)
    }
}

impl fmt::Display for RuleKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The target that names the person's own voicemail box instead of an extension, in the
/// API and in forms.
pub const VOICEMAIL: &str = "voicemail";

/// Where a rule sends calls.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Destination {
    /// Another person's extension: their devices ring (and their own rules apply).
    Extension(Extension),
    /// The person's own voicemail box: it answers, and the call goes nowhere else.
    Voicemail,
}

impl Destination {
    /// The extension, or [`VOICEMAIL`].
    pub fn as_str(&self) -> &str {
        match self {
            Destination::Extension(e) => e.as_str(),
            Destination::Voicemail => VOICEMAIL,
        }
    }

    /// The extension, when the destination is one.
    pub fn extension(&self) -> Option<&Extension> {
        match self {
            Destination::Extension(e) => Some(e),
            Destination::Voicemail => None,
        }
    }
}

impl fmt::Display for Destination {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One validated rule. A rule that is on always has a target.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rule {
    on: bool,
    target: Option<Destination>,
}

impl Rule {
    /// Whether the rule is switched on.
    pub fn is_on(&self) -> bool {
        self.on
    }

    /// Where the rule sends calls, also while it is off.
    pub fn destination(&self) -> Option<&Destination> {
        self.target.as_ref()
    }

    /// The target extension, also while the rule is off; `None` for none and for the
    /// voicemail box.
    pub fn target(&self) -> Option<&Extension> {
        self.target.as_ref().and_then(Destination::extension)
    }

    /// Where the rule sends calls, only while it is on.
    pub fn active_target(&self) -> Option<&Destination> {
        self.target.as_ref().filter(|_| self.on)
    }
}

/// A person's forwarding rules, valid by construction: a rule that is on has a target
/// (an extension or the voicemail box), no target is the person's own extension, and the seconds are within [`NO_ANSWER_SECS`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForwardingRules {
    always: Rule,
    busy: Rule,
    no_answer: Rule,
    no_answer_secs: u32,
}

impl Default for ForwardingRules {
    /// Everything off, no targets, [`DEFAULT_NO_ANSWER_SECS`].
    fn default() -> Self {
        ForwardingRules {
            always: Rule::default(),
            busy: Rule::default(),
            no_answer: Rule::default(),
            no_answer_secs: DEFAULT_NO_ANSWER_SECS,
        }
    }
}

/// One rule as asked for: raw text from a form, the API or the database.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RuleRequest<'a> {
    /// Switched on.
    pub on: bool,
    /// The target extension, or [`VOICEMAIL`]; `None` or blank for none.
    pub target: Option<&'a str>,
}

/// All rules as asked for, before validation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RulesRequest<'a> {
    /// Forward every call.
    pub always: RuleRequest<'a>,
    /// Forward when busy.
    pub busy: RuleRequest<'a>,
    /// Forward when nobody answers in time.
    pub no_answer: RuleRequest<'a>,
    /// Seconds of ringing before the no-answer rule forwards (wide, so that any number a
    /// client sends gets a precise error rather than an overflow).
    pub no_answer_secs: i64,
}

impl Default for RulesRequest<'_> {
    fn default() -> Self {
        RulesRequest {
            always: RuleRequest::default(),
            busy: RuleRequest::default(),
            no_answer: RuleRequest::default(),
            no_answer_secs: i64::from(DEFAULT_NO_ANSWER_SECS),
        }
    }
}

impl<'a> RulesRequest<'a> {
    /// The request of one kind.
    pub fn rule(&self, kind: RuleKind) -> RuleRequest<'a> {
        match kind {
            RuleKind::Always => self.always,
            RuleKind::Busy => self.busy,
            RuleKind::NoAnswer => self.no_answer,
        }
    }

    /// The well-formed target extensions asked for (no duplicates), to look up in the
    /// directory before [`ForwardingRules::validate`]. Malformed ones are left to it; the
    /// voicemail box is nobody to look up.
    pub fn targets(&self) -> Vec<Extension> {
        let mut out: Vec<Extension> = Vec::new();
        for kind in RuleKind::ALL {
            if let Some(Ok(ext)) = given(self.rule(kind).target).map(Extension::parse) {
                if !out.contains(&ext) {
                    out.push(ext);
                }
            }
        }
        out
    }
}

/// A target that is given (not absent, not blank).
fn given(target: Option<&str>) -> Option<&str> {
    target.filter(|t| !t.trim().is_empty())
}

/// Why rules were refused; the first problem found, in the order always, busy, no answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ForwardingError {
    /// The target is neither 2–15 digits nor [`VOICEMAIL`].
    #[error("{rule} forwarding: {raw:?} is not an extension (2–15 digits) nor \"voicemail\"")]
    TargetNotAnExtension {
        /// Which rule.
        rule: RuleKind,
        /// What was given.
        raw: String,
    },
    /// The rule is on but has no target.
    #[error("{rule} forwarding is switched on but has no target (an extension or voicemail)")]
    TargetMissing {
        /// Which rule.
        rule: RuleKind,
    },
    /// The target is the person's own extension: the call would come straight back.
    #[error("{rule} forwarding: {extension} is the person's own extension")]
    TargetIsOwn {
        /// Which rule.
        rule: RuleKind,
        /// The extension.
        extension: Extension,
    },
    /// Nobody in the directory has the target extension.
    #[error("{rule} forwarding: nobody in the directory has extension {extension}")]
    TargetUnknown {
        /// Which rule.
        rule: RuleKind,
        /// The extension.
        extension: Extension,
    },
    /// The seconds of ringing are outside [`NO_ANSWER_SECS`].
    #[error("no_answer forwarding: {seconds} seconds is outside 5–120")]
    SecondsOutOfRange {
        /// What was given.
        seconds: i64,
    },
}

impl ForwardingError {
    /// The rule the problem is in.
    pub fn rule(&self) -> RuleKind {
        match self {
            ForwardingError::TargetNotAnExtension { rule, .. }
            | ForwardingError::TargetMissing { rule }
            | ForwardingError::TargetIsOwn { rule, .. }
            | ForwardingError::TargetUnknown { rule, .. } => *rule,
            ForwardingError::SecondsOutOfRange { .. } => RuleKind::NoAnswer,
        }
    }
}

impl ForwardingRules {
    /// Checks what was asked for. `own` is the person's extension; `exists` says whether
    /// someone in the directory has an extension. Every target given is checked, also that
    /// of a rule switched off (it is kept for later). [`VOICEMAIL`] (in any case) is the
    /// person's own box.
    pub fn validate(
        request: &RulesRequest<'_>,
        own: &Extension,
        exists: impl Fn(&Extension) -> bool,
    ) -> Result<ForwardingRules, ForwardingError> {
        let rule = |kind: RuleKind| -> Result<Rule, ForwardingError> {
            let asked = request.rule(kind);
            let target = match given(asked.target) {
                None => None,
                Some(raw) if raw.trim().eq_ignore_ascii_case(VOICEMAIL) => {
                    Some(Destination::Voicemail)
                }
                Some(raw) => {
                    let ext = Extension::parse(raw).map_err(|_| {
                        ForwardingError::TargetNotAnExtension {
                            rule: kind,
                            raw: raw.to_string(),
                        }
                    })?;
                    if &ext == own {
                        return Err(ForwardingError::TargetIsOwn {
                            rule: kind,
                            extension: ext,
                        });
                    }
                    if !exists(&ext) {
                        return Err(ForwardingError::TargetUnknown {
                            rule: kind,
                            extension: ext,
                        });
                    }
                    Some(Destination::Extension(ext))
                }
            };
            if asked.on && target.is_none() {
                return Err(ForwardingError::TargetMissing { rule: kind });
            }
            Ok(Rule {
                on: asked.on,
                target,
            })
        };
        let always = rule(RuleKind::Always)?;
        let busy = rule(RuleKind::Busy)?;
        let no_answer = rule(RuleKind::NoAnswer)?;
        let no_answer_secs = u32::try_from(request.no_answer_secs)
            .ok()
            .filter(|s| NO_ANSWER_SECS.contains(s))
            .ok_or(ForwardingError::SecondsOutOfRange {
                seconds: request.no_answer_secs,
            })?;
        Ok(ForwardingRules {
            always,
            busy,
            no_answer,
            no_answer_secs,
        })
    }

    /// The rule of one kind.
    pub fn rule(&self, kind: RuleKind) -> &Rule {
        match kind {
            RuleKind::Always => &self.always,
            RuleKind::Busy => &self.busy,
            RuleKind::NoAnswer => &self.no_answer,
        }
    }

    /// Seconds of ringing before the no-answer rule forwards (kept while it is off).
    pub fn no_answer_secs(&self) -> u32 {
        self.no_answer_secs
    }

    /// How long the devices ring before the call is forwarded; `None` while the no-answer
    /// rule is off (the call then rings until the caller gives up).
    pub fn no_answer_after(&self) -> Option<Duration> {
        self.no_answer
            .is_on()
            .then(|| Duration::from_secs(u64::from(self.no_answer_secs)))
    }

    /// Whether any rule is on.
    pub fn any_on(&self) -> bool {
        RuleKind::ALL.into_iter().any(|k| self.rule(k).is_on())
    }

    /// The request these rules answer (for storing them, or editing them again).
    pub fn as_request(&self) -> RulesRequest<'_> {
        fn rule(r: &Rule) -> RuleRequest<'_> {
            RuleRequest {
                on: r.on,
                target: r.target.as_ref().map(Destination::as_str),
            }
        }
        RulesRequest {
            always: rule(&self.always),
            busy: rule(&self.busy),
            no_answer: rule(&self.no_answer),
            no_answer_secs: i64::from(self.no_answer_secs),
        }
    }
}

impl fmt::Display for ForwardingRules {
    /// A one-line summary for the audit log: `always off; busy on → 2502; no_answer on →
    /// 2301 after 20 s`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, kind) in RuleKind::ALL.into_iter().enumerate() {
            let rule = self.rule(kind);
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{kind} {}", if rule.on { "on" } else { "off" })?;
            if let Some(target) = &rule.target {
                write!(f, " → {target}")?;
            }
            if kind == RuleKind::NoAnswer {
                write!(f, " after {} s", self.no_answer_secs)?;
            }
        }
        Ok(())
    }
}

/// What happened to a call, as the proxy sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Situation {
    /// The call has just arrived; nothing rings yet.
    Unconditional,
    /// The person is in a call, or every device answered busy.
    Busy,
    /// The devices rang for [`ForwardingRules::no_answer_after`] and nobody answered.
    NoAnswer,
}

/// Where a call goes in `situation`: the target of the matching rule while it is on, or
/// `None` when the call is handled as without forwarding (ring, `486`, keep ringing).
pub fn target_for(rules: &ForwardingRules, situation: Situation) -> Option<&Destination> {
    let kind = match situation {
        Situation::Unconditional => RuleKind::Always,
        Situation::Busy => RuleKind::Busy,
        Situation::NoAnswer => RuleKind::NoAnswer,
    };
    rules.rule(kind).active_target()
}

/// The extensions one call has been offered to, so forwarding never runs in a circle
/// (A to B, B to A) and stops after [`MAX_FORWARDING_HOPS`]; once a rule sent it to the
/// voicemail box (of the extension it is at) it goes nowhere else. The proxy keeps one
/// per call.
///
/// ```
/// use directory::forwarding::{
///     Destination, ForwardingPath, ForwardingRules, RuleRequest, RulesRequest, Situation,
/// };
/// use directory::Extension;
///
/// let ext = |e: &str| Extension::parse(e).unwrap();
/// let always_to = |own: &str, target| {
///     let request = RulesRequest {
///         always: RuleRequest { on: true, target: Some(target) },
///         ..RulesRequest::default()
///     };
///     ForwardingRules::validate(&request, &ext(own), |_| true).unwrap()
/// };
/// let mut path = ForwardingPath::new(ext("2501"));
/// let next = path.forward(&always_to("2501", "2502"), Situation::Unconditional);
/// assert_eq!(next, Some(Destination::Extension(ext("2502"))));
/// // 2502 forwards back to 2501: the call stays with 2502 instead of going round.
/// assert_eq!(path.forward(&always_to("2502", "2501"), Situation::Unconditional), None);
/// // 2502's box: the call ends there.
/// let next = path.forward(&always_to("2502", "voicemail"), Situation::Unconditional);
/// assert_eq!(next, Some(Destination::Voicemail));
/// assert!(path.at_voicemail() && path.current() == &ext("2502"));
/// assert_eq!(path.forward(&always_to("2502", "2503"), Situation::Unconditional), None);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForwardingPath {
    current: Extension,
    earlier: Vec<Extension>,
    voicemail: bool,
}

impl ForwardingPath {
    /// A call to the extension that was dialled.
    pub fn new(dialled: Extension) -> Self {
        ForwardingPath {
            current: dialled,
            earlier: Vec::new(),
            voicemail: false,
        }
    }

    /// Where the call goes next, given the rules of the extension it is at now: the rule's
    /// target (an extension is recorded as the new current one; the voicemail box is the
    /// current extension's), or `None` when the rule is off, the target was offered the
    /// call before, the call was forwarded often enough or is at the voicemail box
    /// already. The box is no hop: it cannot lead round in a circle.
    pub fn forward(
        &mut self,
        rules: &ForwardingRules,
        situation: Situation,
    ) -> Option<Destination> {
        if self.voicemail {
            return None;
        }
        let target = match target_for(rules, situation)? {
            Destination::Voicemail => {
                self.voicemail = true;
                return Some(Destination::Voicemail);
            }
            Destination::Extension(target) => target,
        };
        if self.hops() >= MAX_FORWARDING_HOPS
            || self.current == *target
            || self.earlier.contains(target)
        {
            return None;
        }
        let before = std::mem::replace(&mut self.current, target.clone());
        self.earlier.push(before);
        Some(Destination::Extension(target.clone()))
    }

    /// The extension the call is at now (whose box it is, once at the voicemail box).
    pub fn current(&self) -> &Extension {
        &self.current
    }

    /// Whether a rule sent the call to the current extension's voicemail box.
    pub fn at_voicemail(&self) -> bool {
        self.voicemail
    }

    /// How often the call was forwarded.
    pub fn hops(&self) -> usize {
        self.earlier.len()
    }
}

#[cfg(test)]
mod tests;
