// Reading a window of a CEL file (cel/cel_file.h) on Asterisk's real CEL
// logs: exactly the lines stamped in the window, found without reading the
// whole file (a 1 GB file, timed), and what is not a CEL line kept beside
// them: garbage, lines without a time, an unfinished last line, an empty or
// missing file.
#include "cel/cel_file.h"

#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <chrono>
#include <fstream>
#include <string>
#include <vector>

#include "cel_files.h"
#include "core/utc_time.h"
#include "support/fixtures.h"
#include "support/temp_dir.h"

namespace callledger::cel {
namespace {

using testing::CelLines;
using testing::CelLinesIn;
using testing::CelTime;
using testing::TempDir;

struct Scanned {
  std::vector<std::string> lines;
  std::vector<payload::CelBadLine> bad;
  CelScanSummary summary;
};

Scanned Scan(const std::filesystem::path& path, std::int64_t since_us, std::int64_t until_us,
             CelScanOptions options = {}) {
  auto file = CelFile::Open(path, options);
  INFO(file.status().ToString());
  REQUIRE(file.ok());
  Scanned out;
  CelWindowVisitor visit{[&](payload::JsonText line) {
                           out.lines.push_back(line.text());
                           return true;
                         },
                         [&](payload::CelBadLine bad) {
                           out.bad.push_back(std::move(bad));
                           return true;
                         }};
  REQUIRE(file->ScanWindow(since_us, until_us, visit, &out.summary).ok());
  return out;
}

std::int64_t Ari(const std::string& timestamp) {
  auto t = ParseIsoTimestamp(timestamp);
  REQUIRE(t.has_value());
  return *t;
}

TEST_CASE(
    "q-observer-gap: the window of the observer's gap gives exactly the lines stamped in it") {
  const auto path = testing::CelCapture("q-observer-gap");
  const auto all = CelLines("q-observer-gap");
  // The observer's last frame before the gap and its first after it
  // (fixtures/asterisk-cel/README.md).
  const std::int64_t since = Ari("2026-12-07T16:48:05.172+0500");
  const std::int64_t until = Ari("2026-12-07T16:48:08.604+0500");
  const auto expected = CelLinesIn(all, since, until);
  REQUIRE(expected.size() > 100);
  REQUIRE(expected.size() < all.size() / 2);
  const Scanned got = Scan(path, since, until);
  CHECK(got.lines == expected);
  CHECK(got.bad.empty());
  CHECK(got.summary.unterminated_bytes == 0);
  // Among them, q03's call channel hung up with cause 16 inside the gap.
  bool q03_hangup = false;
  for (const auto& line : got.lines) {
    q03_hangup |= line.find("\"eventtype\":\"HANGUP\"") != std::string::npos &&
                  line.find("\"uniqueid\":\"1796644083.443\"") != std::string::npos &&
                  line.find("hangupcause\\\":16") != std::string::npos;
  }
  CHECK(q03_hangup);
}

TEST_CASE("windows anywhere in every CEL capture equal a filter of the whole file") {
  for (const char* scenario : {"a-inbound-answered", "h-inbound-utf8-callername",
                               "k1-transfer-hold-dtmf", "p-burst-80", "q-observer-gap"}) {
    const auto all = CelLines(scenario);
    const std::int64_t first = CelTime(all.front()), last = CelTime(all.back());
    std::vector<std::pair<std::int64_t, std::int64_t>> windows = {
        {first - 10'000'000, first - 1},  // before the file: nothing
        {last + 1, last + 10'000'000},    // after it: nothing
        {first, last},                    // all of it
        {first - 1, first},               // the first instant
    };
    for (std::size_t i = 0; i < all.size(); i += all.size() / 7 + 1) {
      for (std::size_t j = i; j < all.size(); j += all.size() / 3 + 1) {
        windows.emplace_back(CelTime(all[i]), CelTime(all[j]));
        windows.emplace_back(CelTime(all[i]) + 1, CelTime(all[j]) - 1);
      }
    }
    for (const auto& [since, until] : windows) {
      INFO(scenario << " [" << since << ", " << until << "]");
      const Scanned got = Scan(testing::CelCapture(scenario), since, until);
      CHECK(got.lines == CelLinesIn(all, since, until));
      CHECK(got.bad.empty());
    }
  }
}

TEST_CASE("a 1 GB CEL file: a window is found in a few reads, not by reading the file") {
  TempDir dir("cel-1gb");
  const auto path = dir / "cel.jsonl";
  // q-observer-gap's lines over and over, each copy later by the capture's
  // span, as a PBX's log grows for days.
  const auto lines = CelLines("q-observer-gap");
  const std::int64_t span = CelTime(lines.back()) - CelTime(lines.front()) + 1'000'000;
  std::size_t block_bytes = 0;
  for (const auto& line : lines) block_bytes += line.size() + 1;
  const std::size_t copies = (std::size_t{1} << 30) / block_bytes + 1;
  const auto write_start = std::chrono::steady_clock::now();
  {
    std::ofstream out(path, std::ios::binary);
    std::string block;
    for (std::size_t copy = 0; copy < copies; ++copy) {
      block.clear();
      for (const auto& line : lines) {
        block += testing::ShiftCelLine(line, static_cast<std::int64_t>(copy) * span);
        block += '\n';
      }
      out << block;
    }
    REQUIRE(out.good());
  }
  const double write_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - write_start).count();
  REQUIRE(std::filesystem::file_size(path) >= (std::uint64_t{1} << 30));

  // The observer's gap, in a copy two thirds into the file.
  const std::size_t copy = copies * 2 / 3;
  const std::int64_t shift = static_cast<std::int64_t>(copy) * span;
  const std::int64_t since = Ari("2026-12-07T16:48:05.172+0500");
  const std::int64_t until = Ari("2026-12-07T16:48:08.604+0500");
  std::vector<std::string> expected;
  for (const auto& line : CelLinesIn(lines, since, until)) {
    expected.push_back(testing::ShiftCelLine(line, shift));
  }
  const auto start = std::chrono::steady_clock::now();
  const Scanned got = Scan(path, since + shift, until + shift);
  const double scan_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  WARN("1 GB CEL file (" << copies * lines.size() << " lines) written in " << write_s
                         << " s; window of " << got.lines.size() << " lines read in "
                         << scan_s * 1000 << " ms");
  CHECK(got.lines == expected);
  // Reading and parsing 1 GB of lines takes seconds; the search, milliseconds.
  CHECK(scan_s < 1.0);
}

TEST_CASE("lines that are not CEL lines are kept when they lie next to the window") {
  TempDir dir("cel-garbage");
  const auto path = dir / "cel.jsonl";
  const auto at = [](int s) {
    return R"({"eventtype":"ANSWER","eventtime":")" + std::to_string(s) +
           R"(.000000","uniqueid":"1.)" + std::to_string(s) + R"("})";
  };
  const std::string not_utf8 = "\xff\xfe garbage";
  const std::string longer(20000, 'x');
  testing::WriteFile(path, at(1) + "\n" + "not JSON at all\n" + at(2) + "\n" +
                               R"({"eventtype":"HANGUP"})" + "\n" + at(3) + "\n" + not_utf8 + "\n" +
                               longer + "\n" + at(10) + "\n" + "[1,2]\n");
  SECTION("inside the window and at its edges") {
    const Scanned got = Scan(path, 2'000'000, 3'000'000);
    CHECK(got.lines == std::vector<std::string>{at(2), at(3)});
    REQUIRE(got.bad.size() == 4);
    CHECK(got.bad[0].bytes == "not JSON at all");
    CHECK(got.bad[0].offset == at(1).size() + 1);
    CHECK_THAT(got.bad[0].why, Catch::Contains("not valid JSON"));
    CHECK(got.bad[1].bytes == R"({"eventtype":"HANGUP"})");
    CHECK_THAT(got.bad[1].why, Catch::Contains("no eventtime"));
    CHECK(got.bad[2].bytes == not_utf8);
    CHECK(got.bad[3].bytes == longer.substr(0, 16 * 1024));
    CHECK_THAT(got.bad[3].why, Catch::Contains("longer than 16384 bytes (20000)"));
    CHECK(got.summary.bad_lines == 4);
  }
  SECTION("a window that ends the file keeps what follows its last line") {
    const Scanned got = Scan(path, 10'000'000, 11'000'000);
    CHECK(got.lines == std::vector<std::string>{at(10)});
    REQUIRE(got.bad.size() == 3);
    CHECK(got.bad[0].bytes == not_utf8);
    CHECK(got.bad[2].bytes == "[1,2]");
  }
  SECTION("a window with no line of its own keeps none of them") {
    const Scanned got = Scan(path, 4'000'000, 9'000'000);
    CHECK(got.lines.empty());
    CHECK(got.bad.empty());
  }
  SECTION("a long run of them stops the scan") {
    std::string run;
    for (int i = 0; i < 50; ++i) run += "garbage " + std::to_string(i) + "\n";
    testing::WriteFile(path, at(1) + "\n" + run + at(2) + "\n");
    CelScanOptions options;
    options.max_bad_lines_in_a_row = 10;
    const Scanned got = Scan(path, 1'000'000, 2'000'000, options);
    CHECK(got.lines == std::vector<std::string>{at(1)});
    CHECK(got.bad.size() == 10);
    CHECK(got.summary.stopped_on_bad_lines);
  }
}

TEST_CASE("a last line not yet ended by a line feed is not read until it is") {
  TempDir dir("cel-partial");
  const auto path = dir / "cel.jsonl";
  const auto lines = CelLines("b-inbound-abandoned");
  const std::string last = lines.back();
  const std::vector<std::string> head(lines.begin(), lines.end() - 1);
  testing::WriteFile(path, testing::Joined(head) + last.substr(0, 40));
  const std::int64_t since = CelTime(lines.front()), until = CelTime(last);

  Scanned got = Scan(path, since, until);
  CHECK(got.lines == head);
  CHECK(got.summary.unterminated_bytes == 40);
  auto file = CelFile::Open(path);
  REQUIRE(file.ok());
  auto tail = file->Tail();
  REQUIRE(tail.ok());
  CHECK_FALSE(tail->ends_with_line_feed);
  CHECK(tail->unterminated_bytes == 40);
  CHECK(tail->last_time_us == CelTime(head.back()));

  testing::AppendFile(path, last.substr(40) + "\n");
  got = Scan(path, since, until);
  CHECK(got.lines == lines);
  CHECK(got.summary.unterminated_bytes == 0);
  file = CelFile::Open(path);
  REQUIRE(file.ok());
  tail = file->Tail();
  REQUIRE(tail.ok());
  CHECK(tail->ends_with_line_feed);
  CHECK(tail->last_time_us == CelTime(last));
}

TEST_CASE("an empty file has no lines, and a missing one or a directory cannot be opened") {
  TempDir dir("cel-empty");
  testing::WriteFile(dir / "empty.jsonl", "");
  const Scanned got = Scan(dir / "empty.jsonl", 0, INT64_MAX / 2);
  CHECK(got.lines.empty());
  CHECK(got.bad.empty());
  auto empty = CelFile::Open(dir / "empty.jsonl");
  REQUIRE(empty.ok());
  CHECK(empty->identity().size == 0);
  auto first = empty->FirstEventTime();
  REQUIRE(first.ok());
  CHECK_FALSE(first->has_value());
  auto tail = empty->Tail();
  REQUIRE(tail.ok());
  CHECK(tail->ends_with_line_feed);
  CHECK_FALSE(tail->last_time_us.has_value());

  auto missing = CelFile::Open(dir / "missing.jsonl");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.status().code() == Code::kNotFound);
  CHECK_THAT(missing.status().message(), Catch::Contains("missing.jsonl"));
  auto directory = CelFile::Open(dir.path());
  REQUIRE_FALSE(directory.ok());
  CHECK(directory.status().code() == Code::kFailedPrecondition);
  if (::geteuid() != 0) {  // root reads whatever the mode says
    testing::WriteFile(dir / "secret.jsonl", "{}\n");
    ::chmod((dir / "secret.jsonl").c_str(), 0);
    auto denied = CelFile::Open(dir / "secret.jsonl");
    REQUIRE_FALSE(denied.ok());
    CHECK(denied.status().code() == Code::kFailedPrecondition);
  }
}

}  // namespace
}  // namespace callledger::cel
