#include "replay/import.h"

#include <chrono>
#include <cstring>
#include <fstream>
#include <vector>

#include "ari/frame_record.h"
#include "payload/record_line.h"

namespace callledger::replay {
namespace {

constexpr std::size_t kChunk = 1 << 20;

std::int64_t WallClockMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

Status CheckImportable(const std::filesystem::path& file, std::size_t max_line_bytes) {
  std::error_code ec;
  auto st = std::filesystem::status(file, ec);
  if (ec || !std::filesystem::exists(st)) return NotFound("no such file: " + file.string());
  if (!std::filesystem::is_regular_file(st)) {
    return InvalidInput(file.string() + " is not a regular file");
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) return InvalidInput("cannot read " + file.string() + ": " + std::strerror(errno));
  std::vector<char> buf(kChunk);
  std::uint64_t offset = 0;
  std::uint64_t line_len = 0;
  std::uint64_t line_number = 1;
  // The current line when it is a daemon record line (they are read again
  // by the import; a bad one must fail the import before anything is
  // written).
  std::string head;
  bool record_line = false;
  auto end_line = [&]() -> Status {
    if (record_line) {
      if (auto r = payload::ParseRecordLine(head); !r.ok()) {
        return InvalidInput(file.string() + " line " + std::to_string(line_number) + ": " +
                            r.status().message());
      }
    }
    head.clear();
    record_line = false;
    ++line_number;
    return Status::Ok();
  };
  const std::size_t prefix = payload::kRecordLinePrefix.size();
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    const auto n = static_cast<std::size_t>(in.gcount());
    if (n == 0) break;
    if (const void* nul = std::memchr(buf.data(), '\0', n)) {
      return InvalidInput(file.string() + " is not line-oriented text: NUL byte at offset " +
                          std::to_string(offset + (static_cast<const char*>(nul) - buf.data())));
    }
    for (std::size_t i = 0; i < n; ++i) {
      if (buf[i] == '\n') {
        line_len = 0;
        RETURN_IF_ERROR(end_line());
        continue;
      }
      if (++line_len > max_line_bytes) {
        return InvalidInput(file.string() + " is not line-oriented text: a line near offset " +
                            std::to_string(offset + i) + " is longer than " +
                            std::to_string(max_line_bytes) + " bytes");
      }
      if (line_len <= prefix) {
        head += buf[i];
        record_line = head.size() == prefix && payload::IsRecordLine(head);
      } else if (record_line) {
        head += buf[i];
      }
    }
    offset += n;
  }
  if (in.bad()) return Unavailable("error reading " + file.string());
  return line_len > 0 ? end_line() : Status::Ok();
}

Result<ImportReport> ImportJsonl(const std::filesystem::path& file, EventLog& log,
                                 const ImportOptions& options, const ImportProgress& progress) {
  const auto start = std::chrono::steady_clock::now();
  RETURN_IF_ERROR(CheckImportable(file, options.max_line_bytes));
  ImportReport report;
  std::error_code ec;
  report.bytes = std::filesystem::file_size(file, ec);
  const auto clock = options.clock ? options.clock : WallClockMicros;

  std::ifstream in(file, std::ios::binary);
  if (!in) return InvalidInput("cannot read " + file.string());
  ari::FrameParser parser(options.limits);
  std::vector<RecordDraft> batch;
  batch.reserve(options.batch_records);
  std::uint64_t done = 0;

  auto flush = [&]() -> Status {
    if (batch.empty()) return Status::Ok();
    ASSIGN_OR_RETURN(const SeqRange appended, log.Append(batch));
    if (report.seqs.first.value == 0) report.seqs.first = appended.first;
    report.seqs.last = appended.last;
    for (const auto& d : batch) ++report.by_kind[std::string(RecordKindName(d.kind))];
    batch.clear();
    if (progress) progress(done, report.bytes);
    return Status::Ok();
  };

  std::string line;
  while (std::getline(in, line)) {
    done += line.size() + 1;
    if (line.empty()) {
      ++report.blank_lines;
      continue;
    }
    ++report.lines;
    if (payload::IsRecordLine(line)) {
      // Checked by CheckImportable above.
      ASSIGN_OR_RETURN(RecordDraft record, payload::ParseRecordLine(line));
      batch.push_back(std::move(record));
    } else {
      batch.push_back(ari::DraftFromFrame(parser, line, clock()));
    }
    if (batch.size() >= options.batch_records) {
      RETURN_IF_ERROR(flush());
    }
  }
  if (in.bad()) return Unavailable("error reading " + file.string());
  RETURN_IF_ERROR(flush());
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return report;
}

}  // namespace callledger::replay
