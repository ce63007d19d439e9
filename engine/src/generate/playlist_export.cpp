// Exporting a playlist as M3U8 and as JSON.
#include "generate/playlist_export.hpp"

#include <algorithm>

#include <rapidjson/document.h>
#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>

namespace pmx::gen {
namespace {

std::string one_line(std::string text) {
    for (char& c : text) {
        if (c == '\n' || c == '\r') c = ' ';
    }
    return text;
}

// Writes stored JSON text as a value (it was checked by the store: json_valid).
template <class Writer>
void raw_json(Writer& w, const std::string& text) {
    rapidjson::Document doc;
    doc.Parse(text.c_str());
    if (doc.HasParseError()) {
        w.Null();
        return;
    }
    doc.Accept(w);
}

}  // namespace

int64_t dropped_tracks(const PlaylistRecord& playlist, size_t kept) {
    return std::max<int64_t>(0, playlist.saved_tracks - static_cast<int64_t>(kept));
}

std::string to_m3u8(const PlaylistRecord& playlist, const std::vector<TrackDetail>& tracks) {
    std::string out = "#EXTM3U\n#PLAYLIST:" + one_line(playlist.name) + "\n";
    if (const int64_t dropped = dropped_tracks(playlist, tracks.size()); dropped > 0) {
        out += "# " + std::to_string(dropped) + " of the " + std::to_string(playlist.saved_tracks) +
               " tracks of this playlist are no longer in the library\n";
    }
    for (const TrackDetail& t : tracks) {
        const std::string label = one_line(t.artist) + " - " + one_line(t.title);
        if (t.file_path.empty()) {
            out += "# " + label + ": no file path known (" + playlist.provider + " key " + t.native_key + ")\n";
            continue;
        }
        const int64_t seconds = t.duration_ms ? (*t.duration_ms + 500) / 1000 : -1;
        out += "#EXTINF:" + std::to_string(seconds) + "," + label + "\n" + one_line(t.file_path) + "\n";
    }
    return out;
}

std::string to_json(const PlaylistRecord& playlist, const std::vector<TrackDetail>& tracks) {
    rapidjson::StringBuffer buffer;
    rapidjson::PrettyWriter<rapidjson::StringBuffer> w(buffer);
    w.StartObject();
    w.Key("id"); w.Int64(playlist.id);
    w.Key("name"); w.String(playlist.name.c_str());
    w.Key("provider"); w.String(playlist.provider.c_str());
    w.Key("key");
    if (playlist.native_key.empty()) w.Null(); else w.String(playlist.native_key.c_str());
    w.Key("prompt"); w.String(playlist.prompt.c_str());
    w.Key("options"); raw_json(w, playlist.options_json);
    w.Key("pipeline"); raw_json(w, playlist.pipeline_json);
    w.Key("created_ms"); w.Int64(playlist.created_ms);
    w.Key("updated_ms"); w.Int64(playlist.updated_ms);
    int64_t total = 0;
    for (const auto& t : tracks) total += t.duration_ms.value_or(0);
    w.Key("duration_ms"); w.Int64(total);
    w.Key("saved_tracks"); w.Int64(std::max(playlist.saved_tracks, static_cast<int64_t>(tracks.size())));
    w.Key("dropped_tracks"); w.Int64(dropped_tracks(playlist, tracks.size()));
    w.Key("tracks");
    w.StartArray();
    size_t position = 0;
    for (const TrackDetail& t : tracks) {
        w.StartObject();
        w.Key("position"); w.Uint64(++position);
        write_track_fields(w, t);
        w.Key("file_path");
        if (t.file_path.empty()) w.Null(); else w.String(t.file_path.c_str());
        w.EndObject();
    }
    w.EndArray();
    w.EndObject();
    return std::string(buffer.GetString()) + "\n";
}

}  // namespace pmx::gen
