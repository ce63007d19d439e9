// The private data dir (0700) and atomic private files (0600), whatever the umask.
#include <sys/stat.h>

#include <system_error>

#include <catch2/catch.hpp>

#include "config/data_dir.hpp"
#include "support.hpp"
#include "util/log.hpp"

using namespace pmx;
using namespace pmx::test;

namespace {

Config config_with_data_dir(const std::filesystem::path& dir) {
    Config config;
    config.data_dir = dir;
    return config;
}

}  // namespace

TEST_CASE("ensure_data_dir creates the dir and its missing parents 0700 despite the umask", "[config][files]") {
    TempDir dir;
    const ScopedUmask umask(0);
    const auto data = dir / "a" / "b" / "plexmix";
    CHECK(ensure_data_dir(config_with_data_dir(data)) == data);
    CHECK(std::filesystem::is_directory(data));
    CHECK(file_mode(data) == 0700u);
    CHECK(file_mode(dir / "a") == 0700u);
    CHECK(file_mode(dir / "a" / "b") == 0700u);
}

TEST_CASE("ensure_data_dir tightens an existing dir that others can read, with a warning", "[config][files]") {
    TempDir dir;
    const auto data = dir / "data";
    REQUIRE(::mkdir(data.c_str(), 0755) == 0);
    REQUIRE(::chmod(data.c_str(), 0755) == 0);
    LoggingOptions logging;
    logging.level = LogLevel::error;  // keep the console quiet; the file gets warnings
    logging.file = dir / "test.log";
    init_logging(logging);

    ensure_data_dir(config_with_data_dir(data));
    flush_logging();
    const std::string log = read_file(dir / "test.log");
    init_logging(LoggingOptions{});

    CHECK(file_mode(data) == 0700u);
    INFO(log);
    CHECK(log.find("] [warning] [") != std::string::npos);
    CHECK(log.find("] data directory " + data.string() +
                   " was accessible to other users (mode 0755); changed it to 0700") != std::string::npos);
}

TEST_CASE("ensure_data_dir leaves a 0700 dir alone", "[config][files]") {
    TempDir dir;
    const auto data = dir / "data";
    REQUIRE(::mkdir(data.c_str(), 0700) == 0);
    CHECK(ensure_data_dir(config_with_data_dir(data)) == data);
    CHECK(file_mode(data) == 0700u);
}

TEST_CASE("ensure_data_dir refuses a path that is a file", "[config][files]") {
    TempDir dir;
    const auto data = dir / "file";
    write_file(data, "x");
    CHECK_THROWS_AS(ensure_data_dir(config_with_data_dir(data)), std::filesystem::filesystem_error);
}

TEST_CASE("write_private_file writes 0600 atomically and replaces looser files", "[config][files]") {
    TempDir dir;
    const ScopedUmask umask(0);
    const auto file = dir / "state.json";
    write_private_file(file, "{\"token\": \"first\"}\n");
    CHECK(read_file(file) == "{\"token\": \"first\"}\n");
    CHECK(file_mode(file) == 0600u);

    REQUIRE(::chmod(file.c_str(), 0644) == 0);
    write_private_file(file, "second");
    CHECK(read_file(file) == "second");
    CHECK(file_mode(file) == 0600u);

    std::size_t entries = 0;
    for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(dir.path())) ++entries;
    CHECK(entries == 1);  // no temporary file left behind
}

TEST_CASE("write_private_file into a missing directory throws", "[config][files]") {
    TempDir dir;
    CHECK_THROWS_AS(write_private_file(dir / "missing" / "x", "data"), std::system_error);
}
