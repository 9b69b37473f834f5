"""The chaos run's faults, all drawn from one seed so a failing run can be
replayed: ARI drops per node (given to ari-sim before it starts), and a
timetable of daemon kills, PostgreSQL outages, a full ledger disk and a
rebuild, in seconds after the streams start."""

import bisect

KILL_STYLES = ("batch", "gap", "reconcile", "pg_retry", "shutdown")
PG_MODES = ("fast", "immediate", "terminate")


def plan_drops(rng, offsets_ms, stream_s, count):
    """`count` drops (frame, gap frames, drop s, resume s) spread over the stream.

    The stream is cut into `count` slots and each drop falls at a random
    moment of its own slot, its gap (0.05-3 s of frames never sent) inside it.
    """
    drops = []
    slot = (stream_s - 20) / count
    for k in range(count):
        t = 10 + k * slot + rng.uniform(0, slot * 0.5)
        lost_s = rng.uniform(0.05, min(3.0, slot * 0.4))
        first = bisect.bisect_right(offsets_ms, t * 1000)  # frames due up to t
        last = bisect.bisect_right(offsets_ms, (t + lost_s) * 1000)
        if first < 1 or first >= len(offsets_ms):
            continue
        drops.append((first, last - first, offsets_ms[first - 1] / 1000,
                      offsets_ms[min(last, len(offsets_ms) - 1)] / 1000))
    return drops


def plan_outages(rng, stream_s, count):
    """`count` PostgreSQL outages (start s, length s, mode), one per slot."""
    slot = (stream_s - 10) / count
    outages = []
    for k in range(count):
        length = rng.uniform(1, min(60, slot * 0.7))
        start = 5 + k * slot + rng.uniform(0, slot - length - 1)
        outages.append((start, length, PG_MODES[k % len(PG_MODES)]))
    return outages


def plan_kills(rng, stream_s, count, nodes, drops, outages):
    """`count` kills (s, node, style), the styles in turn, each aimed at its
    moment: during a batch (any time), a gap (while the node's PBX is away
    after a drop), a reconcile (just after the PBX is back), a PostgreSQL
    retry (during an outage) and a shutdown (SIGTERM, then SIGKILL)."""
    kills = []
    for k in range(count):
        style = KILL_STYLES[k % len(KILL_STYLES)]
        node = rng.randrange(nodes)
        if style == "gap" and drops[node]:
            _, _, down, up = rng.choice(drops[node])
            t = rng.uniform(down, max(down + 0.05, up))
        elif style == "reconcile" and drops[node]:
            _, _, _, up = rng.choice(drops[node])
            t = up + rng.uniform(0.2, 0.9)  # the lead-in: snapshot and reconcile
        elif style == "pg_retry":
            start, length, _ = rng.choice(outages)
            t = rng.uniform(start + 0.5, start + max(0.6, length - 0.2))
        else:
            t = rng.uniform(3, stream_s - 3)
        kills.append((min(t, stream_s - 1), node, style))
    kills.sort()
    return kills


def plan_disk_full(rng, stream_s, count):
    """`count` episodes (start s, length s) of the full disk, one per slot."""
    slot = stream_s / (count + 1)
    return [((k + 0.5) * slot + rng.uniform(0, slot / 2), rng.uniform(5, min(20, slot / 3)))
            for k in range(count)]
