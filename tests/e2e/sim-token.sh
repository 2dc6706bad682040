# The POS simulator's demo token (pos_sim::DEMO_TOKEN), for the test and benchmark runs that
# hand it to the app through --token-env. It opens nothing but the simulator; real kiosks read
# their token from the OS keyring. Sourced by tests/e2e/run.sh and bench/steps/2*.sh.
export KIOSK_POS_TOKEN=28bb0d65-d1a3-447d-a3eb-e4961b0ffd35
