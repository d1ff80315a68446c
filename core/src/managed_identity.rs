//! The managed-identity endpoints a workload calls to get a token without any secret: IMDS on
//! VMs ([`imds`], reference A) and the App Service MSI endpoint ([`app_service`], reference B).
//! Both pick one of the host's identities the same way; that choice lives here.
//!
//! Tokens are minted elsewhere (`token`): this module parses requests, selects the identity and
//! renders the bodies around a token string it is given.

pub mod app_service;
pub mod imds;

use serde::Serialize;

use crate::directory::{ComputeHost, Directory, ManagedIdentityProperties};
use crate::ids::{ArmResourceId, ClientId, ObjectId};

/// How a request names a user-assigned identity.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub enum IdentitySelector {
    /// IMDS and App Service `client_id`, App Service 2017 `clientid`.
    ClientId(ClientId),
    /// IMDS `object_id`, App Service `principal_id`/`object_id`.
    ObjectId(ObjectId),
    /// IMDS `msi_res_id`, App Service `mi_res_id`.
    ResourceId(ArmResourceId),
}

/// The identity a token will be issued for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SelectedIdentity {
    pub properties: ManagedIdentityProperties,
    /// `xms_mirid` of the token: the UAMI's ARM id, or the host's own ARM id for the
    /// system-assigned identity.
    pub resource_id_for_xms_mirid: ArmResourceId,
    /// The compute host's ARM id (`xms_az_rid` of a user-assigned identity's token).
    pub host_resource_id: ArmResourceId,
    pub user_assigned: bool,
}

/// Why no identity could be selected. Each endpoint renders it in its own shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SelectionError {
    /// The selector names no identity attached to the host, or the host has none.
    NotFound,
    /// No selector, no system-assigned identity and several user-assigned ones.
    MultipleUserAssigned,
}

/// Whether a request without selector may fall back to the only user-assigned identity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SingleUserAssignedFallback {
    /// IMDS: "When an Azure VM has only one user-assigned managed identity, and your app
    /// specifies to use system-assigned managed identity, Azure VM may still return a token for
    /// your user-assigned identity" (reference A.1).
    Allowed,
    /// App Service: no selector means the system-assigned identity, "which may or may not exist".
    Refused,
}

/// The user-assigned identities attached to `host` that the directory knows, in attachment order.
fn user_assigned<'d>(
    host: &ComputeHost,
    directory: &'d Directory,
) -> Vec<&'d crate::directory::ManagedIdentity> {
    host.identity
        .user_assigned_identities
        .iter()
        .filter_map(|id| directory.managed_identity(id))
        .collect()
}

/// Picks the identity a token request on `host` is for.
///
/// A selector may also name the system-assigned identity by its client or principal id.
/// UNCONFIRMED: real IMDS behaviour for that case is not documented; accepting it is the lenient
/// choice. ARM ids compare case-insensitively (ARM ids are case-insensitive).
pub fn select_identity(
    host: &ComputeHost,
    directory: &Directory,
    selector: Option<&IdentitySelector>,
    fallback: SingleUserAssignedFallback,
) -> Result<SelectedIdentity, SelectionError> {
    let system = host
        .identity
        .system_assigned
        .map(|properties| SelectedIdentity {
            properties,
            resource_id_for_xms_mirid: host.id.clone(),
            host_resource_id: host.id.clone(),
            user_assigned: false,
        });
    let users: Vec<SelectedIdentity> = user_assigned(host, directory)
        .into_iter()
        .map(|m| SelectedIdentity {
            properties: m.properties,
            resource_id_for_xms_mirid: m.id.clone(),
            host_resource_id: host.id.clone(),
            user_assigned: true,
        })
        .collect();
    let Some(selector) = selector else {
        if let Some(system) = system {
            return Ok(system);
        }
        return match (users.len(), fallback) {
            (0, _) => Err(SelectionError::NotFound),
            (1, SingleUserAssignedFallback::Allowed) => {
                Ok(users.into_iter().next().ok_or(SelectionError::NotFound)?)
            }
            (1, SingleUserAssignedFallback::Refused) => Err(SelectionError::NotFound),
            _ => match fallback {
                SingleUserAssignedFallback::Allowed => Err(SelectionError::MultipleUserAssigned),
                SingleUserAssignedFallback::Refused => Err(SelectionError::NotFound),
            },
        };
    };
    let matches = |s: &SelectedIdentity| match selector {
        IdentitySelector::ClientId(c) => s.properties.client_id == *c,
        IdentitySelector::ObjectId(o) => s.properties.principal_id == *o,
        IdentitySelector::ResourceId(r) => {
            s.user_assigned
                && s.resource_id_for_xms_mirid
                    .as_str()
                    .eq_ignore_ascii_case(r.as_str())
        }
    };
    users
        .into_iter()
        .chain(system)
        .find(matches)
        .ok_or(SelectionError::NotFound)
}

/// Query parameters of a managed-identity request, decoded, in order.
pub(crate) struct Query(Vec<(String, String)>);

impl Query {
    pub(crate) fn parse(query: Option<&str>) -> Query {
        let q = query.unwrap_or("");
        Query(
            form_urlencoded::parse(q.as_bytes())
                .into_owned()
                .filter(|(k, _)| !k.is_empty())
                .collect(),
        )
    }

    /// The first name that appears twice (names compare case-insensitively).
    /// UNCONFIRMED: IMDS parameter names are treated case-insensitively, like the rest of IIS.
    pub(crate) fn duplicate(&self) -> Option<&str> {
        self.0.iter().enumerate().find_map(|(i, (k, _))| {
            self.0[..i]
                .iter()
                .any(|(earlier, _)| earlier.eq_ignore_ascii_case(k))
                .then_some(k.as_str())
        })
    }

    /// The value of `name`; an empty value counts as absent.
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
    }
}

/// Request headers, owned, as every parser here takes them.
pub(crate) type Headers = Vec<(String, Vec<u8>)>;

pub(crate) fn collect_headers<I, K, V>(headers: I) -> Headers
where
    I: IntoIterator<Item = (K, V)>,
    K: AsRef<str>,
    V: AsRef<[u8]>,
{
    headers
        .into_iter()
        .map(|(k, v)| (k.as_ref().to_owned(), v.as_ref().to_vec()))
        .collect()
}

/// The header `name` (case-insensitive), trimmed, if it is text. A non-UTF-8 value counts as
/// present but unreadable (`Some(None)`).
pub(crate) fn header<'h>(headers: &'h Headers, name: &str) -> Option<Option<&'h str>> {
    headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| std::str::from_utf8(v).ok().map(str::trim))
}

/// Headers of an `http::Request`, as the parsers here take them.
pub fn http_headers(map: &http::HeaderMap) -> Vec<(String, Vec<u8>)> {
    map.iter()
        .map(|(k, v)| (k.as_str().to_owned(), v.as_bytes().to_vec()))
        .collect()
}

#[cfg(test)]
pub(crate) mod test_world;
