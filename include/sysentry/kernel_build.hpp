// A guest kernel built from guest/kernel/*.S with one source replaced: what the
// kernel-side lessons grade, and what tests that need a broken kernel build.
#pragma once
#include <expected>
#include <filesystem>
#include <string>
#include <vector>

namespace sysentry::grading {

// guest/kernel's sources with `replaced` (e.g. "entry_64.S") taken from
// `source`, plus `extra` sources, assembled and linked with kernel.ld into
// `workdir`/kernel.elf. The error names the failing line.
std::expected<std::filesystem::path, std::string> build_guest_kernel(const std::filesystem::path& source,
                                                                     const std::string& replaced,
                                                                     const std::vector<std::filesystem::path>& extra,
                                                                     const std::filesystem::path& workdir);

}  // namespace sysentry::grading
