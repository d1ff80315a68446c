//! mock-entra: a local Entra ID and managed-identity endpoint.
