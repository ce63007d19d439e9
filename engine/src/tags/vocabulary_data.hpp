// The built-in vocabulary file's text, generated at build time from engine/data/tags/vocabulary.yaml.
#pragma once

#include <string_view>

namespace pmx::tags {

// The whole of engine/data/tags/vocabulary.yaml (engine/CMakeLists.txt writes the definition).
extern const std::string_view kBuiltinVocabularyYaml;
// The name errors in it are reported under.
inline constexpr const char* kBuiltinVocabularyName = "engine/data/tags/vocabulary.yaml";

}  // namespace pmx::tags
