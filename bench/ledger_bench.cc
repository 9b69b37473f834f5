// ledger_bench: append, parse, verify and export rates of the ledger on real
// captured frames, with RocksDB's own WriteBatch+fsync rate measured in the
// same run as the reference. Prints one line per figure.
//
//   ledger_bench [--records N] [--dir PATH]
//
// The captured frames (fixtures/asterisk/*.jsonl) are replicated to N
// records. Each replica gets fresh channel, bridge and call ids in the index
// fields (suffix "-r<replica>"), so the secondary index sees as many distinct
// calls as a real ledger of that size would; payload bytes stay as captured.
#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <ostream>
#include <streambuf>
#include <string>
#include <vector>

#include "ari/frame_parser.h"
#include "ari/frame_record.h"
#include "audit/render.h"
#include "audit/verify.h"
#include "record/record_codec.h"
#include "store/rocks_event_log.h"

namespace {

using namespace callledger;
using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

std::vector<std::string> LoadFrames() {
  std::vector<std::string> frames;
  const std::filesystem::path dir =
      std::filesystem::path(CALL_LEDGER_SOURCE_DIR) / "fixtures" / "asterisk";
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    const std::string name = e.path().filename().string();
    if (name.ends_with(".observer.jsonl") || name.ends_with(".call-center.jsonl"))
      files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    std::string line;
    while (std::getline(in, line)) {
      if (!line.empty()) frames.push_back(line);
    }
  }
  return frames;
}

std::vector<RecordDraft> Replicate(const std::vector<std::string>& frames, std::size_t n) {
  ari::FrameParser parser;
  std::vector<RecordDraft> base;
  for (const auto& f : frames)
    base.push_back(ari::DraftFromFrame(parser, f, 1'795'684'558'000'000));
  std::vector<RecordDraft> out;
  out.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    RecordDraft d = base[i % base.size()];
    const std::string suffix = "-r" + std::to_string(i / base.size());
    for (auto& id : d.channel_ids) id += suffix;
    for (auto& id : d.bridge_ids) id += suffix;
    for (auto& id : d.call_ids) id += suffix;
    out.push_back(std::move(d));
  }
  return out;
}

struct AppendFigure {
  double records_per_s = 0;
  double mb_per_s = 0;
  std::uint64_t syncs = 0;
};

AppendFigure RunAppend(const std::filesystem::path& dir, const std::vector<RecordDraft>& drafts,
                       std::size_t count, std::size_t batch, int sync_interval_ms) {
  std::filesystem::remove_all(dir);
  store::RocksOptions opts;
  opts.node = "bench";
  opts.sync_interval_ms = sync_interval_ms;
  auto log = store::RocksEventLog::Open(dir, opts);
  if (!log.ok()) {
    std::fprintf(stderr, "open: %s\n", log.status().ToString().c_str());
    std::exit(2);
  }
  std::uint64_t bytes = 0;
  for (std::size_t i = 0; i < count; ++i) bytes += drafts[i].payload.size();
  const auto start = Clock::now();
  for (std::size_t i = 0; i < count; i += batch) {
    const std::size_t n = std::min(batch, count - i);
    auto r = (*log)->Append(std::span(drafts.data() + i, n));
    if (!r.ok()) {
      std::fprintf(stderr, "append: %s\n", r.status().ToString().c_str());
      std::exit(2);
    }
  }
  if (Status s = (*log)->Sync(); !s.ok()) {
    std::fprintf(stderr, "sync: %s\n", s.ToString().c_str());
    std::exit(2);
  }
  const double secs = Seconds(start);
  AppendFigure fig;
  fig.records_per_s = static_cast<double>(count) / secs;
  fig.mb_per_s = static_cast<double>(bytes) / secs / 1e6;
  fig.syncs = (*log)->sync_count();
  return fig;
}

// RocksDB alone: the same encoded values, one WriteBatch + fsync per `batch`.
double RawRocksRate(const std::filesystem::path& dir, const std::vector<std::string>& values,
                    std::size_t batch) {
  std::filesystem::remove_all(dir);
  rocksdb::Options o;
  o.create_if_missing = true;
  o.compression = rocksdb::kLZ4Compression;
  rocksdb::DB* raw = nullptr;
  if (!rocksdb::DB::Open(o, dir.string(), &raw).ok()) std::exit(2);
  std::unique_ptr<rocksdb::DB> db(raw);
  rocksdb::WriteOptions wo;
  wo.sync = true;
  const auto start = Clock::now();
  for (std::size_t i = 0; i < values.size(); i += batch) {
    rocksdb::WriteBatch wb;
    for (std::size_t k = i; k < std::min(values.size(), i + batch); ++k) {
      char key[8];
      for (int b = 0; b < 8; ++b) key[b] = static_cast<char>((k >> (56 - 8 * b)) & 0xff);
      wb.Put(rocksdb::Slice(key, 8), values[k]);
    }
    if (!db->Write(wo, &wb).ok()) std::exit(2);
  }
  const double secs = Seconds(start);
  if (!db->Close().ok()) std::exit(2);
  return static_cast<double>(values.size()) / secs;
}

class CountingBuf : public std::streambuf {
 public:
  std::uint64_t bytes = 0;

 protected:
  std::streamsize xsputn(const char*, std::streamsize n) override {
    bytes += static_cast<std::uint64_t>(n);
    return n;
  }
  int_type overflow(int_type c) override {
    ++bytes;
    return c;
  }
};

}  // namespace

int main(int argc, char** argv) {
  std::size_t records = 1'000'000;
  std::filesystem::path dir = std::filesystem::temp_directory_path() / "call-ledger-bench";
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--records" && i + 1 < argc)
      records = std::strtoull(argv[++i], nullptr, 10);
    else if (a == "--dir" && i + 1 < argc)
      dir = argv[++i];
    else {
      std::fprintf(stderr, "usage: ledger_bench [--records N] [--dir PATH]\n");
      return a == "--help" || a == "-h" ? 0 : 2;
    }
  }
  const auto frames = LoadFrames();
  std::printf("ledger_bench: %zu captured frames replicated to %zu records; dir %s\n",
              frames.size(), records, dir.c_str());

  // 1. Parsing, single thread.
  {
    ari::FrameParser parser;
    const std::size_t n = std::max<std::size_t>(records * 2, 2'000'000);
    std::uint64_t bytes = 0, errors = 0;
    const auto start = Clock::now();
    for (std::size_t i = 0; i < n; ++i) {
      const auto& f = frames[i % frames.size()];
      auto r = parser.Parse(f);
      if (!r.ok()) ++errors;
      bytes += f.size();
    }
    const double secs = Seconds(start);
    std::printf(
        "parse            %10.0f frames/s  %7.1f MB/s  (%zu frames, %llu errors, single thread)\n",
        static_cast<double>(n) / secs, static_cast<double>(bytes) / secs / 1e6, n,
        static_cast<unsigned long long>(errors));
  }

  const auto drafts = Replicate(frames, records);

  // Encoding + hashing alone (the CPU part of an append).
  {
    RecordEncoder enc;
    Sha256Digest h{};
    std::uint64_t bytes = 0;
    const auto start = Clock::now();
    for (std::size_t i = 0; i < records; ++i)
      bytes += enc.Encode(drafts[i], Seq{i + 1}, "bench", h, &h).size();
    const double secs = Seconds(start);
    std::printf("encode+hash      %10.0f records/s  %7.1f MB/s  (FlatBuffers + SHA-256, no I/O)\n",
                static_cast<double>(records) / secs, static_cast<double>(bytes) / secs / 1e6);
  }

  // 2. Append with the defaults (group commit, 5 ms), batches of 1000.
  const std::filesystem::path ledger = dir / "ledger";
  {
    auto fig = RunAppend(ledger, drafts, records, 1000, 5);
    std::printf(
        "append default   %10.0f records/s  %7.1f MB/s  (batch 1000, sync_interval_ms 5, %llu "
        "fsyncs)\n",
        fig.records_per_s, fig.mb_per_s, static_cast<unsigned long long>(fig.syncs));
  }

  // 3. Verify and export of that ledger.
  {
    store::RocksOptions ro;
    ro.mode = store::OpenMode::kReadOnly;
    auto log = store::RocksEventLog::Open(ledger, ro);
    if (!log.ok()) return 2;
    auto report = audit::VerifyLedger(**log);
    if (!report.ok() || !report->ok()) {
      std::fprintf(stderr, "verify failed: %s\n",
                   report.ok() ? report->Summary().c_str() : report.status().ToString().c_str());
      return 2;
    }
    std::printf("verify           %10.0f records/s  (%llu records)\n",
                static_cast<double>(report->records) / report->seconds,
                static_cast<unsigned long long>(report->records));
    CountingBuf buf;
    std::ostream sink(&buf);
    const auto start = Clock::now();
    auto counts = audit::ExportPayloads(**log, Seq{1}, Seq{UINT64_MAX}, sink);
    const double secs = Seconds(start);
    if (!counts.ok()) return 2;
    std::printf("export           %10.0f records/s  %7.1f MB/s\n",
                static_cast<double>(counts->written) / secs,
                static_cast<double>(buf.bytes) / secs / 1e6);
  }

  // 4. fsync per batch (sync_interval_ms 0) at batch sizes 1, 100, 1000.
  for (std::size_t batch : {std::size_t{1}, std::size_t{100}, std::size_t{1000}}) {
    const std::size_t n = batch == 1 ? std::min<std::size_t>(records, 20'000)
                                     : std::min<std::size_t>(records, batch * 2000);
    auto fig = RunAppend(dir / "ledger-sync", drafts, n, batch, 0);
    std::printf("append fsync/%-4zu%10.0f records/s  %7.1f MB/s  (%zu records, %llu fsyncs)\n",
                batch, fig.records_per_s, fig.mb_per_s, n,
                static_cast<unsigned long long>(fig.syncs));
  }

  // 5. Reference: raw RocksDB, same encoded values, WriteBatch + fsync per 1000.
  {
    std::vector<std::string> values;
    values.reserve(records);
    RecordEncoder enc;
    Sha256Digest h{};
    for (std::size_t i = 0; i < records; ++i)
      values.push_back(enc.Encode(drafts[i], Seq{i + 1}, "bench", h, &h));
    const double rate = RawRocksRate(dir / "raw", values, 1000);
    std::printf("raw rocksdb      %10.0f puts/s     (WriteBatch of 1000 + fsync, same values)\n",
                rate);
  }
  std::filesystem::remove_all(dir);
  return 0;
}
