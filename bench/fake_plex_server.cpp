// A stand-alone fake Plex Media Server for benchmarks: serves N generated tracks on 127.0.0.1 until stdin closes.
//
//   fake_plex_server [--render-per-request] [N]      (default N = 20000)
//
// --render-per-request: library pages are rendered from the item data for each request (as a
// real server builds its answers) rather than concatenated from JSON rendered at start-up.
// Prints one line, "<url> <token>", once it serves. Besides FakePlex's own routes it answers
// two control routes that need no token (the benchmark's, not Plex's):
//   GET  /bench/requests?since=K  one line per GET served since request index K, outside
//                                 /bench: "<index> <target>", in arrival order
//   POST /bench/edit?every=M      retitles every M-th track (natural order), which moves its
//                                 updatedAt as a real edit does; answers how many it changed
// The feeds' sorted views are built at start-up and after each edit, as a server maintains its
// indexes when it writes (the fake otherwise builds them on the first request after a change).
// Exits when its stdin reaches end of file, so it never outlives the benchmark that started it.
#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>

#include "support/fake_plex.hpp"

namespace {

constexpr std::size_t kDefaultTracks = 20'000;
constexpr std::size_t kDefaultEditEvery = 100;  // 1%
constexpr std::string_view kControlPrefix = "/bench/";
constexpr const char* kEditSuffix = " (Remastered)";
constexpr std::string_view kRenderFlag = "--render-per-request";

std::size_t parse_count(const std::optional<std::string>& text, std::size_t fallback) {
    if (!text || text->empty()) return fallback;
    return static_cast<std::size_t>(std::strtoull(text->c_str(), nullptr, 10));
}

}  // namespace

int main(int argc, char** argv) {
    using pmx::test::FakePlex;
    using pmx::test::FakeRequest;
    using pmx::test::FakeResponse;

    pmx::test::FakePlexOptions options;
    options.tracks = kDefaultTracks;
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        if (arg == kRenderFlag) {
            options.render_per_request = true;
        } else {
            options.tracks = static_cast<std::size_t>(std::strtoull(argv[i], nullptr, 10));
        }
    }
    FakePlex plex(options);
    plex.index_sorted_views();  // a server's indexes exist before anyone asks

    plex.http().on("GET", "/bench/requests", [&plex](const FakeRequest& request) {
        const std::size_t since = parse_count(request.query_param("since"), 0);
        std::string body;
        for (const FakeRequest& seen : plex.http().requests()) {
            if (seen.index < since || seen.method != "GET" || seen.path.starts_with(kControlPrefix)) continue;
            body += std::to_string(seen.index) + ' ' + seen.target + '\n';
        }
        return FakeResponse::text(200, std::move(body));
    });
    plex.http().on("POST", "/bench/edit", [&plex](const FakeRequest& request) {
        const std::size_t every = std::max<std::size_t>(1, parse_count(request.query_param("every"), kDefaultEditEvery));
        const auto keys = plex.track_keys();
        std::size_t changed = 0;
        for (std::size_t i = 0; i < keys.size(); i += every) {
            const auto track = plex.find_track(keys[i]);
            if (track && plex.set_track_title(keys[i], track->title + kEditSuffix)) ++changed;
        }
        plex.index_sorted_views();  // kept up to date by the write, as a server's indexes are
        return FakeResponse::text(200, std::to_string(changed) + '\n');
    });

    std::cout << plex.url() << ' ' << plex.token() << std::endl;
    // Serve until the benchmark closes our stdin (or dies).
    for (std::string line; std::getline(std::cin, line);) {
    }
    return 0;
}
