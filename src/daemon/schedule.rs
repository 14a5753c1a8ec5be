//! When the nightly re-match runs: a pure function of now and the configured time.

use chrono::{Duration, NaiveDateTime, NaiveTime};

/// The next moment at `at` strictly after `now`.
pub fn next_run(now: NaiveDateTime, at: NaiveTime) -> NaiveDateTime {
    let today = now.date().and_time(at);
    if today > now {
        today
    } else {
        today + Duration::days(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_run_is_today_or_tomorrow() {
        let at = NaiveTime::from_hms_opt(2, 0, 0).unwrap();
        let day = chrono::NaiveDate::from_ymd_opt(2026, 11, 21).unwrap();
        assert_eq!(
            next_run(day.and_hms_opt(1, 0, 0).unwrap(), at),
            day.and_time(at)
        );
        assert_eq!(
            next_run(day.and_hms_opt(2, 0, 0).unwrap(), at),
            day.succ_opt().unwrap().and_time(at)
        );
    }
}
