import Testing
@testable import SasuraiCore
@testable import SasuraiEngine

@Suite struct ReplannerTests {
    /// One bed in one town; two applicants want the same nights.
    static func contested() -> Scenario {
        let day = Day(iso: "2026-10-01")!
        return Scenario(
            towns: [Town(id: "nanto", name: "南砺市", prefecture: "富山県", nightlyCap: 1)],
            accommodations: [Accommodation(id: "h", town: "nanto", name: "宿", kind: .guesthouse, beds: 1, pricePerNight: 0)],
            freelancers: [Freelancer(id: "f1", name: "一"), Freelancer(id: "f2", name: "二"), Freelancer(id: "f3", name: "三")],
            applications: [
                Application(id: "a1", freelancer: "f1", earliest: day, latest: day.adding(7), nights: 7, budgetPerNight: 0),
                Application(id: "a2", freelancer: "f2", earliest: day, latest: day.adding(7), nights: 7, budgetPerNight: 0),
                Application(id: "a3", freelancer: "f3", earliest: day, latest: day.adding(9), nights: 7, budgetPerNight: 0),
            ])
    }

    @Test func aCancellationGivesTheBedToAWaitingApplicant() {
        let scenario = Self.contested()
        let plan = Engine.solve(scenario, options: SolveOptions(moveLimit: 100)).plan
        #expect(plan.assignments.count == 1)
        let first = plan.assignments[0].application
        let replanner = Replanner(scenario: scenario, plan: plan, locked: [])
        let result = replanner.cancel(first)
        #expect(result.removed == [first])
        #expect(result.placed.count == 1)
        #expect(result.placed.first?.application != first)
        #expect(result.moved == 0)
        #expect(PlanValidator(scenario: scenario).validate(replanner.plan).violations.isEmpty)
        #expect(!replanner.plan.assignments.contains { $0.application == first })
    }

    @Test(arguments: 1...12)
    func repairsKeepPlansValidAndLockedPlacementsStill(seed: UInt64) {
        let scenario = ScenarioGenerator.generate(GeneratorOptions(towns: 5, applications: 250, nights: 60, seed: seed, tightness: 2))
        let plan = Engine.solve(scenario, options: SolveOptions(seed: seed, moveLimit: 1_000)).plan
        var random = SeededRandom(seed: seed, stream: 11)
        let locked = Set(plan.assignments.filter { _ in random.chance(0.5) }.map(\.application))
        let replanner = Replanner(scenario: scenario, plan: plan, locked: locked, seed: seed)
        for round in 0..<6 {
            let before = replanner.plan
            guard !before.assignments.isEmpty else { break }
            // Hosts cancel bookings through the scenario itself; here only plan placements change.
            let booked = Set(scenario.bookings.map(\.application))
            let bookedTeams = Set(scenario.applications.filter { booked.contains($0.id) }.compactMap(\.team))
            let candidates = before.assignments.filter { assignment in
                let team = scenario.applications.first { $0.id == assignment.application }?.team
                return !booked.contains(assignment.application) && !(team.map(bookedTeams.contains) ?? false)
            }
            guard !candidates.isEmpty else { break }
            let target = candidates[random.below(candidates.count)].application
            let result = round % 2 == 0 ? replanner.cancel(target) : replanner.withdraw(target)
            let after = replanner.plan
            #expect(PlanValidator(scenario: scenario).validate(after).violations.map(\.description) == [])
            #expect(result.removed.contains(target))
            #expect(!after.assignments.contains { $0.application == target })
            for assignment in before.assignments where locked.contains(assignment.application) && !result.removed.contains(assignment.application) {
                let kept = after.assignments.contains(assignment)
                #expect(kept, "locked \(assignment.application) moved")
            }
            for booking in scenario.bookings {
                let kept = after.assignments.contains { $0.application == booking.application && $0.arrival == booking.arrival }
                #expect(kept, "booking of \(booking.application) moved")
            }
            let changed = after.assignments.filter { assignment in
                before.assignments.contains { $0.application == assignment.application && $0 != assignment }
            }
            #expect(changed.count == result.moved)
            #expect(result.scoreAfter == after.score)
        }
    }

    @Test func aNewApplicationTakesAFreeBedWithoutMovingLockedStays() {
        var scenario = Self.contested()
        scenario.accommodations[0].beds = 2
        scenario.towns[0].nightlyCap = 2
        let plan = Engine.solve(scenario, options: SolveOptions(moveLimit: 100)).plan
        // The plan in force knows only a1; a2 arrives later.
        var known = plan
        known.assignments = plan.assignments.filter { $0.application == "a1" }
        #expect(known.assignments.count == 1)
        let replanner = Replanner(scenario: scenario, plan: known, locked: ["a1"])
        let result = replanner.add("a2")
        #expect(result.placed.map(\.application) == ["a2"])
        #expect(result.moved == 0)
        #expect(replanner.plan.assignments.contains(known.assignments[0]))
        #expect(replanner.add("a2").placed.isEmpty)
    }

    @Test(arguments: 1...6)
    func newApplicationsKeepPlansValid(seed: UInt64) {
        let scenario = ScenarioGenerator.generate(GeneratorOptions(towns: 4, applications: 150, nights: 60, seed: seed, tightness: 1.5))
        let full = Engine.solve(scenario, options: SolveOptions(seed: seed, moveLimit: 500)).plan
        let withheld = full.assignments.filter { assignment in
            scenario.applications.first { $0.id == assignment.application }?.team == nil
                && !scenario.bookings.contains { $0.application == assignment.application }
        }.prefix(5).map(\.application)
        var known = full
        known.assignments.removeAll { withheld.contains($0.application) }
        let locked = Set(known.assignments.map(\.application))
        let replanner = Replanner(scenario: scenario, plan: known, locked: locked, seed: seed)
        // Applications added earlier in the loop are not locked, and a later addition may
        // move them to make room; the locked placements never move.
        for application in withheld {
            _ = replanner.add(application)
            let lockedNow = replanner.plan.assignments.filter { locked.contains($0.application) }
            #expect(Set(lockedNow) == Set(known.assignments), "locked placements moved")
        }
        let after = replanner.plan
        var expected = known
        expected.assignments = after.assignments.filter { locked.contains($0.application) }
        #expect(Set(expected.assignments) == Set(known.assignments))
        let violations = PlanValidator(scenario: scenario).validate(after).violations.map(\.description)
        #expect(violations.isEmpty, "\(violations)")
    }

    @Test func withdrawingATeamMemberTakesOutTheTeam() {
        var scenario = Self.contested()
        scenario.accommodations[0].beds = 3
        scenario.towns[0].nightlyCap = 3
        scenario.applications[0].team = "t"
        scenario.applications[1].team = "t"
        let plan = Engine.solve(scenario, options: SolveOptions(moveLimit: 100)).plan
        #expect(plan.assignments.count == 3)
        let replanner = Replanner(scenario: scenario, plan: plan, locked: [])
        let result = replanner.withdraw("a1")
        #expect(result.removed == ["a1", "a2"])
        #expect(replanner.plan.assignments.map(\.application) == ["a3"])
        #expect(PlanValidator(scenario: scenario).validate(replanner.plan).violations.isEmpty)
    }
}
