//! The panels of the playground; each owns its signals and reads [`crate::state::AppState`].
pub mod diagram;
pub mod guide;
pub mod inspector;
pub mod token_view;
pub mod traffic;
