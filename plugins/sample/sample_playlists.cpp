// sample: playlists in memory or in a small JSON file:
//   {"next_id": 3, "playlists": [{"key": "pl-1", "title": "...", "description": "...",
//                                 "items": ["17", "4"], "marker": "pmx-..."}, ...]}
#include "sample_playlists.hpp"

#include <pmx/plugin.hpp>

#include <rapidjson/document.h>
#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <system_error>

namespace pmx::sample {
namespace {

namespace fs = std::filesystem;
namespace sdk = pmx::sdk;

[[noreturn]] void fail(const std::string& file, const std::string& what) {
    throw sdk::Error(PMX_INVALID_INPUT, "sample: the playlists_file " + file + " " + what);
}

std::string text_of(const rapidjson::Value& object, const char* name) {
    const auto it = object.FindMember(name);
    if (it == object.MemberEnd() || !it->value.IsString()) return {};
    return std::string(it->value.GetString(), it->value.GetStringLength());
}

}  // namespace

PlaylistState PlaylistStore::load() const {
    if (file_.empty()) return memory_;
    std::ifstream in(file_, std::ios::binary);
    if (!in) {
        std::error_code ec;
        if (!fs::exists(file_, ec)) return {};  // nothing written yet
        fail(file_, "cannot be read");
    }
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    rapidjson::Document doc;
    doc.Parse(text.data(), text.size());
    if (doc.HasParseError() || !doc.IsObject()) fail(file_, "is not a JSON object");
    PlaylistState state;
    const auto next = doc.FindMember("next_id");
    if (next != doc.MemberEnd() && next->value.IsUint64()) state.next_id = next->value.GetUint64();
    const auto list = doc.FindMember("playlists");
    if (list == doc.MemberEnd() || !list->value.IsArray()) return state;
    for (const rapidjson::Value& entry : list->value.GetArray()) {
        if (!entry.IsObject()) fail(file_, "holds a playlist that is not an object");
        Playlist p;
        p.key = text_of(entry, "key");
        if (p.key.empty()) fail(file_, "holds a playlist without a key");
        p.title = text_of(entry, "title");
        p.description = text_of(entry, "description");
        p.marker = text_of(entry, "marker");
        const auto items = entry.FindMember("items");
        if (items != entry.MemberEnd() && items->value.IsArray()) {
            for (const rapidjson::Value& item : items->value.GetArray()) {
                if (item.IsString()) p.items.emplace_back(item.GetString(), item.GetStringLength());
            }
        }
        state.playlists.push_back(std::move(p));
    }
    return state;
}

void PlaylistStore::save(const PlaylistState& state) {
    if (file_.empty()) {
        memory_ = state;
        return;
    }
    rapidjson::StringBuffer buffer;
    rapidjson::PrettyWriter<rapidjson::StringBuffer> w(buffer);
    const auto string = [&w](const std::string& s) {
        w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
    };
    w.StartObject();
    w.Key("next_id");
    w.Uint64(state.next_id);
    w.Key("playlists");
    w.StartArray();
    for (const Playlist& p : state.playlists) {
        w.StartObject();
        w.Key("key");
        string(p.key);
        w.Key("title");
        string(p.title);
        w.Key("description");
        string(p.description);
        if (!p.marker.empty()) {
            w.Key("marker");
            string(p.marker);
        }
        w.Key("items");
        w.StartArray();
        for (const std::string& item : p.items) string(item);
        w.EndArray();
        w.EndObject();
    }
    w.EndArray();
    w.EndObject();

    const fs::path path(file_);
    std::error_code ec;
    if (path.has_parent_path()) fs::create_directories(path.parent_path(), ec);
    const std::string temp = file_ + ".tmp";
    {
        std::ofstream out(temp, std::ios::binary | std::ios::trunc);
        out.write(buffer.GetString(), static_cast<std::streamsize>(buffer.GetSize()));
        out << '\n';
        out.flush();
        if (!out) fail(file_, "cannot be written (" + temp + ")");
    }
    fs::rename(temp, path, ec);
    if (ec) {
        const std::string why = ec.message();
        fs::remove(temp, ec);
        fail(file_, "cannot be replaced: " + why);
    }
}

}  // namespace pmx::sample
