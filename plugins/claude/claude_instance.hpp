// claude: one configured provider, a completer over the Messages API.
#pragma once

#include <pmx/plugin.hpp>

#include <utility>

#include "claude_api.hpp"

namespace pmx::claude {

// Calls share nothing but constant settings, so the host may run several at once.
class Claude final : public sdk::Completer {
public:
    explicit Claude(Config config) : config_(std::move(config)) {}

    pmx_status complete(sdk::Call& call, const sdk::CompletionRequest& request, sdk::TextSink& out) override;

private:
    const Config config_;
};

}  // namespace pmx::claude
