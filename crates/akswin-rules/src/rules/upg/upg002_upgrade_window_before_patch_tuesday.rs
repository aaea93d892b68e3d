use crate::{Ctx, Out, Rule, declare_rule};
use akswin_spec::spec::WeekIndex;

declare_rule! {
    /// ## What it checks
    /// The Windows node image maintenance window (`upgrades.windowsNodeImage`):
    /// - warning: a monthly schedule that can fall on or before Patch Tuesday (the second
    ///   Tuesday) in some month, judged over every possible month layout: e.g. `Second
    ///   Wednesday` is the 8th when a month starts on a Wednesday, before Patch Tuesday on the
    ///   14th; `dayOfMonth` 14 or earlier;
    /// - warning: an interval of more than one month (Windows images ship monthly);
    /// - error: a duration outside 4-24 hours (AKS rejects it; shorter than 4 h is also
    ///   against the guidance), or not exactly one schedule kind.
    ///
    /// ## Why it matters
    /// "The Windows Server operating system is patched on the second Tuesday of every month";
    /// a window before it applies last month's image again and leaves nodes unpatched for
    /// another month.
    ///
    /// ## How to fix
    /// `schedule: { relativeMonthly: { weekIndex: Third, dayOfWeek: Wednesday } }`,
    /// `durationHours: 6`.
    ///
    /// ## References
    /// - https://learn.microsoft.com/azure/aks/planned-maintenance
    /// - https://learn.microsoft.com/azure/aks/concepts-vulnerability-management (Patch Tuesday)
    /// - docs/sources.md#maintenance-windows-and-patch-tuesday
    pub struct Upg002 {
        code: "UPG002",
        name: "upgrade-window-before-patch-tuesday",
        severity: Warning,
        summary: "Windows node image window can precede Patch Tuesday, is too short, or is not monthly",
    }
}

/// Day of month of Patch Tuesday for a month whose first day has weekday `fw` (Mon = 0).
fn patch_tuesday(fw: u32) -> u32 {
    1 + (1 + 7 - fw) % 7 + 7
}

/// Day of month of the `week` occurrence of weekday `dow` in a month starting on `fw` with `len` days.
fn relative_day(week: WeekIndex, dow: u32, fw: u32, len: u32) -> u32 {
    let first = 1 + (dow + 7 - fw) % 7;
    match week {
        WeekIndex::First => first,
        WeekIndex::Second => first + 7,
        WeekIndex::Third => first + 14,
        WeekIndex::Fourth => first + 21,
        WeekIndex::Last => {
            let last_wd = (fw + len - 1) % 7;
            len - (last_wd + 7 - dow) % 7
        }
    }
}

impl Rule for Upg002 {
    fn meta(&self) -> &'static akswin_diag::RuleMeta {
        &Self::META
    }
    fn check(&self, cx: &Ctx<'_>, out: &mut Out<'_>) {
        let Some(w) = &cx.spec.upgrades.windows_node_image else {
            return;
        };
        let base = "/upgrades/windowsNodeImage";
        if !(4..=24).contains(&w.duration_hours) {
            out.error(
                &format!("{base}/durationHours"),
                format!(
                    "a {} hour maintenance window is outside the 4-24 hours AKS accepts",
                    w.duration_hours
                ),
                "use `durationHours: 6` (at least 4)",
            );
        }
        let s = &w.schedule;
        let kinds = usize::from(s.relative_monthly.is_some())
            + usize::from(s.absolute_monthly.is_some())
            + usize::from(s.weekly.is_some());
        if kinds != 1 {
            out.error(
                &format!("{base}/schedule"),
                format!("the schedule must have exactly one of relativeMonthly, absoluteMonthly, weekly; it has {kinds}"),
                "e.g. `relativeMonthly: { weekIndex: Third, dayOfWeek: Wednesday }`",
            );
            return;
        }
        if let Some(r) = &s.relative_monthly {
            let dow = r.day_of_week.to_chrono().num_days_from_monday();
            let early = (0..7).find_map(|fw| {
                (28..=31).find_map(|len| {
                    let d = relative_day(r.week_index, dow, fw, len);
                    let pt = patch_tuesday(fw);
                    (d <= pt).then_some((d, pt))
                })
            });
            if let Some((d, pt)) = early {
                out.warning(
                    &format!("{base}/schedule/relativeMonthly"),
                    format!(
                        "{:?} {:?} can fall before Patch Tuesday's images exist (e.g. day {d} when Patch Tuesday is day {pt})",
                        r.week_index, r.day_of_week
                    ),
                    "use `weekIndex: Third` (any day) or later; the third Wednesday is always after Patch Tuesday",
                );
            }
            if r.interval_months > 1 {
                out.warning(
                    &format!("{base}/schedule/relativeMonthly/intervalMonths"),
                    format!(
                        "the window runs every {} months; Windows node images ship monthly",
                        r.interval_months
                    ),
                    "use `intervalMonths: 1`",
                );
            }
        }
        if let Some(a) = &s.absolute_monthly {
            if a.day_of_month <= 14 {
                out.warning(
                    &format!("{base}/schedule/absoluteMonthly/dayOfMonth"),
                    format!(
                        "day {} can be on or before Patch Tuesday (the 8th to the 14th)",
                        a.day_of_month
                    ),
                    "use day 15 or later (or relativeMonthly Third Wednesday)",
                );
            }
            if a.interval_months > 1 {
                out.warning(
                    &format!("{base}/schedule/absoluteMonthly/intervalMonths"),
                    format!(
                        "the window runs every {} months; Windows node images ship monthly",
                        a.interval_months
                    ),
                    "use `intervalMonths: 1`",
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patch_tuesday_by_first_weekday() {
        // Month starting Tuesday: PT is the 8th; starting Wednesday: the 14th.
        assert_eq!(patch_tuesday(1), 8);
        assert_eq!(patch_tuesday(2), 14);
        // December 2026 starts on a Tuesday: PT 2026-12-08.
        assert_eq!(patch_tuesday(1), 8);
        // Third Wednesday is always after PT.
        for fw in 0..7 {
            assert!(relative_day(WeekIndex::Third, 2, fw, 31) > patch_tuesday(fw));
        }
        // Second Wednesday of a month starting Wednesday is the 8th, before PT (14th).
        assert_eq!(relative_day(WeekIndex::Second, 2, 2, 30), 8);
        // Last Sunday of a 31-day month starting Monday (last day Wednesday): 28th.
        assert_eq!(relative_day(WeekIndex::Last, 6, 0, 31), 28);
    }
}
