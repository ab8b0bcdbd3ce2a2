//! Latency histogram in microseconds: exact below 1,024 µs, then 512 buckets per power of
//! two (at most 0.2 % too high). Workers send their histograms to the parent as the
//! non-empty buckets, so merging millions of samples costs kilobytes, not megabytes.

use serde::{Deserialize, Serialize};

const LINEAR: u64 = 1024;
const SUB_BITS: u32 = 9;
const SUB: u64 = 1 << SUB_BITS;

fn index(v: u64) -> usize {
    if v < LINEAR {
        return v as usize;
    }
    let shift = 63 - v.leading_zeros() - SUB_BITS; // ≥ 1 for v ≥ 1024
    let mantissa = v >> shift; // in [512, 1024)
    (LINEAR + u64::from(shift - 1) * SUB + (mantissa - SUB)) as usize
}

/// The smallest value that falls into bucket `i`.
fn lower(i: usize) -> u64 {
    let i = i as u64;
    if i < LINEAR {
        return i;
    }
    let k = i - LINEAR;
    (SUB + k % SUB) << (k / SUB + 1)
}

/// A latency histogram (values in µs).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "Wire", into = "Wire")]
pub struct Histogram {
    counts: Vec<u64>,
    total: u64,
    max: u64,
}

/// The compact form: `[bucket, count]` for every non-empty bucket.
#[derive(Serialize, Deserialize)]
struct Wire {
    buckets: Vec<(u32, u64)>,
    max: u64,
}

impl From<Wire> for Histogram {
    fn from(w: Wire) -> Self {
        let mut h = Histogram::default();
        for (i, n) in w.buckets {
            h.add_to_bucket(i as usize, n);
        }
        h.max = w.max;
        h
    }
}

impl From<Histogram> for Wire {
    fn from(h: Histogram) -> Self {
        let buckets = h
            .counts
            .iter()
            .enumerate()
            .filter(|(_, &n)| n > 0)
            .map(|(i, &n)| (i as u32, n))
            .collect();
        Wire {
            buckets,
            max: h.max,
        }
    }
}

impl Histogram {
    fn add_to_bucket(&mut self, i: usize, n: u64) {
        if self.counts.len() <= i {
            self.counts.resize(i + 1, 0);
        }
        self.counts[i] += n;
        self.total += n;
    }

    /// Records one value.
    pub fn record(&mut self, micros: u64) {
        self.add_to_bucket(index(micros), 1);
        self.max = self.max.max(micros);
    }

    /// Adds another histogram's values.
    pub fn merge(&mut self, other: &Histogram) {
        for (i, &n) in other.counts.iter().enumerate().filter(|(_, &n)| n > 0) {
            self.add_to_bucket(i, n);
        }
        self.max = self.max.max(other.max);
    }

    /// Number of values.
    pub fn count(&self) -> u64 {
        self.total
    }

    /// The largest value.
    pub fn max(&self) -> u64 {
        self.max
    }

    /// The value at quantile `q` (0..=1) by nearest rank: the upper end of the bucket
    /// holding the ⌈q·n⌉-th smallest value, never above the maximum. `None` when empty.
    pub fn quantile(&self, q: f64) -> Option<u64> {
        if self.total == 0 {
            return None;
        }
        let rank = ((q.clamp(0.0, 1.0) * self.total as f64).ceil() as u64).max(1);
        let mut seen = 0;
        for (i, &n) in self.counts.iter().enumerate() {
            seen += n;
            if seen >= rank {
                return Some((lower(i + 1) - 1).min(self.max));
            }
        }
        Some(self.max)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_are_contiguous_and_tight() {
        for v in [
            0, 1, 1023, 1024, 1025, 2047, 2048, 99_999, 150_000, 10_000_000,
        ] {
            let i = index(v);
            assert!(lower(i) <= v && v < lower(i + 1), "{v} in bucket {i}");
            let width = lower(i + 1) - lower(i);
            assert!(width as f64 <= 1.0 + v as f64 / 500.0, "{v}: width {width}");
        }
        for i in 1..26_000 {
            assert_eq!(index(lower(i)), i);
            assert_eq!(index(lower(i) - 1), i - 1);
        }
    }

    #[test]
    fn nearest_rank_percentiles() {
        let mut h = Histogram::default();
        assert_eq!(h.quantile(0.99), None);
        for v in 1..=1000 {
            h.record(v);
        }
        assert_eq!(h.quantile(0.5), Some(500));
        assert_eq!(h.quantile(0.99), Some(990));
        assert_eq!(h.quantile(1.0), Some(1000));
        assert_eq!(h.quantile(0.0), Some(1));
        // Large values: within 0.2 %, never above the maximum.
        let mut h = Histogram::default();
        for ms in 1..=100u64 {
            h.record(ms * 1000);
        }
        let p99 = h.quantile(0.99).unwrap();
        assert!((99_000..=99_000 + 99_000 / 500).contains(&p99), "{p99}");
        assert_eq!(h.quantile(1.0), Some(100_000));
    }

    #[test]
    fn merging_and_the_wire_form_keep_every_value() {
        let mut a = Histogram::default();
        let mut b = Histogram::default();
        (0..5000).for_each(|v| a.record(v * 7));
        (0..3000).for_each(|v| b.record(v * 13 + 1_000_000));
        let mut both = a.clone();
        both.merge(&b);
        assert_eq!(both.count(), 8000);
        assert_eq!(both.max(), 2999 * 13 + 1_000_000);
        let text = serde_json::to_string(&both).unwrap();
        let back: Histogram = serde_json::from_str(&text).unwrap();
        assert_eq!(back, both);
        assert!(text.len() < 80_000, "{}", text.len());
    }
}
