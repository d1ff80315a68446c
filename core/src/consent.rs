//! Admin consent (`GET /{tenant}/adminconsent`): what the consent page shows, and what
//! accepting or declining does. Accepting provisions the application's service principal in the
//! consenting tenant, which is how a multi-tenant app stops getting AADSTS700016 there
//! (reference F.3).

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use crate::directory::{Directory, SignInAudience, TenantRef};
use crate::error::{Aadsts, EntraError};
use crate::graph::{ProvisionError, provision_service_principal};
use crate::ids::{ClientId, ObjectId, TenantId};

/// One permission the application asks the admin to grant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestedPermission {
    pub resource_display_name: String,
    pub value: String,
}

/// What the consent page shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentPage {
    pub client_id: ClientId,
    pub app_display_name: String,
    pub sign_in_audience: SignInAudience,
    /// The application's home tenant (its publisher).
    pub publisher_tenant: TenantId,
    pub publisher_display_name: String,
    /// The tenant consent will apply to; `None` for `common`/`organizations`, where the page
    /// lets the admin choose.
    pub consenting_tenant: Option<TenantId>,
    /// Whether the application already has a service principal in `consenting_tenant`.
    pub already_consented: bool,
    /// UNCONFIRMED: empty for now; the directory model has no `requiredResourceAccess`, so the
    /// page cannot list the application permissions the app declares.
    pub requested_permissions: Vec<RequestedPermission>,
}

/// Where the browser goes after the admin decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentOutcome {
    pub redirect_url: String,
    /// The service principal created by this consent (None when declined or already present).
    pub created_service_principal: Option<ObjectId>,
}

/// The admin's answer on the page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConsentDecision {
    Accept,
    Decline,
}

/// The tenant the consent applies to: the URL's tenant, or for `common`/`organizations` the one
/// the page chose (`chosen`).
fn consenting_tenant(
    dir: &Directory,
    tenant_segment: &str,
    chosen: Option<TenantId>,
) -> Result<Option<TenantId>, EntraError> {
    let Some(r) = TenantRef::parse(tenant_segment) else {
        return Err(EntraError::new(Aadsts::InvalidTenantName, [tenant_segment]));
    };
    match r {
        TenantRef::Alias(alias) => match alias {
            crate::directory::TenantAlias::Consumers => {
                // UNCONFIRMED: admin consent has no meaning for personal accounts.
                Err(EntraError::new(Aadsts::TenantNotFound, [tenant_segment]))
            }
            _ => match chosen {
                Some(t) if dir.tenant(t).is_some() => Ok(Some(t)),
                Some(t) => Err(EntraError::new(Aadsts::TenantNotFound, [t.to_string()])),
                None => Ok(None),
            },
        },
        other => dir
            .resolve_tenant(&other)
            .map(|t| Some(t.id))
            .ok_or_else(|| EntraError::new(Aadsts::TenantNotFound, [tenant_segment])),
    }
}

/// The consent page for `client_id` at `/{tenant_segment}/adminconsent`. Unknown tenants are
/// AADSTS90002 (900023 for a malformed segment); unknown apps and single-tenant apps of another
/// tenant are AADSTS700016.
pub fn consent_page(
    dir: &Directory,
    tenant_segment: &str,
    client_id: &str,
) -> Result<ConsentPage, EntraError> {
    consent_page_for(dir, tenant_segment, client_id, None)
}

/// [`consent_page`] with the tenant the page chose for `common`/`organizations`.
pub fn consent_page_for(
    dir: &Directory,
    tenant_segment: &str,
    client_id: &str,
    chosen_tenant: Option<TenantId>,
) -> Result<ConsentPage, EntraError> {
    let consenting = consenting_tenant(dir, tenant_segment, chosen_tenant)?;
    let app_not_found = || EntraError::new(Aadsts::AppNotFound, [client_id, tenant_segment]);
    let id = ClientId::parse(client_id).ok_or_else(app_not_found)?;
    let (home, app) = dir.application(id).ok_or_else(app_not_found)?;
    if let Some(t) = consenting
        && t != home.id
        && !app.sign_in_audience.is_multi_tenant()
    {
        return Err(app_not_found());
    }
    let already_consented = consenting
        .and_then(|t| dir.tenant(t))
        .is_some_and(|t| t.service_principals.iter().any(|s| s.app_id == id));
    Ok(ConsentPage {
        client_id: id,
        app_display_name: app.display_name.clone(),
        sign_in_audience: app.sign_in_audience,
        publisher_tenant: home.id,
        publisher_display_name: home.display_name.clone(),
        consenting_tenant: consenting,
        already_consented,
        requested_permissions: Vec::new(),
    })
}

/// A query component as Entra's redirects encode it (spaces as `+`).
const QUERY: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

fn encode(s: &str) -> String {
    utf8_percent_encode(s, QUERY)
        .to_string()
        .replace("%20", "+")
}

fn with_query(redirect_uri: &str, pairs: &[(&str, &str)]) -> String {
    // Entra refuses reply URLs with fragments; one here is dropped rather than mangled.
    let base = redirect_uri.split('#').next().unwrap_or(redirect_uri);
    let mut out = base.to_owned();
    let mut sep = if base.contains('?') { '&' } else { '?' };
    for (k, v) in pairs {
        out.push(sep);
        out.push_str(k);
        out.push('=');
        out.push_str(&encode(v));
        sep = '&';
    }
    out
}

/// The admin's decision on `/{tenant_segment}/adminconsent?client_id=…&redirect_uri=…&state=…`.
///
/// Accept: the service principal is created in the consenting tenant (idempotent; `new_sp_id`
/// is used only when one is created) and the browser returns to
/// `{redirect_uri}?tenant={guid}&state={state}&admin_consent=True`.
/// Decline: `{redirect_uri}?error=permission_denied&error_description=The+admin+canceled+the+request&state={state}`
/// (reference F.3's values).
///
/// `chosen_tenant` is the tenant picked on the page for `common`/`organizations` (required
/// there). UNCONFIRMED: `redirect_uri` is not checked against the app's reply URLs (the
/// directory has none); Entra would answer AADSTS50011 for an unregistered one.
#[allow(clippy::too_many_arguments)]
pub fn admin_consent(
    dir: &mut Directory,
    tenant_segment: &str,
    chosen_tenant: Option<TenantId>,
    client_id: &str,
    redirect_uri: &str,
    state: Option<&str>,
    decision: ConsentDecision,
    new_sp_id: ObjectId,
) -> Result<ConsentOutcome, EntraError> {
    let page = consent_page_for(dir, tenant_segment, client_id, chosen_tenant)?;
    let Some(tenant) = page.consenting_tenant else {
        // UNCONFIRMED: the page must choose a tenant for `common`/`organizations`.
        return Err(EntraError::new(Aadsts::TenantNotFound, [tenant_segment]));
    };
    let state_pair = state.map(|s| ("state", s));
    match decision {
        ConsentDecision::Decline => {
            let mut pairs = vec![
                ("error", "permission_denied"),
                ("error_description", "The admin canceled the request"),
            ];
            pairs.extend(state_pair);
            Ok(ConsentOutcome {
                redirect_url: with_query(redirect_uri, &pairs),
                created_service_principal: None,
            })
        }
        ConsentDecision::Accept => {
            let (sp, created) = provision_service_principal(dir, tenant, page.client_id, new_sp_id)
                .map_err(|e| match e {
                    ProvisionError::UnknownApp | ProvisionError::SingleTenantElsewhere => {
                        EntraError::new(Aadsts::AppNotFound, [client_id, tenant_segment])
                    }
                })?;
            let tenant_text = tenant.to_string();
            let mut pairs = vec![("tenant", tenant_text.as_str())];
            pairs.extend(state_pair);
            pairs.push(("admin_consent", "True"));
            Ok(ConsentOutcome {
                redirect_url: with_query(redirect_uri, &pairs),
                created_service_principal: created.then_some(sp.id),
            })
        }
    }
}

#[cfg(test)]
mod tests;
