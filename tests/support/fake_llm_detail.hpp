// Helpers shared by the fake LLM's per-API files (JSON reading and writing, tokens, fault shaping); not for tests.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <rapidjson/document.h>

#include "support/fake_http_server.hpp"
#include "support/fake_llm.hpp"

namespace pmx::test::fake_llm_detail {

// Parses a request body; false when it is not a JSON object.
bool parse_object(const std::string& body, rapidjson::Document& doc);
// A JSON string literal (quotes included) for `text`.
std::string quote(std::string_view text);
// The JSON text of a value.
std::string dump(const rapidjson::Value& value);
// The first top-level member of `object` whose name is not in `known`, or nullopt.
std::optional<std::string> unknown_member(const rapidjson::Value& object, const std::vector<std::string_view>& known);
// A string member, or nullopt when missing or not a string.
std::optional<std::string> string_member(const rapidjson::Value& object, const char* name);
// A non-negative integer member, or nullopt when missing or not one.
std::optional<std::uint64_t> uint_member(const rapidjson::Value& object, const char* name);

std::size_t count_words(std::string_view text);
// The first `words` words of `text` (whitespace kept between them).
std::string first_words(std::string_view text, std::size_t words);
// The first half of the words of `text` (at least one word).
std::string first_half(std::string_view text);
std::string fenced(std::string_view text);

// Little-endian float32 values, base64-encoded (OpenAI's encoding_format "base64").
std::string base64_floats(const std::vector<float>& values);
// A JSON array of the values.
std::string float_array(const std::vector<float>& values);

// The header value for "Bearer <key>", or nullopt.
std::optional<std::string> bearer(const FakeRequest& request);
// Shows the first 3 and the last 4 characters of a key, as OpenAI's 401 message does.
std::string mask_key(std::string_view key);

// The response cut after half its body, still with status 200: a truncated JSON envelope.
FakeResponse truncated(FakeResponse response);
FakeResponse garbage();
FakeResponse json(int status, std::string body);

// Applies a text fault (fenced / cut) to an answer; returns whether it was cut.
bool apply_text_fault(FakeLlmRule::Kind fault, std::string& text);

}  // namespace pmx::test::fake_llm_detail

namespace pmx::test::fake_llm_detail {

// Each API's error answer for an HTTP status, with its retry hint when `retry_after` is set
// (seconds). Defined in that API's file.
FakeResponse openai_error(int status, const std::string& retry_after);
FakeResponse compatible_error(int status, const std::string& retry_after);
FakeResponse gemini_error(int status, const std::string& retry_after);
FakeResponse claude_error(int status, const std::string& retry_after);
FakeResponse cohere_error(int status, const std::string& retry_after);

}  // namespace pmx::test::fake_llm_detail
