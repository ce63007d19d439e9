// The retry policy and ProviderRuntime::invoke without HTTP: attempts, backoff, ABI violations.
#include <catch2/catch.hpp>

#include <chrono>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "host/provider_runtime.hpp"
#include "net/http_client.hpp"
#include "net/retry.hpp"
#include "util/redact.hpp"

using namespace std::chrono_literals;
using std::chrono::milliseconds;
using pmx::CallPolicy;
using pmx::CallResult;
using pmx::InvokeOptions;
using pmx::ProviderRuntime;
using pmx::RuntimeHooks;

namespace {

// Records every backoff wait instead of sleeping; jitter always picks the cap.
struct FakeTime {
    std::vector<milliseconds> waits;
    RuntimeHooks hooks() {
        RuntimeHooks h;
        h.jitter = [](milliseconds cap) { return cap; };
        h.sleep = [this](milliseconds wait, const pmx::CancelToken&) {
            waits.push_back(wait);
            return false;
        };
        return h;
    }
};

CallPolicy quick_policy() {
    CallPolicy p;
    p.retries = 3;
    p.backoff_base = 100ms;
    p.backoff_max = 350ms;
    p.deadline = 60s;
    return p;
}

}  // namespace

TEST_CASE("status names", "[retry]") {
    CHECK(pmx::status_name(PMX_OK) == "OK");
    CHECK(pmx::status_name(PMX_RATE_LIMITED) == "RATE_LIMITED");
    CHECK(pmx::status_name(PMX_BAD_RESPONSE) == "BAD_RESPONSE");
    CHECK(pmx::status_name(PMX_INTERNAL) == "INTERNAL");
    CHECK(pmx::status_name(999) == "UNKNOWN(999)");
    CHECK(pmx::status_name(-1) == "UNKNOWN(-1)");
}

TEST_CASE("backoff doubles from the base up to the cap", "[retry]") {
    const pmx::RetrySettings s{10, 100ms, 350ms};
    CHECK(pmx::backoff_cap(s, 1) == 100ms);
    CHECK(pmx::backoff_cap(s, 2) == 200ms);
    CHECK(pmx::backoff_cap(s, 3) == 350ms);
    CHECK(pmx::backoff_cap(s, 100) == 350ms);
}

TEST_CASE("full jitter stays within [0, cap]", "[retry]") {
    const auto jitter = pmx::default_jitter();
    bool saw_low = false;
    bool saw_high = false;
    for (int i = 0; i < 2000; ++i) {
        const auto d = jitter(100ms);
        REQUIRE(d >= 0ms);
        REQUIRE(d <= 100ms);
        saw_low = saw_low || d < 50ms;
        saw_high = saw_high || d >= 50ms;
    }
    CHECK(saw_low);
    CHECK(saw_high);
    CHECK(jitter(0ms) == 0ms);
}

TEST_CASE("only RATE_LIMITED, UNAVAILABLE, TIMEOUT and BAD_RESPONSE are retried", "[retry]") {
    const pmx::RetrySettings s{5, 10ms, 100ms};
    const auto cap = [](milliseconds c) { return c; };
    for (pmx_status st : {PMX_RATE_LIMITED, PMX_UNAVAILABLE, PMX_TIMEOUT, PMX_BAD_RESPONSE}) {
        CHECK(pmx::decide_retry(s, 1, 1, st, 0ms, 10s, cap).retry);
    }
    for (pmx_status st : {PMX_OK, PMX_CANCELLED, PMX_AUTH, PMX_INVALID_INPUT, PMX_NOT_FOUND, PMX_UNSUPPORTED,
                          PMX_INTERNAL}) {
        const auto d = pmx::decide_retry(s, 1, 1, st, 0ms, 10s, cap);
        CHECK_FALSE(d.retry);
        CHECK(d.reason.empty());
    }
}

TEST_CASE("Retry-After sets a floor on the wait, and stops the call when past the deadline", "[retry]") {
    const pmx::RetrySettings s{5, 10ms, 100ms};
    const auto zero = [](milliseconds) { return 0ms; };
    auto d = pmx::decide_retry(s, 1, 0, PMX_RATE_LIMITED, 2s, 10s, zero);
    CHECK(d.retry);
    CHECK(d.wait == 2s);

    d = pmx::decide_retry(s, 1, 0, PMX_RATE_LIMITED, 30s, 10s, zero);
    CHECK_FALSE(d.retry);
    CHECK_THAT(d.reason, Catch::Contains("retry after 30.0 s") && Catch::Contains("deadline"));

    d = pmx::decide_retry(s, 5, 5, PMX_UNAVAILABLE, 0ms, 10s, zero);
    CHECK_FALSE(d.retry);
    CHECK(d.reason == "gave up after 5 attempts");
}

TEST_CASE("Retry-After: delta-seconds and HTTP-date", "[retry][http]") {
    const auto now = std::chrono::system_clock::from_time_t(1445412480);  // Wed, 21 Oct 2015 07:28:00 GMT
    CHECK(pmx::parse_retry_after("120", now) == milliseconds(120'000));
    CHECK(pmx::parse_retry_after(" 0 ", now) == 0ms);
    CHECK(pmx::parse_retry_after("Wed, 21 Oct 2015 07:28:30 GMT", now) == 30s);
    CHECK(pmx::parse_retry_after("Wed, 21 Oct 2015 07:27:00 GMT", now) == 0ms);  // in the past
    CHECK_FALSE(pmx::parse_retry_after("soon", now).has_value());
    CHECK_FALSE(pmx::parse_retry_after("", now).has_value());
    CHECK_FALSE(pmx::parse_retry_after("-5", now).has_value());
    CHECK(pmx::parse_retry_after("99999999999999999999999", now) == std::chrono::hours(24 * 7));
}

TEST_CASE("invoke retries retryable statuses with exponential waits, then gives up", "[retry][invoke]") {
    FakeTime time;
    ProviderRuntime runtime("p", "fake", quick_policy(), 4, time.hooks());
    int calls = 0;
    const CallResult r = runtime.invoke("embed", [&](const pmx_call*) {
        ++calls;
        return PMX_UNAVAILABLE;
    });
    CHECK(r.status == PMX_UNAVAILABLE);
    CHECK(calls == 4);
    CHECK(r.attempts == 4);
    CHECK(time.waits == std::vector<milliseconds>{100ms, 200ms, 350ms});
    CHECK_THAT(r.message, Catch::Contains("gave up after 4 attempts"));
}

TEST_CASE("invoke succeeds on a later attempt and reports usage and progress", "[retry][invoke]") {
    FakeTime time;
    ProviderRuntime runtime("p", "fake", quick_policy(), 4, time.hooks());
    std::vector<std::pair<std::uint64_t, std::uint64_t>> progress;
    InvokeOptions opts;
    opts.progress = [&](std::uint64_t done, std::uint64_t total) { progress.emplace_back(done, total); };
    int calls = 0;
    const CallResult r = runtime.invoke(
        "complete",
        [&](const pmx_call* call) {
            call->report_usage(call, 10, 1);
            call->progress(call, static_cast<std::uint64_t>(calls), 3);
            return ++calls < 3 ? PMX_TIMEOUT : PMX_OK;
        },
        opts);
    CHECK(r.ok());
    CHECK(r.message.empty());
    CHECK(r.attempts == 3);
    CHECK(r.input_tokens == 30);
    CHECK(r.output_tokens == 3);
    CHECK(progress.size() == 3);
    CHECK(time.waits.size() == 2);
}

TEST_CASE("retry=false and retries=0 mean exactly one attempt", "[retry][invoke]") {
    FakeTime time;
    ProviderRuntime runtime("p", "fake", quick_policy(), 4, time.hooks());
    int calls = 0;
    const auto fail = [&](const pmx_call*) {
        ++calls;
        return PMX_RATE_LIMITED;
    };
    InvokeOptions once;
    once.retry = false;
    CHECK(runtime.invoke("x", fail, once).attempts == 1);
    InvokeOptions zero;
    zero.retries = 0;
    CHECK(runtime.invoke("x", fail, zero).attempts == 1);
    CHECK(calls == 2);
    CHECK(time.waits.empty());
}

TEST_CASE("non-retryable statuses end the call after one attempt", "[retry][invoke]") {
    FakeTime time;
    ProviderRuntime runtime("p", "fake", quick_policy(), 4, time.hooks());
    for (pmx_status st : {PMX_AUTH, PMX_INVALID_INPUT, PMX_NOT_FOUND, PMX_UNSUPPORTED, PMX_INTERNAL,
                          PMX_CANCELLED}) {
        int calls = 0;
        const CallResult r = runtime.invoke("x", [&](const pmx_call*) {
            ++calls;
            return st;
        });
        CHECK(r.status == st);
        CHECK(calls == 1);
        CHECK_FALSE(r.message.empty());
    }
    CHECK(time.waits.empty());
}

TEST_CASE("a garbage answer (BAD_RESPONSE) is retried like a transient failure", "[retry][invoke]") {
    FakeTime time;
    ProviderRuntime runtime("p", "fake", quick_policy(), 4, time.hooks());
    int calls = 0;
    const CallResult r = runtime.invoke("x", [&](const pmx_call*) { return ++calls < 3 ? PMX_BAD_RESPONSE : PMX_OK; });
    CHECK(r.ok());
    CHECK(r.attempts == 3);
    CHECK(time.waits.size() == 2);
}

TEST_CASE("429s use no retry: they are waited out up to the deadline", "[retry][invoke]") {
    FakeTime time;
    CallPolicy p = quick_policy();
    p.retries = 1;
    ProviderRuntime runtime("p", "fake", p, 4, time.hooks());
    int calls = 0;
    const CallResult r = runtime.invoke("x", [&](const pmx_call*) { return ++calls <= 12 ? PMX_RATE_LIMITED : PMX_OK; });
    CHECK(r.ok());
    CHECK(r.attempts == 13);
    // An UNAVAILABLE without a hint uses the one retry: the second ends the call.
    calls = 0;
    const CallResult down = runtime.invoke("x", [&](const pmx_call*) { return ++calls <= 5 ? PMX_UNAVAILABLE : PMX_OK; });
    CHECK(down.status == PMX_UNAVAILABLE);
    CHECK(down.attempts == 2);
    CHECK_THAT(down.message, Catch::Contains("gave up after 2 attempts"));
    // retries: 0 is one attempt, even for a 429.
    calls = 0;
    InvokeOptions once;
    once.retries = 0;
    CHECK(runtime.invoke("x", [&](const pmx_call*) { return ++calls <= 1 ? PMX_RATE_LIMITED : PMX_OK; }, once).attempts == 1);
}

TEST_CASE("an exception escaping the plugin is INTERNAL, never retried, never a crash", "[retry][invoke][abi]") {
    FakeTime time;
    ProviderRuntime runtime("p", "thrower", quick_policy(), 4, time.hooks());
    int calls = 0;
    const CallResult r = runtime.invoke("scan_tracks", [&](const pmx_call*) -> pmx_status {
        ++calls;
        throw std::runtime_error("boom");
    });
    CHECK(r.status == PMX_INTERNAL);
    CHECK(calls == 1);
    CHECK(r.attempts == 1);
    CHECK_THAT(r.message, Catch::Contains("plugin thrower let an exception escape from scan_tracks"));

    const CallResult r2 = runtime.invoke("identity", [&](const pmx_call*) -> pmx_status { throw 42; });
    CHECK(r2.status == PMX_INTERNAL);
    CHECK(r2.attempts == 1);
}

TEST_CASE("an unknown status value is INTERNAL and names the value", "[retry][invoke][abi]") {
    FakeTime time;
    ProviderRuntime runtime("p", "odd", quick_policy(), 4, time.hooks());
    for (pmx_status bad : {999, -3, PMX_STATUS_COUNT}) {
        const CallResult r = runtime.invoke("embed", [&](const pmx_call*) { return bad; });
        CHECK(r.status == PMX_INTERNAL);
        CHECK(r.attempts == 1);
        CHECK_THAT(r.message, Catch::Contains(std::to_string(bad)));
    }
}

TEST_CASE("a registered secret never reaches the result's message", "[retry][invoke][redact]") {
    const std::string secret = "sk-test-7f3a9c2e1b";
    pmx::register_secret(secret);
    FakeTime time;
    ProviderRuntime runtime("p", "leaky", quick_policy(), 4, time.hooks());
    const CallResult r = runtime.invoke("complete", [&](const pmx_call* call) {
        const std::string msg = "bad key " + secret + " rejected";
        call->set_error(call, PMX_AUTH, msg.data(), msg.size());
        return PMX_AUTH;
    });
    CHECK(r.status == PMX_AUTH);
    CHECK(r.message.find(secret) == std::string::npos);
    CHECK_THAT(r.message, Catch::Contains("bad key") && Catch::Contains(std::string(pmx::kRedacted)));

    const CallResult r2 = runtime.invoke("complete", [&](const pmx_call*) -> pmx_status {
        throw std::runtime_error("key was " + secret);
    });
    CHECK(r2.message.find(secret) == std::string::npos);
    pmx::clear_secrets_for_testing();
}

TEST_CASE("a huge plugin message is cut to 4 KiB", "[retry][invoke]") {
    ProviderRuntime runtime("p", "fake", quick_policy(), 4);
    const std::string huge(100'000, 'e');
    const CallResult r = runtime.invoke("x", [&](const pmx_call* call) {
        call->set_error(call, PMX_INVALID_INPUT, huge.data(), huge.size());
        return PMX_INVALID_INPUT;
    });
    CHECK(r.status == PMX_INVALID_INPUT);
    CHECK(r.message.size() <= 4096);
    CHECK_THAT(r.message, Catch::EndsWith("..."));
}

TEST_CASE("the pmx_call reports the deadline and cancellation", "[retry][invoke]") {
    ProviderRuntime runtime("p", "fake", quick_policy(), 4);
    InvokeOptions opts;
    opts.deadline = 10s;
    pmx::CancelToken token;
    opts.cancel = &token;
    const CallResult r = runtime.invoke(
        "x",
        [&](const pmx_call* call) {
            CHECK(call->struct_size == sizeof(pmx_call));
            const auto left = call->remaining_ms(call);
            CHECK(left > 9000);
            CHECK(left <= 10000);
            CHECK(call->is_cancelled(call) == 0);
            token.cancel();
            CHECK(call->is_cancelled(call) != 0);
            return PMX_CANCELLED;
        },
        opts);
    CHECK(r.status == PMX_CANCELLED);
    CHECK(r.attempts == 1);

    InvokeOptions none;
    none.deadline = 0ms;  // no deadline
    runtime.invoke(
        "x",
        [&](const pmx_call* call) {
            CHECK(call->remaining_ms(call) == INT64_MAX);
            return PMX_OK;
        },
        none);
}

TEST_CASE("a deadline that passes shows as TIMEOUT even when the plugin says CANCELLED", "[retry][invoke]") {
    ProviderRuntime runtime("p", "fake", quick_policy(), 4);
    InvokeOptions opts;
    opts.deadline = 30ms;
    pmx::CancelToken token;
    opts.cancel = &token;
    const CallResult r = runtime.invoke(
        "x",
        [&](const pmx_call* call) {
            while (call->is_cancelled(call) == 0) token.wait_for(5ms);  // a plugin's cancellable loop
            return PMX_CANCELLED;
        },
        opts);
    CHECK(r.status == PMX_TIMEOUT);
    CHECK(r.elapsed >= 30ms);
}

TEST_CASE("a cancel during the backoff wait ends the call with CANCELLED", "[retry][invoke]") {
    CallPolicy p = quick_policy();
    p.backoff_base = 60s;  // a wait that only a cancel can end within the test's time
    p.backoff_max = 60s;
    p.deadline = 120s;
    pmx::CancelToken token;
    int sleeps = 0;
    const auto sleep = [&](milliseconds wait, const pmx::CancelToken& t) {
        ++sleeps;
        std::thread canceller([&] { token.cancel(); });  // Ctrl+C while the host waits to retry
        const bool cancelled = t.wait_for(wait);           // the real wait: must wake at once
        canceller.join();
        return cancelled;
    };
    RuntimeHooks hooks;
    hooks.jitter = [](milliseconds c) { return c; };
    hooks.sleep = sleep;
    ProviderRuntime runtime("p", "fake", p, 4, hooks);
    InvokeOptions opts;
    opts.cancel = &token;
    const auto started = std::chrono::steady_clock::now();
    const CallResult r = runtime.invoke("x", [&](const pmx_call*) { return PMX_UNAVAILABLE; }, opts);
    CHECK(r.status == PMX_CANCELLED);
    CHECK(r.attempts == 1);
    CHECK(sleeps == 1);
    CHECK_THAT(r.message, Catch::Contains("waiting to retry"));
    CHECK(std::chrono::steady_clock::now() - started < 5s);
}

TEST_CASE("a Retry-After past the deadline stops after one attempt, at once", "[retry][invoke]") {
    FakeTime time;
    CallPolicy p = quick_policy();
    p.deadline = 5s;
    ProviderRuntime runtime("p", "fake", p, 4, time.hooks());
    const CallResult r = runtime.invoke("x", [&](const pmx_call* call) {
        call->set_retry_after_ms(call, 60'000);
        return PMX_RATE_LIMITED;
    });
    CHECK(r.status == PMX_RATE_LIMITED);
    CHECK(r.attempts == 1);
    CHECK(time.waits.empty());
    CHECK_THAT(r.message, Catch::Contains("retry after 60.0 s") && Catch::Contains("deadline"));
}
