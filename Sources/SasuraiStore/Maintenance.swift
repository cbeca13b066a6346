import CSQLite

extension Database {
    /// How often a backup retries while another connection holds a lock on the destination.
    ///
    /// 500 retries of 10 ms match the five-second busy timeout used everywhere else.
    static let backupRetryLimit = 500

    /// The pause between backup retries.
    static let backupRetryDelayMilliseconds: Int32 = 10

    /// Copies a consistent snapshot of the database to a single file at `path`, replacing its content.
    ///
    /// Uses SQLite's online backup API, so writers on other connections are not blocked. The copy is
    /// switched to the rollback journal so it stands alone without `-wal` / `-shm` files; opening it
    /// with `Database.open` turns WAL on again.
    public func backup(to path: String) throws {
        var destination: OpaquePointer?
        let openResult = sqlite3_open_v2(path, &destination, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nil)
        defer { sqlite3_close_v2(destination) }
        guard openResult == SQLITE_OK, let destination else {
            let underlying = SQLiteError(connection: destination, code: openResult, sql: nil)
            throw SQLiteError(
                code: underlying.code,
                extendedCode: underlying.extendedCode,
                message: "backup destination: \(underlying.message) (path: \(path))",
                sql: nil
            )
        }
        sqlite3_busy_timeout(destination, Self.busyTimeoutMilliseconds)

        guard let backup = sqlite3_backup_init(destination, "main", handle, "main") else {
            throw SQLiteError(connection: destination, code: sqlite3_errcode(destination), sql: nil)
        }
        var stepResult: Int32
        var retries = 0
        repeat {
            // -1 copies every page in one step, so the copy is one snapshot even while others write.
            stepResult = sqlite3_backup_step(backup, -1)
            if stepResult == SQLITE_BUSY || stepResult == SQLITE_LOCKED {
                retries += 1
                sqlite3_sleep(Self.backupRetryDelayMilliseconds)
            }
        } while (stepResult == SQLITE_OK || stepResult == SQLITE_BUSY || stepResult == SQLITE_LOCKED)
            && retries < Self.backupRetryLimit
        // sqlite3_backup_finish reports the step's error and leaves its message on the destination.
        let finishResult = sqlite3_backup_finish(backup)
        guard stepResult == SQLITE_DONE else {
            if finishResult != SQLITE_OK {
                throw SQLiteError(connection: destination, code: finishResult, sql: nil)
            }
            throw SQLiteError(
                code: stepResult,
                message: "backup did not finish: \(SQLiteError.standardMessage(for: stepResult))",
                sql: nil
            )
        }
        guard finishResult == SQLITE_OK else {
            throw SQLiteError(connection: destination, code: finishResult, sql: nil)
        }

        let journalSQL = "PRAGMA journal_mode=DELETE"
        let journalResult = sqlite3_exec(destination, journalSQL, nil, nil, nil)
        guard journalResult == SQLITE_OK else {
            throw SQLiteError(connection: destination, code: journalResult, sql: journalSQL)
        }
    }

    /// Copies the WAL into the database file and truncates the WAL to zero bytes.
    ///
    /// SQLite checkpoints automatically, but never truncates, so a long-running server calls this
    /// to keep the `-wal` file small. Waits up to the busy timeout for readers and writers.
    /// - Throws: `SQLiteError` with `SQLITE_BUSY` when other connections kept it from completing.
    public func checkpoint() throws {
        let result = sqlite3_wal_checkpoint_v2(handle, nil, SQLITE_CHECKPOINT_TRUNCATE, nil, nil)
        guard result == SQLITE_OK else {
            throw SQLiteError(connection: handle, code: result, sql: nil)
        }
    }

    /// Runs `PRAGMA integrity_check` and returns the problems found; an empty array means healthy.
    ///
    /// SQLite's single `ok` row is mapped to an empty array so callers can test `isEmpty`.
    public func integrityCheck() throws -> [String] {
        let messages = try String.fetchAll(self, sql: "PRAGMA integrity_check")
        return messages == ["ok"] ? [] : messages
    }
}
