// fuzz_record_seeds OUT_DIR FIXTURE...: the seed corpus of the record
// target. Each line of each fixture (an ARI frame, or a daemon record line)
// is encoded as the ledger stores it, chained to the one before, and
// written to OUT_DIR as a file of its own: real record bytes of every kind
// for libFuzzer to corrupt.
#include <cstdio>
#include <fstream>
#include <string>

#include "ari/frame_record.h"
#include "payload/record_line.h"
#include "record/record_codec.h"

using namespace callledger;

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s OUT_DIR FIXTURE...\n", argv[0]);
    return 2;
  }
  const std::string out_dir = argv[1];
  ari::FrameParser parser;
  RecordEncoder encoder;
  Sha256Digest hash{};
  std::uint64_t seq = 0;
  for (int i = 2; i < argc; ++i) {
    std::ifstream in(argv[i]);
    if (!in) {
      std::fprintf(stderr, "cannot read %s\n", argv[i]);
      return 1;
    }
    for (std::string line; std::getline(in, line);) {
      RecordDraft draft;
      if (payload::IsRecordLine(line)) {
        auto parsed = payload::ParseRecordLine(line);
        if (!parsed.ok()) continue;  // a fixture's bad line is no seed
        draft = std::move(parsed).value();
      } else {
        draft = ari::DraftFromFrame(parser, line, 1'795'684'558'000'000);
      }
      const Sha256Digest prev = hash;
      const std::string bytes = encoder.Encode(draft, Seq{++seq}, "seed", prev, &hash);
      std::ofstream out(out_dir + "/record-" + std::to_string(seq), std::ios::binary);
      out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
      if (!out) {
        std::fprintf(stderr, "cannot write to %s\n", out_dir.c_str());
        return 1;
      }
    }
  }
  std::printf("%llu record seeds in %s\n", static_cast<unsigned long long>(seq), out_dir.c_str());
  return 0;
}
