// Thin RAII over the sqlite3 C API for the store's modules: statements, binds, scoped writes.
#pragma once

// Engine-internal: only store/*.cpp (and tests) include this header, so sqlite3.h stays out
// of everything else. Every failure becomes a StoreError that names the statement and carries
// SQLite's message; "no row" is a value (step() returns false).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <sqlite3.h>

#include "store/store_error.hpp"

namespace pmx::sql {

// Throws StoreError("<what>: <sqlite message> (<extended code name>)").
[[noreturn]] void fail(sqlite3* db, std::string_view what);

// Runs one or more statements that return no rows of interest. Throws StoreError.
void exec(sqlite3* db, std::string_view sql);

// A prepared statement, finalized on destruction. Not copyable; must not outlive its db.
class Statement {
public:
    // Prepares the first statement of `sql`. `persistent` hints SQLite that it is reused.
    Statement(sqlite3* db, std::string_view sql, bool persistent = false);
    ~Statement();
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;
    Statement(Statement&& other) noexcept;
    Statement& operator=(Statement&&) = delete;

    // Binds are 1-based, as in SQLite. Text is copied by SQLite (SQLITE_TRANSIENT).
    Statement& bind(int index, int64_t value);
    Statement& bind(int index, std::string_view value);
    Statement& bind(int index, std::optional<int64_t> value);  // nullopt → NULL
    Statement& bind_null(int index);
    // Text that SQLite does not copy: `value` must stay alive and unchanged until reset().
    Statement& bind_static(int index, std::string_view value);
    // As bind_static(), but an empty string binds NULL.
    Statement& bind_static_or_null(int index, std::string_view value);

    // Steps once: true when a row is ready, false when the statement is done. Throws
    // StoreError (after resetting the statement) on any error.
    bool step();
    // Steps to the end, ignoring rows; returns sqlite3_changes() of the statement.
    int64_t run();
    // Resets for reuse and clears bindings (never throws: errors were reported by step()).
    void reset() noexcept;

    bool is_null(int column) const;
    int64_t int64(int column) const;
    std::optional<int64_t> optional_int64(int column) const;  // NULL → nullopt
    std::string text(int column) const;                       // NULL → ""
    std::string_view text_view(int column) const;             // valid until the next step/reset

    sqlite3_stmt* get() const { return stmt_; }
    std::string_view sql() const;

private:
    sqlite3* db_ = nullptr;
    sqlite3_stmt* stmt_ = nullptr;
};

// Resets a (cached) statement when leaving scope, so that it never keeps a read open.
class ResetGuard {
public:
    explicit ResetGuard(Statement& statement) : statement_(statement) {}
    ~ResetGuard() { statement_.reset(); }
    ResetGuard(const ResetGuard&) = delete;
    ResetGuard& operator=(const ResetGuard&) = delete;

private:
    Statement& statement_;
};

// One integer from a query that returns a single row (e.g. "SELECT count(*) ..."); nullopt
// when it returns no row or NULL.
std::optional<int64_t> query_int64(sqlite3* db, std::string_view sql);

// A group of writes that must apply together: BEGIN IMMEDIATE when no transaction is open,
// else a SAVEPOINT inside the caller's transaction. Rolled back on scope exit unless
// commit() was called.
class WriteScope {
public:
    explicit WriteScope(sqlite3* db);
    ~WriteScope();
    WriteScope(const WriteScope&) = delete;
    WriteScope& operator=(const WriteScope&) = delete;

    void commit();

private:
    sqlite3* db_;
    bool nested_;
    bool done_ = false;
};

}  // namespace pmx::sql
