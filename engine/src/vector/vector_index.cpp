// The vector index. Rows live in inverted lists: one list while the index is exact, one per
// k-means centroid once it is approximate (IVF). Each row is kept twice: as float32 (the exact
// score) and as int8 with a per-row scale (what is scanned: a quarter of the memory traffic);
// both are saved. A scan keeps every row whose int8 score, widened by a proven error bound,
// could still reach the top k, then re-scores those rows in float32; the result is therefore
// the exact float32 top k of the rows scanned. FAISS only trains and assigns lists.
// A loaded index is searched in place in its mapped file (index_file.hpp), so a start costs no
// read, no decode and no hash table; the first change copies it into memory.
#include "vector/vector_index.hpp"

#include "vector/index_file.hpp"
#include "vector/ivf_train.hpp"
#include "vector/kernels.hpp"
#include "vector/top_k.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <stdexcept>
#include <unordered_map>

namespace pmx::vec {
namespace {

constexpr size_t kScanBlock = 256;          // rows per int8 kernel call (scores stay in L1)
constexpr int32_t kCodeMax = 127;           // int8 codes are in [−127, 127]
constexpr size_t kMinPointsPerList = 39;    // FAISS's minimum training points per centroid
constexpr size_t kTrainPointsPerList = 50;  // training sample per list (FAISS wants ≥ 39)
constexpr size_t kRetrainGrowth = 4;        // retrain lists when the index has grown 4×
constexpr size_t kBatchAssignAbove = 64;    // larger upserts assign lists through BLAS
constexpr size_t kAssignChunk = 16384;      // rows per BLAS assignment call
constexpr uint32_t kTrainSeed = 20240601;
constexpr double kListsPerSqrtRow = 1.0;    // automatic list count: √n
constexpr size_t kAutoProbeMin = 16;        // automatic probe: max(16, lists / 16)
constexpr size_t kAutoProbeDivisor = 16;

struct Slot {
    uint32_t list = 0;
    uint32_t pos = 0;
};

// One inverted list; every vector has size() × (1, dim, dim, 1) entries.
struct List {
    std::vector<int64_t> ids;
    std::vector<float> rows;    // float32, row-major
    std::vector<int8_t> codes;  // int8, row-major: row ≈ scale · codes
    std::vector<float> scales;
    size_t size() const { return ids.size(); }
};

// The rows of one list as a search reads them: from a List or from the mapped file.
struct ListRef {
    const int64_t* ids = nullptr;
    const float* rows = nullptr;     // size × dim
    const int8_t* codes = nullptr;   // size × dim
    const float* scales = nullptr;   // size
    size_t size = 0;
};

ListRef ref_of(const List& list) {
    return {list.ids.data(), list.rows.data(), list.codes.data(), list.scales.data(), list.size()};
}

constexpr uint32_t kFloatsOnlyFormat = 1;  // index files that hold no codes (quantized on load)

// row ≈ scale · codes with |row − scale·codes| ≤ scale/2 per coordinate (plus float rounding,
// which the search's slack covers).
void quantize(const float* row, uint32_t dim, int8_t* codes, float* scale) {
    float largest = 0;
    for (uint32_t j = 0; j < dim; ++j) largest = std::max(largest, std::abs(row[j]));
    if (largest == 0) {
        std::fill(codes, codes + dim, int8_t{0});
        *scale = 0;
        return;
    }
    const float inverse = static_cast<float>(kCodeMax) / largest;
    for (uint32_t j = 0; j < dim; ++j) {
        const long code = std::lrint(row[j] * inverse);
        codes[j] = static_cast<int8_t>(std::clamp<long>(code, -kCodeMax, kCodeMax));
    }
    *scale = largest / static_cast<float>(kCodeMax);
}

bool all_finite(std::span<const float> values) {
    return std::all_of(values.begin(), values.end(), [](float x) { return std::isfinite(x); });
}

// The int16 form of a query and the error bound of int8 scores computed with it.
//
// With row x ≈ s·c (|x − s·c|∞ ≤ s/2) and query q ≈ t·p (|q − t·p|∞ ≤ t/2), the scanned score
// a = s·t·(p·c) (an exact integer dot product, scaled) satisfies
//   |q·x − a| ≤ |q·(x − s·c)| + s·|(q − t·p)·c| ≤ s · (‖q‖₁/2 + (t/2)·127·dim) = s · error.
struct QueryCodes {
    std::vector<int16_t> codes;
    float step = 0;   // t
    float error = 0;  // per unit of row scale
    float slack = 0;  // float rounding of the scaled score and of the float32 re-score
};

QueryCodes encode_query(std::span<const float> query) {
    const size_t dim = query.size();
    QueryCodes out;
    out.codes.assign(dim, 0);
    float largest = 0;
    double l1 = 0;
    for (float x : query) {
        largest = std::max(largest, std::abs(x));
        l1 += std::abs(x);
    }
    const int32_t code_max = kernel::max_query_code(dim);
    if (largest > 0) {
        out.step = largest / static_cast<float>(code_max);
        const float inverse = static_cast<float>(code_max) / largest;
        for (size_t j = 0; j < dim; ++j) {
            const long code = std::lrint(query[j] * inverse);
            out.codes[j] = static_cast<int16_t>(std::clamp<long>(code, -code_max, code_max));
        }
    }
    // 1% on top of the bound covers the rounding inside quantize() and encode_query().
    const double bound = l1 / 2 + double{out.step} / 2 * kCodeMax * static_cast<double>(dim);
    out.error = static_cast<float>(bound * 1.01);
    // float32 dot products of unit vectors: at most dim·ε·‖q‖·‖x‖ off, on either side.
    out.slack = static_cast<float>(2.0 * static_cast<double>(dim) * 1.2e-7 * std::max(1.0, l1)) + 1e-6f;
    return out;
}

// One search: int8 scores with bounds first, float32 re-scoring of the survivors last.
class Scan {
public:
    Scan(std::span<const float> query, size_t k, uint32_t dim)
        : query_(query), codes_(encode_query(query)), dim_(dim), lower_(k), exact_k_(k) {}

    void rows(const ListRef& list, size_t begin, size_t count) {
        int32_t dots[kScanBlock];
        for (size_t done = 0; done < count; done += kScanBlock) {
            const size_t n = std::min(kScanBlock, count - done);
            const size_t first = begin + done;
            kernel::dot_rows_i8(codes_.codes.data(), list.codes + first * dim_, n, dim_, dots);
            // Most rows fail against the block's starting threshold (which only rises, so using
            // it for the whole block is safe); only the rest pay for consider().
            const float threshold = lower_.threshold();
            const float* scales = list.scales + first;
            for (size_t i = 0; i < n; ++i) {
                const float upper = scales[i] * (codes_.step * static_cast<float>(dots[i]) + codes_.error) + codes_.slack;
                if (upper >= threshold) consider(list, first + i, dots[i]);
            }
        }
        scanned_ += count;
    }

    // Scattered rows: their memory latency, not bandwidth, is the cost, so the codes of the
    // row kPrefetchAhead positions on are requested while this one is scored.
    void positions(const ListRef& list, std::span<const uint32_t> positions) {
        constexpr size_t kPrefetchAhead = 6;
        constexpr size_t kLine = 64;
        for (size_t i = 0; i < positions.size(); ++i) {
            if (i + kPrefetchAhead < positions.size()) {
                const int8_t* ahead = list.codes + size_t{positions[i + kPrefetchAhead]} * dim_;
                for (size_t offset = 0; offset < dim_; offset += kLine) __builtin_prefetch(ahead + offset);
            }
            const uint32_t pos = positions[i];
            int32_t dot = 0;
            kernel::dot_rows_i8(codes_.codes.data(), list.codes + size_t{pos} * dim_, 1, dim_, &dot);
            consider(list, pos, dot);
        }
        scanned_ += positions.size();
    }

    size_t scanned() const { return scanned_; }

    std::vector<Hit> finish() {
        const float threshold = lower_.threshold();
        TopK exact(exact_k_);
        for (const Pending& p : pending_) {
            if (p.upper < threshold) continue;
            const float score = kernel::dot(query_.data(), p.row, dim_);
            if (std::isfinite(score)) exact.push(p.id, score);  // a damaged mapped row is passed over
        }
        return exact.take();
    }

private:
    struct Pending {
        const float* row;
        int64_t id;
        float upper;
    };

    void consider(const ListRef& list, size_t pos, int32_t dot) {
        const float scale = list.scales[pos];
        const float score = scale * codes_.step * static_cast<float>(dot);
        const float error = scale * codes_.error + codes_.slack;
        const float upper = score + error;
        // k rows are already surely better (or a damaged mapped scale is not a number)
        if (!std::isfinite(upper) || upper < lower_.threshold()) return;
        const int64_t id = list.ids[pos];
        lower_.push(id, score - error);
        pending_.push_back({list.rows + pos * dim_, id, upper});
        if (pending_.size() >= compact_at_) compact();
    }

    void compact() {
        const float threshold = lower_.threshold();
        std::erase_if(pending_, [&](const Pending& p) { return p.upper < threshold; });
        compact_at_ = std::max<size_t>(2 * pending_.size(), kInitialCompact);
    }

    static constexpr size_t kInitialCompact = 4096;
    std::span<const float> query_;
    QueryCodes codes_;
    uint32_t dim_;
    TopK lower_;  // the k best lower bounds: its threshold only rises
    size_t exact_k_;
    std::vector<Pending> pending_;
    size_t compact_at_ = kInitialCompact;
    size_t scanned_ = 0;
};

class ListIndex final : public VectorIndex {
public:
    ListIndex(uint32_t dim, const IndexOptions& options) : dim_(dim), options_(options), lists_(1) {
        if (dim == 0) throw std::invalid_argument("vector index: dimension must be positive");
    }

    // From an opened file: one with codes is searched in place (mapped) until its first change;
    // one of the floats-only format is quantized here, as before. Throws std::runtime_error when
    // the contents are inconsistent.
    ListIndex(std::unique_ptr<IndexFile> file, const IndexOptions& options)
        : dim_(file->dim()), options_(options), stamp_(file->stamp()) {
        if (file->version() != kFloatsOnlyFormat) {
            file_ = std::move(file);
            trained_at_ = size();
            return;
        }
        outdated_file_ = true;
        centroids_.assign(file->centroids().begin(), file->centroids().end());
        const std::span<const uint64_t> ends = file->list_ends();
        lists_.resize(ends.size());
        for (size_t l = 0; l < ends.size(); ++l) {
            const size_t begin = l == 0 ? 0 : ends[l - 1];
            List& list = lists_[l];
            list.ids.assign(file->ids().begin() + static_cast<ptrdiff_t>(begin),
                            file->ids().begin() + static_cast<ptrdiff_t>(ends[l]));
            const std::span<const float> rows = file->vectors().subspan(begin * dim_, list.size() * dim_);
            if (!all_finite(rows)) throw std::runtime_error("a stored vector is not finite");
            list.rows.assign(rows.begin(), rows.end());
            list.codes.resize(list.rows.size());
            list.scales.resize(list.size());
            for (size_t i = 0; i < list.size(); ++i) {
                quantize(list.rows.data() + i * dim_, dim_, list.codes.data() + i * dim_, &list.scales[i]);
                if (!slots_.emplace(list.ids[i], Slot{static_cast<uint32_t>(l), static_cast<uint32_t>(i)}).second)
                    throw std::runtime_error("id " + std::to_string(list.ids[i]) + " is stored twice");
            }
        }
        trained_at_ = size();
    }

    void save(const std::filesystem::path& file) const override {
        IndexView view;
        view.dim = dim_;
        view.stamp = stamp_;
        view.centroids = centroids();
        for (size_t l = 0; l < list_total(); ++l) {
            const ListRef list = list_ref(l);
            view.lists.push_back({{list.ids, list.size},
                                  {list.rows, list.size * dim_},
                                  {list.codes, list.size * dim_},
                                  {list.scales, list.size}});
        }
        write_index_file(file, view);
    }

    uint32_t dim() const override { return dim_; }
    size_t size() const override { return file_ ? file_->rows() : slots_.size(); }
    bool approximate() const override { return !centroids().empty(); }
    bool mapped() const override { return file_ != nullptr; }
    bool outdated_file() const override { return outdated_file_; }
    bool verify(std::string* problem) const override { return !file_ || file_->verify(problem); }
    const std::string& stamp() const override { return stamp_; }
    void set_stamp(std::string stamp) override { stamp_ = std::move(stamp); }

    void upsert(std::span<const int64_t> ids, std::span<const float> vectors) override {
        if (vectors.size() != ids.size() * dim_)
            throw std::invalid_argument("vector index: upsert of " + std::to_string(ids.size()) +
                                        " ids needs " + std::to_string(ids.size() * dim_) +
                                        " floats, got " + std::to_string(vectors.size()));
        if (!all_finite(vectors)) throw std::invalid_argument("vector index: upsert of a non-finite vector");
        own();
        const std::vector<int64_t> labels = assign_lists(vectors.data(), ids.size());
        for (size_t i = 0; i < ids.size(); ++i) {
            const float* row = vectors.data() + i * dim_;
            const uint32_t list = static_cast<uint32_t>(labels.empty() ? 0 : labels[i]);
            auto found = slots_.find(ids[i]);
            if (found != slots_.end() && found->second.list == list) {
                overwrite(found->second, row);
                continue;
            }
            if (found != slots_.end()) erase(found);
            append(list, ids[i], row);
        }
        adapt_mode();
    }

    size_t remove(std::span<const int64_t> ids) override {
        own();
        size_t removed = 0;
        for (int64_t id : ids) {
            auto found = slots_.find(id);
            if (found == slots_.end()) continue;
            erase(found);
            ++removed;
        }
        adapt_mode();
        return removed;
    }

    bool contains(int64_t id) const override {
        if (!file_) return slots_.contains(id);
        return std::binary_search(file_->sorted_ids().begin(), file_->sorted_ids().end(), id);
    }

    std::vector<int64_t> ids() const override {
        if (file_) return {file_->sorted_ids().begin(), file_->sorted_ids().end()};
        std::vector<int64_t> out;
        out.reserve(slots_.size());
        for (const auto& entry : slots_) out.push_back(entry.first);
        std::sort(out.begin(), out.end());
        return out;
    }

    std::vector<Hit> search(std::span<const float> query, size_t k,
                            const std::vector<int64_t>* candidates) const override {
        if (query.size() != dim_)
            throw std::invalid_argument("vector index: query has " + std::to_string(query.size()) +
                                        " floats, the index " + std::to_string(dim_));
        if (!all_finite(query)) throw std::invalid_argument("vector index: non-finite query");
        if (k == 0 || size() == 0) return {};
        Scan scan(query, k, dim_);
        if (candidates)
            search_candidates(scan, query, k, *candidates);
        else if (!approximate())
            scan.rows(list_ref(0), 0, list_ref(0).size);
        else
            search_lists(scan, query, k);
        return scan.finish();
    }

private:
    // ---- search --------------------------------------------------------------------------

    size_t probe_count() const {
        if (options_.probe > 0) return options_.probe;
        return std::max(kAutoProbeMin, list_total() / kAutoProbeDivisor);
    }

    // Lists by decreasing centroid score.
    std::vector<uint32_t> probe_order(std::span<const float> query) const {
        std::vector<float> scores(list_total());
        kernel::dot_rows(query.data(), centroids().data(), list_total(), dim_, scores.data());
        std::vector<uint32_t> order(list_total());
        std::iota(order.begin(), order.end(), 0u);
        std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
            return scores[a] > scores[b] || (scores[a] == scores[b] && a < b);
        });
        return order;
    }

    // The nearest lists; more than probe_count() when those hold fewer than k rows.
    void search_lists(Scan& scan, std::span<const float> query, size_t k) const {
        size_t probed = 0;
        for (uint32_t l : probe_order(query)) {
            const ListRef list = list_ref(l);
            scan.rows(list, 0, list.size);
            if (++probed >= probe_count() && scan.scanned() >= k) break;
        }
    }

    void search_candidates(Scan& scan, std::span<const float> query, size_t k,
                           const std::vector<int64_t>& candidates) const {
        size_t present = 0;
        const std::vector<std::vector<uint32_t>> by_list =
            file_ ? mapped_positions(candidates, &present) : owned_positions(candidates, &present);
        if (!approximate() || present <= options_.exact_candidates_below) {
            for (size_t l = 0; l < list_total(); ++l) scan.positions(list_ref(l), by_list[l]);
            return;
        }
        // Many candidates: probe as usual, but keep going until k candidates were scored, so a
        // filter never leaves fewer than k hits when k exist.
        size_t probed = 0;
        for (uint32_t l : probe_order(query)) {
            scan.positions(list_ref(l), by_list[l]);
            if (++probed >= probe_count() && scan.scanned() >= k) break;
        }
    }

    // The candidates' positions per list, ascending and without repeats (a candidate may be
    // listed twice); *present counts them.
    std::vector<std::vector<uint32_t>> owned_positions(const std::vector<int64_t>& candidates, size_t* present) const {
        std::vector<std::vector<uint32_t>> by_list(lists_.size());
        for (int64_t id : candidates) {
            auto found = slots_.find(id);
            if (found == slots_.end()) continue;
            by_list[found->second.list].push_back(found->second.pos);
        }
        for (auto& positions : by_list) {
            std::sort(positions.begin(), positions.end());
            positions.erase(std::unique(positions.begin(), positions.end()), positions.end());
            *present += positions.size();
        }
        return by_list;
    }

    // The same from the file's id table: the candidates (ascending, as filters give them, or
    // sorted here) are merged with the ascending ids, their rows marked in a bitmap, and the
    // bitmap read in row order, which is list order.
    std::vector<std::vector<uint32_t>> mapped_positions(const std::vector<int64_t>& candidates, size_t* present) const {
        constexpr size_t kWordBits = 64;
        const std::span<const int64_t> table = file_->sorted_ids();
        const std::span<const uint32_t> table_rows = file_->sorted_rows();
        std::vector<int64_t> sorted;
        std::span<const int64_t> wanted = candidates;
        if (!std::is_sorted(candidates.begin(), candidates.end())) {
            sorted = candidates;
            std::sort(sorted.begin(), sorted.end());
            wanted = sorted;
        }
        std::vector<uint64_t> marked((table.size() + kWordBits - 1) / kWordBits, 0);
        size_t at = 0;
        for (const int64_t id : wanted) {
            while (at < table.size() && table[at] < id) ++at;
            if (at == table.size()) break;
            if (table[at] != id) continue;
            const uint32_t row = table_rows[at];
            marked[row / kWordBits] |= uint64_t{1} << (row % kWordBits);
        }
        const std::span<const uint64_t> ends = file_->list_ends();
        std::vector<std::vector<uint32_t>> by_list(ends.size());
        size_t list = 0;
        for (size_t word = 0; word < marked.size(); ++word) {
            for (uint64_t bits = marked[word]; bits != 0; bits &= bits - 1) {
                const size_t row = word * kWordBits + static_cast<size_t>(__builtin_ctzll(bits));
                while (row >= ends[list]) ++list;  // rows are below ends.back() == table.size()
                by_list[list].push_back(static_cast<uint32_t>(row - (list == 0 ? 0 : ends[list - 1])));
                ++*present;
            }
        }
        return by_list;
    }

    // ---- storage -------------------------------------------------------------------------

    size_t list_total() const { return file_ ? file_->list_ends().size() : lists_.size(); }

    std::span<const float> centroids() const { return file_ ? file_->centroids() : std::span<const float>(centroids_); }

    ListRef list_ref(size_t l) const {
        if (!file_) return ref_of(lists_[l]);
        const std::span<const uint64_t> ends = file_->list_ends();
        const size_t begin = l == 0 ? 0 : ends[l - 1];
        return {file_->ids().data() + begin, file_->vectors().data() + begin * dim_,
                file_->codes().data() + begin * dim_, file_->scales().data() + begin, ends[l] - begin};
    }

    // Copies a mapped index into memory before its first change, and lets the file go.
    void own() {
        if (!file_) return;
        centroids_.assign(file_->centroids().begin(), file_->centroids().end());
        std::vector<List> lists(list_total());
        slots_.reserve(file_->rows());
        for (size_t l = 0; l < lists.size(); ++l) {
            const ListRef from = list_ref(l);
            List& list = lists[l];
            list.ids.assign(from.ids, from.ids + from.size);
            list.rows.assign(from.rows, from.rows + from.size * dim_);
            list.codes.assign(from.codes, from.codes + from.size * dim_);
            list.scales.assign(from.scales, from.scales + from.size);
            for (size_t i = 0; i < list.size(); ++i)
                slots_.emplace(list.ids[i], Slot{static_cast<uint32_t>(l), static_cast<uint32_t>(i)});
        }
        lists_ = std::move(lists);
        file_.reset();
    }

    // ---- rows ----------------------------------------------------------------------------

    void append(uint32_t l, int64_t id, const float* row) {
        List& list = lists_[l];
        const size_t pos = list.size();
        list.ids.push_back(id);
        list.rows.insert(list.rows.end(), row, row + dim_);
        list.codes.resize(list.codes.size() + dim_);
        list.scales.push_back(0);
        quantize(row, dim_, list.codes.data() + pos * dim_, &list.scales[pos]);
        slots_[id] = Slot{l, static_cast<uint32_t>(pos)};
    }

    void overwrite(Slot slot, const float* row) {
        List& list = lists_[slot.list];
        std::copy(row, row + dim_, list.rows.begin() + static_cast<ptrdiff_t>(size_t{slot.pos} * dim_));
        quantize(row, dim_, list.codes.data() + size_t{slot.pos} * dim_, &list.scales[slot.pos]);
    }

    // Removes a row by moving its list's last row into its place.
    void erase(std::unordered_map<int64_t, Slot>::iterator found) {
        const Slot slot = found->second;
        slots_.erase(found);
        List& list = lists_[slot.list];
        const size_t at = slot.pos;
        const size_t last = list.size() - 1;
        if (at != last) {
            list.ids[at] = list.ids[last];
            std::copy_n(list.rows.begin() + static_cast<ptrdiff_t>(last * dim_), dim_,
                        list.rows.begin() + static_cast<ptrdiff_t>(at * dim_));
            std::copy_n(list.codes.begin() + static_cast<ptrdiff_t>(last * dim_), dim_,
                        list.codes.begin() + static_cast<ptrdiff_t>(at * dim_));
            list.scales[at] = list.scales[last];
            slots_[list.ids[at]] = slot;
        }
        list.ids.pop_back();
        list.rows.resize(last * dim_);
        list.codes.resize(last * dim_);
        list.scales.pop_back();
    }

    // The list of each new row (empty while exact).
    std::vector<int64_t> assign_lists(const float* rows, size_t n) const {
        if (!approximate() || n == 0) return {};
        std::vector<int64_t> labels(n);
        if (n > kBatchAssignAbove) {
            for (size_t begin = 0; begin < n; begin += kAssignChunk)
                ivf::assign(centroids_, dim_, rows + begin * dim_, std::min(kAssignChunk, n - begin),
                            labels.data() + begin);
            return labels;
        }
        std::vector<float> scores(lists_.size());
        for (size_t i = 0; i < n; ++i) {
            kernel::dot_rows(rows + i * dim_, centroids_.data(), lists_.size(), dim_, scores.data());
            labels[i] = std::max_element(scores.begin(), scores.end()) - scores.begin();
        }
        return labels;
    }

    // ---- mode ----------------------------------------------------------------------------

    size_t list_count(size_t n) const {
        const auto automatic = static_cast<size_t>(std::lround(kListsPerSqrtRow * std::sqrt(static_cast<double>(n))));
        const size_t wanted = options_.lists > 0 ? options_.lists : automatic;
        return std::max<size_t>(1, std::min(wanted, n / kMinPointsPerList));
    }

    // Exact below the threshold, IVF at or above it; back to exact only under half of it, so an
    // index at the threshold does not switch at every sync. Lists are retrained when the index
    // has grown kRetrainGrowth times since they were trained.
    void adapt_mode() {
        const size_t n = size();
        const size_t threshold = std::max<size_t>(options_.approximate_above, 2 * kMinPointsPerList);
        if (!approximate() && n >= threshold)
            build_lists();
        else if (approximate() && n < threshold / 2)
            merge_lists();
        else if (approximate() && n >= kRetrainGrowth * trained_at_)
            build_lists();
    }

    // All rows into one list (the exact layout). Lists are freed as they are merged.
    void merge_lists() {
        if (lists_.size() != 1) {
            List all;
            all.ids.reserve(size());
            all.rows.reserve(size() * dim_);
            all.codes.reserve(size() * dim_);
            all.scales.reserve(size());
            for (List& list : lists_) {
                all.ids.insert(all.ids.end(), list.ids.begin(), list.ids.end());
                all.rows.insert(all.rows.end(), list.rows.begin(), list.rows.end());
                all.codes.insert(all.codes.end(), list.codes.begin(), list.codes.end());
                all.scales.insert(all.scales.end(), list.scales.begin(), list.scales.end());
                list = List{};
            }
            lists_.clear();
            lists_.push_back(std::move(all));
        }
        centroids_.clear();
        centroids_.shrink_to_fit();
        trained_at_ = 0;
        for (size_t i = 0; i < lists_[0].size(); ++i) slots_[lists_[0].ids[i]] = Slot{0, static_cast<uint32_t>(i)};
    }

    // k-means on a sample, then every row to its nearest centroid's list.
    void build_lists() {
        merge_lists();
        List all = std::move(lists_[0]);
        const size_t n = all.size();
        const size_t lists = list_count(n);

        const size_t sample_size = std::min(n, lists * kTrainPointsPerList);
        std::vector<float> sample(sample_size * dim_);
        std::vector<size_t> order(n);
        std::iota(order.begin(), order.end(), size_t{0});
        std::mt19937_64 rng(kTrainSeed);
        for (size_t i = 0; i < sample_size; ++i) {  // partial Fisher–Yates: a uniform sample
            std::uniform_int_distribution<size_t> pick(i, n - 1);
            std::swap(order[i], order[pick(rng)]);
            std::copy_n(all.rows.begin() + static_cast<ptrdiff_t>(order[i] * dim_), dim_,
                        sample.begin() + static_cast<ptrdiff_t>(i * dim_));
        }
        order = {};
        std::vector<float> centroids = ivf::train(sample.data(), sample_size, dim_, lists, kTrainSeed);
        sample = {};

        std::vector<int64_t> labels(n);
        for (size_t begin = 0; begin < n; begin += kAssignChunk)
            ivf::assign(centroids, dim_, all.rows.data() + begin * dim_, std::min(kAssignChunk, n - begin),
                        labels.data() + begin);

        std::vector<size_t> counts(lists, 0);
        for (int64_t label : labels) ++counts[static_cast<size_t>(label)];
        lists_.assign(lists, List{});
        for (size_t l = 0; l < lists; ++l) {
            lists_[l].ids.reserve(counts[l]);
            lists_[l].rows.reserve(counts[l] * dim_);
            lists_[l].codes.reserve(counts[l] * dim_);
            lists_[l].scales.reserve(counts[l]);
        }
        for (size_t i = 0; i < n; ++i) {
            const auto l = static_cast<uint32_t>(labels[i]);
            List& list = lists_[l];
            slots_[all.ids[i]] = Slot{l, static_cast<uint32_t>(list.size())};
            list.ids.push_back(all.ids[i]);
            list.rows.insert(list.rows.end(), all.rows.begin() + static_cast<ptrdiff_t>(i * dim_),
                             all.rows.begin() + static_cast<ptrdiff_t>((i + 1) * dim_));
            list.codes.insert(list.codes.end(), all.codes.begin() + static_cast<ptrdiff_t>(i * dim_),
                              all.codes.begin() + static_cast<ptrdiff_t>((i + 1) * dim_));
            list.scales.push_back(all.scales[i]);
        }
        centroids_ = std::move(centroids);
        trained_at_ = n;
    }

    uint32_t dim_;
    IndexOptions options_;
    std::string stamp_;
    // Mapped: the file holds everything below (searched in place) until own() copies it.
    std::unique_ptr<IndexFile> file_;
    bool outdated_file_ = false;    // loaded from a floats-only file: save() rewrites it
    std::vector<float> centroids_;  // lists_.size() × dim_ floats; empty while exact
    std::vector<List> lists_;       // one while exact
    std::unordered_map<int64_t, Slot> slots_;
    size_t trained_at_ = 0;  // size() when the lists were last trained
};

}  // namespace

std::unique_ptr<VectorIndex> VectorIndex::create(uint32_t dim, const IndexOptions& options) {
    return std::make_unique<ListIndex>(dim, options);
}

std::unique_ptr<VectorIndex> VectorIndex::load(const std::filesystem::path& file, std::string* problem,
                                               const IndexOptions& options) {
    std::string why;
    std::unique_ptr<IndexFile> opened = IndexFile::open(file, &why);
    if (!opened) {
        if (problem) *problem = why;
        return nullptr;
    }
    try {
        return std::make_unique<ListIndex>(std::move(opened), options);
    } catch (const std::exception& e) {
        if (problem) *problem = "vector index " + file.string() + ": " + e.what();
        return nullptr;
    }
}

}  // namespace pmx::vec
