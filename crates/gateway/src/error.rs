//! A refused field of an application's description.

/// One field of an [`AppDraft`](crate::app::AppDraft) that cannot be published as it is:
/// the field's API name, a stable problem code and a German explanation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct FieldError {
    /// The field, e.g. `upstream` or `hours.from`.
    pub field: &'static str,
    /// What is wrong, e.g. `missing`, `bad_name`, `bad_url`.
    pub problem: &'static str,
    /// The German explanation naming the field.
    pub message: String,
}

impl FieldError {
    pub(crate) fn new(
        field: &'static str,
        problem: &'static str,
        message: impl Into<String>,
    ) -> Self {
        FieldError {
            field,
            problem,
            message: message.into(),
        }
    }
}
