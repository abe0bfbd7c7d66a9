// `sysentry info`: boot the machine to the first user instruction and describe it.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "sysentry/cli.hpp"
#include "sysentry/exit_status.hpp"
#include "sysentry/machine_report.hpp"
#include "sysentry/session.hpp"

namespace sysentry::cli {

static int info_command(bool explain, const std::string& profile) {
    auto program = builtin_demo_program();
    SessionOptions options;
    options.kernel_profile = parse_kernel_profile(profile).value_or(KernelProfile::seed);
    auto session = Session::create(options);
    if (!program || !session) {
        fmt::print(stderr, "sysentry: {}\n", !program ? program.error() : session.error());
        return kExitUsageStatus;
    }
    Session& s = **session;
    if (auto r = s.kernel().spawn(*program); !r) {
        fmt::print(stderr, "sysentry: {}\n", r.error());
        return kExitUsageStatus;
    }
    RunResult booted = s.kernel().boot();
    if (booted.kind != RunResult::Kind::paused) {
        fmt::print(stderr, "sysentry: the machine did not boot: {}\n", booted.detail);
        return kExitUsageStatus;
    }
    RegisterFile r = s.kernel().transitions().registers();
    fmt::print("sysentry booted the {} kernel: startup_64 ran syscall_init{} at CPL 0, then IRET entered ring 3.\n",
               profile, options.kernel_profile == KernelProfile::modern ? " (and idt_syscall_init)" : "");
    fmt::print("Now at the program's first instruction: RIP={:#x} CS={:#06x} SS={:#06x} CPL={} RSP={:#x}\n\n",
               r.rip, r.cs, r.ss, r.cpl, r.rsp);
    fmt::print("{}\n{}\n{}\n{}", describe_gdt(s.machine()), describe_tss(s.machine()),
               describe_msrs(s.machine(), s.kernel().transitions()), describe_idt_entry(s.machine(), 0x80));
    if (explain) fmt::print("\n{}", explain_modern_linux());
    return 0;
}

Subcommand add_info_command(CLI::App& app) {
    auto explain = std::make_shared<bool>(false);
    auto profile = std::make_shared<std::string>("seed");
    auto* cmd = app.add_subcommand("info", "Show the booted machine: GDT, TSS, IDT and SYSCALL MSRs, explained");
    cmd->add_flag("--explain", *explain, "Also explain where today's Linux differs from the seed's syscall_init");
    cmd->add_option("--kernel-profile", *profile, "Boot the seed's syscall_init (seed) or today's Linux's (modern)")
        ->check(CLI::IsMember({"seed", "modern"}));
    return {cmd, [explain, profile] { return info_command(*explain, *profile); }};
}

}  // namespace sysentry::cli
