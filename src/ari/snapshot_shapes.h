// What makes a member of an ARI event a Channel or a Bridge snapshot, for
// the code that folds frames with Boost.JSON (live_state.cc, frame_names.cc):
// one test for both, so the REST answers ari-sim gives and the ids a
// simulated restart sorts out agree on what a snapshot is.
//
// A channel snapshot is an object with string `id`, `name` and `state`, and
// a `caller` or `dialplan` object; a bridge snapshot one with a string `id`,
// a `technology` or `bridge_type`, and a `channels` array. Internal to the
// ledger_ari_state library (the only one here that links Boost.JSON).
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <string_view>

namespace callledger::ari::shapes {

inline bool HasString(const boost::json::object& object, std::string_view key) {
  const boost::json::value* v = object.if_contains(key);
  return v != nullptr && v->is_string();
}

inline bool HasObject(const boost::json::object& object, std::string_view key) {
  const boost::json::value* v = object.if_contains(key);
  return v != nullptr && v->is_object();
}

inline bool IsChannelSnapshot(const boost::json::object& object) {
  return HasString(object, "id") && HasString(object, "name") && HasString(object, "state") &&
         (HasObject(object, "caller") || HasObject(object, "dialplan"));
}

inline bool IsBridgeSnapshot(const boost::json::object& object) {
  const boost::json::value* channels = object.if_contains("channels");
  return HasString(object, "id") &&
         (object.contains("technology") || object.contains("bridge_type")) && channels != nullptr &&
         channels->is_array();
}

}  // namespace callledger::ari::shapes
