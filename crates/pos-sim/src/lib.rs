//! pos-sim
