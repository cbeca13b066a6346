import CSQLite

/// How a transaction acquires its locks, as in `BEGIN DEFERRED | IMMEDIATE | EXCLUSIVE`.
public enum TransactionKind: String, Sendable {
    /// Takes locks on first use. Only for read-only work: a deferred transaction that later writes
    /// can fail with `SQLITE_BUSY` without the busy timeout helping, because its snapshot is stale.
    case deferred = "DEFERRED"
    /// Takes the write lock at once, waiting up to the busy timeout; the right choice for writers.
    case immediate = "IMMEDIATE"
    /// Like immediate; in WAL mode readers are still allowed.
    case exclusive = "EXCLUSIVE"
}

extension Database {
    /// Runs `body` in a transaction that commits when it returns and rolls back when it throws.
    ///
    /// The error thrown by `body` is rethrown unchanged. Transactions do not nest: calling this
    /// while a transaction is open throws `SQLITE_MISUSE`, because an inner "commit" that an outer
    /// rollback could undo would be a lie. Use `savepoint(_:)` for a unit of work inside a transaction.
    public func transaction<T>(_ kind: TransactionKind = .immediate, _ body: () throws -> T) throws -> T {
        guard !isInTransaction else {
            throw SQLiteError.misuse(
                "transaction started while another transaction is open; transactions do not nest, use savepoint(_:)"
            )
        }
        try execute("BEGIN \(kind.rawValue) TRANSACTION")
        let value: T
        do {
            value = try body()
            try execute("COMMIT TRANSACTION")
        } catch {
            rollbackIgnoringErrors("ROLLBACK TRANSACTION")
            throw error
        }
        return value
    }

    /// Runs `body` inside a savepoint of the open transaction, undoing only its changes when it throws.
    ///
    /// Savepoints nest freely. Useful for skipping one bad record of an import without losing the rest.
    /// - Throws: `SQLITE_MISUSE` when no transaction is open, since a savepoint alone would start a
    ///   deferred transaction, which writers must avoid; otherwise whatever `body` throws.
    public func savepoint<T>(_ body: () throws -> T) throws -> T {
        guard isInTransaction else {
            throw SQLiteError.misuse("savepoint used outside a transaction; wrap it in transaction(_:_:)")
        }
        // Reusing one name is safe: ROLLBACK TO and RELEASE act on the innermost savepoint with that name.
        // Cached statements: the server's writer opens two savepoints per request, and parsing
        // the SQL each time was a measurable share of a write.
        try cachedStatement("SAVEPOINT sasurai_savepoint").execute()
        let value: T
        do {
            value = try body()
            try cachedStatement("RELEASE SAVEPOINT sasurai_savepoint").execute()
        } catch {
            rollbackIgnoringErrors("ROLLBACK TO SAVEPOINT sasurai_savepoint; RELEASE SAVEPOINT sasurai_savepoint")
            throw error
        }
        return value
    }

    /// Undoes the open transaction or savepoint, if any.
    ///
    /// Failures are ignored because SQLite may already have rolled back on its own (after a disk
    /// full or I/O error), and the caller needs the original error, not this secondary one.
    private func rollbackIgnoringErrors(_ sql: String) {
        guard isInTransaction else { return }
        _ = sqlite3_exec(handle, sql, nil, nil, nil)
    }
}
