//! The guided scenarios, one per seed article. They live in core ([`entra_core::scenario`]) so
//! that whole-scenario export and its tests read the very steps the playground sends; this
//! module adds the page-relative requests the lab and the directory editor send.
use entra_core::client::HttpExchange;
use entra_core::scenario::Bases;
pub use entra_core::scenario::*;

/// IMDS on the default VM, relative to the page's origin (mock-entra serves every surface).
pub fn imds(resource: &str, mi_client: Option<&str>) -> HttpExchange {
    entra_core::scenario::imds(&Bases::default(), resource, mi_client)
}

/// `func-contoso`'s App Service endpoint (`/msi/token`) with its `IDENTITY_HEADER`.
pub fn app_service_msi(
    resource: &str,
    mi_client: Option<&str>,
    identity_header: &str,
) -> HttpExchange {
    let bases = Bases {
        identity_endpoint: MSI_ENDPOINT.to_owned(),
        identity_header: identity_header.to_owned(),
        ..Bases::default()
    };
    entra_core::scenario::app_service_msi(&bases, resource, mi_client)
}

/// The FIC exchange at the page's origin.
pub fn exchange(tenant: &str, app: &str, scope: &str, assertion: String) -> HttpExchange {
    entra_core::scenario::exchange(&Bases::default(), tenant, app, scope, assertion)
}

/// client_credentials with a client secret at the page's origin.
pub fn secret_token(tenant: &str, app: &str, secret: &str, scope: &str) -> HttpExchange {
    entra_core::scenario::secret_token(&Bases::default(), tenant, app, secret, scope)
}
