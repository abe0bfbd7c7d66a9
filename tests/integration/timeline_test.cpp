// The privilege-transition views: the terminal strip (`run --timeline`), the
// Chrome trace-event JSON (`--perfetto`) and the HTML page (`timeline -o`),
// which headless Chromium loads, clicks through its URL hash, and photographs.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "sysentry/timeline.hpp"
#include "support/guest.hpp"

namespace sysentry::test {
namespace {

using nlohmann::json;

constexpr std::string_view kHelloWrite = "write(1, \"hello\\n\", 6)                  = 6";

// ------------------------------------------------------------ the strip ----

Timeline half_and_half() {
    Timeline t;
    t.total = 100;
    t.spans = {{0, 50, 0, 1}, {50, 100, 3, 1}};
    t.marks.push_back({MarkKind::syscall, 95, 1, 3, 0, "SYSCALL exit", {}, {}, {}, ""});
    return t;
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string l; std::getline(in, l);) out.push_back(l);
    return out;
}

TEST(timeline_strip, ascii_lanes_show_where_each_ring_ran) {
    auto lines = lines_of(timeline_strip(half_and_half(), 10, false));
    ASSERT_GE(lines.size(), 4u);
    EXPECT_EQ(lines[0], "ring 3 |     #####|");
    EXPECT_EQ(lines[1], "ring 0 |#####     |");
    EXPECT_EQ(lines[2], "marks  |         S|");
    EXPECT_NE(lines[3].find("100 instructions"), std::string::npos) << lines[3];
}

TEST(timeline_strip, a_column_shared_by_both_rings_shows_partial_bars) {
    Timeline t = half_and_half();
    auto lines = lines_of(timeline_strip(t, 3, false));  // 33.3 instructions a column; the middle one is half and half
    EXPECT_EQ(lines[0], "ring 3 | :#|");
    EXPECT_EQ(lines[1], "ring 0 |#: |");
    auto fancy = lines_of(timeline_strip(t, 3, true));
    EXPECT_NE(fancy[0].find(" ▄█"), std::string::npos) << fancy[0];
    EXPECT_NE(fancy[0].find("\033["), std::string::npos);  // coloured
}

TEST(timeline_strip, run_timeline_prints_plain_ascii_off_a_terminal) {
    ProcessRun run = run_cli({"run", "--timeline", example("hello").string()});
    ASSERT_EQ(run.exit_code, 0) << describe(run);
    EXPECT_EQ(run.out, "hello\n");
    EXPECT_NE(run.err.find("ring 3 |"), std::string::npos) << run.err;
    EXPECT_NE(run.err.find("ring 0 |"), std::string::npos) << run.err;
    EXPECT_TRUE(std::ranges::none_of(run.err, [](char c) { return c == '\033' || (unsigned char)c >= 0x80; }))
        << run.err;
    auto lines = lines_of(run.err);
    ASSERT_GE(lines.size(), 3u);
    EXPECT_EQ(std::ranges::count(lines[2], 'S'), 2) << lines[2];  // write and exit (one column each at most)
    EXPECT_NE(lines[2].find('x'), std::string::npos) << lines[2];
}

// ------------------------------------------------------------- perfetto ----

TEST(perfetto, hello_has_a_track_per_ring_and_a_slice_per_syscall) {
    ScratchRoot dir = temp_dir("sysentry-perfetto");
    fs::path out = dir.path() / "run.json";
    ProcessRun run = run_cli({"run", "--deterministic", "--perfetto", out.string(), example("hello").string()});
    ASSERT_EQ(run.exit_code, 0) << describe(run);
    json doc = json::parse(read_file(out));  // throws, failing the test, unless valid JSON
    ASSERT_TRUE(doc["traceEvents"].is_array());
    std::set<std::string> threads;
    std::vector<json> calls, rings, instants;
    for (const json& e : doc["traceEvents"]) {
        ASSERT_TRUE(e.contains("ph") && e.contains("pid"));
        if (e["ph"] == "M" && e["name"] == "thread_name") threads.insert(e["args"]["name"]);
        if (e["ph"] == "X" && e["cat"] == "syscall") calls.push_back(e);
        if (e["ph"] == "X" && e["cat"] == "ring") rings.push_back(e);
        if (e["ph"] == "i") instants.push_back(e);
    }
    EXPECT_EQ(threads, (std::set<std::string>{"ring 3 (user)", "ring 0 (kernel)"}));
    ASSERT_EQ(calls.size(), 3u);  // execve (the spawn), write, exit
    EXPECT_EQ(calls[1]["name"], "write");
    EXPECT_EQ(calls[1]["args"]["strace"], kHelloWrite);
    EXPECT_EQ(calls[1]["args"]["ret"], 6);
    EXPECT_EQ(calls[2]["name"], "exit");
    // Ring slices tile the run: each starts where the last ended, rings alternate.
    ASSERT_GE(rings.size(), 4u);
    for (size_t i = 1; i < rings.size(); ++i) {
        EXPECT_EQ(rings[i]["ts"], rings[i - 1]["ts"].get<uint64_t>() + rings[i - 1]["dur"].get<uint64_t>());
        EXPECT_NE(rings[i]["name"], rings[i - 1]["name"]);
    }
    EXPECT_EQ(rings.front()["name"], "ring 0");  // boot
    uint64_t end = rings.back()["ts"].get<uint64_t>() + rings.back()["dur"].get<uint64_t>();
    EXPECT_EQ(end, doc["otherData"]["instructions"].get<uint64_t>());
    // The write's slice lies inside a ring-0 slice.
    uint64_t at = calls[1]["ts"];
    EXPECT_TRUE(std::ranges::any_of(rings, [&](const json& r) {
        return r["name"] == "ring 0" && r["ts"].get<uint64_t>() <= at && at < r["ts"].get<uint64_t>() + r["dur"].get<uint64_t>();
    }));
    std::vector<std::string> names;
    for (const json& e : instants) names.push_back(e["name"]);
    EXPECT_NE(std::ranges::find(names, "SYSCALL write"), names.end());
    EXPECT_NE(std::ranges::find(names, "SYSRET from write"), names.end());
    EXPECT_NE(std::ranges::find(names, "IRET from execve"), names.end());  // boot enters ring 3 by IRET
}

// --------------------------------------------------------- the HTML page ----

// The data the page embeds (its only script input).
json page_data(const std::string& html) {
    const std::string open = "id=\"timeline-data\">";
    size_t from = html.find(open);
    size_t to = html.find("</script>", from);
    if (from == std::string::npos || to == std::string::npos) return json();
    return json::parse(html.substr(from + open.size(), to - from - open.size()));
}

std::optional<fs::path> chromium() {
    for (const char* p : {"/usr/bin/chromium", "/usr/bin/chromium-browser"})
        if (fs::exists(p)) return fs::path(p);
    return std::nullopt;
}

ProcessRun headless(const fs::path& browser, const fs::path& profile, std::vector<std::string> args) {
    std::vector<std::string> cmd = {browser.string(), "--headless", "--no-sandbox", "--disable-gpu",
                                    "--disable-dev-shm-usage", "--user-data-dir=" + profile.string()};
    cmd.insert(cmd.end(), args.begin(), args.end());
    return run_process(cmd, {.timeout = std::chrono::seconds(90)});
}

TEST(timeline_page, is_self_contained_and_chromium_shows_the_marks_and_a_clicked_call) {
    ScratchRoot dir = temp_dir("sysentry-timeline");
    fs::path page = dir.path() / "run.html", trace = dir.path() / "run.json";
    ProcessRun run = run_cli({"timeline", "--deterministic", "-o", page.string(), "--perfetto", trace.string(),
                              example("hello").string()});
    ASSERT_EQ(run.exit_code, 0) << describe(run);
    EXPECT_EQ(run.out, "hello\n");
    EXPECT_TRUE(fs::exists(trace));
    std::string html = read_file(page);
    // Nothing to fetch: no external scripts, styles or images.
    for (std::string_view external : {"src=", "<link", "@import", "https://", "url("})
        EXPECT_EQ(html.find(external), std::string::npos) << external;
    json data = page_data(html);
    ASSERT_TRUE(data.is_object()) << "no embedded data";
    size_t marks = data["marks"].size(), write_mark = marks;
    for (size_t i = 0; i < marks; ++i)
        if (data["marks"][i]["title"] == "SYSCALL write") write_mark = i;
    ASSERT_LT(write_mark, marks);

    auto browser = chromium();
    if (!browser) GTEST_SKIP() << "chromium is not installed (.ci/install-deps installs it)";
    std::string url = "file://" + page.string() + "#mark=" + std::to_string(write_mark);
    ProcessRun dom = headless(*browser, dir.path() / "profile", {"--dump-dom", url});
    ASSERT_EQ(dom.exit_code, 0) << describe(dom);
    // Every mark drawn (the whole run is in view), and the clicked one's details.
    size_t drawn = 0;
    for (size_t at = dom.out.find("<g class=\"mark"); at != std::string::npos; at = dom.out.find("<g class=\"mark", at + 1))
        ++drawn;
    EXPECT_EQ(drawn, marks);
    EXPECT_NE(dom.out.find("class=\"mark k-SYSCALL selected\""), std::string::npos);
    EXPECT_NE(dom.out.find("<h2>SYSCALL write</h2>"), std::string::npos) << dom.out;
    EXPECT_NE(dom.out.find("write(1, \"hello\\n\", 6)"), std::string::npos) << dom.out;
    EXPECT_NE(dom.out.find("<td>cs</td><td>0x33</td><td>0x10</td>"), std::string::npos) << dom.out;
    EXPECT_NE(dom.out.find("<td>LSTAR</td>"), std::string::npos) << dom.out;

    // A picture of it, kept as a build artifact.
    fs::create_directories(SYSENTRY_ARTIFACTS_DIR);
    fs::path shot = fs::path(SYSENTRY_ARTIFACTS_DIR) / "timeline.png";
    fs::remove(shot);
    ProcessRun photo = headless(*browser, dir.path() / "profile",
                                {"--hide-scrollbars", "--window-size=1280,800", "--screenshot=" + shot.string(), url});
    ASSERT_EQ(photo.exit_code, 0) << describe(photo);
    std::string png = read_file(shot);
    ASSERT_GT(png.size(), 1000u);
    EXPECT_EQ(png.substr(1, 3), "PNG");
}

}  // namespace
}  // namespace sysentry::test
