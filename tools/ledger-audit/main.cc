// ledger-audit: read, verify and export a call-ledger ledger.
// Exit status: 0 success, 1 the ledger failed verification, 2 usage or I/O error.
// This main only parses arguments and calls library code (src/audit).
#include <CLI/CLI.hpp>

#include <cstdio>
#include <fstream>
#include <iostream>

#include "audit/call_links.h"
#include "audit/query.h"
#include "audit/render.h"
#include "audit/stats.h"
#include "audit/verify.h"
#include "common/progress.h"
#include "store/rocks_event_log.h"

namespace {

using namespace callledger;

constexpr int kExitFailed = 1;
constexpr int kExitError = 2;

int Fail(const std::string& cmd, const Status& s) {
  std::fprintf(stderr, "ledger-audit %s: %s\n", cmd.c_str(), s.message().c_str());
  return kExitError;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "ledger-audit: read, verify and export the raw event history of a call-ledger "
      "ledger. Exit status: 0 ok, 1 verification failed, 2 error."};
  app.require_subcommand(1);
  std::string ledger_dir;
  app.add_option("--ledger", ledger_dir, "Ledger directory")->required();

  auto* verify = app.add_subcommand(
      "verify", "Recompute the hash chain, check seqs are dense and every record decodes");

  audit::LogFilter filter;
  std::uint64_t from_seq = 1, to_seq = UINT64_MAX, limit = UINT64_MAX;
  std::string since, until, type, channel, kind;
  bool as_json = false;
  auto* log_cmd = app.add_subcommand("log", "List records, filtered");
  log_cmd->add_option("--from-seq", from_seq, "First seq");
  log_cmd->add_option("--to-seq", to_seq, "Last seq");
  log_cmd->add_option("--since", since,
                      "Event time at or after (ISO 8601 with offset, or YYYY-MM-DD UTC)");
  log_cmd->add_option("--until", until, "Event time before (same formats)");
  log_cmd->add_option("--type", type, "ARI event type, e.g. StasisStart");
  log_cmd->add_option("--kind", kind,
                      "Record kind: ari_event, gap, reconcile, malformed, note, cel");
  log_cmd->add_option("--channel", channel, "Only records that mention this channel id");
  log_cmd->add_option("--limit", limit, "At most this many records");
  log_cmd->add_flag("--json", as_json, "One JSON object per line instead of a table");

  std::string call_id;
  bool call_json = false;
  auto* call_cmd = app.add_subcommand(
      "call", "Every record of one call: its channel and the channels linked to it, in seq order");
  call_cmd->add_option("ID", call_id, "A channel id, or a call id from the Stasis arguments")
      ->required();
  call_cmd->add_flag("--json", call_json, "One JSON object per line instead of a table");

  std::uint64_t ex_from = 1, ex_to = UINT64_MAX;
  std::string ex_out;
  auto* export_cmd = app.add_subcommand(
      "export", "Write the frames (ari_event and malformed payloads) byte for byte, one per line");
  export_cmd->add_option("--from-seq", ex_from, "First seq");
  export_cmd->add_option("--to-seq", ex_to, "Last seq");
  export_cmd->add_option("-o,--output", ex_out, "Output file (default: standard output)");
  bool ex_all_kinds = false;
  export_cmd->add_flag("--all-kinds", ex_all_kinds,
                       "Also write the gap, reconcile and note records, in seq order, each as one "
                       "{\"call_ledger_record\":...} line (a fixture ledger-replay reads back)");

  bool stats_json = false;
  auto* stats_cmd =
      app.add_subcommand("stats", "Counts by kind and type, time and seq range, size");
  stats_cmd->add_flag("--json", stats_json, "As one JSON object");

  CLI11_PARSE(app, argc, argv);

  store::RocksOptions options;
  options.mode = store::OpenMode::kReadOnly;
  auto opened = store::RocksEventLog::Open(ledger_dir, options);
  const std::string cmd = app.get_subcommands().front()->get_name();
  if (!opened.ok()) return Fail(cmd, opened.status());
  const EventLog& log = *opened.value();

  if (verify->parsed()) {
    cli::ProgressBar bar("verifying", log.Head().seq.value, "records");
    auto report = audit::VerifyLedger(log, [&](Seq reached, Seq) { bar.Update(reached.value); });
    bar.Finish();
    if (!report.ok()) return Fail(cmd, report.status());
    const double rate =
        report->seconds > 0 ? static_cast<double>(report->records) / report->seconds : 0;
    if (!report->ok()) {
      std::printf("verify %s: %s\n", ledger_dir.c_str(), report->Summary().c_str());
      return kExitFailed;
    }
    std::printf("verify %s: %s (%.0f records/s)\n", ledger_dir.c_str(), report->Summary().c_str(),
                rate);
    return 0;
  }

  if (log_cmd->parsed()) {
    filter.from_seq = Seq{from_seq};
    filter.to_seq = Seq{to_seq};
    filter.limit = limit;
    if (!type.empty()) filter.event_type = type;
    if (!channel.empty()) filter.channel = channel;
    if (!kind.empty()) {
      filter.kind = RecordKindFromName(kind);
      if (!filter.kind)
        return Fail(cmd, InvalidInput("--kind: unknown record kind '" + kind + "'"));
    }
    std::int64_t t = 0;
    if (!since.empty()) {
      if (!cli::ParseTimeArg(since, &t))
        return Fail(cmd, InvalidInput("--since: not a date-time with offset: " + since));
      filter.since_us = t;
    }
    if (!until.empty()) {
      if (!cli::ParseTimeArg(until, &t))
        return Fail(cmd, InvalidInput("--until: not a date-time with offset: " + until));
      filter.until_us = t;
    }
    audit::RecordTable table(std::cout);
    Status s = audit::QueryLog(log, filter, [&](const Record& r) {
      if (as_json) {
        std::cout << audit::RecordJsonLine(r) << '\n';
      } else {
        table.Row(r);
      }
      return static_cast<bool>(std::cout);
    });
    if (!s.ok()) return Fail(cmd, s);
    return 0;
  }

  if (call_cmd->parsed()) {
    auto history = audit::CollectCall(log, call_id);
    if (!history.ok()) return Fail(cmd, history.status());
    if (!call_json) std::cout << audit::RenderCallHeader(*history) << '\n';
    audit::RecordTable table(std::cout);
    Status s = audit::VisitSeqs(log, history->seqs, [&](const Record& r) {
      if (call_json) {
        std::cout << audit::RecordJsonLine(r) << '\n';
      } else {
        table.Row(r);
      }
      return true;
    });
    if (!s.ok()) return Fail(cmd, s);
    return 0;
  }

  if (export_cmd->parsed()) {
    std::ofstream file;
    std::ostream* out = &std::cout;
    if (!ex_out.empty()) {
      file.open(ex_out, std::ios::binary | std::ios::trunc);
      if (!file) return Fail(cmd, Unavailable("cannot write " + ex_out));
      out = &file;
    }
    auto counts = audit::ExportPayloads(
        log, Seq{ex_from}, Seq{ex_to}, *out,
        ex_all_kinds ? audit::ExportKinds::kAll : audit::ExportKinds::kFrames);
    if (!counts.ok()) return Fail(cmd, counts.status());
    out->flush();
    if (ex_all_kinds) {
      std::fprintf(stderr, "exported %llu frames and %llu gap/reconcile/note/cel records",
                   static_cast<unsigned long long>(counts->written),
                   static_cast<unsigned long long>(counts->records));
    } else {
      std::fprintf(stderr, "exported %llu frames (%llu gap/reconcile/note/cel records not frames",
                   static_cast<unsigned long long>(counts->written),
                   static_cast<unsigned long long>(counts->skipped_other_kinds));
    }
    if (counts->truncated > 0) {
      std::fprintf(stderr, "%s%llu malformed frames were stored truncated",
                   ex_all_kinds ? " (" : "; ", static_cast<unsigned long long>(counts->truncated));
    }
    std::fprintf(stderr, "%s\n", !ex_all_kinds || counts->truncated > 0 ? ")" : "");
    return 0;
  }

  if (stats_cmd->parsed()) {
    auto st = audit::ComputeStats(log);
    if (!st.ok()) return Fail(cmd, st.status());
    std::cout << (stats_json ? audit::RenderStatsJson(*st) + "\n" : audit::RenderStatsText(*st));
    return 0;
  }
  return kExitError;
}
