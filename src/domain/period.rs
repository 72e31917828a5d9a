//! The period a dashboard shows: whole UTC days, first and last day
//! included. Parsed from the query string (`period=7|30|90|custom`, `from`,
//! `to` as `YYYY-MM-DD`), so the store dashboard and the affiliate portal
//! accept the same addresses and name the same fields in their errors.
//!
//! Pure: "today" is passed in, never read from a clock.

use chrono::{DateTime, Days, NaiveDate, Utc};

use super::ValidationErrors;

/// The ready-made lengths offered by the picker, in days.
pub const PRESETS: [u32; 3] = [7, 30, 90];
/// What a page shows when the query names no period.
pub const DEFAULT_DAYS: u32 = 30;
/// The longest custom period: keeps every query and chart bounded.
pub const MAX_DAYS: i64 = 366;

/// Whole UTC days from `first` to `last`, both included (`first <= last`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    first: NaiveDate,
    last: NaiveDate,
    /// Which preset made it (None: custom dates).
    preset: Option<u32>,
}

/// The query string as typed; every field optional.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct PeriodQuery {
    pub period: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
}

fn filled(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

fn parse_day(text: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|_| format!("must be a date like 2026-01-31, not {text:?}"))
}

impl Period {
    /// The `days` days ending with `today` (today included).
    pub fn last_days(days: u32, today: NaiveDate) -> Period {
        let first = today
            .checked_sub_days(Days::new(u64::from(days.max(1) - 1)))
            .unwrap_or(NaiveDate::MIN);
        Period {
            first,
            last: today,
            preset: Some(days),
        }
    }

    /// From `first` to `last`, both included.
    pub fn custom(first: NaiveDate, last: NaiveDate) -> Result<Period, String> {
        if last < first {
            return Err("must be on or after the start date".into());
        }
        if (last - first).num_days() + 1 > MAX_DAYS {
            return Err(format!(
                "may be at most {MAX_DAYS} days after the start date"
            ));
        }
        Ok(Period {
            first,
            last,
            preset: None,
        })
    }

    /// The period a query names, relative to `today`. No period and no
    /// dates: the last [`DEFAULT_DAYS`] days. Dates without `period`: custom.
    pub fn parse(q: &PeriodQuery, today: NaiveDate) -> Result<Period, ValidationErrors> {
        let (from, to) = (filled(&q.from), filled(&q.to));
        let custom = match filled(&q.period) {
            None => from.is_some() || to.is_some(),
            Some("custom") => true,
            Some(preset) => {
                return preset
                    .parse::<u32>()
                    .ok()
                    .filter(|d| PRESETS.contains(d))
                    .map(|d| Period::last_days(d, today))
                    .ok_or_else(|| {
                        ValidationErrors::single("period", "must be 7, 30 or 90 days, or custom")
                    });
            }
        };
        if !custom {
            return Ok(Period::last_days(DEFAULT_DAYS, today));
        }
        let mut errors = ValidationErrors::new();
        let mut day = |field: &str, text: Option<&str>| match text {
            None => {
                errors.add(field, "is required for a custom period");
                None
            }
            Some(t) => match parse_day(t) {
                Ok(d) if d > today => {
                    errors.add(field, "must not be after today");
                    None
                }
                other => errors.check(field, other),
            },
        };
        let first = day("from", from);
        let last = day("to", to);
        let (Some(first), Some(last)) = (first, last) else {
            return Err(errors);
        };
        Period::custom(first, last).map_err(|m| ValidationErrors::single("to", m))
    }

    pub fn first(&self) -> NaiveDate {
        self.first
    }

    pub fn last(&self) -> NaiveDate {
        self.last
    }

    pub fn preset(&self) -> Option<u32> {
        self.preset
    }

    /// How many days it spans (at least 1).
    pub fn len_days(&self) -> i64 {
        (self.last - self.first).num_days() + 1
    }

    /// The period of equal length that ends the day before this one starts.
    pub fn previous(&self) -> Period {
        let len = self.len_days() as u64;
        let last = self.first.pred_opt().unwrap_or(NaiveDate::MIN);
        let first = last
            .checked_sub_days(Days::new(len - 1))
            .unwrap_or(NaiveDate::MIN);
        Period {
            first,
            last,
            preset: self.preset,
        }
    }

    /// Every day of the period, in order.
    pub fn days(&self) -> Vec<NaiveDate> {
        self.first
            .iter_days()
            .take_while(|d| *d <= self.last)
            .collect()
    }

    /// The first instant of the period.
    pub fn start(&self) -> DateTime<Utc> {
        self.first.and_time(chrono::NaiveTime::MIN).and_utc()
    }

    /// The first instant after the period (the bound is exclusive).
    pub fn end(&self) -> DateTime<Utc> {
        self.last
            .succ_opt()
            .unwrap_or(NaiveDate::MAX)
            .and_time(chrono::NaiveTime::MIN)
            .and_utc()
    }

    /// "Last 30 days" or "2026-01-01 – 2026-01-31".
    pub fn label(&self) -> String {
        match self.preset {
            Some(d) => format!("Last {d} days"),
            None => format!("{} – {}", self.first, self.last),
        }
    }

    /// The query string that names this period again (for links and forms).
    pub fn query(&self) -> String {
        match self.preset {
            Some(d) => format!("period={d}"),
            None => format!("period=custom&from={}&to={}", self.first, self.last),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        parse_day(s).unwrap()
    }

    fn q(period: Option<&str>, from: Option<&str>, to: Option<&str>) -> PeriodQuery {
        PeriodQuery {
            period: period.map(str::to_owned),
            from: from.map(str::to_owned),
            to: to.map(str::to_owned),
        }
    }

    const TODAY: &str = "2026-03-10";

    #[test]
    fn no_query_is_the_last_thirty_days_including_today() {
        let p = Period::parse(&q(None, None, None), d(TODAY)).unwrap();
        assert_eq!(p.first(), d("2026-02-09"));
        assert_eq!(p.last(), d(TODAY));
        assert_eq!(p.len_days(), 30);
        assert_eq!(p.preset(), Some(30));
    }

    #[test]
    fn presets_are_seven_thirty_and_ninety_days() {
        for days in PRESETS {
            let p = Period::parse(&q(Some(&days.to_string()), None, None), d(TODAY)).unwrap();
            assert_eq!(p.len_days(), i64::from(days));
            assert_eq!(p.last(), d(TODAY));
            assert_eq!(p.days().len(), days as usize);
        }
    }

    #[test]
    fn an_unknown_preset_names_the_period_field() {
        let err = Period::parse(&q(Some("14"), None, None), d(TODAY)).unwrap_err();
        assert!(err.get("period").unwrap().contains("7, 30 or 90"));
    }

    #[test]
    fn custom_dates_include_both_ends() {
        let p = Period::parse(
            &q(Some("custom"), Some("2026-02-27"), Some("2026-03-02")),
            d(TODAY),
        )
        .unwrap();
        assert_eq!(
            p.days(),
            vec![
                d("2026-02-27"),
                d("2026-02-28"),
                d("2026-03-01"),
                d("2026-03-02")
            ]
        );
        assert_eq!(p.preset(), None);
        assert_eq!(p.query(), "period=custom&from=2026-02-27&to=2026-03-02");
        assert_eq!(p.start().to_rfc3339(), "2026-02-27T00:00:00+00:00");
        assert_eq!(p.end().to_rfc3339(), "2026-03-03T00:00:00+00:00");
    }

    #[test]
    fn dates_without_a_period_mean_custom() {
        let p = Period::parse(&q(None, Some("2026-03-01"), Some("2026-03-01")), d(TODAY)).unwrap();
        assert_eq!(p.len_days(), 1);
    }

    #[test]
    fn custom_errors_name_each_field() {
        let err =
            Period::parse(&q(Some("custom"), None, Some("03/01/2026")), d(TODAY)).unwrap_err();
        assert_eq!(err.get("from"), Some("is required for a custom period"));
        assert!(err.get("to").unwrap().contains("like 2026-01-31"));

        let err = Period::parse(
            &q(Some("custom"), Some("2026-03-05"), Some("2026-03-01")),
            d(TODAY),
        )
        .unwrap_err();
        assert_eq!(err.get("to"), Some("must be on or after the start date"));

        let err = Period::parse(
            &q(Some("custom"), Some("2026-03-01"), Some("2026-03-11")),
            d(TODAY),
        )
        .unwrap_err();
        assert_eq!(err.get("to"), Some("must not be after today"));

        let err = Period::parse(
            &q(Some("custom"), Some("2024-01-01"), Some("2026-03-01")),
            d(TODAY),
        )
        .unwrap_err();
        assert!(err.get("to").unwrap().contains("at most 366 days"));
    }

    #[test]
    fn the_previous_period_has_the_same_length_and_ends_the_day_before() {
        let p = Period::custom(d("2026-03-01"), d("2026-03-10")).unwrap();
        let prev = p.previous();
        assert_eq!(prev.first(), d("2026-02-19"));
        assert_eq!(prev.last(), d("2026-02-28"));
        assert_eq!(prev.len_days(), p.len_days());

        let week = Period::last_days(7, d(TODAY)).previous();
        assert_eq!(
            (week.first(), week.last()),
            (d("2026-02-25"), d("2026-03-03"))
        );
    }
}
