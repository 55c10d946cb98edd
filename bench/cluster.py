"""Pieces shared by the runs that start the packaged service against a store of their own (bench/recovery.py,
bench/chaos.py): a free loopback port, a private PostgreSQL cluster (Debian's binaries, as the postgres user when run
as root), a copy of the packaged app (so that a rebuild meanwhile does not change what runs), and packaged instances
that can be started, SIGKILLed, paused (SIGSTOP) and resumed, each in a process group of its own with its worker
processes. Whatever is started here is stopped by Reaper at exit, on SIGTERM or SIGHUP, and on an error. Standard
library only."""
import atexit
import json
import os
import shutil
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
APP = os.path.join(ROOT, "target", "quarkus-app")
JAR = os.path.join(APP, "quarkus-run.jar")
JAVA = os.path.join(os.environ.get("JAVA_HOME", "/usr/lib/jvm/temurin-25-jdk-amd64"), "bin", "java")
PG_BIN = next((d for d in ("/usr/lib/postgresql/17/bin", "/usr/lib/postgresql/16/bin", "/usr/lib/postgresql/15/bin")
               if os.path.exists(os.path.join(d, "postgres"))), None)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url, timeout=10):
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return json.load(r)


def copy_app(dest):
    """A copy of target/quarkus-app under dest; answers its quarkus-run.jar."""
    target = os.path.join(dest, "quarkus-app")
    shutil.copytree(APP, target)
    return os.path.join(target, "quarkus-run.jar")


class Reaper:
    """Stops what a run started, once, however the run ends: at exit, on SIGTERM/SIGHUP (turned into SystemExit so
    that finally blocks run too), or when called. Things are stopped newest first."""

    _stops = []
    _lock = threading.Lock()
    _installed = False

    @classmethod
    def add(cls, stop):
        with cls._lock:
            if stop not in cls._stops:
                cls._stops.append(stop)
            if not cls._installed:
                cls._installed = True
                atexit.register(cls.run)
                if threading.current_thread() is threading.main_thread():
                    for sig in (signal.SIGTERM, signal.SIGHUP):
                        signal.signal(sig, cls._signalled)
        return stop

    @classmethod
    def remove(cls, stop):
        with cls._lock:
            if stop in cls._stops:
                cls._stops.remove(stop)

    @classmethod
    def _signalled(cls, signum, frame):
        # a second signal (a process group's TERM, then timeout(1)'s own) must not cut the cleanup short
        for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
            signal.signal(sig, signal.SIG_IGN)
        raise SystemExit(128 + signum)

    @classmethod
    def run(cls):
        with cls._lock:
            stops, cls._stops = cls._stops[::-1], []
        for stop in stops:
            try:
                stop()
            except Exception:  # noqa: BLE001 - the others must still be stopped
                pass


class Postgres:
    """A PostgreSQL cluster of its own in workdir/pg, on a free loopback port, user fanout, trust authentication."""

    def __init__(self, workdir, max_connections=200):
        if PG_BIN is None:
            raise SystemExit("no PostgreSQL server binaries under /usr/lib/postgresql/*/bin")
        self.dir = os.path.join(workdir, "pg")
        self.port = free_port()
        self.max_connections = max_connections
        self.as_pg = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        self.started = False
        self.pid = None

    @property
    def url(self):
        return f"jdbc:postgresql://127.0.0.1:{self.port}/postgres"

    def start(self):
        os.makedirs(self.dir)
        if self.as_pg:
            shutil.chown(self.dir, "postgres")
        subprocess.run(self.as_pg + [f"{PG_BIN}/initdb", "-D", f"{self.dir}/data", "--auth=trust", "-U", "fanout",
                                     "-E", "UTF8", "--no-sync"], check=True, stdout=subprocess.DEVNULL)
        Reaper.add(self.stop)
        subprocess.run(self.as_pg + [f"{PG_BIN}/pg_ctl", "-D", f"{self.dir}/data", "-l", f"{self.dir}/log", "-w", "-o",
                                     f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 "
                                     f"-c max_connections={self.max_connections}", "start"],
                       check=True, stdout=subprocess.DEVNULL)
        self.started = True
        with open(f"{self.dir}/data/postmaster.pid") as f:
            self.pid = int(f.readline())
        return self

    def psql(self, sql, timeout=60):
        """Runs sql straight on the database (not through any proxy); answers the rows, fields split on '|'."""
        out = subprocess.run(["psql", "-h", self.dir, "-p", str(self.port), "-U", "fanout", "-d", "postgres", "-A",
                              "-t", "-q", "-X", "-v", "ON_ERROR_STOP=1", "-c", sql],
                             check=True, capture_output=True, text=True, timeout=timeout).stdout
        return [line.split("|") for line in out.splitlines() if line]

    def stop(self):
        if self.started:
            self.started = False
            subprocess.run(self.as_pg + [f"{PG_BIN}/pg_ctl", "-D", f"{self.dir}/data", "-m", "immediate", "stop"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60)
            try:  # pg_ctl could not stop it (its data directory gone, say): the postmaster's immediate shutdown
                os.kill(self.pid, signal.SIGQUIT)
            except ProcessLookupError:
                pass
        Reaper.remove(self.stop)


class Instance:
    """One packaged instance: started, SIGKILLed, paused, started again on the same ports and settings. It runs in a
    process group of its own with its worker processes, so that a kill or a pause reaches them too. Readiness is read
    from the management interface (-Dquarkus.management.port, always given) when it answers, else from the main port."""

    def __init__(self, name, workdir, settings, jar=JAR, heap="-Xmx1g"):
        self.name, self.workdir, self.settings, self.jar, self.heap = name, workdir, settings, jar, heap
        self.port = free_port()
        self.management_port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.proc = None
        self.starts = 0
        self.log_path = None

    def start(self, timeout=180):
        """Starts the instance and waits until it is ready; answers the seconds it took."""
        self.starts += 1
        self.log_path = os.path.join(self.workdir, f"{self.name}-{self.starts}.log")
        t0 = time.perf_counter()
        with open(self.log_path, "w") as log:
            self.proc = subprocess.Popen([JAVA, self.heap, f"-Dquarkus.http.port={self.port}",
                                          f"-Dquarkus.management.port={self.management_port}",
                                          "-Dfanout.auth.enabled=false", *self.settings, "-jar", self.jar],
                                         cwd=self.workdir, stdout=log, stderr=subprocess.STDOUT,
                                         start_new_session=True)
        Reaper.add(self.stop)
        deadline = t0 + timeout
        while time.perf_counter() < deadline:
            if self.ready():
                return time.perf_counter() - t0
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited at start; see {self.log_path}")
            time.sleep(0.05)
        raise RuntimeError(f"{self.name} not ready after {timeout} s; see {self.log_path}")

    def management(self, path, timeout=5):
        """GET of a /q/ path: on the management port when it answers, else on the main port. Answers (status, body)
        or raises OSError when neither answers."""
        last = None
        for base in (f"http://127.0.0.1:{self.management_port}", self.base):
            try:
                with urllib.request.urlopen(base + path, timeout=timeout) as r:
                    return r.status, r.read()
            except urllib.error.HTTPError as e:
                return e.code, e.read()
            except (urllib.error.URLError, OSError) as e:
                last = e
        raise last if isinstance(last, OSError) else OSError(str(last))

    def health(self, timeout=5):
        """The readiness document, or None when the instance does not answer."""
        try:
            status, body = self.management("/q/health/ready", timeout)
            return json.loads(body)
        except (OSError, ValueError):
            return None

    def ready(self, timeout=2):
        h = self.health(timeout)
        return h is not None and h.get("status") == "UP"

    def running_batches(self):
        """How many batches this instance runs now (its readiness data), or None when it does not answer."""
        h = self.health(3)
        if h is None:
            return None
        for check in h.get("checks", []):
            data = check.get("data") or {}
            if "runningBatches" in data:
                return int(data["runningBatches"])
        return None

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def logged(self, text):
        with open(self.log_path) as f:
            return text in f.read()

    def _signal_group(self, sig):
        try:
            os.killpg(self.proc.pid, sig)
        except ProcessLookupError:
            pass

    def kill(self):
        """SIGKILL of the instance and its worker processes."""
        self._signal_group(signal.SIGKILL)
        self.proc.wait()

    def pause(self):
        self._signal_group(signal.SIGSTOP)

    def resume(self):
        self._signal_group(signal.SIGCONT)

    def stop(self):
        if self.proc is not None:
            self._signal_group(signal.SIGKILL)
            self.proc.wait()
        Reaper.remove(self.stop)
