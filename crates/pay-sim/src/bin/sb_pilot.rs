//! `sb_pilot` (simulated): Sberbank's card-terminal program, for tests and demos.
//!
//! Thin on purpose: the behaviour is [`pay_sim::sbpilot::main_with`]. Like the real program it
//! writes `e` and `p` in the current directory and exits 0 whatever happened.

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let cwd = std::env::current_dir().unwrap_or_else(|_| std::path::PathBuf::from("."));
    std::process::exit(pay_sim::sbpilot::main_with(&args, &cwd));
}
