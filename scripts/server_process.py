"""Starting sasurai-server for the scripts that drive it (soak.py, slowloris.py)."""

import os
import re
import subprocess
import time


class ServerStartError(Exception):
    pass


def start_server(binary, directory, name, arguments, log_level=None):
    """Starts `binary` on a fresh database `name`.db in `directory`, listening on a free port.

    Returns (process, port, database path, log file, log path) once the server has logged the
    address it listens on; the log goes to server.log in `directory`, at `log_level`, else at
    $SASURAI_LOG_LEVEL when set, else at info (debug adds each checkpoint pass and each slow
    WAL sync, with their durations).
    """
    database = os.path.join(directory, name + ".db")
    log_path = os.path.join(directory, "server.log")
    log = open(log_path, "wb")
    log_level = log_level or os.environ.get("SASURAI_LOG_LEVEL", "info")
    process = subprocess.Popen([binary, "--db", database, "--listen", "127.0.0.1:0", "--log-level", log_level]
                               + arguments, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=log)
    deadline = time.monotonic() + 60
    while True:
        with open(log_path, "rb") as text:
            match = re.search(rb"event=listening address=127\.0\.0\.1:(\d+)", text.read())
        if match:
            return process, int(match.group(1)), database, log, log_path
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise ServerStartError(f"the server did not start; see {log_path}")
        time.sleep(0.05)
