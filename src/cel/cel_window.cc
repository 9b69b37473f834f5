#include "cel/cel_window.h"

#include <utility>

#include "core/utc_time.h"

namespace callledger::cel {
namespace {

// Room kept in every record for the notes, which only the last one gets.
constexpr std::size_t kNotesReserve = 4096;

// Cuts a window's lines into payloads of a bounded size. One payload waits
// (`ready_`) until the next one starts or the window ends, so that the last
// one can be marked last and carry the notes.
class Parts {
 public:
  Parts(std::int64_t since_us, std::int64_t until_us, std::size_t max_bytes,
        const std::function<bool(payload::CelPayload)>& emit)
      : max_bytes_(max_bytes), emit_(emit) {
    current_.since_us = since_us;
    current_.until_us = until_us;
  }

  // The lines from now on are of `file`.
  bool File(const std::string& file) {
    if (HasContent() && !Roll()) return false;
    current_.file = file;
    cost_ = payload::EncodeCel(current_).size() + kNotesReserve;
    return true;
  }
  bool Line(payload::JsonText line) {
    const std::size_t cost = payload::CelLineCost(line);
    if (!Room(cost)) return false;
    current_.lines.push_back(std::move(line));
    cost_ += cost;
    return true;
  }
  bool Bad(payload::CelBadLine bad) {
    const std::size_t cost = payload::CelBadLineCost(bad);
    if (!Room(cost)) return false;
    current_.bad_lines.push_back(std::move(bad));
    cost_ += cost;
    return true;
  }
  bool Finish(std::vector<std::string> notes) {
    if ((HasContent() || !ready_) && !Roll()) return false;
    ready_->notes = std::move(notes);
    return Emit(true);
  }
  std::uint64_t emitted() const { return emitted_; }

 private:
  bool HasContent() const { return !current_.lines.empty() || !current_.bad_lines.empty(); }
  // Starts a new payload when `cost` more would overflow this one.
  bool Room(std::size_t cost) {
    if (!HasContent() || cost_ + cost <= max_bytes_) return true;
    if (!Roll()) return false;
    cost_ = payload::EncodeCel(current_).size() + kNotesReserve;
    return true;
  }
  // current_ becomes ready_ (the previous ready_ goes out, not last).
  bool Roll() {
    if (ready_ && !Emit(false)) return false;
    payload::CelPayload next;
    next.file = current_.file;
    next.since_us = current_.since_us;
    next.until_us = current_.until_us;
    ready_ = std::exchange(current_, std::move(next));
    return true;
  }
  bool Emit(bool last) {
    ready_->part = ++emitted_;
    ready_->last_part = last;
    const bool ok = emit_(std::move(*ready_));
    ready_.reset();
    return ok;
  }

  std::size_t max_bytes_;
  const std::function<bool(payload::CelPayload)>& emit_;
  payload::CelPayload current_;
  std::size_t cost_ = 0;
  std::optional<payload::CelPayload> ready_;
  std::uint64_t emitted_ = 0;
};

// Scans one file into `parts`; false when `emit` refused a record.
bool Scan(CelFile& file, const std::string& name, std::int64_t since_us, std::int64_t until_us,
          Parts& parts, CelWindowResult& result) {
  if (!parts.File(name)) return false;
  CelWindowVisitor visit{[&](payload::JsonText line) { return parts.Line(std::move(line)); },
                         [&](payload::CelBadLine bad) { return parts.Bad(std::move(bad)); }};
  CelScanSummary summary;
  const Status s = file.ScanWindow(since_us, until_us, visit, &summary);
  result.lines += summary.lines;
  result.bad_lines += summary.bad_lines;
  if (!s.ok()) {
    ++result.read_errors;
    result.notes.push_back("reading " + name + " failed: " + s.message() +
                           "; the lines read before are kept");
  }
  if (summary.bad_lines > 0) {
    result.notes.push_back(std::to_string(summary.bad_lines) + " lines of " + name +
                           " in the window are not CEL lines: kept as bad_lines");
  }
  if (summary.stopped_on_bad_lines) {
    result.notes.push_back("stopped reading " + name +
                           " after a run of lines that are not CEL lines (is it cel_custom's "
                           "JSON log, as docs/operations.md sets it up?)");
  }
  if (summary.unterminated_bytes > 0) {
    result.notes.push_back("the last " + std::to_string(summary.unterminated_bytes) + " bytes of " +
                           name +
                           " are a line not yet ended by a line feed: left for a later window");
  }
  return !summary.stopped_by_visitor;
}

// Why the window may begin in the predecessor, or "" when it does not.
std::string WhyPredecessor(const Result<CelFile>& current,
                           const std::optional<CelFileIdentity>& last_seen,
                           const std::optional<std::int64_t>& first_time, std::int64_t since_us,
                           const std::string& name) {
  if (!current.ok()) return name + " cannot be read";
  const CelFileIdentity& now = current->identity();
  if (last_seen && (!now.SameFile(*last_seen) || now.size < last_seen->size)) {
    return name + " was rotated since the last window (inode " + std::to_string(last_seen->inode) +
           " -> " + std::to_string(now.inode) + ", size " + std::to_string(last_seen->size) +
           " -> " + std::to_string(now.size) + ")";
  }
  if (now.size == 0) return name + " is empty";
  if (first_time && *first_time > since_us) {
    return name + " begins at " + FormatUtcMicros(*first_time) + ", after the window's start";
  }
  return "";
}

}  // namespace

CelWindowResult ReadCelWindow(const CelWindowOptions& options, std::int64_t since_us,
                              std::int64_t until_us, std::vector<std::string> notes,
                              std::optional<CelFileIdentity>* last_seen,
                              const std::function<bool(payload::CelPayload)>& emit) {
  CelWindowResult result;
  Parts parts(since_us, until_us, options.max_record_bytes, emit);
  const std::string name = options.file.string();
  const std::string previous_name = name + ".1";
  const auto refused = [&] {
    result.handed_out = false;
    result.records = parts.emitted();
    return result;
  };
  (void)parts.File(name);  // holds nothing yet, so it hands out nothing

  Result<CelFile> current = CelFile::Open(options.file, options.scan);
  std::optional<std::int64_t> first_time;
  if (!current.ok()) {
    ++result.read_errors;
    result.notes.push_back("cannot read " + current.status().message() +
                           ": no lines of it are in this window");
  } else if (auto first = current->FirstEventTime(); first.ok()) {
    first_time = *first;
  }

  const std::string why = WhyPredecessor(current, *last_seen, first_time, since_us, name);
  if (!why.empty()) {
    Result<CelFile> previous = CelFile::Open(previous_name, options.scan);
    if (previous.ok()) {
      result.notes.push_back(why + ": read the rotated predecessor " + previous_name + " too");
      if (!Scan(*previous, previous_name, since_us, until_us, parts, result)) return refused();
    } else {
      if (previous.status().code() != Code::kNotFound) ++result.read_errors;
      result.notes.push_back(why + ", and its rotated predecessor cannot be read (" +
                             previous.status().message() +
                             "): lines of the window written before it are not here");
    }
  }
  if (current.ok()) {
    if (!Scan(*current, name, since_us, until_us, parts, result)) return refused();
    *last_seen = current->identity();
  }
  notes.insert(notes.end(), result.notes.begin(), result.notes.end());
  result.notes = notes;
  result.handed_out = parts.Finish(std::move(notes));
  result.records = parts.emitted();
  return result;
}

}  // namespace callledger::cel
