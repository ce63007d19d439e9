// The loopback fake HTTP server: POSIX sockets, a thread per connection, poll() on a stop eventfd.
#include "fake_http_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

namespace pmx::test {
namespace {

constexpr int kListenBacklog = 128;
constexpr std::size_t kMaxHeadBytes = 64 * 1024;
constexpr std::size_t kReadChunk = 64 * 1024;
constexpr std::string_view kHeadEnd = "\r\n\r\n";
constexpr int kHexBase = 16;

std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
    return s;
}

const char* reason_for(int status) {
    switch (status) {
        case 100: return "Continue";
        case 200: return "OK";
        case 201: return "Created";
        case 204: return "No Content";
        case 301: return "Moved Permanently";
        case 302: return "Found";
        case 400: return "Bad Request";
        case 401: return "Unauthorized";
        case 403: return "Forbidden";
        case 404: return "Not Found";
        case 429: return "Too Many Requests";
        case 500: return "Internal Server Error";
        case 502: return "Bad Gateway";
        case 503: return "Service Unavailable";
        case 504: return "Gateway Timeout";
        default: return "Status";
    }
}

std::string percent_decode(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '+') {
            out += ' ';
        } else if (s[i] == '%' && i + 2 < s.size() &&
                   std::isxdigit(static_cast<unsigned char>(s[i + 1])) != 0 &&
                   std::isxdigit(static_cast<unsigned char>(s[i + 2])) != 0) {
            out += static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, kHexBase));
            i += 2;
        } else {
            out += s[i];
        }
    }
    return out;
}

// Makes loopback requests bypass any proxy configured in the environment (once per process).
void bypass_proxy_for_loopback() {
    static std::once_flag once;
    std::call_once(once, [] {
        for (const char* name : {"no_proxy", "NO_PROXY"}) {
            const char* current = std::getenv(name);
            std::string value = current != nullptr ? current : "";
            if (value.find("127.0.0.1") != std::string::npos) continue;
            value = value.empty() ? "127.0.0.1,localhost" : value + ",127.0.0.1,localhost";
            ::setenv(name, value.c_str(), 1);
        }
    });
}

enum class WaitEnd { elapsed, disconnected, stopped };

// Waits `timeout` (negative = forever) for the client to hang up or the server to stop.
WaitEnd wait_on(int fd, int stop_fd, std::chrono::milliseconds timeout) {
    const auto until = TestClock::now() + timeout;
    for (;;) {
        int ms = -1;
        if (timeout.count() >= 0) {
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - TestClock::now());
            if (left.count() <= 0) return WaitEnd::elapsed;
            ms = static_cast<int>(left.count());
        }
        pollfd fds[2] = {{fd, POLLRDHUP, 0}, {stop_fd, POLLIN, 0}};
        const int n = ::poll(fds, 2, ms);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return WaitEnd::stopped;
        if (fds[1].revents != 0) return WaitEnd::stopped;
        if (fds[0].revents != 0) return WaitEnd::disconnected;
    }
}

// Appends what the client sends next; false on hang-up, error or stop.
bool read_more(int fd, int stop_fd, std::string& buf) {
    for (;;) {
        pollfd fds[2] = {{fd, POLLIN, 0}, {stop_fd, POLLIN, 0}};
        const int n = ::poll(fds, 2, -1);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 || fds[1].revents != 0) return false;
        char tmp[kReadChunk];
        const ssize_t got = ::recv(fd, tmp, sizeof tmp, 0);
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) return false;
        buf.append(tmp, static_cast<std::size_t>(got));
        return true;
    }
}

bool send_all(int fd, std::string_view data) {
    while (!data.empty()) {
        const ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        data.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
}

// Reads exactly `n` body bytes into `out`, consuming them from `buf`.
bool read_exact(int fd, int stop_fd, std::string& buf, std::size_t n, std::string& out) {
    while (buf.size() < n) {
        if (!read_more(fd, stop_fd, buf)) return false;
    }
    out.append(buf, 0, n);
    buf.erase(0, n);
    return true;
}

bool read_line(int fd, int stop_fd, std::string& buf, std::string& line) {
    std::size_t end;
    while ((end = buf.find("\r\n")) == std::string::npos) {
        if (buf.size() > kMaxHeadBytes || !read_more(fd, stop_fd, buf)) return false;
    }
    line = buf.substr(0, end);
    buf.erase(0, end + 2);
    return true;
}

bool read_chunked(int fd, int stop_fd, std::string& buf, std::string& out) {
    for (;;) {
        std::string line;
        if (!read_line(fd, stop_fd, buf, line)) return false;
        std::size_t size = 0;
        try {
            size = std::stoul(line.substr(0, line.find(';')), nullptr, kHexBase);
        } catch (...) {
            return false;
        }
        if (size == 0) break;
        if (!read_exact(fd, stop_fd, buf, size, out)) return false;
        if (!read_line(fd, stop_fd, buf, line)) return false;  // CRLF after the data
    }
    for (;;) {  // trailers up to the empty line
        std::string line;
        if (!read_line(fd, stop_fd, buf, line)) return false;
        if (line.empty()) return true;
    }
}

}  // namespace

// --- FakeRequest / FakeResponse --------------------------------------------------------------

const std::string* FakeRequest::header(std::string_view lower_name) const {
    for (const auto& [name, value] : headers) {
        if (name == lower_name) return &value;
    }
    return nullptr;
}

std::optional<std::string> FakeRequest::query_param(std::string_view name) const {
    std::string_view rest = query;
    while (!rest.empty()) {
        const auto amp = rest.find('&');
        const std::string_view pair = rest.substr(0, amp);
        rest = amp == std::string_view::npos ? std::string_view{} : rest.substr(amp + 1);
        const auto eq = pair.find('=');
        if (percent_decode(pair.substr(0, eq)) != name) continue;
        return eq == std::string_view::npos ? std::string() : percent_decode(pair.substr(eq + 1));
    }
    return std::nullopt;
}

FakeResponse FakeResponse::text(int status, std::string body) {
    FakeResponse r;
    r.status = status;
    r.body = std::move(body);
    r.headers.emplace_back("Content-Type", "text/plain");
    return r;
}

FakeResponse FakeResponse::json(int status, std::string body) {
    FakeResponse r;
    r.status = status;
    r.body = std::move(body);
    r.headers.emplace_back("Content-Type", "application/json");
    return r;
}

FakeResponse FakeResponse::with_status(int status) {
    FakeResponse r;
    r.status = status;
    return r;
}

FakeResponse FakeResponse::rate_limited(std::string retry_after) {
    FakeResponse r = text(429, "slow down");
    r.headers.emplace_back("Retry-After", std::move(retry_after));
    return r;
}

FakeResponse FakeResponse::slow_body(const std::string& body, std::size_t piece_count,
                                     std::chrono::milliseconds interval) {
    FakeResponse r;
    r.piece_interval = interval;
    piece_count = std::max<std::size_t>(piece_count, 1);
    const std::size_t step = std::max<std::size_t>((body.size() + piece_count - 1) / piece_count, 1);
    for (std::size_t at = 0; at < body.size(); at += step) r.pieces.push_back(body.substr(at, step));
    return r;
}

FakeResponse FakeResponse::hanging() {
    FakeResponse r;
    r.hang = true;
    return r;
}

FakeResponse& FakeResponse::header(std::string name, std::string value) {
    headers.emplace_back(std::move(name), std::move(value));
    return *this;
}

Handler sequence(std::vector<FakeResponse> responses) {
    struct State {
        std::mutex mutex;
        std::vector<FakeResponse> responses;
        std::size_t next = 0;
    };
    auto state = std::make_shared<State>();
    state->responses = std::move(responses);
    return [state](const FakeRequest&) {
        std::lock_guard lock(state->mutex);
        if (state->responses.empty()) return FakeResponse::with_status(500);
        const std::size_t i = std::min(state->next++, state->responses.size() - 1);
        return state->responses[i];
    };
}

// --- FakeHttpServer ----------------------------------------------------------------------------

FakeHttpServer::FakeHttpServer() {
    bypass_proxy_for_loopback();
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    stop_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (listen_fd_ < 0 || stop_fd_ < 0) throw std::runtime_error("fake server: socket/eventfd failed");
    const int yes = 1;
    ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    socklen_t len = sizeof addr;
    if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::listen(listen_fd_, kListenBacklog) != 0 ||
        ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
        const std::string why = std::strerror(errno);
        ::close(listen_fd_);
        ::close(stop_fd_);
        throw std::runtime_error("fake server: cannot listen on 127.0.0.1: " + why);
    }
    port_ = ntohs(addr.sin_port);
    acceptor_ = std::thread([this] { accept_loop(); });
}

FakeHttpServer::~FakeHttpServer() { stop(); }

void FakeHttpServer::on(std::string path, Handler handler) { on("*", std::move(path), std::move(handler)); }

void FakeHttpServer::on(std::string method, std::string path, Handler handler) {
    std::lock_guard lock(mutex_);
    routes_[method + " " + path] = std::move(handler);
}

std::string FakeHttpServer::url(std::string_view path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + std::string(path);
}

std::size_t FakeHttpServer::request_count() const {
    std::lock_guard lock(mutex_);
    return requests_.size();
}

std::size_t FakeHttpServer::request_count(std::string_view path) const {
    std::lock_guard lock(mutex_);
    return static_cast<std::size_t>(
        std::count_if(requests_.begin(), requests_.end(), [&](const FakeRequest& r) { return r.path == path; }));
}

std::vector<FakeRequest> FakeHttpServer::requests() const {
    std::lock_guard lock(mutex_);
    return requests_;
}

std::vector<TestClock::time_point> FakeHttpServer::arrival_times(std::string_view path) const {
    std::lock_guard lock(mutex_);
    std::vector<TestClock::time_point> out;
    for (const auto& r : requests_) {
        if (path.empty() || r.path == path) out.push_back(r.arrived);
    }
    return out;
}

int FakeHttpServer::in_flight() const {
    std::lock_guard lock(mutex_);
    return in_flight_;
}

int FakeHttpServer::peak_in_flight() const {
    std::lock_guard lock(mutex_);
    return peak_in_flight_;
}

std::size_t FakeHttpServer::connection_count() const {
    std::lock_guard lock(mutex_);
    return connections_.size();
}

bool FakeHttpServer::wait_for_requests(std::size_t n, std::chrono::milliseconds timeout) const {
    std::unique_lock lock(mutex_);
    return changed_cv_.wait_for(lock, timeout, [&] { return requests_.size() >= n; });
}

bool FakeHttpServer::wait_idle(std::chrono::milliseconds timeout) const {
    std::unique_lock lock(mutex_);
    return changed_cv_.wait_for(lock, timeout, [&] { return in_flight_ == 0; });
}

void FakeHttpServer::stop() {
    {
        std::lock_guard lock(mutex_);
        if (stopped_) return;
        stopped_ = true;
    }
    const std::uint64_t one = 1;
    [[maybe_unused]] const auto n = ::write(stop_fd_, &one, sizeof one);
    if (acceptor_.joinable()) acceptor_.join();
    {
        std::lock_guard lock(mutex_);
        for (auto& c : connections_) {
            if (c->fd >= 0) ::shutdown(c->fd, SHUT_RDWR);  // unblocks a send() to a client that never reads
        }
    }
    for (auto& c : connections_) {  // no new ones: the acceptor is gone
        if (c->thread.joinable()) c->thread.join();
    }
    ::close(listen_fd_);
    ::close(stop_fd_);
    listen_fd_ = -1;
    stop_fd_ = -1;
}

void FakeHttpServer::accept_loop() {
    for (;;) {
        pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {stop_fd_, POLLIN, 0}};
        const int n = ::poll(fds, 2, -1);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 || fds[1].revents != 0) return;
        const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (fd < 0) continue;
        std::lock_guard lock(mutex_);
        auto c = std::make_unique<Connection>();
        c->fd = fd;
        c->id = connections_.size() + 1;
        c->thread = std::thread([this, fd, id = c->id] { serve(fd, id); });
        connections_.push_back(std::move(c));
    }
}

void FakeHttpServer::record(FakeRequest& request) {
    {
        std::lock_guard lock(mutex_);
        request.index = requests_.size();
        requests_.push_back(request);
        ++in_flight_;
        peak_in_flight_ = std::max(peak_in_flight_, in_flight_);
    }
    changed_cv_.notify_all();
}

void FakeHttpServer::on_prefix(std::string prefix, Handler handler) {
    std::lock_guard lock(mutex_);
    prefix_routes_[std::move(prefix)] = std::move(handler);
}

void FakeHttpServer::set_interceptor(Interceptor interceptor) {
    std::lock_guard lock(mutex_);
    interceptor_ = std::move(interceptor);
}

FakeResponse FakeHttpServer::dispatch(const FakeRequest& request) {
    Handler handler;
    Interceptor interceptor;
    {
        std::lock_guard lock(mutex_);
        auto it = routes_.find(request.method + " " + request.path);
        if (it == routes_.end()) it = routes_.find("* " + request.path);
        if (it != routes_.end()) {
            handler = it->second;
        } else {
            std::size_t longest = 0;
            for (const auto& [prefix, h] : prefix_routes_) {
                if (request.path.compare(0, prefix.size(), prefix) == 0 && prefix.size() >= longest) {
                    longest = prefix.size();
                    handler = h;
                }
            }
        }
        interceptor = interceptor_;
    }
    try {
        if (interceptor) {
            if (std::optional<FakeResponse> instead = interceptor(request, nullptr)) return std::move(*instead);
        }
        FakeResponse response =
            handler ? handler(request) : FakeResponse::text(404, "no handler for " + request.path);
        if (interceptor) {
            if (std::optional<FakeResponse> instead = interceptor(request, &response)) return std::move(*instead);
        }
        return response;
    } catch (const std::exception& e) {
        return FakeResponse::text(500, std::string("handler threw: ") + e.what());
    }
}

void FakeHttpServer::serve(int fd, std::uint64_t id) {
    std::string buf;
    for (;;) {
        // Request head.
        std::size_t head_end;
        bool ok = true;
        while ((head_end = buf.find(kHeadEnd)) == std::string::npos) {
            if (buf.size() > kMaxHeadBytes || !read_more(fd, stop_fd_, buf)) {
                ok = false;
                break;
            }
            if (std::isupper(static_cast<unsigned char>(buf.front())) == 0) {
                // Not HTTP (e.g. a TLS ClientHello): answer like a plain server would, and close.
                send_all(fd, "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
                ok = false;
                break;
            }
        }
        if (!ok) break;
        const std::string head = buf.substr(0, head_end);
        buf.erase(0, head_end + kHeadEnd.size());

        FakeRequest req;
        req.connection = id;
        std::string_view rest = head;
        const auto line_end = rest.find("\r\n");
        const std::string_view request_line = rest.substr(0, line_end);
        rest = line_end == std::string_view::npos ? std::string_view{} : rest.substr(line_end + 2);
        const auto sp1 = request_line.find(' ');
        const auto sp2 = request_line.rfind(' ');
        if (sp1 == std::string_view::npos || sp2 == sp1) break;
        req.method = std::string(request_line.substr(0, sp1));
        req.target = std::string(request_line.substr(sp1 + 1, sp2 - sp1 - 1));
        const auto q = req.target.find('?');
        req.path = req.target.substr(0, q);
        req.query = q == std::string::npos ? std::string() : req.target.substr(q + 1);
        while (!rest.empty()) {
            const auto end = rest.find("\r\n");
            const std::string_view line = rest.substr(0, end);
            rest = end == std::string_view::npos ? std::string_view{} : rest.substr(end + 2);
            const auto colon = line.find(':');
            if (colon == std::string_view::npos) continue;
            req.headers.emplace_back(lower(trim(line.substr(0, colon))), std::string(trim(line.substr(colon + 1))));
        }

        // Body.
        if (const auto* expect = req.header("expect"); expect != nullptr && lower(*expect) == "100-continue") {
            if (!send_all(fd, "HTTP/1.1 100 Continue\r\n\r\n")) break;
        }
        const auto* te = req.header("transfer-encoding");
        if (te != nullptr && lower(*te).find("chunked") != std::string::npos) {
            if (!read_chunked(fd, stop_fd_, buf, req.body)) break;
        } else if (const auto* cl = req.header("content-length")) {
            std::size_t length = 0;
            try {
                length = std::stoul(*cl);
            } catch (...) {
                break;
            }
            if (!read_exact(fd, stop_fd_, buf, length, req.body)) break;
        }
        req.arrived = TestClock::now();
        record(req);

        // Answer.
        const FakeResponse resp = dispatch(req);
        const auto* conn = req.header("connection");
        const bool client_closes = conn != nullptr && lower(*conn) == "close";
        bool alive = true;  // the connection can still carry an answer
        if (resp.delay.count() > 0 && wait_on(fd, stop_fd_, resp.delay) != WaitEnd::elapsed) alive = false;
        if (alive && resp.hang) {
            wait_on(fd, stop_fd_, std::chrono::milliseconds(-1));
            alive = false;
        }
        const bool keep_after = !resp.close && !client_closes;
        if (alive) {
            std::string out = "HTTP/1.1 " + std::to_string(resp.status) + " " + reason_for(resp.status) + "\r\n";
            bool has_length = false;
            for (const auto& [name, value] : resp.headers) {
                has_length = has_length || lower(name) == "content-length";
                out += name + ": " + value + "\r\n";
            }
            std::size_t body_size = resp.body.size();
            if (!resp.pieces.empty()) {
                body_size = 0;
                for (const auto& p : resp.pieces) body_size += p.size();
            }
            if (!has_length) out += "Content-Length: " + std::to_string(body_size) + "\r\n";
            if (!keep_after) out += "Connection: close\r\n";
            out += "\r\n";
            const bool head_only = req.method == "HEAD";
            if (resp.pieces.empty() || head_only) {
                if (!head_only) out += resp.body;
                alive = send_all(fd, out);
            } else {
                alive = send_all(fd, out);
                for (std::size_t i = 0; alive && i < resp.pieces.size(); ++i) {
                    if (i > 0 && wait_on(fd, stop_fd_, resp.piece_interval) != WaitEnd::elapsed) alive = false;
                    if (alive) alive = send_all(fd, resp.pieces[i]);
                }
            }
        }
        const bool keep = alive && keep_after;
        {
            std::lock_guard lock(mutex_);
            --in_flight_;
        }
        changed_cv_.notify_all();
        if (!keep) break;
    }
    std::lock_guard lock(mutex_);
    for (auto& c : connections_) {
        if (c->id == id) {
            ::close(c->fd);
            c->fd = -1;
        }
    }
}

}  // namespace pmx::test
