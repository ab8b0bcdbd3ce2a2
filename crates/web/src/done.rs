//! The answer of an action that has nothing else to say.

use serde::Serialize;
use utoipa::ToSchema;

/// `{"status": "ok"}`
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
pub struct Done {
    /// Always `ok`.
    #[schema(example = "ok")]
    pub status: &'static str,
}

/// The one value.
pub const DONE: Done = Done { status: "ok" };
