// utimensat and the chown family, against the same program run natively.
#include <gtest/gtest.h>

#include "support/guest.hpp"

namespace sysentry::test {
namespace {

constexpr std::string_view kAttributes = R"(#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>
int main(void) {
    int fd = open("f", O_CREAT | O_WRONLY, 0644);
    struct timespec t[2] = {{1234567890, 0}, {1234567891, 500}};
    printf("utimensat %d\n", utimensat(AT_FDCWD, "f", t, 0));
    printf("fchownat %d chown %d fchown %d\n", fchownat(AT_FDCWD, "f", 0, 0, 0), chown("f", 0, 0), fchown(fd, 0, 0));
    struct stat st;
    stat("f", &st);
    printf("mtime %ld.%09ld atime %ld uid %d\n", (long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec, (long)st.st_atim.tv_sec, st.st_uid);
    printf("missing %d\n", utimensat(AT_FDCWD, "nope", t, 0));
    return 0;
}
)";

TEST(file_attributes, utimensat_and_chown_match_native) {
    ScratchRoot dir = temp_dir("sysentry-attrs");
    auto exe = build_c(kAttributes, "gcc", dir.path());
    ASSERT_TRUE(exe) << exe.error();
    ScratchRoot native_cwd = temp_dir("sysentry-attrs-native"), root = temp_dir("sysentry-attrs-root");
    ProcessRun native = run_process({exe->string()}, {.cwd = native_cwd.path()});
    ProcessRun guest = run_cli({"run", "--root", root.path().string(), exe->string()});
    EXPECT_EQ(guest.exit_code, 0) << describe(guest);
    EXPECT_EQ(guest.out, native.out);
    EXPECT_NE(guest.out.find("mtime 1234567891.000000500"), std::string::npos) << guest.out;
}

}  // namespace
}  // namespace sysentry::test
