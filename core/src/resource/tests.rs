//! Tests of access-token validation and the protected resources over the default scenario.
