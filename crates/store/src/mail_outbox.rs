//! Outgoing e-mail kept until sent (being written).
