// The private data directory (0700) and atomic private files (0600) for data that may hold secrets.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "config/config.hpp"

namespace pmx {

inline constexpr std::filesystem::perms kPrivateDirPerms = std::filesystem::perms::owner_all;  // 0700
inline constexpr std::filesystem::perms kPrivateFilePerms =
    std::filesystem::perms::owner_read | std::filesystem::perms::owner_write;  // 0600

// Creates config.data_dir (and missing parents, 0700 as well) and returns it. The directory
// ends up exactly 0700 whatever the umask; an existing one that others could read or enter
// is tightened, with a warning in the log. Throws std::filesystem::filesystem_error when it
// cannot be created or changed (the run cannot go on without it).
std::filesystem::path ensure_data_dir(const Config& config);

// The same for any directory.
std::filesystem::path ensure_private_dir(const std::filesystem::path& dir);

// Replaces `path` atomically with `content`, mode 0600: writes a temporary file in the same
// directory, fsyncs it, renames it over `path` and fsyncs the directory. Readers see the old
// or the new content, never a mix. Throws std::system_error on failure (the temporary file
// is removed).
void write_private_file(const std::filesystem::path& path, std::string_view content);

inline constexpr std::string_view kInstallIdFileName = "install-id";  // in the data dir

// This installation's stable id: read from data_dir/install-id, or made (32 random hex
// digits) and written there 0600 on first use. Two processes starting at once agree: the
// file is created exclusively and the loser reads the winner's. Plugins get it as
// pmx_host.install_id (Plex's X-Plex-Client-Identifier, Jellyfin's DeviceId).
std::string install_id(const std::filesystem::path& data_dir);

}  // namespace pmx
