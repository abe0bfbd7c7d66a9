#include "sysentry/cli.hpp"
namespace sysentry::cli {
int info_command(bool) { return 0; }
int table_command(const std::string&) { return 0; }
int demo_command() { return 0; }
}
