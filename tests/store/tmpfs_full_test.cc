// The ledger on a real file system that fills up: a small tmpfs mounted for
// the test (root only; skipped with a warning otherwise), filled with a
// filler file until the ledger's appends fail, then freed. The failed
// append says the disk is full, the head stays, and once the filler is gone
// the same drafts go in; the ledger verifies with every record exactly once.
//
// Hidden ([.], run it by name): in about one run in twelve RocksDB 7.8's
// DB::Resume() waits for ever for a flush that failed on the full disk and
// is never scheduled again (RocksDB issue 15030). RocksEventLog gives up
// after resume_timeout then (kAborted; disk_full_test.cc) and the daemon
// starts again, but this test wants the resume in the same process, so it
// is not part of the suite; it found the two aborts that RocksInfoLog and
// the WAL mutex of RocksEventLog now prevent, and the hang.
#include <sys/mount.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "disk_full_checks.h"
#include "store/rocks_event_log.h"
#include "support/temp_dir.h"

namespace callledger::store {
namespace {

using testing::NumberedDrafts;
using testing::Range;
using testing::VerifiedNumbers;

// A tmpfs of `size` mounted at `dir` for the lifetime of the object.
class TmpfsMount {
 public:
  TmpfsMount(const std::filesystem::path& dir, const std::string& size) : dir_(dir) {
    std::filesystem::create_directories(dir);
    const std::string options = "size=" + size;
    if (::mount("tmpfs", dir.c_str(), "tmpfs", 0, options.c_str()) == 0) {
      mounted_ = true;
    } else {
      error_ = std::strerror(errno);
    }
  }
  ~TmpfsMount() {
    if (mounted_) ::umount2(dir_.c_str(), MNT_DETACH);
  }
  TmpfsMount(const TmpfsMount&) = delete;
  TmpfsMount& operator=(const TmpfsMount&) = delete;

  bool mounted() const { return mounted_; }
  const std::string& error() const { return error_; }

 private:
  std::filesystem::path dir_;
  bool mounted_ = false;
  std::string error_;
};

// Writes `path` until the file system refuses more; the bytes written.
std::uintmax_t FillUp(const std::filesystem::path& path) {
  std::ofstream out(path, std::ios::binary);
  const std::string chunk(64 * 1024, 'f');
  while (out.write(chunk.data(), static_cast<std::streamsize>(chunk.size())) && out.flush()) {
  }
  out.close();
  return std::filesystem::file_size(path);
}

TEST_CASE("a ledger on a tmpfs that fills up fails plainly and resumes when space returns",
          "[.][tmpfs]") {
  if (::geteuid() != 0) {
    WARN("skipped: mounting a tmpfs needs root");
    return;
  }
  testing::TempDir tmp("tmpfs-full");
  const auto mount_point = tmp / "mnt";
  TmpfsMount tmpfs(mount_point, "64m");
  if (!tmpfs.mounted()) {
    WARN("skipped: cannot mount a tmpfs at " << mount_point << ": " << tmpfs.error());
    return;
  }
  const auto dir = mount_point / "ledger";
  RocksOptions options;
  options.node = "pbx-tmpfs";
  options.sync_interval_ms = 5;
  {
    auto opened = RocksEventLog::Open(dir, options);
    INFO(opened.status().ToString());
    REQUIRE(opened.ok());
    auto& log = **opened;
    REQUIRE(log.Append(NumberedDrafts(1, 50, 500)).ok());

    const auto filler = mount_point / "filler";
    CHECK(FillUp(filler) > 0);
    // Append until the disk refuses (RocksDB may have room left in what it
    // preallocated for its WAL).
    int next = 51;
    Status refused;
    for (int attempt = 0; attempt < 2000 && refused.ok(); ++attempt) {
      Result<SeqRange> r = log.Append(NumberedDrafts(next, 50, 500));
      if (r.ok()) {
        next += 50;
      } else {
        refused = r.status();
      }
    }
    INFO(refused.ToString());
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.code() == Code::kUnavailable);
    CHECK_THAT(refused.message(), Catch::StartsWith("the ledger's disk is full (" + dir.string() +
                                                    ": No space left on device)"));
    CHECK(log.Head().seq.value == static_cast<std::uint64_t>(next - 1));
    // Still full: the same drafts are refused again, and nothing moved.
    CHECK_FALSE(log.Append(NumberedDrafts(next, 50, 500)).ok());
    CHECK(log.Head().seq.value == static_cast<std::uint64_t>(next - 1));

    std::filesystem::remove(filler);
    // As the daemon does: retry for a while. RocksDB may still hold the
    // space of the WAL it left until its background purge deletes it.
    Result<SeqRange> again = log.Append(NumberedDrafts(next, 50, 500));
    for (int retry = 0; retry < 50 && !again.ok() && again.status().code() != Code::kAborted;
         ++retry) {
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      again = log.Append(NumberedDrafts(next, 50, 500));
    }
    INFO(again.status().ToString());
    REQUIRE(again.ok());
    CHECK(again->first == Seq{static_cast<std::uint64_t>(next)});
    REQUIRE(log.Append(NumberedDrafts(next + 50, 10, 500)).ok());
    REQUIRE(log.Sync().ok());
    CHECK(VerifiedNumbers(log) == Range(1, next + 59));
  }
  auto reopened = RocksEventLog::Open(dir, options);
  REQUIRE(reopened.ok());
  const auto numbers = VerifiedNumbers(**reopened);
  REQUIRE_FALSE(numbers.empty());
  CHECK(numbers == Range(1, numbers.back()));
  CHECK(static_cast<std::uint64_t>(numbers.back()) == (*reopened)->Head().seq.value);
}

}  // namespace
}  // namespace callledger::store
