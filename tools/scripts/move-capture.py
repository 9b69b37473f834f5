#!/usr/bin/env python3
"""Moves an ARI capture and its CEL log forward in time, for the demo.

Usage: move-capture.py --frame N --speed F --lead-in-ms L STREAM CEL OUTDIR

The daemon takes a gap's CEL window on its own clock (docs/operations.md,
section 5a): from cel.margin_ms (5 s) before it lost the connection to the
gap's reconcile. A capture keeps the times of the day it was recorded, so
none of its CEL lines would fall in a window the daemon takes today. This
moves every time of both files forward by one whole number of seconds: the
ARI timestamps ("timestamp", "creationtime": any string value of the form
2026-12-07T16:45:04.806+0500) and CEL's "eventtime" (epoch seconds with
microseconds). The shift is chosen so that frame N is stamped at, or up to
a second before, the moment ari-sim plays it when its stream starts now:
ari-sim --realtime starts the stream L ms after the first client subscribes
and plays frame N (T(N) - T(1)) / F seconds later, T(i) being the latest
timestamp of frames 1..i. The client subscribes a moment after this runs,
so frame N comes that moment after its stamp; it must be less than about
4 s for the lines around frame N to fall in the daemon's window.

Everything else stays byte for byte: ids, the order of lines, and the
calls' durations and time differences to the microsecond (ARI's stamps stay
CEL's times cut to milliseconds). Writes OUTDIR/<name of STREAM> and
OUTDIR/<name of CEL>; prints the shift in seconds.
"""

import argparse
import datetime
import json
import math
import os
import re
import sys
import time

# An ARI time as a whole JSON string: local time, milliseconds, offset.
ARI_TIME = re.compile(r'"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(\.\d+[+-]\d{2}:?\d{2})"')
ARI_TIME_FORMAT = "%Y-%m-%dT%H:%M:%S"
CEL_TIME = re.compile(r'"eventtime":"(\d+)\.(\d{6})"')


def ari_epoch(text):
    """Seconds since the epoch of an ARI timestamp such as 2026-12-07T16:45:04.806+0500."""
    return datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%f%z").timestamp()


def frame_times(stream):
    """T(i) of every frame (non-empty line) of a capture, as ari-sim paces them."""
    times, latest = [], None
    with open(stream, encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            try:
                stamp = json.loads(line).get("timestamp")
                t = ari_epoch(stamp) if stamp else None
            except (ValueError, AttributeError):
                t = None  # not JSON or no timestamp: goes right after the frame before it
            if t is not None and (latest is None or t > latest):
                latest = t
            times.append(latest)
    return times


def move_ari(match, seconds):
    moved = datetime.datetime.strptime(match.group(1), ARI_TIME_FORMAT)
    moved += datetime.timedelta(seconds=seconds)
    return '"' + moved.strftime(ARI_TIME_FORMAT) + match.group(2) + '"'


def move_cel(match, seconds):
    return '"eventtime":"%d.%s"' % (int(match.group(1)) + seconds, match.group(2))


def move_file(source, target, seconds):
    # Bytes in, bytes out: only the matched times change.
    with open(source, encoding="utf-8", newline="") as f:
        text = f.read()
    text = ARI_TIME.sub(lambda m: move_ari(m, seconds), text)
    text = CEL_TIME.sub(lambda m: move_cel(m, seconds), text)
    with open(target, "w", encoding="utf-8", newline="") as f:
        f.write(text)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--frame", type=int, required=True, help="frame N, numbered from 1")
    parser.add_argument("--speed", type=float, required=True, help="ari-sim --speed")
    parser.add_argument("--lead-in-ms", type=int, required=True, help="ari-sim --lead-in-ms")
    parser.add_argument("stream")
    parser.add_argument("cel")
    parser.add_argument("outdir")
    args = parser.parse_args()

    times = frame_times(args.stream)
    if not 1 <= args.frame <= len(times) or times[0] is None or times[args.frame - 1] is None:
        sys.exit("move-capture: %s has no timestamped frame %d" % (args.stream, args.frame))
    first, cut = times[0], times[args.frame - 1]
    played_at = time.time() + args.lead_in_ms / 1000 + (cut - first) / args.speed
    seconds = math.floor(played_at - cut)
    for source in (args.stream, args.cel):
        move_file(source, os.path.join(args.outdir, os.path.basename(source)), seconds)
    print(seconds)


if __name__ == "__main__":
    main()
