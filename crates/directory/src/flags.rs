//! Small sets of named flags (roles, feature switches), stored as one integer bit mask.

use crate::InvalidValue;
use std::fmt;
use std::marker::PhantomData;

/// A named flag with a fixed bit position. Bit positions are part of the database format
/// and must never be reused for another meaning.
pub trait Flag: Copy + Eq + 'static {
    /// Every flag, in display order.
    const ALL: &'static [Self];
    /// The name used in files, the CLI and the API.
    fn name(self) -> &'static str;
    /// The bit this flag occupies.
    fn bit(self) -> u32;
    /// The error for an unknown name.
    fn unknown(name: &str) -> InvalidValue;

    /// Looks a flag up by name, case-insensitively.
    fn parse(raw: &str) -> Result<Self, InvalidValue> {
        let wanted = raw.trim();
        Self::ALL
            .iter()
            .copied()
            .find(|f| f.name().eq_ignore_ascii_case(wanted))
            .ok_or_else(|| Self::unknown(wanted))
    }
}

/// A set of flags of one kind.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct FlagSet<F: Flag> {
    bits: i64,
    kind: PhantomData<F>,
}

impl<F: Flag> Default for FlagSet<F> {
    fn default() -> Self {
        Self::from_bits(0)
    }
}

impl<F: Flag> FlagSet<F> {
    /// The set stored as these bits; unknown bits are dropped.
    pub fn from_bits(bits: i64) -> Self {
        let known = F::ALL.iter().fold(0i64, |acc, f| acc | (1 << f.bit()));
        FlagSet {
            bits: bits & known,
            kind: PhantomData,
        }
    }

    /// The bits to store.
    pub fn bits(self) -> i64 {
        self.bits
    }

    /// The mask of one flag.
    pub fn mask(flag: F) -> i64 {
        1 << flag.bit()
    }

    /// Whether the flag is in the set.
    pub fn contains(self, flag: F) -> bool {
        self.bits & Self::mask(flag) != 0
    }

    /// The set with the flag added.
    pub fn with(self, flag: F) -> Self {
        Self::from_bits(self.bits | Self::mask(flag))
    }

    /// The set with the flag removed.
    pub fn without(self, flag: F) -> Self {
        Self::from_bits(self.bits & !Self::mask(flag))
    }

    /// Every flag of either set.
    pub fn union(self, other: Self) -> Self {
        Self::from_bits(self.bits | other.bits)
    }

    /// Whether no flag is set.
    pub fn is_empty(self) -> bool {
        self.bits == 0
    }

    /// The flags in the set, in display order.
    pub fn iter(self) -> impl Iterator<Item = F> {
        F::ALL.iter().copied().filter(move |f| self.contains(*f))
    }

    /// Parses a list like `softphone;hotline` split at any of `separators`.
    /// Empty items are ignored; the first unknown name is the error.
    pub fn parse_list(raw: &str, separators: &[char]) -> Result<Self, InvalidValue> {
        raw.split(separators)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .try_fold(Self::default(), |set, name| Ok(set.with(F::parse(name)?)))
    }

    /// Joins the names with `separator`.
    pub fn join(self, separator: &str) -> String {
        self.iter().map(F::name).collect::<Vec<_>>().join(separator)
    }
}

impl<F: Flag> FromIterator<F> for FlagSet<F> {
    fn from_iter<I: IntoIterator<Item = F>>(iter: I) -> Self {
        iter.into_iter().fold(Self::default(), Self::with)
    }
}

impl<F: Flag> fmt::Debug for FlagSet<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter().map(F::name)).finish()
    }
}
