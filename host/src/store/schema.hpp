// The store's schema as a list of migrations: migration i takes a file from
// PRAGMA user_version i to i + 1. Append new steps; never edit a shipped one.
// README.md in this folder documents the tables for people.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace lp::store_schema {

// PRAGMA application_id of every run.db: "LPRN", so `file` and our own
// open() can tell a run store from any other SQLite file.
inline constexpr int32_t kApplicationId = 0x4C50524E;

std::span<const std::string_view> migrations();

}  // namespace lp::store_schema
