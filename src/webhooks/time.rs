//! The times of webhook payloads, as microseconds since the Unix epoch (UTC).
//!
//! Providers send ISO 8601 text (SES `"2016-01-27T14:59:38.237Z"`, Postmark
//! `"2014-08-01T13:28:10.2735393-04:00"`) or Unix seconds (SendGrid `1513299569`, Mailgun
//! `1521233195.375624`, SparkPost `"1454442600"`). The text is read as Python's
//! `datetime.fromisoformat` (3.11) reads it, which the Python reader used: extended and basic
//! dates and ISO week dates, any one character between date and time, `HH[:MM[:SS[.f…]]]` (up to
//! microseconds, further digits cut), `Z` or an offset; a time without an offset is UTC. Times
//! outside the years 1 to 9999 are no times.

use super::read::{is_py_space, py_strip};
use serde_json::Value;

/// 0001-01-01T00:00:00Z and 9999-12-31T23:59:59.999999Z, Python's `datetime.min` and `max`.
const MIN_MICROS: i64 = -62_135_596_800_000_000;
const MAX_MICROS: i64 = 253_402_300_799_999_999;
const MICROS_PER_DAY: i64 = 86_400_000_000;

/// The time `v` gives: ISO 8601 text, or Unix seconds as a number or a string of digits (with
/// an optional fraction); from 1e11 up the number is milliseconds (SendGrid's Marketing
/// Campaigns events send them; 1e11 seconds would be the year 5138).
pub fn micros(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => from_seconds(n.as_f64()?),
        Value::String(s) if is_number(s) => from_seconds(py_strip(s).parse().ok()?),
        Value::String(s) => from_iso(py_strip(s)),
        _ => None,
    }
}

/// `\s*-?\d+(?:\.\d+)?\s*`: seconds written as text.
fn is_number(s: &str) -> bool {
    let t = s.trim_matches(is_py_space);
    let t = t.strip_prefix('-').unwrap_or(t);
    let (int, frac) = t.split_once('.').unwrap_or((t, "0"));
    let digits = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
    digits(int) && digits(frac)
}

/// Python's `datetime(1970, 1, 1, tzinfo=utc) + timedelta(seconds=seconds)`: the fraction
/// rounded to microseconds, half to even.
fn from_seconds(seconds: f64) -> Option<i64> {
    if !seconds.is_finite() {
        return None;
    }
    let seconds = if seconds.abs() >= 1e11 { seconds / 1000.0 } else { seconds };
    let whole = seconds.trunc();
    if whole.abs() > 1e12 {
        return None; // far beyond the year 9999
    }
    let fraction = ((seconds - whole) * 1e6).round_ties_even() as i64;
    in_range(whole as i64 * 1_000_000 + fraction)
}

fn in_range(us: i64) -> Option<i64> {
    (MIN_MICROS..=MAX_MICROS).contains(&us).then_some(us)
}

/// Days since 1970-01-01 of a date of the proleptic Gregorian calendar (Howard Hinnant's
/// `days_from_civil`).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn is_leap(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// The ASCII byte at `i`, 0 past the end (CPython reads the text's terminating NUL there).
fn at(b: &[u8], i: usize) -> u8 {
    b.get(i).copied().unwrap_or(0)
}

/// `n` digits at `i`.
fn digits(b: &[u8], i: usize, n: usize) -> Option<i64> {
    let part = b.get(i..i + n)?;
    part.iter().all(u8::is_ascii_digit).then(|| part.iter().fold(0, |acc, d| acc * 10 + i64::from(d - b'0')))
}

/// Where the date ends (CPython's `_find_isoformat_datetime_separator`).
fn date_end(b: &[u8]) -> usize {
    if b.len() == 7 {
        return 7;
    }
    if at(b, 4) == b'-' {
        if at(b, 5) != b'W' {
            return 10; // YYYY-MM-DD
        }
        if b.len() > 8 && at(b, 8) == b'-' {
            // YYYY-Www-D, or YYYY-Www then a '-' separator before the time
            return if b.len() > 10 && at(b, 10).is_ascii_digit() { 8 } else { 10 };
        }
        return 8; // YYYY-Www
    }
    if at(b, 4) == b'W' {
        // YYYYWww or YYYYWwwD: as many digits as there are
        let end = (7..b.len()).find(|&i| !b[i].is_ascii_digit()).unwrap_or(b.len());
        return if end < 9 {
            end
        } else if end % 2 == 0 {
            7
        } else {
            8
        };
    }
    8 // YYYYMMDD
}

/// Days since the epoch of the date in `b` (CPython's `parse_isoformat_date`).
fn date(b: &[u8]) -> Option<i64> {
    let year = digits(b, 0, 4)?;
    let dash = at(b, 4) == b'-';
    let mut i = 4 + usize::from(dash);
    if at(b, i) == b'W' {
        let week = digits(b, i + 1, 2)?;
        i += 3;
        let weekday = if i < b.len() {
            if dash {
                (at(b, i) == b'-').then_some(())?;
                i += 1;
            }
            digits(b, i, 1)?
        } else {
            1
        };
        // ISO 8601 week dates: week 1 holds the year's first Thursday; 53 weeks in years that
        // start on a Thursday, or on a Wednesday in leap years.
        let jan1 = days_from_civil(year, 1, 1);
        let jan1_weekday = (jan1 + 3).rem_euclid(7); // 1970-01-01 was a Thursday; Monday is 0
        let weeks_ok =
            (1..=52).contains(&week) || (week == 53 && (jan1_weekday == 3 || (jan1_weekday == 2 && is_leap(year))));
        if !weeks_ok || !(1..=7).contains(&weekday) || year == 0 {
            return None;
        }
        let jan4 = jan1 + 3;
        let week1_monday = jan4 - (jan4 + 3).rem_euclid(7);
        return Some(week1_monday + (week - 1) * 7 + weekday - 1);
    }
    let month = digits(b, i, 2)?;
    i += 2;
    if dash {
        (at(b, i) == b'-').then_some(())?;
        i += 1;
    }
    let day = digits(b, i, 2)?;
    if year == 0 || !(1..=12).contains(&month) || !(1..=days_in_month(year, month)).contains(&day) {
        return None;
    }
    Some(days_from_civil(year, month, day))
}

/// `HH[:MM[:SS[{.,}ffffff]]]` or `HH[MM[SS[{.,}ffffff]]]` (CPython's `parse_hh_mm_ss_ff`):
/// hours, minutes, seconds and microseconds (further fraction digits are cut), and whether
/// something follows them. The parts are not range-checked here.
fn clock(b: &[u8]) -> Option<([i64; 4], bool)> {
    let mut parts = [0i64; 4];
    let mut i = 0;
    let mut colons = true;
    for n in 0..3 {
        parts[n] = digits(b, i, 2)?;
        i += 2;
        let c = at(b, i);
        i += 1;
        if n == 0 {
            colons = c == b':';
        }
        if i >= b.len() {
            return Some((parts, c != 0));
        }
        if colons && c == b':' {
            continue;
        }
        if c == b'.' || c == b',' {
            break;
        }
        if colons {
            return None;
        }
        i -= 1;
    }
    let rest = b.get(i..)?;
    let take = rest.len().min(6);
    if take == 0 {
        return None;
    }
    parts[3] = digits(rest, 0, take)? * 10i64.pow(6 - take as u32);
    let after = rest[take..].iter().position(|c| !c.is_ascii_digit());
    Some((parts, after.is_some()))
}

/// Python's `datetime.fromisoformat(text)`, made UTC (naive times are UTC), as microseconds.
fn from_iso(text: &str) -> Option<i64> {
    let b = text.as_bytes();
    if b.is_empty() {
        return None;
    }
    let end = date_end(b);
    let day = date(b.get(..end)?)?;
    let mut local = day * MICROS_PER_DAY;
    let mut offset = 0;
    if end < b.len() {
        // any one character separates date and time
        let sep = text.get(end..)?.chars().next()?.len_utf8();
        let rest = b.get(end + sep..)?;
        let tz = rest.iter().position(|&c| matches!(c, b'Z' | b'+' | b'-')).unwrap_or(rest.len());
        let ([h, m, s, us], more) = clock(&rest[..tz])?;
        if h > 23 || m > 59 || s > 59 || (more && tz == rest.len()) {
            return None;
        }
        local += ((h * 60 + m) * 60 + s) * 1_000_000 + us;
        if tz < rest.len() {
            let zone = &rest[tz + 1..];
            if rest[tz] == b'Z' {
                if !zone.is_empty() {
                    return None;
                }
            } else {
                let ([zh, zm, zs, zus], more) = clock(zone)?;
                if more {
                    return None;
                }
                let sign = if rest[tz] == b'-' { -1 } else { 1 };
                offset = sign * (((zh * 60 + zm) * 60 + zs) * 1_000_000 + zus);
                // a `timezone` offset is strictly less than a day
                if offset.abs() >= MICROS_PER_DAY {
                    return None;
                }
            }
        }
    }
    // the local time must be a valid datetime, and so must its UTC time
    in_range(local)?;
    in_range(local - offset)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn iso(s: &str) -> Option<i64> {
        micros(&json!(s))
    }
    const T: i64 = 1_453_906_778_000_000; // 2016-01-27T14:59:38Z

    #[test]
    fn iso_8601_as_python_reads_it() {
        assert_eq!(iso("2016-01-27T14:59:38.237Z"), Some(T + 237_000));
        assert_eq!(iso("2016-01-27 14:59:38"), Some(T));
        assert_eq!(iso("  2016-01-27T14:59:38+00:00 "), Some(T));
        assert_eq!(iso("2016-01-27T15:59:38+01:00"), Some(T));
        assert_eq!(iso("2016-01-27T145938Z"), Some(T));
        assert_eq!(iso("20160127T14:59:38"), Some(T));
        assert_eq!(iso("2016-01-27T14:59"), Some(T - 38_000_000));
        assert_eq!(iso("2016-01-27T14"), Some(T - 59 * 60_000_000 - 38_000_000));
        assert_eq!(iso("2016-01-27"), Some(T - (14 * 3600 + 59 * 60 + 38) * 1_000_000));
        // Postmark's seven fraction digits: the seventh is cut
        assert_eq!(iso("2014-08-01T13:28:10.2735393-04:00"), Some(1_406_914_090_273_539));
        assert_eq!(iso("2016-01-27T14:59:38,5Z"), Some(T + 500_000));
        // 2016-W04-3 is Wednesday 2016-01-27
        assert_eq!(iso("2016-W04-3T14:59:38"), Some(T));
        assert_eq!(iso("2016W043T14:59:38"), Some(T));
        for bad in [
            "yesterday",
            "2019-13-45",
            "2016-02-30",
            "2016-01-27T25:00",
            "2016-01-27T14:59:38Zx",
            "2016-01-27T",
            "2016-01-27T14:59:38+24:00",
            "0000-01-01",
            "2016-W54-1",
            "2016-01-27T14:59:38.",
        ] {
            assert_eq!(iso(bad), None, "{bad}");
        }
        // the UTC time must exist
        assert_eq!(iso("0001-01-01T00:00+01:00"), None);
        assert_eq!(iso("9999-12-31T23:59:59.999999"), Some(MAX_MICROS));
    }

    #[test]
    fn unix_seconds_and_milliseconds() {
        assert_eq!(micros(&json!(1_513_299_569)), Some(1_513_299_569_000_000));
        assert_eq!(micros(&json!(1_521_233_195.375_624)), Some(1_521_233_195_375_624));
        assert_eq!(micros(&json!(1_591_726_752_372_i64)), Some(1_591_726_752_372_000));
        assert_eq!(micros(&json!("1454442600")), Some(1_454_442_600_000_000));
        assert_eq!(micros(&json!(" -1.5 ")), Some(-1_500_000));
        assert_eq!(micros(&json!(1e300)), None);
        assert_eq!(micros(&json!(true)), None);
    }
}
