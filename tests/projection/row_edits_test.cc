// A row changes only through RowEdits, and what changes through it is
// emitted (core/projector_state.h). The first half is checked when this file
// compiles: it does not, if a Call hands out its row mutably or a RowHandle
// can be made without RowEdits.
#include <catch2/catch.hpp>
#include <type_traits>
#include <utility>

#include "core/projector_state.h"

namespace callledger {
namespace {

using fold::Call;
using fold::RowEdits;
using fold::RowHandle;

// A call's row is read-only to whoever holds the call...
static_assert(std::is_same_v<decltype(std::declval<Call&>().row()), const CallRow&>);
static_assert(!std::is_assignable_v<decltype((std::declval<Call&>().row().status)), CallStatus>);
// ...and its member is out of reach (a private member makes the requirement
// fail, as an absent one would).
template <typename C>
concept ExposesRow = requires(C& c) {
  c.row_;
};
static_assert(!ExposesRow<Call>);
// The only RowHandles are those RowEdits::Edit returns, after it kept the
// row's pre-image.
static_assert(!std::is_constructible_v<RowHandle, CallRow*>);
static_assert(!std::is_constructible_v<RowHandle, Call&>);
static_assert(!std::is_default_constructible_v<RowHandle>);

TEST_CASE("a row changed through its handle is emitted, and an unchanged one is not") {
  Call call;
  RowEdits edits;
  std::vector<RowChange> changes;

  edits.Clear();
  RowHandle row = edits.Edit(call);
  row->call_id = "c1";
  row->status = CallStatus::kTalking;
  edits.Emit(Seq{7}, "pbx", &changes);
  REQUIRE(changes.size() == 1);
  CHECK(changes[0].op == RowChange::Op::kUpsert);
  CHECK(changes[0].row.call_id == "c1");
  CHECK(changes[0].row.status == CallStatus::kTalking);
  CHECK(changes[0].row.first_seq == Seq{7});
  CHECK(changes[0].row.last_seq == Seq{7});
  CHECK(call.row() == changes[0].row);  // the projector's row carries the seqs too

  // Taken but left as it was: nothing to emit.
  changes.clear();
  edits.Clear();
  (void)edits.Edit(call);
  edits.Emit(Seq{8}, "pbx", &changes);
  CHECK(changes.empty());

  // Changed and changed back within one record: nothing either.
  edits.Clear();
  edits.Edit(call)->status = CallStatus::kFinished;
  edits.Edit(call)->status = CallStatus::kTalking;
  edits.Emit(Seq{9}, "pbx", &changes);
  CHECK(changes.empty());

  // A later change keeps first_seq and moves last_seq.
  edits.Clear();
  edits.Edit(call)->status = CallStatus::kFinished;
  edits.Emit(Seq{10}, "pbx", &changes);
  REQUIRE(changes.size() == 1);
  CHECK(changes[0].row.first_seq == Seq{7});
  CHECK(changes[0].row.last_seq == Seq{10});
}

TEST_CASE("rows are emitted in the order of their first edit, a withdrawn one as a delete first") {
  Call a, b, gone;
  RowEdits edits;
  std::vector<RowChange> changes;
  edits.Clear();
  edits.Edit(gone)->call_id = "gone";
  edits.Edit(b)->call_id = "b";
  edits.Edit(a)->call_id = "a";
  edits.Edit(b)->caller_name = "Oʻtkir";
  edits.Withdraw(gone);
  edits.Emit(Seq{3}, "pbx", &changes);
  REQUIRE(changes.size() == 3);
  CHECK(changes[0].op == RowChange::Op::kDelete);
  CHECK(changes[0].row.call_id == "gone");
  CHECK(changes[0].row.node == "pbx");
  CHECK(changes[1].row.call_id == "b");
  CHECK(changes[1].row.caller_name == "Oʻtkir");
  CHECK(changes[2].row.call_id == "a");
}

}  // namespace
}  // namespace callledger
