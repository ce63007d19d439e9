// One attempt's pmx_call and the host-owned HTTP responses handed out during it.
#include "host/call_context.hpp"

#include <algorithm>
#include <cstring>
#include <limits>
#include <memory>
#include <unordered_map>

#include "host/c_api.hpp"
#include "net/http_client.hpp"
#include "util/redact.hpp"

namespace pmx {
namespace {

constexpr std::uint32_t kCallMagic = 0x706d7863;  // "pmxc"
constexpr std::size_t kMaxMessageBytes = 4096;    // a plugin's error message is cut here
constexpr std::string_view kCut = "...";

// Cuts `text` to at most kMaxMessageBytes without splitting a UTF-8 sequence.
void truncate_message(std::string& text) {
    if (text.size() <= kMaxMessageBytes) return;
    std::size_t end = kMaxMessageBytes - kCut.size();
    while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0U) == 0x80U) --end;
    text.resize(end);
    text += kCut;
}

// A response as the plugin sees it (pub) plus the storage its pointers refer to.
struct HostResponse {
    pmx_http_response pub{};
    HttpResponse data;
    std::vector<pmx_kv> kvs;
};

// Every response handed out and not yet freed. One registry for all contexts, so release()
// of an unknown or already-freed pointer is detected instead of freeing twice.
struct ResponseRegistry {
    std::mutex mutex;
    std::unordered_map<const pmx_http_response*, std::unique_ptr<HostResponse>> live;
};

ResponseRegistry& registry() {
    static ResponseRegistry r;
    return r;
}

}  // namespace

CallContext::CallContext(const CallSetup& setup)
    : magic_(kCallMagic),
      runtime_(setup.runtime),
      plugin_id_(setup.plugin_id),
      operation_(setup.operation),
      token_(setup.token != nullptr ? setup.token : &global_cancel()),
      deadline_(setup.deadline),
      progress_(setup.progress) {
    capi::fill_call_vtable(call_);
    call_.host_data = this;
}

CallContext::~CallContext() {
    std::vector<std::unique_ptr<HostResponse>> doomed;
    {
        auto& r = registry();
        std::lock_guard lock(r.mutex);
        for (const pmx_http_response* p : responses_) {
            if (auto it = r.live.find(p); it != r.live.end()) {
                doomed.push_back(std::move(it->second));
                r.live.erase(it);
            }
        }
    }
    magic_ = 0;
}

CallContext* CallContext::from(const pmx_call* call) noexcept {
    if (call == nullptr) return nullptr;
    pmx_call copy{};
    std::memcpy(&copy, call, std::min<std::size_t>(call->struct_size, sizeof copy));
    auto* ctx = static_cast<CallContext*>(copy.host_data);
    if (ctx == nullptr || ctx->magic_ != kCallMagic) return nullptr;
    return ctx;
}

bool CallContext::is_cancelled() const {
    return token_->cancelled() || (deadline_ != kNoDeadline && SteadyClock::now() >= deadline_);
}

std::int64_t CallContext::remaining_ms() const {
    if (deadline_ == kNoDeadline) return std::numeric_limits<std::int64_t>::max();
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline_ - SteadyClock::now());
    return std::max<std::int64_t>(left.count(), 0);
}

void CallContext::set_error(pmx_status status, std::string_view message) {
    std::string clean = redact(message);  // redact first: a cut must not split a secret
    truncate_message(clean);
    std::lock_guard lock(mutex_);
    error_status_ = status;
    message_ = std::move(clean);
}

void CallContext::set_http_status(int http_status) {
    std::lock_guard lock(mutex_);
    http_status_ = http_status;
}

void CallContext::set_retry_after(std::chrono::milliseconds wait) {
    std::lock_guard lock(mutex_);
    retry_after_ = std::max(wait, std::chrono::milliseconds::zero());
}

void CallContext::progress(std::uint64_t done, std::uint64_t total) {
    if (progress_ != nullptr && *progress_) (*progress_)(done, total);
}

void CallContext::report_usage(std::uint64_t input_tokens, std::uint64_t output_tokens) {
    std::lock_guard lock(mutex_);
    input_tokens_ += input_tokens;
    output_tokens_ += output_tokens;
}

void CallContext::note_progress() {
    std::lock_guard lock(mutex_);
    made_progress_ = true;
}

void CallContext::note_request_gave_up(std::string reason) {
    std::lock_guard lock(mutex_);
    request_gave_up_ = std::move(reason);
}

CallContext::Report CallContext::report() const {
    std::lock_guard lock(mutex_);
    return Report{error_status_, message_,      http_status_,     retry_after_,
                  input_tokens_, output_tokens_, made_progress_, request_gave_up_};
}

pmx_http_response* CallContext::keep_response(HttpResponse&& response) {
    auto held = std::make_unique<HostResponse>();
    held->data = std::move(response);
    // Pointers are taken only now that the strings sit in their final place.
    held->kvs.reserve(held->data.headers.size());
    for (const auto& [name, value] : held->data.headers) {
        held->kvs.push_back(pmx_kv{{name.data(), name.size()}, {value.data(), value.size()}});
    }
    pmx_http_response& pub = held->pub;
    pub.struct_size = sizeof(pmx_http_response);
    pub.status = held->data.status;
    pub.headers = held->kvs.empty() ? nullptr : held->kvs.data();
    pub.header_count = held->kvs.size();
    pub.body = pmx_str{held->data.body.c_str(), held->data.body.size()};
    pub.retry_after_ms = held->data.retry_after.count();

    pmx_http_response* handle = &held->pub;
    {
        std::lock_guard lock(mutex_);
        responses_.push_back(handle);
    }
    auto& r = registry();
    std::lock_guard lock(r.mutex);
    r.live.emplace(handle, std::move(held));
    return handle;
}

bool CallContext::release_response(pmx_http_response* response) noexcept {
    if (response == nullptr) return true;
    std::unique_ptr<HostResponse> doomed;
    {
        auto& r = registry();
        std::lock_guard lock(r.mutex);
        const auto it = r.live.find(response);
        if (it == r.live.end()) return false;
        doomed = std::move(it->second);
        r.live.erase(it);
    }
    return true;  // freed here, outside the lock
}

}  // namespace pmx
