// The host HTTP service driven as a plugin drives it (C vtables inside runtime.invoke), against
// the loopback fake server: retries, Retry-After, timeouts, deadline, cancellation, limits, reuse.
#include <catch2/catch.hpp>

#include <sys/socket.h>
#include <netinet/in.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "call_core/plugin_like.hpp"
#include "host/plugin_host.hpp"
#include "host/provider_runtime.hpp"
#include "support/fake_http_server.hpp"

using namespace std::chrono_literals;
using std::chrono::milliseconds;
using pmx::CallPolicy;
using pmx::CallResult;
using pmx::InvokeOptions;
using pmx::PluginHost;
using pmx::ProviderRuntime;
using pmx::test::FakeHttpServer;
using pmx::test::FakeResponse;

namespace {

constexpr auto kGenerous = 5s;  // upper bounds on wall time are only this loose

CallPolicy fast_policy() {
    CallPolicy p;
    p.timeout = 5s;
    p.connect_timeout = 2s;
    p.deadline = 10s;
    p.retries = 3;
    p.backoff_base = 5ms;
    p.backoff_max = 20ms;
    p.concurrency = 4;
    return p;
}

// A provider backed by a fake server, and a plugin that GETs one path per call.
struct Rig {
    FakeHttpServer server;
    PluginHost host{"fake"};
    std::unique_ptr<ProviderRuntime> runtime;

    explicit Rig(CallPolicy policy = fast_policy(), std::uint32_t plugin_max_calls = 8)
        : runtime(std::make_unique<ProviderRuntime>("fake-provider", "fake", policy, plugin_max_calls)) {}

    CallResult get(const std::string& path, const InvokeOptions& opts = {}, std::uint32_t timeout_ms = 0,
                   pmx::test::PluginGet* got = nullptr) {
        const std::string url = server.url(path);
        return runtime->invoke(
            "fetch",
            [&](const pmx_call* call) { return pmx::test::plugin_request(host.api(), call, url, "GET", timeout_ms, got); },
            opts);
    }
};

milliseconds since(std::chrono::steady_clock::time_point t) {
    return std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - t);
}

}  // namespace

TEST_CASE("429 twice then 200: exactly three attempts, OK", "[http][retry]") {
    Rig rig;
    rig.server.on("/r", pmx::test::sequence({FakeResponse::text(429, "slow"), FakeResponse::text(429, "slow"),
                                             FakeResponse::text(200, "fine")}));
    pmx::test::PluginGet got;
    const CallResult r = rig.get("/r", {}, 0, &got);
    CHECK(r.ok());
    CHECK(r.attempts == 3);
    CHECK(rig.server.request_count("/r") == 3);
    CHECK(r.http_status == 200);
    CHECK(got.body == "fine");
}

TEST_CASE("always 503 with retries=2: exactly three requests, UNAVAILABLE", "[http][retry]") {
    CallPolicy p = fast_policy();
    p.retries = 2;
    Rig rig(p);
    rig.server.on("/down", [](const auto&) { return FakeResponse::text(503, "overloaded"); });
    const CallResult r = rig.get("/down");
    CHECK(r.status == PMX_UNAVAILABLE);
    CHECK(r.attempts == 3);
    CHECK(rig.server.request_count("/down") == 3);
    CHECK(r.http_status == 503);
    CHECK_THAT(r.message, Catch::Contains("HTTP 503") && Catch::Contains("gave up after 3 attempts"));
}

TEST_CASE("a retry-safe GET is repeated by the host: the plugin sees the last answer in one attempt", "[http][retry]") {
    Rig rig;
    rig.server.on("/page", pmx::test::sequence({FakeResponse::text(503, "busy"), FakeResponse::rate_limited("0"),
                                                FakeResponse::text(502, "proxy"), FakeResponse::text(200, "page")}));
    pmx::test::PluginGet got;
    const std::string url = rig.server.url("/page");
    const CallResult r = rig.runtime->invoke("scan", [&](const pmx_call* call) {
        return pmx::test::plugin_request(rig.host.api(), call, url, "GET", 0, &got, {}, PMX_HTTP_RETRY_SAFE);
    });
    CHECK(r.ok());
    CHECK(r.attempts == 1);  // the call itself was not repeated
    CHECK(rig.server.request_count("/page") == 4);
    CHECK(got.body == "page");
}

TEST_CASE("a retry-safe request that gives up ends the call: 1 + retries requests, not their square", "[http][retry]") {
    CallPolicy p = fast_policy();
    p.retries = 2;
    Rig rig(p);
    rig.server.on("/down", [](const auto&) { return FakeResponse::text(503, "overloaded"); });
    const std::string url = rig.server.url("/down");
    const CallResult r = rig.runtime->invoke("scan", [&](const pmx_call* call) {
        return pmx::test::plugin_request(rig.host.api(), call, url, "GET", 0, nullptr, {}, PMX_HTTP_RETRY_SAFE);
    });
    CHECK(r.status == PMX_UNAVAILABLE);
    CHECK(r.attempts == 1);
    CHECK(rig.server.request_count("/down") == 3);
    CHECK_THAT(r.message, Catch::Contains("HTTP 503") && Catch::Contains("gave up after 3 attempts"));
}

TEST_CASE("a request not flagged retry-safe is sent once per attempt of the call", "[http][retry]") {
    Rig rig;
    rig.server.on("/make", pmx::test::sequence({FakeResponse::text(503, "busy"), FakeResponse::text(200, "made")}));
    const std::string url = rig.server.url("/make");
    const CallResult r = rig.runtime->invoke("write", [&](const pmx_call* call) {
        return pmx::test::plugin_request(rig.host.api(), call, url, "POST");
    });
    CHECK(r.ok());
    CHECK(r.attempts == 2);
    CHECK(rig.server.request_count("/make") == 2);
}

TEST_CASE("an attempt that changed the server starts the call's failure count again", "[http][retry]") {
    CallPolicy p = fast_policy();
    p.retries = 1;
    Rig rig(p);
    rig.server.on("/chunk", [](const auto&) { return FakeResponse::text(200, "added"); });
    rig.server.on("/flaky", [](const auto&) { return FakeResponse::text(503, "busy"); });
    const std::string chunk = rig.server.url("/chunk");
    const std::string flaky = rig.server.url("/flaky");
    // A resumable writer: each attempt adds the next chunk, then fails on its next request.
    int written = 0;
    const CallResult r = rig.runtime->invoke("write", [&](const pmx_call* call) {
        if (written == 5) return PMX_OK;
        const pmx_status added = pmx::test::plugin_request(rig.host.api(), call, chunk, "PUT");
        if (added != PMX_OK) return added;
        ++written;
        return pmx::test::plugin_request(rig.host.api(), call, flaky, "PUT");
    });
    CHECK(r.ok());
    CHECK(written == 5);
    CHECK(r.attempts == 6);
    // Without progress the same failure ends the call after 1 + retries attempts.
    const CallResult stuck = rig.runtime->invoke(
        "write", [&](const pmx_call* call) { return pmx::test::plugin_request(rig.host.api(), call, flaky, "PUT"); });
    CHECK(stuck.status == PMX_UNAVAILABLE);
    CHECK(stuck.attempts == 2);
}

TEST_CASE("401 is AUTH and is not retried", "[http][retry]") {
    Rig rig;
    rig.server.on("/private", [](const auto&) { return FakeResponse::text(401, "who are you"); });
    const CallResult r = rig.get("/private");
    CHECK(r.status == PMX_AUTH);
    CHECK(r.attempts == 1);
    CHECK(rig.server.request_count("/private") == 1);
    CHECK(r.http_status == 401);
}

TEST_CASE("Retry-After is waited out before the next attempt", "[http][retry]") {
    Rig rig;
    rig.server.on("/limited", pmx::test::sequence({FakeResponse::rate_limited("1"), FakeResponse::text(200, "ok")}));
    const CallResult r = rig.get("/limited");
    CHECK(r.ok());
    CHECK(r.attempts == 2);
    const auto arrivals = rig.server.arrival_times("/limited");
    REQUIRE(arrivals.size() == 2);
    CHECK(arrivals[1] - arrivals[0] >= 1s);  // a lower bound on measured time
}

TEST_CASE("a Retry-After past the deadline ends the call at once with RATE_LIMITED", "[http][retry]") {
    CallPolicy p = fast_policy();
    p.deadline = 2s;
    Rig rig(p);
    rig.server.on("/limited", [](const auto&) { return FakeResponse::rate_limited("30"); });
    const CallResult r = rig.get("/limited");
    CHECK(r.status == PMX_RATE_LIMITED);
    CHECK(r.attempts == 1);
    CHECK(rig.server.request_count("/limited") == 1);
    CHECK(r.elapsed < 2s);  // it did not sleep toward the deadline
    CHECK_THAT(r.message, Catch::Contains("retry after 30.0 s") && Catch::Contains("deadline"));
}

TEST_CASE("a per-request timeout against a hanging endpoint gives TIMEOUT after about the timeout", "[http][timeout]") {
    Rig rig;
    rig.server.on("/hang", [](const auto&) { return FakeResponse::hanging(); });
    InvokeOptions once;
    once.retry = false;
    const auto started = std::chrono::steady_clock::now();
    const CallResult r = rig.get("/hang", once, 300);
    const auto took = since(started);
    CHECK(r.status == PMX_TIMEOUT);
    CHECK(r.attempts == 1);
    CHECK(took >= 300ms);
    CHECK(took < kGenerous);
    CHECK_THAT(r.message, Catch::Contains("timed out"));
    CHECK(rig.server.wait_idle(kGenerous));  // the client hung up: the server saw it go
}

TEST_CASE("the policy timeout applies when the plugin gives none", "[http][timeout]") {
    CallPolicy p = fast_policy();
    p.timeout = 250ms;
    p.retries = 1;
    Rig rig(p);
    rig.server.on("/hang", [](const auto&) { return FakeResponse::hanging(); });
    const CallResult r = rig.get("/hang");
    CHECK(r.status == PMX_TIMEOUT);
    CHECK(r.attempts == 2);  // TIMEOUT is retryable
    CHECK(rig.server.request_count("/hang") == 2);
    CHECK(r.elapsed >= 500ms);
    CHECK(r.elapsed < kGenerous);
}

TEST_CASE("the deadline bounds the whole call across retries", "[http][timeout]") {
    CallPolicy p = fast_policy();
    p.timeout = 200ms;
    p.retries = 50;  // without the deadline this would take > 10 s
    p.deadline = 700ms;
    Rig rig(p);
    rig.server.on("/hang", [](const auto&) { return FakeResponse::hanging(); });
    const CallResult r = rig.get("/hang");
    CHECK(r.status == PMX_TIMEOUT);
    CHECK(r.attempts >= 2);
    CHECK(r.attempts < 10);
    CHECK(static_cast<std::size_t>(r.attempts) == rig.server.request_count("/hang"));
    CHECK(r.elapsed < 700ms + 2s);
}

TEST_CASE("a slow body inside the timeout succeeds and one past it is TIMEOUT", "[http][timeout]") {
    Rig rig;
    const std::string body(4000, 'x');
    rig.server.on("/slow", [&](const auto&) { return FakeResponse::slow_body(body, 8, 30ms); });
    pmx::test::PluginGet got;
    const CallResult ok = rig.get("/slow", {}, 3000, &got);
    CHECK(ok.ok());
    CHECK(got.body == body);

    rig.server.on("/slower", [&](const auto&) { return FakeResponse::slow_body(body, 8, 100ms); });
    InvokeOptions once;
    once.retry = false;
    const CallResult late = rig.get("/slower", once, 250);
    CHECK(late.status == PMX_TIMEOUT);
}

TEST_CASE("a cancel from another thread ends a hanging request promptly with CANCELLED", "[http][cancel]") {
    Rig rig;
    rig.server.on("/hang", [](const auto&) { return FakeResponse::hanging(); });
    pmx::CancelToken token;
    InvokeOptions opts;
    opts.cancel = &token;
    std::thread user([&] {
        if (rig.server.wait_for_requests(1, kGenerous)) token.cancel();
    });
    const auto started = std::chrono::steady_clock::now();
    const CallResult r = rig.get("/hang", opts, 60'000);
    user.join();
    CHECK(r.status == PMX_CANCELLED);
    CHECK(r.attempts == 1);
    CHECK(since(started) < kGenerous);
    CHECK(rig.server.wait_idle(kGenerous));

    // A later call with the cancelled token does not even reach the server.
    const CallResult again = rig.get("/hang", opts);
    CHECK(again.status == PMX_CANCELLED);
    CHECK(rig.server.request_count() == 1);
}

TEST_CASE("the concurrency limit is never exceeded at the server", "[http][limits]") {
    CallPolicy p = fast_policy();
    p.concurrency = 3;
    Rig rig(p, 8);
    rig.server.on("/work", [](const auto&) {
        FakeResponse r = FakeResponse::text(200, "done");
        r.delay = 40ms;
        return r;
    });
    constexpr int kThreads = 8;
    constexpr int kCallsEach = 2;
    std::vector<std::thread> threads;
    std::vector<int> failures(kThreads, 0);
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < kCallsEach; ++i) {
                if (!rig.get("/work").ok()) ++failures[static_cast<std::size_t>(t)];
            }
        });
    }
    for (auto& th : threads) th.join();
    CHECK(std::count(failures.begin(), failures.end(), 0) == kThreads);
    CHECK(rig.server.request_count("/work") == kThreads * kCallsEach);
    CHECK(rig.runtime->concurrency_limit() == 3);
    CHECK(rig.server.peak_in_flight() <= 3);
    CHECK(rig.runtime->concurrency().peak() <= 3);
    CHECK(rig.server.peak_in_flight() >= 2);  // the limit is used, not just respected
    CHECK(rig.server.connection_count() <= 3);  // one pooled connection per concurrent slot
}

TEST_CASE("a plugin with max_concurrent_calls = 1 is called one at a time", "[http][limits]") {
    CallPolicy p = fast_policy();
    p.concurrency = 4;
    Rig rig(p, 1);
    rig.server.on("/work", [](const auto&) {
        FakeResponse r = FakeResponse::text(200, "done");
        r.delay = 30ms;
        return r;
    });
    constexpr int kThreads = 6;
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) threads.emplace_back([&] { CHECK(rig.get("/work").ok()); });
    for (auto& th : threads) th.join();
    CHECK(rig.runtime->concurrency_limit() == 1);
    CHECK(rig.server.request_count("/work") == kThreads);
    CHECK(rig.server.peak_in_flight() == 1);
}

TEST_CASE("rpm is never exceeded: request starts spaced by 60 s / rpm", "[http][limits][rpm]") {
    CallPolicy p = fast_policy();
    p.rpm = 600;  // 100 ms apart
    p.concurrency = 3;
    std::mutex mutex;
    std::vector<std::chrono::steady_clock::time_point> grants;
    pmx::RuntimeHooks hooks;
    hooks.on_request_start = [&](pmx::SteadyTime at) {
        std::lock_guard lock(mutex);
        grants.push_back(at);
    };
    FakeHttpServer server;
    server.on("/q", [](const auto&) { return FakeResponse::text(200, "ok"); });
    PluginHost host("fake");
    ProviderRuntime runtime("fake-provider", "fake", p, 8, hooks);
    const std::string url = server.url("/q");

    constexpr int kThreads = 3;
    constexpr int kCallsEach = 5;
    constexpr std::size_t kTotal = kThreads * kCallsEach;
    const auto started = std::chrono::steady_clock::now();
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&] {
            for (int i = 0; i < kCallsEach; ++i) {
                CHECK(runtime
                          .invoke("q", [&](const pmx_call* call) {
                              return pmx::test::plugin_request(host.api(), call, url);
                          })
                          .ok());
            }
        });
    }
    for (auto& th : threads) th.join();
    const auto interval = runtime.rpm_limiter().interval();
    REQUIRE(interval == 100ms);

    // Exact, on the limiter's grant times (the moment each HTTP attempt may start): any two
    // starts are >= interval apart, so no 60 s window holds more than rpm of them.
    std::sort(grants.begin(), grants.end());
    REQUIRE(grants.size() == kTotal);
    for (std::size_t i = 1; i < grants.size(); ++i) CHECK(grants[i] - grants[i - 1] >= interval);

    // Exact, on the server's clock: a request arrives after its own grant, so the k-th arrival
    // comes no earlier than the k-th grant, hence at least (k-1) * interval after the start.
    // (Loopback latency can bunch arrivals together; it can never make them early.)
    auto arrivals = server.arrival_times("/q");
    REQUIRE(arrivals.size() == kTotal);
    std::sort(arrivals.begin(), arrivals.end());
    for (std::size_t k = 0; k < arrivals.size(); ++k) {
        CHECK(arrivals[k] >= grants[k]);
        CHECK(arrivals[k] - started >= interval * static_cast<long>(k));
    }
}

TEST_CASE("sequential requests reuse one TCP connection", "[http][pool]") {
    Rig rig;
    rig.server.on("/k", [](const auto&) { return FakeResponse::json(200, R"({"ok":true})"); });
    constexpr int kCalls = 8;
    for (int i = 0; i < kCalls; ++i) REQUIRE(rig.get("/k").ok());
    CHECK(rig.server.request_count("/k") == kCalls);
    CHECK(rig.server.connection_count() == 1);
}

TEST_CASE("a refused connection is UNAVAILABLE and retried", "[http][retry]") {
    // A port that was just free: bind, read the port, close.
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(fd >= 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
    ::close(fd);
    const std::string url = "http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port)) + "/x";

    CallPolicy p = fast_policy();
    p.retries = 1;
    PluginHost host("fake");
    ProviderRuntime runtime("nowhere", "fake", p, 1);
    const CallResult r = runtime.invoke(
        "fetch", [&](const pmx_call* call) { return pmx::test::plugin_request(host.api(), call, url); });
    CHECK(r.status == PMX_UNAVAILABLE);
    CHECK(r.attempts == 2);
    CHECK_THAT(r.message, Catch::Contains("127.0.0.1"));
}

TEST_CASE("https to a plain-HTTP server fails the TLS handshake: UNAVAILABLE", "[http][tls]") {
    Rig rig;
    rig.server.on("/x", [](const auto&) { return FakeResponse::text(200, "plain"); });
    const std::string url = "https://127.0.0.1:" + std::to_string(rig.server.port()) + "/x";
    InvokeOptions once;
    once.retry = false;
    const CallResult r = rig.runtime->invoke(
        "fetch", [&](const pmx_call* call) { return pmx::test::plugin_request(rig.host.api(), call, url); }, once);
    INFO(r.message);
    CHECK(r.status == PMX_UNAVAILABLE);
    CHECK(rig.server.request_count() == 0);  // no HTTP request made it through
}

TEST_CASE("proxy environment variables are honoured", "[http][proxy]") {
    // The fake server plays the proxy: an http_proxy request arrives in absolute form.
    Rig rig;
    const std::string target = "http://provider.invalid/v1/models";
    rig.server.on(target, [](const auto&) { return FakeResponse::text(200, "via proxy"); });
    const char* before = std::getenv("http_proxy");
    const std::string saved = before != nullptr ? before : "";
    ::setenv("http_proxy", rig.server.url().c_str(), 1);
    pmx::test::PluginGet got;
    const CallResult r = rig.runtime->invoke("fetch", [&](const pmx_call* call) {
        return pmx::test::plugin_request(rig.host.api(), call, target, "GET", 0, &got);
    });
    if (before != nullptr) {
        ::setenv("http_proxy", saved.c_str(), 1);
    } else {
        ::unsetenv("http_proxy");
    }
    CHECK(r.ok());
    CHECK(got.body == "via proxy");
    REQUIRE(rig.server.request_count() == 1);
    CHECK(rig.server.requests()[0].target == target);
}
