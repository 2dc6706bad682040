//! The pos-jupiter test binary. Modules mirror `src/`: decoders and fixtures (`wire`), the menu
//! graph (`catalog`), local pricing (`pricing`), every command against the simulator
//! (`client`), the `Pos` port's flows (`pos`), fault injection (`faults`) and status polling
//! (`status`); `fast_paths` holds the one-pass decoders to the rules they replaced. Simulators bind `127.0.0.1:0`; nothing sleeps to win a race.

mod catalog;
mod client;
mod fast_paths;
mod faults;
mod pos;
mod pricing;
mod status;
mod support;
mod wire;
