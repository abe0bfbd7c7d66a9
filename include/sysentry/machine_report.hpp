// `sysentry info`: the booted machine described for a student. Reads the GDT,
// TSS, IDT and MSRs from the machine itself, never from constants.
#pragma once
#include <string>

namespace sysentry {

class Machine;
class TransitionModel;

std::string describe_gdt(Machine& machine);
std::string describe_tss(Machine& machine);
std::string describe_idt_entry(Machine& machine, unsigned vector);
std::string describe_msrs(const Machine& machine, const TransitionModel& model);
std::string explain_modern_linux();  // where today's kernels differ from the seed's syscall_init

}  // namespace sysentry
