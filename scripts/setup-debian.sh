#!/usr/bin/env bash
# Installs what Sasurai needs on a fresh Debian machine that already has Swift 6:
# the SQLite headers the CSQLite module links against. Safe to run again.
set -euo pipefail
if [ ! -f /usr/include/sqlite3.h ]; then
    sudo_prefix=""
    if [ "$(id -u)" != "0" ]; then sudo_prefix="sudo"; fi
    $sudo_prefix apt-get update -q
    $sudo_prefix apt-get install -y -q libsqlite3-dev
fi
