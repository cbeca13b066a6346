import Foundation
import SasuraiCore
import Testing

@testable import SasuraiStore

/// True when `SASURAI_STORE_BENCHMARK` is set; the benchmark is meant for release builds:
/// `swift test -c release -Xswiftc -enable-testing --filter ImportBenchmark`.
private let benchmarkRequested = ProcessInfo.processInfo.environment["SASURAI_STORE_BENCHMARK"] != nil

@Suite("Import benchmark")
struct ImportBenchmarkTests {
    /// Imports and exports 100,000 applications with `synchronous` FULL and prints the times.
    @Test(.enabled(if: benchmarkRequested, "set SASURAI_STORE_BENCHMARK=1 to run; use a release build"))
    func hundredThousandApplications() throws {
        let scenario = ScenarioGenerator.generate(
            GeneratorOptions(towns: 300, applications: 100_000, nights: 365, seed: 2026))
        let expected = ScenarioWriter.write(scenario)
        try withStoreDirectory { directory in
            let store = try ScenarioStore.open(path: directory.appendingPathComponent("store.sqlite").path,
                                               synchronous: .full)
            let clock = ContinuousClock()
            let importTime = try clock.measure {
                try store.importScenario(scenario, actor: "planner:benchmark")
            }
            let reimportTime = try clock.measure {
                try store.importScenario(scenario, actor: "planner:benchmark")
            }
            var exported = Scenario()
            let exportTime = try clock.measure {
                exported = try store.exportScenario()
            }
            #expect(ScenarioWriter.write(exported) == expected)
            let size = try FileManager.default.attributesOfItem(
                atPath: directory.appendingPathComponent("store.sqlite").path)[.size] as? Int ?? 0
            print("""
                benchmark: \(scenario.applications.count) applications, \(scenario.freelancers.count) freelancers, \
                \(scenario.towns.count) towns, \(scenario.accommodations.count) accommodations, \
                \(scenario.slots.count) slots, \(scenario.bookings.count) bookings
                benchmark: import into empty store \(importTime), replacing import \(reimportTime), \
                export \(exportTime), file \(size / 1_048_576) MiB
                """)
            #expect(importTime < .seconds(30))
        }
    }
}
