#include "serving_rows.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <random>
#include <string_view>

namespace callledger::bench {
namespace {

constexpr std::int64_t kSecondUs = 1'000'000;
constexpr std::int64_t kMinuteUs = 60 * kSecondUs;
// The PBX is in Tashkent (UTC+5); the day's traffic follows its office hours.
constexpr int kZoneOffsetHours = 5;

constexpr std::array<std::string_view, 3> kCompanyLines = {"712005050", "712005051", "781500000"};
constexpr std::array<std::string_view, 12> kNames = {"Alisher Karimov",  "Dilnoza Rashidova",
                                                     "Sardor",           "Gulnora Yusupova",
                                                     "O'tkir Xolmatov",  "Алишер",
                                                     "Нигора Саидова",   "Jasur",
                                                     "Malika",           "Бобур Тошев",
                                                     "Shahzod Ergashev", "Zarina"};

struct Outcome {
  const char* disposition;
  int cause;  // 0 = none recorded
  const char* cause_txt;
};
// Outbound calls that never connected, with the causes the observer stream
// shows for them (docs/projection.md, "disposition").
constexpr std::array<Outcome, 5> kOutboundFailures = {
    {{"busy", 17, "User busy"},
     {"no_answer", 19, "No answer"},
     {"congestion", 34, "Circuit/channel congestion"},
     {"failed", 0, ""},
     {"unanswered", 0, ""}}};
constexpr std::array<double, 5> kOutboundFailureWeights = {0.375, 0.375, 0.125, 0.0625, 0.0625};

class Generator {
 public:
  Generator(const RowSetOptions& o, RowSet& out) : o_(o), out_(out), rng_(o.seed) {}

  void Run() {
    out_.first_day_us = (o_.now_us / kDayUs - (o_.days - 1)) * kDayUs;
    for (std::size_t i = 0; i < o_.numbers; ++i) {
      char buf[16];
      std::snprintf(buf, sizeof buf, "99890%07zu", (i * 7'919 + 1'234'567) % 10'000'000);
      out_.numbers.emplace_back(buf);
    }
    // A few hundred calls in progress on a busy PBX: 300 at 1M rows.
    out_.live = std::clamp<std::size_t>(o_.rows / 3'000, std::min<std::size_t>(10, o_.rows), 300);
    out_.rows.reserve(o_.rows);
    std::size_t pending_callback = SIZE_MAX;  // an abandoned call waiting for one
    while (out_.rows.size() < o_.rows - out_.live) {
      if (pending_callback != SIZE_MAX && Chance(0.5)) {
        out_.rows.push_back(Callback(out_.rows[pending_callback]));
        pending_callback = SIZE_MAX;
        continue;
      }
      out_.rows.push_back(Finished());
      const CallRow& r = out_.rows.back();
      if (r.disposition == "abandoned") pending_callback = out_.rows.size() - 1;
    }
    while (out_.rows.size() < o_.rows) out_.rows.push_back(Live());
    std::sort(out_.rows.begin(), out_.rows.end(),
              [](const CallRow& a, const CallRow& b) { return a.start_us < b.start_us; });
    std::uint64_t seq = 1;
    for (CallRow& r : out_.rows) {
      // ~95 records per call on the observer stream (docs/benchmarks.md).
      r.first_seq = Seq{seq};
      r.last_seq = Seq{seq + 94};
      seq += 95;
    }
  }

 private:
  bool Chance(double p) { return std::uniform_real_distribution<double>(0, 1)(rng_) < p; }
  std::int64_t Uniform(std::int64_t lo, std::int64_t hi) {
    return std::uniform_int_distribution<std::int64_t>(lo, hi)(rng_);
  }
  // Exponential with the given mean, in µs, capped.
  std::int64_t Exp(double mean_s, double cap_s) {
    const double s = std::min(std::exponential_distribution<double>(1.0 / mean_s)(rng_), cap_s);
    return static_cast<std::int64_t>(s * kSecondUs);
  }

  const std::string& Customer() {
    // Frequent callers: 5 % of calls come from the first 200 numbers.
    const std::size_t heavy = std::min<std::size_t>(200, o_.numbers);
    if (Chance(0.05)) return out_.numbers[Uniform(0, heavy - 1)];
    return out_.numbers[Uniform(0, o_.numbers - 1)];
  }

  // A start time in the period, mostly within office hours (08-20 local),
  // at least an hour before now so that the call has ended.
  std::int64_t StartTime() {
    while (true) {
      const std::int64_t day = out_.first_day_us + Uniform(0, o_.days - 1) * kDayUs;
      const int local_hour = Chance(0.88) ? static_cast<int>(Uniform(8, 19))
                                          : static_cast<int>((Uniform(20, 31)) % 24);
      const int utc_hour = (local_hour - kZoneOffsetHours + 24) % 24;
      const std::int64_t t = day + utc_hour * 60 * kMinuteUs + Uniform(0, 60 * kMinuteUs - 1);
      if (t < o_.now_us - 60 * kMinuteUs) return t;
    }
  }

  CallRow Base(std::int64_t start_us, bool inbound) {
    CallRow r;
    r.node = o_.node;
    ++counter_;
    char channel[32];
    std::snprintf(channel, sizeof channel, "%lld.%llu",
                  static_cast<long long>(start_us / kSecondUs),
                  static_cast<unsigned long long>(counter_));
    r.channel_id = channel;
    // One call in ten comes from a dialplan with the ${UUID} bug: keyed by
    // its channel id, args_ok false (docs/projection.md).
    r.args_ok = !Chance(0.1);
    if (r.args_ok) {
      // The first group's top bit set: never one WithFreshIds produces.
      char uuid[40];
      std::snprintf(uuid, sizeof uuid, "%08llx-%04llx-4%03llx-a%03llx-%012llx",
                    static_cast<unsigned long long>(Uniform(0x80000000LL, 0xffffffffLL)),
                    static_cast<unsigned long long>(Uniform(0, 0xffff)),
                    static_cast<unsigned long long>(Uniform(0, 0xfff)),
                    static_cast<unsigned long long>(Uniform(0, 0xfff)),
                    static_cast<unsigned long long>(Uniform(0, 0xffffffffffffLL)));
      r.call_id = uuid;
    } else {
      r.call_id = r.channel_id;
    }
    r.direction = inbound ? "kiruvchi" : "chiquvchi";
    r.start_us = start_us;
    if (inbound) {
      r.from_number = Customer();
      r.to_number = std::string(kCompanyLines[Uniform(0, kCompanyLines.size() - 1)]);
      if (Chance(0.3)) r.caller_name = std::string(kNames[Uniform(0, kNames.size() - 1)]);
    } else {
      r.from_number = std::to_string(Uniform(101, 160));  // an agent's extension
      r.to_number = Customer();
    }
    return r;
  }

  void Answer(CallRow& r, std::int64_t ring_us, std::int64_t talk_us) {
    r.answered = true;
    r.answer_us = r.start_us + ring_us;
    r.end_us = r.answer_us + talk_us;
    r.disposition = "answered";
    r.hangup_cause = 16;
    r.hangup_cause_txt = "Normal Clearing";
    if (Chance(0.9)) {
      r.recording_path = "/var/spool/asterisk/monitor/" + r.call_id + ".wav";
    }
    Finish(r);
  }

  void Finish(CallRow& r) {
    r.status = CallStatus::kFinished;
    r.end_reason = EndReason::kHangup;
    r.duration_s = RoundedSeconds(r.start_us, r.end_us);
    r.ring_s = RoundedSeconds(r.start_us, r.answered ? r.answer_us : r.end_us);
    if (r.answered) r.talk_s = RoundedSeconds(r.answer_us, r.end_us);
  }

  CallRow Finished() {
    const bool inbound = Chance(0.7);
    CallRow r = Base(StartTime(), inbound);
    if (inbound) {
      if (Chance(0.78)) {
        Answer(r, 2 * kSecondUs + Exp(15, 300), 20 * kSecondUs + Exp(160, 3600));
      } else {
        r.end_us = r.start_us + 3 * kSecondUs + Exp(25, 600);
        r.disposition = "abandoned";
        r.hangup_cause = 16;
        r.hangup_cause_txt = "Normal Clearing";
        Finish(r);
      }
      return r;
    }
    if (Chance(0.68)) {
      Answer(r, 5 * kSecondUs + Exp(10, 60), 20 * kSecondUs + Exp(160, 3600));
      return r;
    }
    Fail(r);
    return r;
  }

  void Fail(CallRow& r) {
    std::discrete_distribution<int> pick(kOutboundFailureWeights.begin(),
                                         kOutboundFailureWeights.end());
    const Outcome& o = kOutboundFailures[pick(rng_)];
    r.disposition = o.disposition;
    if (o.cause != 0) {
      r.hangup_cause = o.cause;
      r.hangup_cause_txt = o.cause_txt;
    }
    const bool rang_out = r.disposition == "no_answer";
    r.end_us = r.start_us + (rang_out ? Uniform(30, 45) * kSecondUs : Uniform(1, 4) * kSecondUs);
    Finish(r);
  }

  // An agent calling back the number of an abandoned call.
  CallRow Callback(const CallRow& missed) {
    const std::int64_t start = missed.end_us + Uniform(3, 90) * kMinuteUs;
    CallRow r = Base(std::min(start, o_.now_us - 60 * kMinuteUs), false);
    r.to_number = missed.from_number;
    if (Chance(0.7)) {
      Answer(r, 5 * kSecondUs + Exp(10, 60), 20 * kSecondUs + Exp(120, 3600));
    } else {
      Fail(r);
    }
    return r;
  }

  // A call in progress: started in the last ten minutes, ringing (40 %) or
  // talking.
  CallRow Live() {
    const bool inbound = Chance(0.8);
    CallRow r = Base(o_.now_us - Uniform(kSecondUs, 10 * kMinuteUs), inbound);
    if (Chance(0.4)) {
      r.status = CallStatus::kRinging;
      return r;
    }
    r.status = CallStatus::kTalking;
    r.answered = true;
    r.answer_us = std::min(r.start_us + 2 * kSecondUs + Exp(15, 120), o_.now_us);
    r.ring_s = RoundedSeconds(r.start_us, r.answer_us);
    return r;
  }

  const RowSetOptions& o_;
  RowSet& out_;
  std::mt19937_64 rng_;
  std::uint64_t counter_ = 0;
};

}  // namespace

RowSet MakeRows(const RowSetOptions& options) {
  RowSet out;
  Generator(options, out).Run();
  return out;
}

}  // namespace callledger::bench
