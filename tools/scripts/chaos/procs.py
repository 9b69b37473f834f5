"""The chaos run's processes: one private PostgreSQL, and per node an
ari-sim (the PBX) and the call-ledgerd that records it. Loopback only:
PostgreSQL listens on a Unix socket in the run's directory, ari-sim and the
daemons on 127.0.0.1 with ports the kernel picks."""

import os
import pwd
import re
import shutil
import signal
import subprocess
import time
import urllib.request

DAEMON_CONFIG = """\
# The chaos run's daemon settings (docs/reliability.md says why).
[ari]
reconnect_initial_ms = 50
reconnect_max_ms = 1000
[cel]
settle_ms = 1000
"""


def as_postgres():
    """PostgreSQL refuses to run as root: run its programs as `postgres` then."""
    if os.getuid() != 0:
        return []
    pwd.getpwnam("postgres")  # KeyError: no such user
    return ["runuser", "-u", "postgres", "--"]


def pg_bin():
    found = sorted(d for d in os.listdir("/usr/lib/postgresql") if d.isdigit())
    if not found:
        raise SystemExit("chaos: no PostgreSQL server binaries under /usr/lib/postgresql")
    return "/usr/lib/postgresql/%s/bin" % found[-1]


class Postgres:
    def __init__(self, root):
        self.dir = root / "pg"
        self.data = self.dir / "data"
        self.bin = pg_bin()
        self.prefix = as_postgres()
        self.dsn = "host=%s port=5432 user=postgres dbname=call_ledger" % self.dir
        self.up = False

    def _run(self, *args, check=True):
        return subprocess.run(self.prefix + list(args), check=check, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True)

    def init(self):
        self.dir.mkdir(parents=True)
        os.chmod(self.dir, 0o755)
        if self.prefix:
            shutil.chown(self.dir, "postgres", "postgres")
        self._run(self.bin + "/initdb", "-D", str(self.data), "-U", "postgres",
                  "--auth=trust", "--no-sync")
        self.start()
        self._run(self.bin + "/createdb", "-h", str(self.dir), "-p", "5432", "-U", "postgres",
                  "call_ledger")

    def start(self):
        self._run(self.bin + "/pg_ctl", "-D", str(self.data), "-l", str(self.dir / "server.log"),
                  "-o", "-k %s -c listen_addresses='' -c max_connections=60" % self.dir,
                  "-w", "-t", "60", "start")
        self.up = True

    def stop(self, mode):
        """mode: fast (sessions aborted, clean stop) or immediate (a crash)."""
        self._run(self.bin + "/pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "60",
                  "stop", check=False)
        self.up = False

    def sql(self, query):
        r = self._run("/usr/bin/psql", "-h", str(self.dir), "-p", "5432", "-U", "postgres",
                      "-d", "call_ledger", "-At", "-c", query, check=False)
        return r.stdout.strip() if r.returncode == 0 else None

    def terminate_daemons(self):
        """pg_terminate_backend of every session of the daemons' database."""
        got = self.sql("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                       "WHERE datname = 'call_ledger' AND pid <> pg_backend_pid() "
                       "AND backend_type = 'client backend'")
        return int(got) if got else 0


class Sim:
    """ari-sim: one node's PBX, realtime, restamped, with its cuts."""

    def __init__(self, build, node_dir, load, cel, info, drops, lead_in_ms):
        self.log = node_dir / "ari-sim.log"
        self.stream_out = node_dir / "sent.jsonl"
        self.cel_out = node_dir / "cel.jsonl"
        args = [str(build / "tools" / "ari-sim"), "--listen", "127.0.0.1:0", "--realtime",
                "--restamp", "--lead-in-ms", str(lead_in_ms), "--info", str(info),
                "--cel", str(cel), "--cel-out", str(self.cel_out),
                "--stream-out", str(self.stream_out)]
        for frame, gap in drops:
            args += ["--drop-at", str(frame), "--gap", str(gap)]
        args.append(str(load))
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=open(self.log, "w"),
                                     text=True)
        line = self.proc.stdout.readline()
        m = re.match(r"listening on (\S+)", line)
        if not m:
            raise SystemExit("chaos: ari-sim did not start: %s" % self.log.read_text()[-2000:])
        self.address = m.group(1)

    def log_text(self):
        return self.log.read_text(errors="replace")

    def ended(self):
        text = self.log_text()
        return "stream ended" in text and "CEL: all " in text

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=30)


class Daemon:
    """The node's call-ledgerd runs, one after another (each kill, a new one)."""

    def __init__(self, build, node_dir, name, ledger_dir, sim, dsn):
        self.binary = str(build / "src" / "call-ledgerd")
        self.dir = node_dir
        self.name = name
        self.ledger_dir = ledger_dir
        self.config = node_dir / "daemon.toml"
        self.config.write_text(DAEMON_CONFIG)
        self.env = dict(os.environ, ARI_URL="http://" + sim.address, ARI_USER="backend",
                        ARI_PASSWORD="CallCenter2025", DATABASE_URL=dsn,
                        LEDGER_DIR=str(ledger_dir), NODE_NAME=name,
                        HTTP_LISTEN="127.0.0.1:0", CEL_FILE=str(sim.cel_out))
        self.env.pop("PBX_TIMEZONE", None)
        self.runs = 0
        self.proc = None
        self.exits = []  # (run, how it was stopped, exit status)

    def log(self, run=None):
        return self.dir / ("daemon.%d.log" % (run or self.runs))

    def start(self):
        self.runs += 1
        self.proc = subprocess.Popen([self.binary, "--config", str(self.config)], env=self.env,
                                     stdout=subprocess.DEVNULL, stderr=open(self.log(), "w"))

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def kill(self):
        """SIGKILL; True if it was running."""
        if not self.alive():
            self._reap("died")
            return False
        self.proc.send_signal(signal.SIGKILL)
        self._reap("SIGKILL")
        return True

    def terminate(self, timeout=60):
        if not self.alive():
            self._reap("died")
            return None
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        return self._reap("SIGTERM")

    def _reap(self, how):
        if self.proc is None:
            return None
        status = self.proc.wait()
        self.exits.append((self.runs, how, status))
        self.proc = None
        return status

    def http(self):
        m = re.search(r"http listening on (\S+)", self.log().read_text(errors="replace"))
        return m.group(1) if m else None

    def ledger_head(self):
        address = self.http()
        if not address:
            return None
        try:
            with urllib.request.urlopen("http://%s/metrics" % address, timeout=5) as r:
                text = r.read().decode()
        except OSError:
            return None
        m = re.search(r"^call_ledger_ledger_head_seq (\d+)", text, re.M)
        return int(m.group(1)) if m else None

    def count_in_logs(self, text):
        return sum(self.log(run).read_text(errors="replace").count(text)
                   for run in range(1, self.runs + 1))


def wait_until(predicate, timeout, step=0.2):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(step)
    return predicate()
