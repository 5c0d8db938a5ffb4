#include "sqlite.hpp"

#include <fmt/format.h>
#include <sqlite3.h>

#include <cmath>
#include <limits>
#include <stdexcept>
#include <utility>

namespace lp::sqlite {

void throw_error(const std::filesystem::path& file, std::string_view what,
                 std::string_view detail) {
  throw std::runtime_error(fmt::format("run store '{}': {}: {}", file.string(), what, detail));
}

Db::Db(const std::filesystem::path& file, int flags) : file_(file) {
  // Extended result codes give "(disk I/O error: short read)" rather than a bare code.
  const int rc = sqlite3_open_v2(file.c_str(), &db_, flags | SQLITE_OPEN_EXRESCODE, nullptr);
  if (rc != SQLITE_OK) {
    // db_ may be set even on failure; it carries the message and must be closed.
    std::string message = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
    sqlite3_close_v2(db_);
    db_ = nullptr;
    throw_error(file_, "cannot open", message);
  }
  sqlite3_extended_result_codes(db_, 1);
}

Db::~Db() {
  if (db_) {
    sqlite3_close_v2(db_);
  }
}

Db::Db(Db&& other) noexcept
    : file_(std::move(other.file_)), db_(std::exchange(other.db_, nullptr)) {}

void Db::fail(std::string_view what) const {
  throw_error(file_, what, sqlite3_errmsg(db_));
}

void Db::exec(const char* sql, std::string_view what) {
  char* message = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &message) != SQLITE_OK) {
    std::string text = message ? message : sqlite3_errmsg(db_);
    sqlite3_free(message);
    throw_error(file_, what, text);
  }
}

std::string Db::query_text(const char* sql, std::string_view what) {
  Stmt stmt(*this, sql, what);
  if (!stmt.step()) {
    throw_error(file_, what, "no result");
  }
  return stmt.text_at(0);
}

int64_t Db::query_int(const char* sql, std::string_view what) {
  Stmt stmt(*this, sql, what);
  if (!stmt.step()) {
    throw_error(file_, what, "no result");
  }
  return stmt.int_at(0);
}

Stmt::Stmt(Db& db, std::string_view sql, std::string_view what) : db_(db), what_(what) {
  // PERSISTENT: these statements live as long as the store and are reused.
  const int rc = sqlite3_prepare_v3(db_.get(), sql.data(), static_cast<int>(sql.size()),
                                    SQLITE_PREPARE_PERSISTENT, &stmt_, nullptr);
  if (rc != SQLITE_OK) {
    db_.fail(what_);
  }
}

Stmt::~Stmt() {
  sqlite3_finalize(stmt_);
}

void Stmt::fail() const {
  db_.fail(what_);
}

void Stmt::bind(int index, int64_t value) {
  if (sqlite3_bind_int64(stmt_, index, value) != SQLITE_OK) {
    fail();
  }
}

void Stmt::bind(int index, double value) {
  if (std::isnan(value)) {
    return bind_null(index);
  }
  if (sqlite3_bind_double(stmt_, index, value) != SQLITE_OK) {
    fail();
  }
}

void Stmt::bind(int index, std::string_view text) {
  // sqlite3_bind_text64 takes an unsigned length; SQLITE_TRANSIENT copies.
  if (sqlite3_bind_text64(stmt_, index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8) !=
      SQLITE_OK) {
    fail();
  }
}

void Stmt::bind_null(int index) {
  if (sqlite3_bind_null(stmt_, index) != SQLITE_OK) {
    fail();
  }
}

bool Stmt::step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) {
    return true;
  }
  if (rc == SQLITE_DONE) {
    return false;
  }
  fail();
}

void Stmt::run() {
  while (step()) {
  }
}

void Stmt::reset() {
  // reset() repeats the last step's error, which was already reported.
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

bool Stmt::is_null(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

int64_t Stmt::int_at(int column) const {
  return sqlite3_column_int64(stmt_, column);
}

double Stmt::double_at(int column) const {
  if (is_null(column)) {
    return std::numeric_limits<double>::quiet_NaN();
  }
  return sqlite3_column_double(stmt_, column);
}

std::string Stmt::text_at(int column) const {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
  // column_bytes after column_text: the length of the text form.
  const int size = sqlite3_column_bytes(stmt_, column);
  return text ? std::string(text, static_cast<size_t>(size)) : std::string();
}

std::optional<int64_t> Stmt::optional_int_at(int column) const {
  if (is_null(column)) {
    return std::nullopt;
  }
  return int_at(column);
}

std::optional<double> Stmt::optional_double_at(int column) const {
  if (is_null(column)) {
    return std::nullopt;
  }
  return double_at(column);
}

std::optional<std::string> Stmt::optional_text_at(int column) const {
  if (is_null(column)) {
    return std::nullopt;
  }
  return text_at(column);
}

WriteTransaction::WriteTransaction(Db& db) : db_(db) {
  db_.exec("BEGIN IMMEDIATE", "begin transaction");
}

WriteTransaction::~WriteTransaction() {
  if (!open_) {
    return;
  }
  // Nothing to do if SQLite already rolled back on its own (e.g. SQLITE_FULL).
  if (!sqlite3_get_autocommit(db_.get())) {
    sqlite3_exec(db_.get(), "ROLLBACK", nullptr, nullptr, nullptr);
  }
}

void WriteTransaction::commit() {
  db_.exec("COMMIT", "commit");
  open_ = false;
}

}  // namespace lp::sqlite
