//! Azure Storage (Blob): Storage's XML error body and list-blobs.

use std::fmt::Write as _;

use sha2::Digest as _;

use super::bearer::{AccessTokenClaims, ResourceAuthError};
use crate::cloud::Cloud;
use crate::directory::Directory;
use crate::ids::{Guid, TenantId};
use crate::time::UnixTime;

/// A Storage error: status, `<Error><Code/><Message/>…</Error>`, and the challenge for 401s.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StorageError {
    pub status: u16,
    pub code: &'static str,
    /// The first line of `<Message>`; `RequestId:` and `Time:` lines are added by
    /// [`StorageError::to_xml`].
    pub message: &'static str,
    /// `<AuthenticationErrorDetail>` of authentication failures.
    pub authentication_error_detail: Option<String>,
    pub www_authenticate: Option<String>,
}

const STORAGE_AUTH_FAILED: &str = "Server failed to authenticate the request. Please refer to the information in the www-authenticate header.";

impl StorageError {
    fn new(status: u16, code: &'static str, message: &'static str) -> Self {
        StorageError {
            status,
            code,
            message,
            authentication_error_detail: None,
            www_authenticate: None,
        }
    }

    fn challenge(authority_tenant: &str) -> String {
        // Storage's bearer challenge: unquoted values, space separated.
        format!(
            "Bearer authorization_uri=https://login.microsoftonline.com/{authority_tenant}/oauth2/authorize resource_id=https://storage.azure.com"
        )
    }

    /// Storage's answer to a refused token; `account_tenant` (the tenant of the account in the
    /// URL, when known) goes into the challenge.
    pub fn from_auth(err: &ResourceAuthError, account_tenant: Option<TenantId>) -> Self {
        let authority = account_tenant.map_or_else(|| "common".to_owned(), |t| t.to_string());
        let (code, detail) = match err {
            ResourceAuthError::MissingToken => ("NoAuthenticationInformation", None),
            ResourceAuthError::Expired { .. } => (
                "InvalidAuthenticationInfo",
                Some("Lifetime validation failed. The token is expired.".to_owned()),
            ),
            ResourceAuthError::NotYetValid { .. } => (
                "InvalidAuthenticationInfo",
                Some("Lifetime validation failed. The token is not yet valid.".to_owned()),
            ),
            ResourceAuthError::InvalidAudience(_) => (
                "InvalidAuthenticationInfo",
                Some("Audience validation failed. Audience did not match.".to_owned()),
            ),
            ResourceAuthError::InvalidIssuer(_) | ResourceAuthError::UnknownTenant(_) => (
                "InvalidAuthenticationInfo",
                Some("Issuer validation failed. Issuer did not match.".to_owned()),
            ),
            ResourceAuthError::UnknownKey | ResourceAuthError::BadSignature => (
                "InvalidAuthenticationInfo",
                // UNCONFIRMED wording: Storage relays the IdentityModel reason.
                Some("Signature validation failed. Signature is invalid.".to_owned()),
            ),
            _ => (
                "InvalidAuthenticationInfo",
                Some("Signature validation failed. The token is malformed.".to_owned()),
            ),
        };
        StorageError {
            status: 401,
            code,
            message: STORAGE_AUTH_FAILED,
            authentication_error_detail: detail,
            www_authenticate: Some(Self::challenge(&authority)),
        }
    }

    /// The XML body. `request_id` is the `x-ms-request-id` the server sends; `now` the `Time:`.
    pub fn to_xml(&self, request_id: RequestId, now: UnixTime) -> String {
        let mut out = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Code>");
        out.push_str(self.code);
        out.push_str("</Code><Message>");
        out.push_str(&xml_escape(self.message));
        let _ = write!(
            out,
            "\nRequestId:{request_id}\nTime:{}</Message>",
            now.entra_iso()
        );
        if let Some(detail) = &self.authentication_error_detail {
            let _ = write!(
                out,
                "<AuthenticationErrorDetail>{}</AuthenticationErrorDetail>",
                xml_escape(detail)
            );
        }
        out.push_str("</Error>");
        out
    }
}

/// A request id chosen by the caller (`x-ms-request-id` of Storage, `request-id` of Graph).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct RequestId(pub Guid);

impl std::fmt::Display for RequestId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(&self.0, f)
    }
}

impl std::fmt::Debug for RequestId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "RequestId({})", self.0)
    }
}

fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

/// The account with this name, and the tenant holding it.
pub fn find_storage_account<'d>(
    dir: &'d Directory,
    account: &str,
) -> Option<(TenantId, Cloud, &'d crate::directory::StorageAccount)> {
    dir.tenants.iter().find_map(|t| {
        t.storage_accounts
            .iter()
            .find(|a| a.name.eq_ignore_ascii_case(account))
            .map(|a| (t.id, t.cloud, a))
    })
}

fn blob_endpoint_suffix(cloud: Cloud) -> &'static str {
    match cloud {
        Cloud::AzureCloud => "blob.core.windows.net",
        Cloud::AzureUSGovernment => "blob.core.usgovcloudapi.net",
        Cloud::AzureChinaCloud => "blob.core.chinacloudapi.cn",
    }
}

/// The first version of the Blob service that accepts OAuth bearer tokens.
const FIRST_OAUTH_VERSION: &str = "2017-11-09";

/// `GET https://{account}.blob.core.windows.net/{container}?restype=container&comp=list` for a
/// caller whose token already passed [`validate_access_token`]. Returns the
/// `EnumerationResults` XML.
pub fn list_blobs(
    dir: &Directory,
    account: &str,
    container: &str,
    claims: &AccessTokenClaims,
    x_ms_version: Option<&str>,
) -> Result<String, StorageError> {
    // UNCONFIRMED status: Storage answers bearer auth without (or below) x-ms-version
    // 2017-11-09 with AuthenticationFailed, whose documented status is 403 (observed bodies
    // carry this detail; no capture shows the status line).
    let version_ok = x_ms_version
        .map(str::trim)
        .is_some_and(|v| v.len() == 10 && v >= FIRST_OAUTH_VERSION);
    if !version_ok {
        return Err(StorageError {
            status: 403,
            code: "AuthenticationFailed",
            message: "Server failed to authenticate the request. Make sure the value of Authorization header is formed correctly including the signature.",
            authentication_error_detail: Some(
                "Authentication scheme Bearer is not supported in this version.".to_owned(),
            ),
            www_authenticate: None,
        });
    }
    // UNCONFIRMED: an unknown account is a DNS failure in Azure; the mock answers 404.
    let Some((account_tenant, cloud, acct)) = find_storage_account(dir, account) else {
        return Err(StorageError::new(
            404,
            "ResourceNotFound",
            "The specified resource does not exist.",
        ));
    };
    if claims.tenant != account_tenant {
        return Err(StorageError::from_auth(
            &ResourceAuthError::InvalidIssuer(claims.issuer.clone()),
            Some(account_tenant),
        ));
    }
    if !acct.blob_readers.contains(&claims.object_id) {
        return Err(StorageError::new(
            403,
            "AuthorizationPermissionMismatch",
            "This request is not authorized to perform this operation using this permission.",
        ));
    }
    let Some(cont) = acct
        .containers
        .iter()
        .find(|c| c.name == container.to_ascii_lowercase())
    else {
        return Err(StorageError::new(
            404,
            "ContainerNotFound",
            "The specified container does not exist.",
        ));
    };

    let mut out = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>");
    let _ = write!(
        out,
        "<EnumerationResults ServiceEndpoint=\"https://{}.{}/\" ContainerName=\"{}\"><Blobs>",
        xml_escape(&acct.name),
        blob_endpoint_suffix(cloud),
        xml_escape(&cont.name)
    );
    let mut blobs: Vec<_> = cont.blobs.iter().collect();
    blobs.sort_by(|a, b| a.name.cmp(&b.name));
    for blob in blobs {
        let _ = write!(
            out,
            "<Blob><Name>{}</Name><Properties><Creation-Time>{BLOB_TIME}</Creation-Time><Last-Modified>{BLOB_TIME}</Last-Modified><Etag>{}</Etag><Content-Length>{}</Content-Length><Content-Type>{}</Content-Type><Content-Encoding /><Content-Language /><Content-CRC64 /><Content-MD5 /><Cache-Control /><Content-Disposition /><BlobType>BlockBlob</BlobType><AccessTier>Hot</AccessTier><AccessTierInferred>true</AccessTierInferred><LeaseStatus>unlocked</LeaseStatus><LeaseState>available</LeaseState><ServerEncrypted>true</ServerEncrypted></Properties><OrMetadata /></Blob>",
            xml_escape(&blob.name),
            blob_etag(&blob.content),
            blob.content.len(),
            content_type(&blob.name),
        );
    }
    out.push_str("</Blobs><NextMarker /></EnumerationResults>");
    Ok(out)
}

/// The scenario has no blob timestamps; every blob reads as created at this fixed time.
// UNCONFIRMED: a constant keeps listings deterministic.
const BLOB_TIME: &str = "Thu, 01 Jan 2026 00:00:00 GMT";

/// `0x8DC…`: Storage's ETag shape, derived from the content so it changes when the blob does.
fn blob_etag(content: &str) -> String {
    let digest = sha2::Sha256::digest(content.as_bytes());
    let mut hex = String::from("0x8D");
    for b in digest.iter().take(7) {
        let _ = write!(hex, "{b:02X}");
    }
    hex.truncate(17);
    hex
}

/// UNCONFIRMED: Storage stores whatever Content-Type the uploader set; the mock infers it.
fn content_type(name: &str) -> &'static str {
    let ext = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
    match ext.as_deref() {
        Some("txt" | "log" | "md") => "text/plain",
        Some("json") => "application/json",
        Some("csv") => "text/csv",
        Some("xml") => "application/xml",
        Some("html" | "htm") => "text/html",
        _ => "application/octet-stream",
    }
}
