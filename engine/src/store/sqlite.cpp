// RAII over the sqlite3 C API: statements, binds, errors as StoreError, scoped writes.
#include "store/sqlite.hpp"

#include <limits>
#include <utility>

namespace pmx::sql {
namespace {

// SQLite takes lengths as int; longer text than this cannot be bound (and is never sent).
int text_length(std::string_view value, sqlite3* db) {
    if (value.size() > static_cast<size_t>(std::numeric_limits<int>::max())) {
        throw StoreError("text of " + std::to_string(value.size()) + " bytes is too long for SQLite (" +
                         std::string(sqlite3_db_filename(db, "main")) + ")");
    }
    return static_cast<int>(value.size());
}

}  // namespace

void fail(sqlite3* db, std::string_view what) {
    const int code = sqlite3_extended_errcode(db);
    std::string message(what);
    message += ": ";
    message += sqlite3_errmsg(db);
    message += " (SQLite error ";
    message += std::to_string(code);
    message += ")";
    throw StoreError(message);
}

void exec(sqlite3* db, std::string_view sql) {
    const std::string text(sql);
    if (sqlite3_exec(db, text.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK) {
        fail(db, "cannot run \"" + text.substr(0, text.find('\n')) + "\"");
    }
}

Statement::Statement(sqlite3* db, std::string_view sql, bool persistent) : db_(db) {
    const unsigned flags = persistent ? SQLITE_PREPARE_PERSISTENT : 0u;
    if (sqlite3_prepare_v3(db, sql.data(), text_length(sql, db), flags, &stmt_, nullptr) != SQLITE_OK) {
        fail(db, "cannot prepare \"" + std::string(sql) + "\"");
    }
}

Statement::~Statement() { sqlite3_finalize(stmt_); }

Statement::Statement(Statement&& other) noexcept
    : db_(other.db_), stmt_(std::exchange(other.stmt_, nullptr)) {}

Statement& Statement::bind(int index, int64_t value) {
    if (sqlite3_bind_int64(stmt_, index, value) != SQLITE_OK) fail(db_, "cannot bind");
    return *this;
}

Statement& Statement::bind(int index, std::string_view value) {
    if (sqlite3_bind_text(stmt_, index, value.data(), text_length(value, db_), SQLITE_TRANSIENT) != SQLITE_OK) {
        fail(db_, "cannot bind");
    }
    return *this;
}

Statement& Statement::bind(int index, std::optional<int64_t> value) {
    return value ? bind(index, *value) : bind_null(index);
}

Statement& Statement::bind_null(int index) {
    if (sqlite3_bind_null(stmt_, index) != SQLITE_OK) fail(db_, "cannot bind");
    return *this;
}

Statement& Statement::bind_static(int index, std::string_view value) {
    if (sqlite3_bind_text(stmt_, index, value.data(), text_length(value, db_), SQLITE_STATIC) != SQLITE_OK) {
        fail(db_, "cannot bind");
    }
    return *this;
}

Statement& Statement::bind_static_or_null(int index, std::string_view value) {
    return value.empty() ? bind_null(index) : bind_static(index, value);
}

bool Statement::step() {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    // The error text must be read before reset() may replace it.
    std::string what = "cannot run \"" + std::string(sql()) + "\"";
    const int code = sqlite3_extended_errcode(db_);
    std::string message = what + ": " + sqlite3_errmsg(db_) + " (SQLite error " + std::to_string(code) + ")";
    sqlite3_reset(stmt_);
    throw StoreError(message);
}

int64_t Statement::run() {
    while (step()) {
    }
    return sqlite3_changes64(db_);
}

void Statement::reset() noexcept {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
}

bool Statement::is_null(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }

int64_t Statement::int64(int column) const { return sqlite3_column_int64(stmt_, column); }

std::optional<int64_t> Statement::optional_int64(int column) const {
    if (is_null(column)) return std::nullopt;
    return int64(column);
}

std::string Statement::text(int column) const { return std::string(text_view(column)); }

std::string_view Statement::text_view(int column) const {
    const auto* data = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
    if (data == nullptr) return {};
    return {data, static_cast<size_t>(sqlite3_column_bytes(stmt_, column))};
}

std::string_view Statement::sql() const {
    const char* text = sqlite3_sql(stmt_);
    return text == nullptr ? std::string_view() : std::string_view(text);
}

std::optional<int64_t> query_int64(sqlite3* db, std::string_view sql) {
    Statement statement(db, sql);
    if (!statement.step()) return std::nullopt;
    return statement.optional_int64(0);
}

WriteScope::WriteScope(sqlite3* db) : db_(db), nested_(sqlite3_get_autocommit(db) == 0) {
    exec(db_, nested_ ? "SAVEPOINT pmx_write" : "BEGIN IMMEDIATE");
}

WriteScope::~WriteScope() {
    if (done_) return;
    if (nested_) {
        sqlite3_exec(db_, "ROLLBACK TO pmx_write; RELEASE pmx_write", nullptr, nullptr, nullptr);
    } else if (sqlite3_get_autocommit(db_) == 0) {
        sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    }
}

void WriteScope::commit() {
    exec(db_, nested_ ? "RELEASE pmx_write" : "COMMIT");
    done_ = true;
}

}  // namespace pmx::sql
