import CSQLite

/// One SQLite connection (one `sqlite3` handle), closed with `sqlite3_close_v2` when released.
///
/// Thread confinement: a `Database` and its statements are not `Sendable`, so the compiler keeps
/// each connection inside one thread or isolation domain (for example a single actor). That is
/// why connections are opened with `SQLITE_OPEN_NOMUTEX`: SQLite's per-connection mutex would only
/// repeat a guarantee the type system already gives. Code that needs concurrent access opens one
/// connection per isolation domain; WAL mode lets them read while one of them writes.
///
/// Every connection runs with `journal_mode=WAL` (set by read-write connections; it is stored in
/// the file), `foreign_keys=ON`, a busy timeout and the chosen `synchronous` level.
public final class Database {
    /// How hard SQLite works to make each commit durable.
    public enum SynchronousMode: String, Sendable {
        /// Syncs the WAL on every commit: a committed booking survives power loss.
        case full = "FULL"
        /// Syncs only at checkpoints: never corrupts, but the last commits may be lost on power loss.
        /// Suitable for bulk imports that can be rerun.
        case normal = "NORMAL"
    }

    /// How long a connection waits for another connection's lock before failing with `SQLITE_BUSY`.
    ///
    /// Without a timeout a second writer (the command-line tool while the server runs, or a
    /// checkpoint) fails at once. Five seconds rides out any normal write transaction, yet a
    /// stuck lock still surfaces as an error instead of a hang.
    public static let busyTimeoutMilliseconds: Int32 = 5_000

    /// Upper bound on cached statements, so SQL built at run time cannot grow the cache forever.
    static let statementCacheCapacity = 64

    /// Bytes of heap SQLite holds now in this process, over every connection: page caches,
    /// prepared statements, schemas.
    public static var memoryInUse: Int64 { sqlite3_memory_used() }

    /// The most bytes of heap SQLite has held at once since the process started.
    public static var memoryHighWater: Int64 { sqlite3_memory_highwater(0) }

    let handle: OpaquePointer

    /// The path the connection was opened with.
    public let path: String
    /// True for a private in-memory database (`":memory:"` or an empty path), which has no WAL file.
    public var isInMemory: Bool { path.isEmpty || path == ":memory:" }

    /// True when the connection was opened read-only.
    public let isReadOnly: Bool

    private var statementCache: [String: Statement] = [:]

    private init(handle: OpaquePointer, path: String, isReadOnly: Bool) {
        self.handle = handle
        self.path = path
        self.isReadOnly = isReadOnly
    }

    deinit {
        // Cached statements must be finalized first, or sqlite3_close_v2 would only mark the connection a zombie.
        statementCache.removeAll()
        sqlite3_close_v2(handle)
    }

    /// Opens (and, unless read-only, creates) the database at `path`.
    ///
    /// `":memory:"` opens a private in-memory database, which cannot use WAL.
    /// - Parameters:
    ///   - readOnly: open without write access; the file must exist. WAL is not switched on, because
    ///     changing the journal mode is a write; a file written by this code is already in WAL mode.
    ///   - synchronous: durability level; `.full` unless the caller can afford to lose recent commits.
    public static func open(path: String, readOnly: Bool = false, synchronous: SynchronousMode = .full) throws -> Database {
        var connection: OpaquePointer?
        let access = readOnly ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)
        let result = sqlite3_open_v2(path, &connection, access | SQLITE_OPEN_NOMUTEX, nil)
        guard result == SQLITE_OK, let connection else {
            let underlying = SQLiteError(connection: connection, code: result, sql: nil)
            // sqlite3_open_v2 usually allocates a handle even when it fails, and it must be released.
            sqlite3_close_v2(connection)
            throw SQLiteError(
                code: underlying.code,
                extendedCode: underlying.extendedCode,
                message: "\(underlying.message) (path: \(path))",
                sql: nil
            )
        }
        // From here on, a failure releases `database`, whose deinit closes the handle.
        let database = Database(handle: connection, path: path, isReadOnly: readOnly)
        try database.configure(synchronous: synchronous)
        return database
    }

    private func configure(synchronous: SynchronousMode) throws {
        // The timeout comes first so the journal-mode switch below can wait for other connections.
        sqlite3_busy_timeout(handle, Self.busyTimeoutMilliseconds)
        if !isReadOnly {
            let mode = try prepare("PRAGMA journal_mode=WAL").fetchOne()?.decode(String.self, at: 0)
            if mode?.lowercased() != "wal" && !isInMemory {
                throw SQLiteError(
                    code: SQLITE_ERROR,
                    message: "could not switch to WAL journal mode (mode is \(mode ?? "unknown"))",
                    sql: "PRAGMA journal_mode=WAL"
                )
            }
        }
        try execute("PRAGMA synchronous=\(synchronous.rawValue)")
        try execute("PRAGMA foreign_keys=ON")
    }

    // MARK: Running SQL

    /// Runs a script of one or more statements separated by semicolons, with no parameters.
    ///
    /// Meant for schema scripts and pragmas; use `execute(_:arguments:)` for anything carrying values,
    /// so the values are bound and never spliced into SQL text.
    public func execute(_ sql: String) throws {
        var errorMessage: UnsafeMutablePointer<CChar>?
        let result = sqlite3_exec(handle, sql, nil, nil, &errorMessage)
        guard result == SQLITE_OK else {
            let message = errorMessage.map { String(cString: $0) } ?? SQLiteError.standardMessage(for: result)
            sqlite3_free(errorMessage)
            let extendedCode = sqlite3_extended_errcode(handle)
            throw SQLiteError(
                code: result,
                extendedCode: extendedCode & 0xFF == result & 0xFF ? extendedCode : result,
                message: message,
                sql: sql
            )
        }
    }

    /// Runs one statement with bound arguments, using the statement cache.
    public func execute(_ sql: String, arguments: StatementArguments) throws {
        try cachedStatement(sql).execute(arguments: arguments)
    }

    /// Returns every row of one statement, using the statement cache.
    public func fetchAll(_ sql: String, arguments: StatementArguments = []) throws -> [Row] {
        try cachedStatement(sql).fetchAll(arguments: arguments)
    }

    /// Returns the first row of one statement, or nil, using the statement cache.
    public func fetchOne(_ sql: String, arguments: StatementArguments = []) throws -> Row? {
        try cachedStatement(sql).fetchOne(arguments: arguments)
    }

    /// Calls `body` with each row of one statement, using the statement cache.
    public func forEachRow(_ sql: String, arguments: StatementArguments = [], _ body: (Row) throws -> Void) throws {
        try cachedStatement(sql).forEachRow(arguments: arguments, body)
    }

    /// Compiles one statement that belongs to the caller.
    ///
    /// - Throws: `SQLiteError` for invalid SQL, or when `sql` holds more than one statement.
    public func prepare(_ sql: String) throws -> Statement {
        try Statement(database: self, sql: sql, persistent: false)
    }

    /// Returns a compiled statement for `sql` from the cache, compiling it on first use.
    ///
    /// The same `Statement` is handed out for the same SQL, so bind every parameter before running
    /// it (the `arguments:` methods do). While a cached statement is in the middle of its rows, asking
    /// for the same SQL again returns a fresh statement, so nested queries cannot disturb each other.
    public func cachedStatement(_ sql: String) throws -> Statement {
        if let cached = statementCache[sql] {
            return cached.isBusy ? try prepare(sql) : cached
        }
        let statement = try Statement(database: self, sql: sql, persistent: true)
        if statementCache.count >= Self.statementCacheCapacity {
            // Dropping idle entries is enough: callers still holding one keep a valid statement.
            statementCache = statementCache.filter { $0.value.isBusy }
        }
        statementCache[sql] = statement
        return statement
    }

    // MARK: Connection state

    /// The rowid of the most recent successful INSERT on this connection.
    public var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }

    /// Rows changed by the most recent INSERT, UPDATE or DELETE on this connection.
    public var changes: Int { Int(sqlite3_changes64(handle)) }

    /// Rows changed since the connection was opened.
    public var totalChanges: Int { Int(sqlite3_total_changes64(handle)) }

    /// True while a transaction is open on this connection.
    public var isInTransaction: Bool { sqlite3_get_autocommit(handle) == 0 }

    /// The schema version stored in the file header (`PRAGMA user_version`).
    public func userVersion() throws -> Int {
        try fetchOne("PRAGMA user_version")?.decode(Int.self, at: 0) ?? 0
    }

    /// Stores the schema version; only the migrator should call this.
    func setUserVersion(_ version: Int) throws {
        // PRAGMA takes no parameters; an Int cannot inject anything.
        try execute("PRAGMA user_version=\(version)")
    }
}

extension DatabaseValueConvertible {
    /// Reads the first column of the first row, or nil when there is no row or the value is NULL.
    ///
    /// - Throws: `SQLiteError` for SQL errors, or `SQLITE_MISMATCH` when the value does not fit the type.
    public static func fetchOne(_ database: Database, sql: String, arguments: StatementArguments = []) throws -> Self? {
        guard let row = try database.fetchOne(sql, arguments: arguments), row.count > 0, !row[0].isNull else {
            return nil
        }
        return try row.decode(Self.self, at: 0)
    }

    /// Reads the first column of every row; use an optional type when the column may be NULL.
    public static func fetchAll(_ database: Database, sql: String, arguments: StatementArguments = []) throws -> [Self] {
        var values: [Self] = []
        try database.forEachRow(sql, arguments: arguments) { row in
            values.append(try row.decode(Self.self, at: 0))
        }
        return values
    }
}
