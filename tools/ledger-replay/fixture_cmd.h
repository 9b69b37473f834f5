// `ledger-replay fixture`: its arguments, and running a fixture with them
// (src/replay/fixture.h does the work). Part of the ledger-replay main.
#pragma once

#include <CLI/CLI.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace callledger::cli {

// What `fixture` is asked for.
struct FixtureArgs {
  std::string file, expect, format = "json", node, agree_with, sent;
  bool update = false;
  std::vector<std::string> option_args;
  std::string cel_file, info_file;
  std::vector<std::uint64_t> drop_at, gaps;
  std::vector<std::uint64_t> restart_at;
  std::vector<std::int64_t> restart_down_ms;
  std::vector<std::uint64_t> kill_at, kill_gaps;
  bool kill_before_cel = false;
  bool records = false;
};

// Adds the `fixture` subcommand to `app`; parsing fills `args`.
CLI::App* AddFixtureCommand(CLI::App& app, FixtureArgs& args);

// Runs it: 0, 1 when rows differ from --expect (or break the agreement
// rule with --agree-with), 2 on an error.
int RunFixtureCmd(const FixtureArgs& args);

}  // namespace callledger::cli
