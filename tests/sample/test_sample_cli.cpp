// The sample source through the CLI: a config naming only the plugin, `plexmix sync`, then
// `plexmix status` sees the 3,000 tracks. No server, no key, no network.
#include <filesystem>
#include <fstream>
#include <string>

#include <catch2/catch.hpp>

#include "support/test_util.hpp"

namespace fs = std::filesystem;
using pmx::test::CliRun;
using pmx::test::TempDir;

namespace {

CliRun run_cli(const std::string& args) { return pmx::test::run_cli(PMX_CLI, args); }

}  // namespace

TEST_CASE("the CLI: sync from the sample source, then status shows 3000 tracks", "[sample][cli]") {
    TempDir dir;
    const fs::path config = dir / "plexmix.yaml";
    std::ofstream(config) << "data_dir: " << (dir / "data").string() << "\n"
                          << "providers:\n  sample: { plugin: sample }\n"
                          << "use: { media: [sample] }\n";
    const std::string args =
        "--config " + config.string() + " --plugin-path " + fs::path(PMX_SAMPLE_PLUGIN).parent_path().string();

    const CliRun sync = run_cli(args + " sync");
    INFO(sync.out);
    REQUIRE(sync.code == 0);

    const CliRun status = run_cli(args + " status --json");
    INFO(status.out);
    CHECK(status.code == 0);
    CHECK(status.out.find("\"tracks\": 3000") != std::string::npos);

    const CliRun again = run_cli(args + " sync");  // an incremental sync of an unchanged library
    INFO(again.out);
    CHECK(again.code == 0);
    const CliRun verify = run_cli(args + " sync verify");
    INFO(verify.out);
    CHECK(verify.code == 0);
    CHECK(run_cli(args + " status --json").out.find("\"tracks\": 3000") != std::string::npos);
}
