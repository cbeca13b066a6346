/*
 * The SQLite floor of a durable APPLY: the statements the server's writer runs for one APPLY
 * (see ScenarioStore.addApplication, RequestKeys and Writer.runBatch), prepared once and run
 * straight through SQLite's C API in batches of one transaction each, with nothing else: no
 * parsing, no Swift, no sockets, no fsync on the timed path (the server syncs the WAL and
 * checkpoints on other threads; here checkpoints run between batches and are timed apart).
 * What it measures is what one writer thread cannot go below on this machine and schema.
 *
 * Usage: sqlite-floor DATABASE BATCHES WRITES_PER_BATCH KEYS(0|1)
 * DATABASE: a server database with the demo scenario and profiles bench-0 ... bench-49.
 * Prints one JSON object: writes, seconds (writer only), microseconds per write, writes per
 * second, and the checkpoint seconds left out.
 * Keep the statements in step with the server's when they change.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static sqlite3 *database;

static sqlite3_stmt *prepare(const char *sql) {
    sqlite3_stmt *statement;
    if (sqlite3_prepare_v3(database, sql, -1, SQLITE_PREPARE_PERSISTENT, &statement, 0) != SQLITE_OK) {
        fprintf(stderr, "sqlite-floor: %s: %s\n", sql, sqlite3_errmsg(database));
        exit(1);
    }
    return statement;
}

static void run(sqlite3_stmt *statement) {
    int result;
    while ((result = sqlite3_step(statement)) == SQLITE_ROW) {}
    if (result != SQLITE_DONE) {
        fprintf(stderr, "sqlite-floor: %s: %s\n", sqlite3_sql(statement), sqlite3_errmsg(database));
        exit(1);
    }
    sqlite3_reset(statement);
    sqlite3_clear_bindings(statement);
}

static double seconds(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return now.tv_sec + now.tv_nsec / 1e9;
}

static void text(sqlite3_stmt *statement, int index, const char *value) {
    sqlite3_bind_text(statement, index, value, -1, SQLITE_TRANSIENT);
}

int main(int argc, char **argv) {
    if (argc != 5) {
        fprintf(stderr, "usage: sqlite-floor DATABASE BATCHES WRITES_PER_BATCH KEYS(0|1)\n");
        return 2;
    }
    int batches = atoi(argv[2]), perBatch = atoi(argv[3]), keys = atoi(argv[4]);
    if (sqlite3_open_v2(argv[1], &database, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, 0) != SQLITE_OK) {
        fprintf(stderr, "sqlite-floor: cannot open %s\n", argv[1]);
        return 1;
    }
    /* The writer's settings: WAL, synchronous=NORMAL (the flush thread syncs), 64 MiB cache. */
    sqlite3_exec(database, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
                 "PRAGMA temp_store=MEMORY; PRAGMA cache_size=-65536; PRAGMA wal_autocheckpoint=0", 0, 0, 0);
    sqlite3_stmt *begin = prepare("BEGIN IMMEDIATE TRANSACTION"), *commit = prepare("COMMIT TRANSACTION");
    sqlite3_stmt *savepoint = prepare("SAVEPOINT sasurai_savepoint");
    sqlite3_stmt *release = prepare("RELEASE SAVEPOINT sasurai_savepoint");
    sqlite3_stmt *findKey = prepare("SELECT digest, reply FROM request_keys WHERE token_id = ? AND key = ?");
    sqlite3_stmt *findProfile = prepare("SELECT 1 FROM freelancers WHERE id = ?");
    sqlite3_stmt *findApplication = prepare("SELECT 1 FROM applications WHERE id = ?");
    sqlite3_stmt *insertApplication = prepare(
        "INSERT INTO applications (id, freelancer_id, earliest, latest, nights, budget_per_night, labor, team, "
        "state, state_changed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    sqlite3_stmt *insertAudit = prepare(
        "INSERT INTO audit_log (at, actor, action, subject, detail) VALUES (?, ?, ?, ?, ?)");
    sqlite3_stmt *insertKey = prepare(
        "INSERT INTO request_keys (token_id, key, digest, reply, created_at) VALUES (?, ?, ?, ?, ?) "
        "ON CONFLICT (token_id, key) DO NOTHING");
    sqlite3_stmt *bumpVersion = prepare("UPDATE state_version SET version = version + 1 WHERE id = 1 RETURNING version");
    sqlite3_stmt *stalePlans = prepare("UPDATE plans SET status = 'stale' WHERE status = 'finished' AND based_on_version < ?");

    /* A reply line as long as APPLY's, and a SHA-256's worth of digest. */
    unsigned char digest[32] = {0};
    char reply[320];
    memset(reply, 'x', sizeof reply);
    const char *now = "2026-12-08T00:00:00.000Z";
    char id[32], freelancer[32], key[48];
    long written = 0;
    double writing = 0, checkpointing = 0;
    for (int batch = 0; batch < batches; batch++) {
        double started = seconds();
        run(begin);
        for (int index = 0; index < perBatch; index++) {
            written++;
            int connection = (int)(written % 50);
            snprintf(id, sizeof id, "floor-%ld", written);
            snprintf(freelancer, sizeof freelancer, "bench-%d", connection);
            snprintf(key, sizeof key, "r1-%d-%ld", connection, written);
            run(savepoint);
            if (keys) {
                sqlite3_bind_int64(findKey, 1, 1);
                text(findKey, 2, key);
                run(findKey);
            }
            run(savepoint);
            text(findProfile, 1, freelancer);
            run(findProfile);
            text(findApplication, 1, id);
            run(findApplication);
            text(insertApplication, 1, id);
            text(insertApplication, 2, freelancer);
            text(insertApplication, 3, "2026-05-01");
            text(insertApplication, 4, "2026-06-01");
            sqlite3_bind_int(insertApplication, 5, 7);
            sqlite3_bind_int(insertApplication, 6, 5000);
            text(insertApplication, 7, "preferred");
            sqlite3_bind_null(insertApplication, 8);
            text(insertApplication, 9, "pending");
            text(insertApplication, 10, now);
            run(insertApplication);
            text(insertAudit, 1, now);
            text(insertAudit, 2, "planner:bench");
            text(insertAudit, 3, "application.created");
            text(insertAudit, 4, id);
            text(insertAudit, 5, "{\"freelancer\": \"bench-1\", \"team\": null}");
            run(insertAudit);
            run(release);
            if (keys) {
                sqlite3_bind_int64(insertKey, 1, 1);
                text(insertKey, 2, key);
                sqlite3_bind_blob(insertKey, 3, digest, sizeof digest, SQLITE_TRANSIENT);
                sqlite3_bind_blob(insertKey, 4, reply, sizeof reply, SQLITE_TRANSIENT);
                text(insertKey, 5, now);
                run(insertKey);
            }
            run(release);
        }
        run(bumpVersion);
        sqlite3_bind_int64(stalePlans, 1, 1);
        run(stalePlans);
        run(commit);
        double committed = seconds();
        writing += committed - started;
        /* About once a second at the server's rate, as its checkpoint thread does. */
        if (batch % 800 == 799) {
            sqlite3_exec(database, "PRAGMA wal_checkpoint(PASSIVE)", 0, 0, 0);
            checkpointing += seconds() - committed;
        }
    }
    printf("{\"keys\": %d, \"writes\": %ld, \"seconds\": %.3f, \"us_per_write\": %.1f, \"writes_per_second\": %.0f, "
           "\"checkpoint_seconds\": %.3f}\n", keys, written, writing, writing * 1e6 / written, written / writing, checkpointing);
    sqlite3_close(database);
    return 0;
}
