import Foundation
import SasuraiCore
import Testing

@testable import SasuraiStore

/// The repository root, found from this file's path: Tests/SasuraiStoreTests/<file>.
let repositoryRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent()
    .deletingLastPathComponent()
    .deletingLastPathComponent()

/// A fresh directory under the system temporary directory, removed when `body` returns.
func withStoreDirectory<T>(_ body: (URL) throws -> T) throws -> T {
    let directory = FileManager.default.temporaryDirectory
        .appendingPathComponent("SasuraiStoreDomainTests-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    return try body(directory)
}

/// A store in a fresh file whose clock reads `2026-06-01T09:00:00.000Z` until a test moves it.
func withStore<T>(_ body: (ScenarioStore, URL) throws -> T) throws -> T {
    try withStoreDirectory { directory in
        let store = try ScenarioStore.open(path: directory.appendingPathComponent("store.sqlite").path)
        store.clock = { fixedNow }
        return try body(store, directory)
    }
}

/// 2026-06-01T09:00:00Z.
let fixedNow = Date(timeIntervalSince1970: 1_780_304_400)

/// Resources/scenarios/demo.json, read and checked.
func demoScenario() throws -> Scenario {
    let url = repositoryRoot.appendingPathComponent("Resources/scenarios/demo.json")
    return try ScenarioReader.read([UInt8](try Data(contentsOf: url)))
}

/// Every row of every store table, as text, so that two states can be compared exactly.
func storeSnapshot(_ database: Database) throws -> [String: [String]] {
    var snapshot: [String: [String]] = [:]
    for table in Schema.tableNames + ["schema_migrations"] {
        snapshot[table] = try database.fetchAll("SELECT * FROM \(table)").map { row in
            row.values.map { "\($0)" }.joined(separator: "|")
        }.sorted()
    }
    snapshot["user_version"] = [String(try database.userVersion())]
    return snapshot
}

struct ExpectedStoreFailure: Error, Equatable {
    let reason: String
}
