"""Start gunicorn as in production (bound to loopback on a free port) and watch its workers'
memory through /proc."""

from __future__ import annotations

import contextlib
import http.client
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _status_kb(pid: int, key: str) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError, ValueError):
        return None
    return None


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
        # pid (comm) state ppid ...: comm may contain spaces, so split after the last ')'.
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid == pid:
            found.append(int(entry.name))
    return sorted(found)


@dataclass
class Server:
    name: str
    app: str
    env: dict
    workers: int = 2
    worker_class: str = "sync"
    threads: int = 4
    port: int = 0
    process: subprocess.Popen | None = None
    log_path: Path | None = None
    _log: object = None
    started_in: float = 0.0
    _launched: float = 0.0

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, log_dir: Path, ready_path: str = "/", timeout: float = 60) -> Server:
        return self.launch(log_dir).wait_ready(ready_path, timeout)

    def launch(self, log_dir: Path) -> Server:
        """Start gunicorn without waiting (servers of one run start side by side)."""
        self.port = free_port()
        gunicorn = Path(sys.executable).with_name("gunicorn")
        command = [
            str(gunicorn),
            "--workers",
            str(self.workers),
            "--worker-class",
            self.worker_class,
            "--bind",
            f"127.0.0.1:{self.port}",
            "--timeout",
            "120",
            "--graceful-timeout",
            "5",
            "--log-level",
            "warning",
            "--chdir",
            str(ROOT),
        ]
        if self.worker_class == "gthread":
            command += ["--threads", str(self.threads)]
        command.append(self.app)
        log_dir.mkdir(parents=True, exist_ok=True)
        self.log_path = log_dir / f"gunicorn-{self.name}-{self.worker_class}.log"
        self._log = self.log_path.open("w")
        env = {**os.environ, **self.env}
        self.process = subprocess.Popen(
            command,
            env=env,
            cwd=ROOT,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self._launched = time.monotonic()
        return self

    def wait_ready(self, ready_path: str = "/", timeout: float = 60) -> Server:
        began = self._launched
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn {self.name} exited: {self.log_tail()}")
            if len(self.worker_pids()) >= self.workers and self._answers(ready_path):
                # Every worker imports the app on its own: let each one answer once.
                for _ in range(self.workers * 4):
                    self._answers(ready_path)
                self.started_in = time.monotonic() - began
                return self
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"gunicorn {self.name} did not start: {self.log_tail()}")

    def _answers(self, path: str) -> bool:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            conn.request("GET", path)
            conn.getresponse().read()
            conn.close()
            return True
        except OSError:
            return False

    def log_tail(self, n: int = 2000) -> str:
        if self.log_path and self.log_path.exists():
            return self.log_path.read_text()[-n:]
        return ""

    def worker_pids(self) -> list[int]:
        return children(self.process.pid) if self.process else []

    def reset_peaks(self) -> None:
        """Reset VmHWM (peak RSS) of every worker: `echo 5 > /proc/<pid>/clear_refs`."""
        for pid in self.worker_pids():
            with contextlib.suppress(OSError):
                Path(f"/proc/{pid}/clear_refs").write_text("5")

    def rss_kb(self) -> dict[int, int]:
        return {pid: _status_kb(pid, "VmRSS") or 0 for pid in self.worker_pids()}

    def peaks_kb(self) -> dict[int, int]:
        return {pid: _status_kb(pid, "VmHWM") or 0 for pid in self.worker_pids()}

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGINT)  # gunicorn: quick shutdown
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=5)
        if self._log:
            self._log.close()
        self.process = None


@dataclass
class MemorySampler:
    """Sample the workers' RSS every `interval` seconds while a scenario runs."""

    server: Server
    interval: float = 0.05
    samples: list = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def __enter__(self) -> MemorySampler:
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.is_set():
            self.samples.append(self.server.rss_kb())
            self._stop.wait(self.interval)

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(timeout=5)

    def max_kb(self) -> int:
        return max((max(s.values(), default=0) for s in self.samples), default=0)


@contextlib.contextmanager
def private_redis(folder: Path | None = None, timeout: float = 10.0):
    """A throw-away redis-server on a free loopback port, nothing written to disk; yields its
    URL once it accepts connections, and stops it afterwards. Used by the benchmark and by the
    tests that need a real Redis (RQ jobs, the Redis cache backend)."""
    port = free_port()
    command = [
        "redis-server",
        "--bind",
        "127.0.0.1",
        "--port",
        str(port),
        "--save",
        "",
        "--appendonly",
        "no",
    ]
    if folder is not None:
        command += ["--dir", str(folder)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + timeout
        while True:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("redis-server did not start")
            time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=10)
