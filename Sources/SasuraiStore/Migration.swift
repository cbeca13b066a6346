/// One named step of the schema history; its version is its 1-based position in the `Migrator`.
public struct Migration: Sendable {
    /// A stable, unique name recorded in `schema_migrations`; never rename a shipped migration.
    public let name: String

    let migrate: @Sendable (Database) throws -> Void

    /// True for a migration that rebuilds a table other tables refer to (SQLite's way to change
    /// a column or a CHECK: create the new table, copy, drop the old, rename the new).
    ///
    /// With foreign keys on, dropping the old table would first delete its rows and cascade to
    /// the rows that refer to them, so the migrator turns foreign keys off around it (they can
    /// only be switched outside a transaction) and, before committing, refuses the result if
    /// `PRAGMA foreign_key_check` finds any reference left dangling.
    public let rebuildsReferencedTable: Bool

    /// A migration that runs an SQL script.
    public init(name: String, sql: String, rebuildsReferencedTable: Bool = false) {
        self.name = name
        self.migrate = { database in try database.execute(sql) }
        self.rebuildsReferencedTable = rebuildsReferencedTable
    }

    /// A migration that runs Swift code, for data changes that SQL alone expresses badly.
    ///
    /// `migrate` already runs inside a transaction: use `savepoint(_:)`, not `transaction(_:_:)`.
    public init(name: String, migrate: @escaping @Sendable (Database) throws -> Void) {
        self.name = name
        self.migrate = migrate
        self.rebuildsReferencedTable = false
    }
}

/// A migration recorded in the `schema_migrations` table.
public struct AppliedMigration: Sendable, Equatable {
    public let version: Int
    public let name: String
    /// UTC time in ISO 8601 form, such as `2025-04-01T09:30:00.000Z`.
    public let appliedAt: String
}

/// Why the migrator refused or stopped.
public enum MigrationError: Error, CustomStringConvertible {
    /// The file was migrated by a newer build; running older code on it could corrupt data.
    case databaseNewerThanCode(databaseVersion: Int, latestKnownVersion: Int)
    /// `schema_migrations` names a different migration at this version than the code does,
    /// meaning migrations were reordered or renamed after shipping.
    case historyMismatch(version: Int, recordedName: String, expectedName: String)
    /// Two migrations share a name, or a name is empty.
    case invalidName(String)
    /// A migration threw; its changes were rolled back and the version was left as it was.
    case migrationFailed(version: Int, name: String, underlying: any Error)

    public var description: String {
        let text: String
        switch self {
        case .databaseNewerThanCode(let databaseVersion, let latestKnownVersion):
            text = "database schema version \(databaseVersion) is newer than this build supports "
                + "(\(latestKnownVersion)); use a newer Sasurai to open it"
        case .historyMismatch(let version, let recordedName, let expectedName):
            text = "migration \(version) is recorded as '\(recordedName)' but this build calls it '\(expectedName)'"
        case .invalidName(let name):
            text = "migration name '\(name)' is empty or used twice"
        case .migrationFailed(let version, let name, let underlying):
            text = "migration \(version) '\(name)' failed: \(underlying)"
        }
        return text.replacingLineBreaksWithSpaces()
    }
}

/// Applies ordered migrations, recording progress in `PRAGMA user_version` and `schema_migrations`.
///
/// Each migration runs in its own immediate transaction together with its bookkeeping, so a
/// failure leaves the database exactly at the previous version. The version is re-read inside that
/// transaction, so two processes migrating the same file at once apply each migration only once.
public struct Migrator: Sendable {
    /// The migrations in order; migration `n` (1-based) brings the schema to version `n`.
    public let migrations: [Migration]

    public init(_ migrations: [Migration]) {
        self.migrations = migrations
    }

    /// The version a fully migrated database has.
    public var latestVersion: Int { migrations.count }

    /// Applies every migration the database has not seen yet and returns their names.
    ///
    /// Running it again on an up-to-date database changes nothing and returns an empty array.
    /// - Throws: `MigrationError`, or `SQLiteError` when the bookkeeping itself fails.
    @discardableResult
    public func migrate(_ database: Database) throws -> [String] {
        try validateNames()
        try checkCompatibility(database)
        var appliedNames: [String] = []
        // Checking outside a transaction first keeps an up-to-date database (even a read-only one) untouched.
        while case let expected = try database.userVersion(), expected < latestVersion {
            let withoutForeignKeys = migrations[expected].rebuildsReferencedTable
            if withoutForeignKeys { try database.execute("PRAGMA foreign_keys=OFF") }
            defer { if withoutForeignKeys { try? database.execute("PRAGMA foreign_keys=ON") } }
            let applied: String? = try database.transaction(.immediate) {
                let version = try database.userVersion()
                try checkNotNewer(version)
                guard version < latestVersion else { return nil }
                // Another process migrated meanwhile: look again at what comes next.
                guard version == expected else { return "" }
                let migration = migrations[version]
                let target = version + 1
                do {
                    // References that dangled before (a file once edited with foreign keys off)
                    // are not the migration's doing and must not keep the store from opening.
                    let danglingBefore = withoutForeignKeys ? try Self.danglingReferences(in: database) : []
                    try migration.migrate(database)
                    if withoutForeignKeys,
                       let dangling = try Self.danglingReferences(in: database).first(where: { !danglingBefore.contains($0) }) {
                        throw SQLiteError.misuse("the migration left a row of \(dangling.table) "
                                                 + "referring to a missing row of \(dangling.parent)")
                    }
                } catch {
                    throw MigrationError.migrationFailed(version: target, name: migration.name, underlying: error)
                }
                try database.execute(Self.createHistoryTableSQL)
                try database.execute(
                    """
                    INSERT INTO schema_migrations (version, name, applied_at)
                    VALUES (?, ?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
                    """,
                    arguments: [target, migration.name]
                )
                try database.setUserVersion(target)
                return migration.name
            }
            guard let applied else { break }
            if !applied.isEmpty { appliedNames.append(applied) }
        }
        return appliedNames
    }

    /// The migrations recorded in the database, oldest first; empty before the first migration.
    public func appliedMigrations(in database: Database) throws -> [AppliedMigration] {
        guard try hasHistoryTable(database) else { return [] }
        return try database.fetchAll("SELECT version, name, applied_at FROM schema_migrations ORDER BY version").map { row in
            AppliedMigration(
                version: try row.decode(Int.self, at: 0),
                name: try row.decode(String.self, at: 1),
                appliedAt: try row.decode(String.self, at: 2)
            )
        }
    }

    /// One row of `PRAGMA foreign_key_check`: a row of `table` whose reference into `parent`
    /// finds nothing.
    private struct DanglingReference: Hashable {
        let table: String
        let rowID: Int64?
        let parent: String
        let constraint: Int64
    }

    private static func danglingReferences(in database: Database) throws -> Set<DanglingReference> {
        Set(try database.fetchAll("PRAGMA foreign_key_check").map { row in
            DanglingReference(table: try row.decode(String.self, at: 0), rowID: try row.decode(Int64?.self, at: 1),
                              parent: try row.decode(String.self, at: 2), constraint: try row.decode(Int64.self, at: 3))
        })
    }

    static let createHistoryTableSQL = """
        CREATE TABLE IF NOT EXISTS schema_migrations (
            version INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            applied_at TEXT NOT NULL
        )
        """

    private func validateNames() throws {
        var seen: Set<String> = []
        for migration in migrations {
            guard !migration.name.isEmpty, seen.insert(migration.name).inserted else {
                throw MigrationError.invalidName(migration.name)
            }
        }
    }

    /// Refuses newer files and rewritten histories before touching anything.
    private func checkCompatibility(_ database: Database) throws {
        try checkNotNewer(try database.userVersion())
        for applied in try appliedMigrations(in: database) where applied.version >= 1 && applied.version <= latestVersion {
            let expectedName = migrations[applied.version - 1].name
            if applied.name != expectedName {
                throw MigrationError.historyMismatch(
                    version: applied.version,
                    recordedName: applied.name,
                    expectedName: expectedName
                )
            }
        }
    }

    private func checkNotNewer(_ version: Int) throws {
        if version > latestVersion {
            throw MigrationError.databaseNewerThanCode(databaseVersion: version, latestKnownVersion: latestVersion)
        }
    }

    private func hasHistoryTable(_ database: Database) throws -> Bool {
        try Int.fetchOne(
            database,
            sql: "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'schema_migrations'"
        ) == 1
    }
}
