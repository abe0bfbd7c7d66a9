#include <sys/stat.h>

#include "sysentry/process.hpp"

namespace sysentry {

namespace {
// Read at static-initialisation time, before main() changes it.
const uint32_t kUmaskAtStart = [] {
    mode_t mask = ::umask(022);
    ::umask(mask);
    return uint32_t(mask);
}();
}  // namespace

uint32_t initial_umask() { return kUmaskAtStart; }

}  // namespace sysentry
