#include "fixture_cmd.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "core/projector.h"
#include "projection/row_format.h"
#include "replay/cut_replay.h"
#include "replay/expected_rows.h"
#include "replay/fixture.h"
#include "replay/row_agreement.h"

namespace callledger::cli {
namespace {

constexpr int kExitError = 2;

constexpr const char* kFixtureFooter = R"(
Cuts and CEL: a daemon's run, simulated
  With --drop-at or --cel, FILE must be a plain capture (frames only, numbered
  from 1 over its non-empty lines), and the rows are those of the records
  call-ledgerd would have appended had ari-sim played FILE with the same
  --drop-at N --gap M (after frame N the connection closes; frames
  N+1..N+M are never sent, but Asterisk's state takes them in), with
  cel.file set to the --cel log: its start (a note with the projector
  options, a gap and a reconcile), frames 1..N, per cut a gap ("connected
  to ARI after: closed by Asterisk"), a reconcile holding /ari/channels and
  /ari/bridges after frames 1..N+M (ari-sim's own answers), with --cel the
  cel records of the gap's window (the daemon's code and defaults: from
  5 s before the last frame heard to the reconcile), then frames N+M+1 on.
  Every time is taken from the capture's ARI timestamps (T(i): the latest
  up to frame i): the gap runs from T(N) to the reconnection, 300 ms before
  frame N+M+1 (never before T(N+M); T(N+M) + 300 ms when the gap runs to
  the end); the first connection is 300 ms before frame 1. The run is
  deterministic, so --expect ROWS [--update] keeps its rows as a golden
  file. --records prints the simulated records instead of rows (feed them
  back to `ledger-replay fixture` for the same rows). Bad cuts (N beyond
  the last frame, a gap past it, a cut inside the previous one's gap) and a
  missing CEL file exit 2.

Agreement with the uncut rows (--agree-with ROWS)
  Compares the run's rows with ROWS, the rows of the same capture uncut (e.g.
  fixtures/expected/cel/<s>.<stream>.rows.json), by the agreement rule of cut
  runs healed from CEL (docs/audit.md): the same calls; every column equal but
  first_seq and last_seq; evidence 'ari' uncut, 'ari' or 'cel' cut; on 'cel'
  rows answer_time and end_time within 100 ms and duration, ring_seconds and
  talk_seconds within 1 s; recording_path NULL where the cuts hid that ARI
  recording's RecordingStarted; on 'ari' rows whose hangup request or StasisEnd
  the cuts hid, end_time within 100 ms too. Prints one line per disagreement and exits 1,
  or says that they agree and exits 0.
  FILE may also be a daemon's ledger (`ledger-audit export --all-kinds`), its
  frames restamped as ari-sim sent them, with --sent STREAM the frames ari-sim
  played (`ari-sim --stream-out`): the frames of STREAM that FILE does not hold
  are the ones the cuts hid (tools/scripts/chaos.sh checks its nodes so).

A PBX restart, simulated
  --restart-at N [--restart-down-ms D] is ari-sim's restart (see ari-sim
  --help): after frame N the connection closes and Asterisk restarts D ms
  (default 1000) after T(N). Its old channels and bridges are gone, and so is
  every later frame that names them (or anything tied to them) or is stamped
  in the down time. The run records a gap ("closed by Asterisk") from T(N)
  to the reconnection, 300 ms before the next frame the new process sends
  but never before it started (T(N) + D), carrying the new process's
  /ari/asterisk/info: the --asterisk-info body (required) with
  status.startup_time and last_reload_time set to T(N) + D; then a reconcile
  of the new process (nothing live yet), the cel records of the window read
  from the CEL log as the restarted Asterisk wrote it (no line of the old
  process after T(N)), and the frames it sends. Repeatable, in increasing
  order, mixed with --drop-at; --restart-down-ms: one for all, or one per
  --restart-at.

The daemon killed, simulated
  --kill-at N --kill-gap M: call-ledgerd is killed (SIGKILL) right after it
  appended frame N; frames N+1..N+M play while it is down (Asterisk's state
  takes them in, as in a drop's gap), and it starts again 300 ms before frame
  N+M+1, as a drop's reconnection: a note with the projector options, a gap
  ("connected to ARI after: daemon started"), a reconcile, and with --cel the
  window from where its ledger says Asterisk was last heard from (reaching
  back to an earlier gap whose window was never recorded whole). With
  --kill-before-cel every kill came while the connection it cut still waited
  for its CEL window: that window's cel records are not in the ledger, and
  the next run's window covers its gap too. Repeatable, in increasing order,
  mixed with --drop-at and --restart-at.
)";

int FixtureFail(const std::string& message) {
  std::fprintf(stderr, "ledger-replay fixture: %s\n", message.c_str());
  return kExitError;
}

Result<std::string> ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return InvalidInput("cannot read " + path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The kills as cuts: --kill-gap once for each, or never (gaps of 0).
Status AddKills(const FixtureArgs& args, std::vector<replay::Cut>& cuts) {
  if (!args.kill_gaps.empty() && args.kill_gaps.size() != args.kill_at.size()) {
    return InvalidInput("give one --kill-gap per --kill-at (or none at all for gaps of 0)");
  }
  if (args.kill_before_cel && args.kill_at.empty()) {
    return InvalidInput("--kill-before-cel needs --kill-at");
  }
  for (std::size_t i = 0; i < args.kill_at.size(); ++i) {
    cuts.push_back({.after_frame = args.kill_at[i],
                    .gap = args.kill_gaps.empty() ? 0 : args.kill_gaps[i],
                    .kind = replay::CutKind::kKill,
                    .window_lost = args.kill_before_cel});
  }
  return Status::Ok();
}

// The restarts as cuts: --restart-down-ms once for all, or once for each.
Status AddRestarts(const FixtureArgs& args, std::vector<replay::Cut>& cuts) {
  const std::size_t n = args.restart_at.size();
  if (!args.restart_down_ms.empty() && n == 0) {
    return InvalidInput("--restart-down-ms needs --restart-at");
  }
  if (args.restart_down_ms.size() > 1 && args.restart_down_ms.size() != n) {
    return InvalidInput("give one --restart-down-ms for every restart, or one per --restart-at");
  }
  for (std::size_t i = 0; i < n; ++i) {
    replay::Cut cut{.after_frame = args.restart_at[i], .kind = replay::CutKind::kRestart};
    if (!args.restart_down_ms.empty()) {
      const std::int64_t ms =
          args.restart_down_ms.size() == 1 ? args.restart_down_ms[0] : args.restart_down_ms[i];
      if (ms < 0) return InvalidInput("--restart-down-ms cannot be negative");
      cut.down = std::chrono::milliseconds(ms);
    }
    cuts.push_back(cut);
  }
  // Drops, restarts and kills are cuts of one stream, in the order of their frames.
  std::stable_sort(cuts.begin(), cuts.end(), [](const replay::Cut& a, const replay::Cut& b) {
    return a.after_frame < b.after_frame;
  });
  return Status::Ok();
}

// The cuts, the CEL log and the Asterisk info of a simulated daemon run.
Status SimulationOptions(const FixtureArgs& args, replay::FixtureOptions& options) {
  if (!args.gaps.empty() && args.gaps.size() != args.drop_at.size()) {
    return InvalidInput("give one --gap per --drop-at (or none at all for gaps of 0)");
  }
  for (std::size_t i = 0; i < args.drop_at.size(); ++i) {
    options.cuts.push_back({args.drop_at[i], args.gaps.empty() ? 0 : args.gaps[i]});
  }
  RETURN_IF_ERROR(AddKills(args, options.cuts));
  RETURN_IF_ERROR(AddRestarts(args, options.cuts));
  if (!args.cel_file.empty()) options.cel_file = args.cel_file;
  if (!args.info_file.empty()) {
    if (!options.simulated()) {
      return InvalidInput("--asterisk-info needs --drop-at or --cel (or --restart-at)");
    }
    ASSIGN_OR_RETURN(options.asterisk_info, ReadWholeFile(args.info_file));
  } else if (!args.restart_at.empty()) {
    return InvalidInput(
        "--restart-at needs --asterisk-info FILE: the restarted Asterisk's info (its new startup "
        "time) is how the gap tells a restart");
  }
  return Status::Ok();
}

// --agree-with: the run's rows against the uncut rows (replay/row_agreement.h).
int AgreeWith(const FixtureArgs& args, const replay::FixtureOptions& options,
              const std::vector<CallRow>& rows) {
  auto text = ReadWholeFile(args.agree_with);
  if (!text.ok()) return FixtureFail(text.status().message());
  auto uncut = replay::RowTextsFromJson(*text);
  if (!uncut.ok()) return FixtureFail(args.agree_with + ": " + uncut.status().message());
  // The ARI recordings whose RecordingStarted the cuts hid, named as the
  // projector names their files.
  std::vector<std::string> hidden;
  if (!args.sent.empty()) {
    auto sent = replay::ReadCaptureFrames(args.sent);
    if (!sent.ok()) return FixtureFail(sent.status().message());
    auto held = replay::ReadFixtureFrames(args.file);
    if (!held.ok()) return FixtureFail(held.status().message());
    hidden = replay::FramesNotHeld(*sent, *held);
    std::printf("%s: %zu of the %zu frames of %s are not in it\n", args.file.c_str(), hidden.size(),
                sent->size(), args.sent.c_str());
  } else if (!options.cuts.empty()) {
    auto frames = replay::ReadCaptureFrames(args.file);
    if (!frames.ok()) return FixtureFail(frames.status().message());
    for (const replay::Cut& cut : options.cuts) {
      for (std::uint64_t n = cut.after_frame + 1; n <= cut.after_frame + cut.gap; ++n) {
        hidden.push_back((*frames)[n - 1]);
      }
    }
  }
  std::string recordings_dir = ProjectorOptions().recordings_dir;
  for (const auto& [key, value] : options.projector_options) {
    if (key == "recordings_dir") recordings_dir = value;
  }
  replay::AgreementOptions agreement;
  agreement.hidden_recordings = replay::RecordingsStartedIn(hidden, recordings_dir);
  agreement.hidden_hangups = replay::HangupsHiddenIn(hidden);
  const std::vector<std::string> lines =
      replay::CompareRows(*uncut, replay::TextOf(rows), agreement);
  if (lines.empty()) {
    std::printf("%s: %zu rows agree with %s\n", args.file.c_str(), rows.size(),
                args.agree_with.c_str());
    return 0;
  }
  std::printf("%s: %zu disagreement(s) with %s\n", args.file.c_str(), lines.size(),
              args.agree_with.c_str());
  for (const auto& line : lines) std::printf("  %s\n", line.c_str());
  return 1;
}

}  // namespace

int RunFixtureCmd(const FixtureArgs& args) {
  const std::string& file = args.file;
  const std::string& expect = args.expect;
  const std::string& format = args.format;
  const auto& option_args = args.option_args;
  const bool update = args.update;
  replay::FixtureOptions options;
  if (!args.node.empty()) options.node = args.node;
  if (Status s = SimulationOptions(args, options); !s.ok()) return FixtureFail(s.message());
  options.keep_records = args.records;
  for (const auto& kv : option_args) {
    const auto eq = kv.find('=');
    if (eq == std::string::npos || eq == 0) {
      std::fprintf(stderr, "ledger-replay fixture: --option takes KEY=VALUE, got '%s'\n",
                   kv.c_str());
      return kExitError;
    }
    const std::string key = kv.substr(0, eq);
    if (key != "call_app" && key != "recordings_dir") {
      std::fprintf(stderr,
                   "ledger-replay fixture: unknown option '%s' (known: call_app, recordings_dir)\n",
                   key.c_str());
      return kExitError;
    }
    options.projector_options.emplace_back(key, kv.substr(eq + 1));
  }
  auto result = replay::RunFixture(file, options);
  if (!result.ok()) return FixtureFail(result.status().message());
  if (args.records) {
    std::cout << result->records_fixture;
    return 0;
  }
  if (!args.agree_with.empty()) return AgreeWith(args, options, result->rows);
  if (update) {
    auto outcome = replay::UpdateExpected(result->rows, expect);
    if (!outcome.ok()) {
      std::fprintf(stderr, "ledger-replay fixture: %s\n", outcome.status().message().c_str());
      return kExitError;
    }
    if (!outcome->changed) {
      std::printf("%s: %zu rows, %s unchanged\n", file.c_str(), result->rows.size(),
                  expect.c_str());
    } else if (outcome->created) {
      std::printf("%s: wrote %zu rows into the new file %s\n", file.c_str(), result->rows.size(),
                  expect.c_str());
    } else {
      std::printf(
          "%s: rewrote %s (%zu rows); what changed:\n%s", file.c_str(), expect.c_str(),
          result->rows.size(),
          outcome->diff.empty() ? "  the same rows, written differently\n" : outcome->diff.c_str());
    }
    return 0;
  }
  if (!expect.empty()) {
    std::ifstream in(expect, std::ios::binary);
    if (!in) {
      std::fprintf(stderr, "ledger-replay fixture: cannot read %s\n", expect.c_str());
      return kExitError;
    }
    std::stringstream text;
    text << in.rdbuf();
    auto diff = projection::DiffRowsJson(result->rows, text.str());
    if (!diff.ok()) {
      std::fprintf(stderr, "ledger-replay fixture: %s: %s\n", expect.c_str(),
                   diff.status().message().c_str());
      return kExitError;
    }
    if (!diff->empty()) {
      std::printf("%s: rows differ from %s\n%s", file.c_str(), expect.c_str(), diff->c_str());
      return 1;
    }
    std::printf("%s: %zu rows match %s\n", file.c_str(), result->rows.size(), expect.c_str());
    return 0;
  }
  if (format == "csv") {
    std::cout << projection::RowsToCsv(result->rows);
  } else if (format == "table") {
    std::cout << projection::RowsToTable(result->rows);
  } else {
    std::cout << projection::RowsToJson(result->rows);
  }
  return 0;
}

CLI::App* AddFixtureCommand(CLI::App& app, FixtureArgs& args) {
  auto* fixture = app.add_subcommand(
      "fixture",
      "Run a captured stream through the parser and projector in memory and print the "
      "call-log rows (no PostgreSQL needed)");
  fixture->footer(kFixtureFooter);
  fixture
      ->add_option("FILE", args.file,
                   "Captured frames, one per line (.jsonl), and daemon record lines "
                   "(ledger-audit export --all-kinds)")
      ->required();
  auto* expect_option = fixture->add_option(
      "--expect", args.expect,
      "Expected rows (JSON as printed by --format json): exit 1 with a diff if they differ");
  auto* format_option = fixture->add_option("--format", args.format, "Output format")
                            ->check(CLI::IsMember({"json", "csv", "table"}))
                            ->capture_default_str();
  fixture->add_option(
      "--option", args.option_args,
      "Projector option KEY=VALUE (call_app, recordings_dir), recorded as a note record");
  fixture->add_option("--node", args.node, "Node name in the rows (default: fixture)");
  fixture
      ->add_flag("--update", args.update,
                 "With --expect: write the rows into that file instead of comparing, print what "
                 "changed, exit 0 (review the change before committing it)")
      ->needs(expect_option);
  fixture
      ->add_option("--drop-at", args.drop_at,
                   "Simulate the daemon's run with ari-sim cutting the connection after frame N "
                   "(repeatable, increasing; see below)")
      ->type_name("N")
      ->allow_extra_args(false);
  fixture
      ->add_option("--gap", args.gaps,
                   "then frames N+1..N+M are never sent (one per --drop-at; none: gaps of 0)")
      ->type_name("M")
      ->allow_extra_args(false);
  fixture
      ->add_option("--restart-at", args.restart_at,
                   "Simulate ari-sim restarting Asterisk after frame N (repeatable, increasing; "
                   "needs --asterisk-info; see below)")
      ->type_name("N")
      ->allow_extra_args(false);
  fixture
      ->add_option("--restart-down-ms", args.restart_down_ms,
                   "the restarted Asterisk starts D ms after frame N (default 1000)")
      ->type_name("D")
      ->allow_extra_args(false);
  fixture
      ->add_option("--kill-at", args.kill_at,
                   "Simulate call-ledgerd killed (SIGKILL) after it appended frame N, and "
                   "started again (repeatable, increasing; see below)")
      ->type_name("N")
      ->allow_extra_args(false);
  fixture
      ->add_option("--kill-gap", args.kill_gaps,
                   "frames N+1..N+M play while it is down (one per --kill-at; none: gaps of 0)")
      ->type_name("M")
      ->allow_extra_args(false);
  fixture->add_flag("--kill-before-cel", args.kill_before_cel,
                    "every kill comes before the connection it cuts recorded its CEL window");
  fixture
      ->add_option("--cel", args.cel_file,
                   "The capture's CEL log (fixtures/asterisk-cel/*.cel.jsonl): simulate the "
                   "daemon's run with cel.file, adding the cel records of every gap's window")
      ->type_name("FILE");
  fixture
      ->add_option("--asterisk-info", args.info_file,
                   "With --drop-at, --restart-at or --cel: the body of GET /ari/asterisk/info "
                   "the simulated gaps carry (default: none)")
      ->type_name("FILE");
  auto* records_flag = fixture->add_flag(
      "--records", args.records,
      "Print the records the run appended instead of rows, as ledger-audit export --all-kinds "
      "writes them (frames and daemon record lines, in order)");
  records_flag->excludes(expect_option);
  records_flag->excludes(format_option);
  auto* agree_option =
      fixture
          ->add_option("--agree-with", args.agree_with,
                       "Compare the rows with the uncut rows in ROWS (JSON) by the agreement rule "
                       "of cut runs healed from CEL (see below): exit 1 with one line per "
                       "disagreement")
          ->type_name("ROWS");
  agree_option->excludes(expect_option);
  agree_option->excludes(records_flag);
  agree_option->excludes(format_option);
  fixture
      ->add_option("--sent", args.sent,
                   "With --agree-with and FILE a ledger's export: the frames the PBX sent "
                   "(ari-sim --stream-out); those FILE lacks count as hidden by cuts (see below)")
      ->type_name("STREAM")
      ->needs(agree_option);
  return fixture;
}

}  // namespace callledger::cli
