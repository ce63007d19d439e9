// A stand-alone fake Jellyfin server for benchmarks: serves N generated tracks on 127.0.0.1 until stdin closes.
//
//   fake_jellyfin_server [N]      (default N = 20000)
//
// Prints one line, "<url> <token>" (a session token of the administrator), once it serves.
// Besides FakeJellyfin's own routes it answers two control routes that need no token:
//   GET  /bench/requests?since=K  one line per GET served since request index K, outside
//                                 /bench: "<index> <target>", in arrival order
//   POST /bench/edit?every=M      renames every M-th track (natural order), which moves its
//                                 DateLastSaved as a real edit does; answers how many it changed
// Pages are rendered per request, as the real server renders them. Exits when its stdin
// reaches end of file, so it never outlives the benchmark that started it.
#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>

#include "support/fake_jellyfin.hpp"

namespace {

constexpr std::size_t kDefaultTracks = 20'000;
constexpr std::size_t kDefaultEditEvery = 100;  // 1%
constexpr std::string_view kControlPrefix = "/bench/";
constexpr const char* kEditSuffix = " (Remastered)";

std::size_t parse_count(const std::optional<std::string>& text, std::size_t fallback) {
    if (!text || text->empty()) return fallback;
    return static_cast<std::size_t>(std::strtoull(text->c_str(), nullptr, 10));
}

}  // namespace

int main(int argc, char** argv) {
    using pmx::test::FakeJellyfin;
    using pmx::test::FakeRequest;
    using pmx::test::FakeResponse;

    pmx::test::FakeJellyfinOptions options;
    options.tracks = argc > 1 ? static_cast<std::size_t>(std::strtoull(argv[1], nullptr, 10)) : kDefaultTracks;
    FakeJellyfin jf(options);

    // Exact routes win over the fake's catch-all prefix route.
    jf.http().on("GET", "/bench/requests", [&jf](const FakeRequest& request) {
        const std::size_t since = parse_count(request.query_param("since"), 0);
        std::string body;
        for (const FakeRequest& seen : jf.http().requests()) {
            if (seen.index < since || seen.method != "GET" || seen.path.starts_with(kControlPrefix)) continue;
            body += std::to_string(seen.index) + ' ' + seen.target + '\n';
        }
        return FakeResponse::text(200, std::move(body));
    });
    jf.http().on("POST", "/bench/edit", [&jf](const FakeRequest& request) {
        const std::size_t every = std::max<std::size_t>(1, parse_count(request.query_param("every"), kDefaultEditEvery));
        const auto ids = jf.track_ids();
        std::size_t changed = 0;
        for (std::size_t i = 0; i < ids.size(); i += every) {
            const auto track = jf.find_track(ids[i]);
            if (track && jf.set_track_name(ids[i], track->name + kEditSuffix)) ++changed;
        }
        return FakeResponse::text(200, std::to_string(changed) + '\n');
    });

    std::cout << jf.url() << ' ' << jf.token_of(FakeJellyfin::kAdmin) << std::endl;
    for (std::string line; std::getline(std::cin, line);) {
    }
    return 0;
}
