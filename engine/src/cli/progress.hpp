// Progress of long work: a redrawn bar with counts and ETA on a terminal, plain lines otherwise.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>

namespace pmx::cli {

class Progress {
public:
    // `label` names what is counted ("tracks"); output goes to `out` (stderr by default).
    explicit Progress(std::string label, std::FILE* out = stderr);
    ~Progress();
    Progress(const Progress&) = delete;
    Progress& operator=(const Progress&) = delete;

    // Reports `done` of `total` (0 = unknown). Cheap to call often: it redraws at most every
    // 100 ms on a terminal and prints a plain line at most every 5 s (and at 25/50/75%)
    // otherwise.
    void update(uint64_t done, uint64_t total);
    // Ends the bar (a final line with the elapsed time), when update() was called: work that
    // failed before it counted anything leaves no "0 tracks" line.
    void finish(const std::string& summary = "");

private:
    void draw(bool final);

    std::string label_;
    std::FILE* out_;
    bool tty_;
    bool finished_ = false;
    bool updated_ = false;
    uint64_t done_ = 0, total_ = 0;
    std::chrono::steady_clock::time_point started_, last_draw_;
    int last_quarter_ = 0;
};

// "1:05" / "1:02:03" for a duration in seconds.
std::string format_clock(double seconds);

}  // namespace pmx::cli
