// One window of CEL lines into cel payloads (cel/cel_window.h): cut into
// records of a bounded size; a missing file still gives a record that says
// so; a rotated file read together with its predecessor; an unfinished last
// line left for the next window, which reads it once it is finished.
#include "cel/cel_window.h"

#include <catch2/catch.hpp>

#include <filesystem>
#include <string>
#include <vector>

#include "cel_files.h"
#include "support/fixtures.h"
#include "support/temp_dir.h"

namespace callledger::cel {
namespace {

using testing::CelLines;
using testing::CelLinesIn;
using testing::CelTime;
using testing::TempDir;

struct Collected {
  std::vector<payload::CelPayload> parts;
  CelWindowResult result;

  std::vector<std::string> Lines() const {
    std::vector<std::string> out;
    for (const auto& p : parts) {
      for (const auto& l : p.lines) out.push_back(l.text());
    }
    return out;
  }
  const std::vector<std::string>& Notes() const { return parts.back().notes; }
  std::string AllNotes() const {
    std::string out;
    for (const auto& n : Notes()) out += n + "\n";
    return out;
  }
};

Collected Read(const std::filesystem::path& file, std::int64_t since, std::int64_t until,
               std::optional<CelFileIdentity>* last_seen, std::size_t max_bytes = 1 << 20) {
  CelWindowOptions options;
  options.file = file;
  options.max_record_bytes = max_bytes;
  Collected c;
  c.result =
      ReadCelWindow(options, since, until, {"origin note"}, last_seen, [&](payload::CelPayload p) {
        c.parts.push_back(std::move(p));
        return true;
      });
  REQUIRE_FALSE(c.parts.empty());
  for (std::size_t i = 0; i < c.parts.size(); ++i) {
    CHECK(c.parts[i].part == i + 1);
    CHECK(c.parts[i].last_part == (i + 1 == c.parts.size()));
    CHECK(c.parts[i].since_us == since);
    CHECK(c.parts[i].until_us == until);
    if (i + 1 < c.parts.size()) CHECK(c.parts[i].notes.empty());
  }
  CHECK(c.Notes().front() == "origin note");
  CHECK(c.result.records == c.parts.size());
  return c;
}

TEST_CASE("a large window is cut into records of at most max_record_bytes, in order") {
  const auto all = CelLines("p-burst-80");
  const std::int64_t since = CelTime(all[100]), until = CelTime(all[4000]);
  std::optional<CelFileIdentity> seen;
  const Collected c = Read(testing::CelCapture("p-burst-80"), since, until, &seen, 64 * 1024);
  CHECK(c.Lines() == CelLinesIn(all, since, until));
  CHECK(c.parts.size() > 20);
  for (const auto& p : c.parts) {
    CHECK(payload::EncodeCel(p).size() <= 64 * 1024);
    CHECK(p.file == testing::CelCapture("p-burst-80").string());
  }
  CHECK(c.result.lines == c.Lines().size());
  CHECK(c.result.read_errors == 0);
  REQUIRE(seen.has_value());
  CHECK(seen->size == std::filesystem::file_size(testing::CelCapture("p-burst-80")));
}

TEST_CASE("a missing file: the window still gets its record, saying why it holds no lines") {
  TempDir dir("cel-missing");
  std::optional<CelFileIdentity> seen;
  const Collected c = Read(dir / "cel.jsonl", 1'000'000, 2'000'000, &seen);
  REQUIRE(c.parts.size() == 1);
  CHECK(c.parts[0].lines.empty());
  CHECK(c.parts[0].file == (dir / "cel.jsonl").string());
  CHECK(c.result.read_errors == 1);
  CHECK_THAT(c.AllNotes(), Catch::Contains("cannot read " + (dir / "cel.jsonl").string() +
                                           ": No such file or directory"));
  CHECK_THAT(c.AllNotes(), Catch::Contains("its rotated predecessor cannot be read"));
  CHECK_FALSE(seen.has_value());
}

TEST_CASE("rotation: the predecessor FILE.1 is read first when the window began in it") {
  TempDir dir("cel-rotated");
  const auto all = CelLines("h-inbound-utf8-callername");
  const std::size_t half = all.size() / 2;
  const std::vector<std::string> older(all.begin(), all.begin() + half);
  const std::vector<std::string> newer(all.begin() + half, all.end());
  const auto path = dir / "cel.jsonl";
  const std::int64_t since = CelTime(all[half / 2]), until = CelTime(all[half + half / 2]);

  SECTION("the file begins after the window's start") {
    testing::WriteFile(dir / "cel.jsonl.1", testing::Joined(older));
    testing::WriteFile(path, testing::Joined(newer));
    std::optional<CelFileIdentity> seen;
    const Collected c = Read(path, since, until, &seen);
    CHECK(c.Lines() == CelLinesIn(all, since, until));
    REQUIRE(c.parts.size() == 2);
    CHECK(c.parts[0].file == path.string() + ".1");
    CHECK(c.parts[1].file == path.string());
    CHECK_THAT(c.AllNotes(), Catch::Contains("after the window's start: read the rotated "
                                             "predecessor " +
                                             path.string() + ".1 too"));
    CHECK(c.result.read_errors == 0);
  }
  SECTION("rotated since the last window: another inode at the path") {
    testing::WriteFile(path, testing::Joined(older));
    std::optional<CelFileIdentity> seen;
    Read(path, CelTime(all.front()), CelTime(older.back()), &seen);
    REQUIRE(seen.has_value());
    // logrotate: rename, then a new file at the path (its first line is
    // before the window's start, so only the inode tells).
    std::filesystem::rename(path, path.string() + ".1");
    testing::WriteFile(path, testing::Joined(CelLinesIn(all, since - 1, INT64_MAX)));
    const Collected c = Read(path, since, until, &seen);
    CHECK_THAT(c.AllNotes(), Catch::Contains(path.string() + " was rotated since the last window"));
    // The lines the two files share are there twice: evidence is kept as
    // each file holds it.
    const auto in_window = CelLinesIn(all, since, until);
    CHECK(c.Lines().size() == CelLinesIn(older, since, until).size() + in_window.size());
  }
  SECTION("no predecessor: the note says the window's beginning is not there") {
    testing::WriteFile(path, testing::Joined(newer));
    std::optional<CelFileIdentity> seen;
    const Collected c = Read(path, since, until, &seen);
    CHECK(c.Lines() == CelLinesIn(newer, since, until));
    CHECK_THAT(c.AllNotes(), Catch::Contains("its rotated predecessor cannot be read"));
    CHECK_THAT(c.AllNotes(), Catch::Contains("lines of the window written before it are not here"));
    CHECK(c.result.read_errors == 0);  // nothing was there to read
  }
}

TEST_CASE("an unfinished last line is left for the next window, which reads it whole") {
  TempDir dir("cel-unfinished");
  const auto path = dir / "cel.jsonl";
  const auto all = CelLines("d-outbound-busy");
  const std::string last = all.back();
  const std::vector<std::string> head(all.begin(), all.end() - 1);
  testing::WriteFile(path, testing::Joined(head) + last.substr(0, 100));
  std::optional<CelFileIdentity> seen;
  const std::int64_t since = CelTime(all.front());
  Collected first = Read(path, since, CelTime(last), &seen);
  CHECK(first.Lines() == CelLinesIn(head, since, CelTime(last)));
  CHECK_THAT(first.AllNotes(),
             Catch::Contains("the last 100 bytes of " + path.string() +
                             " are a line not yet ended by a line feed: left for a later window"));
  testing::AppendFile(path, last.substr(100) + "\n");
  Collected second = Read(path, CelTime(last), CelTime(last) + 1000, &seen);
  CHECK(second.Lines() == CelLinesIn(all, CelTime(last), CelTime(last) + 1000));
  CHECK(second.Lines().back() == last);
  CHECK_THAT(second.AllNotes(), !Catch::Contains("not yet ended"));
  CHECK_THAT(second.AllNotes(), !Catch::Contains("rotated"));
}

TEST_CASE("bad lines travel in the record with their offsets, and a note counts them") {
  TempDir dir("cel-bad");
  const auto path = dir / "cel.jsonl";
  const auto all = CelLines("e-outbound-noanswer");
  std::vector<std::string> lines = all;
  lines.insert(lines.begin() + 10, "{\"eventtype\":\"CHAN_");
  testing::WriteFile(path, testing::Joined(lines));
  std::optional<CelFileIdentity> seen;
  const Collected c = Read(path, CelTime(all.front()), CelTime(all.back()), &seen);
  CHECK(c.Lines() == all);
  REQUIRE(c.parts.back().bad_lines.size() == 1);
  std::uint64_t offset = 0;
  for (int i = 0; i < 10; ++i) offset += lines[i].size() + 1;
  CHECK(c.parts.back().bad_lines[0].offset == offset);
  CHECK(c.parts.back().bad_lines[0].bytes == "{\"eventtype\":\"CHAN_");
  CHECK(c.result.bad_lines == 1);
  CHECK_THAT(c.AllNotes(),
             Catch::Contains("1 lines of " + path.string() + " in the window are not CEL lines"));
}

TEST_CASE("a sink that refuses stops the reading") {
  std::optional<CelFileIdentity> seen;
  CelWindowOptions options;
  options.file = testing::CelCapture("p-burst-80");
  options.max_record_bytes = 64 * 1024;
  int handed = 0;
  const CelWindowResult r = ReadCelWindow(options, 0, INT64_MAX / 2, {}, &seen,
                                          [&](payload::CelPayload) { return ++handed < 3; });
  CHECK(handed == 3);
  CHECK_FALSE(r.handed_out);
}

}  // namespace
}  // namespace callledger::cel
