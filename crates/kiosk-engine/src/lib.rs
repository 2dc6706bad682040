//! kiosk-engine
