import Foundation
import Testing
import SasuraiCore

/// The repository root, found from this file so that tests run from anywhere.
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

/// The folder holding the binaries of the build under test.
///
/// The test bundle sits beside them (`.build/debug`, or the scratch path of a sanitizer
/// build), so tests run against the same build they were compiled in; `SASURAI_BUILD_DIR`
/// overrides it.
let productsDirectory: URL = {
    if let folder = ProcessInfo.processInfo.environment["SASURAI_BUILD_DIR"], !folder.isEmpty {
        return URL(fileURLWithPath: folder)
    }
    let testBundle = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
    if FileManager.default.isExecutableFile(atPath: testBundle.appendingPathComponent("sasurai").path) {
        return testBundle
    }
    return repositoryRoot.appendingPathComponent(".build/debug")
}()

/// The built `sasurai` binary of the current build configuration.
let sasuraiBinary = productsDirectory.appendingPathComponent("sasurai")

struct ProcessResult {
    var status: Int32
    var standardOutput: String
    var standardError: String
}

/// Runs `sasurai` with `arguments` and collects what it printed.
func runSasurai(_ arguments: [String], input: Data? = nil) throws -> ProcessResult {
    try runProgram(sasuraiBinary, arguments, input: input)
}

/// Runs a built program with `arguments` and collects what it printed; `environment`
/// replaces the inherited one when given.
func runProgram(_ program: URL, _ arguments: [String], input: Data? = nil,
                environment: [String: String]? = nil) throws -> ProcessResult {
    let process = Process()
    process.executableURL = program
    process.arguments = arguments
    if let environment { process.environment = environment }
    let output = Pipe(), error = Pipe()
    process.standardOutput = output
    process.standardError = error
    if let input {
        let pipe = Pipe()
        process.standardInput = pipe
        try process.run()
        pipe.fileHandleForWriting.write(input)
        try pipe.fileHandleForWriting.close()
    } else {
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }
    let outputData = output.fileHandleForReading.readDataToEndOfFile()
    let errorData = error.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return ProcessResult(status: process.terminationStatus, standardOutput: String(decoding: outputData, as: UTF8.self),
                         standardError: String(decoding: errorData, as: UTF8.self))
}

func temporaryDirectory() throws -> URL {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sasurai-e2e-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    return directory
}

@Suite(.serialized) struct CommandLineEndToEndTests {
    static let demo = repositoryRoot.appendingPathComponent("Resources/scenarios/demo.json").path

    @Test func theBinaryIsBuilt() {
        #expect(FileManager.default.isExecutableFile(atPath: sasuraiBinary.path), "run swift build first")
    }

    @Test func solveWritesAValidPlanAndPrintsTheSummary() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let plan = directory.appendingPathComponent("plan.json").path
        let solved = try runSasurai(["solve", Self.demo, "--moves", "300", "--out", plan])
        #expect(solved.status == 0, "\(solved.standardError)")
        #expect(solved.standardOutput.contains("placed "))
        #expect(solved.standardOutput.contains("upper bound"))
        #expect(solved.standardOutput.contains("南砺市"))
        let validated = try runSasurai(["validate", Self.demo, plan])
        #expect(validated.status == 0)
        #expect(validated.standardOutput.hasSuffix("applications placed, score \(try PlanFile.read(Array(Data(contentsOf: URL(fileURLWithPath: plan)))).score)\n"))
    }

    @Test func sameSeedAndMovesGiveTheSamePlanBytes() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let first = directory.appendingPathComponent("1.json").path, second = directory.appendingPathComponent("2.json").path
        #expect(try runSasurai(["solve", Self.demo, "--moves", "500", "--seed", "7", "--out", first, "--quiet"]).status == 0)
        #expect(try runSasurai(["solve", Self.demo, "--moves", "500", "--seed", "7", "--out", second, "--quiet"]).status == 0)
        #expect(try Data(contentsOf: URL(fileURLWithPath: first)) == Data(contentsOf: URL(fileURLWithPath: second)))
    }

    @Test func validateReportsEachBrokenRuleAndExitsOne() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let plan = directory.appendingPathComponent("plan.json").path
        #expect(try runSasurai(["solve", Self.demo, "--moves", "200", "--out", plan, "--quiet"]).status == 0)
        var broken = try PlanFile.read(Array(Data(contentsOf: URL(fileURLWithPath: plan))))
        // Move one stay a year later: outside its window (rule 2) and its lodging's season (rule 4).
        broken.assignments[0].arrival = broken.assignments[0].arrival.adding(365)
        let brokenPath = directory.appendingPathComponent("broken.json").path
        try Data(PlanFile.write(broken)).write(to: URL(fileURLWithPath: brokenPath))
        let result = try runSasurai(["validate", Self.demo, brokenPath])
        #expect(result.status == 1)
        let application = broken.assignments[0].application
        #expect(result.standardOutput.contains("rule 2: \(application) departs "))
        #expect(result.standardOutput.contains("rule 4: \(application) stays in accommodation "))
        #expect(result.standardOutput.contains("plan: score \(broken.score) does not match the recomputed "))
        #expect(result.standardOutput.hasSuffix("violations; recomputed score \(broken.score - (broken.score - PlanValidator(scenario: try ScenarioReader.read(Array(Data(contentsOf: URL(fileURLWithPath: Self.demo))))).validate(broken).recomputedScore)), plan says \(broken.score)\n"))
    }

    @Test func invalidScenarioIsRefusedWithPathsAndExitOne() throws {
        let text = try String(contentsOfFile: Self.demo, encoding: .utf8)
            .replacingOccurrences(of: "\"nightly_cap\": 6,", with: "\"nightly_cap\": -6,")
        let result = try runSasurai(["validate", "-"], input: Data(text.utf8))
        #expect(result.status == 1)
        #expect(result.standardError.contains("nightly_cap: -6 is out of range 0 to 100000"))
        #expect(result.standardError.hasPrefix("sasurai: - is not a valid scenario:\n"))
    }

    @Test func generateIsDeterministicAndValid() throws {
        let arguments = ["generate", "--towns", "5", "--apps", "120", "--nights", "60", "--seed", "3"]
        let first = try runSasurai(arguments), second = try runSasurai(arguments)
        #expect(first.status == 0 && first.standardOutput == second.standardOutput)
        let scenario = try ScenarioReader.read(Array(first.standardOutput.utf8))
        #expect(scenario.towns.count == 5 && scenario.applications.count == 120)
    }

    @Test(arguments: [
        (["solve"], "sasurai: missing SCENARIO"),
        (["solve", "x.json", "--moves", "-3"], "sasurai: --moves takes a whole number from 0 to 1000000000, got \"-3\""),
        (["generate", "--towns", "0", "--apps", "1", "--nights", "30"], "sasurai: --towns takes a whole number from 1 to 10000, got \"0\""),
        (["frobnicate"], "sasurai: unknown command 'frobnicate' for 'sasurai'"),
        (["validate", "a", "b", "c"], "sasurai: unexpected argument \"c\""),
        (["solve", "x.json", "--color"], "sasurai: unknown option --color for 'solve'"),
    ])
    func usageErrorsExitTwo(_ arguments: [String], _ message: String) throws {
        let result = try runSasurai(arguments)
        #expect(result.status == 2)
        #expect(result.standardError.hasPrefix(message + "\n"))
    }

    @Test func missingFileExitsOne() throws {
        let result = try runSasurai(["validate", "/nonexistent/scenario.json"])
        #expect(result.status == 1)
        #expect(result.standardError == "sasurai: cannot read /nonexistent/scenario.json: no such file\n")
    }

    @Test(arguments: ["solve", "replan", "validate", "generate", "store", "store import", "store export", "store check"])
    func everyCommandHasHelpWithAnExample(_ command: String) throws {
        let result = try runSasurai(command.split(separator: " ").map(String.init) + ["--help"])
        #expect(result.status == 0)
        #expect(result.standardOutput.contains("Usage: sasurai \(command)"))
        #expect(result.standardOutput.contains("Example"))
    }

    @Test func replanReportsTheRepair() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let plan = directory.appendingPathComponent("plan.json").path, repaired = directory.appendingPathComponent("repaired.json").path
        #expect(try runSasurai(["solve", Self.demo, "--moves", "200", "--out", plan, "--quiet"]).status == 0)
        let scenario = try ScenarioReader.read(Array(Data(contentsOf: URL(fileURLWithPath: Self.demo))))
        let booked = Set(scenario.bookings.map(\.application))
        let solo = Set(scenario.applications.filter { $0.team == nil && !booked.contains($0.id) }.map(\.id))
        let placed = try PlanFile.read(Array(Data(contentsOf: URL(fileURLWithPath: plan)))).assignments
            .first { solo.contains($0.application) }!
        let result = try runSasurai(["replan", Self.demo, plan, "--cancel", placed.application.rawValue, "--out", repaired])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput.hasPrefix("cancelled \(placed.application): 1 placement freed (\(placed.application))\n"))
        #expect(try runSasurai(["validate", Self.demo, repaired]).status == 0)
    }

    @Test func storeImportThenExportGivesTheCanonicalFileBack() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = directory.appendingPathComponent("sasurai.db").path
        let imported = try runSasurai(["store", "import", "--db", database, Self.demo])
        #expect(imported.status == 0)
        #expect(imported.standardOutput.contains("imported 12 towns"))
        let exported = try runSasurai(["store", "export", "--db", database])
        let canonical = ScenarioWriter.write(try ScenarioReader.read(Array(Data(contentsOf: URL(fileURLWithPath: Self.demo)))))
        #expect(Array(exported.standardOutput.utf8) == canonical)
        #expect(try runSasurai(["store", "check", "--db", database]).standardOutput == "\(database): ok\n")
    }
}
