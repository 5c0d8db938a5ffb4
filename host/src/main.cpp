#include "loadpilot/host/cli/cli.hpp"

int main(int argc, char** argv) { return lp::cli::run_cli(argc, argv); }
