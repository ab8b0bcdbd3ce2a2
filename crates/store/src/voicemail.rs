//! Voicemail boxes and messages (being written).
