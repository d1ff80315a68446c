//! The protected resources a federated flow ends at (Resource Manager, Storage, Graph devices):
//! real access-token validation and each resource's own answer and error shapes, so a client
//! cannot tell the mock's resources from Azure's. One module per surface: `bearer` (the token
//! check they share), `arm` (Resource Manager), `metadata` (its cloud
//! metadata document), `storage` (Blob).

mod arm;
mod bearer;
mod metadata;
mod storage;

pub use arm::*;
pub use bearer::*;
pub use metadata::*;
pub use storage::*;

#[cfg(test)]
mod tests;
