//! Graph `devices`: the listing seed 004 drives, in the caller's tenant. It lives with the
//! other Graph operations so that Graph depends on the resource validators and not the reverse.

use serde_json::Value;

use super::GraphError;
use super::model::{Collection, DeviceResource, to_value};
use crate::directory::Directory;
use crate::resource::AccessTokenClaims;

/// Application permissions that allow reading devices.
const DEVICE_READERS: &[&str] = &[
    "Device.Read.All",
    "Device.ReadWrite.All",
    "Directory.Read.All",
    "Directory.ReadWrite.All",
];

/// `GET /v1.0/devices` in the caller's tenant (the token's `tid`).
pub fn list_devices(dir: &Directory, claims: &AccessTokenClaims) -> Result<Value, GraphError> {
    if !claims.has_any_role(DEVICE_READERS) {
        return Err(GraphError::insufficient_privileges());
    }
    let tenant = dir
        .tenant(claims.tenant)
        .ok_or_else(GraphError::insufficient_privileges)?;
    let value = tenant.devices.iter().map(DeviceResource::from).collect();
    Ok(to_value(&Collection {
        context: format!("{}/v1.0/$metadata#devices", tenant.cloud.graph_endpoint()),
        value,
    }))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::graph_error::{ClientRequestId, GraphRequestId};
    use crate::ids::Guid;
    use crate::testutil::tokens::*;

    fn graph_error(e: &GraphError) -> Value {
        json!({
            "status": e.status(),
            "www-authenticate": e.www_authenticate(),
            "body": e.to_body(
                GraphRequestId(Guid::from_u128(0x9a)),
                Some(&ClientRequestId::new("client-req-1")),
                NOW,
            ),
        })
    }

    #[test]
    fn device_read_all_lists_the_devices_of_the_token_tenant() {
        let caller = graph_caller(LITWARE, MULTI_SP_LITWARE, &["Device.Read.All"]);
        let body = list_devices(&directory(), &caller).unwrap();
        assert_eq!(body["value"].as_array().unwrap().len(), 3);
        insta::assert_json_snapshot!(body);
    }

    #[test]
    fn directory_read_all_also_reads_devices_but_only_in_its_tenant() {
        let caller = graph_caller(CONTOSO, MULTI_SP_CONTOSO, &["Directory.Read.All"]);
        let body = list_devices(&directory(), &caller).unwrap();
        assert_eq!(body["value"][0]["displayName"], "CONTOSO-LAPTOP-01");
        assert_eq!(body["value"].as_array().unwrap().len(), 1);
    }

    #[test]
    fn devices_without_a_device_role_are_403_authorization_request_denied() {
        let caller = graph_caller(LITWARE, MULTI_SP_LITWARE, &["Application.Read.All"]);
        let err = list_devices(&directory(), &caller).unwrap_err();
        insta::assert_json_snapshot!(graph_error(&err));
    }
}
