//! A small directory shared by the managed-identity tests: one tenant, two user-assigned
//! identities and hosts with every combination that matters for identity selection.

use crate::cloud::Cloud;
use crate::directory::{
    ComputeHost, ComputeKind, Directory, HostIdentity, ManagedIdentity, ManagedIdentityProperties,
    Tenant,
};
use crate::ids::{ArmResourceId, ClientId, ObjectId, TenantId};

pub(crate) const TENANT: TenantId = TenantId::from_u128(0xf96a1c2e_0000_4000_8000_00000000d2f0);
pub(crate) const SYSTEM_CLIENT: ClientId =
    ClientId::from_u128(0xb84e06d3_aba1_4bcc_9626_2e0d76cba2ce);
pub(crate) const SYSTEM_PRINCIPAL: ObjectId =
    ObjectId::from_u128(0x11111111_0000_4000_8000_000000000001);
pub(crate) const U1_CLIENT: ClientId = ClientId::from_u128(0xf31a0000_0000_4000_8000_000000000d43);
pub(crate) const U1_PRINCIPAL: ObjectId =
    ObjectId::from_u128(0x02d00000_0000_4000_8000_00000000057d);
pub(crate) const U2_CLIENT: ClientId = ClientId::from_u128(0x22222222_0000_4000_8000_000000000002);
pub(crate) const U2_PRINCIPAL: ObjectId =
    ObjectId::from_u128(0x22222222_0000_4000_8000_0000000000f2);
pub(crate) const IDENTITY_HEADER: &str = "853b9a84-5bfa-4b22-a3f3-0b9a43d9ad8a";

pub(crate) fn u1_id() -> ArmResourceId {
    ArmResourceId::new(
        "/subscriptions/04d00000-0000-4000-8000-000000000824/resourceGroups/rg-contoso/providers/Microsoft.ManagedIdentity/userAssignedIdentities/umi-multi-tenant-example",
    )
}

pub(crate) fn u2_id() -> ArmResourceId {
    ArmResourceId::new(
        "/subscriptions/04d00000-0000-4000-8000-000000000824/resourceGroups/rg-contoso/providers/Microsoft.ManagedIdentity/userAssignedIdentities/umi-second",
    )
}

fn uami(
    id: ArmResourceId,
    name: &str,
    client_id: ClientId,
    principal_id: ObjectId,
) -> ManagedIdentity {
    ManagedIdentity {
        id,
        name: name.into(),
        location: "northeurope".into(),
        properties: ManagedIdentityProperties {
            tenant_id: TENANT,
            principal_id,
            client_id,
        },
    }
}

fn host(name: &str, kind: ComputeKind, system: bool, users: Vec<ArmResourceId>) -> ComputeHost {
    let provider = match kind {
        ComputeKind::VirtualMachine => "Microsoft.Compute/virtualMachines",
        ComputeKind::AppService => "Microsoft.Web/sites",
    };
    ComputeHost {
        id: ArmResourceId::new(format!(
            "/subscriptions/04d00000-0000-4000-8000-000000000824/resourceGroups/rg-contoso/providers/{provider}/{name}"
        )),
        name: name.into(),
        kind,
        location: "northeurope".into(),
        identity: HostIdentity {
            system_assigned: system.then_some(ManagedIdentityProperties {
                tenant_id: TENANT,
                principal_id: SYSTEM_PRINCIPAL,
                client_id: SYSTEM_CLIENT,
            }),
            user_assigned_identities: users,
        },
        identity_header: (kind == ComputeKind::AppService).then(|| {
            if name == "func-contoso" {
                IDENTITY_HEADER.to_owned()
            } else {
                format!("header-{name}")
            }
        }),
    }
}

pub(crate) fn directory() -> Directory {
    Directory {
        tenants: vec![Tenant {
            id: TENANT,
            display_name: "Contoso".into(),
            cloud: Cloud::AzureCloud,
            verified_domains: vec![],
            applications: vec![],
            service_principals: vec![],
            app_role_assignments: vec![],
            managed_identities: vec![
                uami(u1_id(), "umi-multi-tenant-example", U1_CLIENT, U1_PRINCIPAL),
                uami(u2_id(), "umi-second", U2_CLIENT, U2_PRINCIPAL),
            ],
            subscriptions: vec![],
            storage_accounts: vec![],
            devices: vec![],
        }],
        graph_token_nonce: false,
        compute_hosts: vec![
            host(
                "vm-system-and-one",
                ComputeKind::VirtualMachine,
                true,
                vec![u1_id()],
            ),
            host(
                "vm-one-uami",
                ComputeKind::VirtualMachine,
                false,
                vec![u1_id()],
            ),
            host(
                "vm-two-uamis",
                ComputeKind::VirtualMachine,
                false,
                vec![u1_id(), u2_id()],
            ),
            host("vm-no-identity", ComputeKind::VirtualMachine, false, vec![]),
            host(
                "func-contoso",
                ComputeKind::AppService,
                true,
                vec![u1_id(), u2_id()],
            ),
            host(
                "func-uami-only",
                ComputeKind::AppService,
                false,
                vec![u1_id()],
            ),
        ],
        fic_propagation_seconds: 0,
        external_issuers: vec![],
    }
}

pub(crate) fn host_named<'d>(d: &'d Directory, name: &str) -> &'d ComputeHost {
    d.compute_host(name).expect("test host exists")
}
