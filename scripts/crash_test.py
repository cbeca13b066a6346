#!/usr/bin/env python3
"""Crash-consistency trials for sasurai-server; run through scripts/crash-test.sh.

Each trial, on a fresh temporary database:

1. starts the server (--synchronous full), imports a small scenario with tight capacity
   (3 towns, accommodations of 1 to 3 beds, labor slots of 1 or 2 seats, 30 to 60
   applications, two teams), and issues host and freelancer tokens;
2. runs a load: applicant threads send APPLY (mostly with an id, some without, a few that must
   be refused), pipelining up to 3 requests; one host thread per town sends BOOK into its small
   accommodations, so bookings compete for beds, town nights and seats; a planner thread runs
   PLAN, waits for it and sends COMMIT, letting the writers go again as soon as the COMMIT is
   sent. Every mutating request carries a request key. Each request is recorded with its
   parameters and its reply, if one came back whole;
3. sends SIGKILL at a random moment chosen by the seed (a timer, or a few milliseconds after a
   COMMIT was sent), and restarts the server on the same database;
4. reads the state back through the protocol (EXPORT, APPLICATIONS, ROSTER, PLAN LIST, PLAN
   SHOW), stops the server with SIGTERM, opens the database with sqlite3 and checks:
   - every acknowledged APPLY's application exists with the fields its reply promised;
   - every acknowledged BOOK's stay exists, confirmed, as its reply said (nothing in the load
     moves or removes a stay once it is placed);
   - every acknowledged COMMIT's plan is committed and every assignment of the plan is held
     exactly as planned, its new ones as offers of that plan expiring as the reply said;
   - a write without a reply is all there or not there at all (an application with all its
     fields, a stay with its application confirmed, a plan with all its offers or none); a
     refused write left nothing; every stay is explained by a write that was not refused;
   - a request key is stored exactly when its write is;
   - no accommodation night over its beds, no town night over its nightly cap, no slot day over
     its seats, no freelancer in two places on one night, teams whole and together, states and
     stays in step;
   - PRAGMA integrity_check is ok and PRAGMA foreign_key_check finds nothing;
5. starts the server once more and resends a sample of the acknowledged requests, and every
   write without a reply that is there, with the same token and request key: an acknowledged
   one must get the identical reply line, one without a reply the reply of the write that is
   there; then stops it and checks integrity again.

Prints one line per trial and ends with "N passed, M failed"; exits 1 when a trial fails and
keeps that trial's directory (database, server logs, requests.jsonl, failures.txt).

Usage: crash_test.py TRIALS --server PATH [--seed S] [--keep DIR] [--first K]
"""
import argparse
import datetime
import json
import os
import random
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time

START = datetime.date(2030, 3, 2)
HORIZON = 42
KINDS = ["shared_house", "guesthouse", "vacant_house", "homestay", "coworking_stay"]
SKILLS = ["farming", "driving", "writing"]
APPLICANT_THREADS = 3
FREELANCERS = 12


def day(offset):
    return (START + datetime.timedelta(days=offset)).isoformat()


def day_index(text):
    return (datetime.date.fromisoformat(text) - START).days


class TrialFailure(Exception):
    pass


# MARK: scenario

def make_scenario(rng):
    towns, accommodations, slots, freelancers, applications = [], [], [], [], []
    for t in range(3):
        town = f"t{t}"
        towns.append({"id": town, "name": f"Town {t}", "prefecture": "Toyama", "nightly_cap": rng.randint(2, 5),
                      "min_nights": 1, "max_nights": rng.choice([8, 10, 14]),
                      "subsidy_per_night": rng.choice([0, 500, 1000])})
        for h in range(rng.randint(2, 3)):
            accommodation = {"id": f"{town}-h{h}", "town": town, "name": f"House {t}.{h}",
                             "kind": rng.choice(KINDS), "beds": rng.randint(1, 3),
                             "price_per_night": rng.choice([0, 1500, 3000, 4500])}
            if rng.random() < 0.3:
                gap = rng.randint(10, 25)
                accommodation["open"] = [[day(0), day(gap)], [day(gap + rng.randint(3, 7)), day(HORIZON)]]
            accommodations.append(accommodation)
        for s in range(rng.randint(1, 2)):
            begin = rng.randint(0, HORIZON - 10)
            slots.append({"id": f"{town}-s{s}", "town": town, "title": f"Harvest {t}.{s}",
                          "skills": rng.sample(SKILLS, rng.randint(0, 1)), "from": day(begin),
                          "to": day(rng.randint(begin + 7, HORIZON)), "seats": rng.randint(1, 2),
                          "min_days": rng.randint(1, 3)})
    for f in range(FREELANCERS):
        freelancers.append({"id": f"f{f:02d}", "name": f"Freelancer {f}",
                            "skills": sorted(rng.sample(SKILLS, rng.randint(0, 2))),
                            "relocation": rng.choice(["none", "considering", "planning"])})
    count = rng.randint(30, 60)
    for a in range(count):
        applications.append(random_application(rng, f"a{a:03d}", rng.choice(freelancers)["id"], towns))
    # Two teams of two, placed whole by plan runs and refused by BOOK.
    members = rng.sample([f["id"] for f in freelancers], 4)
    for team in range(2):
        nights = rng.randint(2, 5)
        for member in members[2 * team: 2 * team + 2]:
            application = random_application(rng, f"a{len(applications):03d}", member, towns)
            earliest = rng.randint(0, HORIZON - nights - 6)
            application.update({"earliest": day(earliest), "latest": day(earliest + nights + 6), "nights": nights,
                                "labor": "preferred", "team": f"team-{team}"})
            applications.append(application)
    return {"format": "sasurai-scenario/1", "towns": towns, "accommodations": accommodations, "slots": slots,
            "freelancers": freelancers, "applications": applications}


def random_application(rng, identifier, freelancer, towns):
    nights = rng.randint(2, 6)
    earliest = rng.randint(0, HORIZON - nights)
    latest = min(HORIZON, earliest + nights + rng.randint(0, 10))
    return {"id": identifier, "freelancer": freelancer, "earliest": day(earliest), "latest": day(latest),
            "nights": nights, "towns": [t["id"] for t in rng.sample(towns, rng.randint(0, 2))],
            "kinds": rng.sample(KINDS, 2) if rng.random() < 0.15 else [],
            "budget_per_night": rng.choice([2000, 3000, 5000, 8000]),
            "labor": rng.choice(["preferred", "preferred", "none", "required"]), "team": None}


def application_object(params, freelancer):
    """The application an APPLY with these parameters creates, in the server's reply shape."""
    return {"id": params.get("id"), "freelancer": freelancer, "earliest": params["earliest"],
            "latest": params["latest"], "nights": params["nights"], "towns": params.get("towns", []),
            "kinds": params.get("kinds", []), "budget_per_night": params["budget_per_night"],
            "labor": params.get("labor", "preferred"), "team": params.get("team")}


# MARK: server and connections

class Server:
    def __init__(self, binary, directory, name):
        self.database = os.path.join(directory, "sasurai.db")
        self.log_path = os.path.join(directory, f"server-{name}.log")
        self.log = open(self.log_path, "wb")
        self.process = subprocess.Popen(
            [binary, "--db", self.database, "--listen", "127.0.0.1:0", "--synchronous", "full",
             "--log-level", "info"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=self.log)
        deadline = time.monotonic() + 30
        self.port = None
        while self.port is None:
            with open(self.log_path, "rb") as log:
                match = re.search(rb"event=listening address=127\.0\.0\.1:(\d+)", log.read())
            if match:
                self.port = int(match.group(1))
            elif self.process.poll() is not None or time.monotonic() > deadline:
                self.process.kill()
                raise TrialFailure(f"server did not start; see {self.log_path}")
            else:
                time.sleep(0.01)

    def log_text(self):
        with open(self.log_path, "rb") as log:
            return log.read().decode("utf-8", "replace")

    def kill(self):
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()
        self.log.close()

    def stop(self):
        """SIGTERM, and the exit status must be 0."""
        self.process.send_signal(signal.SIGTERM)
        try:
            status = self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise TrialFailure("server did not stop within 30 s of SIGTERM")
        finally:
            self.log.close()
        if status != 0:
            raise TrialFailure(f"server exited {status} after SIGTERM; see {self.log_path}")


class Connection:
    """One socket; lines out, whole reply lines back (None once the connection is gone)."""

    def __init__(self, port, token=None):
        self.socket = socket.create_connection(("127.0.0.1", port), timeout=30)
        self.buffer = b""
        if token:
            reply = self.call("AUTH " + token)
            if not reply or not reply.startswith("OK "):
                raise TrialFailure(f"AUTH failed: {reply}")

    def send(self, lines):
        try:
            self.socket.sendall("".join(line + "\n" for line in lines).encode())
            return True
        except OSError:
            return False

    def read(self):
        while b"\n" not in self.buffer:
            try:
                chunk = self.socket.recv(65536)
            except OSError:
                return None
            if not chunk:
                return None
            self.buffer += chunk
        line, self.buffer = self.buffer.split(b"\n", 1)
        return line.decode()

    def call(self, line):
        if not self.send([line]):
            return None
        return self.read()

    def close(self):
        try:
            self.socket.close()
        except OSError:
            pass


def ok_json(reply, what):
    if reply is None or not reply.startswith("OK "):
        raise TrialFailure(f"{what}: {reply}")
    return json.loads(reply[3:])


# MARK: the load

class Load:
    """The writes of one trial, their replies, and what the threads share."""

    def __init__(self, scenario, port, tokens, kill):
        self.scenario = scenario
        self.port = port
        self.tokens = tokens  # name -> (token id, token)
        self.kill = kill
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.records = []
        self.known = [a["id"] for a in scenario["applications"] if not a.get("team")]
        self.team_members = [a["id"] for a in scenario["applications"] if a.get("team")]
        self.nights = {a["id"]: a["nights"] for a in scenario["applications"]}
        self.apply_serial = 0
        # Writers wait while the planner holds them, so that a plan can be committed.
        self.gate = threading.Condition()
        self.held = False
        self.in_flight = 0
        self.commits_sent = 0
        self.commit_kill = None  # (n, delay): SIGKILL delay seconds after the n-th COMMIT of a fresh plan

    def record(self, kind, token_name, params, thread):
        token_id, token = self.tokens[token_name]
        line = f"{kind} {json.dumps(params, ensure_ascii=False)}"
        entry = {"kind": kind, "token": token_name, "token_id": token_id, "params": params, "line": line,
                 "thread": thread, "reply": None, "sent": False}
        with self.lock:
            entry["n"] = len(self.records)
            self.records.append(entry)
        return entry

    def exchange(self, connection, entries, gated=True):
        """Sends the entries' lines in one write (pipelined) and reads their replies in order."""
        if gated:
            with self.gate:
                while self.held and not self.stop.is_set():
                    self.gate.wait(0.05)
                self.in_flight += 1
        try:
            for entry in entries:
                entry["sent"] = True
            if not connection.send([entry["line"] for entry in entries]):
                self.stop.set()
                return False
            for entry in entries:
                reply = connection.read()
                if reply is None:
                    self.stop.set()
                    return False
                entry["reply"] = reply
            return True
        finally:
            if gated:
                with self.gate:
                    self.in_flight -= 1
                    self.gate.notify_all()

    def key(self, rng):
        return "k-" + "".join(rng.choice("0123456789abcdef") for _ in range(24))

    # Applicants: each owns some freelancers and holds one connection per freelancer token;
    # the first also applies through the planner token, naming the freelancer.

    def applicant(self, index, rng):
        owned = [f["id"] for i, f in enumerate(self.scenario["freelancers"]) if i % APPLICANT_THREADS == index]
        connections = {}
        try:
            for freelancer in owned:
                connections[freelancer] = Connection(self.port, self.tokens[freelancer][1])
            planner = Connection(self.port, self.tokens["planner"][1]) if index == 0 else None
        except (OSError, TrialFailure):
            return
        serial = 0
        mine = []
        try:
            while not self.stop.is_set():
                freelancer = rng.choice(owned)
                through_planner = planner is not None and rng.random() < 0.25
                entries = []
                for _ in range(rng.choice([1, 1, 1, 2, 3])):
                    serial += 1
                    params = self.apply_params(rng, index, serial, freelancer, mine)
                    if through_planner:
                        params = {"freelancer": freelancer, **params}
                    entries.append(self.record("APPLY", "planner" if through_planner else freelancer, params,
                                               f"applicant-{index}"))
                    entries[-1]["freelancer"] = freelancer
                    # An id this thread already had acknowledged: the server must refuse it.
                    entries[-1]["duplicate"] = params.get("id") in mine
                if not self.exchange(planner if through_planner else connections[freelancer], entries):
                    return
                for entry in entries:
                    if entry["reply"].startswith("OK "):
                        application = json.loads(entry["reply"][3:])["application"]
                        mine.append(application["id"])
                        with self.lock:
                            self.known.append(application["id"])
                            self.nights[application["id"]] = application["nights"]
                time.sleep(rng.uniform(0, 0.01))
        finally:
            for connection in connections.values():
                connection.close()
            if planner:
                planner.close()

    def apply_params(self, rng, index, serial, freelancer, mine):
        towns = self.scenario["towns"]
        application = random_application(rng, f"n{index}-{serial}", freelancer, towns)
        params = {k: v for k, v in application.items() if k not in ("freelancer", "team")}
        if not params["kinds"]:
            del params["kinds"]
        roll = rng.random()
        if roll < 0.15:
            # The server picks the id; the budget marks the application as this request's.
            del params["id"]
            with self.lock:
                self.apply_serial += 1
                params["budget_per_night"] = 100000 + self.apply_serial
        elif roll < 0.19:
            params["towns"] = ["nowhere"]  # refused: no such town
        elif roll < 0.22 and mine:
            params["id"] = rng.choice(mine)  # refused: the id is taken
        params["request"] = self.key(rng)
        return params

    # Hosts: one per town, booking applications they have not tried yet into their small houses.

    def host(self, town, rng):
        try:
            connection = Connection(self.port, self.tokens[town][1])
        except (OSError, TrialFailure):
            return
        houses = [h["id"] for h in self.scenario["accommodations"] if h["town"] == town]
        slots = [s["id"] for s in self.scenario["slots"] if s["town"] == town]
        tried = set()
        try:
            while not self.stop.is_set():
                entries = []
                for _ in range(rng.choice([1, 1, 2])):
                    with self.lock:
                        candidates = [a for a in self.known if a not in tried]
                    if rng.random() < 0.08:
                        candidates = [a for a in self.team_members if a not in tried]
                    if not candidates:
                        break
                    application = rng.choice(candidates)
                    tried.add(application)
                    nights = self.nights[application]
                    params = {"application": application, "accommodation": rng.choice(houses),
                              "arrival": day(rng.randint(0, HORIZON - nights))}
                    if slots and rng.random() < 0.3:
                        params["slot"] = rng.choice(slots)
                    params["request"] = self.key(rng)
                    entries.append(self.record("BOOK", town, params, f"host-{town}"))
                if not entries:
                    time.sleep(0.01)
                    continue
                if not self.exchange(connection, entries):
                    return
                time.sleep(rng.uniform(0, 0.02))
        finally:
            connection.close()

    # The planner: PLAN, wait, COMMIT; usually holding the writers so the plan stays fresh.

    def planner(self, rng):
        try:
            connection = Connection(self.port, self.tokens["planner"][1])
        except (OSError, TrialFailure):
            return
        try:
            while not self.stop.is_set():
                self.stop.wait(rng.uniform(0.05, 0.5))
                if self.stop.is_set():
                    return
                hold = rng.random() < 0.8
                if hold:
                    with self.gate:
                        self.held = True
                        while self.in_flight and not self.stop.is_set():
                            self.gate.wait(0.05)
                try:
                    plan = self.record("PLAN", "planner", {"seed": rng.randint(1, 1 << 40), "seconds": 1,
                                                          "request": self.key(rng)}, "planner")
                    if not self.exchange(connection, [plan], gated=False):
                        return
                    if not plan["reply"].startswith("OK "):
                        continue
                    plan_id = json.loads(plan["reply"][3:])["plan"]
                    deadline = time.monotonic() + 20
                    while True:
                        reply = connection.call(json.dumps({"plan": plan_id}).join(["PLAN SHOW ", ""]))
                        if reply is None:
                            self.stop.set()
                            return
                        if json.loads(reply[3:]).get("status") != "running" or time.monotonic() > deadline:
                            break
                        time.sleep(0.02)
                    status = json.loads(reply[3:])["status"]
                    if status not in ("finished", "stale"):
                        continue
                    shown = connection.call(f'PLAN SHOW {{"plan": {plan_id}, "assignments": true}}')
                    if shown is None:
                        self.stop.set()
                        return
                    commit = self.record("COMMIT", "planner", {"plan": plan_id, "offer_hours": 720,
                                                              "request": self.key(rng)}, "planner")
                    commit["plan_before_kill"] = json.loads(shown[3:]).get("result")
                    commit["sent"] = True
                    if not connection.send([commit["line"]]):
                        self.stop.set()
                        return
                    self.commits_sent += hold
                    if hold and self.commit_kill and self.commit_kill[0] == self.commits_sent:
                        threading.Timer(self.commit_kill[1], self.kill, (True,)).start()
                finally:
                    if hold:
                        with self.gate:
                            self.held = False
                            self.gate.notify_all()
                reply = connection.read()
                if reply is None:
                    self.stop.set()
                    return
                commit["reply"] = reply
        finally:
            connection.close()


# MARK: one trial

def run_trial(binary, directory, trial_seed):
    rng = random.Random(trial_seed)
    scenario = make_scenario(rng)
    with open(os.path.join(directory, "scenario.json"), "w") as file:
        json.dump(scenario, file, ensure_ascii=False, indent=1)
    server = Server(binary, directory, "1-load")
    planner_token = open(server.database + ".planner-token").read().strip()
    match = re.search(r"event=planner_token_created token_id=(\d+)", server.log_text())
    tokens = {"planner": (int(match.group(1)) if match else 1, planner_token)}
    setup = Connection(server.port, planner_token)
    ok_json(setup.call("IMPORT " + json.dumps({"scenario": scenario}, ensure_ascii=False)), "IMPORT")
    subjects = [("host", t["id"]) for t in scenario["towns"]] + [("freelancer", f["id"]) for f in
                                                                 scenario["freelancers"]]
    for role, subject in subjects:
        issued = ok_json(setup.call(json.dumps({"role": role, "subject": subject}).join(["TOKEN ISSUE ", ""])),
                         "TOKEN ISSUE")
        tokens[subject] = (issued["id"], issued["token"])
    setup.close()

    killed_at = {}
    kill_lock = threading.Lock()

    def kill(after_commit=False):
        with kill_lock:
            if "at" not in killed_at:
                killed_at["at"] = time.monotonic()
                killed_at["after_commit"] = after_commit
                os.kill(server.process.pid, signal.SIGKILL)

    load = Load(scenario, server.port, tokens, kill)
    if rng.random() < 0.3:
        load.commit_kill = (rng.randint(1, 2), rng.uniform(0, 0.006))
    delay = rng.uniform(0.3, 3.5) if load.commit_kill is None else 6.0
    threads = [threading.Thread(target=load.applicant, args=(i, random.Random(rng.random())))
               for i in range(APPLICANT_THREADS)]
    threads += [threading.Thread(target=load.host, args=(t["id"], random.Random(rng.random())))
                for t in scenario["towns"]]
    threads.append(threading.Thread(target=load.planner, args=(random.Random(rng.random()),)))
    started = time.monotonic()
    for thread in threads:
        thread.start()
    deadline = started + delay
    while "at" not in killed_at and time.monotonic() < deadline:
        time.sleep(0.005)
    kill()
    load.stop.set()
    server.kill()
    for thread in threads:
        thread.join(60)
        if thread.is_alive():
            raise TrialFailure("a client thread did not finish after the kill")
    with open(os.path.join(directory, "requests.jsonl"), "w") as file:
        for entry in load.records:
            file.write(json.dumps(entry, ensure_ascii=False) + "\n")

    checker = Checker(scenario, load.records, tokens)
    restarted = Server(binary, directory, "2-after-kill")
    try:
        checker.read_through_protocol(restarted.port)
    finally:
        restarted.stop()
    checker.check_database(server.database)
    again = Server(binary, directory, "3-retries")
    try:
        checker.retry(again.port, rng)
    finally:
        again.stop()
    checker.integrity(server.database)
    checker.killed_after = killed_at["at"] - started
    checker.commit_kill = killed_at["after_commit"]
    return checker


# MARK: the checks

class Checker:
    def __init__(self, scenario, records, tokens):
        self.scenario = scenario
        self.records = records
        self.tokens = tokens
        self.failures = []
        self.figures = {"acked": {"APPLY": 0, "BOOK": 0, "COMMIT": 0, "PLAN": 0}, "offers": 0,
                        "unacked_there": 0, "unacked_absent": 0, "commit_there": 0, "commit_absent": 0,
                        "refused": 0, "retries": 0, "lost": 0, "half": 0, "over": 0}
        for entry in records:
            if entry["reply"] is None:
                entry["status"] = "unacked" if entry["sent"] else "unsent"
            elif entry["reply"].startswith("OK "):
                entry["status"] = "acked"
                entry["body"] = json.loads(entry["reply"][3:])
                self.figures["acked"][entry["kind"]] += 1
            else:
                entry["status"] = "refused"
                self.figures["refused"] += 1

    def fail(self, category, message):
        self.figures[category] = self.figures.get(category, 0) + 1
        self.failures.append(f"[{category}] {message}")

    def of(self, kind, *statuses):
        return [e for e in self.records if e["kind"] == kind and e["status"] in statuses]

    # Through the protocol, first thing after the restart.

    def read_through_protocol(self, port):
        connection = Connection(port, self.tokens["planner"][1])
        self.exported = ok_json(connection.call("EXPORT"), "EXPORT")["scenario"]
        self.listed = {}
        for freelancer in self.scenario["freelancers"]:
            reply = connection.call(json.dumps({"freelancer": freelancer["id"]}).join(["APPLICATIONS ", ""]))
            for item in ok_json(reply, "APPLICATIONS")["applications"]:
                self.listed[item["application"]["id"]] = item
        self.rostered = {}
        for town in self.scenario["towns"]:
            reply = connection.call(json.dumps({"town": town["id"], "from": day(0), "to": day(HORIZON + 1)})
                                    .join(["ROSTER ", ""]))
            for stay in ok_json(reply, "ROSTER")["stays"]:
                self.rostered[stay["application"]] = stay
        self.plans = {p["plan"]: p for p in ok_json(connection.call('PLAN LIST {"limit": 1000}'), "PLAN LIST")["plans"]}
        self.shown = {}
        for plan_id, plan in self.plans.items():
            if plan["status"] in ("finished", "committed", "stale"):
                reply = connection.call(f'PLAN SHOW {{"plan": {plan_id}, "assignments": true}}')
                self.shown[plan_id] = ok_json(reply, "PLAN SHOW")["result"]
        connection.close()

    # In the database, after a clean stop.

    def check_database(self, path):
        database = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        self.integrity_of(database)
        rows = database.execute("""
            SELECT id, freelancer_id, earliest, latest, nights, budget_per_night, labor, team, state,
                   offer_expires_at FROM applications""").fetchall()
        towns_of = {}
        for application, town in database.execute(
                "SELECT application_id, town_id FROM application_towns ORDER BY application_id, rank"):
            towns_of.setdefault(application, []).append(town)
        kinds_of = {}
        for application, kind in database.execute("SELECT application_id, kind FROM application_kinds"):
            kinds_of.setdefault(application, set()).add(kind)
        self.applications = {}
        for (identifier, freelancer, earliest, latest, nights, budget, labor, team, state, expires) in rows:
            self.applications[identifier] = {
                "object": {"id": identifier, "freelancer": freelancer, "earliest": earliest, "latest": latest,
                           "nights": nights, "towns": towns_of.get(identifier, []),
                           "kinds": kinds_of.get(identifier, set()), "budget_per_night": budget, "labor": labor,
                           "team": team},
                "state": state, "expires": expires}
        self.placements = {}
        for row in database.execute("""
                SELECT application_id, town_id, accommodation_id, arrival, nights, slot_id, labor_days, source,
                       plan_id FROM placements"""):
            self.placements[row[0]] = {"application": row[0], "town": row[1], "accommodation": row[2],
                                       "arrival": row[3], "nights": row[4], "slot": row[5], "labor_days": row[6],
                                       "source": row[7], "plan": row[8]}
        self.plan_status = dict(database.execute("SELECT id, status FROM plans"))
        self.plan_assignments = {}
        for row in database.execute("""
                SELECT plan_id, application_id, town_id, accommodation_id, arrival, nights, slot_id, labor_days
                FROM plan_assignments"""):
            self.plan_assignments.setdefault(row[0], {})[row[1]] = {
                "application": row[1], "town": row[2], "accommodation": row[3], "arrival": row[4],
                "nights": row[5], "slot": row[6], "labor_days": row[7]}
        self.keys = {(token, key): reply for token, key, reply in
                     database.execute("SELECT token_id, key, reply FROM request_keys")}
        database.close()

        self.check_protocol_view()
        self.check_applies()
        self.check_books()
        self.check_plans()
        self.check_placements_explained()
        self.check_request_keys()
        self.check_capacity()

    def integrity_of(self, database):
        result = database.execute("PRAGMA integrity_check").fetchall()
        if result != [("ok",)]:
            self.fail("integrity", f"PRAGMA integrity_check: {result}")
        problems = database.execute("PRAGMA foreign_key_check").fetchall()
        if problems:
            self.fail("integrity", f"PRAGMA foreign_key_check: {problems[:5]}")

    def integrity(self, path):
        database = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        self.integrity_of(database)
        database.close()

    def check_protocol_view(self):
        """What the restarted server said agrees with what the file holds."""
        exported = {a["id"]: a for a in self.exported["applications"]}
        if set(exported) != set(self.applications):
            self.fail("view", f"EXPORT lists {len(exported)} applications, the database {len(self.applications)}")
        for identifier, stored in self.applications.items():
            listed = self.listed.get(identifier)
            if listed is None or listed["state"] != stored["state"]:
                self.fail("view", f"APPLICATIONS says {identifier} is "
                                  f"{listed and listed['state']}, the database {stored['state']}")
            placement = self.placements.get(identifier)
            stay = (listed or {}).get("stay")
            if (stay is None) != (placement is None) or (placement and not same_assignment(stay, placement)):
                self.fail("view", f"APPLICATIONS shows {identifier}'s stay as {stay}, the database {placement}")
            if placement and not same_assignment(self.rostered.get(identifier), placement):
                self.fail("view", f"ROSTER shows {identifier}'s stay as {self.rostered.get(identifier)}")
        for identifier in self.rostered:
            if identifier not in self.placements:
                self.fail("view", f"ROSTER shows a stay of {identifier} that the database does not hold")
        for plan_id, status in self.plan_status.items():
            if self.plans.get(plan_id, {}).get("status") != status:
                self.fail("view", f"PLAN LIST says plan {plan_id} is {self.plans.get(plan_id, {}).get('status')}, "
                                  f"the database {status}")
        for plan_id, result in self.shown.items():
            shown = {a["application"]: a for a in result["assignments"]}
            if shown != self.plan_assignments.get(plan_id, {}):
                self.fail("view", f"PLAN SHOW {plan_id}'s assignments differ from the database's")

    def find_apply(self, entry):
        """The application an APPLY made, if it is there: by id, or by its unique budget."""
        params = entry["params"]
        if "id" in params:
            return self.applications.get(params["id"])
        for stored in self.applications.values():
            if stored["object"]["budget_per_night"] == params["budget_per_night"]:
                return stored
        return None

    def check_applies(self):
        for entry in self.of("APPLY", "acked", "unacked", "refused"):
            expected = application_object(entry["params"], entry["freelancer"])
            stored = self.find_apply(entry)
            if entry["status"] == "acked":
                promised = entry["body"]["application"]
                if "id" not in entry["params"]:
                    expected["id"] = promised["id"]
                if not same_application(promised, expected):
                    self.fail("reply", f"APPLY #{entry['n']} replied {promised}, sent {expected}")
                if stored is None:
                    self.fail("lost", f"acknowledged APPLY #{entry['n']} ({promised['id']}) is missing")
                elif not same_application(stored["object"], promised):
                    self.fail("lost", f"acknowledged APPLY #{entry['n']}: stored {stored['object']}, "
                                      f"promised {promised}")
                entry["there"] = True
            elif entry["status"] == "unacked" and entry["duplicate"]:
                entry["there"] = False  # the application is the first APPLY's, checked with that one
                self.figures["unacked_absent"] += 1
            elif entry["status"] == "unacked":
                entry["there"] = stored is not None
                if stored is not None:
                    if "id" not in entry["params"]:
                        expected["id"] = stored["object"]["id"]
                    if not same_application(stored["object"], expected):
                        self.fail("half", f"APPLY #{entry['n']} without a reply: stored {stored['object']}, "
                                          f"sent {expected}")
                self.figures["unacked_there" if stored is not None else "unacked_absent"] += 1
            else:
                # A refused APPLY may name an id another write made (that is why it was refused).
                identifier = entry["params"].get("id")
                made_by_other = identifier in self.initial_ids() or any(
                    e["params"].get("id") == identifier for e in self.of("APPLY", "acked", "unacked")) or any(
                    e["body"]["application"]["id"] == identifier for e in self.of("APPLY", "acked"))
                if stored is not None and not (identifier and made_by_other):
                    self.fail("half", f"refused APPLY #{entry['n']} ({entry['reply']}) left {stored['object']}")
                entry["there"] = False
        # Every application is the scenario's or one an APPLY that was not refused made.
        made = {e["params"]["id"] for e in self.of("APPLY", "acked", "unacked") if "id" in e["params"]}
        made |= {e["body"]["application"]["id"] for e in self.of("APPLY", "acked")}
        budgets = {e["params"]["budget_per_night"] for e in self.of("APPLY", "unacked") if "id" not in e["params"]}
        for identifier, stored in self.applications.items():
            if identifier not in self.initial_ids() and identifier not in made \
                    and stored["object"]["budget_per_night"] not in budgets:
                self.fail("half", f"application {identifier} was made by no APPLY that was not refused")
        for identifier in self.initial_ids():
            if identifier not in self.applications:
                self.fail("lost", f"imported application {identifier} is missing")

    def initial_ids(self):
        if not hasattr(self, "_initial"):
            self._initial = {a["id"] for a in self.scenario["applications"]}
        return self._initial

    def check_books(self):
        for entry in self.of("BOOK", "acked", "unacked", "refused"):
            params = entry["params"]
            placement = self.placements.get(params["application"])
            matches = placement is not None and placement["source"] == "host" and \
                placement["accommodation"] == params["accommodation"] and \
                placement["arrival"] == params["arrival"] and placement["slot"] == params.get("slot")
            state = self.applications.get(params["application"], {}).get("state")
            if entry["status"] == "acked":
                promised = entry["body"]["stay"]
                if not matches or not same_assignment(promised, placement) or state != "confirmed":
                    self.fail("lost", f"acknowledged BOOK #{entry['n']} of {params['application']}: promised "
                                      f"{promised}, the database holds {placement} ({state})")
                entry["there"] = True
            elif entry["status"] == "unacked":
                entry["there"] = matches
                if matches and state != "confirmed":
                    self.fail("half", f"BOOK #{entry['n']} without a reply: stay there, application {state}")
                self.figures["unacked_there" if matches else "unacked_absent"] += 1
            else:
                entry["there"] = False

    def check_plans(self):
        for entry in self.of("PLAN", "acked"):
            if entry["body"]["plan"] not in self.plan_status:
                self.fail("lost", f"acknowledged PLAN #{entry['n']}: plan {entry['body']['plan']} is missing")
            elif self.plan_status[entry["body"]["plan"]] == "running":
                self.fail("half", f"plan {entry['body']['plan']} is still running after the restart")
        for entry in self.of("COMMIT", "acked", "unacked", "refused"):
            plan_id = entry["params"]["plan"]
            status = self.plan_status.get(plan_id)
            offers = {a: p for a, p in self.placements.items() if p["plan"] == plan_id}
            assignments = self.plan_assignments.get(plan_id, {})
            before = {a["application"]: a for a in (entry.get("plan_before_kill") or {}).get("assignments", [])}
            if before != assignments:
                self.fail("lost", f"plan {plan_id}'s assignments changed across the crash")
            committed = status == "committed"
            if entry["status"] == "acked":
                promised = entry["body"]
                self.figures["offers"] += promised["offers"]
                if not committed:
                    self.fail("lost", f"acknowledged COMMIT of plan {plan_id} but the plan is {status}")
                if len(offers) != promised["offers"]:
                    self.fail("lost", f"acknowledged COMMIT of plan {plan_id} promised {promised['offers']} "
                                      f"offers, {len(offers)} are there")
                for application in offers:
                    expires = self.applications[application]["expires"]
                    if expires != promised["expires_at"]:
                        self.fail("lost", f"offer of {application} (plan {plan_id}) expires {expires}, "
                                          f"promised {promised['expires_at']}")
                entry["there"] = True
            elif entry["status"] == "unacked":
                entry["there"] = committed
                self.figures["unacked_there" if committed else "unacked_absent"] += 1
                self.figures["commit_there" if committed else "commit_absent"] += 1
            else:
                entry["there"] = False
            if committed and entry["status"] != "refused":
                # All of it: every assignment held exactly as planned, the new ones as this plan's offers.
                for application, assignment in assignments.items():
                    placement = self.placements.get(application)
                    if placement is None or not same_assignment(assignment, placement):
                        self.fail("half", f"committed plan {plan_id}: {application} should hold {assignment}, "
                                          f"holds {placement}")
                    elif placement["plan"] == plan_id and self.applications[application]["state"] != "offered":
                        self.fail("half", f"committed plan {plan_id}: {application} is "
                                          f"{self.applications[application]['state']}, not offered")
                for application in offers:
                    if application not in assignments:
                        self.fail("half", f"{application} holds an offer of plan {plan_id}, which does not place it")
            elif offers:
                what = "refused" if entry["status"] == "refused" else "uncommitted"
                self.fail("half", f"{what} plan {plan_id} ({status}) has {len(offers)} offers")

    def check_placements_explained(self):
        """Every stay came from a write that was not refused, and states follow stays."""
        commits = {e["params"]["plan"] for e in self.of("COMMIT", "acked", "unacked")}
        for application, stored in self.applications.items():
            placement = self.placements.get(application)
            state = stored["state"]
            if state not in ("pending", "offered", "confirmed"):
                self.fail("half", f"{application} is {state}, which nothing in the load makes")
            if (placement is None) != (state == "pending"):
                self.fail("half", f"{application} is {state} with stay {placement}")
            if placement is None:
                continue
            if placement["source"] == "host":
                if state != "confirmed":
                    self.fail("half", f"{application} has a host booking but is {state}")
                if not any(e["params"]["application"] == application and e.get("there")
                           for e in self.of("BOOK", "acked", "unacked")):
                    self.fail("half", f"host stay of {application} {placement} was made by no BOOK that was "
                                      f"not refused")
            elif placement["source"] == "plan":
                if state != "offered":
                    self.fail("half", f"{application} holds an offer but is {state}")
                if placement["plan"] not in commits:
                    self.fail("half", f"{application} holds an offer of plan {placement['plan']}, "
                                      f"which no COMMIT that was not refused committed")
            else:
                self.fail("half", f"{application} holds a stay of source {placement['source']}")

    def check_request_keys(self):
        for entry in self.records:
            if entry["status"] not in ("acked", "unacked", "refused") or entry["kind"] == "PLAN" \
                    and entry["status"] == "unacked":
                continue
            stored = self.keys.get((entry["token_id"], entry["params"]["request"]))
            if entry["status"] == "acked":
                if stored is None:
                    self.fail("lost", f"acknowledged {entry['kind']} #{entry['n']}: its request key is gone")
                elif "OK " + bytes(stored).decode() != entry["reply"]:
                    self.fail("lost", f"{entry['kind']} #{entry['n']}: the stored reply differs from the one sent")
            elif entry["status"] == "refused":
                if stored is not None:
                    self.fail("half", f"refused {entry['kind']} #{entry['n']} left its request key")
            elif (stored is not None) != entry["there"]:
                self.fail("half", f"{entry['kind']} #{entry['n']} without a reply: write "
                                  f"{'there' if entry['there'] else 'absent'}, request key "
                                  f"{'there' if stored is not None else 'absent'}")

    def check_capacity(self):
        beds = {h["id"]: h["beds"] for h in self.scenario["accommodations"]}
        caps = {t["id"]: t["nightly_cap"] for t in self.scenario["towns"]}
        slots = {s["id"]: s for s in self.scenario["slots"]}
        house_nights, town_nights, slot_days, freelancer_nights = {}, {}, {}, {}
        for application, placement in self.placements.items():
            arrival = day_index(placement["arrival"])
            nights = range(arrival, arrival + placement["nights"])
            freelancer = self.applications[application]["object"]["freelancer"]
            for night in nights:
                house_nights.setdefault((placement["accommodation"], night), []).append(application)
                town_nights.setdefault((placement["town"], night), []).append(application)
                freelancer_nights.setdefault((freelancer, night), []).append(application)
            if placement["slot"]:
                slot = slots[placement["slot"]]
                labor = [n for n in nights if day_index(slot["from"]) <= n < day_index(slot["to"])]
                if len(labor) != placement["labor_days"]:
                    self.fail("over", f"{application} has {placement['labor_days']} labor days, {len(labor)} "
                                      f"shared with {slot['id']}")
                for night in labor:
                    slot_days.setdefault((slot["id"], night), []).append(application)
        for (house, night), guests in sorted(house_nights.items()):
            if len(guests) > beds[house]:
                self.fail("over", f"{house} on {day(night)}: {len(guests)} guests, {beds[house]} beds ({guests})")
        for (town, night), guests in sorted(town_nights.items()):
            if len(guests) > caps[town]:
                self.fail("over", f"{town} on {day(night)}: {len(guests)} guests, nightly cap {caps[town]}")
        for (slot, night), workers in sorted(slot_days.items()):
            if len(workers) > slots[slot]["seats"]:
                self.fail("over", f"{slot} on {day(night)}: {len(workers)} workers, {slots[slot]['seats']} seats")
        for (freelancer, night), stays in sorted(freelancer_nights.items()):
            if len(stays) > 1:
                self.fail("over", f"{freelancer} stays twice on {day(night)}: {stays}")
        teams = {}
        for application, stored in self.applications.items():
            if stored["object"]["team"]:
                teams.setdefault(stored["object"]["team"], []).append(application)
        for team, members in teams.items():
            placed = [self.placements[m] for m in members if m in self.placements]
            if placed and (len(placed) != len(members) or len({(p["town"], p["arrival"]) for p in placed}) != 1):
                self.fail("over", f"team {team} is not whole and together: {placed}")

    # Retries, on a further start.

    def retry(self, port, rng):
        acked = [e for e in self.records if e["status"] == "acked"]
        sample = rng.sample(acked, min(len(acked), 12))
        there = [e for e in self.records if e["status"] == "unacked" and e.get("there")]
        connections = {}
        try:
            for entry in sample + there:
                if entry["token"] not in connections:
                    connections[entry["token"]] = Connection(port, self.tokens[entry["token"]][1])
                reply = connections[entry["token"]].call(entry["line"])
                self.figures["retries"] += 1
                if entry["status"] == "acked":
                    if reply != entry["reply"]:
                        self.fail("retry", f"{entry['kind']} #{entry['n']} resent: {reply!r}, first {entry['reply']!r}")
                elif not self.replays_write(entry, reply):
                    self.fail("retry", f"{entry['kind']} #{entry['n']} without a reply, resent: {reply!r} does "
                                       f"not describe the write that is there")
        finally:
            for connection in connections.values():
                connection.close()

    def replays_write(self, entry, reply):
        if reply is None or not reply.startswith("OK "):
            return False
        body = json.loads(reply[3:])
        if entry["kind"] == "APPLY":
            stored = self.find_apply(entry)
            return stored is not None and same_application(stored["object"], body["application"])
        if entry["kind"] == "BOOK":
            placement = self.placements.get(entry["params"]["application"])
            return placement is not None and same_assignment(body["stay"], placement)
        if entry["kind"] == "COMMIT":
            plan_id = entry["params"]["plan"]
            return body["plan"] == plan_id and body["offers"] == sum(
                1 for p in self.placements.values() if p["plan"] == plan_id)
        return True


def same_application(stored, promised):
    return all(stored[k] == promised[k] for k in ("id", "freelancer", "earliest", "latest", "nights", "towns",
                                                  "budget_per_night", "labor", "team")) \
        and set(stored["kinds"]) == set(promised["kinds"])


def same_assignment(a, b):
    if a is None or b is None:
        return False
    return all(a[k] == b[k] for k in ("application", "town", "accommodation", "arrival", "nights", "slot",
                                      "labor_days"))


# MARK: main

def main():
    parser = argparse.ArgumentParser(description="Crash-consistency trials for sasurai-server.")
    parser.add_argument("trials", type=int)
    parser.add_argument("--server", required=True, help="the sasurai-server binary")
    parser.add_argument("--seed", type=int, default=None, help="seed of the whole run (default: random)")
    parser.add_argument("--keep", default=None, help="keep every trial's directory under DIR")
    parser.add_argument("--first", type=int, default=1, help="number of the first trial (to repeat one)")
    arguments = parser.parse_args()
    seed = arguments.seed if arguments.seed is not None else random.SystemRandom().randrange(1, 1 << 31)
    binary = os.path.abspath(arguments.server)
    if not os.access(binary, os.X_OK):
        print(f"crash_test.py: no server binary at {binary}", file=sys.stderr)
        return 2
    if arguments.keep:
        os.makedirs(arguments.keep, exist_ok=True)
    print(f"crash trials: {arguments.trials}, seed {seed}, server {binary}", flush=True)
    passed = failed = 0
    totals = {"acked": 0, "apply": 0, "book": 0, "commit": 0, "plan": 0, "offers": 0, "unacked_there": 0,
              "unacked_absent": 0, "commit_there": 0, "commit_absent": 0, "refused": 0, "retries": 0, "lost": 0,
              "half": 0, "over": 0, "integrity_ok": 0, "after_commit": 0}
    began = time.monotonic()
    for trial in range(arguments.first, arguments.first + arguments.trials):
        trial_seed = f"{seed}:{trial}"
        if arguments.keep:
            directory = os.path.join(arguments.keep, f"trial-{trial:04d}")
            shutil.rmtree(directory, ignore_errors=True)
            os.makedirs(directory)
        else:
            directory = tempfile.mkdtemp(prefix=f"sasurai-crash-{trial:04d}-")
        trial_began = time.monotonic()
        try:
            checker = run_trial(binary, directory, trial_seed)
            failures = checker.failures
        except (TrialFailure, OSError, ValueError, KeyError, sqlite3.Error) as error:
            checker = None
            failures = [f"[error] {type(error).__name__}: {error}"]
        seconds = time.monotonic() - trial_began
        if checker:
            f = checker.figures
            acked = f["acked"]["APPLY"] + f["acked"]["BOOK"] + f["acked"]["COMMIT"]
            for name in ("lost", "half", "over", "unacked_there", "unacked_absent", "commit_there",
                         "commit_absent", "refused", "retries", "offers"):
                totals[name] += f[name]
            totals["acked"] += acked
            totals["apply"] += f["acked"]["APPLY"]
            totals["book"] += f["acked"]["BOOK"]
            totals["commit"] += f["acked"]["COMMIT"]
            totals["plan"] += f["acked"]["PLAN"]
            if not any(line.startswith("[integrity]") for line in failures):
                totals["integrity_ok"] += 1
            totals["after_commit"] += checker.commit_kill
            summary = (f"kill at {checker.killed_after:.2f} s{' (after a COMMIT)' if checker.commit_kill else ''}; "
                       f"acknowledged APPLY {f['acked']['APPLY']}, BOOK {f['acked']['BOOK']}, COMMIT "
                       f"{f['acked']['COMMIT']} ({f['offers']} offers); without reply {f['unacked_there']} there, "
                       f"{f['unacked_absent']} absent; refused {f['refused']}; retries {f['retries']}")
        else:
            summary = "did not run to the end"
        if failures:
            failed += 1
            with open(os.path.join(directory, "failures.txt"), "w") as file:
                file.write("\n".join(failures) + "\n")
            print(f"trial {trial} FAIL ({seconds:.1f} s, seed {trial_seed}): {summary}", flush=True)
            for line in failures[:20]:
                print(f"    {line}", flush=True)
            if len(failures) > 20:
                print(f"    ... {len(failures) - 20} more in {directory}/failures.txt", flush=True)
            print(f"    kept {directory}; repeat with: scripts/crash-test.sh 1 --seed {seed} --first {trial}",
                  flush=True)
        else:
            passed += 1
            print(f"trial {trial} ok ({seconds:.1f} s): {summary}", flush=True)
            if not arguments.keep:
                shutil.rmtree(directory, ignore_errors=True)
    elapsed = time.monotonic() - began
    print(f"total: {arguments.trials} trials ({totals['after_commit']} killed just after a COMMIT) in "
          f"{elapsed:.0f} s; acknowledged writes checked {totals['acked']} "
          f"(APPLY {totals['apply']}, BOOK {totals['book']}, COMMIT {totals['commit']} with {totals['offers']} "
          f"offers; and {totals['plan']} PLAN); without reply: {totals['unacked_there']} all there, "
          f"{totals['unacked_absent']} absent (COMMIT: {totals['commit_there']} all there, "
          f"{totals['commit_absent']} absent); refused {totals['refused']}; retries {totals['retries']}; "
          f"lost {totals['lost']}, half there {totals['half']}, over capacity {totals['over']}; "
          f"integrity ok in {totals['integrity_ok']} of {arguments.trials}", flush=True)
    print(f"{passed} passed, {failed} failed", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
