//! The hash round-trips, and junk in it falls back to defaults.
use super::UrlState;

#[test]
fn round_trips() {
    let s = UrlState {
        view: "lab".into(),
        scenario: "custom-audience".into(),
        step: 4,
        lab: vec!["subject-case".into(), "missing-default".into()],
    };
    assert_eq!(UrlState::parse(&s.to_hash()), s);
}

#[test]
fn junk_falls_back_to_defaults() {
    let s = UrlState::parse("#step=x&view=&nonsense&lab=,");
    assert_eq!(s, UrlState::default());
}
