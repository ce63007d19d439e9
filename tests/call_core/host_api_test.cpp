// The host side of the C ABI: pmx_host fields, service lookup, the log service, and the HTTP
// service's request validation (size rule), response shape and ownership.
#include <catch2/catch.hpp>

#include <spdlog/logger.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <cstddef>
#include <cstring>
#include <memory>
#include <sstream>
#include <string>

#include "call_core/plugin_like.hpp"
#include "host/call_context.hpp"
#include "host/plugin_host.hpp"
#include "host/provider_runtime.hpp"
#include "support/fake_http_server.hpp"
#include "util/redact.hpp"

using namespace std::chrono_literals;
using pmx::CallPolicy;
using pmx::CallResult;
using pmx::InvokeOptions;
using pmx::PluginHost;
using pmx::ProviderRuntime;
using pmx::test::FakeHttpServer;
using pmx::test::FakeRequest;
using pmx::test::FakeResponse;

namespace {

// Sends what the plugin hands in `req` (as given) once, with no retry.
CallResult send_raw(ProviderRuntime& runtime, const PluginHost& host, const pmx_http_request* req,
                    pmx_http_response** keep = nullptr) {
    InvokeOptions once;
    once.retry = false;
    return runtime.invoke(
        "raw",
        [&](const pmx_call* call) {
            pmx_http_response* resp = nullptr;
            const pmx_status st = pmx::test::http_service(host.api())->request(call, req, &resp);
            if (keep != nullptr) *keep = resp;
            return st;
        },
        once);
}

// Replaces the default logger with one that writes "<level> <message>" lines to a string.
struct LogCapture {
    std::ostringstream out;
    std::shared_ptr<spdlog::logger> previous = spdlog::default_logger();
    explicit LogCapture(spdlog::level::level_enum level) {
        auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(out);
        auto logger = std::make_shared<spdlog::logger>("capture", sink);
        logger->set_pattern("%l %v");
        logger->set_level(level);
        spdlog::set_default_logger(logger);
    }
    ~LogCapture() { spdlog::set_default_logger(previous); }
    std::string text() const { return out.str(); }
};

}  // namespace

TEST_CASE("pmx_host: identity, versions and service lookup", "[abi]") {
    PluginHost host("gemini");
    const pmx_host* api = host.api();
    CHECK(api->struct_size == sizeof(pmx_host));
    CHECK(api->abi_major == PMX_ABI_MAJOR);
    CHECK(api->abi_minor == PMX_ABI_MINOR);
    CHECK(std::string(api->host_name) == "plexmix");
    REQUIRE(api->host_version != nullptr);
    CHECK(std::strlen(api->host_version) > 0);
    CHECK(PluginHost::from(api) == &host);

    const auto* log = static_cast<const pmx_host_log*>(api->get_service(api, PMX_SERVICE_LOG));
    REQUIRE(log != nullptr);
    CHECK(log->struct_size == sizeof(pmx_host_log));
    CHECK(log->log != nullptr);
    CHECK(log->enabled != nullptr);
    const auto* http = static_cast<const pmx_host_http*>(api->get_service(api, PMX_SERVICE_HTTP));
    REQUIRE(http != nullptr);
    CHECK(http->struct_size == sizeof(pmx_host_http));
    CHECK(api->get_service(api, "pmx.host.http/2") == nullptr);
    CHECK(api->get_service(api, "") == nullptr);
    CHECK(api->get_service(api, nullptr) == nullptr);
}

TEST_CASE("log service: tagged with the plugin id, filtered by level, redacted", "[abi][log]") {
    LogCapture capture(spdlog::level::info);
    PluginHost host("jellyfin");
    const pmx_host* api = host.api();
    const auto* log = static_cast<const pmx_host_log*>(api->get_service(api, PMX_SERVICE_LOG));
    const std::string secret = "tok-5b1e9d0c";
    pmx::register_secret(secret);

    const std::string hello = "scanned 10 tracks";
    log->log(api, PMX_LOG_INFO, hello.data(), hello.size());
    const std::string hidden = "debug detail";
    log->log(api, PMX_LOG_DEBUG, hidden.data(), hidden.size());
    const std::string leak = "using token " + secret;
    log->log(api, PMX_LOG_WARN, leak.data(), leak.size());
    log->log(api, PMX_LOG_ERROR, nullptr, 0);
    log->log(api, 99, "odd level", 9);  // an unknown level logs as error, never crashes

    const std::string text = capture.text();
    CHECK_THAT(text, Catch::Contains("info [jellyfin] scanned 10 tracks"));
    CHECK_THAT(text, !Catch::Contains("debug detail"));
    CHECK_THAT(text, Catch::Contains("warning [jellyfin] using token ***"));
    CHECK(text.find(secret) == std::string::npos);
    CHECK_THAT(text, Catch::Contains("error [jellyfin] odd level"));
    CHECK(log->enabled(api, PMX_LOG_INFO) != 0);
    CHECK(log->enabled(api, PMX_LOG_DEBUG) == 0);
    pmx::clear_secrets_for_testing();
}

TEST_CASE("http response: status, lower-cased headers, NUL-terminated body, Retry-After", "[abi][http]") {
    FakeHttpServer server;
    server.on("POST", "/echo", [](const FakeRequest& req) {
        FakeResponse r = FakeResponse::text(200, "got:" + req.body + ":" + *req.header("x-api-key"));
        r.header("X-Custom-Thing", "Value 1").header("Retry-After", "7");
        return r;
    });
    PluginHost host("fake");
    ProviderRuntime runtime("p", "fake", CallPolicy{}, 1);
    const std::string url = server.url("/echo");
    const std::string body = R"({"q":1})";
    pmx_kv headers[] = {{{"X-Api-Key", 9}, {"k-123", 5}}, {{"Content-Type", 12}, {"application/json", 16}}};
    pmx_http_request req{};
    req.struct_size = sizeof req;
    req.method = "POST";
    req.url = {url.data(), url.size()};
    req.headers = headers;
    req.header_count = 2;
    req.body = {body.data(), body.size()};

    std::string seen_body;
    std::string custom;
    std::int64_t retry_after = 0;
    const CallResult r = runtime.invoke("echo", [&](const pmx_call* call) {
        const pmx_host_http* http = pmx::test::http_service(host.api());
        pmx_http_response* resp = nullptr;
        const pmx_status st = http->request(call, &req, &resp);
        if (st != PMX_OK) return st;
        CHECK(resp->struct_size == sizeof(pmx_http_response));
        CHECK(resp->status == 200);
        CHECK(resp->body.data[resp->body.len] == '\0');
        seen_body.assign(resp->body.data, resp->body.len);
        for (std::size_t i = 0; i < resp->header_count; ++i) {
            const std::string name(resp->headers[i].key.data, resp->headers[i].key.len);
            for (char c : name) CHECK_FALSE((c >= 'A' && c <= 'Z'));
            if (name == "x-custom-thing") custom.assign(resp->headers[i].value.data, resp->headers[i].value.len);
        }
        retry_after = resp->retry_after_ms;
        http->release(resp);
        return PMX_OK;
    });
    CHECK(r.ok());
    CHECK(r.http_status == 200);
    CHECK(seen_body == R"(got:{"q":1}:k-123)");
    CHECK(custom == "Value 1");
    CHECK(retry_after == 7000);
    const auto requests = server.requests();
    REQUIRE(requests.size() == 1);
    CHECK(requests[0].method == "POST");
    CHECK(*requests[0].header("content-type") == "application/json");
}

TEST_CASE("http request validation gives INVALID_INPUT with a message, sends nothing", "[abi][http]") {
    FakeHttpServer server;
    server.on("/x", [](const auto&) { return FakeResponse::text(200, "ok"); });
    PluginHost host("fake");
    ProviderRuntime runtime("p", "fake", CallPolicy{}, 1);
    const std::string good = server.url("/x");

    const auto base = [&] {
        pmx_http_request req{};
        req.struct_size = sizeof req;
        req.url = {good.data(), good.size()};
        return req;
    };

    SECTION("struct_size below the v1 minimum") {
        pmx_http_request req = base();
        req.struct_size = 8;
        const CallResult r = send_raw(runtime, host, &req);
        CHECK(r.status == PMX_INVALID_INPUT);
        CHECK_THAT(r.message, Catch::Contains("struct_size"));
    }
    SECTION("empty URL") {
        pmx_http_request req = base();
        req.url = {nullptr, 0};
        const CallResult r = send_raw(runtime, host, &req);
        CHECK(r.status == PMX_INVALID_INPUT);
        CHECK_THAT(r.message, Catch::Contains("URL is empty"));
    }
    SECTION("not http(s)") {
        pmx_http_request req = base();
        const std::string ftp = "ftp://127.0.0.1/x";
        req.url = {ftp.data(), ftp.size()};
        const CallResult r = send_raw(runtime, host, &req);
        CHECK(r.status == PMX_INVALID_INPUT);
        CHECK_THAT(r.message, Catch::Contains("http:// or https://"));
    }
    SECTION("relative URL") {
        pmx_http_request req = base();
        const std::string rel = "/library/sections";
        req.url = {rel.data(), rel.size()};
        CHECK(send_raw(runtime, host, &req).status == PMX_INVALID_INPUT);
    }
    SECTION("unknown method") {
        pmx_http_request req = base();
        req.method = "BREW";
        const CallResult r = send_raw(runtime, host, &req);
        CHECK(r.status == PMX_INVALID_INPUT);
        CHECK_THAT(r.message, Catch::Contains("BREW"));
    }
    SECTION("headers missing") {
        pmx_http_request req = base();
        req.header_count = 2;
        CHECK(send_raw(runtime, host, &req).status == PMX_INVALID_INPUT);
    }
    SECTION("header injection") {
        pmx_http_request req = base();
        pmx_kv evil[] = {{{"X-A", 3}, {"1\r\nX-B: 2", 10}}};
        req.headers = evil;
        req.header_count = 1;
        CHECK(send_raw(runtime, host, &req).status == PMX_INVALID_INPUT);
    }
    SECTION("NULL request") {
        CHECK(send_raw(runtime, host, nullptr).status == PMX_INVALID_INPUT);
    }
    CHECK(server.request_count() == 0);
}

TEST_CASE("size rule: fields past an older plugin's struct_size are ignored", "[abi][http]") {
    FakeHttpServer server;
    server.on("/x", [](const auto&) { return FakeResponse::text(200, "ok"); });
    PluginHost host("fake");
    ProviderRuntime runtime("p", "fake", CallPolicy{}, 1);
    const std::string url = server.url("/x");
    pmx_http_request req{};
    req.struct_size = static_cast<std::uint32_t>(offsetof(pmx_http_request, url) + sizeof(pmx_str));
    req.url = {url.data(), url.size()};
    // Garbage where a smaller struct ends: the host must not read it.
    req.headers = reinterpret_cast<const pmx_kv*>(0x1);
    req.header_count = 99;
    req.timeout_ms = 1;
    const CallResult r = send_raw(runtime, host, &req);
    CHECK(r.ok());
    CHECK(server.request_count("/x") == 1);
    CHECK(server.requests()[0].method == "GET");  // NULL method means GET
}

TEST_CASE("responses are freed when the attempt ends and release is safe to repeat", "[abi][http]") {
    FakeHttpServer server;
    server.on("/x", [](const auto&) { return FakeResponse::text(200, "ok"); });
    PluginHost host("fake");
    ProviderRuntime runtime("p", "fake", CallPolicy{}, 1);
    const std::string url = server.url("/x");
    pmx_http_request req{};
    req.struct_size = sizeof req;
    req.url = {url.data(), url.size()};

    pmx_http_response* kept = nullptr;
    REQUIRE(send_raw(runtime, host, &req, &kept).ok());
    REQUIRE(kept != nullptr);
    CHECK_FALSE(pmx::CallContext::release_response(kept));  // already freed with the attempt

    const pmx_host_http* http = pmx::test::http_service(host.api());
    runtime.invoke("twice", [&](const pmx_call* call) {
        pmx_http_response* resp = nullptr;
        REQUIRE(http->request(call, &req, &resp) == PMX_OK);
        http->release(resp);
        CHECK_FALSE(pmx::CallContext::release_response(resp));  // a second release is a no-op
        http->release(nullptr);
        return PMX_OK;
    });
}

TEST_CASE("the HTTP service refuses a pmx_call the host did not make", "[abi][http]") {
    PluginHost host("fake");
    const pmx_host_http* http = pmx::test::http_service(host.api());
    pmx_call forged{};
    forged.struct_size = sizeof forged;
    const std::string url = "http://127.0.0.1:9/x";
    pmx_http_request req{};
    req.struct_size = sizeof req;
    req.url = {url.data(), url.size()};
    pmx_http_response* resp = reinterpret_cast<pmx_http_response*>(0x1);
    CHECK(http->request(&forged, &req, &resp) == PMX_INVALID_INPUT);
    CHECK(resp == nullptr);
    CHECK(http->request(nullptr, &req, &resp) == PMX_INVALID_INPUT);

    // A call made without a provider (no HTTP allowed) answers UNSUPPORTED.
    pmx::CallSetup setup;
    setup.plugin_id = "fake";
    setup.operation = "init";
    pmx::CallContext ctx(setup);
    CHECK(http->request(ctx.get(), &req, &resp) == PMX_UNSUPPORTED);
    CHECK_THAT(ctx.report().message, Catch::Contains("init"));
}

TEST_CASE("each request is logged at debug: method, redacted URL, status, bytes, ms", "[abi][http][log]") {
    LogCapture capture(spdlog::level::debug);
    FakeHttpServer server;
    server.on("/library", [](const auto&) { return FakeResponse::text(200, "12345"); });
    PluginHost host("plex");
    ProviderRuntime runtime("home", "plex", CallPolicy{}, 1);
    const std::string url = server.url("/library?X-Plex-Token=supersecret1");
    const CallResult r = runtime.invoke(
        "scan", [&](const pmx_call* call) { return pmx::test::plugin_request(host.api(), call, url); });
    REQUIRE(r.ok());
    const std::string text = capture.text();
    CHECK(text.find("supersecret1") == std::string::npos);
    CHECK_THAT(text, Catch::Contains("debug http [home] GET " + server.url("/library?X-Plex-Token=***") +
                                     " -> 200 (5 bytes, "));
    CHECK_THAT(text, Catch::Contains(" ms)"));
}
