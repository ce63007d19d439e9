// Reading the small JSON files of a model folder, with errors that name the file.
#pragma once

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

namespace pmx::localst::bert {

inline rapidjson::Document read_json_object(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) throw std::runtime_error("cannot open " + file.string());
    std::stringstream text;
    text << in.rdbuf();
    rapidjson::Document doc;
    doc.Parse(text.str().c_str());
    if (doc.HasParseError())
        throw std::runtime_error(file.string() + ": invalid JSON at offset " + std::to_string(doc.GetErrorOffset()) +
                                 ": " + rapidjson::GetParseError_En(doc.GetParseError()));
    if (!doc.IsObject()) throw std::runtime_error(file.string() + ": expected a JSON object");
    return doc;
}

}  // namespace pmx::localst::bert
