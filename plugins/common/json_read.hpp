// Tolerant readers of media servers' JSON values: strings that are numbers, numbers that are strings, absences.
#pragma once

#include <rapidjson/document.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

// Shared by the in-tree media-source plugins (plex, jellyfin); compiled into each of them.
namespace pmx::plugin_common::json {

using Value = rapidjson::Value;

// Parses a response body into `doc`: true when it is a JSON object. Iterative, not recursive:
// a deeply nested body (a broken or hostile server) must not exhaust the stack.
bool parse_object(std::string_view body, rapidjson::Document& doc);
// Like parse_object, for a body that is a JSON array (Jellyfin's /Users).
bool parse_array(std::string_view body, rapidjson::Document& doc);

// The member `name` of `object`, or nullptr when `object` is not an object or lacks it. A JSON
// null reads as absent.
const Value* member(const Value& object, std::string_view name);

// The member of `item`, else of `container` (Plex may "hoist" attributes that every child
// shares onto the MediaContainer: plexapi.dev, "MediaContainer").
const Value* member_or_hoisted(const Value& item, const Value& container, std::string_view name);

// A string member as a view into the document; empty when absent or not a string.
std::string_view text(const Value* value);

// A key (Plex ratingKey, section key, Jellyfin Id): servers send strings, older servers and
// proxies sometimes numbers.
// Returns the text, or nullopt when absent or neither a string nor an integer.
std::optional<std::string> key_text(const Value* value);

// A whole number given as a JSON integer, an integral float, or a decimal string.
std::optional<std::int64_t> integer(const Value* value);

// A number given as a JSON number or a decimal string (userRating "7.0" or 7.0 or 7).
std::optional<double> number(const Value* value);

// The elements of an array member, or nullptr when absent or not an array.
const Value* array(const Value& object, std::string_view name);

}  // namespace pmx::plugin_common::json
