#include "audit/verify.h"

#include <chrono>

#include "core/hex.h"
#include "record/record_codec.h"

namespace callledger::audit {
namespace {
std::string Short(const Sha256Digest& d) { return ToHex(d).substr(0, 16); }
}  // namespace

std::string VerifyReport::Summary() const {
  if (!ok()) {
    return "FAILED at seq " + std::to_string(first_bad->value) + ": " + problem;
  }
  std::string out = "ok: " + std::to_string(records) + " records";
  if (head.seq.value > 0) {
    out += ", seq 1.." + std::to_string(head.seq.value) + ", chain intact, head hash " +
           ToHex(head.hash);
  } else {
    out += " (empty ledger)";
  }
  return out;
}

Result<VerifyReport> VerifyLedger(const EventLog& log, const VerifyProgress& progress,
                                  std::uint64_t progress_every) {
  const auto start = std::chrono::steady_clock::now();
  VerifyReport report;
  report.head = log.Head();
  const std::uint16_t max_version = log.Info().schema_version;

  Sha256Digest prev{};
  std::uint64_t expected = 1;
  auto fail = [&](std::uint64_t seq, std::string problem) {
    report.first_bad = Seq{seq};
    report.problem = std::move(problem);
    return false;
  };
  RETURN_IF_ERROR(log.ScanEncoded(Seq{1}, report.head.seq, [&](Seq key, std::string_view bytes) {
    if (key.value != expected) {
      return fail(expected, "record missing (the next stored record is seq " +
                                std::to_string(key.value) + ")");
    }
    Result<RecordChainView> view = DecodeChainView(bytes);
    if (!view.ok()) return fail(key.value, "does not decode: " + view.status().message());
    if (view->seq != key) {
      return fail(key.value, "stored under key " + std::to_string(key.value) +
                                 " but says it is seq " + std::to_string(view->seq.value));
    }
    if (view->version == 0 || view->version > max_version) {
      return fail(key.value, "schema version " + std::to_string(view->version) +
                                 " is not one this ledger was written with");
    }
    if (view->computed_hash != view->hash) {
      return fail(key.value, "content does not match its hash (stored " + Short(view->hash) +
                                 "…, computed " + Short(view->computed_hash) + "…)");
    }
    if (view->prev_hash != prev) {
      return fail(key.value, "prev_hash " + Short(view->prev_hash) +
                                 "… does not match the hash of seq " +
                                 std::to_string(key.value - 1) + " (" + Short(prev) + "…)");
    }
    prev = view->hash;
    ++report.records;
    ++expected;
    if (progress && report.records % progress_every == 0) progress(key, report.head.seq);
    return true;
  }));
  if (report.ok()) {
    if (expected <= report.head.seq.value) {
      fail(expected,
           "record missing (the ledger head is seq " + std::to_string(report.head.seq.value) + ")");
    } else if (prev != report.head.hash) {
      fail(report.head.seq.value, "hash differs from the head hash in the ledger metadata");
    }
  }
  if (report.ok()) {
    // A record past the head was not written by Append: someone added it.
    RETURN_IF_ERROR(
        log.ScanEncoded(report.head.seq.Next(), Seq{UINT64_MAX}, [&](Seq key, std::string_view) {
          return fail(key.value, "record stored beyond the head (seq " +
                                     std::to_string(report.head.seq.value) + ")");
        }));
  }
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return report;
}

}  // namespace callledger::audit
