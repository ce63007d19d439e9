// Mirroring one media source into the store: full and incremental sync, verify.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace pmx {

class Provider;
class Store;

struct SyncOptions {
    bool full = false;       // rescan everything (also allows deleting more than half the mirror)
    // Progress: tracks read so far (as SyncReport::read counts them) of `total`. A full sync
    // gives the libraries' size as the server reports it; an incremental one gives 0
    // (unknown): its feeds stop at the last sync's changes, which nobody can count beforehand.
    std::function<void(uint64_t done, uint64_t total)> progress;
};

enum class SyncMode { full, incremental };

struct SyncReport {
    std::string provider;
    std::string server_identity;
    SyncMode mode = SyncMode::full;
    bool ok = false;
    std::string status;  // success, failed, interrupted
    // What the run did (all zero when it failed: the mirror is unchanged). `read` counts the
    // distinct tracks taken from the server: one the added and the updated feed both bring,
    // or one read again at a watermark's timestamp, counts once; read = added + updated +
    // unchanged. `rekeyed` is part of `updated`; `removed` (gone from the server) is apart.
    uint64_t read = 0, added = 0, updated = 0, unchanged = 0, rekeyed = 0, removed = 0;
    // Whether the run walked every key of the server (the keys-only pass that finds deletions).
    // An incremental run does not when the libraries' change stamps and counts say nothing
    // left the server since the last complete sync (see sync_source); a first sync has no
    // mirror to delete from.
    bool keys_walked = false;
    std::chrono::milliseconds elapsed{0};
    std::string error;               // why it failed; the previous mirror is intact then
    std::vector<std::string> notes;  // e.g. "server identity changed"
};

// Runs one sync of `source` (a configured media-source provider named `provider_name`) into
// `store`. One run is one transaction: on any failure, a dying server or Ctrl+C, the mirror
// is left exactly as it was and the run is recorded with its status and error. Incremental
// when an earlier run of the same server succeeded and `options.full` is not set: it reads
// the updated/added feeds newest first and stops at items older than the last successful
// run (passing that run's start as pmx_scan_request.since, for servers that filter by change
// time rather than sort by it), then, for a source whose tracks carry a favourite flag, the
// keys of its whole list of favourites (the mirror's flags are made to agree), and detects
// deletions with a keys-only pass; a pass that would delete more than half of the mirror is
// refused unless `options.full`. The keys-only pass is skipped when every library's change
// stamp and exact count (ABI 1.5) are those the last complete sync heard and the mirror holds
// that many tracks, unless a feed brings a key the mirror lacks: the run then starts over
// (nothing committed yet) and walks the keys.
// A run that cannot learn the server's identity (unreachable, token refused) has no server
// to record a run under: it is recorded for the provider (Store::record_unreached_sync) until
// a run reaches the server. Failures are the report's to show: the log file keeps a record,
// the console says nothing (util/log.hpp, log_to_file).
// `url` is recorded with the server (for `status`); it may be empty.
SyncReport sync_source(Store& store, Provider& source, const std::string& provider_name, const std::string& plugin_id,
                       const std::string& url, const SyncOptions& options);

struct VerifyReport {
    std::string provider;
    uint64_t server_tracks = 0, mirror_tracks = 0;
    std::vector<std::string> missing;  // keys on the server, not in the mirror (first few)
    std::vector<std::string> extra;    // keys in the mirror, not on the server (first few)
    uint64_t missing_count = 0, extra_count = 0;
    std::vector<std::string> problems;  // store integrity: orphans, FTS disagreeing, ...
    std::string error;                  // the check itself could not run
    bool ok() const { return error.empty() && missing_count == 0 && extra_count == 0 && problems.empty(); }
};

// Compares the mirror of `source` with the server: counts and key sets (one keys-only scan),
// plus the store's integrity checks. Changes nothing.
VerifyReport verify_source(Store& store, Provider& source, const std::string& provider_name);

}  // namespace pmx
