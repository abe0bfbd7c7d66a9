// What the machine-level harnesses share: a minimal static ELF around some
// code, and one guarded run of it in a fresh Session whose output goes to
// /dev/null. The run must end in a verdict (exit, signal, oops, limit); an
// engine error, an exception or a host fd left open is a finding.
#pragma once
#include <dirent.h>
#include <elf.h>
#include <fcntl.h>
#include <unistd.h>

#include <cstring>
#include <optional>
#include <span>
#include <vector>

#include "fuzz/fuzz_target.hpp"
#include "sysentry/session.hpp"

namespace sysentry::fuzz {

inline constexpr uint64_t kTinyBase = 0x400000;
inline constexpr uint64_t kTinyHeaders = sizeof(Elf64_Ehdr) + sizeof(Elf64_Phdr);
inline constexpr uint64_t kTinyEntry = kTinyBase + kTinyHeaders;  // the first byte of `code`

// ET_EXEC with one read/write/execute PT_LOAD at kTinyBase: the headers, then
// `code`, then `extra` zero-filled bytes.
// Unicorn 2.0.1 aborts the process translating a far jmp or call through a
// register (ff /3, ff /5 with mod 3; docs/carrier.md item 18): sysentry turns
// that into status 125 (hostile_guests_test), but a fuzzer would only find it
// again and again. Inputs holding such a byte pair anywhere are skipped.
inline bool has_untranslatable_far_branch(std::span<const uint8_t> code) {
    for (size_t i = 0; i + 1 < code.size(); ++i) {
        unsigned modrm = code[i + 1], reg = (modrm >> 3) & 7;
        if (code[i] == 0xff && (modrm >> 6) == 3 && (reg == 3 || reg == 5)) return true;
    }
    return false;
}

inline std::vector<uint8_t> tiny_elf(std::span<const uint8_t> code, uint64_t extra = 0) {
    Elf64_Ehdr eh{};
    std::memcpy(eh.e_ident, ELFMAG, SELFMAG);
    eh.e_ident[EI_CLASS] = ELFCLASS64;
    eh.e_ident[EI_DATA] = ELFDATA2LSB;
    eh.e_ident[EI_VERSION] = EV_CURRENT;
    eh.e_type = ET_EXEC;
    eh.e_machine = EM_X86_64;
    eh.e_version = EV_CURRENT;
    eh.e_entry = kTinyEntry;
    eh.e_phoff = sizeof(Elf64_Ehdr);
    eh.e_ehsize = sizeof(Elf64_Ehdr);
    eh.e_phentsize = sizeof(Elf64_Phdr);
    eh.e_phnum = 1;
    Elf64_Phdr ph{};
    ph.p_type = PT_LOAD;
    ph.p_flags = PF_R | PF_W | PF_X;
    ph.p_vaddr = ph.p_paddr = kTinyBase;
    ph.p_filesz = kTinyHeaders + code.size();
    ph.p_memsz = ph.p_filesz + extra;
    ph.p_align = 4096;
    std::vector<uint8_t> elf(kTinyHeaders + code.size());
    std::memcpy(elf.data(), &eh, sizeof eh);
    std::memcpy(elf.data() + sizeof eh, &ph, sizeof ph);
    if (!code.empty()) std::memcpy(elf.data() + kTinyHeaders, code.data(), code.size());
    return elf;
}

inline int open_fd_count() {
    int n = 0;
    if (DIR* d = opendir("/proc/self/fd")) {
        while (readdir(d)) ++n;
        closedir(d);
    }
    return n;
}

struct FuzzRun {
    std::vector<uint8_t> program;                    // the user ELF
    std::optional<std::vector<uint8_t>> kernel_elf;  // another guest kernel
    uint64_t timeout_us = 100'000;
};

// Runs the program to its end and checks that sysentry itself stayed sound.
inline RunResult run_guarded(FuzzRun run) {
    static const int dev_null = open("/dev/null", O_RDWR | O_CLOEXEC);
    const int fds_before = open_fd_count();
    RunResult result{RunResult::Kind::engine_error};
    {
        SessionOptions so;
        so.kernel.deterministic = true;  // virtual time: sleeps cost nothing
        so.kernel.max_processes = 8;
        so.kernel.memory_limit = 64ull << 20;
        so.kernel_elf = std::move(run.kernel_elf);
        auto session = Session::create(so);
        SYSENTRY_FUZZ_CHECK(session.has_value());
        auto image = parse_elf(run.program);
        SYSENTRY_FUZZ_CHECK(image.has_value());
        Program p{std::move(run.program), std::move(*image), "/fuzz", {"fuzz"}, {}};
        p.stdio = {dev_null, dev_null, dev_null};
        auto spawned = (*session)->kernel().spawn(p);
        SYSENTRY_FUZZ_CHECK(spawned.has_value());
        result = (*session)->kernel().run({run.timeout_us});
        SYSENTRY_FUZZ_CHECK(result.kind != RunResult::Kind::engine_error);
        SYSENTRY_FUZZ_CHECK(result.kind != RunResult::Kind::paused);
    }
    SYSENTRY_FUZZ_CHECK(open_fd_count() == fds_before);  // no host fd outlives its session
    return result;
}

}  // namespace sysentry::fuzz
