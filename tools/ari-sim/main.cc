// ari-sim: a stand-in for Asterisk's ARI server that serves recorded traffic.
// This main parses arguments and calls library code (tools/ari-sim/).
#include <CLI/CLI.hpp>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "ari-sim/cel_lines.h"
#include "ari-sim/cel_writer.h"
#include "ari-sim/listen_address.h"
#include "ari-sim/replay.h"
#include "ari-sim/restarts.h"
#include "ari-sim/sim_server.h"

#ifndef ARI_SIM_DEFAULT_INFO
#define ARI_SIM_DEFAULT_INFO "fixtures/asterisk/api/asterisk-info.json"
#endif

namespace {

using namespace callledger;
using namespace callledger::arisim;

constexpr int kExitError = 2;

constexpr const char* kDescription =
    "ari-sim: an ARI server (a stand-in for Asterisk) that serves recorded event\n"
    "traffic, for tests and demos on machines without a PBX.";

constexpr const char* kFooter = R"(
The stream
  FILE... are ARI captures, one WebSocket text frame per line (fixtures/asterisk/
  *.jsonl). They are played one after another as one stream of frames numbered
  from 1, each sent byte for byte (blank lines are not frames). The stream
  starts when the first client subscribes to /ari/events and goes on, for the
  client that reconnects, after a drop. A newer subscriber to the same app
  replaces the current one, which gets an ApplicationReplaced event and is
  closed (as in Asterisk). The first subscriber's app is the stream's app:
  subscribers to any other app are accepted but get no events.

Pacing: the replay clock
  Frame i is due (T(i) - T(1)) / F seconds after the stream started, where T(i)
  is the latest ARI timestamp of the frames up to i (a frame stamped earlier
  than one before it goes right after that one) and F is --speed (default 1).
  The pause between two files is at most 1 s (before dividing by F). --fast
  sends as fast as the client reads; --rate F ignores the timestamps and sends
  F frames per second: frame i is due (i-1)/F s after the stream started, i
  counting skipped frames too. Only one of --speed, --fast and --rate may be
  given. --lead-in-ms M: the first frame is due M ms after the first
  subscription, and a client that subscribes while the stream waits gets its
  next frame no earlier than M ms later (time to read /ari/channels first).
  By default, while no client is connected, the stream waits: the clock
  stands still, and the next frame goes to the next client, no earlier than
  its time.

Realtime (--realtime)
  The clock starts at the first subscription (plus --lead-in-ms) and then runs
  on whether or not a client is connected, as a PBX's does. A frame whose time
  comes while no client is connected is never sent to anyone, but it happens:
  /ari/channels and /ari/bridges change as if Asterisk had done it. A client
  that connects later gets the frames due from its subscription on, at their
  times; with --lead-in-ms M, those due in its first M ms are held back (not
  yet applied to /ari/channels) and sent, in order, M ms after it subscribed.
  A frame whose write failed is not sent again. Works with --speed and --rate;
  --fast is refused (it has no clock to run on).

Drops
  --drop-at N --gap M closes the WebSocket (a normal close) after frame N and
  skips frames N+1..N+M: they update /ari/channels and /ari/bridges but are
  never sent. By default the gap's frames happen at once and the next client
  to subscribe gets frame N+M+1 onwards. With --realtime they happen in their
  time and the stream goes on while the client is away: the next client gets
  the frames due after it subscribed, never one of the gap. Meanwhile the PBX is
  away: /ari/events upgrades get 503 until the gap's last frame has happened and
  until --lead-in-ms before frame N+M+1 is due (--lead-in-ms after the last
  frame when the gap runs to the end), so a client that retries soon comes back
  in time to get frame N+M+1: it has missed exactly the gap, as the cut runs of
  `ledger-replay fixture --drop-at N --gap M` assume. REST goes on. Repeat the
  pair for more drops (in increasing order); --gap defaults to 0 when no --gap
  is given at all.

CEL (--cel FILE --cel-out PATH)
  FILE is a capture's CEL log (fixtures/asterisk-cel/<s>.cel.jsonl: what
  Asterisk's cel_custom wrote, one JSON object per line, "eventtime" in UTC
  "<epoch seconds>.<microseconds>"). As the replay clock reaches a line's
  eventtime t (mapped like the frames' timestamps: (t - T(1)) / F, T(1) the
  first stamp of its capture, which starts where that capture does), once the
  frames stamped up to that time have been sent or skipped, ari-sim appends
  the line, byte for byte plus "\n", to PATH (created if absent; each line
  opened, appended in one write and closed, as cel_custom does), whether or
  not a client is connected; it goes on after the last frame until every line
  is written. Give one --cel per capture FILE, in the same order (--cel ''
  for a capture without CEL). A line without a readable eventtime is written
  with the line before it (said once on stderr). With --fast or --rate a line
  goes right after the last frame stamped no later than it.
  --cel-rotate-at N renames PATH to PATH.1 after the N-th line appended and
  starts a new, empty PATH (repeatable, increasing; as a log rotation).

Restamping (--restamp)
  Moves each capture's calls to the present, as if they were happening now:
  when the stream's clock starts, every frame's "timestamp" and "creationtime"
  and every CEL line's "eventtime" is moved by one shift per capture FILE, in
  whole milliseconds, such that the capture's first frame is stamped with the
  moment it is due (its zone offset, e.g. +0500, is kept). With --realtime and
  --speed 1 every frame and CEL line is then stamped with the moment it is due,
  as Asterisk stamps its events, so a client's own clock agrees with the
  stamps (a CEL reader's windows after a gap, for example). Each shift is
  logged: "restamped capture K (FILE): every time moved by +N ms"; rows made
  from a restamped stream are the capture's rows moved by that shift.

Restarts (--restart-at N [--restart-down-ms D])
  After frame N the connection closes, as for --drop-at N, and the simulated
  Asterisk restarts. The old process is gone: /ari/channels and /ari/bridges
  no longer list its channels and bridges, and no later frame that names one
  of them (or anything a later frame ties to them: an old call's agent leg or
  bridge) is ever sent. The new process starts D ms (default 1000) after
  frame N's time T(N), on the stream's clock: frames stamped in that down
  time are never sent either; frames naming only new channels (and those
  naming none) go on, as a fresh Asterisk would send them. GET
  /ari/asterisk/info then reports the new process: status.startup_time and
  status.last_reload_time become T(N) + D, written like the recorded value
  (its zone kept, e.g. 2026-12-07T16:48:06.172+0500); system.entity_id and
  the rest of the body stay (REST answers as the new process from the close
  on, down time included). The clock runs on: frames are paced as before;
  with --realtime the down time passes with nothing sent, without it the next
  client gets the first frame after N that is sent. With --cel, the old
  process writes no CEL line stamped after T(N), and no line is written for
  the down time; lines of channels first seen after the restart are written
  as usual. Repeatable, in increasing order; a restart is a cut of its own (it
  may not fall on or inside a --drop-at's gap), and a drop may not be on a
  frame a restart took away. --restart-down-ms: one for all, or one per
  --restart-at.

HTTP
  ws://HOST:PORT/ari/events?app=NAME[&subscribeAll=true][&api_key=USER:PASS]
  GET /ari/asterisk/info   the recorded answer (--info)
  GET /ari/channels        channels created and not yet destroyed by the frames
                           sent or skipped so far, with their last snapshots
  GET /ari/bridges         the same for bridges
  GET /ari/channels/ID, /ari/bridges/ID
  Every /ari request needs HTTP Basic credentials or api_key=USER:PASS (else
  401). Unknown paths get 404 {"message":"Not found"}. REST goes on after the
  stream has ended, until ari-sim is stopped.

TLS
  --tls-cert FILE --tls-key FILE (PEM; both or neither) serve https:// and
  wss:// instead of http:// and ws://, on the same --listen address (still
  loopback only). For tests of TLS clients, e.g. with a self-signed
  certificate for 127.0.0.1:
    openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 \
      -addext subjectAltName=IP:127.0.0.1 -keyout key.pem -out cert.pem
  A failed TLS handshake is logged on stderr and the connection closed.

Output
  The first line on stdout is "listening on HOST:PORT" (the real port when
  --listen asks for port 0); logs go to stderr. SIGINT or SIGTERM stops
  ari-sim with exit status 0; bad arguments exit with 2.
  --stream-out PATH: when the stream starts (the first subscription), every
  frame of the stream is written to PATH, one per line, in order, byte for
  byte as it is or would be sent (restamped with --restamp; the frames of
  drops' gaps and those a restart took away included): the PBX's side of
  the run, for comparing a ledger with what was sent (tools/scripts/chaos.sh).
)";

Result<std::string> ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return InvalidInput("cannot read " + path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

int Fail(const std::string& message) {
  std::fprintf(stderr, "ari-sim: %s\n", message.c_str());
  return kExitError;
}

// The CEL lines of --cel, scheduled on the frames' clock, and the writer of
// --cel-out. Says once on stderr when lines have no readable eventtime.
// Without the lines a restarted Asterisk never wrote (restarts.h).
Result<CelPlayback> LoadCel(const std::vector<std::string>& cel_files, std::size_t captures,
                            CelWriterOptions out, const std::vector<StreamFrame>& frames,
                            const PacingOptions& pacing, const ari::RestartPlan& restarts) {
  if (cel_files.size() != captures) {
    return InvalidInput(
        "give one --cel per capture FILE, in the same order (--cel '' for a "
        "capture without CEL lines): " +
        std::to_string(cel_files.size()) + " --cel for " + std::to_string(captures) + " FILE(s)");
  }
  ASSIGN_OR_RETURN(CelLoad load, LoadCelLines(cel_files));
  if (load.without_time > 0) {
    std::fprintf(stderr,
                 "ari-sim: note: %llu CEL line(s) have no readable eventtime (the first: %s); "
                 "each is written with the line before it\n",
                 static_cast<unsigned long long>(load.without_time),
                 load.first_without_time.c_str());
  }
  if (const std::size_t dropped = DropRestartedCelLines(restarts, load.lines); dropped > 0) {
    std::fprintf(stderr,
                 "ari-sim: CEL: %zu line(s) the restarted Asterisk never wrote are left out\n",
                 dropped);
  }
  ASSIGN_OR_RETURN(CelWriter writer, CelWriter::Open(std::move(out)));
  std::vector<LineCue> cues =
      ScheduleCelLines(load.lines, frames, ComputeOffsets(frames, pacing), pacing);
  return CelPlayback{CelFeed(std::move(load.lines), std::move(cues)), std::move(writer)};
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{kDescription, "ari-sim"};
  app.footer(kFooter);
  app.get_formatter()->column_width(34);

  std::string listen = "127.0.0.1:8088";
  Credentials credentials;
  double speed = 1.0;
  bool fast = false;
  double rate = 0;
  std::vector<std::uint64_t> drop_at;
  std::vector<std::uint64_t> gaps;
  std::string info_path = ARI_SIM_DEFAULT_INFO;
  std::vector<std::string> files;
  std::string tls_cert, tls_key;
  bool realtime = false;
  std::vector<std::string> cel_files;
  std::string cel_out;
  std::vector<std::uint64_t> cel_rotate_at;
  bool restamp = false;
  std::string stream_out;
  RestartArgs restart_args;

  app.add_option("--listen", listen, "where to listen, loopback only; port 0 picks a free port")
      ->type_name("HOST:PORT")
      ->capture_default_str();
  auto* user = app.add_option("--user", credentials.user, "ARI user (with --password)")
                   ->type_name("U")
                   ->capture_default_str();
  auto* password = app.add_option("--password", credentials.password, "ARI password")
                       ->type_name("P")
                       ->capture_default_str();
  user->needs(password);
  password->needs(user);
  auto* speed_option = app.add_option("--speed", speed, "play F times faster than recorded (F > 0)")
                           ->type_name("F")
                           ->capture_default_str();
  auto* fast_option = app.add_flag("--fast", fast, "send as fast as the client reads");
  auto* rate_option =
      app.add_option("--rate", rate, "send F frames per second, ignoring timestamps (F > 0)")
          ->type_name("F");
  speed_option->excludes(fast_option);
  rate_option->excludes(speed_option);
  rate_option->excludes(fast_option);
  app.add_option("--drop-at", drop_at, "close the connection after frame N (repeatable)")
      ->type_name("N")
      ->allow_extra_args(false);
  app.add_option("--gap", gaps, "then skip M frames: never sent (one per --drop-at)")
      ->type_name("M")
      ->allow_extra_args(false);
  app.add_option("--restart-at", restart_args.after_frames,
                 "after frame N, close and restart Asterisk (repeatable; see Restarts)")
      ->type_name("N")
      ->allow_extra_args(false);
  app.add_option("--restart-down-ms", restart_args.down_ms,
                 "the restarted Asterisk starts D ms after frame N (default 1000)")
      ->type_name("D")
      ->allow_extra_args(false);
  app.add_flag("--realtime", realtime,
               "the clock runs on while no client is connected: frames due meanwhile are never "
               "sent (see Realtime)");
  app.add_flag("--restamp", restamp,
               "move every capture's times to the present when the stream starts (see "
               "Restamping)");
  app.add_option("--stream-out", stream_out,
                 "when the stream starts, write all its frames here, as played (see Output)")
      ->type_name("PATH");
  int lead_in_ms = 0;
  app.add_option(
         "--lead-in-ms", lead_in_ms,
         "after each subscription, wait this long before the next frame (lets a client take its "
         "REST snapshot first; for tests)")
      ->check(CLI::Range(0, 60000));
  app.add_option("--info", info_path, "the body of GET /ari/asterisk/info")
      ->type_name("FILE")
      ->capture_default_str();
  auto* cert_option = app.add_option("--tls-cert", tls_cert,
                                     "serve https/wss with this certificate (PEM; with --tls-key)")
                          ->type_name("FILE");
  auto* key_option = app.add_option("--tls-key", tls_key, "the certificate's private key (PEM)")
                         ->type_name("FILE");
  cert_option->needs(key_option);
  key_option->needs(cert_option);
  auto* cel_option =
      app.add_option("--cel", cel_files, "a capture's CEL lines, one --cel per FILE (see CEL)")
          ->type_name("FILE")
          ->allow_extra_args(false);
  auto* cel_out_option =
      app.add_option("--cel-out", cel_out, "append the CEL lines here as their time comes")
          ->type_name("PATH");
  auto* rotate_option = app.add_option("--cel-rotate-at", cel_rotate_at,
                                       "rename PATH to PATH.1 after the N-th line (repeatable)")
                            ->type_name("N")
                            ->allow_extra_args(false);
  cel_option->needs(cel_out_option);
  cel_out_option->needs(cel_option);
  rotate_option->needs(cel_out_option);
  app.add_option("FILE", files, "ARI captures (*.jsonl), played in order")->required();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : kExitError;
  }

  auto address = ParseListenAddress(listen);
  if (!address.ok()) return Fail(address.status().message());

  PacingOptions pacing;
  const bool constant_rate = rate_option->count() > 0;
  if (fast) {
    pacing.mode = PacingMode::kFast;
  } else if (constant_rate) {
    pacing.mode = PacingMode::kRate;
    pacing.rate = rate;
  } else {
    pacing.speed = speed;
  }
  if (realtime) pacing.clock = ClockMode::kRealtime;
  if (Status s = ValidatePacing(pacing); !s.ok()) return Fail(s.message());

  if (!gaps.empty() && gaps.size() != drop_at.size()) {
    return Fail("give one --gap per --drop-at (or none at all for gaps of 0)");
  }
  std::vector<DropPoint> drops;
  for (std::size_t i = 0; i < drop_at.size(); ++i) {
    drops.push_back(DropPoint{drop_at[i], gaps.empty() ? 0 : gaps[i]});
  }
  if (Status s = ValidateDrops(drops); !s.ok()) return Fail(s.message());

  auto info = ReadWholeFile(info_path);
  if (!info.ok()) return Fail(info.status().message() + " (--info)");
  auto frames = LoadFrames(files);
  if (!frames.ok()) return Fail(frames.status().message());
  const std::size_t frame_count = frames->size();
  for (const auto& drop : drops) {
    if (drop.after_frame > frame_count) {
      std::fprintf(stderr, "ari-sim: note: --drop-at %llu is beyond the last frame (%zu)\n",
                   static_cast<unsigned long long>(drop.after_frame), frame_count);
    }
  }

  auto restarts = PlanSimRestarts(*frames, restart_args, drops, *info);
  if (!restarts.ok()) return Fail(restarts.status().message());

  std::optional<CelPlayback> cel;
  if (!cel_files.empty()) {
    auto loaded =
        LoadCel(cel_files, files.size(), {cel_out, cel_rotate_at}, *frames, pacing, restarts->plan);
    if (!loaded.ok()) return Fail(loaded.status().message());
    cel = std::move(*loaded);
  }

  ServerOptions options;
  options.listen = *address;
  options.credentials = credentials;
  options.asterisk_info = std::move(*info);
  options.tls_cert_file = tls_cert;
  options.tls_key_file = tls_key;
  options.lead_in = std::chrono::milliseconds(lead_in_ms);
  options.restamp = restamp;
  options.capture_names = files;
  options.stream_out = stream_out;
  const std::size_t cel_lines = cel ? cel->feed.line_count() : 0;
  const std::size_t restart_count = restarts->plan.restarts().size();
  const std::uint64_t gone = restarts->plan.gone_count();
  auto server = SimServer::Create(
      std::move(options),
      Replay(std::move(*frames), pacing, std::move(drops), std::move(*restarts)), std::move(cel));
  if (!server.ok()) return Fail(server.status().message());

  std::printf("listening on %s\n", (*server)->local_address().c_str());
  std::fflush(stdout);
  if (!tls_cert.empty()) std::fprintf(stderr, "ari-sim: serving https:// and wss:// (TLS)\n");
  if (fast) {
    std::fprintf(stderr, "ari-sim: %zu frames from %zu file(s), as fast as the client reads\n",
                 frame_count, files.size());
  } else if (constant_rate) {
    std::fprintf(stderr, "ari-sim: %zu frames from %zu file(s), at %g frames per second\n",
                 frame_count, files.size(), rate);
  } else {
    std::fprintf(stderr, "ari-sim: %zu frames from %zu file(s), at %gx recorded speed\n",
                 frame_count, files.size(), speed);
  }

  if (realtime) {
    std::fprintf(stderr, "ari-sim: realtime: the clock runs on while no client is connected\n");
  }
  if (restart_count > 0) {
    std::fprintf(stderr, "ari-sim: %zu restart(s): %llu frame(s) will never be sent\n",
                 restart_count, static_cast<unsigned long long>(gone));
  }
  if (!cel_files.empty()) {
    std::fprintf(stderr, "ari-sim: CEL: %zu lines to append to %s as their time comes\n", cel_lines,
                 cel_out.c_str());
  }

  if (Status s = (*server)->Run(SignalHandling::kStopOnSigintSigterm); !s.ok()) {
    return Fail(s.ToString());
  }
  return 0;
}
