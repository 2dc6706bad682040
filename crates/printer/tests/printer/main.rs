//! Integration tests of the printer crate, against the simulated printer where a printer is
//! needed. One binary; the modules mirror `src/`.

mod codepage;
mod fixtures;
mod layout;
mod policy;
mod printer;
mod status;
#[cfg(unix)]
mod transport;
