#include "sysentry/program_source.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <fmt/format.h>
#include <iterator>
#include <sstream>

#include "sysentry/scratch_root.hpp"

extern char** environ;

namespace sysentry {

namespace fs = std::filesystem;

SourceKind source_kind(const fs::path& path) {
    auto ext = path.extension().string();
    if (ext == ".s" || ext == ".S") return SourceKind::gnu_as;
    if (ext == ".asm" || ext == ".nasm") return SourceKind::nasm;
    return SourceKind::elf;
}

// Runs a tool with its output captured; returns the exit status and what it printed.
static std::pair<int, std::string> run_tool(const std::vector<std::string>& args, const fs::path& log) {
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    pid_t pid;
    int rc = posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) return {-1, fmt::format("cannot run {}: {}", args[0], std::strerror(rc))};
    int status = 0;
    waitpid(pid, &status, 0);
    std::ifstream in(log);
    std::string out((std::istreambuf_iterator<char>(in)), {});
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
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
        auto [status, out] = run_tool(step, log);
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
