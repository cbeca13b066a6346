#!/usr/bin/env python3
"""Slowloris against sasurai-server: clients that trickle a line and never finish it.

Started by scripts/slowloris.sh, which documents the usage. Starts the server on a fresh
database, then opens CLIENTS connections that each send one byte of a request line every
--trickle seconds and never its LF, the attack that holds a thread or a buffer per connection
in servers that wait for a whole line. Meanwhile one well-behaved client sends PING every
0.1 s and times each reply. For every slow client the script records how long after its first
byte the server sent `ERR BAD_REQUEST line not finished within N seconds` and closed it.

Passes when every slow client was cut off with that line, none later than the line deadline
plus 1.5 s (the server checks its timers twice a second), none earlier than the deadline, and
the well-behaved client got every reply, within 100 ms each. Prints the figures and exits 0
when it passes, 1 when not, 2 on a set-up error.
"""

import argparse
import os
import resource
import selectors
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

import server_process

EXPECTED = b"ERR BAD_REQUEST line not finished within %d seconds\n"


def main():
    parser = argparse.ArgumentParser(description="Slowloris against sasurai-server; see scripts/slowloris.sh.")
    parser.add_argument("--server", required=True)
    parser.add_argument("--clients", type=int, default=500)
    parser.add_argument("--trickle", type=float, default=1.0, help="seconds between one slow client's bytes")
    parser.add_argument("--deadline", type=int, default=10, help="the server's line deadline (its default)")
    args = parser.parse_args()
    directory = tempfile.mkdtemp(prefix="sasurai-slowloris-")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    process = None
    try:
        process, port, _, _, _ = server_process.start_server(args.server, directory, "slowloris",
                                                             ["--max-connections", "4096"])
    except server_process.ServerStartError as error:
        print(f"slowloris: {error}", file=sys.stderr)
        return 2
    try:
        return attack(args, port, process)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        shutil.rmtree(directory, ignore_errors=True)


def attack(args, port, process):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = args.clients + 64
    if soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, wanted) if hard != resource.RLIM_INFINITY else wanted, hard))
    selector = selectors.DefaultSelector()
    slow = {}
    line = b"APPLY " + b'{"earliest": "2030-01-01", "latest": "2030-02-01", "nights": 3' * 8
    for index in range(args.clients):
        connection = socket.create_connection(("127.0.0.1", port))
        connection.setblocking(False)
        slow[connection] = {"index": index, "first_byte": None, "sent": 0, "reply": b"", "cut_off": None,
                            "next": time.monotonic() + (index % 100) / 100 * args.trickle}
        selector.register(connection, selectors.EVENT_READ)
    healthy = socket.create_connection(("127.0.0.1", port))
    healthy.settimeout(5)
    pings, ping_failures, next_ping = [], 0, time.monotonic()
    started = time.monotonic()
    give_up = started + args.deadline + args.trickle + 20
    while any(state["cut_off"] is None for state in slow.values()) and time.monotonic() < give_up:
        now = time.monotonic()
        for connection, state in slow.items():
            if state["cut_off"] is None and now >= state["next"] and state["sent"] < len(line):
                try:
                    connection.send(line[state["sent"]:state["sent"] + 1])
                except OSError:
                    pass
                if state["first_byte"] is None:
                    state["first_byte"] = now
                state["sent"] += 1
                state["next"] = now + args.trickle
        for key, _ in selector.select(timeout=0.02):
            connection = key.fileobj
            state = slow[connection]
            try:
                chunk = connection.recv(4096)
            except OSError:
                chunk = b""
            state["reply"] += chunk
            if not chunk:
                state["cut_off"] = time.monotonic()
                selector.unregister(connection)
                connection.close()
        if time.monotonic() >= next_ping:
            next_ping += 0.1
            sent = time.monotonic()
            try:
                healthy.sendall(b"PING\n")
                reply = b""
                while not reply.endswith(b"\n"):
                    chunk = healthy.recv(4096)
                    if not chunk:
                        raise OSError("closed")
                    reply += chunk
                if reply != b'OK {"pong": true}\n':
                    ping_failures += 1
                pings.append(time.monotonic() - sent)
            except OSError:
                ping_failures += 1
    expected = EXPECTED % args.deadline
    held = [state["cut_off"] - state["first_byte"] for state in slow.values()
            if state["cut_off"] is not None and state["first_byte"] is not None]
    cut_off_with_reply = sum(1 for state in slow.values() if state["cut_off"] is not None and state["reply"] == expected)
    still_open = sum(1 for state in slow.values() if state["cut_off"] is None)
    bytes_sent = sum(state["sent"] for state in slow.values())
    pings_sorted = sorted(pings)
    ping_p99 = pings_sorted[min(len(pings_sorted) - 1, int(0.99 * len(pings_sorted)))] * 1000 if pings else None
    print(f"slowloris: {args.clients} clients, one byte every {args.trickle:g} s, line deadline {args.deadline} s")
    print(f"cut off with the deadline's ERR line: {cut_off_with_reply} of {args.clients}; still open: {still_open}; "
          f"{bytes_sent} bytes trickled in all")
    if held:
        print(f"time from first byte to cut-off: min {min(held):.2f} s, median {statistics.median(held):.2f} s, "
              f"max {max(held):.2f} s")
    if pings:
        print(f"well-behaved client meanwhile: {len(pings)} PING, {ping_failures} failed, "
              f"p50 {statistics.median(pings) * 1000:.2f} ms, p99 {ping_p99:.2f} ms, max {max(pings) * 1000:.2f} ms")
    checks = {
        "every slow client cut off with the ERR line": cut_off_with_reply == args.clients,
        "none held past the deadline + 1.5 s": bool(held) and max(held) <= args.deadline + 1.5,
        "none cut off before the deadline": bool(held) and min(held) >= args.deadline,
        "the well-behaved client was served, each PING within 100 ms":
            ping_failures == 0 and bool(pings) and max(pings) <= 0.1,
        "the server is still running": process.poll() is None,
    }
    for name, passed in checks.items():
        print(f"{'pass' if passed else 'FAIL'}: {name}")
    passed = all(checks.values())
    print("slowloris " + ("passed" if passed else "FAILED"))
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
