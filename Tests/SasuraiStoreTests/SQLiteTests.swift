import CSQLite
import Foundation
import Testing

@testable import SasuraiStore

/// A directory under the system temporary directory, removed when the test finishes.
private func withTemporaryDirectory<T>(_ body: (URL) throws -> T) throws -> T {
    let directory = FileManager.default.temporaryDirectory
        .appendingPathComponent("SasuraiStoreTests-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    return try body(directory)
}

/// Opens a fresh database file in its own temporary directory.
private func withDatabase<T>(
    synchronous: Database.SynchronousMode = .full,
    _ body: (Database, URL) throws -> T
) throws -> T {
    try withTemporaryDirectory { (directory) throws in
        let path = directory.appendingPathComponent("test.sqlite").path
        let database = try Database.open(path: path, synchronous: synchronous)
        return try body(database, directory)
    }
}

private struct ExpectedFailure: Error, Equatable {
    let reason: String
}

@Suite("SQLite layer")
struct SQLiteTests {
    // MARK: Opening

    @Test func openCreatesFileAndDataSurvivesReopening() throws {
        try withTemporaryDirectory { (directory) throws in
            let path = directory.appendingPathComponent("reopen.sqlite").path
            do {
                let database = try Database.open(path: path)
                try database.execute("CREATE TABLE towns (name TEXT NOT NULL)")
                try database.execute("INSERT INTO towns (name) VALUES (?)", arguments: ["Nishiawakura"])
            }
            #expect(FileManager.default.fileExists(atPath: path))
            let reopened = try Database.open(path: path, readOnly: true)
            #expect(reopened.isReadOnly)
            #expect(try String.fetchOne(reopened, sql: "SELECT name FROM towns") == "Nishiawakura")
            let writeError = #expect(throws: SQLiteError.self) {
                try reopened.execute("INSERT INTO towns (name) VALUES ('Kamiyama')")
            }
            #expect(writeError?.code == SQLITE_READONLY)
        }
    }

    @Test func openingMissingFileReadOnlyFailsWithPath() throws {
        try withTemporaryDirectory { (directory) throws in
            let path = directory.appendingPathComponent("missing.sqlite").path
            let error = #expect(throws: SQLiteError.self) {
                _ = try Database.open(path: path, readOnly: true)
            }
            #expect(error?.code == SQLITE_CANTOPEN)
            #expect(error?.message.contains(path) == true)
        }
    }

    @Test func connectionSettingsAreApplied() throws {
        try withDatabase { (database, _) throws in
            #expect(try String.fetchOne(database, sql: "PRAGMA journal_mode") == "wal")
            #expect(try Int.fetchOne(database, sql: "PRAGMA foreign_keys") == 1)
            #expect(try Int.fetchOne(database, sql: "PRAGMA busy_timeout") == Int(Database.busyTimeoutMilliseconds))
            #expect(try Int.fetchOne(database, sql: "PRAGMA synchronous") == 2)
        }
        try withDatabase(synchronous: .normal) { (database, _) throws in
            #expect(try Int.fetchOne(database, sql: "PRAGMA synchronous") == 1)
        }
    }

    @Test func inMemoryDatabaseOpens() throws {
        let database = try Database.open(path: ":memory:")
        #expect(try Int.fetchOne(database, sql: "SELECT 1 + 1") == 2)
    }

    @Test func foreignKeysAreEnforced() throws {
        try withDatabase { (database, _) throws in
            try database.execute(
                """
                CREATE TABLE hosts (id INTEGER PRIMARY KEY);
                CREATE TABLE stays (id INTEGER PRIMARY KEY, host_id INTEGER NOT NULL REFERENCES hosts(id));
                """
            )
            let error = #expect(throws: SQLiteError.self) {
                try database.execute("INSERT INTO stays (host_id) VALUES (?)", arguments: [99])
            }
            #expect(error?.isConstraintViolation == true)
            #expect(error?.isForeignKeyViolation == true)
        }
    }

    // MARK: Binding and reading

    @Test func everyTypeRoundTrips() throws {
        try withDatabase { (database, _) throws in
            try database.execute(
                "CREATE TABLE samples (id INTEGER PRIMARY KEY, i, big, real, text, data, bytes, absent, flag)"
            )
            let japanese = "札幌で働く旅人🏔️ — ようこそ"
            let blobWithNUL = Data([0x00, 0x01, 0x00, 0xFF, 0x00])
            let byteArray: [UInt8] = [0, 0, 7, 0]
            let missing: String? = nil
            try database.execute(
                "INSERT INTO samples (i, big, real, text, data, bytes, absent, flag) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                arguments: [42, Int64.min, 3.25, japanese, blobWithNUL, byteArray, missing, true]
            )
            let firstID = database.lastInsertRowID
            #expect(database.changes == 1)

            let statement = try database.prepare(
                "INSERT INTO samples (i, big, real, text, data, bytes, absent, flag) "
                    + "VALUES (:i, @big, $real, :text, :data, :bytes, :absent, :flag)"
            )
            try statement.bind(-7, named: "i")
            try statement.bind(Int64.max, named: "@big")
            try statement.bind(-0.5, named: "real")
            try statement.bind("a\u{0}b", named: ":text")
            try statement.bind(Data(), named: "data")
            try statement.bind([UInt8](), named: "bytes")
            try statement.bind(nil, named: "absent")
            try statement.bind(false, named: "flag")
            try statement.execute()
            let secondID = database.lastInsertRowID
            #expect(secondID == firstID + 1)

            let select = try database.prepare(
                "SELECT i, big, real, text, data, bytes, absent, flag FROM samples WHERE id = ?"
            )
            try select.bind(firstID, at: 1)
            #expect(try select.step())
            #expect(select.int(at: 0) == 42)
            #expect(select.int64(at: 1) == Int64.min)
            #expect(select.double(at: 2) == 3.25)
            #expect(select.text(at: 3) == japanese)
            #expect(select.blob(at: 4) == blobWithNUL)
            #expect(select.blob(at: 5).map { [UInt8]($0) } == byteArray)
            #expect(select.isNull(at: 6))
            #expect(select.text(at: 6) == nil)
            #expect(select.blob(at: 6) == nil)
            #expect(select.int(at: 7) == 1)
            #expect(select.value(at: 3) == .text(japanese))
            #expect(try select.step() == false)
            select.reset()

            let row = try #require(try select.fetchOne(arguments: [secondID]))
            #expect(row.columnNames == ["i", "big", "real", "text", "data", "bytes", "absent", "flag"])
            #expect(try row.decode(Int.self, named: "i") == -7)
            #expect(try row.decode(Int64.self, named: "big") == Int64.max)
            #expect(try row.decode(Double.self, named: "REAL") == -0.5)
            #expect(try row.decode(String.self, named: "text") == "a\u{0}b")
            // Empty blobs must stay blobs, not turn into NULL.
            #expect(row["data"] == .blob(Data()))
            #expect(try row.decode([UInt8].self, named: "bytes") == [])
            #expect(try row.decode(String?.self, named: "absent") == nil)
            #expect(try row.decode(Bool.self, named: "flag") == false)
            #expect(row["unknown"] == nil)
        }
    }

    @Test func emptyStringIsNotNull() throws {
        try withDatabase { (database, _) throws in
            try database.execute("CREATE TABLE notes (body TEXT)")
            try database.execute("INSERT INTO notes (body) VALUES (?)", arguments: [""])
            #expect(try Int.fetchOne(database, sql: "SELECT count(*) FROM notes WHERE body IS NULL") == 0)
            #expect(try String.fetchOne(database, sql: "SELECT body FROM notes") == "")
        }
    }

    @Test func fetchHelpersIterateRows() throws {
        try withDatabase { (database, _) throws in
            try database.execute("CREATE TABLE numbers (value INTEGER, label TEXT)")
            try database.transaction {
                for value in 1...5 {
                    try database.execute(
                        "INSERT INTO numbers (value, label) VALUES (:value, :label)",
                        arguments: ["value": value, "label": value.isMultiple(of: 2) ? "even" : nil]
                    )
                }
            }
            let rows = try database.fetchAll("SELECT value, label FROM numbers ORDER BY value")
            #expect(rows.count == 5)
            #expect(try rows.map { try $0.decode(Int.self, at: 0) } == [1, 2, 3, 4, 5])
            #expect(try String?.fetchAll(database, sql: "SELECT label FROM numbers ORDER BY value")
                == [nil, "even", nil, "even", nil])
            #expect(try Int.fetchAll(database, sql: "SELECT value FROM numbers WHERE value > ?", arguments: [3])
                == [4, 5])
            #expect(try database.fetchOne("SELECT value FROM numbers WHERE value > 99") == nil)

            var sum = 0
            try database.forEachRow("SELECT value FROM numbers") { row in
                sum += try row.decode(Int.self, at: 0)
                // The same SQL while the outer statement is mid-iteration must not disturb it.
                #expect(try Int.fetchAll(database, sql: "SELECT value FROM numbers").count == 5)
            }
            #expect(sum == 15)
        }
    }

    @Test func statementCacheReusesIdleStatements() throws {
        try withDatabase { (database, _) throws in
            let first = try database.cachedStatement("SELECT 1")
            let second = try database.cachedStatement("SELECT 1")
            #expect(first === second)
            #expect(try first.step())
            #expect(first.isBusy)
            let whileBusy = try database.cachedStatement("SELECT 1")
            #expect(whileBusy !== first)
            first.reset()
            #expect(try database.cachedStatement("SELECT 1") === first)
        }
    }

    @Test func decodingMismatchReportsStorageClassOnly() throws {
        try withDatabase { (database, _) throws in
            let row = try #require(try database.fetchOne("SELECT 'private value' AS note"))
            let error = #expect(throws: SQLiteError.self) {
                _ = try row.decode(Int.self, named: "note")
            }
            #expect(error?.code == SQLITE_MISMATCH)
            #expect(error?.message.contains("TEXT") == true)
            #expect(error?.message.contains("private value") == false)
            let missing = #expect(throws: SQLiteError.self) {
                _ = try row.decode(Int.self, named: "absent")
            }
            #expect(missing?.code == SQLITE_RANGE)
        }
    }

    // MARK: Errors

    @Test func errorsCarryCodeMessageAndSQLButNotBoundValues() throws {
        try withDatabase { (database, _) throws in
            try database.execute("CREATE TABLE guests (email TEXT UNIQUE)")
            let insert = "INSERT INTO guests (email) VALUES (?)"
            let secret = "hanako.secret@example.jp"
            try database.execute(insert, arguments: [secret])
            let error = try #require(#expect(throws: SQLiteError.self) {
                try database.execute(insert, arguments: [secret])
            })
            #expect(error.code == SQLITE_CONSTRAINT)
            #expect(error.extendedCode == SQLiteError.constraintUnique)
            #expect(error.isUniqueConstraintViolation)
            #expect(error.message.contains("UNIQUE constraint failed: guests.email"))
            #expect(error.sql == insert)
            #expect(error.description.contains("SQLite error 19"))
            #expect(error.description.contains("2067"))
            #expect(error.description.contains(insert))
            #expect(!error.description.contains(secret))
            #expect(!error.message.contains(secret))
        }
    }

    @Test func syntaxErrorsReportTheSQLOnOneLine() throws {
        try withDatabase { (database, _) throws in
            let sql = "SELECT *\r\nFROM\nnowhere_table"
            let error = try #require(#expect(throws: SQLiteError.self) {
                _ = try database.prepare(sql)
            })
            #expect(error.code == SQLITE_ERROR)
            #expect(error.message.contains("no such table"))
            #expect(error.sql == sql)
            #expect(!error.description.contains("\n"))
            #expect(!error.description.contains("\r"))
            #expect(error.description.contains("SELECT * FROM nowhere_table"))

            let scriptError = try #require(#expect(throws: SQLiteError.self) {
                try database.execute("CREATE TABLE a (x);\nINSERT INTO missing VALUES (1);")
            })
            #expect(scriptError.code == SQLITE_ERROR)
            #expect(scriptError.message.contains("no such table: missing"))
            #expect(!scriptError.description.contains("\n"))
        }
    }

    @Test func descriptionReplacesEveryLineBreak() {
        let error = SQLiteError(code: SQLITE_ERROR, message: "first\r\nsecond\u{2028}third", sql: "SELECT\r1")
        #expect(error.description == "SQLite error 1: first second third; SQL: SELECT 1")
    }

    @Test func argumentMistakesAreRejected() throws {
        try withDatabase { (database, _) throws in
            try database.execute("CREATE TABLE pairs (a, b)")
            let tooFew = #expect(throws: SQLiteError.self) {
                try database.execute("INSERT INTO pairs (a, b) VALUES (?, ?)", arguments: [1])
            }
            #expect(tooFew?.code == SQLITE_RANGE)
            let missingName = #expect(throws: SQLiteError.self) {
                try database.execute("INSERT INTO pairs (a, b) VALUES (:a, :b)", arguments: ["a": 1])
            }
            #expect(missingName?.message.contains(":b") == true)
            let twoStatements = #expect(throws: SQLiteError.self) {
                _ = try database.prepare("SELECT 1; SELECT 2")
            }
            #expect(twoStatements?.code == SQLITE_MISUSE)
            // A trailing comment is not a second statement.
            _ = try database.prepare("SELECT 1; -- trailing comment")
            let empty = #expect(throws: SQLiteError.self) {
                _ = try database.prepare("  -- only a comment")
            }
            #expect(empty?.code == SQLITE_MISUSE)
        }
    }

    // MARK: Transactions

    @Test func transactionCommitsAndReturnsBodyValue() throws {
        try withDatabase { (database, directory) throws in
            try database.execute("CREATE TABLE bookings (id INTEGER PRIMARY KEY, guest TEXT)")
            let identifier = try database.transaction { () throws -> Int64 in
                #expect(database.isInTransaction)
                try database.execute("INSERT INTO bookings (guest) VALUES (?)", arguments: ["Taro"])
                return database.lastInsertRowID
            }
            #expect(!database.isInTransaction)
            #expect(identifier == 1)
            let other = try Database.open(path: directory.appendingPathComponent("test.sqlite").path)
            #expect(try String.fetchOne(other, sql: "SELECT guest FROM bookings WHERE id = ?", arguments: [identifier])
                == "Taro")
        }
    }

    @Test func transactionRollsBackAndRethrowsOriginalError() throws {
        try withDatabase { (database, _) throws in
            try database.execute("CREATE TABLE bookings (guest TEXT)")
            let error = #expect(throws: ExpectedFailure.self) {
                try database.transaction {
                    try database.execute("INSERT INTO bookings (guest) VALUES (?)", arguments: ["Jiro"])
                    throw ExpectedFailure(reason: "payment declined")
                }
            }
            #expect(error == ExpectedFailure(reason: "payment declined"))
            #expect(!database.isInTransaction)
            #expect(try Int.fetchOne(database, sql: "SELECT count(*) FROM bookings") == 0)
        }
    }

    @Test func nestedTransactionIsRefusedAndSavepointRollsBackOnlyItsPart() throws {
        try withDatabase { (database, _) throws in
            try database.execute("CREATE TABLE rows (value INTEGER)")
            try database.transaction(.immediate) { () throws in
                try database.execute("INSERT INTO rows (value) VALUES (1)")
                let nested = #expect(throws: SQLiteError.self) {
                    try database.transaction(.deferred) {}
                }
                #expect(nested?.code == SQLITE_MISUSE)
                #expect(throws: ExpectedFailure.self) {
                    try database.savepoint {
                        try database.execute("INSERT INTO rows (value) VALUES (2)")
                        throw ExpectedFailure(reason: "skip this record")
                    }
                }
                try database.savepoint {
                    try database.execute("INSERT INTO rows (value) VALUES (3)")
                }
            }
            #expect(try Int.fetchAll(database, sql: "SELECT value FROM rows ORDER BY value") == [1, 3])
            #expect(throws: SQLiteError.self) {
                try database.savepoint {}
            }
        }
    }

    @Test func immediateTransactionHoldsTheWriteLock() throws {
        try withDatabase { (database, directory) throws in
            try database.execute("CREATE TABLE rows (value INTEGER)")
            let other = try Database.open(path: directory.appendingPathComponent("test.sqlite").path)
            try database.transaction(.immediate) { () throws in
                // A zero timeout makes the competing writer fail at once instead of waiting five seconds.
                sqlite3_busy_timeout(other.handle, 0)
                let error = #expect(throws: SQLiteError.self) {
                    try other.execute("BEGIN IMMEDIATE")
                }
                #expect(error?.isBusy == true)
                // WAL lets readers proceed while the writer holds the lock.
                #expect(try Int.fetchOne(other, sql: "SELECT count(*) FROM rows") == 0)
            }
        }
    }

    // MARK: Migrations

    private static let migrations = [
        Migration(name: "create_hosts", sql: "CREATE TABLE hosts (id INTEGER PRIMARY KEY, name TEXT NOT NULL);"),
        Migration(name: "create_stays", sql: """
            CREATE TABLE stays (
                id INTEGER PRIMARY KEY,
                host_id INTEGER NOT NULL REFERENCES hosts(id)
            );
            CREATE INDEX stays_host ON stays (host_id);
            """),
        Migration(name: "seed_default_host") { database in
            try database.execute("INSERT INTO hosts (name) VALUES (?)", arguments: ["役場"])
        },
    ]

    @Test func migratingFromEmptyAppliesEverythingInOrder() throws {
        try withDatabase { (database, _) throws in
            let migrator = Migrator(Self.migrations)
            let applied = try migrator.migrate(database)
            #expect(applied == ["create_hosts", "create_stays", "seed_default_host"])
            #expect(try database.userVersion() == 3)
            let history = try migrator.appliedMigrations(in: database)
            #expect(history.map(\.version) == [1, 2, 3])
            #expect(history.map(\.name) == ["create_hosts", "create_stays", "seed_default_host"])
            #expect(history.allSatisfy { $0.appliedAt.hasSuffix("Z") && $0.appliedAt.count == 24 })
            #expect(try String.fetchOne(database, sql: "SELECT name FROM hosts") == "役場")
            #expect(!database.isInTransaction)
        }
    }

    @Test func rerunningMigrationsIsANoOpAndNewOnesApplyAlone() throws {
        try withDatabase { (database, _) throws in
            try Migrator(Self.migrations).migrate(database)
            #expect(try Migrator(Self.migrations).migrate(database) == [])
            #expect(try database.userVersion() == 3)
            #expect(try Int.fetchOne(database, sql: "SELECT count(*) FROM hosts") == 1)
            #expect(try Int.fetchOne(database, sql: "SELECT count(*) FROM schema_migrations") == 3)

            let extended = Migrator(Self.migrations + [
                Migration(name: "add_host_region", sql: "ALTER TABLE hosts ADD COLUMN region TEXT")
            ])
            #expect(try extended.migrate(database) == ["add_host_region"])
            #expect(try database.userVersion() == 4)
        }
    }

    @Test func newerDatabaseIsRefused() throws {
        try withDatabase { (database, _) throws in
            try Migrator(Self.migrations).migrate(database)
            let older = Migrator(Array(Self.migrations.prefix(2)))
            let error = #expect(throws: MigrationError.self) {
                try older.migrate(database)
            }
            guard case .databaseNewerThanCode(let databaseVersion, let latestKnownVersion) = error else {
                Issue.record("unexpected error \(String(describing: error))")
                return
            }
            #expect(databaseVersion == 3)
            #expect(latestKnownVersion == 2)
            #expect(error?.description.contains("newer") == true)
            #expect(try database.userVersion() == 3)
        }
    }

    @Test func failingMigrationLeavesVersionUnchanged() throws {
        try withDatabase { (database, _) throws in
            let migrator = Migrator([
                Self.migrations[0],
                Migration(name: "broken", sql: "CREATE TABLE half_done (x); INSERT INTO no_such_table VALUES (1);"),
            ])
            let error = #expect(throws: MigrationError.self) {
                try migrator.migrate(database)
            }
            guard case .migrationFailed(let version, let name, let underlying) = error else {
                Issue.record("unexpected error \(String(describing: error))")
                return
            }
            #expect(version == 2)
            #expect(name == "broken")
            #expect((underlying as? SQLiteError)?.message.contains("no such table") == true)
            #expect(try database.userVersion() == 1)
            #expect(try migrator.appliedMigrations(in: database).map(\.name) == ["create_hosts"])
            #expect(try Int.fetchOne(database, sql: "SELECT count(*) FROM sqlite_schema WHERE name = 'half_done'") == 0)
            #expect(!database.isInTransaction)
        }
    }

    /// Rebuilds `hosts` (which `stays` refers to, ON DELETE CASCADE) in SQLite's way.
    private static func rebuildHosts(keeping condition: String) -> Migration {
        Migration(name: "rebuild_hosts", sql: """
            CREATE TABLE hosts_new (id INTEGER PRIMARY KEY, name TEXT NOT NULL CHECK (name <> ''));
            INSERT INTO hosts_new (id, name) SELECT id, name FROM hosts WHERE \(condition);
            DROP TABLE hosts;
            ALTER TABLE hosts_new RENAME TO hosts;
            """, rebuildsReferencedTable: true)
    }

    private static let cascadingStays = [
        Self.migrations[0],
        Migration(name: "create_stays", sql: """
            CREATE TABLE stays (id INTEGER PRIMARY KEY, host_id INTEGER NOT NULL REFERENCES hosts(id) ON DELETE CASCADE);
            INSERT INTO hosts (id, name) VALUES (1, '南砺'), (2, '輪島');
            INSERT INTO stays (id, host_id) VALUES (10, 1), (11, 2);
            """),
    ]

    @Test func rebuildingAReferencedTableKeepsTheRowsThatReferToIt() throws {
        try withDatabase { (database, _) throws in
            let migrator = Migrator(Self.cascadingStays + [Self.rebuildHosts(keeping: "1")])
            #expect(try migrator.migrate(database) == ["create_hosts", "create_stays", "rebuild_hosts"])
            // Dropping the old table with foreign keys on would have cascaded to every stay.
            #expect(try Int.fetchOne(database, sql: "SELECT count(*) FROM stays") == 2)
            #expect(try database.fetchOne("PRAGMA foreign_keys")?.decode(Int.self, at: 0) == 1)
            #expect(throws: SQLiteError.self) { try database.execute("INSERT INTO stays (host_id) VALUES (99)") }
        }
    }

    @Test func aReferenceThatDangledBeforeDoesNotStopARebuild() throws {
        try withDatabase { (database, _) throws in
            try Migrator(Self.cascadingStays).migrate(database)
            // As if the file had been edited in the sqlite3 shell, where foreign keys are off.
            try database.execute("PRAGMA foreign_keys=OFF")
            try database.execute("INSERT INTO stays (id, host_id) VALUES (12, 99)")
            try database.execute("PRAGMA foreign_keys=ON")
            let migrator = Migrator(Self.cascadingStays + [Self.rebuildHosts(keeping: "1")])
            #expect(try migrator.migrate(database) == ["rebuild_hosts"])
            #expect(try Int.fetchOne(database, sql: "SELECT count(*) FROM stays") == 3)
        }
    }

    @Test func aRebuildThatLeavesReferencesDanglingIsRolledBack() throws {
        try withDatabase { (database, _) throws in
            let migrator = Migrator(Self.cascadingStays + [Self.rebuildHosts(keeping: "id = 1")])
            let error = #expect(throws: MigrationError.self) { try migrator.migrate(database) }
            guard case .migrationFailed(let version, "rebuild_hosts", let underlying) = error else {
                Issue.record("unexpected error \(String(describing: error))")
                return
            }
            #expect(version == 3)
            #expect(String(describing: underlying).contains("stays"))
            #expect(try database.userVersion() == 2)
            #expect(try Int.fetchOne(database, sql: "SELECT count(*) FROM hosts") == 2)
            #expect(try database.fetchOne("PRAGMA foreign_keys")?.decode(Int.self, at: 0) == 1)
        }
    }

    @Test func rewrittenHistoryIsRefused() throws {
        try withDatabase { (database, _) throws in
            try Migrator(Self.migrations).migrate(database)
            var renamed = Self.migrations
            renamed[1] = Migration(name: "create_visits", sql: "SELECT 1")
            #expect(throws: MigrationError.self) {
                try Migrator(renamed).migrate(database)
            }
            #expect(throws: MigrationError.self) {
                try Migrator([Self.migrations[0], Self.migrations[0]]).migrate(database)
            }
        }
    }

    // MARK: Maintenance

    @Test func backupProducesAReadableStandaloneCopy() throws {
        try withDatabase { (database, directory) throws in
            try Migrator(Self.migrations).migrate(database)
            try database.transaction {
                for index in 0..<200 {
                    try database.execute("INSERT INTO hosts (name) VALUES (?)", arguments: ["ホスト \(index)"])
                }
            }
            let copyPath = directory.appendingPathComponent("copy.sqlite").path
            try database.backup(to: copyPath)

            let copy = try Database.open(path: copyPath, readOnly: true)
            #expect(try Int.fetchOne(copy, sql: "SELECT count(*) FROM hosts") == 201)
            #expect(try String.fetchOne(copy, sql: "SELECT name FROM hosts WHERE name = ?", arguments: ["ホスト 199"])
                == "ホスト 199")
            #expect(try copy.userVersion() == 3)
            #expect(try copy.integrityCheck() == [])
            #expect(try String.fetchOne(copy, sql: "PRAGMA journal_mode") == "delete")
        }
    }

    @Test func backupToUnwritablePathFails() throws {
        try withDatabase { (database, directory) throws in
            let path = directory.appendingPathComponent("no/such/dir/copy.sqlite").path
            let error = #expect(throws: SQLiteError.self) {
                try database.backup(to: path)
            }
            #expect(error?.code == SQLITE_CANTOPEN)
        }
    }

    @Test func checkpointTruncatesTheWriteAheadLog() throws {
        try withDatabase { (database, directory) throws in
            try database.execute("CREATE TABLE filler (value BLOB)")
            try database.execute("INSERT INTO filler (value) VALUES (?)", arguments: [Data(count: 64 * 1024)])
            let walPath = directory.appendingPathComponent("test.sqlite-wal").path
            let sizeBefore = try FileManager.default.attributesOfItem(atPath: walPath)[.size] as? Int
            #expect((sizeBefore ?? 0) > 0)
            try database.checkpoint()
            let sizeAfter = try FileManager.default.attributesOfItem(atPath: walPath)[.size] as? Int
            #expect(sizeAfter == 0)
            #expect(try Data.fetchOne(database, sql: "SELECT value FROM filler")?.count == 64 * 1024)
        }
    }

    @Test func integrityCheckIsCleanOnAFreshDatabase() throws {
        try withDatabase { (database, _) throws in
            try Migrator(Self.migrations).migrate(database)
            #expect(try database.integrityCheck() == [])
        }
    }
}
