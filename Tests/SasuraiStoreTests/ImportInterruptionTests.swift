import CSQLite
import Foundation
import SasuraiCore
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@testable import SasuraiStore

/// The `sasurai` of the build under test, which runs the import in a child process.
///
/// It sits beside the test bundle (`.build/debug`, or a sanitizer build's scratch path);
/// `SASURAI_BUILD_DIR` overrides it.
private let sasuraiBinary: URL = {
    if let folder = ProcessInfo.processInfo.environment["SASURAI_BUILD_DIR"], !folder.isEmpty {
        return URL(fileURLWithPath: folder).appendingPathComponent("sasurai")
    }
    let besideTests = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        .deletingLastPathComponent().appendingPathComponent("sasurai")
    if FileManager.default.isExecutableFile(atPath: besideTests.path) { return besideTests }
    return repositoryRoot.appendingPathComponent(".build/debug/sasurai")
}()

/// True when the built `sasurai` has `store import --db PATH SCENARIO`.
///
/// Asking for the command's help is the cheapest way to know: an unknown command prints the
/// top-level help instead, which does not mention `--db`.
private func storeImportCommandExists() -> Bool {
    guard FileManager.default.isExecutableFile(atPath: sasuraiBinary.path) else { return false }
    let process = Process()
    process.executableURL = sasuraiBinary
    process.arguments = ["store", "import", "--help"]
    let output = Pipe()
    process.standardOutput = output
    process.standardError = FileHandle.nullDevice
    do {
        try process.run()
    } catch {
        return false
    }
    let help = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    return process.terminationStatus == 0 && help.contains("--db")
}

/// Watches a database another process writes, without getting in its way for long.
private final class WriteLockProbe {
    private let path: String
    private var connection: Database?

    init(path: String) {
        self.path = path
    }

    /// True when another connection holds the write lock of a fully migrated store: that is,
    /// the import transaction is open (the migrations' own transactions do not count).
    ///
    /// Asks for the lock with no waiting; when it is free, it is released at once.
    func importIsWriting() -> Bool {
        guard let database = openIfPossible() else { return false }
        guard (try? database.userVersion()) == Schema.migrations.count else { return false }
        do {
            try database.execute("BEGIN IMMEDIATE")
            try database.execute("ROLLBACK")
            return false
        } catch let error as SQLiteError {
            return error.isBusy
        } catch {
            return false
        }
    }

    private func openIfPossible() -> Database? {
        if let connection { return connection }
        // Opening a missing file would create it, racing the child that is about to.
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        guard let database = try? Database.open(path: path) else { return nil }
        sqlite3_busy_timeout(database.handle, 0)
        connection = database
        return database
    }
}

@Suite("Import interrupted by a killed process")
struct ImportInterruptionTests {
    /// Kills `sasurai store import` with SIGKILL and checks that the store then holds either
    /// what it held before or the whole new scenario, never a part, and passes integrity checks.
    ///
    /// Half the trials kill at a random moment of the whole run (reading the file, creating the
    /// schema, importing, committing); the other half wait until the child holds the write lock
    /// of its import transaction and kill at a random moment inside it. Trials alternate between
    /// an empty file (the child also creates the schema) and a store that already holds the demo
    /// scenario, which the import replaces.
    @Test(.enabled(if: storeImportCommandExists(),
                   "needs `sasurai store import --db PATH SCENARIO` in .build/debug/sasurai (run `swift build`)"))
    func killedImportLeavesTheStoreEmptyOrComplete() throws {
        let scenario = ScenarioGenerator.generate(
            GeneratorOptions(towns: 200, applications: 50_000, nights: 365, seed: 77))
        let scenarioBytes = ScenarioWriter.write(scenario)
        let demo = try demoScenario()
        let demoBytes = ScenarioWriter.write(demo)
        let pollInterval = 0.005

        try withStoreDirectory { directory in
            let scenarioPath = directory.appendingPathComponent("scenario.json").path
            #expect(FileManager.default.createFile(atPath: scenarioPath, contents: Data(scenarioBytes)))
            let databasePath = directory.appendingPathComponent("store.sqlite").path

            func removeDatabase() {
                for suffix in ["", "-wal", "-shm"] {
                    try? FileManager.default.removeItem(atPath: databasePath + suffix)
                }
            }

            func startImport() throws -> Process {
                let process = Process()
                process.executableURL = sasuraiBinary
                process.arguments = ["store", "import", "--db", databasePath, scenarioPath]
                process.standardOutput = FileHandle.nullDevice
                process.standardError = FileHandle.nullDevice
                try process.run()
                return process
            }

            /// Sleeps until the import transaction is open; false when the child exited first.
            func waitForImportTransaction(_ process: Process, _ probe: WriteLockProbe) -> Bool {
                while process.isRunning {
                    if probe.importIsWriting() { return true }
                    Thread.sleep(forTimeInterval: pollInterval)
                }
                return false
            }

            // An uninterrupted run shows the import works and how long it and its transaction take.
            removeDatabase()
            try ScenarioStore.open(path: databasePath).importScenario(demo, actor: "planner:alice")
            let started = ContinuousClock.now
            let complete = try startImport()
            let sawTransaction = waitForImportTransaction(complete, WriteLockProbe(path: databasePath))
            let transactionStarted = ContinuousClock.now
            complete.waitUntilExit()
            let duration = (ContinuousClock.now - started).seconds
            let transactionDuration = (ContinuousClock.now - transactionStarted).seconds
            try #require(complete.terminationStatus == 0, "sasurai store import failed")
            try #require(sawTransaction, "the import transaction was never seen")
            let completeStore = try ScenarioStore.open(path: databasePath)
            #expect(ScenarioWriter.write(try completeStore.exportScenario()) == scenarioBytes)
            #expect(try completeStore.stateVersion() == 2)

            let trials = 8
            var outcomes: [String] = []
            var generator = SystemRandomNumberGenerator()
            for trial in 0..<trials {
                removeDatabase()
                let startsWithDemo = trial % 2 == 1
                if startsWithDemo {
                    try ScenarioStore.open(path: databasePath).importScenario(demo, actor: "planner:alice")
                }
                let insideTransaction = trial >= trials / 2
                let process = try startImport()
                let probe = WriteLockProbe(path: databasePath)
                if insideTransaction {
                    _ = waitForImportTransaction(process, probe)
                    Thread.sleep(forTimeInterval: Double.random(in: 0..<transactionDuration, using: &generator))
                } else {
                    Thread.sleep(forTimeInterval: Double.random(in: 0..<duration, using: &generator))
                }
                let writing = probe.importIsWriting()
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
                let killed = process.terminationReason == .uncaughtSignal
                // Frames in the WAL show that the kill left uncommitted pages for recovery to discard.
                let walBytes = (try? FileManager.default.attributesOfItem(atPath: databasePath + "-wal")[.size] as? Int)
                    .flatMap { $0 } ?? 0

                let store = try ScenarioStore.open(path: databasePath)
                #expect(try store.database.integrityCheck() == [], "trial \(trial)")
                #expect(try store.database.fetchAll("PRAGMA foreign_key_check").isEmpty, "trial \(trial)")
                let exported = ScenarioWriter.write(try store.exportScenario())
                let imports = try store.auditEntries().filter { $0.action == "scenario.import" }.count
                let version = try store.stateVersion()
                var outcome: String
                if exported == scenarioBytes {
                    outcome = "complete"
                    #expect(imports == (startsWithDemo ? 2 : 1), "trial \(trial)")
                    #expect(version == (startsWithDemo ? 2 : 1), "trial \(trial)")
                } else if startsWithDemo {
                    outcome = "unchanged"
                    #expect(exported == demoBytes, "trial \(trial): neither the old nor the new scenario")
                    #expect(imports == 1 && version == 1, "trial \(trial)")
                } else {
                    outcome = "empty"
                    #expect(try store.isEmpty(), "trial \(trial): partial import")
                    #expect(imports == 0 && version == 0, "trial \(trial)")
                }
                if !killed {
                    outcome += " (finished before the kill)"
                } else {
                    outcome += writing ? " (killed inside the transaction" : " (killed outside the transaction"
                    outcome += ", WAL \(walBytes / 1024) KiB)"
                }
                outcomes.append(outcome)
            }
            print("import interruption: full run \(duration) s, transaction \(transactionDuration) s")
            for (trial, outcome) in outcomes.enumerated() {
                print("import interruption: trial \(trial): \(outcome)")
            }
        }
    }
}

extension Duration {
    /// The duration in seconds, as a floating-point number.
    fileprivate var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
