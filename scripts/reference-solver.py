#!/usr/bin/env python3
"""Reference solver for Sasurai scenarios: the model of MODEL.md as an integer program.

Benchmarks compare the engine against it. It is independent of the engine: it reads a
`sasurai-scenario/1` file, enumerates every valid option of every application, and hands
the whole problem to a generic solver, HiGHS (MILP) or OR-Tools CP-SAT.

    scripts/reference-solver.py highs SCENARIO [--time-limit S] [--out PLAN] [--threads N]
    scripts/reference-solver.py cpsat SCENARIO [--time-limit S] [--out PLAN] [--workers N]

It prints one JSON line on stdout, for example

    {"solver": "highs", "status": "optimal", "score": 123, "bound": 123.0, "placed": 10,
     "applications": 12, "seconds": 1.2, "variables": 456, "constraints": 789, ...}

and with --out writes the best plan found as a `sasurai-plan/1` file. `status` is
"optimal", "time_limit" or "infeasible"; `bound` is the solver's proven upper bound on the
score (null when infeasible), never above the sum of each application's best option;
`seconds` is the solve alone, `build_seconds` reading the scenario and building the
model; `start_score` is the first-come-first-served plan handed to the solver as its
start (applications in id order, teams as one, each taking its best option that still
fits; --no-start leaves it out). When the solver has no plan of its own in time, the
bookings alone are reported, with a `note`. Progress and solver logs go to stderr.
Exit status: 0 when a plan is reported, 1 when the scenario is infeasible, 2 for a bad
input or a scenario too large for this script (over --max-options options or
--max-entries capacity entries), 3 if a plan breaks the model (a bug).

The model
---------
* One binary per option: (application, town, accommodation, arrival, slot or none) that
  passes rules 1-8. A booking contributes exactly its own option, fixed to 1; rules 2, 5, 6
  and 8 do not bind it, rules 1, 3, 4 and 7 do (a booking breaking them is an input error).
* At most one option per application (one row per application with two or more options).
* Teams: a binary per (team, town, arrival) open to every member; each member's options at
  that town and arrival sum to it, and the team takes at most one. Options at a town and
  arrival not open to every member are dropped.
* Accommodations of a town that every application sees alike (same kind, same open nights
  within the horizon, no budget between their net prices, none booked) form one pool with
  their beds added up; after solving, the pool's stays are shared out among them by
  arrival, which always fits (interval graphs are perfect). This removes symmetry only.
* Capacity per night: beds of an accommodation pool, nightly cap of a town, seats of a
  slot on each labor day, and at most one stay per night for a freelancer with several
  applications. A night is left out when it cannot bind (no more applications can reach it
  than it has room for) or when another night of the same resource covers every option it
  covers (only nights where the set of covering options is maximal are kept). Town rows are
  left out altogether when the town's cap is at least its beds.
  `--capacity nights` writes one row per resource and night. `--capacity events` (the
  default) writes, for resources with room for two or more, an occupancy
  variable per arrival or departure event, u[j] = u[j-1] + arrivals - departures with
  0 <= u[j] <= capacity: the same relaxation with a few nonzeros per option instead of one
  per night; single places keep their rows per night, which solvers read as cliques.
* Objective: MODEL.md's score of every placed application, bookings included.

Dependencies: the script runs itself inside a virtual environment `.venv-reference` in the
repository root, created on first use (`python3 -m venv`, then `pip install highspy
ortools`). highspy and ortools each ship their own libhighs and must never be loaded into
the same process: each run imports only the one its subcommand needs.
"""

import argparse
import bisect
import fcntl
import json
import math
import os
import re
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent
VENV = REPOSITORY / ".venv-reference"
REQUIREMENTS = ["highspy>=1.7,<2", "ortools>=9.10,<10"]
READY_MARKER = VENV / ".reference-solver-ready"
REEXEC_GUARD = "SASURAI_REFERENCE_SOLVER_VENV"

DEFAULT_MAX_OPTIONS = 4_000_000
DEFAULT_MAX_ENTRIES = 120_000_000
UNPLACED_REASON = "not placed by reference solver"
HIGHS_START_MAX_COLUMNS = 200_000

DEFAULT_WEIGHTS = {
    "place": 1000,
    "rank": [300, 200, 100],
    "rank_any": 300,
    "labor_day": 10,
    "relocation": {"none": 0, "considering": 100, "planning": 200},
}


class InputProblem(Exception):
    """The scenario cannot be solved as given (exit status 2)."""


def log(message):
    print(message, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------------------
# Virtual environment


def inside_venv():
    try:
        return Path(sys.prefix).resolve() == VENV.resolve()
    except OSError:
        return False


def ensure_venv_and_reexec(argv):
    """Runs this script again inside .venv-reference, creating it first when needed."""
    if inside_venv() or os.environ.get(REEXEC_GUARD) == "1":
        return
    python = VENV / "bin" / "python"
    wanted = "\n".join(REQUIREMENTS) + "\n"
    ready = READY_MARKER.exists() and READY_MARKER.read_text() == wanted and python.exists()
    if not ready:
        VENV.mkdir(parents=True, exist_ok=True)
        # Two benchmark runs started together on a fresh machine must not install at once.
        with open(VENV / ".install.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if not (READY_MARKER.exists() and READY_MARKER.read_text() == wanted and python.exists()):
                log(f"reference-solver: setting up {VENV} ({', '.join(REQUIREMENTS)})")
                try:
                    subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True,
                                   stdout=sys.stderr)
                    subprocess.run([str(python), "-m", "pip", "install", "--quiet",
                                    "--disable-pip-version-check"] + REQUIREMENTS,
                                   check=True, stdout=sys.stderr)
                except (subprocess.CalledProcessError, OSError) as error:
                    log(f"reference-solver: could not set up {VENV}: {error}")
                    sys.exit(2)
                READY_MARKER.write_text(wanted)
    env = dict(os.environ)
    env[REEXEC_GUARD] = "1"
    os.execve(str(python), [str(python), str(Path(__file__).resolve())] + argv, env)


# --------------------------------------------------------------------------------------
# Scenario

DAY_PATTERN = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def parse_day(text, path):
    if not isinstance(text, str) or not DAY_PATTERN.match(text):
        raise InputProblem(f"{path}: expected a date YYYY-MM-DD, got {text!r}")
    try:
        return date.fromisoformat(text).toordinal()
    except ValueError:
        raise InputProblem(f"{path}: no such date {text!r}")


def require(obj, key, path, kind=None):
    if not isinstance(obj, dict) or key not in obj:
        raise InputProblem(f"{path}.{key}: missing")
    value = obj[key]
    if kind is int and (isinstance(value, bool) or not isinstance(value, int)):
        raise InputProblem(f"{path}.{key}: expected an integer, got {value!r}")
    if kind is str and not isinstance(value, str):
        raise InputProblem(f"{path}.{key}: expected a string, got {value!r}")
    return value


def optional(obj, key, default):
    value = obj.get(key)
    return default if value is None else value


def merged_ranges(ranges):
    """Sorted ranges with overlapping or touching ones joined (every night in some range)."""
    merged = []
    for start, end in sorted(ranges):
        if end <= start:
            continue
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [tuple(r) for r in merged]


class Scenario:
    def __init__(self, data):
        if not isinstance(data, dict) or data.get("format") != "sasurai-scenario/1":
            raise InputProblem('format: expected "sasurai-scenario/1"')
        self.weights = self.read_weights(data.get("weights"))

        self.towns = []
        self.town_index = {}
        for i, t in enumerate(require(data, "towns", "$")):
            path = f"towns[{i}]"
            town_id = require(t, "id", path, str)
            if town_id in self.town_index:
                raise InputProblem(f"{path}.id: duplicate town {town_id!r}")
            self.town_index[town_id] = i
            self.towns.append({
                "id": town_id,
                "cap": require(t, "nightly_cap", path, int),
                "min_nights": optional(t, "min_nights", 1),
                "max_nights": optional(t, "max_nights", 90),
                "subsidy": optional(t, "subsidy_per_night", 0),
                "accommodations": [],
                "slots": [],
            })

        self.accommodations = []
        seen = set()
        for i, h in enumerate(require(data, "accommodations", "$")):
            path = f"accommodations[{i}]"
            acc_id = require(h, "id", path, str)
            if acc_id in seen:
                raise InputProblem(f"{path}.id: duplicate accommodation {acc_id!r}")
            seen.add(acc_id)
            town = self.town_of(require(h, "town", path, str), path + ".town")
            opening = h.get("open")
            if opening is None:
                ranges = None
            else:
                ranges = merged_ranges(
                    (parse_day(r[0], f"{path}.open[{j}][0]"), parse_day(r[1], f"{path}.open[{j}][1]"))
                    for j, r in enumerate(opening))
            self.towns[town]["accommodations"].append(len(self.accommodations))
            self.accommodations.append({
                "id": acc_id,
                "town": town,
                "kind": require(h, "kind", path, str),
                "beds": require(h, "beds", path, int),
                "price": require(h, "price_per_night", path, int),
                "open": ranges,
            })
        self.accommodation_index = {h["id"]: i for i, h in enumerate(self.accommodations)}

        self.slots = []
        for i, s in enumerate(optional(data, "slots", [])):
            path = f"slots[{i}]"
            town = self.town_of(require(s, "town", path, str), path + ".town")
            self.towns[town]["slots"].append(len(self.slots))
            self.slots.append({
                "id": require(s, "id", path, str),
                "town": town,
                "skills": frozenset(optional(s, "skills", [])),
                "from": parse_day(require(s, "from", path), path + ".from"),
                "to": parse_day(require(s, "to", path), path + ".to"),
                "seats": require(s, "seats", path, int),
                "min_days": optional(s, "min_days", 1),
            })
        self.slot_index = {s["id"]: i for i, s in enumerate(self.slots)}
        if len(self.slot_index) != len(self.slots):
            raise InputProblem("slots: duplicate slot id")

        self.freelancers = {}
        for i, f in enumerate(require(data, "freelancers", "$")):
            path = f"freelancers[{i}]"
            relocation = optional(f, "relocation", "none")
            if relocation not in ("none", "considering", "planning"):
                raise InputProblem(f"{path}.relocation: unknown value {relocation!r}")
            self.freelancers[require(f, "id", path, str)] = {
                "skills": frozenset(optional(f, "skills", [])),
                "relocation": relocation,
            }

        self.applications = []
        self.application_index = {}
        for i, a in enumerate(require(data, "applications", "$")):
            path = f"applications[{i}]"
            app_id = require(a, "id", path, str)
            if app_id in self.application_index:
                raise InputProblem(f"{path}.id: duplicate application {app_id!r}")
            freelancer = require(a, "freelancer", path, str)
            if freelancer not in self.freelancers:
                raise InputProblem(f"{path}.freelancer: unknown freelancer {freelancer!r}")
            labor = optional(a, "labor", "preferred")
            if labor not in ("required", "preferred", "none"):
                raise InputProblem(f"{path}.labor: unknown value {labor!r}")
            nights = require(a, "nights", path, int)
            if nights < 1:
                raise InputProblem(f"{path}.nights: must be at least 1")
            self.application_index[app_id] = i
            self.applications.append({
                "id": app_id,
                "freelancer": freelancer,
                "earliest": parse_day(require(a, "earliest", path), path + ".earliest"),
                "latest": parse_day(require(a, "latest", path), path + ".latest"),
                "nights": nights,
                "towns": [self.town_of(t, f"{path}.towns[{j}]") for j, t in enumerate(optional(a, "towns", []))],
                "kinds": frozenset(optional(a, "kinds", [])),
                "budget": require(a, "budget_per_night", path, int),
                "labor": labor,
                "team": a.get("team"),
            })

        self.bookings = {}
        for i, b in enumerate(optional(data, "bookings", [])):
            path = f"bookings[{i}]"
            app_id = require(b, "application", path, str)
            if app_id not in self.application_index:
                raise InputProblem(f"{path}.application: unknown application {app_id!r}")
            app = self.application_index[app_id]
            if app in self.bookings:
                raise InputProblem(f"{path}.application: {app_id!r} is booked twice")
            town = self.town_of(require(b, "town", path, str), path + ".town")
            acc_id = require(b, "accommodation", path, str)
            if acc_id not in self.accommodation_index:
                raise InputProblem(f"{path}.accommodation: unknown accommodation {acc_id!r}")
            slot_id = b.get("slot")
            if slot_id is not None and slot_id not in self.slot_index:
                raise InputProblem(f"{path}.slot: unknown slot {slot_id!r}")
            self.bookings[app] = {
                "path": path,
                "town": town,
                "accommodation": self.accommodation_index[acc_id],
                "arrival": parse_day(require(b, "arrival", path), path + ".arrival"),
                "slot": None if slot_id is None else self.slot_index[slot_id],
            }

        self.teams = {}
        for i, a in enumerate(self.applications):
            if a["team"] is not None:
                self.teams.setdefault(a["team"], []).append(i)
        for team, members in self.teams.items():
            if len({self.applications[m]["nights"] for m in members}) > 1:
                raise InputProblem(f"team {team!r}: members ask for different nights")
            booked = [m for m in members if m in self.bookings]
            if booked and len(booked) != len(members):
                raise InputProblem(f"team {team!r} is booked only in part")

    def town_of(self, town_id, path):
        if town_id not in self.town_index:
            raise InputProblem(f"{path}: unknown town {town_id!r}")
        return self.town_index[town_id]

    @staticmethod
    def read_weights(given):
        weights = json.loads(json.dumps(DEFAULT_WEIGHTS))
        if given is None:
            return weights
        for key, value in given.items():
            if key == "relocation":
                for intent, bonus in value.items():
                    weights["relocation"][intent] = bonus
            elif key in weights:
                weights[key] = value
            else:
                raise InputProblem(f"weights.{key}: unknown weight")
        return weights

    def rank_bonus(self, app, town):
        preferences = app["towns"]
        if not preferences:
            return self.weights["rank_any"]
        if town not in preferences:
            return 0
        position = preferences.index(town)
        ranks = self.weights["rank"]
        return ranks[position] if position < len(ranks) else 0

    def fixed_bonus(self, app):
        return self.weights["place"] + self.weights["relocation"][self.freelancers[app["freelancer"]]["relocation"]]


# --------------------------------------------------------------------------------------
# Options


def open_for(accommodation, first_night, nights):
    ranges = accommodation["open"]
    if ranges is None:
        return True
    return any(start <= first_night and first_night + nights <= end for start, end in ranges)


def shared_days(arrival, nights, slot):
    return max(0, min(arrival + nights, slot["to"]) - max(arrival, slot["from"]))


class Options:
    """Every valid option, as parallel numpy arrays, in days counted from `origin`."""

    def __init__(self, scenario, np, max_options):
        self.np = np
        sc = scenario
        apps = sc.applications
        # Every stay lies inside the applications' windows and the bookings' own stays.
        starts = [a["earliest"] for a in apps] + [b["arrival"] for b in sc.bookings.values()]
        ends = [a["latest"] for a in apps] + [b["arrival"] + apps[i]["nights"] for i, b in sc.bookings.items()]
        self.origin = min(starts) if starts else 0
        self.horizon = max(1, (max(ends) - self.origin) if ends else 1)
        o = self.origin
        self.make_pools(sc)

        cols = {k: [] for k in ("app", "town", "pool", "arrival", "nights", "slot", "labor", "score")}
        count = 0

        def add(app, town, pool, arrivals, nights, slot, labor, score):
            nonlocal count
            size = len(arrivals)
            cols["app"].append(np.full(size, app, dtype=np.int64))
            cols["town"].append(np.full(size, town, dtype=np.int64))
            cols["pool"].append(np.full(size, pool, dtype=np.int64))
            cols["arrival"].append(np.asarray(arrivals, dtype=np.int64))
            cols["nights"].append(np.full(size, nights, dtype=np.int64))
            cols["slot"].append(np.full(size, slot, dtype=np.int64))
            cols["labor"].append(np.asarray(labor, dtype=np.int64))
            cols["score"].append(np.asarray(score, dtype=np.int64))
            count += size
            if count > max_options:
                raise InputProblem(
                    f"scenario too large for the reference solver: more than {max_options:,} options "
                    f"(raise --max-options to try anyway)")

        labor_weight = sc.weights["labor_day"]
        for index, app in enumerate(apps):
            nights = app["nights"]
            base = sc.fixed_bonus(app)
            booking = sc.bookings.get(index)
            if booking is not None:
                self.booking_option(sc, index, app, booking, add, base, labor_weight)
                continue
            skills = sc.freelancers[app["freelancer"]]["skills"]
            first_arrival, last_arrival = app["earliest"], app["latest"] - nights
            if last_arrival < first_arrival:
                continue
            towns = app["towns"] if app["towns"] else range(len(sc.towns))
            for town_index in towns:
                town = sc.towns[town_index]
                if not (town["min_nights"] <= nights <= town["max_nights"]):
                    continue
                score = base + sc.rank_bonus(app, town_index)
                slots = []
                if app["labor"] != "none":
                    slots = [s for s in town["slots"] if sc.slots[s]["skills"] <= skills]
                for pool_index in self.town_pools[town_index]:
                    acc = sc.accommodations[self.pools[pool_index][0]]
                    if app["kinds"] and acc["kind"] not in app["kinds"]:
                        continue
                    if max(0, acc["price"] - town["subsidy"]) > app["budget"]:
                        continue
                    ranges = acc["open"] if acc["open"] is not None else [(first_arrival, last_arrival + nights)]
                    pieces = []
                    for start, end in ranges:
                        lo, hi = max(first_arrival, start), min(last_arrival, end - nights)
                        if lo <= hi:
                            pieces.append(np.arange(lo, hi + 1, dtype=np.int64))
                    if not pieces:
                        continue
                    arrivals = np.concatenate(pieces)
                    if app["labor"] != "required":
                        add(index, town_index, pool_index, arrivals - o, nights, -1,
                            np.zeros(len(arrivals)), np.full(len(arrivals), score))
                    for slot_index in slots:
                        slot = sc.slots[slot_index]
                        shared = np.clip(np.minimum(arrivals + nights, slot["to"]) - np.maximum(arrivals, slot["from"]),
                                         0, None)
                        keep = shared >= slot["min_days"]
                        if keep.any():
                            add(index, town_index, pool_index, arrivals[keep] - o, nights, slot_index,
                                shared[keep], score + labor_weight * shared[keep])

        def joined(name):
            return np.concatenate(cols[name]) if cols[name] else np.zeros(0, dtype=np.int64)

        self.app = joined("app")
        self.town = joined("town")
        self.pool = joined("pool")
        self.arrival = joined("arrival")
        self.nights = joined("nights")
        self.slot = joined("slot")
        self.labor = joined("labor")
        self.score = joined("score")
        self.booked = np.isin(self.app, np.fromiter(sc.bookings.keys(), dtype=np.int64, count=len(sc.bookings)))
        self.drop_team_options_not_open_to_all(sc)

    def make_pools(self, sc):
        """Groups a town's accommodations that every application sees alike into one pool.

        Two accommodations are alike when they have the same kind, the same open nights
        within the horizon, no application's budget lies between their net prices, and
        neither is booked. A pool then works as one accommodation with all their beds:
        stays whose count never exceeds the pool's beds on any night can always be shared
        out among its accommodations (interval graphs are perfect; see `accommodations`).
        """
        first, last = self.origin, self.origin + self.horizon
        budgets = sorted({a["budget"] for i, a in enumerate(sc.applications) if i not in sc.bookings})
        booked = {b["accommodation"] for b in sc.bookings.values()}
        self.pools = []
        self.town_pools = [[] for _ in sc.towns]
        self.pool_of = {}
        for town_index, town in enumerate(sc.towns):
            groups = {}
            for acc_index in town["accommodations"]:
                acc = sc.accommodations[acc_index]
                ranges = acc["open"] if acc["open"] is not None else [(first, last)]
                clipped = tuple((max(a, first), min(b, last)) for a, b in ranges if min(b, last) > max(a, first))
                if not clipped:
                    continue  # never open while anyone could stay
                net = max(0, acc["price"] - town["subsidy"])
                budget_class = bisect.bisect_left(budgets, net)
                signature = ("booked", acc_index) if acc_index in booked else (acc["kind"], clipped, budget_class)
                groups.setdefault(signature, []).append(acc_index)
            for members in groups.values():
                pool = len(self.pools)
                self.pools.append(members)
                self.town_pools[town_index].append(pool)
                for acc_index in members:
                    self.pool_of[acc_index] = pool
        self.pool_beds = [sum(sc.accommodations[h]["beds"] for h in members) for members in self.pools]

    def accommodations(self, sc, chosen):
        """The accommodation of each chosen option: pools shared out by arrival, earliest first.

        Taken in order of arrival, a stay overlaps only earlier stays that are still there on
        its first night, so an accommodation with a free bed on that night has one on every
        night of the stay; one exists whenever the pool's count fits its beds that night.
        """
        np = self.np
        result = {}
        by_pool = {}
        for i in chosen.tolist():
            by_pool.setdefault(int(self.pool[i]), []).append(i)
        for pool, options in by_pool.items():
            members = self.pools[pool]
            if len(members) == 1:
                for i in options:
                    result[i] = members[0]
                continue
            used = np.zeros((len(members), self.horizon + 1), dtype=np.int64)
            beds = [sc.accommodations[h]["beds"] for h in members]
            options.sort(key=lambda i: (int(self.arrival[i]), sc.applications[int(self.app[i])]["id"].encode()))
            for i in options:
                d, n = int(self.arrival[i]), int(self.nights[i])
                slot = next((k for k in range(len(members)) if used[k, d] < beds[k]), None)
                if slot is None:
                    raise RuntimeError(f"pool {pool} overfull on night {d}")
                used[slot, d:d + n] += 1
                result[i] = members[slot]
        return result

    def booking_option(self, sc, index, app, booking, add, base, labor_weight):
        """A booking's one option, after checking the rules that bind it (1, 3, 4, 7)."""
        path = booking["path"]
        town = sc.towns[booking["town"]]
        acc = sc.accommodations[booking["accommodation"]]
        nights = app["nights"]
        arrival = booking["arrival"]
        if acc["town"] != booking["town"]:
            raise InputProblem(f"{path}: accommodation {acc['id']!r} is not in town {town['id']!r} (rule 1)")
        if not (town["min_nights"] <= nights <= town["max_nights"]):
            raise InputProblem(f"{path}: {nights} nights outside {town['id']!r}'s "
                               f"{town['min_nights']}..{town['max_nights']} (rule 3)")
        if not open_for(acc, arrival, nights):
            raise InputProblem(f"{path}: {acc['id']!r} is not open for the whole stay (rule 4)")
        labor = 0
        slot_index = booking["slot"]
        if slot_index is not None:
            slot = sc.slots[slot_index]
            if slot["town"] != booking["town"]:
                raise InputProblem(f"{path}: slot {slot['id']!r} is not in town {town['id']!r} (rule 1)")
            if not slot["skills"] <= sc.freelancers[app["freelancer"]]["skills"]:
                raise InputProblem(f"{path}: the freelancer lacks skills of slot {slot['id']!r} (rule 7)")
            labor = shared_days(arrival, nights, slot)
            if labor < slot["min_days"]:
                raise InputProblem(f"{path}: {labor} labor days in {slot['id']!r}, "
                                   f"fewer than {slot['min_days']} (rule 7)")
        score = base + sc.rank_bonus(app, booking["town"]) + labor_weight * labor
        add(index, booking["town"], self.pool_of[booking["accommodation"]], [arrival - self.origin], nights,
            -1 if slot_index is None else slot_index, [labor], [score])

    def drop_team_options_not_open_to_all(self, sc):
        np = self.np
        keep = np.ones(len(self.app), dtype=bool)
        self.key_span = self.horizon + 1
        key = self.town * self.key_span + self.arrival
        for team, members in sorted(sc.teams.items()):
            if members[0] in sc.bookings:
                towns_arrivals = {(b["town"], b["arrival"]) for b in (sc.bookings[m] for m in members)}
                if len(towns_arrivals) != 1:
                    raise InputProblem(f"team {team!r} is booked in different towns or arrivals (rule 12)")
                continue
            common = None
            for m in members:
                keys = np.unique(key[self.app == m])
                common = keys if common is None else np.intersect1d(common, keys, assume_unique=True)
            for m in members:
                mine = self.app == m
                keep &= ~mine | np.isin(key, common)
        if not keep.all():
            for name in ("app", "town", "pool", "arrival", "nights", "slot", "labor", "score", "booked"):
                setattr(self, name, getattr(self, name)[keep])

    def __len__(self):
        return len(self.app)


# --------------------------------------------------------------------------------------
# The integer program, solver-neutral


class Program:
    """Columns (options, then team variables) and rows in coordinate form."""

    def __init__(self, scenario, options, np, max_entries, chain_min_cap=None):
        self.np = np
        sc, op = scenario, options
        n_options = len(op)
        self.n_options = n_options
        rows_i, rows_j, rows_v = [], [], []
        lower, upper = [], []
        self.at_most_one = []  # row numbers that are "sum of binaries <= 1" (for CP-SAT)
        row = 0

        def add_rows(row_ids, cols, vals, lo, hi, amo=False):
            nonlocal row
            rows_i.append(np.asarray(row_ids, dtype=np.int64) + row)
            rows_j.append(np.asarray(cols, dtype=np.int64))
            rows_v.append(np.asarray(vals, dtype=np.float64))
            lower.append(np.asarray(lo, dtype=np.float64))
            upper.append(np.asarray(hi, dtype=np.float64))
            count = len(lo)
            if amo:
                self.at_most_one.append((row, row + count))
            row += count

        order = np.argsort(op.app, kind="stable")
        counts = np.bincount(op.app, minlength=len(sc.applications))
        starts = np.concatenate([[0], np.cumsum(counts)])
        self.options_of_app = (order, starts)

        # At most one option per solo application.
        team_member = np.zeros(len(sc.applications), dtype=bool)
        for members in sc.teams.values():
            team_member[members] = True
        solo = np.flatnonzero((counts >= 2) & ~team_member)
        if len(solo):
            lengths = counts[solo]
            cols = np.concatenate([order[starts[a]:starts[a + 1]] for a in solo])
            add_rows(np.repeat(np.arange(len(solo)), lengths), cols, np.ones(len(cols)),
                     np.full(len(solo), -np.inf), np.ones(len(solo)), amo=True)

        # Teams: z[team, town, arrival] = each member's options there; at most one z per team.
        key = op.town * op.key_span + op.arrival
        n_columns = n_options
        self.team_columns = []  # (team, town, arrival offset, column)
        for team, members in sorted(sc.teams.items()):
            if members[0] in sc.bookings:
                continue
            keys = np.unique(key[np.isin(op.app, members)])
            if len(keys) == 0:
                continue
            z = n_columns + np.arange(len(keys))
            n_columns += len(keys)
            for k, c in zip(keys, z):
                self.team_columns.append((team, int(k // op.key_span), int(k % op.key_span), int(c)))
            if len(keys) >= 2:
                add_rows(np.zeros(len(keys)), z, np.ones(len(keys)), [-np.inf], [1.0], amo=True)
            for m in members:
                mine = order[starts[m]:starts[m + 1]]
                position = np.searchsorted(keys, key[mine])
                add_rows(np.concatenate([position, np.arange(len(keys))]),
                         np.concatenate([mine, z]),
                         np.concatenate([np.ones(len(mine)), -np.ones(len(keys))]),
                         np.zeros(len(keys)), np.zeros(len(keys)))
        integer_upper = np.ones(n_columns)
        self.n_integer_columns = n_columns
        extra_upper = []

        # Capacity rows per night.
        horizon = op.horizon
        total_entries = 0
        resources = []
        # Beds per accommodation.
        caps = np.array(op.pool_beds, dtype=np.int64)
        resources.append(("beds", op.pool, op.arrival, op.nights, caps, np.ones(n_options, dtype=bool)))
        # Nightly cap per town, unless the town's beds can never exceed it.
        town_beds = np.zeros(len(sc.towns), dtype=np.int64)
        np.add.at(town_beds, np.array([h["town"] for h in sc.accommodations], dtype=np.int64),
                  np.array([h["beds"] for h in sc.accommodations], dtype=np.int64))
        town_caps = np.array([t["cap"] for t in sc.towns], dtype=np.int64)
        binding_town = town_caps < town_beds
        resources.append(("town", op.town, op.arrival, op.nights, town_caps, binding_town[op.town]))
        # Seats per slot on each labor day.
        with_slot = op.slot >= 0
        if len(sc.slots):
            slot_from = np.array([s["from"] for s in sc.slots], dtype=np.int64) - op.origin
            slot_to = np.array([s["to"] for s in sc.slots], dtype=np.int64) - op.origin
            seats = np.array([s["seats"] for s in sc.slots], dtype=np.int64)
            safe = np.where(with_slot, op.slot, 0)
            labor_start = np.maximum(op.arrival, slot_from[safe])
            labor_end = np.minimum(op.arrival + op.nights, slot_to[safe])
            resources.append(("seats", safe, labor_start, np.maximum(labor_end - labor_start, 0), seats,
                              with_slot & (labor_end > labor_start)))
        # One stay per night for a freelancer with several applications.
        freelancer_ids = {}
        app_freelancer = np.array([freelancer_ids.setdefault(a["freelancer"], len(freelancer_ids))
                                   for a in sc.applications], dtype=np.int64)
        apps_per_freelancer = np.bincount(app_freelancer, minlength=len(freelancer_ids))
        if len(op.app) and (apps_per_freelancer >= 2).any():
            of = app_freelancer[op.app]
            resources.append(("freelancer", of, op.arrival, op.nights,
                              np.ones(len(freelancer_ids), dtype=np.int64), apps_per_freelancer[of] >= 2))

        self.capacity_rows = {}
        for name, resource, first, length, cap, active in resources:
            cols = np.flatnonzero(active)
            if len(cols) == 0:
                self.capacity_rows[name] = 0
                continue
            total_entries += int(length[cols].sum())
            if total_entries > max_entries:
                raise InputProblem(
                    f"scenario too large for the reference solver: more than {max_entries:,} "
                    f"capacity entries (raise --max-entries to try anyway)")
            kept_keys, entry_cols, entry_keys = self.night_rows(
                resource[cols], first[cols], length[cols], op.app[cols], cap, cols, horizon)
            if len(kept_keys) == 0:
                self.capacity_rows[name] = 0
                continue
            # Resources with room for several guests carry their occupancy from event to event
            # (u[j] = u[j-1] + arrivals - departures, 0 <= u[j] <= cap): the same relaxation as
            # a row per night with far fewer nonzeros. Single-bed resources keep a row per night,
            # which the solver reads as a clique.
            kept_resource = kept_keys // horizon
            chained = np.zeros(len(kept_keys), dtype=bool)
            if chain_min_cap is not None and name != "freelancer":
                chained = cap[kept_resource] >= chain_min_cap
            rows_here = 0
            if chained.any():
                chain_resources = np.unique(kept_resource[chained])
                mine = np.isin(resource[cols], chain_resources)
                c, res = cols[mine], resource[cols][mine]
                arr, dep = first[cols][mine], (first + length)[cols][mine]
                span = horizon + 1
                points = np.unique(np.concatenate([res * span + arr, res * span + dep]))
                n_points = len(points)
                u = n_columns + np.arange(n_points)
                n_columns += n_points
                extra_upper.append(cap[points // span].astype(np.float64))
                follows = np.flatnonzero(np.concatenate([[False], (points[1:] // span) == (points[:-1] // span)]))
                add_rows(np.concatenate([np.arange(n_points), follows,
                                         np.searchsorted(points, res * span + arr),
                                         np.searchsorted(points, res * span + dep)]),
                         np.concatenate([u, u[follows - 1], c, c]),
                         np.concatenate([np.ones(n_points), -np.ones(len(follows)),
                                         -np.ones(len(c)), np.ones(len(c))]),
                         np.zeros(n_points), np.zeros(n_points))
                rows_here += n_points
            night_keys = kept_keys[~chained]
            if len(night_keys):
                if chained.any():
                    keep = np.isin(entry_keys, night_keys)
                    entry_keys, entry_cols = entry_keys[keep], entry_cols[keep]
                add_rows(np.searchsorted(night_keys, entry_keys), entry_cols, np.ones(len(entry_cols)),
                         np.full(len(night_keys), -np.inf), cap[night_keys // horizon].astype(np.float64),
                         amo=(name == "freelancer"))
                rows_here += len(night_keys)
            self.capacity_rows[name] = rows_here

        self.n_rows = row
        self.n_columns = n_columns
        if rows_i:
            self.row_index = np.concatenate(rows_i)
            self.col_index = np.concatenate(rows_j)
            self.values = np.concatenate(rows_v)
            self.row_lower = np.concatenate(lower)
            self.row_upper = np.concatenate(upper)
        else:
            self.row_index = np.zeros(0, dtype=np.int64)
            self.col_index = np.zeros(0, dtype=np.int64)
            self.values = np.zeros(0)
            self.row_lower = np.zeros(0)
            self.row_upper = np.zeros(0)

        self.objective = np.zeros(n_columns)
        self.objective[:n_options] = op.score
        self.col_lower = np.zeros(n_columns)
        self.col_lower[:n_options][op.booked] = 1.0
        self.col_upper = np.concatenate([integer_upper] + extra_upper)

    def night_rows(self, resource, first, length, app, cap, cols, horizon):
        """Rows (resource, night) that can bind; returns their sorted keys and the entries."""
        np = self.np
        # Entries: one per option and night it holds the resource.
        total = int(length.sum())
        owner = np.repeat(np.arange(len(length)), length)
        offset = np.arange(total) - np.repeat(np.cumsum(length) - length, length)
        keys = resource[owner] * horizon + first[owner] + offset
        # A row binds only if more applications than its capacity can reach it.
        pairs = np.unique(keys * (int(app.max()) + 1) + app[owner])
        pair_keys = pairs // (int(app.max()) + 1)
        candidate, reach = np.unique(pair_keys, return_counts=True)
        candidate = candidate[reach > cap[candidate // horizon]]
        # Only nights whose set of covering options is maximal: an arrival on that night, and
        # the first departure after it before the next arrival.
        start_keys = np.unique(resource * horizon + first)
        end_keys = np.unique(resource * horizon + first + length - 1)
        next_start = np.append(start_keys[1:], np.iinfo(np.int64).max)
        same = (next_start // horizon) == (start_keys // horizon)
        next_start = np.where(same, next_start, np.iinfo(np.int64).max)
        position = np.searchsorted(end_keys, start_keys)  # first end >= start (always exists)
        next_end = end_keys[position]
        maximal = start_keys[next_end < next_start]
        kept = np.intersect1d(candidate, maximal, assume_unique=True)
        chosen = np.isin(keys, kept)
        return kept, cols[owner[chosen]], keys[chosen]


# --------------------------------------------------------------------------------------
# Solvers


def solve_highs(program, args, start_values):
    import highspy
    np = program.np
    h = highspy.Highs()
    h.setOptionValue("output_flag", bool(args.verbose))
    h.setOptionValue("log_to_console", bool(args.verbose))
    h.setOptionValue("random_seed", 0)
    h.setOptionValue("mip_rel_gap", 0.0)
    # Every objective coefficient is an integer, so a gap under 1 proves optimality.
    h.setOptionValue("mip_abs_gap", 0.999)
    if args.time_limit is not None:
        h.setOptionValue("time_limit", float(args.time_limit))
    if args.threads is not None:
        h.setOptionValue("threads", int(args.threads))

    lp = highspy.HighsLp()
    lp.num_col_ = program.n_columns
    lp.num_row_ = program.n_rows
    lp.col_cost_ = program.objective
    lp.col_lower_ = program.col_lower
    lp.col_upper_ = program.col_upper
    lp.row_lower_ = np.where(np.isinf(program.row_lower), -highspy.kHighsInf, program.row_lower)
    lp.row_upper_ = np.where(np.isinf(program.row_upper), highspy.kHighsInf, program.row_upper)
    lp.sense_ = highspy.ObjSense.kMaximize
    order = np.lexsort((program.row_index, program.col_index))
    col_starts = np.concatenate([[0], np.cumsum(np.bincount(program.col_index, minlength=program.n_columns))])
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = col_starts.astype(np.int32)
    lp.a_matrix_.index_ = program.row_index[order].astype(np.int32)
    lp.a_matrix_.value_ = program.values[order]
    lp.a_matrix_.num_col_ = program.n_columns
    lp.a_matrix_.num_row_ = program.n_rows
    lp.integrality_ = ([highspy.HighsVarType.kInteger] * program.n_integer_columns
                       + [highspy.HighsVarType.kContinuous] * (program.n_columns - program.n_integer_columns))
    status = h.passModel(lp)
    if status == highspy.HighsStatus.kError:
        raise RuntimeError("HiGHS rejected the model")

    # Start from the first plan (HiGHS works out the occupancy variables itself).
    if start_values is not None:
        start = highspy.HighsSolution()
        start.col_value = list(start_values)
        start.value_valid = True
        h.setSolution(start)

    began = time.monotonic()
    h.run()
    seconds = time.monotonic() - began
    model_status = h.getModelStatus()
    info = h.getInfo()
    statuses = {
        highspy.HighsModelStatus.kOptimal: "optimal",
        highspy.HighsModelStatus.kTimeLimit: "time_limit",
        highspy.HighsModelStatus.kInfeasible: "infeasible",
        highspy.HighsModelStatus.kInterrupt: "interrupted",
        highspy.HighsModelStatus.kMemoryLimit: "memory_limit",
    }
    name = statuses.get(model_status, h.modelStatusToString(model_status).lower().replace(" ", "_"))
    chosen = None
    if info.primal_solution_status == 2 and name != "infeasible":  # kSolutionStatusFeasible
        values = np.asarray(h.getSolution().col_value)[:program.n_options]
        chosen = np.flatnonzero(values > 0.5)
    bound = info.mip_dual_bound
    if name == "infeasible":
        bound = None
    return {"status": name, "bound": bound, "seconds": seconds, "chosen": chosen,
            "solver_objective": info.objective_function_value if chosen is not None else None,
            "nodes": int(info.mip_node_count)}


def solve_cpsat(program, args, start_values):
    from ortools.sat.python import cp_model
    np = program.np
    model = cp_model.CpModel()
    columns = [model.new_bool_var("") for _ in range(program.n_integer_columns)]
    columns += [model.new_int_var(0, int(program.col_upper[c]), "")
                for c in range(program.n_integer_columns, program.n_columns)]
    booked = np.flatnonzero(program.col_lower > 0.5)
    for c in booked:
        model.add(columns[c] == 1)

    # Rows, grouped from the coordinate form.
    order = np.argsort(program.row_index, kind="stable")
    row_cols = program.col_index[order]
    row_vals = program.values[order].astype(np.int64)
    bounds = np.concatenate([[0], np.cumsum(np.bincount(program.row_index, minlength=program.n_rows))])
    amo = np.zeros(program.n_rows, dtype=bool)
    for first, last in program.at_most_one:
        amo[first:last] = True
    for r in range(program.n_rows):
        cols = row_cols[bounds[r]:bounds[r + 1]]
        if amo[r]:
            model.add_at_most_one([columns[c] for c in cols])
            continue
        vals = row_vals[bounds[r]:bounds[r + 1]]
        expression = cp_model.LinearExpr.weighted_sum([columns[c] for c in cols], vals.tolist())
        lo, hi = program.row_lower[r], program.row_upper[r]
        if lo == hi:
            model.add(expression == int(lo))
        elif np.isinf(lo):
            model.add(expression <= int(hi))
        else:
            model.add_linear_constraint(expression, int(lo), int(hi))
    objective_cols = np.flatnonzero(program.objective != 0)
    model.maximize(cp_model.LinearExpr.weighted_sum(
        [columns[c] for c in objective_cols], program.objective[objective_cols].astype(np.int64).tolist()))

    if start_values is not None:
        for c in range(program.n_integer_columns):
            model.add_hint(columns[c], int(start_values[c] > 0.5))

    solver = cp_model.CpSolver()
    solver.parameters.num_workers = int(args.workers)
    solver.parameters.random_seed = 0
    solver.parameters.log_search_progress = bool(args.verbose)
    if args.time_limit is not None:
        solver.parameters.max_time_in_seconds = float(args.time_limit)
    began = time.monotonic()
    result = solver.solve(model)
    seconds = time.monotonic() - began
    name = {
        cp_model.OPTIMAL: "optimal",
        cp_model.FEASIBLE: "time_limit",
        cp_model.INFEASIBLE: "infeasible",
        cp_model.UNKNOWN: "time_limit",
        cp_model.MODEL_INVALID: "model_invalid",
    }[result]
    chosen = None
    if result in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        values = np.asarray(solver.response_proto.solution, dtype=np.int64)[:program.n_options]
        chosen = np.flatnonzero(values > 0)
    bound = None if result in (cp_model.INFEASIBLE, cp_model.MODEL_INVALID) else float(solver.best_objective_bound)
    return {"status": name, "bound": bound, "seconds": seconds, "chosen": chosen,
            "solver_objective": solver.objective_value if chosen is not None else None,
            "branches": int(solver.num_branches)}


# --------------------------------------------------------------------------------------
# A first plan to start from


def greedy_start(scenario, options, program):
    """First come, first served: bookings, then applications (a team as one) in id order,
    each taking its best-scoring option that still fits. Returns the chosen option numbers
    and the column values (team variables included) for a solver to start from."""
    sc, op, np = scenario, options, options.np
    span = op.horizon + 1
    pool_used = np.zeros((len(op.pools), span), dtype=np.int64)
    town_used = np.zeros((len(sc.towns), span), dtype=np.int64)
    seat_used = np.zeros((max(1, len(sc.slots)), span), dtype=np.int64)
    freelancer_of = [a["freelancer"] for a in sc.applications]
    freelancer_used = {f: np.zeros(span, dtype=np.int64) for f in set(freelancer_of)}
    pool_beds = np.asarray(op.pool_beds)
    town_caps = np.asarray([t["cap"] for t in sc.towns])
    slot_window = [(s["from"] - op.origin, s["to"] - op.origin, s["seats"]) for s in sc.slots]

    def labor_range(i):
        start, end, _ = slot_window[op.slot[i]]
        d = int(op.arrival[i])
        return max(d, start), min(d + int(op.nights[i]), end)

    def fits(i):
        d, n = int(op.arrival[i]), int(op.nights[i])
        if (pool_used[op.pool[i], d:d + n] >= pool_beds[op.pool[i]]).any():
            return False
        if (town_used[op.town[i], d:d + n] >= town_caps[op.town[i]]).any():
            return False
        if freelancer_used[freelancer_of[op.app[i]]][d:d + n].any():
            return False
        if op.slot[i] >= 0:
            first, last = labor_range(i)
            if first < last and (seat_used[op.slot[i], first:last] >= slot_window[op.slot[i]][2]).any():
                return False
        return True

    def take(i, amount=1):
        d, n = int(op.arrival[i]), int(op.nights[i])
        pool_used[op.pool[i], d:d + n] += amount
        town_used[op.town[i], d:d + n] += amount
        freelancer_used[freelancer_of[op.app[i]]][d:d + n] += amount
        if op.slot[i] >= 0:
            first, last = labor_range(i)
            if first < last:
                seat_used[op.slot[i], first:last] += amount

    order, starts = program.options_of_app
    chosen = []
    for i in np.flatnonzero(op.booked):
        take(i)
        chosen.append(int(i))

    def by_preference(indices):
        return sorted(indices.tolist(), key=lambda i: (-int(op.score[i]), int(op.arrival[i]), int(op.pool[i]),
                                                       int(op.slot[i])))

    team_of = {}
    for team, members in sc.teams.items():
        for m in members:
            team_of[m] = team
    done = set()
    key = op.town * op.key_span + op.arrival
    for a in sorted(range(len(sc.applications)), key=lambda a: sc.applications[a]["id"].encode()):
        if a in sc.bookings or a in done:
            continue
        team = team_of.get(a)
        if team is None:
            for i in by_preference(order[starts[a]:starts[a + 1]]):
                if fits(i):
                    take(i)
                    chosen.append(i)
                    break
            continue
        members = sc.teams[team]
        done.update(members)
        mine = np.concatenate([order[starts[m]:starts[m + 1]] for m in members])
        if len(mine) == 0:
            continue
        # Team keys (town, arrival), best total first.
        keys = {}
        for i in mine.tolist():
            keys.setdefault(int(key[i]), {}).setdefault(int(op.app[i]), []).append(i)
        ranked = sorted(keys.items(), key=lambda kv: (-sum(max(op.score[i] for i in v) for v in kv[1].values()),
                                                       kv[0]))
        for _, per_member in ranked:
            if len(per_member) != len(members):
                continue
            taken = []
            for m in members:
                pick = next((i for i in by_preference(np.asarray(per_member[m])) if fits(i)), None)
                if pick is None:
                    break
                take(pick)
                taken.append(pick)
            if len(taken) == len(members):
                chosen.extend(taken)
                break
            for i in taken:
                take(i, -1)

    chosen = np.asarray(sorted(chosen), dtype=np.int64)
    values = program.col_lower.copy()
    values[:program.n_options] = 0.0
    values[chosen] = 1.0
    placed_key = {}
    for i in chosen.tolist():
        placed_key[int(op.app[i])] = (int(op.town[i]), int(op.arrival[i]))
    for team, town, arrival, column in program.team_columns:
        if placed_key.get(sc.teams[team][0]) == (town, arrival):
            values[column] = 1.0
    return chosen, values


# --------------------------------------------------------------------------------------
# Checking and writing the result


def check_plan(scenario, options, chosen, accommodation):
    """Rules 1 and 9-12 on the chosen options, counted night by night; returns the problems."""
    sc, op = scenario, options
    problems = []
    apps = op.app[chosen].tolist()
    if len(set(apps)) != len(apps):
        problems.append("an application is placed twice")
    beds, towns, seats, freelancer_nights = {}, {}, {}, {}
    placed = {}
    for i in chosen.tolist():
        a, d, n = int(op.app[i]), int(op.arrival[i]), int(op.nights[i])
        placed[a] = (int(op.town[i]), d)
        f = sc.applications[a]["freelancer"]
        h = accommodation[i]
        if sc.accommodations[h]["town"] != op.town[i] or not open_for(sc.accommodations[h], d + op.origin, n):
            problems.append(f"{sc.applications[a]['id']} in accommodation {sc.accommodations[h]['id']} breaks rule 1 or 4")
        for night in range(d, d + n):
            beds[(h, night)] = beds.get((h, night), 0) + 1
            towns[(op.town[i], night)] = towns.get((op.town[i], night), 0) + 1
            freelancer_nights[(f, night)] = freelancer_nights.get((f, night), 0) + 1
        if op.slot[i] >= 0:
            slot = sc.slots[int(op.slot[i])]
            for day in range(max(d, slot["from"] - op.origin), min(d + n, slot["to"] - op.origin)):
                seats[(op.slot[i], day)] = seats.get((op.slot[i], day), 0) + 1
    for (h, night), used in beds.items():
        if used > sc.accommodations[h]["beds"]:
            problems.append(f"accommodation {sc.accommodations[h]['id']} over its beds")
    for (t, night), used in towns.items():
        if used > sc.towns[t]["cap"]:
            problems.append(f"town {sc.towns[t]['id']} over its nightly cap")
    for (s, day), used in seats.items():
        if used > sc.slots[s]["seats"]:
            problems.append(f"slot {sc.slots[s]['id']} over its seats")
    for (f, night), used in freelancer_nights.items():
        if used > 1:
            problems.append(f"freelancer {f} has two stays on one night")
    for team, members in sc.teams.items():
        here = [placed.get(m) for m in members]
        if any(p is None for p in here) and any(p is not None for p in here):
            problems.append(f"team {team} placed in part")
        elif here and here[0] is not None and len(set(here)) != 1:
            problems.append(f"team {team} split over towns or arrivals")
    return sorted(set(problems))


def plan_text(scenario, options, chosen, accommodation, score):
    sc, op = scenario, options
    assignments = {}
    for i in chosen.tolist():
        a = int(op.app[i])
        slot = int(op.slot[i])
        assignments[sc.applications[a]["id"]] = {
            "application": sc.applications[a]["id"],
            "town": sc.towns[int(op.town[i])]["id"],
            "accommodation": sc.accommodations[accommodation[i]]["id"],
            "arrival": date.fromordinal(int(op.arrival[i]) + op.origin).isoformat(),
            "nights": int(op.nights[i]),
            "slot": None if slot < 0 else sc.slots[slot]["id"],
            "labor_days": int(op.labor[i]),
        }
    unplaced = [{"application": a["id"], "reason": UNPLACED_REASON}
                for a in sc.applications if a["id"] not in assignments]

    def byte_order(entry):
        return entry["application"].encode("utf-8")

    def entry(fields):
        return "{" + ", ".join(f"{json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}"
                               for k, v in fields.items()) + "}"

    def listing(name, entries):
        if not entries:
            return f'"{name}": []'
        return f'"{name}": [\n' + ",\n".join("    " + entry(e) for e in entries) + "\n  ]"

    return ("{\n"
            f'  "format": "sasurai-plan/1",\n'
            f'  "score": {score},\n'
            f"  {listing('assignments', sorted(assignments.values(), key=byte_order))},\n"
            f"  {listing('unplaced', sorted(unplaced, key=byte_order))}\n"
            "}\n")


# --------------------------------------------------------------------------------------


def parse_arguments(argv):
    parser = argparse.ArgumentParser(
        prog="reference-solver.py",
        description="Solve a sasurai-scenario/1 file exactly with HiGHS (MILP) or OR-Tools CP-SAT, "
                    "as a reference for the engine's benchmarks.")
    sub = parser.add_subparsers(dest="solver", required=True)
    for name, text in (("highs", "the MILP in HiGHS"), ("cpsat", "the same model in OR-Tools CP-SAT")):
        p = sub.add_parser(name, help=text)
        p.add_argument("scenario", help="sasurai-scenario/1 file")
        p.add_argument("--time-limit", type=float, default=None, metavar="S",
                       help="stop after S seconds of solving and report the best plan found (default: none)")
        p.add_argument("--out", default=None, metavar="PLAN", help="write the plan found as sasurai-plan/1")
        if name == "highs":
            p.add_argument("--threads", type=int, default=None, metavar="N",
                           help="HiGHS threads (default: HiGHS's own choice)")
        else:
            p.add_argument("--workers", type=int, default=2, metavar="N", help="CP-SAT workers (default 2)")
        default = "events"
        p.add_argument("--capacity", choices=("nights", "events"), default=default,
                       help="capacity rows: one per resource and night, or (events) occupancy carried "
                            "from arrival to departure for resources of two or more places, with rows "
                            "per night kept for single places (default events)")
        p.add_argument("--max-options", type=int, default=DEFAULT_MAX_OPTIONS, metavar="N",
                       help=f"refuse scenarios with more options (default {DEFAULT_MAX_OPTIONS:,})")
        p.add_argument("--max-entries", type=int, default=DEFAULT_MAX_ENTRIES, metavar="N",
                       help=f"refuse scenarios with more capacity entries (default {DEFAULT_MAX_ENTRIES:,})")
        p.add_argument("--no-start", action="store_true",
                       help="do not hand the solver a first-come-first-served plan to start from")
        p.add_argument("--verbose", action="store_true", help="solver log on stderr")
    return parser.parse_args(argv)


def main(argv):
    args = parse_arguments(argv)
    ensure_venv_and_reexec(argv)

    # Only the JSON line goes to stdout; anything a library prints goes to stderr.
    sys.stdout.flush()
    result_stream = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)

    import numpy as np

    began = time.monotonic()
    try:
        with open(args.scenario, "rb") as file:
            data = json.loads(file.read().decode("utf-8"))
    except (OSError, ValueError) as error:
        log(f"reference-solver: cannot read {args.scenario}: {error}")
        return 2
    try:
        scenario = Scenario(data)
        options = Options(scenario, np, args.max_options)
        program = Program(scenario, options, np, args.max_entries, chain_min_cap=(2 if args.capacity == "events" else None))
    except InputProblem as problem:
        log(f"reference-solver: {args.scenario}: {problem}")
        return 2
    build_seconds = time.monotonic() - began
    log(f"reference-solver: {len(options):,} options, {program.n_columns:,} variables, "
        f"{program.n_rows:,} constraints, {len(program.values):,} nonzeros "
        f"({', '.join(f'{k} {v:,}' for k, v in program.capacity_rows.items())} capacity rows); "
        f"built in {build_seconds:.1f}s")

    start_values = None
    start_score = None
    if not args.no_start and program.n_columns:
        began_start = time.monotonic()
        start_chosen, values = greedy_start(scenario, options, program)
        booked = np.flatnonzero(options.booked)
        if check_plan(scenario, options, booked, options.accommodations(scenario, booked)):
            log("reference-solver: the bookings alone break rules 9-12; no start plan")
        elif check_plan(scenario, options, start_chosen, options.accommodations(scenario, start_chosen)):
            log("reference-solver: the first-come-first-served start breaks the model; solving without it")
        else:
            start_values = values
            start_score = int(options.score[start_chosen].sum())
            log(f"reference-solver: first-come-first-served start: score {start_score}, "
                f"{len(start_chosen)} placed ({time.monotonic() - began_start:.1f}s)")
    if program.n_columns == 0:
        # Nothing can be placed: the empty plan is optimal, no solver needed.
        outcome = {"status": "optimal", "bound": 0.0, "seconds": 0.0, "chosen": np.zeros(0, dtype=np.int64),
                   "solver_objective": 0.0}
    else:
        solve = solve_highs if args.solver == "highs" else solve_cpsat
        # On a large model HiGHS spends the time it has on completing a start plan and
        # finishes no root relaxation (so proves no bound); it then goes without one.
        handed = start_values
        if args.solver == "highs" and program.n_columns > HIGHS_START_MAX_COLUMNS:
            handed = None
        outcome = solve(program, args, handed)
    chosen = outcome["chosen"]
    note = None
    if outcome["status"] != "infeasible":
        solver_score = None if chosen is None else int(options.score[chosen].sum())
        if start_values is not None and (solver_score is None or solver_score < start_score):
            chosen = start_chosen
            note = "the solver's own plan scored less; the plan is the first-come-first-served start"
        elif chosen is None:
            # No plan from the solver in time: the bookings alone, when they fit together, are one.
            booked = np.flatnonzero(options.booked)
            if not check_plan(scenario, options, booked, options.accommodations(scenario, booked)):
                chosen = booked
                note = "the solver found no plan in time; the plan is the bookings alone"
    score = None
    placed = 0
    if chosen is not None:
        score = int(options.score[chosen].sum())
        placed = len(chosen)
        accommodation = options.accommodations(scenario, chosen)
        problems = check_plan(scenario, options, chosen, accommodation)
        if problems:
            log("reference-solver: the solver's plan breaks the model: " + "; ".join(problems[:10]))
            return 3
        if note is None and outcome["solver_objective"] is not None and abs(outcome["solver_objective"] - score) > 0.5:
            log(f"reference-solver: score {score} differs from the solver's objective "
                f"{outcome['solver_objective']}")
        if args.out:
            with open(args.out, "w", encoding="utf-8") as file:
                file.write(plan_text(scenario, options, chosen, accommodation, score))
    bound = outcome["bound"]
    if bound is not None:
        # Every application's best option, as if nothing competed: a bound that needs no solver.
        best = np.full(len(scenario.applications), -np.inf)
        np.maximum.at(best, options.app, options.score.astype(np.float64))
        trivial = float(best[np.isfinite(best)].sum())
        bound = min(bound, trivial) if math.isfinite(bound) else trivial
    report = {
        "solver": args.solver,
        "status": outcome["status"],
        "score": score,
        "bound": None if bound is None else round(float(bound), 6),
        "placed": placed,
        "applications": len(scenario.applications),
        "seconds": round(outcome["seconds"], 3),
        "variables": program.n_columns,
        "constraints": program.n_rows,
        "options": len(options),
        "nonzeros": int(len(program.values)),
        "build_seconds": round(build_seconds, 3),
    }
    for extra in ("nodes", "branches"):
        if extra in outcome:
            report[extra] = outcome[extra]
    if start_score is not None:
        report["start_score"] = start_score
    if note:
        report["note"] = note
    result_stream.write(json.dumps(report) + "\n")
    result_stream.flush()
    return 0 if chosen is not None else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
