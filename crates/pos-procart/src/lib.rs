//! pos-procart
