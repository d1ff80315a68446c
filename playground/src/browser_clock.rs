//! The only module that reads time: the browser's clock as a core [`UnixTime`].
use entra_core::time::UnixTime;

/// Now, by the browser's clock (seconds).
pub fn now() -> UnixTime {
    UnixTime((js_sys::Date::now() / 1000.0) as i64)
}
