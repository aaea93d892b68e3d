//! Address arithmetic: usable addresses, the prefix a demand needs, aligned packing.

use akswin_spec::types::Cidr;
use ipnet::Ipv4Net;
use std::net::Ipv4Addr;

/// Addresses Azure reserves in every subnet: network, gateway, two DNS, broadcast (facts §1.5).
pub const AZURE_RESERVED: u64 = 5;
/// Smallest Azure subnet.
pub const SMALLEST_PREFIX: u8 = 29;
/// Auto-sized node subnets keep at least this share free at max + surge (NET004's threshold).
pub const HEADROOM_PERCENT: u64 = 20;

/// Usable addresses of a subnet of prefix length `len`.
pub fn usable(len: u8) -> u64 {
    (1u64 << (32 - u32::from(len))).saturating_sub(AZURE_RESERVED)
}

/// The longest prefix (smallest subnet, not smaller than /29) whose usable addresses hold
/// `demand`; None when even a /0 cannot.
pub fn prefix_for(demand: u64) -> Option<u8> {
    (0..=SMALLEST_PREFIX)
        .rev()
        .find(|&len| usable(len) >= demand)
}

/// Like [`prefix_for`], but keeping [`HEADROOM_PERCENT`] of the usable addresses free.
pub fn prefix_with_headroom(demand: u64) -> Option<u8> {
    // usable * (100 - h) / 100 >= demand  <=>  usable >= ceil(demand * 100 / (100 - h))
    let need = (demand * 100).div_ceil(100 - HEADROOM_PERCENT);
    prefix_for(need)
}

/// Inclusive address interval.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Interval {
    pub start: u32,
    pub end: u32,
}

impl Interval {
    pub fn of(c: &Cidr) -> Interval {
        Interval {
            start: u32::from(c.first()),
            end: u32::from(c.last()),
        }
    }
    pub fn len(&self) -> u64 {
        u64::from(self.end - self.start) + 1
    }
    pub fn is_empty(&self) -> bool {
        false
    }
}

/// A set of taken intervals, kept sorted and merged.
#[derive(Debug, Clone, Default)]
pub struct Taken {
    items: Vec<Interval>,
}

impl Taken {
    pub fn add(&mut self, iv: Interval) {
        let pos = self.items.partition_point(|x| x.start < iv.start);
        self.items.insert(pos, iv);
        // merge neighbours
        let mut merged: Vec<Interval> = Vec::with_capacity(self.items.len());
        for x in self.items.drain(..) {
            match merged.last_mut() {
                Some(last) if u64::from(x.start) <= u64::from(last.end) + 1 => {
                    last.end = last.end.max(x.end);
                }
                _ => merged.push(x),
            }
        }
        self.items = merged;
    }

    /// The first taken interval that intersects `iv`.
    pub fn first_overlap(&self, iv: Interval) -> Option<Interval> {
        let pos = self.items.partition_point(|x| x.end < iv.start);
        self.items.get(pos).copied().filter(|x| x.start <= iv.end)
    }

    /// Free addresses inside `within`.
    pub fn free_in(&self, within: Interval) -> u64 {
        let taken: u64 = self
            .items
            .iter()
            .filter_map(|x| {
                let s = x.start.max(within.start);
                let e = x.end.min(within.end);
                (s <= e).then(|| u64::from(e - s) + 1)
            })
            .sum();
        within.len() - taken
    }

    /// The lowest aligned free block of prefix length `len` inside `within`.
    pub fn find_block(&self, within: Interval, len: u8) -> Option<Cidr> {
        let size = 1u64 << (32 - u32::from(len));
        let mut pos = u64::from(within.start);
        let end = u64::from(within.end);
        loop {
            let cand = pos.div_ceil(size) * size;
            let last = cand + size - 1;
            if last > end {
                return None;
            }
            let iv = Interval {
                start: cand as u32,
                end: last as u32,
            };
            match self.first_overlap(iv) {
                None => {
                    let net = Ipv4Net::new(Ipv4Addr::from(iv.start), len).ok()?;
                    return Some(Cidr(net));
                }
                Some(o) => pos = u64::from(o.end) + 1,
            }
        }
    }

    /// The largest aligned free block inside `within` (its prefix length).
    pub fn largest_free_block(&self, within: Interval) -> Option<u8> {
        (0..=32u8).find(|&len| self.find_block(within, len).is_some())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(s: &str) -> Cidr {
        s.parse().unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn documented_examples() {
        // facts §1.3: a /24 has 251 usable addresses and holds 8 nodes at maxPods 30.
        assert_eq!(usable(24), 251);
        assert_eq!(usable(24) / 31, 8);
        // 50 nodes + 1 surge at maxPods 30: 51 + 51*30 = 1,581 addresses, a /21.
        assert_eq!(prefix_for(1581), Some(21));
        // + 10 scale: 61 * 31 = 1,891, still a /21.
        assert_eq!(prefix_for(1891), Some(21));
        assert_eq!(prefix_for(0), Some(29));
        assert_eq!(prefix_for(3), Some(29));
        assert_eq!(prefix_for(4), Some(28));
        // windows nodes at max 8 + 3 surge, maxPods 30: 341 -> /23 (with or without headroom)
        assert_eq!(prefix_for(341), Some(23));
        assert_eq!(prefix_with_headroom(341), Some(23));
        // 186 fits a /24 with 20 % headroom (233 <= 251); 217 does not (272 > 251).
        assert_eq!(prefix_with_headroom(186), Some(24));
        assert_eq!(prefix_with_headroom(217), Some(23));
    }

    #[test]
    fn packing_is_aligned_and_skips_taken() {
        let mut t = Taken::default();
        let space = Interval::of(&c("10.0.0.0/24"));
        t.add(Interval::of(&c("10.0.0.0/27")));
        assert_eq!(t.find_block(space, 26), Some(c("10.0.0.64/26")));
        assert_eq!(t.find_block(space, 27), Some(c("10.0.0.32/27")));
        t.add(Interval::of(&c("10.0.0.128/25")));
        assert_eq!(t.find_block(space, 25), None);
        assert_eq!(t.free_in(space), 96);
        assert_eq!(t.largest_free_block(space), Some(26));
    }
}
