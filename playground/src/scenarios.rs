//! The guided scenarios, one per seed article. They live in core ([`entra_core::scenario`]) so
//! that whole-scenario export and its tests read the very steps the playground sends; this
//! module adds the page-relative request the directory editor sends.
use entra_core::client::HttpExchange;
use entra_core::scenario::Bases;
pub use entra_core::scenario::*;

/// client_credentials with a client secret at the page's origin.
pub fn secret_token(tenant: &str, app: &str, secret: &str, scope: &str) -> HttpExchange {
    entra_core::scenario::secret_token(&Bases::default(), tenant, app, secret, scope)
}
