//! Wall-clock time as a value. Core never reads a clock: every function that needs "now" takes a
//! [`UnixTime`].

use std::fmt;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;

/// Seconds since the Unix epoch (what `iat`, `nbf` and `exp` carry).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default)]
#[serde(transparent)]
pub struct UnixTime(pub i64);

impl UnixTime {
    pub const fn from_secs(s: i64) -> Self {
        UnixTime(s)
    }

    pub const fn secs(self) -> i64 {
        self.0
    }

    pub const fn plus(self, secs: i64) -> Self {
        UnixTime(self.0.saturating_add(secs))
    }

    pub const fn minus(self, secs: i64) -> Self {
        UnixTime(self.0.saturating_sub(secs))
    }

    fn datetime(self) -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp(self.0).unwrap_or(OffsetDateTime::UNIX_EPOCH)
    }

    /// Entra's `timestamp` field and the `Timestamp:` of an error description:
    /// `2025-08-18 15:26:14Z`.
    pub fn entra_timestamp(self) -> String {
        let fmt = format_description!("[year]-[month]-[day] [hour]:[minute]:[second]Z");
        self.datetime().format(&fmt).unwrap_or_default()
    }

    /// The 7-digit-fraction ISO form Entra prints inside AADSTS700024:
    /// `2023-12-11T23:52:19.0000000Z`.
    pub fn entra_iso(self) -> String {
        let fmt = format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].0000000Z");
        self.datetime().format(&fmt).unwrap_or_default()
    }

    /// RFC 3339 with a `Z`, as Graph prints `createdDateTime` and friends.
    pub fn rfc3339(self) -> String {
        self.datetime().format(&Rfc3339).unwrap_or_default()
    }

    /// Parses RFC 3339 (Graph's `endDateTime`).
    pub fn parse_rfc3339(s: &str) -> Option<Self> {
        OffsetDateTime::parse(s, &Rfc3339)
            .ok()
            .map(|d| UnixTime(d.unix_timestamp()))
    }

    /// App Service 2017-09-01 `expires_on`: `06/20/2019 02:57:58 +00:00`.
    pub fn app_service_legacy(self) -> String {
        let fmt = format_description!("[month]/[day]/[year] [hour]:[minute]:[second] +00:00");
        self.datetime().format(&fmt).unwrap_or_default()
    }
}

impl fmt::Debug for UnixTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "UnixTime({} = {})", self.0, self.entra_timestamp())
    }
}

impl fmt::Display for UnixTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.entra_timestamp())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_match_entra_captures() {
        let t = UnixTime(1_755_530_774); // 2025-08-18 15:26:14Z
        assert_eq!(t.entra_timestamp(), "2025-08-18 15:26:14Z");
        assert_eq!(t.entra_iso(), "2025-08-18T15:26:14.0000000Z");
        assert_eq!(t.rfc3339(), "2025-08-18T15:26:14Z");
        assert_eq!(t.app_service_legacy(), "08/18/2025 15:26:14 +00:00");
        assert_eq!(UnixTime::parse_rfc3339("2025-08-18T15:26:14Z"), Some(t));
    }
}
