#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets (tests/fuzz) from fixtures/.

Usage: tools/scripts/fuzz-seeds.py BUILD_DIR
Into BUILD_DIR/corpus/<target>/, one seed per file, named by its content's
hash (so rerunning adds nothing twice). The record target's seeds are made
by BUILD_DIR/tests/fuzz/fuzz_record_seeds (fixture lines encoded as the
ledger stores them). Nothing here is checked in: the corpora are rebuilt from
fixtures/ whenever fuzz.sh runs.
"""
import glob
import hashlib
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# Sizes that keep the corpora quick to load: libFuzzer mutates small seeds best.
MAX_CEL_LINES = 400
# The projector target encodes and projects its input twice: seeds are the
# first lines of each fixture (a call's start, often its answer), not whole files.
PROJECTOR_SEED_LINES = 24

SAMPLE_ENV = """ARI_URL=http://127.0.0.1:8088
ARI_USER=ledger
ARI_PASSWORD="s3cret # not a comment"
NODE_NAME=pbx1
DATABASE_URL=postgresql://ledger@127.0.0.1/calls
HTTP_LISTEN=127.0.0.1:8080
LOG_LEVEL=info
# a comment
export PBX_TIMEZONE='Asia/Tashkent'
"""
ENV_SEPARATOR = "\n#--env--\n"  # tests/fuzz/config_fuzz.cc

HTTP_SEEDS = [
    "/api/calls\n\n\nGET",
    "/api/calls?direction=kiruvchi&limit=2\nBearer secret-token\napplication/json\n",
    "/api/calls?number=%2B99890*&status=yakunlandi&answered=true\n\n\n",
    "/api/calls?number=998901234567&status=suhbatda&recorded=true\n\n\n",
    "/api/calls?since=2026-11-26T00:00:00%2B05:00&until=2026-11-27T00:00:00Z&min_duration=5\n\n\n",
    "/api/calls?end_reason=gap&evidence=cel&recorded=false\n\n\n",
    "/api/calls?cursor=AAZhKmt8AxAAAAANMTc5NTY4NDY4MC43N3BieC0x&limit=1\n\n\n",
    "/api/calls.csv?direction=chiquvchi\n\ntext/csv\n",
    "/api/calls?format=csv&access_token=secret-token\n\n\n",
    "/api/calls/call-1\nBearer wrong\n\n",
    "/api/calls/call-1/events\n\n\n",
    "/api/live?node=pbx1\n\n\n",
    "/api/stats?period=today&service_level=30\n\n\n",
    "/api/stats?since=2026-11-26&until=2026-11-27\n\n\n",
    "/api/missed?since=2026-11-26\n\n\nPOST",
]


def write_seed(directory, data):
    if isinstance(data, str):
        data = data.encode()
    name = hashlib.sha1(data).hexdigest()
    with open(os.path.join(directory, name), "wb") as f:
        f.write(data)


def lines_of(pattern):
    for path in sorted(glob.glob(os.path.join(ROOT, pattern))):
        with open(path, encoding="utf-8", errors="surrogateescape") as f:
            for line in f:
                yield line.rstrip("\n")


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    build = os.path.abspath(sys.argv[1])
    corpus = os.path.join(build, "corpus")
    targets = ["frame", "cel_line", "record", "payloads", "config", "http", "projector"]
    dirs = {t: os.path.join(corpus, t) for t in targets}
    for d in dirs.values():
        os.makedirs(d, exist_ok=True)

    # Every distinct frame of the first captures (asterisk/).
    frames = set()
    for pattern in ["fixtures/asterisk/*.call-center.jsonl", "fixtures/asterisk/*.observer.jsonl"]:
        frames.update(lines_of(pattern))
    for frame in sorted(frames):
        write_seed(dirs["frame"], frame.encode("utf-8", "surrogateescape"))

    # CEL lines: the first of each file, then every n-th up to the cap.
    cel = sorted(set(lines_of("fixtures/asterisk-cel/*.cel.jsonl")))
    step = max(1, len(cel) // MAX_CEL_LINES)
    for line in cel[::step]:
        write_seed(dirs["cel_line"], line)

    # The daemon's records in recorded/ and handmade/: whole lines, and their
    # payloads as the records hold them.
    for pattern in ["fixtures/recorded/*.jsonl", "fixtures/handmade/*.jsonl"]:
        for line in lines_of(pattern):
            if not line.startswith('{"call_ledger_record":'):
                continue
            write_seed(dirs["payloads"], line)
            payload = json.loads(line)["call_ledger_record"].get("payload")
            if payload is not None:
                write_seed(dirs["payloads"], json.dumps(payload, separators=(",", ":")))

    # The sample configuration, alone and with a .env.
    with open(os.path.join(ROOT, "docs/config.sample.toml"), encoding="utf-8") as f:
        toml = f.read()
    write_seed(dirs["config"], toml)
    write_seed(dirs["config"], toml + ENV_SEPARATOR + SAMPLE_ENV)
    write_seed(dirs["config"], ENV_SEPARATOR + SAMPLE_ENV)

    for request in HTTP_SEEDS:
        write_seed(dirs["http"], request)

    # The heads of fixtures: real calls, with gap, reconcile and note records.
    for pattern in ["fixtures/asterisk/*.call-center.jsonl", "fixtures/asterisk/*.observer.jsonl",
                    "fixtures/recorded/*.jsonl", "fixtures/handmade/*.jsonl"]:
        for path in sorted(glob.glob(os.path.join(ROOT, pattern))):
            with open(path, "rb") as f:
                head = b"".join(line for _, line in zip(range(PROJECTOR_SEED_LINES), f))
            write_seed(dirs["projector"], head)
    write_seed(dirs["projector"], "#0\n#1\n#2\n#3\n#4\n#5\n#6\n#7\n#8\n#9\n#10\n#11\n#12")

    seeds = [os.path.join(ROOT, p) for p in ["fixtures/asterisk/a-inbound-answered.call-center.jsonl",
                                             "fixtures/recorded/b-abandoned-ends-in-gap.observer.jsonl"]]
    subprocess.run([os.path.join(build, "tests/fuzz/fuzz_record_seeds"), dirs["record"], *seeds],
                   check=True, stdout=subprocess.DEVNULL)

    for t in targets:
        print(f"{t}: {len(os.listdir(dirs[t]))} seeds")


if __name__ == "__main__":
    main()
