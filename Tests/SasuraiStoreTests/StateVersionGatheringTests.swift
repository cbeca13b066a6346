import Foundation
import Testing
import SasuraiCore
@testable import SasuraiStore

/// The writer's gathered state version bumps: one per commit, never read stale.
@Suite struct StateVersionGatheringTests {
    @Test func writesInOneTransactionBumpTheVersionOnceAndReadersSeeItAtOnce() throws {
        try withRuleStore { store in
            let start = try store.stateVersion()
            let planID = try store.savePlan(Plan(), seed: 1, upperBound: nil, basedOnVersion: start)
            store.gathersStateVersionBumps = true
            try store.database.transaction(.immediate) {
                try store.putFreelancer(Freelancer(id: "f-new", name: "New"), actor: "freelancer:f-new")
                try store.putFreelancer(Freelancer(id: "f-newer", name: "Newer"), actor: "freelancer:f-newer")
                // Reading applies the gathered bump first: no one sees a version older than the writes.
                #expect(try store.stateVersion() == start + 1)
                #expect(try store.record(ofPlan: planID).status == .stale)
                try store.putFreelancer(Freelancer(id: "f-newest", name: "Newest"), actor: "freelancer:f-newest")
                try store.applyGatheredStateVersionBump()
            }
            #expect(try store.stateVersion() == start + 2)
            // Outside a transaction each write bumps at once, as before.
            try store.putFreelancer(Freelancer(id: "f-last", name: "Last"), actor: "freelancer:f-last")
            #expect(try store.stateVersion() == start + 3)
        }
    }
}
