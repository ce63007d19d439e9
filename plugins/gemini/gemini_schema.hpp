// JSON Schema (as the engine writes it) to the Gemini API's responseSchema (an OpenAPI 3.0 subset).
#pragma once

#include <rapidjson/document.h>

#include <string_view>

namespace pmx::gemini {

// Converts `json_schema` (JSON text) into a Gemini Schema object allocated in `out`. Keeps what
// the API's Schema message has (type, nullable, enum, properties, required, items, anyOf,
// description, the numeric and length bounds, pattern, format "date-time"); writes types in the
// API's own enum spelling (OBJECT, STRING...); adds propertyOrdering in the order the schema
// lists its properties; resolves local "$ref"s (#/$defs/..., #/definitions/...) by inlining;
// maps "const" and type lists with "null" to enum and nullable; drops everything else
// ($schema, $id, additionalProperties, title, default, examples, other formats...), which the
// API refuses with 400 "Unknown name". The engine validates the answer against the full schema.
// Throws sdk::Error(PMX_INVALID_INPUT) when the text is not a JSON object or nests deeper than
// the converter follows (a recursive $ref).
void to_gemini_schema(std::string_view json_schema, rapidjson::Value& out,
                      rapidjson::Document::AllocatorType& allocator);

}  // namespace pmx::gemini
