//! The playground: learn managed identity as a federated credential in the browser.
use leptos::prelude::*;
fn main() {
    leptos::mount::mount_to_body(|| view! { <p>"hello"</p> });
}
