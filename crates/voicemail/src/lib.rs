//! Voicemail as a pure core (being written).
