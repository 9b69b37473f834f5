#include "support/call_rows.h"

#include <utility>

namespace callledger::testing {

CallRow Call(const std::string& node, const std::string& call_id, const std::string& direction,
             const std::string& from, const std::string& to, std::int64_t start_us,
             std::int64_t answer_us, std::int64_t end_us) {
  CallRow r;
  r.node = node;
  r.call_id = call_id;
  r.channel_id = "chan-" + call_id;
  r.direction = direction;
  r.from_number = from;
  r.to_number = to;
  r.start_us = start_us;
  r.answer_us = answer_us;
  r.end_us = end_us;
  r.answered = answer_us != 0;
  r.status = end_us != 0      ? CallStatus::kFinished
             : answer_us != 0 ? CallStatus::kTalking
                              : CallStatus::kRinging;
  if (r.answered && start_us != 0) r.ring_s = RoundedSeconds(start_us, answer_us);
  if (end_us != 0 && start_us != 0) {
    r.duration_s = RoundedSeconds(start_us, end_us);
    if (r.answered) {
      r.talk_s = RoundedSeconds(answer_us, end_us);
    } else {
      r.ring_s = RoundedSeconds(start_us, end_us);
    }
  }
  if (end_us != 0) {
    r.disposition = r.answered ? "answered" : direction == "kiruvchi" ? "abandoned" : "no_answer";
  }
  r.args_ok = true;
  r.first_seq = Seq{1};
  r.last_seq = Seq{2};
  return r;
}

RowChange Upsert(CallRow row) { return RowChange{RowChange::Op::kUpsert, std::move(row)}; }

RowChange Delete(const std::string& node, const std::string& call_id) {
  CallRow r;
  r.node = node;
  r.call_id = call_id;
  return RowChange{RowChange::Op::kDelete, std::move(r)};
}

}  // namespace callledger::testing
