"""What the chaos run proves for each node, once everything has settled.

  verify     `ledger-audit verify`: the hash chain intact, seqs dense
  check      `ledger-replay check`: the table equals the ledger folded to
             its checkpoint, and the checkpoint is the ledger's head
  settled    no row of the node left `kelyapti`/`suhbatda`
  frames     the ledger's frames, matched in order against every frame
             ari-sim played (its --stream-out): none twice, none out of
             order, none that was not played; every frame missing between
             two recorded ones lies behind a gap record; behind a gap of a
             drop ("closed by Asterisk") the last frame before it is the
             drop's own frame, so nothing sent before the close was lost
  gaps       at most one gap record per connection the daemons made
  agree      the ledger's rows agree with the rows of the whole stream
             played uncut (`ledger-replay fixture --agree-with --sent`,
             the agreement rule of cut runs healed from CEL): every call
"""

import json
import subprocess

RECORD_PREFIX = '{"call_ledger_record":'


def run(args, out=None):
    """(exit status, output); with `out`, stdout goes to that file."""
    args = [str(a) for a in args]
    if out is None:
        r = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        return r.returncode, r.stdout
    with open(out, "w") as sink:
        r = subprocess.run(args, stdout=sink, stderr=subprocess.PIPE, text=True)
    return r.returncode, r.stderr


class NodeCheck:
    def __init__(self, build, node, pg):
        self.build = build
        self.node = node
        self.pg = pg
        self.results = {}   # name -> (ok, text)
        self.counts = {}

    def fail_or_pass(self, name, ok, text):
        self.results[name] = (ok, text)

    def run_all(self, drop_frames):
        n = self.node
        audit = self.build / "tools" / "ledger-audit"
        replay = self.build / "tools" / "ledger-replay"
        code, text = run([audit, "--ledger", n.ledger_dir, "verify"])
        self.fail_or_pass("verify", code == 0 and "chain intact" in text, text.strip()[-300:])

        code, text = run([replay, "check", "--ledger", n.ledger_dir, "--pg", self.pg.dsn])
        head = self.ledger_head()
        checkpoint = self.pg.sql("SELECT last_seq FROM projector_checkpoint WHERE node = '%s'"
                                 % n.name)
        ok = code == 0 and checkpoint is not None and head is not None and int(checkpoint) == head
        self.fail_or_pass("check", ok, "%s (checkpoint %s, ledger head %s)"
                          % (text.strip()[-300:], checkpoint, head))
        self.counts["records"] = head or 0

        open_rows = self.pg.sql("SELECT count(*) FROM call_logs WHERE node = '%s' AND status IN "
                                "('kelyapti', 'suhbatda')" % n.name)
        calls = self.pg.sql("SELECT count(*) FROM call_logs WHERE node = '%s'" % n.name)
        self.counts["calls"] = int(calls or 0)
        self.fail_or_pass("settled", open_rows == "0", "%s rows not settled" % open_rows)

        export = n.dir / "ledger-export.jsonl"
        code, text = run([audit, "--ledger", n.ledger_dir, "export", "--all-kinds", "-o", export])
        if code != 0:
            self.fail_or_pass("frames", False, "export failed: " + text[-300:])
            return
        self.check_frames(export, drop_frames)

        reference = n.dir / "uncut-rows.json"
        code, text = run([replay, "fixture", n.sim.stream_out, "--node", n.name], out=reference)
        if code != 0:
            self.fail_or_pass("agree", False, "the uncut run failed: " + text[-300:])
            return
        code, text = run([replay, "fixture", export, "--node", n.name, "--agree-with", reference,
                          "--sent", n.sim.stream_out])
        (n.dir / "agreement.txt").write_text(text)
        self.fail_or_pass("agree", code == 0, text.strip().splitlines()[-1] if text.strip() else "")

    def ledger_head(self):
        code, text = run([self.build / "tools" / "ledger-audit", "--ledger", self.node.ledger_dir,
                          "stats", "--json"])
        if code != 0:
            return None
        stats = json.loads(text[text.index("{"):])
        return stats.get("last_seq") or stats.get("head_seq")

    def check_frames(self, export, drop_frames):
        with open(self.node.sim.stream_out, encoding="utf-8") as f:
            sent = [line.rstrip("\n") for line in f if line.strip()]
        where = {}
        for i, line in enumerate(sent):
            where.setdefault(line, []).append(i)
        used = {}
        problems = []
        last = -1            # position of the last recorded frame in `sent`
        gaps_since = []      # reasons of the gap records since it
        gaps = frames = behind_gaps = lost_at_kills = 0
        with open(export, encoding="utf-8") as f:
            for line in f:
                line = line.rstrip("\n")
                if line.startswith(RECORD_PREFIX):
                    record = json.loads(line)["call_ledger_record"]
                    if record["kind"] == "gap":
                        gaps += 1
                        # since_us 0: the first connection of a daemon's run.
                        started = record.get("payload", {}).get("since_us") == 0
                        gaps_since.append("daemon started" if started else record["reason"])
                    continue
                frames += 1
                positions = where.get(line)
                k = used.get(line, 0)
                if not positions or k >= len(positions):
                    problems.append("frame %d of the ledger was never played%s" % (
                        frames, " (or recorded twice)" if positions else ""))
                    continue
                used[line] = k + 1
                p = positions[k]
                if p <= last:
                    problems.append("frame %d played as %d recorded after frame %d" %
                                    (frames, p + 1, last + 1))
                elif p > last + 1:
                    missing = p - last - 1
                    if not gaps_since:
                        problems.append("frames %d..%d missing without a gap record" %
                                        (last + 2, p))
                    elif not any("daemon started" in g for g in gaps_since):
                        if last + 1 not in drop_frames:
                            problems.append("frames %d..%d missing behind a gap (%s) that "
                                            "follows frame %d, not a drop's frame" %
                                            (last + 2, p, gaps_since[-1], last + 1))
                        behind_gaps += missing
                    else:
                        lost_at_kills += missing
                    last = p
                else:
                    last = p
                gaps_since = []
        self.counts.update(frames=frames, played=len(sent), gap_records=gaps,
                           missed_in_drops=behind_gaps, missed_at_restarts=lost_at_kills)
        connections = self.node.daemon.count_in_logs("Connected to Asterisk ARI WebSocket")
        self.counts["connections"] = connections
        self.fail_or_pass("gaps", 0 < gaps <= connections,
                          "%d gap records for %d connections" % (gaps, connections))
        self.fail_or_pass("frames", not problems, "; ".join(problems[:5]) or
                          "%d recorded of %d played, in order, each once" % (frames, len(sent)))
