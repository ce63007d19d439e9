// Jellyfin's three ways in (see jellyfin_session.hpp) and the kept session token.
//
// Sources (reference, no code copied): Jellyfin.Api UserController (POST
// /Users/AuthenticateByName with {"Username", "Pw"} answers an AuthenticationResult with User,
// AccessToken, ServerId; GET /Users/Me; GET /Users for administrators and API keys).
#include "jellyfin_session.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <system_error>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace pmx::jellyfin {
namespace {

constexpr std::uint64_t kFnvOffset = 14'695'981'039'346'656'037ULL;
constexpr std::uint64_t kFnvPrime = 1'099'511'628'211ULL;
constexpr mode_t kPrivateDir = 0700;
constexpr mode_t kPrivateFile = 0600;

std::uint64_t fnv1a(std::string_view text) {
    std::uint64_t hash = kFnvOffset;
    for (const char c : text) {
        hash ^= static_cast<unsigned char>(c);
        hash *= kFnvPrime;
    }
    return hash;
}

bool same_user(std::string_view wanted, std::string_view id, std::string_view name) {
    const std::optional<std::string> wanted_id = normal_id(wanted);
    if (wanted_id && *wanted_id == id) return true;
    return plugin_common::fold_case(wanted) == plugin_common::fold_case(name);
}

// mkdir -p with private modes for what it makes.
bool make_private_dirs(const std::string& path) {
    std::size_t at = 1;
    while (at <= path.size()) {
        at = path.find('/', at);
        if (at == std::string::npos) at = path.size();
        const std::string part = path.substr(0, at);
        if (::mkdir(part.c_str(), kPrivateDir) != 0 && errno != EEXIST) return false;
        ++at;
    }
    return true;
}

}  // namespace

Session::Session(Client client, Credentials credentials)
    : client_(std::move(client)), credentials_(std::move(credentials)) {
    if (credentials_.mode != AuthMode::password) client_.token = credentials_.secret;
}

std::string Session::credential_setting() const {
    switch (credentials_.mode) {
        case AuthMode::api_key: return "`api_key` (an API key from Dashboard > API Keys)";
        case AuthMode::token: return "`token` (a user's access token)";
        case AuthMode::password: return "`username` and `password`";
    }
    return "credentials";
}

void Session::ensure(const sdk::Call& call) {
    if (!user_id_.empty()) return;
    switch (credentials_.mode) {
        case AuthMode::api_key: resolve_api_key_user(call); break;
        case AuthMode::token: resolve_token_user(call); break;
        case AuthMode::password:
            if (load_kept_token()) {
                try {
                    resolve_token_user(call);
                    return;
                } catch (const sdk::Error& e) {
                    if (e.status() != PMX_AUTH) throw;
                    forget_kept_token();  // revoked or expired: log in again below
                }
            }
            log_in(call);
            break;
    }
}

bool Session::renew(const sdk::Call& call) {
    if (credentials_.mode != AuthMode::password || !token_from_file_) return false;
    forget_kept_token();
    user_id_.clear();
    log_in(call);
    return true;
}

void Session::check_user_setting(const sdk::Call& call) const {
    if (credentials_.user.empty() || same_user(credentials_.user, user_id_, user_name_)) return;
    call.error(PMX_INVALID_INPUT, "jellyfin: the setting `user` names \"" + credentials_.user + "\", but the " +
                                      (credentials_.mode == AuthMode::token ? "token" : "password") +
                                      " logs in as \"" + user_name_ +
                                      "\"; leave `user` out (it is for an api_key)");
    throw sdk::Error(PMX_INVALID_INPUT);
}

void Session::resolve_token_user(const sdk::Call& call) {
    const sdk::Response response = send(call, client_, "GET", "/Users/Me");
    if (!response.ok()) fail(call, response, "GET /Users/Me", credential_setting());
    const rapidjson::Document doc = parse_object(response, "GET /Users/Me");
    const std::optional<std::string> id = normal_id(json::text(json::member(doc, "Id")));
    if (!id) throw sdk::Error(PMX_BAD_RESPONSE, "Jellyfin answered GET /Users/Me without a user Id");
    user_id_ = *id;
    user_name_ = std::string(json::text(json::member(doc, "Name")));
    check_user_setting(call);
}

void Session::resolve_api_key_user(const sdk::Call& call) {
    const sdk::Response response = send(call, client_, "GET", "/Users");
    if (!response.ok()) fail(call, response, "GET /Users", credential_setting());
    const rapidjson::Document doc = parse_array(response, "GET /Users");
    std::string names;
    for (const json::Value& user : doc.GetArray()) {
        const std::optional<std::string> id = normal_id(json::text(json::member(user, "Id")));
        const std::string_view name = json::text(json::member(user, "Name"));
        if (!id) continue;
        if (same_user(credentials_.user, *id, name)) {
            user_id_ = *id;
            user_name_ = std::string(name);
            return;
        }
        names += names.empty() ? "" : ", ";
        names += "\"" + std::string(name) + "\"";
    }
    call.error(PMX_NOT_FOUND, "the Jellyfin server has no user \"" + credentials_.user + "\" (setting `user`); its users are " +
                                  (names.empty() ? std::string("none") : names));
    throw sdk::Error(PMX_NOT_FOUND);
}

void Session::log_in(const sdk::Call& call) {
    rapidjson::StringBuffer body;
    rapidjson::Writer<rapidjson::StringBuffer> writer(body);
    writer.StartObject();
    writer.Key("Username");
    writer.String(credentials_.username.data(), static_cast<rapidjson::SizeType>(credentials_.username.size()));
    writer.Key("Pw");
    writer.String(credentials_.secret.data(), static_cast<rapidjson::SizeType>(credentials_.secret.size()));
    writer.EndObject();
    client_.token.clear();
    token_from_file_ = false;
    // Never repeated by the host (each answer is a new session), never logged (the password).
    const sdk::Response response = send(call, client_, "POST", "/Users/AuthenticateByName",
                                        std::string_view(body.GetString(), body.GetSize()), Repeat::once, true);
    if (!response.ok()) fail(call, response, "POST /Users/AuthenticateByName", credential_setting());
    const rapidjson::Document doc = parse_object(response, "POST /Users/AuthenticateByName");
    const std::string_view token = json::text(json::member(doc, "AccessToken"));
    const json::Value* user = json::member(doc, "User");
    const std::optional<std::string> id = user ? normal_id(json::text(json::member(*user, "Id"))) : std::nullopt;
    if (token.empty() || !id) {
        throw sdk::Error(PMX_BAD_RESPONSE, "Jellyfin answered POST /Users/AuthenticateByName without AccessToken or User.Id");
    }
    client_.token = std::string(token);
    user_id_ = *id;
    user_name_ = std::string(json::text(json::member(*user, "Name")));
    keep_token();
    check_user_setting(call);
}

// <state_dir>/session-<hash of URL and user name>: one file per server and user, so that two
// providers never share (or overwrite) a session. The password is not in it.
std::string Session::kept_token_path() const {
    const std::string_view dir = sdk::Host::get().state_dir();
    if (dir.empty()) return {};
    char name[32];
    std::snprintf(name, sizeof name, "session-%016llx",
                  static_cast<unsigned long long>(fnv1a(client_.base_url + "\n" + credentials_.username)));
    return std::string(dir) + "/" + name;
}

bool Session::load_kept_token() {
    const std::string path = kept_token_path();
    if (path.empty()) return false;
    std::ifstream in(path);
    std::string token;
    if (!std::getline(in, token) || token.empty()) return false;
    client_.token = token;
    token_from_file_ = true;
    return true;
}

void Session::keep_token() const {
    const std::string path = kept_token_path();
    if (path.empty()) return;
    const std::string dir = path.substr(0, path.rfind('/'));
    if (!make_private_dirs(dir)) {
        sdk::Host::get().warn("jellyfin: cannot create " + dir + "; the session token is not kept");
        return;
    }
    const std::string temp = path + ".tmp";
    const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, kPrivateFile);
    if (fd < 0) {
        sdk::Host::get().warn("jellyfin: cannot write " + temp + "; the session token is not kept");
        return;
    }
    ::fchmod(fd, kPrivateFile);  // an older file's mode does not survive O_TRUNC's reuse
    const std::string line = client_.token + "\n";
    const bool written = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size()) && ::fsync(fd) == 0;
    ::close(fd);
    if (!written || ::rename(temp.c_str(), path.c_str()) != 0) {
        ::unlink(temp.c_str());
        sdk::Host::get().warn("jellyfin: cannot write " + path + "; the session token is not kept");
    }
}

void Session::forget_kept_token() const {
    const std::string path = kept_token_path();
    if (!path.empty()) ::unlink(path.c_str());
}

}  // namespace pmx::jellyfin
