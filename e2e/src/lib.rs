//! End-to-end tests: real browsers and real SDKs against mock-entra.
