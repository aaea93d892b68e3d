//! The Windows node image upgrade calendar: the next maintenance windows of
//! `upgrades.windowsNodeImage`, each placed relative to that month's Patch Tuesday (the second
//! Tuesday, when Windows security updates ship; AKS publishes node images some days later).
//!
//! [`window_runs_on`] is the reference rule for "does the window run on this local date"; the
//! rendered GitHub workflow's bash guard is tested against it for every day of 2026-2030.

use akswin_spec::spec::{DayOfWeek, MaintenanceWindow, WeekIndex};
use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, Weekday};
use serde::Serialize;

/// Days in a month of the proleptic Gregorian calendar.
pub fn days_in_month(y: i32, m: u32) -> u32 {
    let next = if m == 12 {
        NaiveDate::from_ymd_opt(y + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(y, m + 1, 1)
    };
    next.and_then(|n| n.pred_opt()).map_or(31, |d| d.day())
}

/// Monday = 1 ... Sunday = 7 (ISO, as `date +%u`).
pub fn iso(d: DayOfWeek) -> u32 {
    d.to_chrono().number_from_monday()
}

/// Whether the maintenance window's schedule runs on this local date (the reference rule).
/// `intervalMonths` / `intervalWeeks` above 1 count from the maintenance configuration's
/// start date, which the spec does not carry: every matching date is a candidate.
pub fn window_runs_on(w: &MaintenanceWindow, date: NaiveDate) -> bool {
    let dow = date.weekday().number_from_monday();
    let dom = date.day();
    let s = &w.schedule;
    if let Some(r) = &s.relative_monthly {
        if dow != iso(r.day_of_week) {
            return false;
        }
        return match r.week_index {
            WeekIndex::First => dom <= 7,
            WeekIndex::Second => (8..=14).contains(&dom),
            WeekIndex::Third => (15..=21).contains(&dom),
            WeekIndex::Fourth => (22..=28).contains(&dom),
            WeekIndex::Last => dom + 7 > days_in_month(date.year(), date.month()),
        };
    }
    if let Some(a) = &s.absolute_monthly {
        return dom == a.day_of_month.min(days_in_month(date.year(), date.month()));
    }
    if let Some(wk) = &s.weekly {
        return dow == iso(wk.day_of_week);
    }
    false
}

/// The second Tuesday of a month.
pub fn patch_tuesday(y: i32, m: u32) -> Option<NaiveDate> {
    NaiveDate::from_weekday_of_month_opt(y, m, Weekday::Tue, 2)
}

/// One maintenance window on the calendar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WindowOccurrence {
    /// Start in the window's own time (its `utcOffset`), ISO 8601 without offset.
    pub local_start: NaiveDateTime,
    /// The window's `utcOffset`, e.g. `-05:00`.
    pub utc_offset: String,
    pub utc_start: NaiveDateTime,
    pub utc_end: NaiveDateTime,
    /// The Patch Tuesday of the local start's month.
    pub patch_tuesday: NaiveDate,
    /// Local start date minus Patch Tuesday, in days (negative: before it).
    pub days_after_patch_tuesday: i64,
}

impl WindowOccurrence {
    /// Why this window may not bring the month's Windows fixes, if it may not.
    pub fn patch_note(&self) -> Option<&'static str> {
        match self.days_after_patch_tuesday {
            d if d < 0 => {
                Some("before Patch Tuesday: this month's security fixes are in no node image yet")
            }
            0..=6 => Some(
                "soon after Patch Tuesday: this month's Windows node image may not have reached the region; rollouts take up to ~2 weeks",
            ),
            _ => None,
        }
    }
}

/// The upgrade calendar: the next windows from `from` (a local date, inclusive), and the order
/// of work inside each window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Calendar {
    pub windows: Vec<WindowOccurrence>,
    /// Set when the schedule repeats every N > 1 months or weeks: the anchor is the
    /// maintenance configuration's start date, so the list shows every candidate.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interval_note: Option<String>,
}

/// The next `count` windows whose local date is on or after `from` (searches at most ten
/// years ahead; a schedule that never matches yields an empty list).
pub fn upcoming(w: &MaintenanceWindow, from: NaiveDate, count: usize) -> Calendar {
    let offset = Duration::minutes(i64::from(w.utc_offset.minutes));
    let start_time = NaiveTime::from_hms_opt(
        u32::from(w.start_time.hour),
        u32::from(w.start_time.minute),
        0,
    )
    .unwrap_or(NaiveTime::MIN);
    let mut windows = Vec::new();
    let mut d = from;
    for _ in 0..3660 {
        if windows.len() >= count {
            break;
        }
        if window_runs_on(w, d)
            && let Some(pt) = patch_tuesday(d.year(), d.month())
        {
            let local = d.and_time(start_time);
            let utc_start = local - offset;
            windows.push(WindowOccurrence {
                local_start: local,
                utc_offset: w.utc_offset.to_string(),
                utc_start,
                utc_end: utc_start + Duration::hours(i64::from(w.duration_hours)),
                patch_tuesday: pt,
                days_after_patch_tuesday: (d - pt).num_days(),
            });
        }
        match d.succ_opt() {
            Some(n) => d = n,
            None => break,
        }
    }
    let s = &w.schedule;
    let interval = s
        .relative_monthly
        .as_ref()
        .map(|r| (r.interval_months, "months"))
        .or_else(|| {
            s.absolute_monthly
                .as_ref()
                .map(|a| (a.interval_months, "months"))
        })
        .or_else(|| s.weekly.as_ref().map(|wk| (wk.interval_weeks, "weeks")));
    let interval_note = interval.filter(|(n, _)| *n > 1).map(|(n, unit)| {
        format!(
            "the window repeats every {n} {unit} from the maintenance configuration's start date, which the spec does not set: every candidate date is listed"
        )
    });
    Calendar {
        windows,
        interval_note,
    }
}
