import Foundation
import SasuraiCore
import SasuraiStore

/// `sasurai store ...`: work on a Sasurai database file directly, with no server running.
enum StoreCommands {
    static let group = CommandSpecification(
        name: "store",
        abstract: "Import a scenario into a database file, export it back, or check the file.",
        discussion: """
        These work on the SQLite file itself, for setting up a server's database or inspecting \
        one offline. Do not run them on a database a server is using.
        """,
        examples: ["sasurai store import --db sasurai.db Resources/scenarios/demo.json",
                   "sasurai store export --db sasurai.db --out scenario.json"],
        subcommands: [importCommand, exportCommand, checkCommand]
    )

    static let importCommand = CommandSpecification(
        name: "import",
        abstract: "Replace the database's scenario with a scenario file, in one transaction.",
        discussion: "The file is checked first; nothing is written unless all of it is valid.",
        examples: ["sasurai store import --db sasurai.db Resources/scenarios/demo.json"],
        arguments: [ArgumentSpecification("SCENARIO", help: "A sasurai-scenario/1 file.")],
        options: [OptionSpecification("--db", value: "PATH", help: "The database file (created if missing)."),
                  OptionSpecification("--actor", value: "ROLE:NAME", help: "Who imports, for the audit log (default planner:cli).")],
        prepare: { arguments in
            guard let databasePath = arguments.value("--db") else { throw UsageError("missing --db PATH") }
            let scenarioPath = arguments.positionals[0]
            let actor = arguments.value("--actor") ?? "planner:cli"
            return { output in
                let scenario = try OfflineCommands.readScenario(scenarioPath)
                let summary = try withStore(databasePath) { try $0.importScenario(scenario, actor: actor) }
                output.print("\(databasePath): \(summary)")
                return .success
            }
        }
    )

    static let exportCommand = CommandSpecification(
        name: "export",
        abstract: "Write the database's scenario as a canonical scenario file.",
        examples: ["sasurai store export --db sasurai.db --out scenario.json"],
        options: [OptionSpecification("--db", value: "PATH", help: "The database file."),
                  OptionSpecification("--out", value: "FILE", help: "Write here instead of standard output.")],
        prepare: { arguments in
            guard let databasePath = arguments.value("--db") else { throw UsageError("missing --db PATH") }
            let outputPath = arguments.value("--out")
            return { output in
                try requireExisting(databasePath)
                let scenario = try withStore(databasePath) { try $0.exportScenario() }
                let bytes = ScenarioWriter.write(scenario)
                if let outputPath { try Files.write(bytes, to: outputPath) } else { output.write(bytes) }
                return .success
            }
        }
    )

    static let checkCommand = CommandSpecification(
        name: "check",
        abstract: "Run SQLite's integrity and foreign key checks on the database file.",
        examples: ["sasurai store check --db sasurai.db"],
        options: [OptionSpecification("--db", value: "PATH", help: "The database file.")],
        prepare: { arguments in
            guard let databasePath = arguments.value("--db") else { throw UsageError("missing --db PATH") }
            return { output in
                try requireExisting(databasePath)
                let problems = try withStore(databasePath) { store in
                    try store.database.integrityCheck()
                        + store.database.fetchAll("PRAGMA foreign_key_check").map { "foreign key: \($0.values)" }
                }
                for problem in problems { output.print(problem) }
                output.print(problems.isEmpty ? "\(databasePath): ok" : "\(databasePath): \(problems.count) problems")
                return problems.isEmpty ? .success : .refused
            }
        }
    )

    static func requireExisting(_ path: String) throws {
        guard FileManager.default.fileExists(atPath: path) else {
            throw CommandFailure("cannot open \(path): no such file")
        }
    }

    /// Opens the store and maps its errors to one message each.
    static func withStore<Result>(_ path: String, _ body: (ScenarioStore) throws -> Result) throws -> Result {
        do {
            let store = try ScenarioStore.open(path: path)
            return try body(store)
        } catch let error as StoreError {
            throw CommandFailure("\(path): \(error)")
        } catch let error as SQLiteError {
            throw CommandFailure("\(path): \(error)")
        } catch let error as MigrationError {
            throw CommandFailure("\(path): \(error)")
        }
    }
}
