//! Placeholder: `cargo xtask sdk export` copies this crate and puts an exported script here.
fn main() {}
