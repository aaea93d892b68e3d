//! The hot-spare plan: the article's manual alternative to waiting for the autoscaler. From a
//! baseline load test the operator knows the Windows node count at peak and off peak; the pool
//! is scaled up `leadMinutes` before each peak and back down when it ends (the rendered
//! `hot-spare.yml` does it). This model counts the nodes over one week and the node-hours the
//! plan adds, in each peak's own time zone, so daylight saving is accounted for in the week
//! that is simulated.

use akswin_spec::spec::{HotSpare, Weekday};
use akswin_spec::types::TimeZone as Zone;
use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, TimeZone, Timelike};
use serde::Serialize;

/// Minutes in a week.
const WEEK: i64 = 7 * 1440;

/// One scale action of the plan, in the peak's local time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ScaleAction {
    pub days: Vec<Weekday>,
    /// `HH:MM` local time.
    pub at: String,
    pub timezone: String,
    pub nodes: u32,
    pub action: &'static str,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HotSparePlan {
    pub pool: String,
    pub off_peak_nodes: u32,
    pub peak_nodes: u32,
    /// The simulated week: Monday 00:00 UTC of this date's week, for 7 days.
    pub week_start_utc: NaiveDate,
    /// Node count at the start of each UTC hour of the week (168 values; the hour's maximum).
    pub hourly_nodes: Vec<u32>,
    pub node_hours_per_week: f64,
    /// Node-hours above running `offPeakNodes` all week.
    pub added_node_hours_per_week: f64,
    /// The added node-hours over an average month (a week x 365.25 / 12 / 7).
    pub added_node_hours_per_month: f64,
    pub schedule: Vec<ScaleAction>,
}

fn day_index(d: Weekday) -> i64 {
    i64::from(d.to_chrono().num_days_from_monday())
}

/// Whether local week-minute `w` (Monday 00:00 = 0) falls in a peak, lead included. A peak whose
/// end is not after its start runs past midnight.
fn in_peak(w: i64, days: &[Weekday], from: i64, to: i64, lead: i64) -> bool {
    let len = if to > from {
        to - from
    } else {
        to + 1440 - from
    } + lead;
    days.iter().any(|d| {
        let start = day_index(*d) * 1440 + from - lead;
        (w - start).rem_euclid(WEEK) < len
    })
}

fn hhmm(m: i64) -> String {
    let m = m.rem_euclid(1440);
    format!("{:02}:{:02}", m / 60, m % 60)
}

/// The plan for the week (Monday 00:00 UTC) that contains `day`.
pub fn plan(hs: &HotSpare, day: NaiveDate) -> HotSparePlan {
    let monday = day - Duration::days(i64::from(day.weekday().num_days_from_monday()));
    let start = monday.and_hms_opt(0, 0, 0).unwrap_or(NaiveDateTime::MIN);
    let lead = i64::from(hs.lead_minutes);
    let zones: Vec<chrono_tz::Tz> = hs
        .peaks
        .iter()
        .map(|p| p.timezone.unwrap_or(Zone::UTC).tz())
        .collect();
    let mut minutes_nodes: u64 = 0;
    let mut hourly = vec![0u32; 168];
    for minute in 0..WEEK {
        let utc = start + Duration::minutes(minute);
        let peak = hs.peaks.iter().zip(&zones).any(|(p, tz)| {
            let local = tz.from_utc_datetime(&utc).naive_local();
            let w = i64::from(local.weekday().num_days_from_monday()) * 1440
                + i64::from(local.hour()) * 60
                + i64::from(local.minute());
            in_peak(
                w,
                &p.days,
                i64::from(p.from.minutes()),
                i64::from(p.to.minutes()),
                lead,
            )
        });
        let nodes = if peak {
            hs.peak_nodes.max(hs.off_peak_nodes)
        } else {
            hs.off_peak_nodes
        };
        minutes_nodes += u64::from(nodes);
        let h = usize::try_from(minute / 60).unwrap_or(0);
        if let Some(slot) = hourly.get_mut(h) {
            *slot = (*slot).max(nodes);
        }
    }
    let node_hours = minutes_nodes as f64 / 60.0;
    let base = f64::from(hs.off_peak_nodes) * 168.0;
    let added = node_hours - base;
    let mut schedule = Vec::new();
    for p in &hs.peaks {
        let tz = p.timezone.unwrap_or(Zone::UTC).to_string();
        let from = i64::from(p.from.minutes());
        let up_before_midnight = from - lead < 0;
        schedule.push(ScaleAction {
            days: if up_before_midnight {
                p.days.iter().map(|d| prev_day(*d)).collect()
            } else {
                p.days.clone()
            },
            at: hhmm(from - lead),
            timezone: tz.clone(),
            nodes: hs.peak_nodes,
            action: "scale-up",
        });
        let to = i64::from(p.to.minutes());
        schedule.push(ScaleAction {
            days: if to <= from {
                p.days.iter().map(|d| next_day(*d)).collect()
            } else {
                p.days.clone()
            },
            at: hhmm(to),
            timezone: tz,
            nodes: hs.off_peak_nodes,
            action: "scale-down",
        });
    }
    HotSparePlan {
        pool: hs.pool.clone(),
        off_peak_nodes: hs.off_peak_nodes,
        peak_nodes: hs.peak_nodes,
        week_start_utc: monday,
        hourly_nodes: hourly,
        node_hours_per_week: node_hours,
        added_node_hours_per_week: added,
        added_node_hours_per_month: added * 365.25 / 12.0 / 7.0,
        schedule,
    }
}

fn prev_day(d: Weekday) -> Weekday {
    Weekday::from_chrono(d.to_chrono().pred())
}

fn next_day(d: Weekday) -> Weekday {
    Weekday::from_chrono(d.to_chrono().succ())
}
