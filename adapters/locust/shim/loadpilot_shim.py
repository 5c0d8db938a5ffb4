"""loadpilot's shim inside Locust: loaded as a second locustfile
(`locust -f USER_LOCUSTFILE,loadpilot_shim.py`), never imported by the user's code.

It connects to the loadpilot `locust` tool plugin on LOADPILOT_SHIM_ADDR
(127.0.0.1:PORT), streams every request of events.request to it in batches,
and follows the targets the plugin sends: users and spawn rate (closed model),
or an offered request rate (open model), which it reaches by pacing tasks
through one process-wide schedule and by steering the number of users.
Without LOADPILOT_SHIM_ADDR it does nothing, so plain Locust can load it.

Wire format (little endian), both ways framed as u32 length + u8 kind + payload:
  shim -> plugin  H hello (JSON)   N name (u32 id + UTF-8 "METHOD name")
                  S samples (u32 n, then columns: f64 start s, f64 response ms,
                    u64 bytes, u32 name id, i32 status, u8 outcome)
                  T status (JSON)  B bye (all samples sent)
  plugin -> shim  C control (JSON: users, spawn_rate, rate, auto_users, stop)
Columns instead of JSON per sample: packing a batch costs a few list
comprehensions, not a json.dumps per request (see bench/locust_overhead).
"""

import json
import logging
import math
import os
import socket
import struct
import sys
import time
from array import array
from collections import deque

import gevent
from gevent.event import Event
from locust import events
from locust.exception import StopUser
from locust.runners import MasterRunner, WorkerRunner
from locust.user.task import LOCUST_STATE_RUNNING, LOCUST_STATE_STOPPING, LOCUST_STATE_WAITING, TaskSet

ADDR = os.environ.get("LOADPILOT_SHIM_ADDR", "")
TOKEN = os.environ.get("LOADPILOT_SHIM_TOKEN", "")
FLUSH_S = 0.1  # a batch leaves at least this often...
FLUSH_COUNT = 500  # ...or as soon as it holds this many samples
STATUS_S = 0.2
MAX_LAG_S = 0.05  # pacing catches up at most this much after a stall

OK, HTTP_ERROR, TIMEOUT, CONNECT_ERROR, OTHER_ERROR = 0, 1, 2, 3, 4
log = logging.getLogger("loadpilot.shim")

for code in ("d", "Q", "I", "i", "B"):
    assert array(code).itemsize == {"d": 8, "Q": 8, "I": 4, "i": 4, "B": 1}[code]
if sys.byteorder != "little":
    raise RuntimeError("loadpilot shim: the wire format assumes a little-endian machine")


def frame(kind, payload):
    return struct.pack("<IB", len(payload) + 1, ord(kind)) + payload


def outcome_of(exception, status):
    """Maps a Locust request's result to the host's lp_outcome."""
    if exception is None:
        return OK
    if status and status > 0:
        return HTTP_ERROR
    name = type(exception).__name__.lower() + " " + str(exception).lower()[:200]
    if "timeout" in name or "timed out" in name:
        return TIMEOUT
    if "connect" in name or "refused" in name or "reset" in name or "unreachable" in name:
        return CONNECT_ERROR
    return OTHER_ERROR


class Pacer:
    """One schedule for every user of this process. A paced user queues for its
    turn; one dispatcher greenlet lets the next one go every
    (requests per task) / rate seconds. A user killed while queued leaves the
    queue without using a turn, and a rate change applies to the next turn.
    rate None: no pacing (the user's own wait_time applies); 0: hold everyone."""

    def __init__(self):
        self.rate = None
        self.changed = Event()
        self.arrived = Event()
        self.queue = deque()
        self.per_task = 1.0  # requests per task, measured (EWMA)
        self.busy_s = 0.01  # time a task keeps its user busy, measured (EWMA)
        self.greenlet = None

    def set_rate(self, rate):
        rate = None if rate is None or rate < 0 else float(rate)
        if rate == self.rate:
            return
        self.rate = rate
        self.changed.set()
        if self.greenlet is None:
            self.greenlet = gevent.spawn(self.dispatch)

    def task_rate(self):
        return self.rate / max(self.per_task, 1e-3) if self.rate else 0.0

    def wait_turn(self):
        if self.rate is None:
            return
        turn = Event()
        self.queue.append(turn)
        self.arrived.set()
        try:
            turn.wait()
        finally:
            if not turn.is_set():  # killed while queued
                try:
                    self.queue.remove(turn)
                except ValueError:
                    pass

    def release(self):
        if not self.queue:
            return False
        self.queue.popleft().set()
        return True

    def dispatch(self):
        """Runs for the life of the process; every pass sleeps or releases a user."""
        due = time.monotonic()
        for _ in range(10**12):  # bounded in count; ends with the process
            self.changed.clear()
            if self.rate is None:
                while self.release():
                    pass
                self.changed.wait(1.0)
                continue
            if self.rate <= 0:
                self.changed.wait(1.0)
                due = time.monotonic()
                continue
            now = time.monotonic()
            if due > now:
                self.changed.wait(due - now)
                continue  # a changed rate is used for this very turn
            if not self.queue:
                self.arrived.clear()
                self.arrived.wait(0.1)
                due = max(due, time.monotonic() - MAX_LAG_S)
                continue
            self.release()
            due = max(due, now - MAX_LAG_S) + 1.0 / self.task_rate()


class Shim:
    def __init__(self, environment):
        self.env = environment
        self.runner = environment.runner
        self.role = (
            "master"
            if isinstance(self.runner, MasterRunner)
            else "worker" if isinstance(self.runner, WorkerRunner) else "local"
        )
        self.sock = None
        self.names = {}
        self.new_names = []
        self.batch = []
        self.full = Event()
        self.pacer = Pacer()
        self.target_users = None
        self.spawn_rate = 100.0
        self.auto_users = False
        self.min_users = 1
        self.max_users = 1000
        self.applied_users = None
        self.lower_since = None
        self.requests = 0
        self.tasks = 0
        self.stopping = False
        self.sent_bye = False

    # ---------------------------------------------------------------- wire
    def connect(self):
        host, port = ADDR.rsplit(":", 1)
        self.sock = socket.create_connection((host, int(port)), timeout=10)
        self.sock.settimeout(None)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        hello = {"token": TOKEN, "role": self.role, "pid": os.getpid()}
        if self.role == "worker":
            hello["worker"] = os.environ.get("LOADPILOT_WORKER_INDEX", "")
        self.send(frame("H", json.dumps(hello).encode()))

    def send(self, data):
        try:
            self.sock.sendall(data)
        except OSError as e:
            log.error("loadpilot shim: lost the host (%s); quitting", e)
            self.sock = None
            gevent.spawn(self.runner.quit)

    def on_request(self, request_type, name, response_time, response_length, exception=None,
                   start_time=None, response=None, **_):
        key = f"{request_type} {name}"
        nid = self.names.get(key)
        if nid is None:
            nid = self.names[key] = len(self.names)
            self.new_names.append((nid, key))
        rt = float(response_time or 0.0)
        status = getattr(response, "status_code", 0) or 0
        if start_time is None:
            start_time = time.time() - rt / 1000.0
        self.batch.append((start_time, rt, int(response_length or 0), nid, int(status),
                           outcome_of(exception, status)))
        self.requests += 1
        if len(self.batch) >= FLUSH_COUNT:
            self.full.set()

    def flush(self):
        out = []
        for nid, key in self.new_names:
            out.append(frame("N", struct.pack("<I", nid) + key.encode("utf-8", "replace")))
        self.new_names = []
        batch, self.batch = self.batch, []
        if batch:
            payload = struct.pack("<I", len(batch)) + b"".join((
                array("d", [s[0] for s in batch]).tobytes(),
                array("d", [s[1] for s in batch]).tobytes(),
                array("Q", [s[2] for s in batch]).tobytes(),
                array("I", [s[3] for s in batch]).tobytes(),
                array("i", [s[4] for s in batch]).tobytes(),
                array("B", [s[5] for s in batch]).tobytes(),
            ))
            out.append(frame("S", payload))
        if out and self.sock is not None:
            self.send(b"".join(out))

    def status(self):
        st = {"users": self.runner.user_count, "state": self.runner.state, "role": self.role,
              "per_task": round(self.pacer.per_task, 3), "busy_s": round(self.pacer.busy_s, 5),
              "need": self.users_for_rate()}
        if self.role == "master":
            st["workers"] = self.runner.worker_count
            st["missing"] = [w.id for w in self.runner.clients.missing]
        return frame("T", json.dumps(st).encode())

    def flusher(self):
        last_status = 0.0
        while self.sock is not None and not self.sent_bye:
            self.full.wait(FLUSH_S)
            self.full.clear()
            self.flush()
            now = time.monotonic()
            if now - last_status >= STATUS_S and self.sock is not None:
                last_status = now
                self.measure()
                self.steer_users()
                self.send(self.status())

    def reader(self):
        buf = b""
        while self.sock is not None:
            try:
                data = self.sock.recv(65536)
            except OSError:
                data = b""
            if not data:
                log.error("loadpilot shim: the host closed the connection; quitting")
                self.sock = None
                self.runner.quit()
                return
            buf += data
            while len(buf) >= 5:
                (size,) = struct.unpack_from("<I", buf)
                if len(buf) < 4 + size:
                    break
                kind, payload = buf[4:5], buf[5:4 + size]
                buf = buf[4 + size:]
                if kind == b"C":
                    self.control(json.loads(payload))

    # ------------------------------------------------------------- control
    def control(self, c):
        if "spawn_rate" in c and c["spawn_rate"] is not None and c["spawn_rate"] > 0:
            self.spawn_rate = float(c["spawn_rate"])
        self.min_users = int(c.get("min_users", self.min_users))
        self.max_users = int(c.get("max_users", self.max_users))
        self.auto_users = bool(c.get("auto_users", self.auto_users))
        if "rate" in c:
            if c["rate"] is not None:
                self.install_pacing()
            self.pacer.set_rate(c["rate"])
        if c.get("users") is not None and c["users"] >= 0:
            self.target_users = int(c["users"])
        if c.get("stop"):
            self.stop()
            return
        self.steer_users(immediate=True)

    def measure(self):
        """Requests per task over the last interval, for the pacing schedule."""
        if self.tasks >= 5:
            ratio = self.requests / self.tasks
            self.pacer.per_task = 0.7 * self.pacer.per_task + 0.3 * ratio
            self.requests = self.tasks = 0
        elif self.tasks == 0 and self.requests > 1000:
            self.requests = 0  # tasks that never end: keep the estimate

    def users_for_rate(self):
        """Users the offered rate needs (Little's law on measured task time), with headroom."""
        need = self.pacer.task_rate() * self.pacer.busy_s * 1.5 + 2
        return max(self.min_users, min(self.max_users, int(math.ceil(need))))

    def steer_users(self, immediate=False):
        if self.role == "worker" or self.stopping:
            return
        want = self.target_users
        if self.auto_users and self.pacer.rate is not None:
            need = self.users_for_rate()
            applied = self.applied_users or 0
            # Grow with 20 % to spare, so small swings of the measured task
            # time start no users (each start runs on_start unpaced); shrink
            # below 70 % of the users, after 2 s, or at once on a new target.
            if need > applied:
                need = min(self.max_users, int(math.ceil(need * 1.2)))
            elif need >= 0.7 * applied:
                need = applied
            want = need if want is None else max(want, need)
        if want is None or want == self.applied_users:
            self.lower_since = None
            return
        if self.applied_users is not None and want < self.applied_users and not immediate:
            if self.lower_since is None:
                self.lower_since = time.monotonic()
                return
            if time.monotonic() - self.lower_since < 2.0:
                return
        self.lower_since = None
        self.applied_users = want
        gevent.spawn(self.runner.start, want, self.spawn_rate)

    def stop(self):
        self.stopping = True
        if self.role != "worker":
            self.runner.stop()
        self.pacer.set_rate(None)  # lets queued users go, so they can stop
        self.flush()
        if self.sock is not None:
            self.send(self.status() + frame("B", b""))
        self.sent_bye = True

    def install_pacing(self):
        """Wraps TaskSet's task loop, on the first rate only: the closed model
        runs Locust's own code untouched (no cost per task)."""
        if getattr(TaskSet, "_loadpilot_paced", False):
            return
        wait, execute = TaskSet.wait, TaskSet.execute_next_task
        TaskSet.wait = lambda ts: self.paced_wait(ts, wait)
        TaskSet.execute_next_task = lambda ts: self.paced_execute(ts, execute)
        TaskSet._loadpilot_paced = True

    def paced_execute(self, taskset, original):
        """In the open model every task, the first included, waits for its turn."""
        if self.pacer.rate is None:
            return original(taskset)
        user = taskset.user
        if user._state == LOCUST_STATE_STOPPING:
            raise StopUser()
        now = time.monotonic()
        released = getattr(user, "_loadpilot_released", None)
        if released is not None:  # the user was busy since its last turn
            self.pacer.busy_s = 0.99 * self.pacer.busy_s + 0.01 * (now - released)
        self.tasks += 1
        user._state = LOCUST_STATE_WAITING  # stoppable at once while it waits
        self.pacer.wait_turn()
        if user._state == LOCUST_STATE_STOPPING:
            raise StopUser()
        user._state = LOCUST_STATE_RUNNING
        user._loadpilot_released = time.monotonic()
        return original(taskset)

    def paced_wait(self, taskset, original):
        """The pacing replaces the locustfile's wait_time in the open model."""
        if self.pacer.rate is None:
            return original(taskset)
        if taskset.user._state == LOCUST_STATE_STOPPING:
            raise StopUser()


_shim = None


@events.init.add_listener
def _on_init(environment, **_kw):
    global _shim
    if not ADDR or environment.runner is None:
        return
    _shim = Shim(environment)
    _shim.connect()
    if _shim.role != "master":
        environment.events.request.add_listener(_shim.on_request)
    gevent.spawn(_shim.flusher)
    gevent.spawn(_shim.reader)


@events.quitting.add_listener
def _on_quitting(environment, **_kw):
    if _shim is not None and not _shim.sent_bye and _shim.sock is not None:
        _shim.flush()
        _shim.send(_shim.status() + frame("B", b""))
        _shim.sent_bye = True
