// Every input under tests/fuzz/regressions/NAME/ (crashes the fuzzers once
// found) and tests/fuzz/seeds/NAME/ runs again through harness NAME, here in
// the ordinary suite (and under ASan/UBSan in the "sanitize" preset). A harness
// whose invariant breaks throws; a memory error crashes the test binary.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "fuzz/fuzz_target.hpp"

namespace sysentry::test {
namespace {

namespace fs = std::filesystem;

std::vector<fs::path> inputs_for(const std::string& harness) {
    std::vector<fs::path> files;
    for (const char* kind : {"regressions", "seeds"}) {
        fs::path dir = fs::path(SYSENTRY_SOURCE_DIR) / "tests/fuzz" / kind / harness;
        if (!fs::is_directory(dir)) continue;
        for (const auto& e : fs::directory_iterator(dir))
            if (e.is_regular_file() && e.path().filename() != ".gitkeep") files.push_back(e.path());
    }
    std::ranges::sort(files);
    return files;
}

class fuzz_regression : public ::testing::TestWithParam<std::string> {};

TEST_P(fuzz_regression, every_saved_input_runs_clean) {
    auto target = fuzz::targets().at(GetParam());
    for (const fs::path& file : inputs_for(GetParam())) {
        SCOPED_TRACE(file.string());
        std::ifstream in(file, std::ios::binary);
        std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), {});
        EXPECT_NO_THROW(target(bytes.data(), bytes.size()));
    }
}

TEST(fuzz_regression, every_harness_is_registered) {
    for (const char* name : {"elf_loader", "ring3_code", "ring0_code", "syscall", "gdb_packet", "lesson_spec"})
        EXPECT_TRUE(fuzz::targets().contains(name)) << name;
}

std::vector<std::string> harness_names() {
    std::vector<std::string> names;
    for (const auto& [name, target] : fuzz::targets()) names.push_back(name);
    return names;
}

INSTANTIATE_TEST_SUITE_P(harness, fuzz_regression, ::testing::ValuesIn(harness_names()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace sysentry::test
