//! Identifier newtypes: every id Entra hands out has its own type, so a tenant id can never be
//! passed where an application id is expected.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use uuid::Uuid;

/// A GUID as Entra prints it: lowercase, hyphenated.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Guid(Uuid);

impl Guid {
    /// Parses the hyphenated, braced or simple form, case-insensitively.
    pub fn parse(s: &str) -> Option<Self> {
        Uuid::try_parse(s.trim_start_matches('{').trim_end_matches('}'))
            .ok()
            .map(Guid)
    }

    pub const fn from_u128(v: u128) -> Self {
        Guid(Uuid::from_u128(v))
    }

    pub const fn from_bytes(b: [u8; 16]) -> Self {
        Guid(Uuid::from_bytes(b))
    }

    /// A stable id derived from a name, for objects Entra creates implicitly (first-party service
    /// principals in every tenant). Deterministic so that snapshots and restarts agree.
    pub fn derived(namespace: Guid, name: &str) -> Self {
        Guid(Uuid::new_v5(&namespace.0, name.as_bytes()))
    }

    pub const NIL: Guid = Guid(Uuid::nil());

    /// The 16 bytes, in RFC 4122 order (what `uti` base64url-encodes).
    pub fn as_bytes(&self) -> &[u8; 16] {
        self.0.as_bytes()
    }
}

impl fmt::Display for Guid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0.hyphenated(), f)
    }
}

impl fmt::Debug for Guid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{self}")
    }
}

impl FromStr for Guid {
    type Err = InvalidGuid;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Guid::parse(s).ok_or(InvalidGuid)
    }
}

/// The text was not a GUID.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("not a GUID")]
pub struct InvalidGuid;

impl Serialize for Guid {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Guid {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Guid::parse(&s).ok_or_else(|| serde::de::Error::custom(format!("'{s}' is not a GUID")))
    }
}

macro_rules! guid_newtype {
    ($($(#[$doc:meta])* $name:ident;)*) => {$(
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub Guid);

        impl $name {
            pub fn parse(s: &str) -> Option<Self> {
                Guid::parse(s).map($name)
            }
            pub const fn from_u128(v: u128) -> Self {
                $name(Guid::from_u128(v))
            }
            pub fn guid(&self) -> Guid {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&self.0, f)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({})", stringify!($name), self.0)
            }
        }

        impl FromStr for $name {
            type Err = InvalidGuid;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                s.parse().map($name)
            }
        }
    )*};
}

guid_newtype! {
    /// A directory (tenant) id: `tid` in tokens.
    TenantId;
    /// An application (client) id: `appId` in Graph, `client_id` on the wire, `appid`/`azp` in
    /// tokens. Managed identities have one too (`clientId` in ARM).
    ClientId;
    /// A directory object id: application object id, service principal id, managed identity
    /// principal id (`oid`/`sub` in tokens), app role assignment id, FIC id.
    ObjectId;
    /// An app role id (`appRoles[].id`).
    AppRoleId;
    /// A password or key credential id (`keyId`).
    KeyCredentialId;
    /// An Azure subscription id.
    SubscriptionId;
    /// The `trace_id` of an Entra response.
    TraceId;
    /// The `correlation_id` of an Entra response (echoes `client-request-id` when sent).
    CorrelationId;
}

macro_rules! string_newtype {
    ($($(#[$doc:meta])* $name:ident;)*) => {$(
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub String);

        impl $name {
            pub fn new(s: impl Into<String>) -> Self {
                $name(s.into())
            }
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({:?})", stringify!($name), self.0)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                $name(s.to_owned())
            }
        }
    )*};
}

string_newtype! {
    /// An ARM resource id, e.g.
    /// `/subscriptions/…/resourceGroups/…/providers/Microsoft.ManagedIdentity/userAssignedIdentities/…`.
    ArmResourceId;
    /// A token issuer (`iss`), or a FIC's `issuer`.
    Issuer;
    /// A token subject (`sub`), or a FIC's `subject`.
    Subject;
    /// A token audience (`aud`), or one of a FIC's `audiences`.
    Audience;
    /// The `kid` of a signing key.
    KeyId;
    /// A verified domain such as `contoso.onmicrosoft.com`.
    DomainName;
}

/// A client secret. Its `Debug` never prints the value.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ClientSecret(pub String);

impl ClientSecret {
    pub fn new(s: impl Into<String>) -> Self {
        ClientSecret(s.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ClientSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ClientSecret([redacted])")
    }
}

/// The trace and correlation ids of one response; chosen by the caller (core has no RNG).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TraceIds {
    pub trace_id: TraceId,
    pub correlation_id: CorrelationId,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guids_print_lowercase_hyphenated_whatever_their_input() {
        let g = Guid::parse("{ABCDEF01-2345-6789-ABCD-EF0123456789}").unwrap();
        assert_eq!(g.to_string(), "abcdef01-2345-6789-abcd-ef0123456789");
        assert_eq!(
            serde_json::to_string(&TenantId(g)).unwrap(),
            "\"abcdef01-2345-6789-abcd-ef0123456789\""
        );
    }

    #[test]
    fn non_guid_text_is_refused() {
        assert!(Guid::parse("contoso.onmicrosoft.com").is_none());
        assert!(serde_json::from_str::<TenantId>("\"nope\"").is_err());
    }

    #[test]
    fn secrets_are_redacted_in_debug_output() {
        assert_eq!(
            format!("{:?}", ClientSecret::new("hunter2")),
            "ClientSecret([redacted])"
        );
    }
}
