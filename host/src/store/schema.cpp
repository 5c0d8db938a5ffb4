#include "schema.hpp"

#include <array>

namespace lp::store_schema {
namespace {

// Version 1. One run per file: `runs` has exactly one row, and the run_id
// columns let several files be merged (ATTACH + INSERT) without clashes.
constexpr std::string_view kV1 = R"sql(
CREATE TABLE runs (
  id           TEXT PRIMARY KEY NOT NULL,
  plan_name    TEXT NOT NULL,
  plan_file    TEXT NOT NULL,
  plan_json    TEXT NOT NULL CHECK (json_valid(plan_json)),
  started_ns   INTEGER NOT NULL,
  ended_ns     INTEGER,
  updated_ns   INTEGER NOT NULL,
  status       TEXT NOT NULL
               CHECK (status IN ('running', 'passed', 'failed', 'error', 'interrupted')),
  exit_code    INTEGER,
  host_version TEXT NOT NULL
);

CREATE TABLE request_types (
  id      INTEGER PRIMARY KEY,
  run_id  TEXT NOT NULL REFERENCES runs (id),
  tool_id TEXT NOT NULL,
  name    TEXT NOT NULL,
  UNIQUE (run_id, tool_id, name)
);

CREATE TABLE ticks (
  tick            INTEGER NOT NULL,
  start_ns        INTEGER NOT NULL,
  end_ns          INTEGER NOT NULL,
  request_type_id INTEGER NOT NULL REFERENCES request_types (id),
  tool_id         TEXT NOT NULL,
  vector_id       TEXT,
  count           INTEGER NOT NULL,
  ok              INTEGER NOT NULL,
  http_error      INTEGER NOT NULL,
  timeout         INTEGER NOT NULL,
  connect_error   INTEGER NOT NULL,
  other_error     INTEGER NOT NULL,
  bytes           INTEGER NOT NULL,
  offered_rate    REAL,
  achieved_rate   REAL NOT NULL,
  p50_ms          REAL,
  p90_ms          REAL,
  p99_ms          REAL,
  p999_ms         REAL,
  max_ms          REAL,
  mean_ms         REAL,
  histogram       TEXT,
  PRIMARY KEY (tick, request_type_id),
  CHECK (count = ok + http_error + timeout + connect_error + other_error)
);
CREATE INDEX ticks_by_request_type ON ticks (request_type_id, tick);

-- ticks with the request type's name, for queries by hand.
CREATE VIEW tick_view AS
  SELECT t.tick, t.start_ns, t.end_ns, t.tool_id, r.name AS request_type, t.vector_id,
         t.count, t.ok, t.http_error, t.timeout, t.connect_error, t.other_error, t.bytes,
         t.offered_rate, t.achieved_rate, t.p50_ms, t.p90_ms, t.p99_ms, t.p999_ms, t.max_ms,
         t.mean_ms, t.histogram
  FROM ticks AS t JOIN request_types AS r ON r.id = t.request_type_id;

CREATE TABLE metrics (
  wall_ns INTEGER NOT NULL,
  name    TEXT NOT NULL,
  labels  TEXT NOT NULL DEFAULT '{}',
  value   REAL
);
CREATE INDEX metrics_by_name ON metrics (name, wall_ns);

CREATE TABLE events (
  seq     INTEGER PRIMARY KEY,
  run_id  TEXT NOT NULL REFERENCES runs (id),
  wall_ns INTEGER NOT NULL,
  kind    TEXT NOT NULL,
  source  TEXT NOT NULL,
  message TEXT NOT NULL,
  details TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(details))
);
CREATE INDEX events_by_time ON events (wall_ns);

CREATE TABLE vectors (
  seq       INTEGER PRIMARY KEY,
  run_id    TEXT NOT NULL REFERENCES runs (id),
  vector_id TEXT NOT NULL,
  start_ns  INTEGER NOT NULL,
  end_ns    INTEGER,
  outcome   TEXT NOT NULL
            CHECK (outcome IN ('running', 'completed', 'shortened', 'skipped')),
  reason    TEXT NOT NULL DEFAULT ''
);
)sql";

constexpr std::array<std::string_view, 1> kMigrations{kV1};

}  // namespace

std::span<const std::string_view> migrations() {
  return kMigrations;
}

}  // namespace lp::store_schema
