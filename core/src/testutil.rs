//! Shared fixtures for core's unit tests: the default scenario, its well-known ids, and a fixed
//! [`Env`] (time, trace ids, token id, test keys).
#![allow(dead_code)]

use crate::directory::{Directory, ManagedIdentityProperties};
use crate::ids::{
    ArmResourceId, ClientId, CorrelationId, Guid, ObjectId, TenantId, TraceId, TraceIds,
};
use crate::keys::{KeySet, test_keys};
use crate::time::UnixTime;
use crate::token::{Env, IssuerMode};

pub const DEFAULT: &str = include_str!("../../scenarios/default.json");

pub const CONTOSO: TenantId = TenantId::from_u128(0xf96b5b38_4c5a_4d1e_9a6f_3e2f1c0a0d2f);
pub const LITWARE: TenantId = TenantId::from_u128(0xeac4f0b2_6d0e_4c3f_8a41_2b9d7e5c1691);
pub const FABRIKAM: TenantId = TenantId::from_u128(0x7a1d3c5e_9b2f_4e6a_8c0d_1f3e5a7b9c24);
/// "Multi-Tenant Example App", registered in Contoso, SP in Litware.
pub const MULTI_TENANT_APP: ClientId = ClientId::from_u128(0xd70e4b1a_2c3d_4e5f_8a9b_0c1d2e3f4c6f);
pub const MULTI_TENANT_APP_LITWARE_SP: ObjectId =
    ObjectId::from_u128(0x9b5c2d4e_6f7a_4b8c_9d0e_1f2a3b4c5477);
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
    test_keys::key_set()
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
