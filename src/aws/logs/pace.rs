//! How often a follow polls ([`Pacer`]) and how it drops the events that
//! overlapping windows return twice ([`Dedup`]).
//!
//! Each poll asks from the newest timestamp seen minus a margin (events reach
//! CloudWatch late, by seconds, so a window that started exactly at the newest
//! one would miss them) and drops events it has already yielded. Memory stays
//! flat: only keys within the margin of the newest event are kept. The interval
//! tightens while events flow (never more than [`Pace::flowing_max`] behind),
//! backs off while nothing happens (to [`Pace::idle_max`] for the first
//! [`Pace::quiet_after`], so the first event after a pause is shown within a
//! second; then on to [`Pace::quiet_max`]), and backs off further while throttled.

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
    /// While nothing happened for less than `quiet_after` the interval grows
    /// to this, no further: the first event after a pause waits at most this
    /// long for the poll that finds it.
    pub idle_max: Duration,
    /// After this long without events the follow counts as quiet…
    pub quiet_after: Duration,
    /// …and its interval grows on to this.
    pub quiet_max: Duration,
    /// While throttled the interval grows to this.
    pub throttled_max: Duration,
}

impl Default for Pace {
    /// `FilterLogEvents` allows 5 (newer accounts 10) calls per second per
    /// account and region. An idle follow polls at most every 0.85 s for its
    /// first 30 s without events, then backs off to every 5 s: against the
    /// back-off straight to 5 s it had before, that is under one call per
    /// second more, for half a minute after each burst of events, and the
    /// first event after a short pause shows within 0.85 s (plus one call)
    /// instead of up to 1.9 s. See `BENCHMARKS.md`, "Logs: the first events
    /// after a pause".
    fn default() -> Self {
        Pace {
            min: Duration::from_millis(250),
            flowing_max: Duration::from_secs(1),
            idle_max: Duration::from_millis(850),
            quiet_after: Duration::from_secs(30),
            quiet_max: Duration::from_secs(5),
            throttled_max: Duration::from_secs(30),
        }
    }
}

/// The interval before the next poll: halves (to at most `flowing_max`) after a
/// poll that found events, grows by half after one that found none (to at most
/// `idle_max`, or `quiet_max` once nothing has come for `quiet_after`), doubles
/// (from at least `flowing_max`) after throttling.
#[derive(Debug, Clone)]
pub struct Pacer {
    pace: Pace,
    current: Duration,
    /// The intervals waited since the last poll that found events (or since
    /// the start): how long the follow has seen nothing.
    idle_for: Duration,
}

impl Pacer {
    pub fn new(pace: Pace) -> Self {
        Pacer {
            current: pace.flowing_max,
            pace,
            idle_for: Duration::ZERO,
        }
    }

    pub fn interval(&self) -> Duration {
        self.current
    }

    pub fn flowing(&mut self) {
        self.idle_for = Duration::ZERO;
        self.current = (self.current / 2).clamp(self.pace.min, self.pace.flowing_max);
    }

    pub fn idle(&mut self) {
        self.idle_for = self.idle_for.saturating_add(self.current);
        let max = if self.idle_for < self.pace.quiet_after {
            self.pace.idle_max
        } else {
            self.pace.quiet_max
        };
        self.current = self
            .current
            .mul_f64(1.5)
            .clamp(self.pace.min, max.max(self.pace.min));
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

    /// The times (ms after the last poll that found events) of the polls of a
    /// follow that saw events flow and then sees none for `for_ms`.
    fn polls_after_events(pace: Pace, for_ms: u128) -> Vec<u128> {
        let mut pacer = Pacer::new(pace);
        for _ in 0..4 {
            pacer.flowing();
        }
        let mut at = 0;
        let mut polls = Vec::new();
        loop {
            pacer.idle();
            at += pacer.interval().as_millis();
            if at > for_ms {
                return polls;
            }
            polls.push(at);
        }
    }

    /// Guards issue 25 item 4: the poll schedule of `mcp logs -f` after the
    /// events stop. The first event after a pause of a few seconds waits at
    /// most `idle_max` (0.85 s) for its poll (it waited up to 1.9 s after 2 s
    /// of quiet); that costs at most one `FilterLogEvents` call per second more
    /// than the schedule before (straight back-off to 5 s), and only for the
    /// first 30 s of quiet: after that the follow backs off to 5 s as before.
    #[test]
    fn after_a_pause_the_next_poll_is_near_and_calls_stay_within_one_more_per_second() {
        let pace = Pace::default();
        let before = Pace {
            idle_max: Duration::from_secs(5),
            quiet_after: Duration::ZERO,
            ..pace
        };
        let now = polls_after_events(pace, 120_000);
        let then = polls_after_events(before, 120_000);
        assert_eq!(
            now[..8],
            [375, 937, 1780, 2630, 3480, 4330, 5180, 6030],
            "{now:?}"
        );
        assert_eq!(then[..6], [375, 937, 1780, 3045, 4943, 7790], "{then:?}");
        // No poll of the first 30 s of quiet comes more than 0.85 s after the one before…
        let gaps = |polls: &[u128]| -> Vec<(u128, u128)> {
            polls.windows(2).map(|w| (w[1], w[1] - w[0])).collect()
        };
        for (at, gap) in gaps(&now) {
            if at <= 30_000 {
                assert!(gap <= 850, "{gap} ms before {at} ms: {now:?}");
            }
        }
        // …where it came 1.27 s later after 2 s of quiet.
        assert!(
            gaps(&then)
                .iter()
                .any(|&(at, gap)| at > 2_000 && at < 3_500 && gap > 1_200)
        );
        // After that it backs off as before: every 5 s from a minute of quiet on.
        for (at, gap) in gaps(&now) {
            if at > 60_000 {
                assert_eq!(gap, 5_000, "{now:?}");
            }
        }
        // At most one call per second more, over any 10 s, and over the two minutes.
        let in_window = |polls: &[u128], from: u128| {
            polls
                .iter()
                .filter(|&&t| t >= from && t < from + 10_000)
                .count()
        };
        for from in (0..110_000).step_by(50) {
            let (n, t) = (in_window(&now, from), in_window(&then, from));
            assert!(n <= t + 10, "{n} calls against {t} from {from} ms");
        }
        assert!(
            now.len() <= then.len() + 120,
            "{} against {}",
            now.len(),
            then.len()
        );
        assert!(
            now.len() > then.len() + 20,
            "{} against {}",
            now.len(),
            then.len()
        );
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
