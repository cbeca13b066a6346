import Foundation
import SasuraiCore
import Testing

@testable import SasuraiStore

@Suite("Freelancer profiles, applications and answers")
struct FreelancerRequestTests {
    /// Commits a plan that offers `application` a week in nanto's house from 2026-09-20,
    /// expiring at 2026-06-04T09:00:00Z.
    private func offer(_ application: ApplicationID, in store: ScenarioStore) throws {
        let plan = Plan(score: 1000, assignments: [
            Assignment(application: application, town: "nanto", accommodation: "nanto-house",
                       arrival: day("2026-09-20"), nights: 7),
        ])
        let id = try store.savePlan(plan, seed: 1, upperBound: nil, basedOnVersion: try store.stateVersion())
        try store.commitPlan(id: id, actor: "planner:alice", offerExpiresAt: fixedNow.addingTimeInterval(3 * 86_400))
    }

    private func application(_ id: ApplicationID, of freelancer: FreelancerID = "f-2", nights: Int = 7,
                             towns: [TownID] = [], team: TeamID? = nil) -> Application {
        Application(id: id, freelancer: freelancer, earliest: day("2026-08-01"), latest: day("2026-11-01"),
                    nights: nights, towns: towns, budgetPerNight: 5000, team: team)
    }

    // MARK: Profile

    @Test func putFreelancerCreatesThenReplaces() throws {
        try withRuleStore { store in
            let version = try store.stateVersion()
            let created = Freelancer(id: "f-new", name: "新人", skills: ["writing"], relocation: .considering)
            #expect(try store.putFreelancer(created, actor: "freelancer:f-new"))
            #expect(try store.freelancer("f-new") == created)
            let replaced = Freelancer(id: "f-new", name: "新人さん", skills: ["driving", "web-design"],
                                      relocation: .planning)
            #expect(try !store.putFreelancer(replaced, actor: "freelancer:f-new"))
            #expect(try store.freelancer("f-new") == replaced)
            #expect(try store.stateVersion() == version + 2)
            #expect(try store.auditEntries().suffix(2).map(\.action) == ["freelancer.created", "freelancer.replaced"])
        }
    }

    @Test func putFreelancerKeepsTheSkillsAStayNeeds() throws {
        try withRuleStore { store in
            try store.hostBooks("a-1", at: "nanto-gh", arriving: "2026-09-10", slot: "nanto-harvest")
            let confirmed = "skill \"farming\" is needed by slot \"nanto-harvest\" of a confirmed stay"
            #expect(throws: StoreError.conflict(confirmed)) {
                try store.putFreelancer(Freelancer(id: "f-1", name: "青山", skills: ["driving"]), actor: "freelancer:f-1")
            }
            // Skills no stay needs may go.
            #expect(try !store.putFreelancer(Freelancer(id: "f-1", name: "青山", skills: ["farming"]),
                                             actor: "freelancer:f-1"))

            try store.putSlot(Slot(id: "nanto-inn", town: "nanto", title: "旅館", skills: ["driving"],
                                   from: day("2026-09-01"), to: day("2026-10-01"), seats: 1), actor: "host:nanto")
            try store.putFreelancer(Freelancer(id: "f-2", name: "Bob", skills: ["driving"]), actor: "freelancer:f-2")
            let plan = Plan(score: 1000, assignments: [
                Assignment(application: "a-2", town: "nanto", accommodation: "nanto-house", arrival: day("2026-09-20"),
                           nights: 7, slot: "nanto-inn", laborDays: 7),
            ])
            let id = try store.savePlan(plan, seed: 1, upperBound: nil, basedOnVersion: try store.stateVersion())
            try store.commitPlan(id: id, actor: "planner:alice", offerExpiresAt: fixedNow.addingTimeInterval(3600))
            #expect(throws: StoreError.conflict("skill \"driving\" is needed by slot \"nanto-inn\" of an offered stay")) {
                try store.putFreelancer(Freelancer(id: "f-2", name: "Bob"), actor: "freelancer:f-2")
            }
        }
    }

    // MARK: Applications

    @Test func nextApplicationIDCountsPastTheLargest() throws {
        try withStore { store, _ in
            #expect(try store.nextApplicationID() == "a-1")
            try store.importScenario(ruleScenario(), actor: "planner:alice")
            // a-1 ... a-10: numeric order, not text order, gives a-11.
            #expect(try store.nextApplicationID() == "a-11")
            for id: ApplicationID in ["a-0099", "a-x7", "a-12b", "b-500", "a-"] {
                try store.addApplication(application(id), actor: "freelancer:f-2")
            }
            #expect(try store.nextApplicationID() == "a-100")
            try store.addApplication(application("a-99999999999999999999"), actor: "freelancer:f-2")
            #expect(try store.nextApplicationID() == "a-100000000000000000000")
            let largest = ApplicationID("a-" + String(repeating: "9", count: 62))
            try store.addApplication(application(largest), actor: "freelancer:f-2")
            let error = #expect(throws: StoreError.self) { try store.nextApplicationID() }
            #expect(error?.description.contains("no application id is left") == true)
        }
    }

    @Test func addApplicationStoresItPending() throws {
        try withRuleStore { store in
            let version = try store.stateVersion()
            let added = application("a-20", towns: ["wake", "nanto"], team: "t1")
            try store.addApplication(added, actor: "freelancer:f-2")
            #expect(try store.application("a-20") == added)
            #expect(try store.applicationStatus("a-20").state == .pending)
            #expect(try store.stateVersion() == version + 1)
            let entry = try #require(try store.auditEntries().last)
            #expect(entry.action == "application.created")
            #expect(entry.detail == #"{"freelancer": "f-2", "team": "t1"}"#)
        }
    }

    @Test func addApplicationRefusals() throws {
        try withRuleStore { store in
            let before = try storeSnapshot(store.database)
            #expect(throws: StoreError.conflict("no profile; send PROFILE PUT first")) {
                try store.addApplication(application("a-20", of: "f-404"), actor: "freelancer:f-404")
            }
            #expect(throws: StoreError.conflict("application \"a-1\" already exists")) {
                try store.addApplication(application("a-1"), actor: "freelancer:f-2")
            }
            let unknownTown = #expect(throws: StoreError.invalidField(path: "towns[1]", message: "no town \"x\"")) {
                try store.addApplication(application("a-20", towns: ["nanto", "x"]), actor: "freelancer:f-2")
            }
            #expect(unknownTown?.description == "towns[1]: no town \"x\"")
            #expect(throws: StoreError.conflict("team \"t1\" asks for 7 nights, this application for 14")) {
                try store.addApplication(application("a-20", nights: 14, team: "t1"), actor: "freelancer:f-2")
            }
            #expect(throws: StoreError.conflict("\"f-5\" is in team \"t1\" already, with application \"a-7\"")) {
                try store.addApplication(application("a-20", of: "f-5", team: "t1"), actor: "freelancer:f-5")
            }
            #expect(try storeSnapshot(store.database) == before)
        }
    }

    // MARK: Answers

    @Test func answersNeedALiveOffer() throws {
        try withRuleStore { store in
            #expect(throws: StoreError.conflict("application \"a-4\" is pending, not offered")) {
                try store.acceptOffer("a-4", actor: "freelancer:f-4")
            }
            #expect(throws: StoreError.conflict("application \"a-4\" is pending, not offered")) {
                try store.declineOffer("a-4", actor: "freelancer:f-4")
            }
            #expect(throws: StoreError.notFound(entity: "application", id: "a-404")) {
                try store.acceptOffer("a-404", actor: "freelancer:f-4")
            }
            try offer("a-4", in: store)
            store.clock = { fixedNow.addingTimeInterval(3 * 86_400) }
            let before = try storeSnapshot(store.database)
            let expired = "the offer for \"a-4\" expired at 2026-06-04T09:00:00.000Z"
            #expect(throws: StoreError.conflict(expired)) { try store.acceptOffer("a-4", actor: "freelancer:f-4") }
            #expect(throws: StoreError.conflict(expired)) { try store.declineOffer("a-4", actor: "freelancer:f-4") }
            // Refusing leaves the expiry to expireOffers.
            #expect(try storeSnapshot(store.database) == before)
            #expect(try store.expireOffers() == ["a-4"])
        }
    }

    @Test func acceptingConfirmsAndDecliningFrees() throws {
        try withRuleStore { store in
            try offer("a-4", in: store)
            try offer("a-2", in: store)
            store.clock = { fixedNow.addingTimeInterval(3 * 86_400 - 1) }
            let accepted = try store.acceptOffer("a-4", actor: "freelancer:f-4")
            #expect(accepted.state == .confirmed)
            #expect(try store.placement(of: "a-4") != nil)
            let declined = try store.declineOffer("a-2", actor: "freelancer:f-2")
            #expect(declined.state == .declined)
            #expect(try store.placement(of: "a-2") == nil)
            #expect(throws: StoreError.conflict("application \"a-4\" is confirmed, not offered")) {
                try store.acceptOffer("a-4", actor: "freelancer:f-4")
            }
        }
    }

    @Test func withdrawRefusals() throws {
        try withRuleStore { store in
            try offer("a-2", in: store)
            try store.declineOffer("a-2", actor: "freelancer:f-2")
            #expect(throws: StoreError.conflict("application \"a-2\" is declined; it cannot be withdrawn")) {
                try store.withdraw("a-2", actor: "freelancer:f-2")
            }
            #expect(throws: StoreError.notFound(entity: "application", id: "a-404")) {
                try store.withdraw("a-404", actor: "freelancer:f-2")
            }
            try store.hostBooks("a-1", at: "nanto-gh", arriving: "2026-09-10")
            try store.hostBooks("a-3", at: "nanto-gh", arriving: "2026-09-20")
            // The UTC day is what counts: 2026-09-09T23:59 is still the day before the stay.
            let lastMinuteBefore = fixedNow.addingTimeInterval(100 * 86_400 + 14 * 3600 + 59 * 60)
            store.clock = { lastMinuteBefore }
            #expect(Timestamp.iso(store.clock()) == "2026-09-09T23:59:00.000Z")
            let withdrawn = try store.withdraw("a-1", actor: "freelancer:f-1")
            #expect(withdrawn.state == .withdrawn)
            #expect(try store.placement(of: "a-1") == nil)
            store.clock = { lastMinuteBefore.addingTimeInterval(10 * 86_400 + 60) }
            #expect(throws: StoreError.conflict("the stay of \"a-3\" has begun")) {
                try store.withdraw("a-3", actor: "freelancer:f-3")
            }
            // A pending application has no stay to begin.
            #expect(try store.withdraw("a-4", actor: "freelancer:f-4").state == .withdrawn)
        }
    }
}
