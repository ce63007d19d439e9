// A scriptable HTTP/1.1 server on 127.0.0.1 for tests: fakes of provider APIs, with counters.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace pmx::test {

using TestClock = std::chrono::steady_clock;
using Headers = std::vector<std::pair<std::string, std::string>>;

// A request as the server read it.
struct FakeRequest {
    std::string method;
    std::string target;  // as sent: path + "?" + query
    std::string path;    // without the query
    std::string query;   // raw, without "?"
    Headers headers;     // names lower-cased, in order
    std::string body;    // de-chunked
    TestClock::time_point arrived;  // when the whole request had been read
    std::uint64_t connection = 0;   // 1-based id of the TCP connection it came on
    std::size_t index = 0;          // 0-based arrival order over the server's life

    const std::string* header(std::string_view lower_name) const;
    // The first query parameter `name`, percent-decoded ('+' read as a space).
    std::optional<std::string> query_param(std::string_view name) const;
};

// What to answer. Defaults: 200, empty body, sent at once, connection kept alive.
struct FakeResponse {
    int status = 200;
    Headers headers;  // Content-Length is added unless given
    std::string body;
    std::chrono::milliseconds delay{0};  // wait before answering (ends early on disconnect/stop)
    // When non-empty the body is sent as these pieces (Content-Length = their sum), with
    // piece_interval before each piece after the first: a slow stream.
    std::vector<std::string> pieces;
    std::chrono::milliseconds piece_interval{0};
    bool hang = false;   // answer nothing; hold the request until the client disconnects or stop()
    bool close = false;  // close the connection after answering

    static FakeResponse text(int status, std::string body);
    static FakeResponse json(int status, std::string body);  // Content-Type: application/json
    static FakeResponse with_status(int status);
    // 429 with "Retry-After: <retry_after>" (seconds or an HTTP-date).
    static FakeResponse rate_limited(std::string retry_after);
    static FakeResponse slow_body(const std::string& body, std::size_t piece_count, std::chrono::milliseconds interval);
    static FakeResponse hanging();

    FakeResponse& header(std::string name, std::string value);
};

using Handler = std::function<FakeResponse(const FakeRequest&)>;

// Sees every request twice: before its handler runs (`answered` is null) and after (`answered`
// is the handler's response). A response it returns is sent instead: before, the handler does
// not run (the request is refused); after, the handler did its work and its answer is lost.
using Interceptor = std::function<std::optional<FakeResponse>(const FakeRequest&, const FakeResponse* answered)>;

// Answers the n-th request (0-based, per handler) with responses[n]; the last one repeats.
Handler sequence(std::vector<FakeResponse> responses);

// Why a hand-written POSIX server rather than Debian's cpp-httplib (libcpp-httplib-dev 0.11.4):
// Debian builds httplib as a shared library, so its compile-time limits are baked in -- a listen
// backlog of 5 (FACTS.md: more simultaneous connects are dropped and retried a second later,
// which breaks concurrency timing) and a default of 5 requests per kept-alive connection -- and
// it exposes neither accepted sockets (to count TCP connections exactly) nor a way for a handler
// to notice that the client went away. Owning accept() gives exact connection counts, a backlog
// of our choosing, hangs that end on disconnect, and a stop() that never waits on a handler.
//
// One thread accepts; one thread per connection reads requests (keep-alive, Content-Length or
// chunked bodies, Expect: 100-continue), runs the handler for the path and writes the answer.
// Handlers run on connection threads, concurrently, and must return: stop() cannot interrupt a
// handler's own code, so express waits as FakeResponse::delay / pieces / hang, which stop()
// and a client's hang-up end. Unknown paths get 404.
class FakeHttpServer {
public:
    FakeHttpServer();  // listening on 127.0.0.1 at an ephemeral port, serving at once
    ~FakeHttpServer();
    FakeHttpServer(const FakeHttpServer&) = delete;
    FakeHttpServer& operator=(const FakeHttpServer&) = delete;

    // Routes an exact path (no query) to `handler`, for any method / one method. Replaces an
    // earlier route. May be called while serving.
    void on(std::string path, Handler handler);
    void on(std::string method, std::string path, Handler handler);
    // Routes every path that starts with `prefix` and has no exact route; the longest prefix
    // wins. Any method.
    void on_prefix(std::string prefix, Handler handler);
    // Installs (or, with an empty function, removes) the interceptor.
    void set_interceptor(Interceptor interceptor);

    std::uint16_t port() const { return port_; }
    std::string url(std::string_view path = {}) const;  // "http://127.0.0.1:<port>" + path

    std::size_t request_count() const;
    std::size_t request_count(std::string_view path) const;
    std::vector<FakeRequest> requests() const;
    std::vector<TestClock::time_point> arrival_times(std::string_view path = {}) const;
    int in_flight() const;       // requests read and not yet fully answered
    int peak_in_flight() const;  // the most at once
    std::size_t connection_count() const;  // TCP connections accepted so far

    // Blocks until at least `n` requests arrived or `timeout` passed; true when they did.
    bool wait_for_requests(std::size_t n, std::chrono::milliseconds timeout) const;
    // Blocks until no request is in flight (answered, or its client went away) or `timeout`
    // passed; true when idle.
    bool wait_idle(std::chrono::milliseconds timeout) const;

    // Stops accepting, wakes every waiting handler, closes every connection and joins every
    // thread. Idempotent; the destructor calls it.
    void stop();

private:
    struct Connection {
        int fd = -1;
        std::uint64_t id = 0;
        std::thread thread;
    };

    void accept_loop();
    void serve(int fd, std::uint64_t id);
    FakeResponse dispatch(const FakeRequest& request);
    void record(FakeRequest& request);

    int listen_fd_ = -1;
    int stop_fd_ = -1;  // eventfd: readable once stop() was called
    std::uint16_t port_ = 0;
    std::thread acceptor_;

    mutable std::mutex mutex_;
    mutable std::condition_variable changed_cv_;  // a request arrived or finished
    bool stopped_ = false;
    std::map<std::string, Handler, std::less<>> routes_;  // key: "METHOD path" or "* path"
    std::map<std::string, Handler, std::less<>> prefix_routes_;
    Interceptor interceptor_;
    std::vector<std::unique_ptr<Connection>> connections_;
    std::vector<FakeRequest> requests_;
    int in_flight_ = 0;
    int peak_in_flight_ = 0;
};

}  // namespace pmx::test
