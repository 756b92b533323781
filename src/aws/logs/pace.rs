//! How often a follow polls ([`Pacer`]) and how it drops the events that
//! overlapping windows return twice ([`Dedup`]).
//!
//! Each poll asks from the newest timestamp seen minus a margin (events reach
//! CloudWatch late, by seconds, so a window that started exactly at the newest
//! one would miss them) and drops events it has already yielded. Memory stays
//! flat: only keys within the margin of the newest event are kept. The interval
//! tightens while events flow (never more than [`Pace::flowing_max`] behind),
//! backs off while nothing happens, and backs off further while throttled.

use std::collections::HashMap;
use std::hash::Hash;
use std::time::Duration;

/// Poll intervals of a follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pace {
    /// The shortest interval.
    pub min: Duration,
    /// While events flow the interval is at most this: a follow is never further behind.
    pub flowing_max: Duration,
    /// While nothing happens the interval grows to this.
    pub idle_max: Duration,
    /// While throttled the interval grows to this.
    pub throttled_max: Duration,
}

impl Default for Pace {
    fn default() -> Self {
        Pace {
            min: Duration::from_millis(250),
            flowing_max: Duration::from_secs(1),
            idle_max: Duration::from_secs(5),
            throttled_max: Duration::from_secs(30),
        }
    }
}

/// The interval before the next poll: halves (to at most `flowing_max`) after a
/// poll that found events, grows by half after one that found none, doubles
/// (from at least `flowing_max`) after throttling.
#[derive(Debug, Clone)]
pub struct Pacer {
    pace: Pace,
    current: Duration,
}

impl Pacer {
    pub fn new(pace: Pace) -> Self {
        Pacer {
            current: pace.flowing_max,
            pace,
        }
    }

    pub fn interval(&self) -> Duration {
        self.current
    }

    pub fn flowing(&mut self) {
        self.current = (self.current / 2).clamp(self.pace.min, self.pace.flowing_max);
    }

    pub fn idle(&mut self) {
        self.current = self
            .current
            .mul_f64(1.5)
            .clamp(self.pace.min, self.pace.idle_max.max(self.pace.min));
    }

    pub fn throttled(&mut self) {
        self.current = (self.current.max(self.pace.flowing_max) * 2)
            .min(self.pace.throttled_max.max(self.pace.flowing_max));
    }
}

/// Keys of events already yielded whose timestamps lie within `margin` of the
/// newest one; older keys are forgotten, so memory follows the event rate, not
/// the total. A window that starts at [`Dedup::window_start`] returns none of
/// the forgotten events again.
#[derive(Debug, Clone)]
pub struct Dedup<K> {
    margin_ms: i64,
    /// The newest timestamp yielded (or the start, before any).
    newest_ms: i64,
    seen: HashMap<K, i64>,
}

impl<K: Hash + Eq + Clone> Dedup<K> {
    pub fn new(start_ms: i64, margin: Duration) -> Self {
        Dedup {
            margin_ms: margin.as_millis().try_into().unwrap_or(i64::MAX),
            newest_ms: start_ms,
            seen: HashMap::new(),
        }
    }

    /// True the first time `key` is offered.
    pub fn admit(&mut self, key: K, timestamp_ms: i64) -> bool {
        if self.seen.contains_key(&key) {
            return false;
        }
        self.seen.insert(key, timestamp_ms);
        self.newest_ms = self.newest_ms.max(timestamp_ms);
        true
    }

    /// Where the next window starts: the newest timestamp less the margin
    /// (never before the original start).
    pub fn window_start(&self, start_ms: i64) -> i64 {
        (self.newest_ms - self.margin_ms).max(start_ms)
    }

    /// Forget keys older than the window.
    pub fn prune(&mut self) {
        let oldest = self.newest_ms - self.margin_ms;
        self.seen.retain(|_, ts| *ts >= oldest);
    }

    pub fn len(&self) -> usize {
        self.seen.len()
    }

    pub fn is_empty(&self) -> bool {
        self.seen.is_empty()
    }
}

#[cfg(test)]
mod tests {

    use super::*;

    #[test]
    fn dedup_across_overlapping_windows_and_memory_stays_bounded() {
        let mut dedup = Dedup::new(1_000, Duration::from_millis(100));
        assert_eq!(dedup.window_start(1_000), 1_000, "never before the start");
        assert!(dedup.admit("1".to_string(), 1_050));
        assert!(dedup.admit("2".to_string(), 1_200));
        assert!(!dedup.admit("2".to_string(), 1_200), "a repeat is dropped");
        // The next window reaches back a margin before the newest event…
        assert_eq!(dedup.window_start(1_000), 1_100);
        dedup.prune();
        // …so only keys inside it need remembering.
        assert_eq!(dedup.len(), 1);
        // Same timestamp, other event: both are shown.
        assert!(dedup.admit("3".to_string(), 1_200));
        // A late event inside the window is still shown once.
        assert!(dedup.admit("4".to_string(), 1_150));
        assert!(!dedup.admit("4".to_string(), 1_150));
        for i in 0..10_000 {
            dedup.admit(format!("n{i}"), 2_000 + i);
            dedup.prune();
        }
        assert!(dedup.len() <= 101, "{} keys kept", dedup.len());
    }

    #[test]
    fn interval_tightens_while_events_flow_and_backs_off_when_idle() {
        let pace = Pace::default();
        let mut pacer = Pacer::new(pace);
        assert_eq!(pacer.interval(), Duration::from_secs(1));
        for _ in 0..10 {
            pacer.idle();
        }
        assert_eq!(pacer.interval(), pace.idle_max);
        // Events again: never more than a second behind from the next poll on.
        pacer.flowing();
        assert!(pacer.interval() <= Duration::from_secs(1));
        pacer.flowing();
        pacer.flowing();
        assert_eq!(pacer.interval(), pace.min.max(Duration::from_millis(250)));
        pacer.idle();
        assert_eq!(pacer.interval(), Duration::from_millis(375));
        let mut previous = pacer.interval();
        for _ in 0..10 {
            pacer.throttled();
            assert!(pacer.interval() >= previous);
            previous = pacer.interval();
        }
        assert_eq!(pacer.interval(), pace.throttled_max);
        pacer.flowing();
        assert!(pacer.interval() <= Duration::from_secs(1));
    }
}
