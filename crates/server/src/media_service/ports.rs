//! The media port range: pairs of UDP ports (RTP on the even one, RTCP on the next),
//! handed out and taken back. A port that another program holds is skipped.

use std::collections::VecDeque;

/// Free port pairs of one media thread.
#[derive(Debug)]
pub struct Ports {
    free: VecDeque<u16>,
}

impl Ports {
    /// The even ports in `first..=last` whose index modulo `shards` is `shard` (each
    /// media thread gets its own share of the range).
    pub fn new(first: u16, last: u16, shard: usize, shards: usize) -> Ports {
        let start = first + first % 2;
        let free = (start..last)
            .step_by(2)
            .enumerate()
            .filter(|(i, _)| i % shards == shard)
            .map(|(_, p)| p)
            .collect();
        Ports { free }
    }

    /// The next free pair's RTP port (least recently used first).
    pub fn take(&mut self) -> Option<u16> {
        self.free.pop_front()
    }

    /// Gives a pair back.
    pub fn give(&mut self, port: u16) {
        self.free.push_back(port);
    }

    /// How many pairs are free.
    pub fn free(&self) -> usize {
        self.free.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_share_the_range_without_overlap() {
        let mut a = Ports::new(40_001, 40_020, 0, 2);
        let mut b = Ports::new(40_001, 40_020, 1, 2);
        assert_eq!(a.free() + b.free(), 9);
        let (pa, pb) = (a.take().unwrap(), b.take().unwrap());
        assert_eq!((pa, pb), (40_002, 40_004));
        a.give(pa);
        assert_eq!(a.free(), 5);
    }
}
