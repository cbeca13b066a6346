#!/usr/bin/env python3
"""Soak test of sasurai-server: hours of mixed traffic from many connections, then a verdict.

Started by scripts/soak.sh, which documents the usage. The server runs on a fresh database in
a temporary folder with --synchronous full. The scenario is made here so that every request
of the load is one the server must accept: ten towns with room to spare, one one-bed house
per host connection, one application per host connection that its host books and cancels in
turn. The connections, by default 200, are 60% freelancers, 30% hosts and 10% planners:

  freelancer  APPLY (with a request key; the 5 pending applications a freelancer may keep are
              withdrawn oldest first), WITHDRAW, APPLICATIONS of state pending, ITINERARY,
              PROFILE
  host        BOOK and CANCEL of its own application in its own house, in turn (with request
              keys), ROSTER of a month, TOWN, ACCOMMODATION LIST, SLOT LIST
  planner     STATS, PLAN LIST, WHY, PING; the first planner also starts a plan run (PLAN,
              2 seconds on a snapshot) every --plan-every seconds and polls it with PLAN SHOW

Each connection sends its requests on a schedule (the total --rate spread evenly over the
connections, each at a random phase), one at a time, and waits for each reply; when the server
falls behind, requests go out back to back. Latency is measured from the write to the whole
reply line, in this process, so it includes the client's own scheduling (under a millisecond
at the default rate). Every ERR reply is an error: none is expected.

The run is cut into windows (60 s, or 5 s for runs under 3 minutes, so that a short run's
trend line rests on several windows). The first 20% of the windows (at least one) are the
warm-up. Besides the latencies, each window shows how late the client's own event loop woke
up at worst (lag ms) and the longest WAL sync the server logged in it (sync ms: the server
runs at log level debug, which logs each fdatasync of 10 ms or more). The verdict, printed
last, passes when:
  - no request got ERR, no connection was lost, every request got its reply;
  - the server kept up: every window after the warm-up served at least 95% of --rate;
  - p99 is stable: no window after the warm-up has a p99 over twice the median p99 of those
    windows, except windows in which a WAL sync alone took longer than that (the disk
    stalled, and every durable write and every read under write load waits for the disk, in
    any durable store) or the client's event loop was that late (the client stalled), and,
    with 5-second windows, one more; and a robust trend line through
    the windows' p99s (Theil-Sen: the median of the slopes between every pair of windows)
    rises at most max(half that median, 3 ms) from the first window to the last (every p99
    taken as at least 1 ms); the medians of the first and last thirds are printed too;
  - memory is flat: the server's memory outside SQLite's heap (VmRSS less the heap SQLite
    reports in STATS {"memory": true}) at the end is at most max(16 MiB, 10%) above what it was
    at the end of the warm-up, and SQLite's heap never went over its bound (the page caches
    the server sets, 64 MiB in all, and 16 MiB for statements and schemas). VmRSS itself is
    printed too: it also grows while the caches fill, which takes longer the faster the
    database grows.
Exit status 0 when it passes, 1 when not, 2 on a usage or set-up error.
"""

import argparse
import asyncio
import datetime
import json
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

import server_process

TOWNS = 10
# A p99 that climbs by half its median over the run is a trend, not noise: work that grows
# with every request (a scan of a growing table, an unbounded WAL) climbs well past that.
TREND_RISE_ALLOWED = 0.5
# Under this a rise is the client's own noise: its event loop, sharing the machine's two cores
# with the server, wakes up 2 to 7 ms late in most 5-second windows (the lag column), and
# one-minute runs with no trend fitted lines from -0.9 to +1.9 ms.
TREND_RISE_FLOOR_MS = 3.0
HOUSES_PER_TOWN = 6
MAX_PENDING = 5
FREELANCER_SHARE, HOST_SHARE = 0.6, 0.3
# The server's page caches (writer 32 MiB, two readers 16 MiB each; Server.swift) and room for
# the checkpointer's small cache, prepared statements and schemas.
SQLITE_HEAP_BOUND_MIB = 80


def scenario(host_connections, freelancer_connections):
    towns, accommodations, slots, freelancers, applications = [], [], [], [], []
    for t in range(TOWNS):
        town = f"s{t}"
        towns.append({"id": town, "name": f"Soak town {t}", "prefecture": "Toyama", "nightly_cap": 1000,
                      "min_nights": 1, "max_nights": 30, "subsidy_per_night": 500})
        for h in range(max(HOUSES_PER_TOWN, host_connections // TOWNS + 1)):
            accommodations.append({"id": f"{town}-h{h}", "town": town, "name": f"House {t}.{h}",
                                   "kind": "guesthouse", "beds": 1, "price_per_night": 2000})
        accommodations.append({"id": f"{town}-shared", "town": town, "name": f"Shared house {t}",
                               "kind": "shared_house", "beds": 20, "price_per_night": 1000})
        slots.append({"id": f"{town}-harvest", "town": town, "title": f"Harvest {t}", "skills": [],
                      "from": "2030-03-01", "to": "2030-12-01", "seats": 10, "min_days": 1})
    for f in range(freelancer_connections):
        freelancers.append({"id": f"f{f:03d}", "name": f"Freelancer {f}", "skills": [], "relocation": "none"})
    for h in range(host_connections):
        freelancers.append({"id": f"g{h:03d}", "name": f"Guest {h}", "skills": [], "relocation": "none"})
        applications.append({"id": f"g{h:03d}-stay", "freelancer": f"g{h:03d}", "earliest": "2030-03-01",
                             "latest": "2030-12-01", "nights": 3, "towns": [f"s{h % TOWNS}"], "kinds": [],
                             "budget_per_night": 10000, "labor": "preferred", "team": None})
    return {"format": "sasurai-scenario/1", "towns": towns, "accommodations": accommodations, "slots": slots,
            "freelancers": freelancers, "applications": applications}


class SetupError(Exception):
    pass


class Client:
    """One connection: a line out, its reply line back, timed."""

    def __init__(self, reader, writer):
        self.reader, self.writer = reader, writer

    @classmethod
    async def open(cls, port, token=None):
        reader, writer = await asyncio.open_connection("127.0.0.1", port, limit=16 * 1024 * 1024)
        client = cls(reader, writer)
        if token:
            reply, _ = await client.call("AUTH " + token)
            if not reply.startswith("OK "):
                raise SetupError(f"AUTH refused: {reply}")
        return client

    async def call(self, line):
        started = time.perf_counter()
        self.writer.write(line.encode() + b"\n")
        raw = await self.reader.readline()
        elapsed = time.perf_counter() - started
        if not raw.endswith(b"\n"):
            raise ConnectionError("connection closed by the server")
        return raw[:-1].decode("utf-8", "replace"), elapsed

    async def ok(self, line):
        reply, _ = await self.call(line)
        if not reply.startswith("OK "):
            raise SetupError(f"{line[:80]}: {reply}")
        return json.loads(reply[3:])

    def close(self):
        self.writer.close()


class Window:
    def __init__(self):
        self.latencies = []
        self.errors = 0
        self.by_command = {}
        self.rss_kib = None
        self.sqlite_kib = None
        # Longest the client's own event loop was late waking up: a stall here (the client's
        # garbage collector, the machine lending its core away) shows in every latency of the
        # window without being the server's.
        self.client_lag_ms = 0.0
        # Longest WAL sync the server logged overlapping the window: the disk's own stall,
        # which every durable write and every read under write load waits for.
        self.slow_sync_ms = 0

    def percentile(self, fraction):
        if not self.latencies:
            return 0.0
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] * 1000


class Soak:
    def __init__(self, args, port, tokens, server_pid):
        self.args = args
        self.port = port
        self.tokens = tokens
        self.server_pid = server_pid
        self.window_seconds = 60 if args.minutes >= 3 else 5
        # A 60-second window averages a WAL checkpoint or a neighbour's burst on this shared
        # 2-core machine into its p99; a 5-second window does not, so a short run may have one
        # window over twice the median: one is noise, two or more are a pattern.
        self.spikes_allowed = 0 if self.window_seconds >= 60 else 1
        self.duration = args.minutes * 60
        self.windows = [Window() for _ in range(max(1, int(self.duration // self.window_seconds)))]
        self.first_errors = []
        self.lost = 0
        self.issued = 0
        self.answered = 0
        self.plan_runs = 0

    def current_window(self):
        index = int((time.monotonic() - self.start) // self.window_seconds)
        return self.windows[max(0, min(index, len(self.windows) - 1))]

    def record(self, command, reply, elapsed):
        window = self.current_window()
        window.latencies.append(elapsed)
        window.by_command.setdefault(command, []).append(elapsed)
        self.answered += 1
        if not reply.startswith("OK "):
            window.errors += 1
            if len(self.first_errors) < 10:
                self.first_errors.append(f"{command}: {reply}")

    async def watch_client_lag(self):
        while time.monotonic() < self.end:
            before = time.monotonic()
            await asyncio.sleep(0.005)
            after = time.monotonic()
            index = int((after - self.start) // self.window_seconds)
            if 0 <= index < len(self.windows):
                window = self.windows[index]
                window.client_lag_ms = max(window.client_lag_ms, (after - before - 0.005) * 1000)

    async def sample_memory(self):
        while time.monotonic() < self.end:
            await asyncio.sleep(1)
            rss = read_rss_kib(self.server_pid)
            index = int((time.monotonic() - self.start) // self.window_seconds)
            if rss is not None and index < len(self.windows):
                self.windows[index].rss_kib = rss

    async def connection(self, index, role, rng):
        token = self.tokens[role][index % len(self.tokens[role])]
        client = await Client.open(self.port, token)
        interval = self.args.connections / self.args.rate
        next_time = self.start + rng.uniform(0, interval)
        state = {"serial": 0, "pending": [], "booked": False, "plan": None, "next_plan": self.start + 5}
        try:
            while True:
                now = time.monotonic()
                if now >= self.end:
                    break
                if next_time > now:
                    await asyncio.sleep(next_time - now)
                next_time += interval
                if time.monotonic() >= self.end:
                    break
                command, line = getattr(self, role)(index, rng, state)
                self.issued += 1
                reply, elapsed = await client.call(line)
                self.record(command, reply, elapsed)
                self.after(role, command, reply, state)
        except (ConnectionError, OSError):
            self.lost += 1
        finally:
            client.close()

    def freelancer(self, index, rng, state):
        me = f"f{index:03d}"
        state["serial"] += 1
        key = f"{me}-{state['serial']}"
        draw = rng.random()
        if draw < 0.45 and (len(state["pending"]) >= MAX_PENDING or (draw < 0.2 and state["pending"])):
            application = state["pending"].pop(0)
            return "WITHDRAW", json_line("WITHDRAW", {"application": application, "request": key})
        if draw < 0.45:
            application = f"{me}-{state['serial']}"
            state["pending"].append(application)
            earliest = rng.randint(0, 200)
            towns = rng.sample([f"s{t}" for t in range(TOWNS)], rng.randint(0, 3))
            return "APPLY", json_line("APPLY", {
                "id": application, "earliest": day(earliest), "latest": day(earliest + rng.randint(7, 40)),
                "nights": rng.randint(2, 7), "towns": towns, "budget_per_night": rng.choice([2000, 5000]),
                "labor": rng.choice(["preferred", "none"]), "request": key})
        if draw < 0.75:
            return "APPLICATIONS", 'APPLICATIONS {"state": "pending"}'
        if draw < 0.9:
            return "ITINERARY", "ITINERARY"
        return "PROFILE", "PROFILE"

    def host(self, index, rng, state):
        town, house = f"s{index % TOWNS}", f"s{index % TOWNS}-h{index // TOWNS}"
        state["serial"] += 1
        key = f"h{index}-{state['serial']}"
        draw = rng.random()
        if draw < 0.2:
            if state["booked"]:
                return "CANCEL", json_line("CANCEL", {"application": f"g{index:03d}-stay", "reason": "soak",
                                                      "request": key})
            return "BOOK", json_line("BOOK", {"application": f"g{index:03d}-stay", "accommodation": house,
                                              "arrival": "2030-04-0" + str(1 + index % 9), "slot": None,
                                              "request": key})
        if draw < 0.5:
            month = rng.randint(3, 11)
            return "ROSTER", f'ROSTER {{"from": "2030-{month:02d}-01", "to": "2030-{month + 1:02d}-01"}}'
        if draw < 0.7:
            return "TOWN", "TOWN"
        if draw < 0.85:
            return "ACCOMMODATION LIST", "ACCOMMODATION LIST"
        return "SLOT LIST", "SLOT LIST"

    def planner(self, index, rng, state):
        if index == 0 and self.args.plan_every > 0:
            if state["plan"] is not None:
                return "PLAN SHOW", json_line("PLAN SHOW", {"plan": state["plan"]})
            if time.monotonic() >= state["next_plan"]:
                state["next_plan"] += self.args.plan_every
                return "PLAN", json_line("PLAN", {"seconds": 2, "seed": self.plan_runs + 1})
        draw = rng.random()
        if draw < 0.4:
            return "STATS", 'STATS {"memory": true}'
        if draw < 0.7:
            return "PLAN LIST", 'PLAN LIST {"limit": 5}'
        if draw < 0.9:
            host = rng.randrange(max(1, self.hosts))
            return "WHY", json_line("WHY", {"application": f"g{host:03d}-stay"})
        return "PING", "PING"

    def after(self, role, command, reply, state):
        if not reply.startswith("OK "):
            return
        if command == "BOOK":
            state["booked"] = True
        elif command == "CANCEL":
            state["booked"] = False
        elif command == "PLAN":
            state["plan"] = json.loads(reply[3:])["plan"]
            self.plan_runs += 1
        elif command == "STATS":
            memory = json.loads(reply[3:]).get("memory") or {}
            if memory.get("sqlite_bytes") is not None:
                self.current_window().sqlite_kib = memory["sqlite_bytes"] / 1024
        elif command == "PLAN SHOW" and json.loads(reply[3:]).get("status") != "running":
            state["plan"] = None

    async def run(self):
        connections = self.args.connections
        freelancers = self.freelancers = max(1, round(connections * FREELANCER_SHARE))
        hosts = self.hosts = max(1, round(connections * HOST_SHARE))
        planners = max(1, connections - freelancers - hosts)
        rng = random.Random(self.args.seed)
        self.start = time.monotonic() + 2
        self.start_wall = time.time() + 2
        self.end = self.start + self.duration
        tasks = [self.connection(i, "freelancer", random.Random(rng.random())) for i in range(freelancers)]
        tasks += [self.connection(i, "host", random.Random(rng.random())) for i in range(hosts)]
        tasks += [self.connection(i, "planner", random.Random(rng.random())) for i in range(planners)]
        await asyncio.gather(self.sample_memory(), self.watch_client_lag(), *tasks)


def json_line(command, parameters):
    return command + " " + json.dumps(parameters, ensure_ascii=False)


def day(offset):
    return (datetime.date(2030, 3, 1) + datetime.timedelta(days=offset)).isoformat()


def read_rss_kib(pid):
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


async def set_up(port, planner_token, connections):
    freelancers = max(1, round(connections * FREELANCER_SHARE))
    hosts = max(1, round(connections * HOST_SHARE))
    planner = await Client.open(port, planner_token)
    await planner.ok("IMPORT " + json.dumps({"scenario": scenario(hosts, freelancers)}, ensure_ascii=False))
    tokens = {"planner": [planner_token], "host": [], "freelancer": []}
    for t in range(TOWNS):
        issued = await planner.ok(json_line("TOKEN ISSUE", {"role": "host", "subject": f"s{t}"}))
        tokens["host"].append(issued["token"])
    # Host connection i acts for town i % TOWNS: the token list is indexed the same way.
    tokens["host"] = [tokens["host"][i % TOWNS] for i in range(hosts)]
    for f in range(freelancers):
        issued = await planner.ok(json_line("TOKEN ISSUE", {"role": "freelancer", "subject": f"f{f:03d}"}))
        tokens["freelancer"].append(issued["token"])
    planner.close()
    return tokens


def start_server(binary, directory):
    try:
        process, port, database, log, log_path = server_process.start_server(
            binary, directory, "soak", ["--synchronous", "full", "--max-connections", "1024"],
            # Debug logs each WAL sync that took 10 ms or more: the disk's stalls (read_slow_syncs).
            log_level=os.environ.get("SASURAI_LOG_LEVEL", "debug"))
    except server_process.ServerStartError as error:
        raise SetupError(str(error))
    # The server writes the first planner token beside a new database (docs/PROTOCOL.md).
    with open(database + ".planner-token") as handle:
        token = handle.read().strip()
    return process, port, token, database, log, log_path


def theil_sen_rise(values):
    """How much a robust trend line through `values` (one per window) rises from first to last.

    The Theil-Sen slope is the median of the slopes between every pair of windows, so up to
    about 29% of the windows can be outliers (a checkpoint, a neighbour's burst) without
    moving it; a comparison of the medians of the first and last thirds rests on a few windows
    each, and one noisy window can swing it.
    """
    slopes = [(values[j] - values[i]) / (j - i) for i in range(len(values)) for j in range(i + 1, len(values))]
    return statistics.median(slopes) * (len(values) - 1) if slopes else 0.0


def read_slow_syncs(soak, log_path):
    """Marks each window with the longest WAL sync the server logged during it (wal_sync_slow)."""
    try:
        with open(log_path, errors="replace") as log:
            lines = [line for line in log if "event=wal_sync_slow" in line]
    except OSError:
        return
    for line in lines:
        fields = dict(field.split("=", 1) for field in line.split() if "=" in field)
        try:
            ended = datetime.datetime.strptime(fields["ts"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(
                tzinfo=datetime.timezone.utc).timestamp()
            milliseconds = int(fields["ms"])
        except (KeyError, ValueError):
            continue
        first = int((ended - milliseconds / 1000 - soak.start_wall) // soak.window_seconds)
        last = int((ended - soak.start_wall) // soak.window_seconds)
        for index in range(max(0, first), min(last, len(soak.windows) - 1) + 1):
            soak.windows[index].slow_sync_ms = max(soak.windows[index].slow_sync_ms, milliseconds)


def report(soak, args, database, stopped_cleanly):
    windows = soak.windows
    warm_up = max(1, len(windows) // 5) if len(windows) > 1 else 0
    print(f"{'window':>8} {'requests':>9} {'req/s':>7} {'errors':>6} {'p50 ms':>7} {'p99 ms':>7} {'max ms':>7} "
          f"{'RSS MiB':>8} {'SQLite MiB':>10} {'lag ms':>7} {'sync ms':>7}")
    for number, window in enumerate(windows):
        label = f"{number * soak.window_seconds}-{(number + 1) * soak.window_seconds}s"
        rss = f"{window.rss_kib / 1024:.1f}" if window.rss_kib else "-"
        sqlite = f"{window.sqlite_kib / 1024:.1f}" if window.sqlite_kib else "-"
        note = "  warm-up" if number < warm_up else ""
        print(f"{label:>8} {len(window.latencies):>9} {len(window.latencies) / soak.window_seconds:>7.0f} "
              f"{window.errors:>6} {window.percentile(0.5):>7.2f} {window.percentile(0.99):>7.2f} "
              f"{window.percentile(1.0):>7.2f} {rss:>8} {sqlite:>10} {window.client_lag_ms:>7.1f} {window.slow_sync_ms or '-':>7}{note}")
    measured = windows[warm_up:] or windows
    errors = sum(w.errors for w in windows)
    p99s = [max(1.0, w.percentile(0.99)) for w in measured]
    median_p99 = statistics.median(p99s)
    worst_p99 = max(p99s)
    spike_windows = [w for w, p99 in zip(measured, p99s) if p99 > 2 * median_p99]
    # A spike is the disk's when a WAL sync in its window alone took longer than the spike
    # line (the server was waiting for fdatasync, as every durable store must), and the
    # client's when its own event loop was that late (the latencies are its own stall).
    disk_spikes = sum(1 for w in spike_windows if w.slow_sync_ms > 2 * median_p99)
    client_spikes = sum(1 for w in spike_windows if w.client_lag_ms > 2 * median_p99 and w.slow_sync_ms <= 2 * median_p99)
    spikes = len(spike_windows) - disk_spikes - client_spikes
    rss_warm = next((w.rss_kib for w in reversed(windows[:warm_up]) if w.rss_kib), None) if warm_up else None
    rss_warm = rss_warm or next((w.rss_kib for w in windows if w.rss_kib), None)
    rss_end = next((w.rss_kib for w in reversed(windows) if w.rss_kib), None)
    drift_kib = (rss_end - rss_warm) if rss_end and rss_warm else None
    sqlite_warm = next((w.sqlite_kib for w in reversed(windows[:warm_up]) if w.sqlite_kib), None) if warm_up else None
    sqlite_warm = sqlite_warm or next((w.sqlite_kib for w in windows if w.sqlite_kib), None)
    sqlite_end = next((w.sqlite_kib for w in reversed(windows) if w.sqlite_kib), None)
    sqlite_peak = max((w.sqlite_kib for w in windows if w.sqlite_kib), default=None)
    # Memory the server holds outside SQLite's heap: connections, buffers, plans, the
    # allocator's own. A leak shows here; SQLite's page caches only fill up to their bound.
    own_warm = rss_warm - sqlite_warm if rss_warm and sqlite_warm else None
    own_end = rss_end - sqlite_end if rss_end and sqlite_end else None
    own_drift_kib = own_end - own_warm if own_warm is not None and own_end is not None else None
    allowed_kib = max(16 * 1024, own_warm * 0.10) if own_warm else None
    all_latencies = sorted(l for w in measured for l in w.latencies)
    overall_p99 = all_latencies[min(len(all_latencies) - 1, int(0.99 * len(all_latencies)))] * 1000 if all_latencies else 0
    rates = [len(w.latencies) / soak.window_seconds for w in measured]
    third = max(1, len(p99s) // 3)
    early_p99, late_p99 = statistics.median(p99s[:third]), statistics.median(p99s[-third:])
    trend_rise = theil_sen_rise(p99s)
    trend_allowed = max(TREND_RISE_ALLOWED * median_p99, TREND_RISE_FLOOR_MS)
    checks = {
        "no errors": errors == 0 and soak.lost == 0 and soak.answered == soak.issued,
        "kept up: every window after the warm-up served 95% of the rate": min(rates) >= 0.95 * args.rate,
        f"p99 stable: at most {soak.spikes_allowed} windows over twice the median not explained by a disk or client stall, "
        f"a trend line rising at most max(half the median, {TREND_RISE_FLOOR_MS:g} ms) over the run":
            spikes <= soak.spikes_allowed and trend_rise <= trend_allowed,
        "memory flat: outside SQLite's heap at most max(16 MiB, 10%) above the end of the warm-up":
            own_drift_kib is not None and own_drift_kib <= allowed_kib,
        f"SQLite's heap within its bound ({SQLITE_HEAP_BOUND_MIB} MiB: page caches and statements)":
            sqlite_peak is not None and sqlite_peak <= SQLITE_HEAP_BOUND_MIB * 1024,
        "server stopped with status 0": stopped_cleanly,
    }
    database_mib = sum(os.path.getsize(p) for p in [database, database + "-wal"] if os.path.exists(p)) / 2**20
    summary = {
        "minutes": args.minutes, "connections": args.connections, "target_rate": args.rate,
        "requests": soak.answered, "issued": soak.issued, "errors": errors, "lost_connections": soak.lost,
        "first_errors": soak.first_errors, "plan_runs": soak.plan_runs,
        "p99_ms_after_warm_up": round(overall_p99, 3), "p99_ms_median_window": round(median_p99, 3),
        "p99_ms_worst_window": round(worst_p99, 3), "p99_windows_over_twice_median": len(spike_windows),
        "p99_windows_over_twice_median_during_disk_stalls": disk_spikes,
        "p99_windows_over_twice_median_during_client_stalls": client_spikes,
        "longest_slow_wal_sync_ms": max((w.slow_sync_ms for w in windows), default=0), "p99_ms_first_third": round(early_p99, 3),
        "p99_ms_last_third": round(late_p99, 3),
        "p99_ms_trend_rise": round(trend_rise, 3), "lowest_window_rate": round(min(rates), 1),
        "rss_mib_after_warm_up": rss_warm and round(rss_warm / 1024, 1), "rss_mib_end": rss_end and round(rss_end / 1024, 1),
        "rss_drift_mib": drift_kib is not None and round(drift_kib / 1024, 1),
        "sqlite_heap_mib_after_warm_up": sqlite_warm and round(sqlite_warm / 1024, 1),
        "sqlite_heap_mib_end": sqlite_end and round(sqlite_end / 1024, 1),
        "sqlite_heap_mib_peak": sqlite_peak and round(sqlite_peak / 1024, 1),
        "outside_sqlite_drift_mib": own_drift_kib is not None and round(own_drift_kib / 1024, 1),
        "database_mib_end": round(database_mib, 1),
        "checks": checks, "passed": all(checks.values()),
    }
    print(f"{'command':>18} {'requests':>9} {'p50 ms':>7} {'p99 ms':>7} {'max ms':>7}   (after the warm-up)")
    by_command = {}
    for window in measured:
        for command, latencies in window.by_command.items():
            by_command.setdefault(command, []).extend(latencies)
    for command, latencies in sorted(by_command.items()):
        latencies.sort()
        print(f"{command:>18} {len(latencies):>9} {latencies[len(latencies) // 2] * 1000:>7.2f} "
              f"{latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))] * 1000:>7.2f} {latencies[-1] * 1000:>7.2f}")
    print(f"requests {soak.answered} of {soak.issued} answered, {errors} errors, {soak.lost} connections lost, "
          f"{soak.plan_runs} plan runs")
    for error in soak.first_errors:
        print("  " + error)
    print(f"p99 after warm-up {overall_p99:.2f} ms; window p99 median {median_p99:.2f} ms, worst {worst_p99:.2f} ms ({len(spike_windows)} over twice the median: {disk_spikes} during a disk stall, "
          f"{client_spikes} during a client stall), "
          f"first third {early_p99:.2f} ms, last third {late_p99:.2f} ms, trend {trend_rise:+.2f} ms over the run "
          f"(allowed {trend_allowed:+.2f}); slowest window {min(rates):.0f} requests/s")
    if drift_kib is not None:
        print(f"server RSS {rss_warm / 1024:.1f} MiB after warm-up, {rss_end / 1024:.1f} MiB at the end: "
              f"drift {drift_kib / 1024:+.1f} MiB; database {database_mib:.1f} MiB")
    if own_drift_kib is not None:
        print(f"of which SQLite's heap {sqlite_warm / 1024:.1f} MiB after warm-up, {sqlite_end / 1024:.1f} MiB at the end "
              f"(peak {sqlite_peak / 1024:.1f}); outside it {own_warm / 1024:.1f} MiB, then {own_end / 1024:.1f} MiB: "
              f"drift {own_drift_kib / 1024:+.1f} MiB (allowed {allowed_kib / 1024:.1f})")
    for name, passed in checks.items():
        print(f"{'pass' if passed else 'FAIL'}: {name}")
    print("soak " + ("passed" if summary["passed"] else "FAILED"))
    return summary


def main():
    parser = argparse.ArgumentParser(description="Soak test of sasurai-server; see scripts/soak.sh.")
    parser.add_argument("minutes", type=float)
    parser.add_argument("--server", required=True)
    parser.add_argument("--connections", type=int, default=200)
    parser.add_argument("--rate", type=float, default=2000, help="requests per second over all connections")
    parser.add_argument("--plan-every", type=float, default=60)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", help="write the summary as JSON to this file")
    parser.add_argument("--keep", action="store_true", help="keep the database and the server log")
    args = parser.parse_args()
    if args.minutes <= 0 or args.connections < 3 or args.rate <= 0:
        parser.error("MINUTES and --rate must be positive and --connections at least 3")
    directory = tempfile.mkdtemp(prefix="sasurai-soak-")
    # Stopped with SIGTERM (a CI timeout), still stop the server and clean up below.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    process = None
    try:
        process, port, token, database, log, log_path = start_server(args.server, directory)
        tokens = asyncio.run(set_up(port, token, args.connections))
        print(f"soak: {args.minutes:g} min, {args.connections} connections, {args.rate:g} requests/s, "
              f"server pid {process.pid} on port {port}, {directory}", flush=True)
        soak = Soak(args, port, tokens, process.pid)
        asyncio.run(soak.run())
        process.send_signal(signal.SIGTERM)
        try:
            stopped_cleanly = process.wait(timeout=60) == 0
        except subprocess.TimeoutExpired:
            process.kill()
            stopped_cleanly = False
        log.close()
        read_slow_syncs(soak, log_path)
        summary = report(soak, args, database, stopped_cleanly)
        if args.out:
            with open(args.out, "w") as out:
                json.dump(summary, out, indent=2, ensure_ascii=False)
        if not summary["passed"]:
            print(f"server log: {log_path}")
            args.keep = True
        return 0 if summary["passed"] else 1
    except SetupError as error:
        print(f"soak: {error}", file=sys.stderr)
        args.keep = True
        return 2
    finally:
        if process and process.poll() is None:
            process.kill()
        if args.keep:
            print(f"kept {directory}")
        else:
            shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
