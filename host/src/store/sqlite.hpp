// Small RAII wrappers over the SQLite C API, private to the store. Every
// failure throws std::runtime_error naming the db file, what was being done
// and SQLite's own message.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

struct sqlite3;
struct sqlite3_stmt;

namespace lp::sqlite {

// "run store '<file>': <what>: <detail>", the one error format of the store.
[[noreturn]] void throw_error(const std::filesystem::path& file, std::string_view what,
                              std::string_view detail);

class Db {
 public:
  // flags: SQLITE_OPEN_*.
  Db(const std::filesystem::path& file, int flags);
  ~Db();
  Db(Db&& other) noexcept;
  Db& operator=(Db&&) = delete;
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  sqlite3* get() const { return db_; }
  const std::filesystem::path& file() const { return file_; }

  void exec(const char* sql, std::string_view what);
  // Runs a statement yielding one value (a PRAGMA) and returns it as text.
  std::string query_text(const char* sql, std::string_view what);
  int64_t query_int(const char* sql, std::string_view what);

  // Throws with SQLite's last message on this connection.
  [[noreturn]] void fail(std::string_view what) const;

 private:
  std::filesystem::path file_;
  sqlite3* db_ = nullptr;
};

class Stmt {
 public:
  // `what` names the statement in error messages ("insert tick").
  Stmt(Db& db, std::string_view sql, std::string_view what);
  ~Stmt();
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  // Parameters are 1-based, as in SQLite. Text is copied.
  void bind(int index, int64_t value);
  void bind(int index, double value);  // NaN binds NULL
  void bind(int index, std::string_view text);
  void bind_null(int index);
  template <typename T>
  void bind(int index, const std::optional<T>& value) {
    if (value) {
      bind(index, *value);
    } else {
      bind_null(index);
    }
  }

  // True while there is a row to read; false when done.
  bool step();
  // Steps a statement that returns no rows.
  void run();
  // Back to the start with no bindings. Done after every use so a finished
  // SELECT never holds its read snapshot (which would block checkpoints and
  // hide newer commits from this connection).
  void reset();

  bool is_null(int column) const;
  int64_t int_at(int column) const;
  double double_at(int column) const;  // NULL reads as NaN
  std::string text_at(int column) const;
  std::optional<int64_t> optional_int_at(int column) const;
  std::optional<double> optional_double_at(int column) const;
  std::optional<std::string> optional_text_at(int column) const;

 private:
  [[noreturn]] void fail() const;

  Db& db_;
  std::string what_;
  sqlite3_stmt* stmt_ = nullptr;
};

// Resets a statement when the scope ends, whatever happened in it.
class ResetOnExit {
 public:
  explicit ResetOnExit(Stmt& stmt) : stmt_(stmt) {}
  ~ResetOnExit() { stmt_.reset(); }
  ResetOnExit(const ResetOnExit&) = delete;
  ResetOnExit& operator=(const ResetOnExit&) = delete;

 private:
  Stmt& stmt_;
};

// BEGIN IMMEDIATE (takes the write lock up front, so a commit never fails on
// a lock held by another writer); rolls back unless commit() was reached.
class WriteTransaction {
 public:
  explicit WriteTransaction(Db& db);
  ~WriteTransaction();
  WriteTransaction(const WriteTransaction&) = delete;
  WriteTransaction& operator=(const WriteTransaction&) = delete;

  void commit();

 private:
  Db& db_;
  bool open_ = true;
};

}  // namespace lp::sqlite
