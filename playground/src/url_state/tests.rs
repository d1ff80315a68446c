//! The hash round-trips, and junk in it falls back to defaults.
use super::{UrlState, View};

#[test]
fn round_trips() {
    let s = UrlState {
        view: View::Lab,
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

#[test]
fn every_view_round_trips_through_its_url_name_and_an_unknown_one_shows_the_guide() {
    for v in View::ALL {
        assert_eq!(View::parse(v.id()), Some(v));
        let s = UrlState {
            view: v,
            ..UrlState::default()
        };
        assert_eq!(UrlState::parse(&s.to_hash()).view, v);
    }
    assert_eq!(UrlState::parse("#view=inspector").view, View::Guide);
}
