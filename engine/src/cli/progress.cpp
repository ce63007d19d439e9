// Progress of long work on a terminal or in a log.
#include "cli/progress.hpp"

#include <iostream>

#include <unistd.h>

#include <algorithm>
#include <cmath>

namespace pmx::cli {
namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kTtyRedraw = std::chrono::milliseconds(100);
constexpr auto kPlainInterval = std::chrono::seconds(5);
constexpr int kBarWidth = 30;
constexpr int kQuarters = 4;

}  // namespace

std::string format_clock(double seconds) {
    const auto total = static_cast<long>(std::max(0.0, std::round(seconds)));
    char text[32];
    if (total >= 3600) {
        std::snprintf(text, sizeof text, "%ld:%02ld:%02ld", total / 3600, (total / 60) % 60, total % 60);
    } else {
        std::snprintf(text, sizeof text, "%ld:%02ld", total / 60, total % 60);
    }
    return text;
}

Progress::Progress(std::string label, std::FILE* out)
    : label_(std::move(label)), out_(out), tty_(isatty(fileno(out)) != 0), started_(Clock::now()), last_draw_() {}

Progress::~Progress() {
    if (!finished_ && tty_ && updated_) std::fputc('\n', out_);
}

void Progress::update(uint64_t done, uint64_t total) {
    updated_ = true;
    done_ = done;
    total_ = total;
    const auto now = Clock::now();
    if (tty_) {
        if (now - last_draw_ < kTtyRedraw) return;
    } else {
        const int quarter = total ? static_cast<int>(done * kQuarters / total) : 0;
        const bool new_quarter = quarter > last_quarter_ && quarter < kQuarters;
        if (!new_quarter && now - last_draw_ < kPlainInterval) return;
        last_quarter_ = std::max(last_quarter_, quarter);
    }
    last_draw_ = now;
    draw(false);
}

void Progress::finish(const std::string& summary) {
    if (finished_) return;
    finished_ = true;
    if (!updated_) return;
    draw(true);
    if (!summary.empty()) std::fprintf(out_, "%s\n", summary.c_str());
    std::fflush(out_);
}

void Progress::draw(bool final) {
    // What the command printed to stdout so far goes first, so that the two streams read in
    // order when both go to one terminal or file.
    std::cout.flush();
    const double elapsed = std::chrono::duration<double>(Clock::now() - started_).count();
    std::string eta;
    if (!final && total_ && done_ && done_ < total_) {
        eta = "  ETA " + format_clock(elapsed * static_cast<double>(total_ - done_) / static_cast<double>(done_));
    }
    const std::string counts = total_ ? std::to_string(done_) + "/" + std::to_string(total_) : std::to_string(done_);
    if (tty_) {
        std::string bar;
        if (total_) {
            const auto filled = static_cast<int>(kBarWidth * std::min(done_, total_) / total_);
            bar = "[" + std::string(static_cast<size_t>(filled), '#') + std::string(static_cast<size_t>(kBarWidth - filled), '.') + "] ";
        }
        std::fprintf(out_, "\r\033[K%s%s %s  %s%s", bar.c_str(), counts.c_str(), label_.c_str(),
                     format_clock(elapsed).c_str(), eta.c_str());
        if (final) std::fputc('\n', out_);
    } else {
        const std::string percent = total_ ? " (" + std::to_string(done_ * 100 / total_) + "%)" : "";
        std::fprintf(out_, "%s %s%s, %s elapsed%s\n", counts.c_str(), label_.c_str(), percent.c_str(),
                     format_clock(elapsed).c_str(), eta.c_str());
    }
    std::fflush(out_);
}

}  // namespace pmx::cli
