//! Core's one module of test fixtures: the default scenario, its well-known ids (each GUID written
//! once, below), a fixed [`Env`] (time, trace ids, token id, test keys), and in [`tokens`] the
//! access tokens signed with the fixture key that resource, consent and forgery tests present.
#![allow(dead_code)]

use crate::directory::{Directory, ManagedIdentityProperties};
use crate::directory::{Tenant, TokenVersion};
use crate::ids::{
    ArmResourceId, ClientId, CorrelationId, Guid, ObjectId, TenantId, TraceId, TraceIds,
};
use crate::keys::{KeySet, test_keys};
use crate::time::UnixTime;
use crate::token::{APP_TOKEN_LIFETIME_SECS, ClientAuth, Env, IssuerMode, TokenSpec};

pub const DEFAULT: &str = include_str!("../../scenarios/default.json");

/// The default scenario's GUIDs as text, the single place they are written; the typed ids
/// below and [`tokens`]' text ids (which go into JSON claims) are both read from here.
mod text {
    pub const CONTOSO: &str = "f96b5b38-4c5a-4d1e-9a6f-3e2f1c0a0d2f";
    pub const LITWARE: &str = "eac4f0b2-6d0e-4c3f-8a41-2b9d7e5c1691";
    pub const FABRIKAM: &str = "7a1d3c5e-9b2f-4e6a-8c0d-1f3e5a7b9c24";
    pub const MULTI_TENANT_APP: &str = "d70e4b1a-2c3d-4e5f-8a9b-0c1d2e3f4c6f";
    pub const MULTI_TENANT_APP_LITWARE_SP: &str = "9b5c2d4e-6f7a-4b8c-9d0e-1f2a3b4c5477";
    pub const MULTI_TENANT_APP_CONTOSO_SP: &str = "1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f";
}

/// A GUID's text as a number, at compile time (a malformed literal fails the build).
const fn guid(s: &str) -> u128 {
    let b = s.as_bytes();
    assert!(b.len() == 36, "a GUID has 36 characters");
    let mut v: u128 = 0;
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c != b'-' {
            let d = match c {
                b'0'..=b'9' => c - b'0',
                b'a'..=b'f' => c - b'a' + 10,
                _ => panic!("a GUID is lower-case hex"),
            };
            v = (v << 4) | d as u128;
        }
        i += 1;
    }
    v
}

pub const CONTOSO: TenantId = TenantId::from_u128(guid(text::CONTOSO));
pub const LITWARE: TenantId = TenantId::from_u128(guid(text::LITWARE));
pub const FABRIKAM: TenantId = TenantId::from_u128(guid(text::FABRIKAM));
/// "Multi-Tenant Example App", registered in Contoso, SP in Litware.
pub const MULTI_TENANT_APP: ClientId = ClientId::from_u128(guid(text::MULTI_TENANT_APP));
pub const MULTI_TENANT_APP_LITWARE_SP: ObjectId =
    ObjectId::from_u128(guid(text::MULTI_TENANT_APP_LITWARE_SP));
/// "Multi tenant Federation APP": the custom audience api://{appId}, v2.
pub const FEDERATION_APP: ClientId = ClientId::from_u128(0xd788405b_c575_41d1_83a9_83e8cbab062e);
/// "Custom Audience Client App": FIC with audience api://{FEDERATION_APP}.
pub const CUSTOM_AUDIENCE_APP: ClientId =
    ClientId::from_u128(0xa1c3e5f7_0b2d_4f68_9a1c_3e5f7b9d1f35);
/// "Litware Own App": the seed-002 mistake.
pub const LITWARE_OWN_APP: ClientId = ClientId::from_u128(0xc8e0a2b4_6d8f_4a1c_9e3b_5d7f9a1c3e57);
pub const CONTOSO_ADMIN: ClientId = ClientId::from_u128(0x0c4e8a2b_6d1f_4c3a_9e5b_7a9c1e3f5b01);
pub const CONTOSO_ADMIN_SECRET: &str = "pga8Q~ContosoPlaygroundAdminSecret00000000000001";
pub const UMI_PRINCIPAL: ObjectId = ObjectId::from_u128(0x02d8a4c1_3e5f_4b6a_8d7c_9e0f1a2b357d);
pub const UMI_CLIENT: ClientId = ClientId::from_u128(0xf31c6e2a_5b4d_4a8e_9f10_7c2d8e1a0d43);
pub const UMI_ID: &str = "/subscriptions/5c0e8b7a-1d2f-4a3b-9c8d-7e6f5a4b3c2d/resourceGroups/rg-identity/providers/Microsoft.ManagedIdentity/userAssignedIdentities/umi-multi-tenant-example";

/// 2025-08-18 15:26:14Z.
pub const NOW: UnixTime = UnixTime(1_755_530_774);

pub fn directory() -> Directory {
    serde_json::from_str(DEFAULT).expect("default scenario")
}

pub fn umi() -> (ManagedIdentityProperties, ArmResourceId) {
    (
        ManagedIdentityProperties {
            tenant_id: CONTOSO,
            principal_id: UMI_PRINCIPAL,
            client_id: UMI_CLIENT,
        },
        ArmResourceId::new(UMI_ID),
    )
}

pub fn trace() -> TraceIds {
    TraceIds {
        trace_id: TraceId::from_u128(0x0000aaaa_11bb_cccc_dd33_eeeeee333333),
        correlation_id: CorrelationId::from_u128(0xaaaa0000_bb11_2222_33cc_444444dddddd),
    }
}

pub fn keys() -> KeySet {
    test_keys::key_set_with_issuers()
}

pub static ENTRA: IssuerMode = IssuerMode::Entra;

/// A fixed environment; `token` picks a distinct (but stable) token id.
pub fn env<'a>(keys: &'a KeySet, now: UnixTime, token: u32) -> Env<'a> {
    Env {
        now,
        trace: trace(),
        token_id: Guid::derived(Guid::NIL, &format!("token-{token}")),
        keys,
        issuers: &ENTRA,
    }
}

/// Header and claims of a compact JWS, for snapshots.
pub fn decoded(token: &str) -> serde_json::Value {
    let jwt = crate::jose::Jwt::decode(token).expect("a token we issued decodes");
    serde_json::json!({"header": jwt.header(), "claims": jwt.claims()})
}

pub fn tid(s: &str) -> TenantId {
    TenantId::parse(s).expect("tenant id")
}

pub mod tokens {
    //! Access tokens signed with the fixture key, as a resource receives them, and the ids they
    //! carry as text (claims are JSON). Resource tests stand on their own: these tokens are built
    //! here, not by `token.rs`.

    use serde_json::{Value, json};

    use crate::keys::sign_jwt;
    use crate::resource::{AccessTokenClaims, EntraIssuers, ResourceKind, validate_access_token};
    use crate::time::UnixTime;

    pub(crate) use super::{directory, keys, tid};

    /// 2026-01-15 12:00:00Z.
    pub(crate) const NOW: UnixTime = UnixTime(1_768_478_400);

    pub(crate) const CONTOSO: &str = super::text::CONTOSO;
    pub(crate) const LITWARE: &str = super::text::LITWARE;
    pub(crate) const FABRIKAM: &str = super::text::FABRIKAM;
    /// "Multi-Tenant Example App".
    pub(crate) const MULTI_APP: &str = super::text::MULTI_TENANT_APP;
    /// Its service principal in Litware.
    pub(crate) const MULTI_SP_LITWARE: &str = super::text::MULTI_TENANT_APP_LITWARE_SP;
    /// Its service principal in Contoso.
    pub(crate) const MULTI_SP_CONTOSO: &str = super::text::MULTI_TENANT_APP_CONTOSO_SP;

    /// v1 app-only claims as Entra issues them for a resource (reference E.3).
    pub(crate) fn v1_claims(
        tenant: &str,
        aud: &str,
        app_id: &str,
        oid: &str,
        roles: &[&str],
    ) -> Value {
        let mut c = json!({
            "aud": aud,
            "iss": format!("https://sts.windows.net/{tenant}/"),
            "iat": NOW.secs() - 300,
            "nbf": NOW.secs() - 300,
            "exp": NOW.secs() + 3600,
            "appid": app_id,
            "appidacr": "2",
            "idp": format!("https://sts.windows.net/{tenant}/"),
            "idtyp": "app",
            "oid": oid,
            "sub": oid,
            "tid": tenant,
            "ver": "1.0",
        });
        if !roles.is_empty() {
            c["roles"] = json!(roles);
        }
        c
    }

    pub(crate) fn sign(claims: &Value) -> String {
        sign_with_header(claims, None)
    }

    pub(crate) fn sign_with_header(claims: &Value, header: Option<Value>) -> String {
        let keys = keys();
        let signer = keys.signer().expect("fixture signer");
        let header = header.unwrap_or_else(
            || json!({"typ":"JWT","alg":"RS256","x5t":signer.key_id().as_str(),"kid":signer.key_id().as_str()}),
        );
        sign_jwt(signer, &header, claims)
    }

    /// Validated claims of a freshly signed token, for tests of the operations behind validation.
    pub(crate) fn caller(kind: ResourceKind, claims: &Value) -> AccessTokenClaims {
        validate_access_token(
            &sign(claims),
            kind,
            &directory(),
            &keys(),
            &EntraIssuers,
            NOW,
        )
        .expect("test token validates")
    }

    /// Validated Graph claims for an app in `tenant`.
    pub(crate) fn graph_caller(tenant: &str, oid: &str, roles: &[&str]) -> AccessTokenClaims {
        caller(
            ResourceKind::Graph,
            &v1_claims(tenant, "https://graph.microsoft.com", MULTI_APP, oid, roles),
        )
    }
}

/// The app-only Graph token Contoso's admin app gets with its secret (v1, Graph's extra claims),
/// with `roles` and the `nonce` switch chosen by the test.
pub(crate) fn graph_admin_token_spec(
    tenant: &Tenant,
    roles: Vec<String>,
    graph_nonce: bool,
) -> TokenSpec<'_> {
    TokenSpec {
        tenant,
        version: TokenVersion::V1,
        aud: "https://graph.microsoft.com".into(),
        client_id: CONTOSO_ADMIN,
        auth: ClientAuth::Secret,
        principal: tenant.principal_of(CONTOSO_ADMIN),
        roles,
        resource_app_id: crate::first_party::MICROSOFT_GRAPH.app_id,
        graph_nonce,
        xms_mirid: None,
        xms_az_rid: None,
        lifetime_secs: APP_TOKEN_LIFETIME_SECS,
        resource: "https://graph.microsoft.com".into(),
    }
}

pub mod engine {
    //! An engine over a scenario, answering real HTTP requests at the fixed [`super::NOW`] with
    //! sequential ids, for tests that drive core the way the server does.

    use serde_json::Value;

    use crate::directory::Directory;
    use crate::engine::{Context, Engine, EngineConfig, IssuerChoice, Response, SequentialIds};
    use crate::keys::test_keys;
    use crate::managed_identity::imds::Millis;

    pub struct Harness {
        pub engine: Engine,
        ids: SequentialIds,
    }

    /// What came back: status, headers and the body (as JSON when it is JSON).
    pub struct Answer {
        pub status: u16,
        pub response: Response,
        pub json: Value,
    }

    impl Answer {
        pub fn text(&self) -> String {
            String::from_utf8_lossy(self.response.body()).into_owned()
        }

        pub fn header(&self, name: &str) -> Option<&str> {
            self.response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
        }
    }

    impl Harness {
        /// An engine whose start and live directory are `dir`, with Entra's issuers.
        pub fn new(dir: Directory) -> Harness {
            Self::with_keys(dir, test_keys::key_set())
        }

        /// The same with `keys` (e.g. [`test_keys::key_set_with_issuers`]: the emulated
        /// external issuers can sign).
        pub fn with_keys(dir: Directory, keys: crate::keys::KeySet) -> Harness {
            Harness {
                engine: Engine::new(
                    EngineConfig {
                        issuers: IssuerChoice::Entra,
                        graph_prefix: "/graph".to_owned(),
                        imds_throttle: false,
                    },
                    dir.clone(),
                    dir,
                    keys,
                ),
                ids: SequentialIds::default(),
            }
        }

        /// Sends `request` as the shell would and returns the engine's answer.
        pub fn send(&self, request: http::Request<Vec<u8>>) -> Answer {
            let cx = Context {
                now: super::NOW,
                monotonic: Millis(0),
                ids: &self.ids,
            };
            let response = self.engine.handle(&request, cx).response;
            Answer {
                status: response.status().as_u16(),
                json: serde_json::from_slice(response.body()).unwrap_or(Value::Null),
                response,
            }
        }

        pub fn request(
            &self,
            method: &str,
            uri: &str,
            headers: &[(&str, &str)],
            body: &[u8],
        ) -> Answer {
            let mut b = http::Request::builder().method(method).uri(uri);
            for (n, v) in headers {
                b = b.header(*n, *v);
            }
            self.send(b.body(body.to_vec()).expect("a valid request"))
        }

        /// `POST /{tenant}/oauth2/v2.0/token` with `form` (already URL-encoded).
        pub fn token(&self, tenant: &str, form: &str) -> Answer {
            self.request(
                "POST",
                &format!("/{tenant}/oauth2/v2.0/token"),
                &[("content-type", "application/x-www-form-urlencoded")],
                form.as_bytes(),
            )
        }

        /// An IMDS token for `resource` (`client_id` picks a user-assigned identity).
        pub fn imds_token(&self, resource: &str, client_id: Option<&str>) -> String {
            let mut uri = format!(
                "/metadata/identity/oauth2/token?api-version=2018-02-01&resource={resource}"
            );
            if let Some(c) = client_id {
                uri.push_str(&format!("&client_id={c}"));
            }
            let a = self.request("GET", &uri, &[("metadata", "true")], b"");
            assert_eq!(a.status, 200, "{}", a.text());
            a.json["access_token"].as_str().expect("a token").to_owned()
        }
    }
}
