// FrameParser (frame_parser.h): from the fields one pass over a frame found
// (frame_scan.h) to its FrameSummary, and the parser's own state.
#include "ari/frame_parser.h"

#include <simdjson.h>

#include <algorithm>
#include <cstring>
#include <exception>
#include <new>
#include <utility>

#include "ari/frame_scan.h"
#include "ari/timestamp.h"

namespace callledger::ari {
namespace {

namespace dom = simdjson::dom;
using internal::FrameFields;
using internal::StringOrNull;

constexpr std::string_view kStasisStart = "StasisStart";
constexpr std::string_view kChannelDialplan = "ChannelDialplan";
constexpr std::string_view kChannelVarset = "ChannelVarset";
constexpr std::string_view kStasisApp = "Stasis";
constexpr std::string_view kCallIdVariable = "CALL_ID";

// simdjson sizes its buffers to the largest frame seen so far; starting at a
// few typical frames' worth avoids regrowing on the first real traffic.
constexpr std::size_t kInitialCapacity = 16 * 1024;

// Appends each id of `ids` not already in `out`, skipping empty ones. The
// lists hold a handful of ids, so a linear search beats hashing.
void AppendUnique(const std::vector<std::string_view>& ids, std::vector<std::string>* out) {
  for (std::string_view id : ids) {
    if (id.empty()) continue;
    if (std::find(out->begin(), out->end(), id) == out->end()) out->emplace_back(id);
  }
}

void AddUnique(std::string_view id, std::vector<std::string>* out) {
  if (id.empty()) return;
  if (std::find(out->begin(), out->end(), id) == out->end()) out->emplace_back(id);
}

// ParseAriTimestamp with a one-entry memo. Consecutive frames repeat their
// timestamps (same millisecond) and channel creation times (same channel)
// about 80% of the time in the captures, and a memcmp of 28 bytes is several
// times cheaper than a parse.
class TimestampMemo {
 public:
  std::optional<std::int64_t> Parse(std::string_view text) {
    // Absent fields are null views, which memcmp/memcpy must not see.
    if (text.empty()) return std::nullopt;
    if (text.size() == size_ && std::memcmp(text.data(), text_, size_) == 0) return value_;
    value_ = ParseAriTimestamp(text);
    // Longer texts (many fractional digits) are parsed but not remembered.
    size_ = text.size() <= sizeof(text_) ? text.size() : 0;
    std::memcpy(text_, text.data(), size_);
    return value_;
  }

 private:
  char text_[40];
  std::size_t size_ = 0;  // 0: nothing remembered.
  std::optional<std::int64_t> value_;
};

}  // namespace

struct FrameParser::Impl {
  // simdjson counts depth the way FrameLimits means it: the frame object is
  // level 1 and every value inside a container one level deeper, scalars
  // included (`channel.caller.name` is at level 4). It rejects a limit of 0
  // with an allocation error, so 0 becomes 1, which rejects every frame as
  // 0 would.
  explicit Impl(const FrameLimits& limits)
      : init_error(parser.allocate(kInitialCapacity, std::max<std::size_t>(limits.max_depth, 1))) {
    fields.channels.reserve(8);
    fields.bridges.reserve(8);
  }

  // Validates `frame` and fills `fields`; the error is the frame's Status.
  Status Scan(std::string_view frame, const FrameLimits& limits);
  // Copies what `fields` found into `summary` and derives the rest.
  void Fill(FrameSummary* summary);

  // Reused across frames: its buffers (input copy with padding, structural
  // index, tape) grow to the largest frame seen and are never freed.
  dom::parser parser;
  simdjson::error_code init_error;
  FrameFields fields;
  TimestampMemo event_times;
  TimestampMemo creation_times;
};

Status FrameParser::Impl::Scan(std::string_view frame, const FrameLimits& limits) {
  if (init_error != simdjson::SUCCESS) return internal::JsonError(init_error, limits);
  return internal::ScanFrame(parser, frame, limits, fields);
}

void FrameParser::Impl::Fill(FrameSummary* summary) {
  const FrameFields& f = fields;
  const std::string_view type = f.type->get_string().value_unsafe();  // Checked by Scan().
  summary->type = type;
  summary->event_time_us = event_times.Parse(f.timestamp);
  summary->asterisk_id = f.asterisk_id;
  summary->application = f.application;

  // Each list is allocated once, at its final size or a little more.
  const bool has_subject_id = f.subject && !f.subject->id.empty();
  if (has_subject_id || !f.channels.empty()) {
    summary->channel_ids.reserve(f.channels.size() + (has_subject_id ? 1 : 0));
    if (has_subject_id) summary->channel_ids.emplace_back(f.subject->id);
    AppendUnique(f.channels, &summary->channel_ids);
  }
  if (!f.bridges.empty()) {
    summary->bridge_ids.reserve(f.bridges.size());
    AppendUnique(f.bridges, &summary->bridge_ids);
  }
  if (f.subject) {
    summary->channel_name = f.subject->name;
    summary->channel_creation_us = creation_times.Parse(f.subject->creationtime);
  }

  if (type == kStasisStart) {
    summary->has_stasis_args = true;
    summary->stasis_app = f.application;
    if (f.args) {
      summary->stasis_args.reserve(f.args->size());
      // Asterisk sends strings only; anything else keeps its position as an
      // empty argument so that args[1..] keep their meaning.
      for (dom::element arg : *f.args) {
        summary->stasis_args.emplace_back(StringOrNull(arg));
      }
    }
  } else if (type == kChannelDialplan && f.dialplan_app == kStasisApp) {
    // `Stasis(call-center,,kiruvchi,...)` arrives as app data
    // "call-center,,kiruvchi,...": the application, then the arguments.
    // Asterisk's own splitter also honours quotes and backslashes; the
    // dialplans we know never produce them, so a plain split suffices.
    summary->has_stasis_args = true;
    const std::string_view data = f.dialplan_app_data;
    std::size_t comma = data.find(',');
    summary->stasis_app = data.substr(0, comma);
    if (comma != std::string_view::npos) {
      summary->stasis_args.reserve(
          static_cast<std::size_t>(std::count(data.begin(), data.end(), ',')));
      while (comma != std::string_view::npos) {
        const std::size_t start = comma + 1;
        comma = data.find(',', start);
        summary->stasis_args.emplace_back(
            data.substr(start, comma == std::string_view::npos ? comma : comma - start));
      }
    }
  } else if (type == kChannelVarset) {
    summary->variable = f.variable;
    summary->value = f.value;
  }

  const std::vector<std::string>& args = summary->stasis_args;
  if (!args.empty()) {
    // A leg the application originated for a call names that call's channel
    // in a later argument (["agent", <call channel id>]); its args[0] is a
    // role word shared by every such leg, not a call id.
    bool names_channel = false;
    for (std::size_t i = 1; i < args.size(); ++i) {
      if (LooksLikeChannelId(args[i])) {
        AddUnique(args[i], &summary->call_ids);
        names_channel = true;
      }
    }
    if (!names_channel) AddUnique(args.front(), &summary->call_ids);
  }
  if (summary->variable == kCallIdVariable) AddUnique(summary->value, &summary->call_ids);
}

FrameParser::FrameParser(FrameLimits limits)
    : limits_(limits), impl_(std::make_unique<Impl>(limits_)) {}

FrameParser::~FrameParser() = default;

Result<FrameSummary> FrameParser::Parse(std::string_view frame) {
  // The size is checked before any byte is read, so an oversized frame costs
  // nothing but this comparison.
  if (frame.size() > limits_.max_frame_bytes) {
    return InvalidInput("frame is " + std::to_string(frame.size()) + " bytes, larger than the " +
                        std::to_string(limits_.max_frame_bytes) + "-byte limit");
  }
  if (frame.empty()) return InvalidInput("frame is empty");
  // The simdjson calls use error codes and never throw; what remains is
  // std::bad_alloc from our own strings and vectors.
  try {
    RETURN_IF_ERROR(impl_->Scan(frame, limits_));
    // Filled in place: moving a finished FrameSummary into the Result costs
    // about as much as filling it.
    Result<FrameSummary> result(FrameSummary{});
    impl_->Fill(&result.value());
    return result;
  } catch (const std::bad_alloc&) {
    return Internal("out of memory while parsing a frame");
  } catch (const std::exception& e) {
    return Internal(std::string("unexpected exception while parsing a frame: ") + e.what());
  } catch (...) {
    return Internal("unexpected exception while parsing a frame");
  }
}

Result<FrameSummary> ParseFrame(std::string_view frame) {
  thread_local FrameParser parser;
  return parser.Parse(frame);
}

bool LooksLikeChannelId(std::string_view s) {
  const std::size_t dot = s.find('.');
  if (dot == std::string_view::npos || dot == 0 || dot + 1 == s.size()) return false;
  auto all_digits = [](std::string_view part) {
    return std::all_of(part.begin(), part.end(), [](char c) { return c >= '0' && c <= '9'; });
  };
  return all_digits(s.substr(0, dot)) && all_digits(s.substr(dot + 1));
}

}  // namespace callledger::ari
