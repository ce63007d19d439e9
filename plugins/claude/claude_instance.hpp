// claude: one configured provider, a completer over the Messages API.
#pragma once

#include <pmx/plugin.hpp>

#include <utility>

#include "claude_api.hpp"

namespace pmx::claude {

// Calls share nothing but constant settings, so the host may run several at once.
class Claude final : public sdk::Completer {
public:
    explicit Claude(Config config) : config_(std::move(config)) {
        info_.context_tokens = config_.context_tokens;
        info_.max_output_tokens = known_output_cap(config_.model).value_or(config_.max_tokens);
        info_.model = config_.model;
    }

    pmx_status complete(sdk::Call& call, const sdk::CompletionRequest& request, sdk::TextSink& out) override;
    const sdk::CompleterInfo& completer_info() const override { return info_; }

private:
    const Config config_;
    sdk::CompleterInfo info_;
};

}  // namespace pmx::claude
