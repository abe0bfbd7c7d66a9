#include "sysentry/program_source.hpp"

#include <fstream>
#include <fmt/format.h>
#include <iterator>
#include <sstream>

#include "sysentry/build_tool.hpp"
#include "sysentry/scratch_root.hpp"

namespace sysentry {

namespace fs = std::filesystem;

SourceKind source_kind(const fs::path& path) {
    auto ext = path.extension().string();
    if (ext == ".s" || ext == ".S") return SourceKind::gnu_as;
    if (ext == ".asm" || ext == ".nasm") return SourceKind::nasm;
    return SourceKind::elf;
}

// The line of a tool's output that names the problem ("file.s:3: Error: ..."), else its first.
static std::string first_error_line(const std::string& out) {
    std::istringstream lines(out);
    for (std::string line; std::getline(lines, line);)
        if (line.find("rror") != std::string::npos) return line;
    return out.substr(0, out.find('\n'));
}

static std::expected<fs::path, ProgramError> build(const fs::path& source, SourceKind kind, const fs::path& dir) {
    fs::path obj = dir / "program.o", exe = dir / "program", log = dir / "build.log";
    std::vector<std::string> assemble =
        kind == SourceKind::nasm ? std::vector<std::string>{"nasm", "-felf64", "-o", obj, source}
                                 : std::vector<std::string>{"gcc", "-c", "-o", obj, source};
    for (auto& step : {assemble, std::vector<std::string>{"ld", "-static", "-o", exe, obj}}) {
        auto [status, out] = run_build_tool(step, log);
        if (status != 0) {
            std::string first = first_error_line(out);
            return std::unexpected(ProgramError{ProgramError::Kind::cannot_build,
                                                fmt::format("{}: {} failed: {}", source.string(), step[0],
                                                            first.empty() ? "no output" : first)});
        }
    }
    return exe;
}

static std::expected<std::vector<uint8_t>, ProgramError> read_file(const fs::path& path, const fs::path& shown) {
    std::ifstream in(path, std::ios::binary | std::ios::ate);
    std::vector<uint8_t> bytes(in ? size_t(in.tellg()) : 0);
    if (!in || !in.seekg(0).read(reinterpret_cast<char*>(bytes.data()), std::streamsize(bytes.size())))
        return std::unexpected(ProgramError{ProgramError::Kind::not_runnable,
                                            fmt::format("{}: cannot read", shown.string())});
    return bytes;
}

std::expected<Program, ProgramError> prepare_program(const fs::path& path, std::vector<std::string> argv,
                                                     std::vector<std::string> envp) {
    std::error_code ec;
    if (!fs::exists(path, ec))
        return std::unexpected(ProgramError{ProgramError::Kind::not_found, fmt::format("{}: no such file", path.string())});
    if (fs::is_directory(path, ec))
        return std::unexpected(ProgramError{ProgramError::Kind::not_runnable, fmt::format("{}: is a directory", path.string())});
    fs::path elf_path = path;
    std::optional<ScratchRoot> workdir;
    if (SourceKind kind = source_kind(path); kind != SourceKind::elf) {
        auto dir = ScratchRoot::create("sysentry-build");
        if (!dir) return std::unexpected(ProgramError{ProgramError::Kind::cannot_build, "cannot create a build directory"});
        workdir.emplace(std::move(*dir));
        auto exe = build(fs::absolute(path), kind, workdir->path());
        if (!exe) return std::unexpected(exe.error());
        elf_path = *exe;
    }
    auto bytes = read_file(elf_path, path);
    if (!bytes) return std::unexpected(bytes.error());
    auto image = parse_elf(*bytes);
    if (!image)
        return std::unexpected(ProgramError{ProgramError::Kind::not_runnable,
                                            fmt::format("{}: {}", path.string(), describe(image.error()))});
    Program p{std::move(*bytes), std::move(*image), path.string(), std::move(argv), std::move(envp)};
    if (p.argv.empty()) p.argv.push_back(path.string());
    return p;
}

}  // namespace sysentry
