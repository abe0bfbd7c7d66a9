#include "gdb_registers.hpp"

#include <fmt/format.h>
#include <unicorn/unicorn.h>

#include <array>

namespace sysentry::gdb {

namespace {

constexpr size_t kGpr = 8, kSeg = 4, kX87 = 10, kXmm = 16;

// The order is gdb's amd64-linux numbering: core (0-39), sse (40-56), linux's
// orig_rax (57; its presence is what turns on gdb's `catch syscall`), segments (58-59).
// Segment selectors are not writable: a selector load cannot change the CPL in
// this engine (shared notes, item 3), so a write would only mislead.
constexpr std::array<RegisterInfo, 60> kRegisters{{
    {"rax", UC_X86_REG_RAX, kGpr, "int64", "core", true},
    {"rbx", UC_X86_REG_RBX, kGpr, "int64", "core", true},
    {"rcx", UC_X86_REG_RCX, kGpr, "int64", "core", true},
    {"rdx", UC_X86_REG_RDX, kGpr, "int64", "core", true},
    {"rsi", UC_X86_REG_RSI, kGpr, "int64", "core", true},
    {"rdi", UC_X86_REG_RDI, kGpr, "int64", "core", true},
    {"rbp", UC_X86_REG_RBP, kGpr, "data_ptr", "core", true},
    {"rsp", UC_X86_REG_RSP, kGpr, "data_ptr", "core", true},
    {"r8", UC_X86_REG_R8, kGpr, "int64", "core", true},
    {"r9", UC_X86_REG_R9, kGpr, "int64", "core", true},
    {"r10", UC_X86_REG_R10, kGpr, "int64", "core", true},
    {"r11", UC_X86_REG_R11, kGpr, "int64", "core", true},
    {"r12", UC_X86_REG_R12, kGpr, "int64", "core", true},
    {"r13", UC_X86_REG_R13, kGpr, "int64", "core", true},
    {"r14", UC_X86_REG_R14, kGpr, "int64", "core", true},
    {"r15", UC_X86_REG_R15, kGpr, "int64", "core", true},
    {"rip", UC_X86_REG_RIP, kGpr, "code_ptr", "core", true},
    {"eflags", UC_X86_REG_EFLAGS, 4, "i386_eflags", "core", true},
    {"cs", UC_X86_REG_CS, kSeg, "int32", "core", false},
    {"ss", UC_X86_REG_SS, kSeg, "int32", "core", false},
    {"ds", UC_X86_REG_DS, kSeg, "int32", "core", false},
    {"es", UC_X86_REG_ES, kSeg, "int32", "core", false},
    {"fs", UC_X86_REG_FS, kSeg, "int32", "core", false},
    {"gs", UC_X86_REG_GS, kSeg, "int32", "core", false},
    {"st0", UC_X86_REG_ST0, kX87, "i387_ext", "core", true},
    {"st1", UC_X86_REG_ST1, kX87, "i387_ext", "core", true},
    {"st2", UC_X86_REG_ST2, kX87, "i387_ext", "core", true},
    {"st3", UC_X86_REG_ST3, kX87, "i387_ext", "core", true},
    {"st4", UC_X86_REG_ST4, kX87, "i387_ext", "core", true},
    {"st5", UC_X86_REG_ST5, kX87, "i387_ext", "core", true},
    {"st6", UC_X86_REG_ST6, kX87, "i387_ext", "core", true},
    {"st7", UC_X86_REG_ST7, kX87, "i387_ext", "core", true},
    {"fctrl", UC_X86_REG_FPCW, 4, "int", "core", true},
    {"fstat", UC_X86_REG_FPSW, 4, "int", "core", true},
    {"ftag", UC_X86_REG_FPTAG, 4, "int", "core", true},
    {"fiseg", UC_X86_REG_FCS, 4, "int", "core", true},
    {"fioff", UC_X86_REG_FIP, 4, "int", "core", true},
    {"foseg", UC_X86_REG_FDS, 4, "int", "core", true},
    {"fooff", UC_X86_REG_FDP, 4, "int", "core", true},
    {"fop", UC_X86_REG_FOP, 4, "int", "core", true},
    {"xmm0", UC_X86_REG_XMM0, kXmm, "vec128", "sse", true},
    {"xmm1", UC_X86_REG_XMM1, kXmm, "vec128", "sse", true},
    {"xmm2", UC_X86_REG_XMM2, kXmm, "vec128", "sse", true},
    {"xmm3", UC_X86_REG_XMM3, kXmm, "vec128", "sse", true},
    {"xmm4", UC_X86_REG_XMM4, kXmm, "vec128", "sse", true},
    {"xmm5", UC_X86_REG_XMM5, kXmm, "vec128", "sse", true},
    {"xmm6", UC_X86_REG_XMM6, kXmm, "vec128", "sse", true},
    {"xmm7", UC_X86_REG_XMM7, kXmm, "vec128", "sse", true},
    {"xmm8", UC_X86_REG_XMM8, kXmm, "vec128", "sse", true},
    {"xmm9", UC_X86_REG_XMM9, kXmm, "vec128", "sse", true},
    {"xmm10", UC_X86_REG_XMM10, kXmm, "vec128", "sse", true},
    {"xmm11", UC_X86_REG_XMM11, kXmm, "vec128", "sse", true},
    {"xmm12", UC_X86_REG_XMM12, kXmm, "vec128", "sse", true},
    {"xmm13", UC_X86_REG_XMM13, kXmm, "vec128", "sse", true},
    {"xmm14", UC_X86_REG_XMM14, kXmm, "vec128", "sse", true},
    {"xmm15", UC_X86_REG_XMM15, kXmm, "vec128", "sse", true},
    {"mxcsr", UC_X86_REG_MXCSR, 4, "i386_mxcsr", "sse", true},
    {"orig_rax", kOrigRax, kGpr, "int", "linux", false},
    {"fs_base", UC_X86_REG_FS_BASE, kGpr, "int", "segments", true},
    {"gs_base", UC_X86_REG_GS_BASE, kGpr, "int", "segments", true},
}};

// The types the registers above name, per feature (gdb's own vocabulary).
constexpr std::string_view kCoreTypes = R"(<flags id="i386_eflags" size="4">
<field name="CF" start="0" end="0"/><field name="" start="1" end="1"/><field name="PF" start="2" end="2"/>
<field name="AF" start="4" end="4"/><field name="ZF" start="6" end="6"/><field name="SF" start="7" end="7"/>
<field name="TF" start="8" end="8"/><field name="IF" start="9" end="9"/><field name="DF" start="10" end="10"/>
<field name="OF" start="11" end="11"/><field name="NT" start="14" end="14"/><field name="RF" start="16" end="16"/>
<field name="VM" start="17" end="17"/><field name="AC" start="18" end="18"/><field name="VIF" start="19" end="19"/>
<field name="VIP" start="20" end="20"/><field name="ID" start="21" end="21"/></flags>
)";
constexpr std::string_view kSseTypes = R"(<vector id="v4f" type="ieee_single" count="4"/>
<vector id="v2d" type="ieee_double" count="2"/><vector id="v16i8" type="int8" count="16"/>
<vector id="v8i16" type="int16" count="8"/><vector id="v4i32" type="int32" count="4"/>
<vector id="v2i64" type="int64" count="2"/>
<union id="vec128"><field name="v4_float" type="v4f"/><field name="v2_double" type="v2d"/>
<field name="v16_int8" type="v16i8"/><field name="v8_int16" type="v8i16"/>
<field name="v4_int32" type="v4i32"/><field name="v2_int64" type="v2i64"/>
<field name="uint128" type="uint128"/></union>
<flags id="i386_mxcsr" size="4"><field name="IE" start="0" end="0"/><field name="DE" start="1" end="1"/>
<field name="ZE" start="2" end="2"/><field name="OE" start="3" end="3"/><field name="UE" start="4" end="4"/>
<field name="PE" start="5" end="5"/><field name="DAZ" start="6" end="6"/><field name="IM" start="7" end="7"/>
<field name="DM" start="8" end="8"/><field name="ZM" start="9" end="9"/><field name="OM" start="10" end="10"/>
<field name="UM" start="11" end="11"/><field name="PM" start="12" end="12"/><field name="FZ" start="15" end="15"/></flags>
)";

std::string build_description() {
    std::string xml = "<?xml version=\"1.0\"?>\n<!DOCTYPE target SYSTEM \"gdb-target.dtd\">\n<target>\n"
                      "<architecture>i386:x86-64</architecture>\n<osabi>GNU/Linux</osabi>\n";
    std::string_view open_feature;
    for (size_t n = 0; n < kRegisters.size(); ++n) {
        const RegisterInfo& r = kRegisters[n];
        if (r.feature != open_feature) {
            if (!open_feature.empty()) xml += "</feature>\n";
            open_feature = r.feature;
            xml += fmt::format("<feature name=\"org.gnu.gdb.i386.{}\">\n", r.feature);
            if (r.feature == "core") xml += kCoreTypes;
            if (r.feature == "sse") xml += kSseTypes;
        }
        xml += fmt::format("<reg name=\"{}\" bitsize=\"{}\" type=\"{}\" regnum=\"{}\"/>\n", r.name, r.bytes * 8,
                           r.type, n);
    }
    return xml + "</feature>\n</target>\n";
}

}  // namespace

std::span<const RegisterInfo> registers() { return kRegisters; }

const std::string& target_description() {
    static const std::string xml = build_description();
    return xml;
}

}  // namespace sysentry::gdb
