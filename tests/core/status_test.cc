#include <catch2/catch.hpp>
#include <memory>
#include <string>

#include "core/record.h"
#include "core/status.h"

namespace callledger {
namespace {

Result<int> Half(int v) {
  if (v % 2 != 0) return InvalidInput("odd: " + std::to_string(v));
  return v / 2;
}

TEST_CASE("Result carries a value or a non-OK status") {
  auto ok = Half(8);
  REQUIRE(ok.ok());
  CHECK(*ok == 4);
  CHECK(ok.status().ok());

  auto bad = Half(3);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().code() == Code::kInvalidInput);
  CHECK(bad.status().ToString() == "invalid input: odd: 3");
}

// A step that counts its calls, so the tests see each expression evaluated once.
Status Step(int& calls, Status result) {
  ++calls;
  return result;
}

Result<int> CountedHalf(int v, int& calls) {
  ++calls;
  return Half(v);
}

Status TwoSteps(int& calls, Status first, Status second, bool& reached_end) {
  RETURN_IF_ERROR(Step(calls, std::move(first)));
  RETURN_IF_ERROR(Step(calls, std::move(second)));
  reached_end = true;
  return Status::Ok();
}

TEST_CASE("RETURN_IF_ERROR returns the first error unchanged and goes on after OK") {
  int calls = 0;
  bool reached_end = false;
  CHECK(TwoSteps(calls, Status::Ok(), Status::Ok(), reached_end).ok());
  CHECK(calls == 2);
  CHECK(reached_end);

  calls = 0;
  reached_end = false;
  Status first = TwoSteps(calls, DataLoss("record 7"), Status::Ok(), reached_end);
  CHECK(first.code() == Code::kDataLoss);
  CHECK(first.message() == "record 7");
  CHECK(calls == 1);
  CHECK_FALSE(reached_end);

  calls = 0;
  Status second = TwoSteps(calls, Status::Ok(), Unavailable("db down"), reached_end);
  CHECK(second.code() == Code::kUnavailable);
  CHECK(second.message() == "db down");
  CHECK(calls == 2);
  CHECK_FALSE(reached_end);
}

// RETURN_IF_ERROR in a function that returns a Result, on a Result's status.
Result<std::string> Described(int v, int& calls) {
  RETURN_IF_ERROR(CountedHalf(v, calls).status());
  return "even: " + std::to_string(v);
}

TEST_CASE("RETURN_IF_ERROR passes a Result's error on from a function returning a Result") {
  int calls = 0;
  auto ok = Described(4, calls);
  REQUIRE(ok.ok());
  CHECK(*ok == "even: 4");
  CHECK(calls == 1);
  auto bad = Described(5, calls);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().ToString() == "invalid input: odd: 5");
  CHECK(calls == 2);
}

Result<int> Quarter(int v, int& calls) {
  ASSIGN_OR_RETURN(int half, CountedHalf(v, calls));
  ASSIGN_OR_RETURN(auto quarter, CountedHalf(half, calls));
  return quarter;
}

TEST_CASE("ASSIGN_OR_RETURN declares the value, or returns the error unchanged") {
  int calls = 0;
  auto ok = Quarter(8, calls);
  REQUIRE(ok.ok());
  CHECK(*ok == 2);
  CHECK(calls == 2);

  calls = 0;
  auto second_fails = Quarter(6, calls);  // 6 -> 3, which is odd
  REQUIRE_FALSE(second_fails.ok());
  CHECK(second_fails.status().ToString() == "invalid input: odd: 3");
  CHECK(calls == 2);

  calls = 0;
  auto first_fails = Quarter(5, calls);
  REQUIRE_FALSE(first_fails.ok());
  CHECK(first_fails.status().ToString() == "invalid input: odd: 5");
  CHECK(calls == 1);
}

Result<std::unique_ptr<int>> Boxed(int v) {
  if (v < 0) return InvalidInput("negative");
  return std::make_unique<int>(v);
}

// Assigns to variables declared earlier; the value is moved out, so a
// move-only T works.
Status SumOfBoxes(int a, int b, int* sum) {
  std::unique_ptr<int> box;
  ASSIGN_OR_RETURN(box, Boxed(a));
  *sum = *box;
  ASSIGN_OR_RETURN(box, Boxed(b));
  *sum += *box;
  return Status::Ok();
}

TEST_CASE("ASSIGN_OR_RETURN assigns to an existing variable and moves the value out") {
  int sum = 0;
  CHECK(SumOfBoxes(2, 3, &sum).ok());
  CHECK(sum == 5);
  sum = 0;
  Status s = SumOfBoxes(2, -1, &sum);
  CHECK(s.ToString() == "invalid input: negative");
  CHECK(sum == 2);  // the first box was added, the second never reached
}

TEST_CASE("record kind names round-trip and unknown names are rejected") {
  for (RecordKind k : {RecordKind::kAriEvent, RecordKind::kGap, RecordKind::kReconcile,
                       RecordKind::kMalformed, RecordKind::kNote, RecordKind::kCel}) {
    auto back = RecordKindFromName(RecordKindName(k));
    REQUIRE(back.has_value());
    CHECK(*back == k);
  }
  CHECK(RecordKindName(RecordKind::kAriEvent) == "ari_event");
  CHECK(RecordKindName(RecordKind::kCel) == "cel");
  CHECK_FALSE(RecordKindFromName("ari-event").has_value());
}

TEST_CASE("SeqRange size counts inclusive ranges and empty ones") {
  CHECK(SeqRange{Seq{1}, Seq{1}}.size() == 1);
  CHECK(SeqRange{Seq{5}, Seq{14}}.size() == 10);
  CHECK(SeqRange{Seq{5}, Seq{4}}.size() == 0);
}

}  // namespace
}  // namespace callledger
