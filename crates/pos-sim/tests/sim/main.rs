//! Integration tests of the simulator over real HTTP on loopback (mini-redis style: each test
//! spawns its own server on `127.0.0.1:0`). One test binary whose modules mirror `src/`, so the
//! suite links once.

mod admin;
mod binary;
mod callbacks;
mod common;
mod faults;
mod images;
mod jupiter;
mod menu;
mod orders;
mod payment;
mod ping;
mod server;
mod validate;
