import Foundation
import SasuraiCore
import Testing

@testable import SasuraiStore

/// A database written by an older build keeps everything through the migrations that rebuild
/// tables (request keys in arrival order, the audit log without AUTOINCREMENT, the applications
/// table with comparisons instead of IN lists).
@Suite("Schema upgrades keep the data")
struct SchemaUpgradeTests {
    /// The schema as the build before the rebuilds left it.
    private static let versionBeforeRebuilds = 8

    @Test func theRebuildMigrationsComeAfterTheShippedOnes() {
        let names = Schema.migrations.map(\.name)
        #expect(names.firstIndex(of: "index_applications_by_freelancer_and_state") == Self.versionBeforeRebuilds - 1)
        #expect(names.suffix(3) == ["request_keys_in_arrival_order", "audit_log_without_sequence_table",
                                   "applications_checks_without_in_lists"])
        #expect(Schema.migrations.last?.rebuildsReferencedTable == true)
    }

    @Test func anOlderDatabaseUpgradesWithEveryRowInPlace() throws {
        try withStoreDirectory { directory in
            let path = directory.appendingPathComponent("old.sqlite").path
            do {
                let database = try Database.open(path: path)
                try Migrator(Array(Schema.migrations.prefix(Self.versionBeforeRebuilds))).migrate(database)
                try database.execute("""
                    INSERT INTO towns (id, name, prefecture, nightly_cap, min_nights, max_nights, subsidy_per_night)
                        VALUES ('nanto', 'Nanto', 'Toyama', 10, 1, 30, 0);
                    INSERT INTO freelancers (id, name, relocation) VALUES ('f-1', 'Aiko', 'none');
                    INSERT INTO applications (id, freelancer_id, earliest, latest, nights, budget_per_night, labor,
                                              state, state_changed_at)
                        VALUES ('a-1', 'f-1', '2026-05-01', '2026-06-01', 7, 5000, 'preferred', 'pending', '2026-04-01T00:00:00Z'),
                               ('a-2', 'f-1', '2026-07-01', '2026-08-01', 7, 5000, 'none', 'withdrawn', '2026-04-02T00:00:00Z');
                    INSERT INTO application_towns (application_id, rank, town_id) VALUES ('a-1', 1, 'nanto');
                    INSERT INTO application_kinds (application_id, kind) VALUES ('a-1', 'guesthouse');
                    INSERT INTO audit_log (at, actor, action, subject) VALUES
                        ('2026-04-01T00:00:00Z', 'planner:alice', 'application.created', 'a-1'),
                        ('2026-04-02T00:00:00Z', 'planner:alice', 'application.created', 'a-2');
                    INSERT INTO request_keys (token_id, key, digest, reply, created_at) VALUES
                        (1, 'k-2', x'02', x'4f4b207b7d', '2026-04-02T00:00:00Z'),
                        (1, 'k-1', x'01', x'4f4b', '2026-04-01T00:00:00Z');
                    """)
            }
            let store = try ScenarioStore.open(path: path)
            store.clock = { fixedNow }
            let database = store.database
            #expect(try database.userVersion() == Schema.migrations.count)
            #expect(try database.fetchOne("PRAGMA foreign_keys")?.decode(Int.self, at: 0) == 1)
            #expect(try database.fetchAll("PRAGMA foreign_key_check").isEmpty)
            #expect(try String.fetchOne(database, sql: "PRAGMA integrity_check") == "ok")

            // Applications and the rows that refer to them (ON DELETE CASCADE) are all there.
            #expect(try String.fetchAll(database, sql: "SELECT id || ':' || state FROM applications ORDER BY id")
                    == ["a-1:pending", "a-2:withdrawn"])
            #expect(try Int.fetchOne(database, sql: "SELECT count(*) FROM application_towns") == 1)
            #expect(try Int.fetchOne(database, sql: "SELECT count(*) FROM application_kinds") == 1)
            // The rebuilt table's checks and the counting triggers still work.
            #expect(throws: SQLiteError.self) {
                try database.execute("UPDATE applications SET state = 'lost' WHERE id = 'a-1'")
            }
            #expect(throws: SQLiteError.self) {
                try database.execute("UPDATE applications SET labor = 'maybe' WHERE id = 'a-1'")
            }
            try database.execute("UPDATE applications SET state = 'withdrawn' WHERE id = 'a-1'")
            #expect(try Int.fetchOne(database, sql: "SELECT count FROM application_state_counts WHERE state = 'withdrawn'") == 2)

            // Audit ids go on from the largest, and the rows still refuse to change.
            #expect(try store.append(actor: "planner:alice", action: "token.issued") == 3)
            #expect(try store.auditEntries().map(\.id) == [1, 2, 3])
            #expect(throws: SQLiteError.self) { try database.execute("DELETE FROM audit_log WHERE id = 1") }
            #expect(try Int.fetchOne(database, sql: "SELECT count(*) FROM sqlite_sequence WHERE name = 'audit_log'") == 0)

            // Request keys are found again and kept in creation order, oldest first.
            #expect(try store.rememberedReply(tokenID: 1, key: "k-1")?.reply == Array("OK".utf8))
            #expect(try store.rememberedReply(tokenID: 1, key: "k-2")?.digest == [2])
            #expect(try String.fetchAll(database, sql: "SELECT key FROM request_keys ORDER BY id") == ["k-1", "k-2"])
            #expect(try store.forgetRequestKeys(olderThan: Date(timeIntervalSince1970: 1_775_044_800)) == 1)
            #expect(try store.rememberedReply(tokenID: 1, key: "k-1") == nil)
            #expect(try store.rememberedReply(tokenID: 1, key: "k-2") != nil)
        }
    }
}
