//! mock-entra binary.
fn main() {}
