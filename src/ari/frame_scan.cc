#include "ari/frame_scan.h"

#include <cstring>
#include <string>

namespace callledger::ari::internal {

namespace dom = simdjson::dom;

namespace {

constexpr std::string_view kChannelUriPrefix = "channel:";
constexpr std::string_view kBridgeUriPrefix = "bridge:";

// `key == literal`, with the literal's length known at compile time so that
// the comparison compiles to a length check and one or two loads instead of
// a memcmp call; this runs for every field of every frame.
template <std::size_t N>
bool KeyIs(std::string_view key, const char (&literal)[N]) {
  return key.size() == N - 1 && std::memcmp(key.data(), literal, N - 1) == 0;
}

ObjectFacts ScanObject(dom::object object) {
  ObjectFacts facts;
  for (dom::key_value_pair field : object) {
    const std::string_view key = field.key;
    if (KeyIs(key, "id")) {
      facts.id = StringOrNull(field.value);
    } else if (KeyIs(key, "state") || KeyIs(key, "caller") || KeyIs(key, "dialplan")) {
      facts.has_channel_fields = true;
    } else if (KeyIs(key, "technology") || KeyIs(key, "bridge_type")) {
      facts.has_bridge_fields = true;
    } else if (KeyIs(key, "target_uri")) {
      facts.target_uri = StringOrNull(field.value);
    } else if (KeyIs(key, "name")) {
      facts.name = StringOrNull(field.value);
    } else if (KeyIs(key, "creationtime")) {
      facts.creationtime = StringOrNull(field.value);
    }
  }
  return facts;
}

std::string_view TypeName(dom::element_type type) {
  switch (type) {
    case dom::element_type::ARRAY:
      return "an array";
    case dom::element_type::OBJECT:
      return "an object";
    case dom::element_type::INT64:
    case dom::element_type::UINT64:
    case dom::element_type::DOUBLE:
      return "a number";
    case dom::element_type::STRING:
      return "a string";
    case dom::element_type::BOOL:
      return "a boolean";
    case dom::element_type::NULL_VALUE:
      return "null";
  }
  return "an unknown value";
}

}  // namespace

Status JsonError(simdjson::error_code error, const FrameLimits& limits) {
  switch (error) {
    case simdjson::UTF8_ERROR:
      return InvalidInput(std::string("frame is not valid UTF-8: ") +
                          simdjson::error_message(error));
    case simdjson::DEPTH_ERROR:
      return InvalidInput("frame is nested deeper than " + std::to_string(limits.max_depth) +
                          " levels");
    case simdjson::EMPTY:
      return InvalidInput("frame is empty (only whitespace)");
    case simdjson::MEMALLOC:
      // Not the frame's fault: recording it as malformed would lose it.
      return Internal("out of memory while parsing a frame");
    default:
      return InvalidInput(std::string("frame is not valid JSON: ") +
                          simdjson::error_message(error));
  }
}

Status ScanFrame(dom::parser& parser, std::string_view frame, const FrameLimits& limits,
                 FrameFields& fields) {
  // The DOM parser validates the whole document (every number, literal,
  // string escape and the UTF-8 of every byte), unlike on-demand, which only
  // checks what it visits: a frame with an error in a field we never read
  // must still be rejected. parse() copies the frame into its own padded
  // buffer, so `frame` needs no SIMDJSON_PADDING.
  dom::element root;
  if (simdjson::error_code error = parser.parse(frame.data(), frame.size()).get(root)) {
    return JsonError(error, limits);
  }
  dom::object object;
  if (root.get_object().get(object) != simdjson::SUCCESS) {
    return InvalidInput("frame is not a JSON object (it is " + std::string(TypeName(root.type())) +
                        ")");
  }

  // One pass in document order. Fields whose meaning depends on `type` are
  // kept as views and interpreted afterwards, because `type` need not come
  // first (ChannelVarset frames start with `variable`). Duplicate keys are
  // legal JSON; the first occurrence wins everywhere, as with at_key().
  FrameFields& f = fields;
  f.Clear();
  // Only called for string elements, so a null slot means "not seen yet".
  auto set_once = [](std::string_view* slot, dom::element element) {
    if (slot->data() == nullptr) *slot = element.get_string().value_unsafe();
  };
  for (dom::key_value_pair field : object) {
    const std::string_view key = field.key;
    const dom::element element = field.value;
    if (KeyIs(key, "type")) {
      // Any JSON type here; whether it is a string is checked below.
      if (!f.type) f.type = element;
      continue;
    }
    switch (element.type()) {
      case dom::element_type::STRING:
        if (KeyIs(key, "timestamp")) {
          set_once(&f.timestamp, element);
        } else if (KeyIs(key, "asterisk_id")) {
          set_once(&f.asterisk_id, element);
        } else if (KeyIs(key, "application")) {
          set_once(&f.application, element);
        } else if (KeyIs(key, "variable")) {
          set_once(&f.variable, element);
        } else if (KeyIs(key, "value")) {
          set_once(&f.value, element);
        } else if (KeyIs(key, "dialplan_app")) {
          set_once(&f.dialplan_app, element);
        } else if (KeyIs(key, "dialplan_app_data")) {
          set_once(&f.dialplan_app_data, element);
        } else if (KeyIs(key, "destination_bridge")) {
          f.bridges.push_back(element.get_string().value_unsafe());
        }
        break;
      case dom::element_type::OBJECT: {
        const ObjectFacts facts = ScanObject(element.get_object().value_unsafe());
        if (KeyIs(key, "channel")) {
          // The event's subject, by name, whatever fields it carries.
          if (!f.subject) f.subject = facts;
        } else if (!facts.target_uri.empty()) {
          // A media operation (recording, playback): it has an id and a
          // state of its own, but only its target is a channel or bridge.
          if (facts.target_uri.starts_with(kChannelUriPrefix)) {
            f.channels.push_back(facts.target_uri.substr(kChannelUriPrefix.size()));
          } else if (facts.target_uri.starts_with(kBridgeUriPrefix)) {
            f.bridges.push_back(facts.target_uri.substr(kBridgeUriPrefix.size()));
          }
        } else if (facts.id.empty()) {
          // Device states, endpoints, caller ids: not channels or bridges.
        } else if (facts.has_channel_fields) {
          f.channels.push_back(facts.id);
        } else if (facts.has_bridge_fields || KeyIs(key, "bridge")) {
          f.bridges.push_back(facts.id);
        }
        break;
      }
      case dom::element_type::ARRAY:
        if (KeyIs(key, "args") && !f.args) f.args = element.get_array().value_unsafe();
        break;
      default:
        break;
    }
  }

  if (!f.type) return InvalidInput("frame has no \"type\" field");
  if (f.type->type() != dom::element_type::STRING) {
    return InvalidInput("frame's \"type\" field is " + std::string(TypeName(f.type->type())) +
                        ", not a string");
  }
  return Status::Ok();
}

}  // namespace callledger::ari::internal
