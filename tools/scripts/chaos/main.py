#!/usr/bin/env python3
"""chaos: three PBXes into one PostgreSQL, with a hundred faults on top.

Usage: tools/scripts/chaos.sh [--duration SECONDS] [--seed N] [--dir DIR] [--build DIR]

Each node is an ari-sim playing a long stream made of a real capture
(load.py) in realtime, as a PBX does (it does not wait for a daemon that
is away), with Asterisk's CEL log written as its time comes, and a
call-ledgerd recording it into its own ledger, all three projecting into
one PostgreSQL. Meanwhile, at moments drawn from the seed it prints, the
run kills daemons (SIGKILL, in a batch, a gap, a reconcile, a PostgreSQL
retry and a shutdown) and restarts them after a pause, stops PostgreSQL
(fast, immediate) or terminates the daemons' sessions, cuts each node's
ARI connection (ari-sim --drop-at/--gap; the PBX then refuses connections
until the gap has passed), fills one node's ledger disk (a tmpfs, when
run as root) and rebuilds one node's call log while its daemon runs. Then
it lets everything settle and checks every node (checks.py), printing one
table. Exit status 0 when every check passed. docs/reliability.md.
"""

import argparse
import heapq
import json
import multiprocessing
import os
import pathlib
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import checks  # noqa: E402
import faults  # noqa: E402
import load  # noqa: E402
import procs  # noqa: E402
from table import print_table  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[3]
CAPTURE = ROOT / "fixtures/asterisk-cel/p-burst-80.observer.jsonl"
CAPTURE_CEL = ROOT / "fixtures/asterisk-cel/p-burst-80.cel.jsonl"
INFO = ROOT / "fixtures/asterisk-cel/a-inbound-answered.api-asterisk-info.json"
NODES = ("pbx-a", "pbx-b", "pbx-c")
SPACING_MS = 5000     # copy r of the capture starts r * 5 s after copy 0
LEAD_IN_MS = 500      # ari-sim's pause after a subscription: the snapshot first
# Of --duration: making the streams and starting everything, then (after
# the faults) catching up, stopping and checking; both grow with the
# streams' length (measured: ~25 us per frame and node to make, ~35 to check).
def setup_seconds(duration):
    return 30 + duration // 10


def settle_seconds(duration):
    return 60 + duration // 8
DISK_FULL_NODE = 2


class Node:
    def __init__(self, index, name, root):
        self.index = index
        self.name = name
        self.dir = root / name
        self.dir.mkdir(parents=True)
        self.ledger_dir = self.dir / "ledger"
        self.fs = None


def make_load(args):
    index, node_dir, copies = args
    return load.write_load(CAPTURE, CAPTURE_CEL, pathlib.Path(node_dir), index + 1, copies,
                           SPACING_MS)


def say(text):
    print(time.strftime("%H:%M:%S ") + text, flush=True)


class Run:
    def __init__(self, options):
        self.opt = options
        self.rng = random.Random(options.seed)
        self.root = pathlib.Path(options.dir or tempfile.mkdtemp(prefix="call-ledger-chaos."))
        self.root.mkdir(parents=True, exist_ok=True)
        # The streams, what ari-sim played, the ledgers and their exports
        # stay in the directory: up to about 9 MB a second of run (a 1,200 s
        # run left 8.5 GB). A full disk half way would fail the run.
        need = options.duration * 9 * 2**20
        free = shutil.disk_usage(self.root).free
        if free < need:
            raise SystemExit("chaos: %s has %.1f GB free; a %d s run leaves about %.1f GB there "
                             "(free some, or give --dir on a larger disk)"
                             % (self.root, free / 2**30, options.duration, need / 2**30))
        self.build = self.copy_binaries(pathlib.Path(options.build))
        self.started = time.monotonic()
        self.stream_s = (options.duration - setup_seconds(options.duration) -
                         settle_seconds(options.duration))
        if self.stream_s < 60:
            raise SystemExit("chaos: --duration %d leaves no minute for the faults (give 200 or more)" % options.duration)
        self.nodes = [Node(i, name, self.root) for i, name in enumerate(NODES)]
        self.pg = procs.Postgres(self.root)
        self.events = []      # (s, what happened) for the log
        self.injected = {}    # fault kind -> count
        self.failures = []    # (step, what)

    def copy_binaries(self, build):
        """The run's own copy of the programs: a rebuild meanwhile cannot
        change the daemon that the next restart starts."""
        copy = self.root / "bin"
        for part in ("src/call-ledgerd", "tools/ari-sim", "tools/ledger-replay",
                     "tools/ledger-audit"):
            (copy / part).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(build / part, copy / part)
        return copy

    def count(self, kind, n=1):
        self.injected[kind] = self.injected.get(kind, 0) + n

    # --- set-up -----------------------------------------------------------
    def make_streams(self):
        copies = int((self.stream_s - load.stream_seconds(CAPTURE)) * 1000 // SPACING_MS) + 1
        with multiprocessing.Pool(2) as pool:
            made = pool.map(make_load, [(n.index, str(n.dir), copies) for n in self.nodes])
        for node, (frames, cel_lines, seconds) in zip(self.nodes, made):
            node.frames, node.seconds = frames, seconds
            node.offsets = load.frame_offsets_ms(node.dir / "load.jsonl")
            say("%s: %d frames, %d CEL lines, %.0f s (%d copies of %s)" %
                (node.name, frames, cel_lines, seconds, copies, CAPTURE.name))

    def mount_disk(self, node):
        node.fs = node.dir / "fs"
        node.fs.mkdir()
        size_mb = max(256, node.frames * 2 // 1024)
        r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=%dm" % size_mb, "tmpfs",
                            str(node.fs)], stderr=subprocess.PIPE, text=True)
        if r.returncode != 0:
            say("%s: no tmpfs for the full-disk faults (%s): they are left out" %
                (node.name, r.stderr.strip() or "needs root"))
            node.fs = None
            return
        node.ledger_dir = node.fs / "ledger"

    def start(self):
        self.pg.init()
        for node in self.nodes:
            count = max(20, int(self.stream_s / 15))
            node.drops = faults.plan_drops(self.rng, node.offsets, node.seconds, count)
            if node.index == DISK_FULL_NODE:
                self.mount_disk(node)
            node.sim = procs.Sim(self.build, node.dir, node.dir / "load.jsonl",
                                 node.dir / "load.cel.jsonl", INFO,
                                 [(f, g) for f, g, _, _ in node.drops], LEAD_IN_MS)
            node.daemon = procs.Daemon(self.build, node.dir, node.name, node.ledger_dir, node.sim,
                                       self.pg.dsn)
        for node in self.nodes:
            node.daemon.start()
        self.t0 = time.monotonic()

    # --- the timetable ----------------------------------------------------
    def timetable(self):
        outages = faults.plan_outages(self.rng, self.stream_s, max(10, int(self.stream_s / 40)))
        # Some shutdowns finish before their SIGKILL: plan a quarter more.
        kills = faults.plan_kills(self.rng, self.stream_s, max(125, int(self.stream_s / 3)),
                                  len(self.nodes), [n.drops for n in self.nodes], outages)
        actions = []
        for start, length, mode in outages:
            actions.append((start, "pg_down", mode))
            actions.append((start + length, "pg_up", mode))
        for t, node, style in kills:
            actions.append((t, "kill", (node, style)))
        if self.nodes[DISK_FULL_NODE].fs:
            for start, length in faults.plan_disk_full(self.rng, self.stream_s, 2):
                actions.append((start, "disk_full", DISK_FULL_NODE))
                actions.append((start + length, "disk_free", DISK_FULL_NODE))
        actions.append((self.stream_s * self.rng.uniform(0.3, 0.6), "rebuild", 0))
        actions.sort(key=lambda a: a[0])
        return actions

    def now(self):
        return time.monotonic() - self.t0

    def play(self, actions):
        """Runs the timetable; returns the rebuild's process (still running, maybe)."""
        actions = actions + [(0.5, "watch", None)]
        queue = [(t, k, kind, what) for k, (t, kind, what) in enumerate(actions)]
        heapq.heapify(queue)
        serial = len(queue)
        later = lambda delay, kind, what: heapq.heappush(  # noqa: E731
            queue, (self.now() + delay, serial + len(queue), kind, what))
        terminating = False
        rebuild = None
        while queue:
            t, _, kind, what = heapq.heappop(queue)
            self.sleep_until(t)
            serial += 1
            if kind == "restart":
                self.nodes[what].daemon.start()
            elif kind == "watch":
                self.watch(later)
                if queue:
                    later(0.5, "watch", None)
            elif kind == "kill":
                i, style = what
                d = self.nodes[i].daemon
                if not d.alive():
                    later(0.5, kind, what)  # not back yet
                    continue
                if style == "shutdown":
                    d.proc.send_signal(signal.SIGTERM)
                    time.sleep(self.rng.uniform(0.001, 0.06))  # a shutdown takes ~0.1 s
                killed = d.kill()
                if style == "pg_retry" and self.pg.up and not terminating:
                    style = "batch"  # the outage ended first
                self.count("kill: " + style if killed else "SIGTERM: stopped before the SIGKILL")
                later(self.rng.uniform(0.2, 3.0), "restart", i)
            elif kind == "pg_down":
                self.count("PostgreSQL: " + what)
                if what == "terminate":
                    terminating = True
                    later(0, "terminate", None)
                else:
                    self.pg.stop(what)
                say("PostgreSQL down (%s)" % what)
            elif kind == "terminate" and terminating:
                self.pg.terminate_daemons()
                later(0.25, "terminate", None)
            elif kind == "pg_up":
                if what == "terminate":
                    terminating = False
                else:
                    self.pg.start()
                say("PostgreSQL up")
            elif kind == "disk_full":
                self.fill(self.nodes[what])
            elif kind == "disk_free":
                self.free(self.nodes[what])
            elif kind == "rebuild":
                if not self.pg.up or terminating:
                    later(2.0, kind, what)  # an operator runs it with the database up
                    continue
                node = self.nodes[what]
                say("%s: ledger-replay rebuild while its daemon runs" % node.name)
                rebuild = subprocess.Popen(
                    [str(self.build / "tools/ledger-replay"), "rebuild", "--ledger",
                     str(node.ledger_dir), "--pg", self.pg.dsn], stdout=subprocess.PIPE,
                    stderr=subprocess.STDOUT, text=True)
                self.rebuild_node = node
        return rebuild

    def watch(self, later):
        """A daemon that exited by itself is restarted a second later, as
        systemd's Restart=on-failure would; only a full ledger disk may
        explain it (it cannot open the ledger then, or RocksDB could not
        resume it in the same process: docs/operations.md, 5c)."""
        for node in self.nodes:
            d = node.daemon
            if d.proc is None or d.alive():
                continue
            log = d.log()
            d.kill()  # reaps it
            text = log.read_text(errors="replace")
            if node.fs is not None and "cannot be resumed in this process" in text:
                self.count("daemon exits: ledger not resumable in-process (restarted)")
            elif node.fs is not None and "No space left on device" in text:
                self.count("daemon exits while the disk was full (restarted)")
            else:
                self.failures.append((node.name, "a daemon exited by itself (%s): %s" %
                                      (log, text.strip().splitlines()[-1:] or "")))
            later(1.0, "restart", node.index)

    def sleep_until(self, t):
        delay = t - self.now()
        if delay > 0:
            time.sleep(delay)

    def fill(self, node):
        st = os.statvfs(node.fs)
        free = st.f_bavail * st.f_frsize
        with open(node.fs / "filler", "wb") as f:
            f.truncate(0)
        subprocess.run(["fallocate", "-l", str(free), str(node.fs / "filler")],
                       stderr=subprocess.DEVNULL)
        self.count("disk full")
        say("%s: ledger disk full (%d MB taken)" % (node.name, free >> 20))

    def free(self, node):
        (node.fs / "filler").unlink(missing_ok=True)
        say("%s: ledger disk has space again" % node.name)

    # --- the end ----------------------------------------------------------
    def settle(self, rebuild):
        for node in self.nodes:
            if not node.daemon.alive():
                node.daemon.start()
        if not self.pg.up:
            self.pg.start()
        if rebuild is not None:
            out, _ = rebuild.communicate(timeout=300)
            self.count("rebuild during the run")
            if rebuild.returncode != 0 and "PostgreSQL" in out:
                # An outage began during it: as an operator would, run it again.
                self.count("rebuild run again after an outage")
                rerun = subprocess.run(rebuild.args, stdout=subprocess.PIPE,
                                       stderr=subprocess.STDOUT, text=True, timeout=300)
                out = rerun.stdout
                rebuild = rerun
            if rebuild.returncode != 0:
                self.failures.append(("rebuild of " + self.rebuild_node.name, out[-400:]))
        # The streams end when the faults do; what is left is the settle time.
        deadline = self.started + self.opt.duration - settle_seconds(self.opt.duration) + 30
        for node in self.nodes:
            if not procs.wait_until(node.sim.ended, max(5, deadline - time.monotonic())):
                self.failures.append((node.name, "ari-sim's stream did not end in time"))
        for node in self.nodes:
            d = node.daemon
            log = lambda: d.log().read_text(errors="replace")  # noqa: E731
            procs.wait_until(lambda: log().count("CEL: recorded ") +
                             log().count("could not be read whole") >=
                             log().count("Connected to Asterisk ARI WebSocket") > 0, 30)
            cp = lambda: self.pg.sql("SELECT last_seq FROM projector_checkpoint "  # noqa: E731
                                     "WHERE node = '%s'" % node.name)
            if not procs.wait_until(lambda: d.ledger_head() is not None and
                                    cp() == str(d.ledger_head()), 60):
                self.failures.append((node.name, "PostgreSQL did not catch up with the ledger"))
            status = d.terminate()
            if status != 0:
                self.failures.append((node.name, "the last daemon exited %s on SIGTERM" % status))
        for node in self.nodes:
            node.sim.stop()

    def check(self):
        results = []
        for node in self.nodes:
            c = checks.NodeCheck(self.build, node, self.pg)
            c.run_all({f for f, _, _, _ in node.drops})
            c.counts["drops"] = len(node.drops)
            c.counts["daemon runs"] = node.daemon.runs
            c.counts["refused"] = node.sim.log_text().count("the PBX is away")
            results.append(c)
        return results

    def cleanup(self):
        if self.pg.up:
            self.pg.stop("fast")
        for node in self.nodes:
            if node.fs:
                subprocess.run(["umount", str(node.fs)])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=int, default=600,
                        help="seconds the whole run may take (default 600)")
    parser.add_argument("--seed", type=int, default=None, help="replay a run (default: random)")
    parser.add_argument("--dir", help="where the run's files go (default: a new /tmp directory)")
    parser.add_argument("--build", default=str(ROOT / "build"), help="the build directory")
    options = parser.parse_args()
    if options.seed is None:
        options.seed = random.SystemRandom().randrange(1, 2**31)
    say("chaos: seed %d, duration %d s (replay: tools/scripts/chaos.sh --seed %d --duration %d)"
        % (options.seed, options.duration, options.seed, options.duration))
    run = Run(options)
    say("chaos: files in %s" % run.root)
    try:
        run.make_streams()
        run.start()
        say("chaos: streams started; faults for %.0f s" % run.stream_s)
        rebuild = run.play(run.timetable())
        say("chaos: faults done (%s); settling" % json.dumps(run.injected))
        run.settle(rebuild)
        results = run.check()
    finally:
        run.cleanup()
    ok = print_table(options.seed, options.duration, run.injected, results, run.failures)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
