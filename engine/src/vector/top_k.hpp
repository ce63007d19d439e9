// Keeps the k best (id, score) pairs seen: higher score first, lower id first on equal scores,
// so results are deterministic whatever order rows are scanned in.
#pragma once

#include "vector/vector_index.hpp"

#include <algorithm>
#include <limits>
#include <vector>

namespace pmx::vec {

inline bool better(const Hit& a, const Hit& b) {
    return a.score > b.score || (a.score == b.score && a.id < b.id);
}

class TopK {
public:
    explicit TopK(size_t k) : k_(k) { heap_.reserve(std::min<size_t>(k, 1 << 16)); }

    size_t k() const { return k_; }
    size_t count() const { return heap_.size(); }
    bool full() const { return heap_.size() >= k_; }
    // The score a new hit must reach to enter (−inf while fewer than k are held).
    float threshold() const {
        return full() && k_ > 0 ? heap_.front().score : -std::numeric_limits<float>::infinity();
    }

    void push(int64_t id, float score) {
        if (k_ == 0) return;
        const Hit hit{id, score};
        if (!full()) {
            heap_.push_back(hit);
            std::push_heap(heap_.begin(), heap_.end(), better);  // front = worst kept
            return;
        }
        if (!better(hit, heap_.front())) return;
        std::pop_heap(heap_.begin(), heap_.end(), better);
        heap_.back() = hit;
        std::push_heap(heap_.begin(), heap_.end(), better);
    }

    // The hits, best first; leaves the selector empty.
    std::vector<Hit> take() {
        std::sort_heap(heap_.begin(), heap_.end(), better);
        return std::move(heap_);
    }

private:
    size_t k_;
    std::vector<Hit> heap_;
};

}  // namespace pmx::vec
