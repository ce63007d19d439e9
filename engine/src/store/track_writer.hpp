// The sync's batch writer: upserts TrackRecords of one server inside an open transaction.
#pragma once

// Speed comes from doing nothing for unchanged tracks: each record is hashed (every mirrored
// field, plus the looks_live rules version), and a row whose stored hash matches is left
// alone — one indexed lookup, no write. A changed row is rewritten in place with
// INSERT ... ON CONFLICT(server_id, native_key) DO UPDATE (never INSERT OR REPLACE, so its id
// and everything hanging off it stay); a new key gets a plain INSERT (the lookup just showed
// it absent, inside the write transaction; the UPSERT form costs twice as much per new row).
// Artist/album rows are resolved through per-writer caches (the album artist by artist_key;
// the track artist, when it is another one, by its name: see store/schema.cpp, v6), genre
// links rewritten only when the genre list changed, statements prepared once per writer. New
// and retitled tracks reach the full-text index in batches, all of them before
// Store::Transaction::commit() returns (see store/schema.cpp); a search inside the
// transaction may not see them yet. A writer that starts on a mirror without any track (a
// first sync) has the transaction drop the secondary indexes of tracks and make them again
// once, at the end (Store::Transaction::bulk_load()).
//
// Re-keying: servers sometimes give an existing item a new native key. A record whose key
// is not in the mirror is matched to an existing row of the same server by its non-empty
// guid, else by its non-empty file path; that row keeps its id and takes the new key
// (outcome rekeyed). A candidate row is never taken when this writer already wrote it, or
// when Options::key_in_source says the source still has the row's current key (pass it
// when a keys-only pass has the server's key set: without it, a new track that shares a
// guid or path with an existing one, seen before that one in the same run, would take it
// over).

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <unordered_set>

#include "model/media.hpp"
#include "store/store.hpp"

namespace pmx {

enum class UpsertOutcome {
    added,      // a new row
    updated,    // the row of that key changed
    unchanged,  // same content hash: nothing written
    rekeyed,    // an existing row (found by guid or file path) took the new key, same id
    rejected,   // invalid record (empty key): nothing written, track_id 0
};

std::string_view to_string(UpsertOutcome outcome);

struct UpsertResult {
    int64_t track_id = 0;
    UpsertOutcome outcome = UpsertOutcome::rejected;
};

class TrackWriter {
public:
    struct Options {
        // True when the source still has an item with this native key (so the row holding
        // it must not be re-keyed). Optional; see above.
        std::function<bool(const std::string& native_key)> key_in_source;
    };

    struct Counts {
        uint64_t added = 0, updated = 0, unchanged = 0, rekeyed = 0, rejected = 0;
    };

    // Binds to `server_id` (which must exist) and to the open transaction `transaction`.
    // The writer must not outlive the transaction's Store; it must not be used after the
    // transaction ended (throws std::logic_error). One writer per server and transaction:
    // rows a second writer wrote would look re-keyable to the first.
    TrackWriter(Store::Transaction& transaction, int64_t server_id, Options options = {});
    ~TrackWriter();
    TrackWriter(const TrackWriter&) = delete;
    TrackWriter& operator=(const TrackWriter&) = delete;

    // Writes one track. Normalisation: empty guid/file path are stored as NULL; a zero
    // track/disc number, duration or added/updated time, and fields whose PMX_TRACK_HAS_*
    // bit is clear, as NULL; a rating outside 0..10 as NULL; genres are de-duplicated
    // (ASCII case-insensitive, first spelling kept), empty names dropped, order kept.
    UpsertResult upsert(const TrackRecord& track);

    // Favourites carry no time (ABI 1.4, PMX_SCAN_ORDER_FAVOURITES): an incremental sync reads
    // the keys of the server's whole list and makes the mirror agree with it. A track of the
    // server whose key is in `favourites` is marked, one marked but missing from it is cleared;
    // keys in `written` (tracks this run wrote, whose records carried their flag) are left
    // alone. A changed track's content hash is forgotten (its next record is written in full).
    // Returns how many tracks changed.
    uint64_t sync_favourites(const std::unordered_set<std::string>& favourites,
                             const std::unordered_set<std::string>& written);

    const Counts& counts() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// The content hash the writer stores for a record (64-bit FNV-1a over every mirrored field,
// length-prefixed, with the unset optional fields skipped).
uint64_t track_content_hash(const TrackRecord& track);

}  // namespace pmx
