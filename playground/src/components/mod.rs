//! The panels of the playground; each owns its signals and reads [`crate::state::AppState`].
pub mod diagram;
pub mod doctor_view;
pub mod editor;
pub mod guide;
pub mod inspector;
pub mod lab_view;
pub mod token_view;
pub mod traffic;
