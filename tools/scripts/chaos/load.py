"""A long stream for one node of the chaos run, made of a real capture.

The capture (fixtures/asterisk-cel/p-burst-80: 80 calls in 15.5 s, 7,275
observer frames and 4,895 CEL lines from a real Asterisk) is played many
times at once: copy r of it starts r * spacing ms after copy 0, so that a
few copies overlap and the node sees a steady load of calls. Each copy is
a new set of calls, as if Asterisk had made them:
  - channel ids (`<epoch>.<n>`) get a new epoch part and UUIDs (bridge and
    recording ids) a new first group, unique per node and copy;
  - Local channel names (`Local/...-0000002b;1`) a new counter, unique too;
  - every ARI "timestamp"/"creationtime" and CEL "eventtime" moves by the
    copy's start, in whole milliseconds.
Nothing else changes: every other byte of every frame and CEL line is the
capture's. The copies' frames are merged in time order, each copy keeping
its own order (ari-sim paces by the latest stamp so far, so a copy's frame
stamped a little earlier than the one before it stays after it).

The result is written as <dir>/load.jsonl and <dir>/load.cel.jsonl: a
generated stream, not a capture (docs/reliability.md says how it is made).
"""

import calendar
import datetime
import heapq
import re
import time

ARI_STAMP = re.compile(r'"(timestamp|creationtime)":"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\.(\d{3})([+-]\d{4})"')
CEL_TIME = re.compile(r'"eventtime":"(\d+)\.(\d{6})"')
STAMP_FORMAT = "%Y-%m-%dT%H:%M:%S"


# One pattern for everything a copy changes, so a line is cut once.
HOLE = re.compile(
    r'(?P<stamp>"(?:timestamp|creationtime)":"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}[+-]\d{4}")'
    r'|(?P<eventtime>"eventtime":"\d+\.\d{6}")'
    r'|(?<![0-9a-f.])(?P<epoch>\d{10})(?=\.\d)'
    r'|(?<![0-9a-f.])(?P<uuid>[0-9a-f]{8})(?=-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})'
    r'|(?P<local>Local/[^";@,]+@[^";,]+?-)(?P<counter>[0-9a-f]{8})(?=;[12])')


def template(line):
    """The line as literal text and holes: (kind, value) a copy fills in."""
    parts, at = [], 0
    for m in HOLE.finditer(line):
        parts.append(line[at:m.start()])
        if m.group("stamp"):
            text = m.group("stamp")
            key, value = text[1:].split('":"', 1)
            t = datetime.datetime.strptime(value[:19], STAMP_FORMAT)
            naive_ms = calendar.timegm(t.timetuple()) * 1000 + int(value[20:23])
            parts.append(("stamp", (key, naive_ms, value[23:28])))
        elif m.group("eventtime"):
            seconds, micros = m.group("eventtime")[13:-1].split(".")
            parts.append(("eventtime", int(seconds) * 1000000 + int(micros)))
        elif m.group("epoch"):
            parts.append(("epoch", int(m.group("epoch"))))
        elif m.group("uuid"):
            parts.append(("uuid", None))
        else:
            parts.append(m.group("local"))
            parts.append(("counter", int(m.group("counter"), 16)))
        at = m.end()
    parts.append(line[at:])
    return parts


class Copy:
    """How copy `replica` of node `node` fills a line's holes."""

    def __init__(self, node, replica, spacing_ms):
        self.shift_ms = replica * spacing_ms
        self.id_epoch = (node * 1000 + replica) * 100000
        self.uuid_head = "%02x%06x" % (node, replica)
        self.name_counter = (node << 24) + (replica << 12)

    def render(self, parts):
        out = []
        for part in parts:
            if type(part) is str:
                out.append(part)
                continue
            kind, value = part
            if kind == "stamp":
                key, naive_ms, zone = value
                ms = naive_ms + self.shift_ms
                t = time.gmtime(ms // 1000)
                out.append('"%s":"%04d-%02d-%02dT%02d:%02d:%02d.%03d%s"' % (
                    key, t.tm_year, t.tm_mon, t.tm_mday, t.tm_hour, t.tm_min, t.tm_sec,
                    ms % 1000, zone))
            elif kind == "eventtime":
                us = value + self.shift_ms * 1000
                out.append('"eventtime":"%d.%06d"' % (us // 1000000, us % 1000000))
            elif kind == "epoch":
                out.append(str(value + self.id_epoch))
            elif kind == "uuid":
                out.append(self.uuid_head)
            else:
                out.append("%08x" % (value + self.name_counter))
        return "".join(out)


def frame_times_ms(frames):
    """T(i) of each frame in ms, the latest stamp up to it (ari-sim's pacing)."""
    out, latest = [], 0
    for line in frames:
        m = ARI_STAMP.search(line)
        if m:
            t = datetime.datetime.strptime(m.group(2) + m.group(4), STAMP_FORMAT + "%z")
            ms = int(t.timestamp()) * 1000 + int(m.group(3))
            latest = max(latest, ms)
        out.append(latest)
    return out


def cel_times_us(lines):
    out, latest = [], 0
    for line in lines:
        m = CEL_TIME.search(line)
        if m:
            latest = max(latest, int(m.group(1)) * 1000000 + int(m.group(2)))
        out.append(latest)
    return out


def read_lines(path):
    with open(path, encoding="utf-8") as f:
        return [line.rstrip("\n") for line in f if line.strip()]


def merged(lines, times, copies, scale):
    """The copies' lines in time order, each copy's own order kept."""
    def one(r, copy):
        for i, line in enumerate(lines):
            yield (times[i] + copy.shift_ms * scale, r, i)
    for _, r, i in heapq.merge(*(one(r, c) for r, c in enumerate(copies))):
        yield r, lines[i]


def write_load(capture, cel, out_dir, node, copies, spacing_ms):
    """Writes load.jsonl and load.cel.jsonl; returns (frames, CEL lines, seconds)."""
    frames = read_lines(capture)
    cel_lines = read_lines(cel)
    made = [Copy(node, r, spacing_ms) for r in range(copies)]
    frame_count = 0
    frame_parts = [template(line) for line in frames]
    with open(out_dir / "load.jsonl", "w", encoding="utf-8") as out:
        for r, parts in merged(frame_parts, frame_times_ms(frames), made, 1):
            out.write(made[r].render(parts) + "\n")
            frame_count += 1
    cel_parts = [template(line) for line in cel_lines]
    with open(out_dir / "load.cel.jsonl", "w", encoding="utf-8") as out:
        for r, parts in merged(cel_parts, cel_times_us(cel_lines), made, 1000):
            out.write(made[r].render(parts) + "\n")
    times = frame_times_ms(frames)
    seconds = (times[-1] - times[0] + (copies - 1) * spacing_ms) / 1000
    return frame_count, len(cel_lines) * copies, seconds


def stream_seconds(capture):
    times = frame_times_ms(read_lines(capture))
    return (times[-1] - times[0]) / 1000


def frame_offsets_ms(path):
    """For each frame of a written load, ms after its first frame (pacing)."""
    times = frame_times_ms(read_lines(path))
    return [t - times[0] for t in times]
