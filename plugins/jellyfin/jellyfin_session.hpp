// Who plexmix is on a Jellyfin server: an API key and a user, a user's token, or a password exchanged once for a token.
#pragma once

#include <string>

#include "jellyfin_http.hpp"

namespace pmx::jellyfin {

enum class AuthMode { api_key, token, password };

// What create() validated from the settings. Secrets stay here and in Client::token.
struct Credentials {
    AuthMode mode = AuthMode::api_key;
    std::string secret;    // the api_key, the token, or the password
    std::string username;  // with a password
    std::string user;      // `user`: a user's name or Id; required with an api_key
};

// The session of one instance. ensure() makes it usable: it resolves the user (an API key
// acts as no user, so the `user` setting names one; a token and a password log in as theirs)
// and, for a password, takes the token kept from an earlier run (in the host's state_dir,
// 0600) or exchanges the password for one through POST /Users/AuthenticateByName, once.
// Calls are serialized by the host, so no lock.
class Session {
public:
    Session(Client client, Credentials credentials);

    // Throws sdk::Error (AUTH when refused) after setting the call's error.
    void ensure(const sdk::Call& call);
    // After a 401 with a token kept from an earlier run: forgets it and logs in again. Returns
    // false when there is nothing to renew (an api_key, a token given, a fresh login).
    bool renew(const sdk::Call& call);

    const Client& client() const noexcept { return client_; }
    const std::string& user_id() const noexcept { return user_id_; }
    const std::string& user_name() const noexcept { return user_name_; }
    AuthMode mode() const noexcept { return credentials_.mode; }
    // The setting(s) a refusal names: "`api_key`", "`token`", "`username` and `password`".
    std::string credential_setting() const;

private:
    void log_in(const sdk::Call& call);
    void resolve_api_key_user(const sdk::Call& call);
    void resolve_token_user(const sdk::Call& call);
    void check_user_setting(const sdk::Call& call) const;
    std::string kept_token_path() const;
    bool load_kept_token();
    void keep_token() const;
    void forget_kept_token() const;

    Client client_;
    const Credentials credentials_;
    std::string user_id_;
    std::string user_name_;
    bool token_from_file_ = false;  // the token came from an earlier run, not from this one
};

}  // namespace pmx::jellyfin
