// Private directory and atomic private file writing (POSIX).
#include "config/data_dir.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <fstream>
#include <random>
#include <string>
#include <system_error>
#include <utility>

#include <spdlog/spdlog.h>

namespace pmx {
namespace {

namespace fs = std::filesystem;

constexpr mode_t kDirMode = S_IRWXU;             // 0700
constexpr mode_t kFileMode = S_IRUSR | S_IWUSR;  // 0600
constexpr mode_t kPermissionBits = 07777;
constexpr mode_t kGroupOtherBits = S_IRWXG | S_IRWXO;
constexpr std::string_view kTempSuffix = ".tmp.XXXXXX";

[[noreturn]] void throw_fs_error(const std::string& what, const fs::path& path, int error) {
    throw fs::filesystem_error(what, path, std::error_code(error, std::generic_category()));
}

[[noreturn]] void throw_system_error(const std::string& what, const fs::path& path, int error) {
    throw std::system_error(error, std::generic_category(), what + " " + path.string());
}

// A file descriptor closed on scope exit.
class Fd {
public:
    explicit Fd(int fd) : fd_(fd) {}
    ~Fd() {
        if (fd_ >= 0) ::close(fd_);
    }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;

    int get() const { return fd_; }
    int release() { return std::exchange(fd_, -1); }

private:
    int fd_;
};

void make_dirs(const fs::path& dir) {
    fs::path prefix;
    for (const auto& part : dir) {
        prefix /= part;
        if (::mkdir(prefix.c_str(), kDirMode) != 0 && errno != EEXIST) {
            throw_fs_error("cannot create directory", prefix, errno);
        }
    }
}

void write_all(int fd, std::string_view content, const fs::path& path) {
    while (!content.empty()) {
        const ssize_t written = ::write(fd, content.data(), content.size());
        if (written < 0) {
            if (errno == EINTR) continue;
            throw_system_error("cannot write", path, errno);
        }
        content.remove_prefix(static_cast<std::size_t>(written));
    }
}

// Best effort: makes the rename durable. A failure here does not undo the write.
void sync_directory(const fs::path& dir) {
    const Fd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (fd.get() >= 0) ::fsync(fd.get());
}

}  // namespace

fs::path ensure_private_dir(const fs::path& dir) {
    const fs::path target = fs::absolute(dir).lexically_normal();
    struct stat st {};
    const bool existed = ::stat(target.c_str(), &st) == 0;
    if (!existed) {
        make_dirs(target);
        if (::stat(target.c_str(), &st) != 0) throw_fs_error("cannot stat", target, errno);
    }
    if (!S_ISDIR(st.st_mode)) throw_fs_error("not a directory", target, ENOTDIR);

    const mode_t mode = st.st_mode & kPermissionBits;
    if (mode == kDirMode) return target;
    if (::chmod(target.c_str(), kDirMode) != 0) throw_fs_error("cannot set mode 0700 on", target, errno);
    if (existed && (mode & kGroupOtherBits) != 0) {
        spdlog::warn("data directory {} was accessible to other users (mode {:04o}); changed it to 0700",
                     target.string(), static_cast<unsigned>(mode));
    }
    return target;
}

fs::path ensure_data_dir(const Config& config) {
    return ensure_private_dir(config.data_dir);
}

void write_private_file(const fs::path& path, std::string_view content) {
    const fs::path dir = path.has_parent_path() ? path.parent_path() : fs::path(".");
    std::string temp = (dir / ("." + path.filename().string())).string();
    temp += kTempSuffix;

    Fd fd(::mkostemp(temp.data(), O_CLOEXEC));  // mkostemp creates the file 0600
    if (fd.get() < 0) throw_system_error("cannot create a temporary file for", path, errno);
    try {
        if (::fchmod(fd.get(), kFileMode) != 0) throw_system_error("cannot set mode 0600 on", temp, errno);
        write_all(fd.get(), content, temp);
        if (::fsync(fd.get()) != 0) throw_system_error("cannot flush", temp, errno);
        if (::close(fd.release()) != 0) throw_system_error("cannot close", temp, errno);
        if (::rename(temp.c_str(), path.c_str()) != 0) throw_system_error("cannot replace", path, errno);
    } catch (...) {
        ::unlink(temp.c_str());
        throw;
    }
    sync_directory(dir);
}


namespace {

constexpr std::size_t kInstallIdBytes = 16;

namespace fs = std::filesystem;

bool is_install_id(std::string_view text) {
    return text.size() == 2 * kInstallIdBytes &&
           text.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

std::string read_first_line(const fs::path& path) {
    std::ifstream in(path);
    std::string line;
    std::getline(in, line);
    return line;
}

}  // namespace

std::string install_id(const std::filesystem::path& data_dir) {
    const fs::path path = data_dir / kInstallIdFileName;
    if (std::string known = read_first_line(path); is_install_id(known)) return known;
    std::random_device random;
    std::string made;
    for (std::size_t i = 0; i < kInstallIdBytes; ++i) {
        char hex[3];
        std::snprintf(hex, sizeof hex, "%02x", static_cast<unsigned>(random() & 0xFFU));
        made += hex;
    }
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        if (errno == EEXIST) {
            // Another process made it a moment ago (or it is damaged: then make it anew).
            if (std::string theirs = read_first_line(path); is_install_id(theirs)) return theirs;
        }
        write_private_file(path, made + "\n");
        return made;
    }
    const std::string line = made + "\n";
    const bool written = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size());
    ::close(fd);
    if (!written) write_private_file(path, line);
    return made;
}

}  // namespace pmx
