#include "submission_build.hpp"

#include <chrono>
#include <fstream>
#include <iterator>
#include <sstream>

#include <fmt/format.h>
#include <re2/re2.h>

#include "sysentry/build_tool.hpp"
#include "sysentry/elf_image.hpp"
#include "sysentry/kernel_build.hpp"

namespace sysentry::grading {

namespace fs = std::filesystem;

namespace {

std::string source_line(const fs::path& file, size_t number) {
    std::ifstream in(file);
    std::string line;
    for (size_t n = 1; std::getline(in, line); ++n)
        if (n == number) return line;
    return "";
}

// The tool's first located error, with the source line it names shown under it;
// else the tool's first line of output. Errors in `source` are shown as `shown`.
std::string explain_failure(const std::string& tool, const std::string& output, const fs::path& shown,
                            const fs::path& source) {
    // RE2: a student's 300 KB token comes back in the assembler's message,
    // and std::regex would recurse once per character of it.
    static const RE2 kLocated(R"(([^:]*):(\d{1,9}):(?:\d+:)?\s*(?:Error|error|fatal error):\s*(.*))");
    std::istringstream lines(output);
    for (std::string line; std::getline(lines, line);) {
        std::string name, message;
        size_t number = 0;
        if (!RE2::FullMatch(line, kLocated, &name, &number, &message)) continue;
        fs::path file = name == source.string() ? source : fs::path(name);
        std::string out = fmt::format("{}:{}: {}", (file == source ? shown : file).string(), number, message);
        if (std::string text = source_line(file, number); !text.empty()) out += fmt::format("\n  {:>4} | {}", number, text);
        return out;
    }
    std::string first = output.substr(0, output.find('\n'));
    return fmt::format("{}: {} failed: {}", shown.string(), tool, first.empty() ? "no output" : first);
}

std::vector<std::string> c_compile(const Lesson& lesson, const fs::path& object, const fs::path& source) {
    std::vector<std::string> args{"gcc", "-c", "-fno-pie"};
    if (lesson.cflags.empty()) args.push_back("-O1");
    args.insert(args.end(), lesson.cflags.begin(), lesson.cflags.end());
    args.insert(args.end(), {"-o", object, source});
    return args;
}

// The command that turns `source` into `object`, by extension.
std::optional<std::vector<std::string>> compile_command(const Lesson& lesson, const fs::path& source,
                                                        const fs::path& object) {
    std::string ext = source.extension().string();
    if (ext == ".s") return std::vector<std::string>{"as", "--64", "-o", object, source};  // no gcc driver: faster
    if (ext == ".S") return std::vector<std::string>{"gcc", "-c", "-o", object, source};
    if (ext == ".asm" || ext == ".nasm") return std::vector<std::string>{"nasm", "-felf64", "-o", object, source};
    if (ext == ".c") return c_compile(lesson, object, source);
    return std::nullopt;
}

// harness.c with `#include SUBMISSION`: the harness compiled as the submission's object.
std::vector<std::string> including_harness(const Lesson& lesson, const fs::path& source, const fs::path& object) {
    auto args = c_compile(lesson, object, lesson.dir / *lesson.harness);
    args.insert(args.begin() + 2, fmt::format("-DSUBMISSION=\"{}\"", source.string()));
    return args;
}

// The .text sections the linker took from `object`, read from its map file.
std::vector<std::pair<uint64_t, uint64_t>> text_of(const fs::path& map, const fs::path& object) {
    static const RE2 kPlaced(R"(\s*(\.\S+)?\s+0x([0-9a-f]{1,16})\s+0x([0-9a-f]{1,16})\s+(\S+)\s*)");
    std::vector<std::pair<uint64_t, uint64_t>> ranges;
    std::ifstream in(map);
    std::string section;
    for (std::string line; std::getline(in, line);) {
        std::string name, object_file;
        uint64_t at = 0, size = 0;
        if (!RE2::FullMatch(line, kPlaced, &name, RE2::Hex(&at), RE2::Hex(&size), &object_file)) {
            if (line.starts_with(" .") && line.find(' ', 2) == std::string::npos) section = line.substr(1);  // wrapped
            continue;
        }
        if (!name.empty()) section = name;
        if (section.starts_with(".text") && object_file == object.string() && size) ranges.emplace_back(at, at + size);
        section.clear();
    }
    return ranges;
}

std::expected<void, BuildError> step(const std::vector<std::string>& command, const fs::path& shown,
                                     const fs::path& source, const fs::path& log) {
    ToolRun r = run_build_tool(command, log);
    if (r.status == 0) return {};
    if (r.status < 0 && r.output.starts_with("cannot run")) return std::unexpected(BuildError{r.output, true});
    return std::unexpected(BuildError{explain_failure(command[0], r.output, shown, source)});
}

std::expected<std::vector<uint8_t>, BuildError> read_bytes(const fs::path& path, const fs::path& shown) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return std::unexpected(BuildError{fmt::format("{}: cannot read", shown.string())});
    return std::vector<uint8_t>((std::istreambuf_iterator<char>(in)), {});
}

ProgramFacts program_facts(const ElfImage& image, const std::vector<uint8_t>& bytes, const Lesson& lesson) {
    ProgramFacts f;
    for (const ElfSegment& s : image.loads) {
        if (!s.executable) {
            if (s.filesz && s.file_offset + s.filesz <= bytes.size())
                f.file_data.emplace_back(s.vaddr, std::vector<uint8_t>(bytes.begin() + ptrdiff_t(s.file_offset),
                                                                       bytes.begin() + ptrdiff_t(s.file_offset + s.filesz)));
            continue;
        }
        f.text_begin = f.text_begin ? std::min(f.text_begin, s.vaddr) : s.vaddr;
        f.text_end = std::max(f.text_end, s.vaddr + s.filesz);
    }
    for (const ElfSymbol& sym : image.symbols)
        if (sym.is_function && std::ranges::find(lesson.harness_calls, sym.name) != lesson.harness_calls.end())
            f.harness_calls[sym.value] = sym.name;
    return f;
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

std::expected<std::optional<fs::path>, BuildError> build_harness(const Lesson& lesson, const fs::path& dir) {
    if (!lesson.harness || lesson.harness_includes_submission) return std::nullopt;
    fs::path source = lesson.dir / *lesson.harness, object = dir / "harness.o";
    auto done = step(c_compile(lesson, object, source), source, source, dir / "harness.log");
    if (!done) return std::unexpected(BuildError{"the lesson's harness: " + done.error().message, true});
    return object;
}

std::expected<BuiltSubmission, BuildError> build_submission(const Lesson& lesson, const fs::path& file,
                                                            const std::optional<fs::path>& harness_object,
                                                            const fs::path& workdir) {
    auto t0 = std::chrono::steady_clock::now();
    std::error_code ec;
    if (!fs::is_regular_file(file, ec)) return std::unexpected(BuildError{fmt::format("{}: no such file", file.string())});
    fs::path exe = file, log = workdir / "build.log", source = fs::absolute(file);
    fs::path object = workdir / "submission.o", map = workdir / "submission.map";
    std::optional<std::vector<std::string>> compile = lesson.harness_includes_submission
                                                          ? including_harness(lesson, source, object)
                                                          : compile_command(lesson, source, object);
    bool with_libc = lesson.harness || file.extension() == ".c";
    if (compile) {
        if (auto r = step(*compile, file, source, log); !r) return std::unexpected(r.error());
        exe = workdir / "submission";
        std::vector<std::string> link =
            with_libc ? std::vector<std::string>{"gcc", "-static", "-no-pie", "-Wl,-Map=" + map.string(), "-o", exe, object}
                      : std::vector<std::string>{"ld", "-static", "-o", exe, object};
        if (harness_object) link.push_back(*harness_object);
        if (auto r = step(link, file, source, log); !r) return std::unexpected(r.error());
    }
    double build_seconds = seconds_since(t0);
    auto bytes = read_bytes(exe, file);
    if (!bytes) return std::unexpected(bytes.error());
    auto image = parse_elf(*bytes);
    if (!image) return std::unexpected(BuildError{fmt::format("{}: {}", file.string(), describe(image.error()))});
    BuiltSubmission built{Program{std::move(*bytes), *image, "/" + file.filename().string(), {}, {}}, {}, build_seconds};
    built.facts = program_facts(*image, built.program.bytes, lesson);
    if (compile && with_libc) built.facts.student_code = text_of(map, object);
    else built.facts.student_code = {{built.facts.text_begin, built.facts.text_end}};
    return built;
}

fs::path kernel_source_dir() { return SYSENTRY_KERNEL_SOURCE_DIR; }

std::expected<fs::path, BuildError> build_kernel(const fs::path& source, const std::string& replaced,
                                                 const std::vector<fs::path>& extra, const fs::path& workdir) {
    std::error_code ec;
    if (!fs::is_regular_file(source, ec)) return std::unexpected(BuildError{fmt::format("{}: no such file", source.string())});
    const fs::path ours = kernel_source_dir(), log = workdir / "kernel.log";
    std::vector<fs::path> sources = extra;
    for (const char* name : {"head_64.S", "syscall_init.S", "carrier.S", "entry_64.S"})
        sources.push_back(name == replaced ? fs::absolute(source) : ours / name);
    std::vector<std::string> link{"ld", "-T", ours / "kernel.ld", "-o", workdir / "kernel.elf"};
    for (size_t i = 0; i < sources.size(); ++i) {
        fs::path object = workdir / fmt::format("kernel{}.o", i);
        std::vector<std::string> as{"gcc", "-c", "-I" SYSENTRY_INCLUDE_DIR, "-o", object, sources[i]};
        fs::path shown = sources[i] == fs::absolute(source) ? source : sources[i];
        if (auto r = step(as, shown, sources[i], log); !r) return std::unexpected(r.error());
        link.push_back(object);
    }
    if (auto r = step(link, source, source, log); !r) return std::unexpected(r.error());
    return workdir / "kernel.elf";
}

std::expected<fs::path, std::string> build_guest_kernel(const fs::path& source, const std::string& replaced,
                                                       const std::vector<fs::path>& extra, const fs::path& workdir) {
    auto built = build_kernel(source, replaced, extra, workdir);
    if (!built) return std::unexpected(built.error().message);
    return *built;
}

}  // namespace sysentry::grading
