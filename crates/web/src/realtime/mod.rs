//! The real-time connection (`/api/v1/ws`): the protocol's envelope, the gateway that
//! hands frames to their features, and how the live runtime's frames look.

pub mod frames;
pub mod gateway;
pub mod openapi;
pub mod renderer;
