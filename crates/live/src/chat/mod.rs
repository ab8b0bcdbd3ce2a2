//! Chat: writing messages whichever road they take, the one writer task, and the files
//! behind attachments.

pub mod attachments;
pub mod messages;
pub mod writer;
