//! The playground: learn managed identity as a federated credential in the browser.
fn main() {}
