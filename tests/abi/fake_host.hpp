// A minimal in-process host for SDK tests: a pmx_call that records what a plugin reports, a
// text sink, and a pmx_host whose log and HTTP services record and answer from a script.
#pragma once

#include <pmx/plugin.h>

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace pmx::test {

// One call context; `raw()` is what the plugin receives. Not copyable (raw().host_data
// points back at it).
class FakeCall {
public:
    FakeCall() {
        call_.struct_size = sizeof(pmx_call);
        call_.host_data = this;
        call_.is_cancelled = [](const pmx_call* c) -> int32_t { return self(c).cancelled ? 1 : 0; };
        call_.remaining_ms = [](const pmx_call* c) { return self(c).remaining_ms; };
        call_.set_error = [](const pmx_call* c, pmx_status status, const char* message, size_t len) {
            FakeCall& call = self(c);
            ++call.set_error_calls;
            call.error_status = status;
            call.error_message.assign(message != nullptr ? message : "", message != nullptr ? len : 0);
        };
        call_.set_http_status = [](const pmx_call* c, int32_t code) { self(c).http_status = code; };
        call_.set_retry_after_ms = [](const pmx_call* c, int64_t ms) { self(c).retry_after_ms = ms; };
        call_.progress = [](const pmx_call* c, uint64_t done, uint64_t total) {
            self(c).progress_done = done;
            self(c).progress_total = total;
        };
        call_.report_usage = [](const pmx_call* c, uint64_t in, uint64_t out) {
            self(c).input_tokens = in;
            self(c).output_tokens = out;
        };
    }
    FakeCall(const FakeCall&) = delete;
    FakeCall& operator=(const FakeCall&) = delete;

    const pmx_call* raw() const { return &call_; }
    // Pretends to be an older host whose pmx_call ends before `end_offset`.
    void truncate(size_t end_offset) { call_.struct_size = static_cast<uint32_t>(end_offset); }

    bool cancelled = false;
    int64_t remaining_ms = INT64_MAX;
    int set_error_calls = 0;
    pmx_status error_status = PMX_OK;
    std::string error_message;
    int32_t http_status = 0;
    int64_t retry_after_ms = 0;
    uint64_t progress_done = 0, progress_total = 0;
    uint64_t input_tokens = 0, output_tokens = 0;

private:
    static FakeCall& self(const pmx_call* c) { return *static_cast<FakeCall*>(c->host_data); }
    pmx_call call_{};
};

// A text sink that collects what is written; refuses writes after `accept_writes` of them.
class TextCollector {
public:
    TextCollector() {
        sink_.struct_size = sizeof(pmx_text_sink);
        sink_.ctx = this;
        sink_.write = [](void* ctx, const char* data, size_t len) -> int32_t {
            auto& self = *static_cast<TextCollector*>(ctx);
            if (self.writes >= self.accept_writes) return 1;
            ++self.writes;
            self.text.append(data, len);
            return 0;
        };
    }
    TextCollector(const TextCollector&) = delete;
    TextCollector& operator=(const TextCollector&) = delete;

    const pmx_text_sink* raw() const { return &sink_; }

    std::string text;
    int writes = 0;
    int accept_writes = 1 << 30;

private:
    pmx_text_sink sink_{};
};

// The host. Only one may exist at a time (its C callbacks find it through `current()`).
class FakeHost {
public:
    struct Scripted {  // the answer to the next request
        pmx_status transport = PMX_OK;           // not OK: a transport failure
        std::string transport_message;
        int32_t status = 200;
        std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
        std::string body;
        int64_t retry_after_ms = 0;
    };
    struct Recorded {  // a request as the plugin sent it
        std::string method, url, body;
        std::vector<std::pair<std::string, std::string>> headers;
        uint32_t timeout_ms = 0, flags = 0;
    };

    FakeHost() {
        current() = this;
        log_.struct_size = sizeof log_;
        log_.log = [](const pmx_host*, pmx_log_level level, const char* message, size_t len) {
            current()->logs.emplace_back(level, std::string(message, len));
        };
        log_.enabled = [](const pmx_host*, pmx_log_level level) -> int32_t { return level >= current()->log_level; };
        http_.struct_size = sizeof http_;
        http_.request = &request;
        http_.release = [](pmx_http_response* response) {
            if (response == nullptr) return;
            ++current()->released;
            current()->live_.erase(response);
        };
        host_.struct_size = sizeof host_;
        host_.abi_major = PMX_ABI_MAJOR;
        host_.abi_minor = PMX_ABI_MINOR;
        host_.host_name = "fake";
        host_.host_version = "0.0.0";
        host_.get_service = [](const pmx_host*, const char* id) -> const void* {
            const std::string wanted(id);
            if (wanted == PMX_SERVICE_LOG) return &current()->log_;
            if (wanted == PMX_SERVICE_HTTP) return &current()->http_;
            return nullptr;
        };
    }
    ~FakeHost() { current() = nullptr; }
    FakeHost(const FakeHost&) = delete;
    FakeHost& operator=(const FakeHost&) = delete;

    const pmx_host* raw() const { return &host_; }
    size_t live_responses() const { return live_.size(); }

    pmx_log_level log_level = PMX_LOG_TRACE;
    std::vector<std::pair<pmx_log_level, std::string>> logs;
    std::deque<Scripted> script;
    std::vector<Recorded> requests;
    int released = 0;

private:
    struct Owned {  // a response and the storage its views point into
        pmx_http_response response{};
        Scripted data;
        std::vector<pmx_kv> headers;
    };

    static FakeHost*& current() {
        static FakeHost* host = nullptr;
        return host;
    }

    static pmx_status request(const pmx_call* call, const pmx_http_request* req,
                              pmx_http_response** out) {
        FakeHost& self = *current();
        *out = nullptr;
        Recorded recorded;
        recorded.method = req->method != nullptr ? req->method : "GET";
        recorded.url.assign(req->url.data, req->url.len);
        recorded.body.assign(req->body.data != nullptr ? req->body.data : "", req->body.len);
        for (size_t i = 0; i < req->header_count; ++i) {
            recorded.headers.emplace_back(std::string(req->headers[i].key.data, req->headers[i].key.len),
                                          std::string(req->headers[i].value.data, req->headers[i].value.len));
        }
        recorded.timeout_ms = req->timeout_ms;
        recorded.flags = req->flags;
        self.requests.push_back(std::move(recorded));

        Scripted next = self.script.empty() ? Scripted{} : std::move(self.script.front());
        if (!self.script.empty()) self.script.pop_front();
        if (next.transport != PMX_OK) {
            call->set_error(call, next.transport, next.transport_message.data(), next.transport_message.size());
            return next.transport;
        }
        auto owned = std::make_unique<Owned>();
        owned->data = std::move(next);
        for (const auto& [name, value] : owned->data.headers) {
            owned->headers.push_back({{name.data(), name.size()}, {value.data(), value.size()}});
        }
        pmx_http_response& r = owned->response;
        r.struct_size = sizeof r;
        r.status = owned->data.status;
        r.headers = owned->headers.data();
        r.header_count = owned->headers.size();
        r.body = {owned->data.body.c_str(), owned->data.body.size()};
        r.retry_after_ms = owned->data.retry_after_ms;
        if (r.retry_after_ms != 0) call->set_retry_after_ms(call, r.retry_after_ms);
        call->set_http_status(call, r.status);
        *out = &r;
        self.live_.emplace(&r, std::move(owned));
        return PMX_OK;
    }

    pmx_host host_{};
    pmx_host_log log_{};
    pmx_host_http http_{};
    std::map<pmx_http_response*, std::unique_ptr<Owned>> live_;
};

// Settings as the host passes them: views into strings this object owns.
class FakeSettings {
public:
    FakeSettings(std::initializer_list<std::pair<std::string, std::string>> pairs) : storage_(pairs) {
        for (const auto& [key, value] : storage_) {
            kvs_.push_back({{key.data(), key.size()}, {value.data(), value.size()}});
        }
    }
    const pmx_kv* data() const { return kvs_.empty() ? nullptr : kvs_.data(); }
    size_t size() const { return kvs_.size(); }

private:
    std::vector<std::pair<std::string, std::string>> storage_;
    std::vector<pmx_kv> kvs_;
};

}  // namespace pmx::test
