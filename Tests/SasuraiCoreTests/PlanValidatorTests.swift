import Testing
@testable import SasuraiCore

/// A small scenario where every rule can be broken by changing one placement.
private enum Fixture {
    static func day(_ text: String) -> Day { Day(iso: text)! }

    static func range(_ from: String, _ to: String) -> DayRange { DayRange(from: day(from), to: day(to)) }

    static let scenario = Scenario(
        towns: [
            Town(id: "kaga", name: "加賀市", prefecture: "石川県", nightlyCap: 5),
            Town(id: "nanto", name: "南砺市", prefecture: "富山県", nightlyCap: 3, minNights: 3, maxNights: 30,
                 subsidyPerNight: 1000),
            Town(id: "wake", name: "和気町", prefecture: "岡山県", nightlyCap: 10),
        ],
        accommodations: [
            Accommodation(id: "kaga-vh1", town: "kaga", name: "空き家", kind: .vacantHouse, beds: 1,
                          pricePerNight: 9000),
            Accommodation(id: "nanto-gh1", town: "nanto", name: "五箇山ゲストハウス", kind: .guesthouse, beds: 2,
                          pricePerNight: 3500, open: [range("2026-07-01", "2026-11-01")]),
            Accommodation(id: "nanto-sh1", town: "nanto", name: "シェアハウス", kind: .sharedHouse, beds: 4,
                          pricePerNight: 2000),
            // Two touching seasons: a stay across the seam is open every night.
            Accommodation(id: "wake-hs1", town: "wake", name: "ホームステイ", kind: .homestay, beds: 2,
                          pricePerNight: 6000,
                          open: [range("2026-09-20", "2026-10-10"), range("2026-09-01", "2026-09-20")]),
        ],
        slots: [
            Slot(id: "nanto-festival", town: "nanto", title: "祭り", from: day("2026-09-01"), to: day("2026-09-30"),
                 seats: 1),
            Slot(id: "nanto-persimmon", town: "nanto", title: "干し柿づくり", skills: ["farming"],
                 from: day("2026-10-15"), to: day("2026-11-15"), seats: 1, minDays: 5),
            Slot(id: "wake-harvest", town: "wake", title: "収穫", skills: ["farming"], from: day("2026-09-01"),
                 to: day("2026-09-30"), seats: 1, minDays: 3),
        ],
        freelancers: [
            Freelancer(id: "f-0001", name: "青山", skills: ["farming", "web-design"], relocation: .considering),
            Freelancer(id: "f-0002", name: "石井", relocation: .planning),
            Freelancer(id: "f-0003", name: "上田"),
            Freelancer(id: "f-0004", name: "江藤", skills: ["driving"]),
            Freelancer(id: "f-0005", name: "大野"),
            Freelancer(id: "f-0006", name: "加藤"),
            Freelancer(id: "f-0007", name: "木村"),
            Freelancer(id: "f-0009", name: "小林"),
            Freelancer(id: "f-0010", name: "佐藤"),
            Freelancer(id: "f-0011", name: "清水"),
            Freelancer(id: "f-0012", name: "鈴木"),
        ],
        applications: [
            Application(id: "a-0001", freelancer: "f-0001", earliest: day("2026-10-01"), latest: day("2026-11-30"),
                        nights: 14, towns: ["nanto", "wake"], budgetPerNight: 4000),
            Application(id: "a-0002", freelancer: "f-0002", earliest: day("2026-09-01"), latest: day("2026-10-31"),
                        nights: 7, budgetPerNight: 3000, labor: .none),
            Application(id: "a-0003", freelancer: "f-0003", earliest: day("2026-09-01"), latest: day("2026-12-31"),
                        nights: 5, towns: ["wake"], kinds: [.homestay], budgetPerNight: 10000),
            Application(id: "a-0004", freelancer: "f-0004", earliest: day("2026-09-01"), latest: day("2026-12-31"),
                        nights: 2, budgetPerNight: 5000),
            Application(id: "a-0005", freelancer: "f-0005", earliest: day("2026-09-01"), latest: day("2026-09-30"),
                        nights: 3, towns: ["nanto"], budgetPerNight: 5000, labor: .required),
            Application(id: "a-0006", freelancer: "f-0006", earliest: day("2026-09-01"), latest: day("2026-10-31"),
                        nights: 4, budgetPerNight: 5000),
            Application(id: "a-0007", freelancer: "f-0007", earliest: day("2026-10-01"), latest: day("2026-10-31"),
                        nights: 4, budgetPerNight: 5000),
            Application(id: "a-0008", freelancer: "f-0001", earliest: day("2026-10-01"), latest: day("2026-11-30"),
                        nights: 5, budgetPerNight: 5000),
            Application(id: "a-0009", freelancer: "f-0009", earliest: day("2026-09-01"), latest: day("2026-10-31"),
                        nights: 5, budgetPerNight: 7000, team: "t-kaga"),
            Application(id: "a-0010", freelancer: "f-0010", earliest: day("2026-09-01"), latest: day("2026-10-31"),
                        nights: 5, budgetPerNight: 7000, team: "t-kaga"),
            // Booked by a host outside everything the visitor asked for: rules 2, 5, 6, 8 do not bind.
            Application(id: "a-0011", freelancer: "f-0011", earliest: day("2026-09-01"), latest: day("2026-09-30"),
                        nights: 3, towns: ["nanto"], kinds: [.guesthouse], budgetPerNight: 2000, labor: .required),
            Application(id: "a-0012", freelancer: "f-0012", earliest: day("2026-08-01"), latest: day("2026-08-31"),
                        nights: 3, budgetPerNight: 10000),
        ],
        bookings: [
            Booking(application: "a-0011", town: "kaga", accommodation: "kaga-vh1", arrival: day("2026-08-20")),
        ])

    static let a1 = Assignment(application: "a-0001", town: "nanto", accommodation: "nanto-gh1",
                               arrival: day("2026-10-10"), nights: 14, slot: "nanto-persimmon", laborDays: 9)
    static let a2 = Assignment(application: "a-0002", town: "nanto", accommodation: "nanto-sh1",
                               arrival: day("2026-09-05"), nights: 7)
    static let a11 = Assignment(application: "a-0011", town: "kaga", accommodation: "kaga-vh1",
                                arrival: day("2026-08-20"), nights: 3)

    /// 1000 + 300 + 9 * 10 + 100, 1000 + 300 + 200, 1000 + 0 (booked in an unlisted town).
    static let validScore = 1490 + 1500 + 1000

    static let allIDs: [ApplicationID] = scenario.applications.map(\.id)

    /// A plan of `assignments`, every other application unplaced, with the recomputed score
    /// so that only the broken rule shows.
    static func plan(_ assignments: [Assignment]) -> Plan {
        let placed = Set(assignments.map(\.application))
        let unplaced = allIDs.filter { !placed.contains($0) }.map { UnplacedApplication(application: $0, reason: "no room") }
        var plan = Plan(assignments: assignments, unplaced: unplaced).sortedCanonically()
        plan.score = PlanValidator(scenario: scenario).validate(plan).recomputedScore
        return plan
    }

    /// The descriptions of every violation of a plan with `assignments`.
    static func violations(_ assignments: [Assignment]) -> [String] {
        PlanValidator(scenario: scenario).validate(plan(assignments)).violations.map(\.description)
    }

    static func violations(_ plan: Plan, in scenario: Scenario = scenario) -> [String] {
        PlanValidator(scenario: scenario).validate(plan).violations.map(\.description)
    }

    static func assignment(_ application: ApplicationID, _ town: TownID, _ accommodation: AccommodationID,
                           _ arrival: String, nights: Int, slot: SlotID? = nil, laborDays: Int = 0) -> Assignment {
        Assignment(application: application, town: town, accommodation: accommodation, arrival: day(arrival),
                   nights: nights, slot: slot, laborDays: laborDays)
    }
}

@Suite struct PlanValidatorTests {
    // MARK: Valid plans

    @Test func validPlanPassesWithExactScore() {
        var plan = Fixture.plan([Fixture.a1, Fixture.a2, Fixture.a11])
        plan.score = Fixture.validScore
        let validation = PlanValidator(scenario: Fixture.scenario).validate(plan)
        #expect(validation.violations.map(\.description) == [])
        #expect(validation.isValid)
        #expect(validation.recomputedScore == 3990)
    }

    @Test func staySpanningTouchingOpenRangesIsOpen() {
        let stay = Fixture.assignment("a-0003", "wake", "wake-hs1", "2026-09-17", nights: 5)
        #expect(Fixture.violations([Fixture.a11, stay]) == [])
    }

    @Test func teamInOneTownWithOneArrivalIsValid() {
        let first = Fixture.assignment("a-0009", "nanto", "nanto-sh1", "2026-09-10", nights: 5)
        let second = Fixture.assignment("a-0010", "nanto", "nanto-gh1", "2026-09-10", nights: 5)
        #expect(Fixture.violations([Fixture.a11, first, second]) == [])
    }

    // MARK: Rules 1 to 8, one placement

    @Test func rule1AccommodationAndSlotInAnotherTown() {
        let moved = Fixture.assignment("a-0001", "wake", "nanto-sh1", "2026-10-10", nights: 14,
                                       slot: "nanto-persimmon", laborDays: 9)
        #expect(Fixture.violations([Fixture.a11, moved]) == [
            "rule 1: a-0001 is placed in town \"wake\" but accommodation \"nanto-sh1\" is in \"nanto\"",
            "rule 1: a-0001 is placed in town \"wake\" but slot \"nanto-persimmon\" is in \"nanto\"",
        ])
    }

    @Test func rule2ArrivalBeforeEarliestAndDepartureAfterLatest() {
        let early = Fixture.assignment("a-0002", "nanto", "nanto-sh1", "2026-08-30", nights: 7)
        #expect(Fixture.violations([Fixture.a11, early]) == [
            "rule 2: a-0002 arrives 2026-08-30, before its earliest 2026-09-01",
        ])
        let late = Fixture.assignment("a-0002", "nanto", "nanto-sh1", "2026-10-28", nights: 7)
        #expect(Fixture.violations([Fixture.a11, late]) == [
            "rule 2: a-0002 departs 2026-11-04, after its latest 2026-10-31",
        ])
    }

    @Test func rule3NightsOutsideTheTownsRange() {
        let short = Fixture.assignment("a-0004", "nanto", "nanto-sh1", "2026-09-10", nights: 2)
        #expect(Fixture.violations([Fixture.a11, short]) == [
            "rule 3: a-0004 asks for 2 nights; town \"nanto\" takes 3 to 30",
        ])
    }

    @Test func rule4ClosedNightsAsCompactRanges() {
        let closedThree = Fixture.assignment("a-0003", "wake", "wake-hs1", "2026-10-08", nights: 5)
        #expect(Fixture.violations([Fixture.a11, closedThree]) == [
            "rule 4: a-0003 stays in accommodation \"wake-hs1\" while it is closed on 2026-10-10 to 2026-10-12",
        ])
        let closedOne = Fixture.assignment("a-0003", "wake", "wake-hs1", "2026-10-06", nights: 5)
        #expect(Fixture.violations([Fixture.a11, closedOne]) == [
            "rule 4: a-0003 stays in accommodation \"wake-hs1\" while it is closed on 2026-10-10",
        ])
    }

    @Test func rule4ClosedNightsOnBothSidesOfASeason() {
        let scenario = Fixture.scenario
        let stay = Fixture.assignment("a-0003", "wake", "wake-hs1", "2026-08-30", nights: 5)
        var wide = scenario
        wide.applications[2].earliest = Fixture.day("2026-08-01")
        wide.accommodations[3].open = [Fixture.range("2026-08-31", "2026-09-02")]
        let violations = Fixture.violations(Fixture.plan([Fixture.a11, stay]), in: wide)
        #expect(violations.contains(
            "rule 4: a-0003 stays in accommodation \"wake-hs1\" while it is closed on 2026-08-30, 2026-09-02 to 2026-09-03"))
    }

    @Test func rule5PriceLessSubsidyOverBudget() {
        let expensive = Fixture.assignment("a-0004", "wake", "wake-hs1", "2026-09-10", nights: 2)
        #expect(Fixture.violations([Fixture.a11, expensive]) == [
            "rule 5: a-0004 pays 6000 yen a night at accommodation \"wake-hs1\" (price 6000 less subsidy 0), over its budget 5000",
        ])
    }

    @Test func rule6UnlistedTownAndKind() {
        let elsewhere = Fixture.assignment("a-0003", "nanto", "nanto-sh1", "2026-09-10", nights: 5)
        #expect(Fixture.violations([Fixture.a11, elsewhere]) == [
            "rule 6: a-0003 is placed in accommodation \"nanto-sh1\" of kind shared_house, not one of its kinds homestay",
            "rule 6: a-0003 is placed in town \"nanto\", not one of its towns wake",
        ])
    }

    @Test func rule7MissingSkills() {
        let unskilled = Fixture.assignment("a-0003", "wake", "wake-hs1", "2026-09-10", nights: 5,
                                           slot: "wake-harvest", laborDays: 5)
        #expect(Fixture.violations([Fixture.a11, unskilled]) == [
            "rule 7: freelancer \"f-0003\" of a-0003 lacks skills farming that slot \"wake-harvest\" needs",
        ])
    }

    @Test func rule7FewerSharedDaysThanMinDays() {
        let brief = Fixture.assignment("a-0001", "nanto", "nanto-gh1", "2026-10-04", nights: 14,
                                       slot: "nanto-persimmon", laborDays: 3)
        #expect(Fixture.violations([Fixture.a11, brief]) == [
            "rule 7: a-0001 shares 3 days with slot \"nanto-persimmon\", fewer than its min_days 5",
        ])
    }

    @Test func rule8LaborRequiredOrRefused() {
        let idle = Fixture.assignment("a-0005", "nanto", "nanto-sh1", "2026-09-10", nights: 3)
        #expect(Fixture.violations([Fixture.a11, idle]) == [
            "rule 8: a-0005 requires labor but has no slot",
        ])
        let working = Fixture.assignment("a-0002", "nanto", "nanto-sh1", "2026-09-05", nights: 7,
                                         slot: "nanto-festival", laborDays: 7)
        #expect(Fixture.violations([Fixture.a11, working]) == [
            "rule 8: a-0002 wants no labor but is given slot \"nanto-festival\"",
        ])
    }

    // MARK: Rules 9 to 12, the plan as a whole

    @Test func rule9AccommodationOverItsBeds() {
        let second = Fixture.assignment("a-0002", "nanto", "nanto-gh1", "2026-10-12", nights: 7)
        let third = Fixture.assignment("a-0006", "nanto", "nanto-gh1", "2026-10-14", nights: 4)
        let validation = PlanValidator(scenario: Fixture.scenario)
            .validate(Fixture.plan([Fixture.a1, Fixture.a11, second, third]))
        #expect(validation.violations.map(\.description) == [
            "rule 9: accommodation \"nanto-gh1\" has 3 guests for 2 beds on 2026-10-14 to 2026-10-17 (a-0001, a-0002, a-0006)",
        ])
        #expect(validation.violations.first?.rule == 9)
        #expect(validation.violations.first?.applications == ["a-0001", "a-0002", "a-0006"])
    }

    @Test func rule9TownOverItsNightlyCap() {
        let second = Fixture.assignment("a-0002", "nanto", "nanto-gh1", "2026-10-12", nights: 7)
        let third = Fixture.assignment("a-0006", "nanto", "nanto-sh1", "2026-10-14", nights: 4)
        let fourth = Fixture.assignment("a-0007", "nanto", "nanto-sh1", "2026-10-17", nights: 4)
        #expect(Fixture.violations([Fixture.a1, Fixture.a11, second, third, fourth]) == [
            "rule 9: town \"nanto\" has 4 guests for a nightly cap of 3 on 2026-10-17 (a-0001, a-0002, a-0006, a-0007)",
        ])
    }

    @Test func rule10SlotOverItsSeats() {
        let first = Fixture.assignment("a-0005", "nanto", "nanto-sh1", "2026-09-10", nights: 3,
                                       slot: "nanto-festival", laborDays: 3)
        let second = Fixture.assignment("a-0006", "nanto", "nanto-sh1", "2026-09-11", nights: 4,
                                        slot: "nanto-festival", laborDays: 4)
        #expect(Fixture.violations([Fixture.a11, first, second]) == [
            "rule 10: slot \"nanto-festival\" has 2 workers for 1 seat on 2026-09-11 to 2026-09-12 (a-0005, a-0006)",
        ])
    }

    @Test func rule11ApplicationPlacedTwice() {
        #expect(Fixture.violations([Fixture.a2, Fixture.a2, Fixture.a11]) == [
            "rule 11: a-0002 is placed 2 times",
            "rule 11: freelancer \"f-0002\" has 2 stays on 2026-09-05 to 2026-09-11 (a-0002)",
        ])
    }

    @Test func rule11OneFreelancersStaysOverlap() {
        let second = Fixture.assignment("a-0008", "nanto", "nanto-sh1", "2026-10-20", nights: 5)
        #expect(Fixture.violations([Fixture.a1, Fixture.a11, second]) == [
            "rule 11: freelancer \"f-0001\" has 2 stays on 2026-10-20 to 2026-10-23 (a-0001, a-0008)",
        ])
    }

    @Test func rule12TeamPlacedInPart() {
        let one = Fixture.assignment("a-0009", "nanto", "nanto-sh1", "2026-09-10", nights: 5)
        #expect(Fixture.violations([Fixture.a11, one]) == [
            "rule 12: team \"t-kaga\" is placed in part: placed a-0009; not placed a-0010",
        ])
    }

    @Test func rule12TeamSplitOverTownsOrArrivals() {
        let first = Fixture.assignment("a-0009", "nanto", "nanto-sh1", "2026-09-10", nights: 5)
        let inWake = Fixture.assignment("a-0010", "wake", "wake-hs1", "2026-09-10", nights: 5)
        #expect(Fixture.violations([Fixture.a11, first, inWake]) == [
            "rule 12: team \"t-kaga\" is split over towns \"nanto\" (a-0009), \"wake\" (a-0010)",
        ])
        let later = Fixture.assignment("a-0010", "nanto", "nanto-sh1", "2026-09-11", nights: 5)
        #expect(Fixture.violations([Fixture.a11, first, later]) == [
            "rule 12: team \"t-kaga\" arrives on different days: 2026-09-10 (a-0009), 2026-09-11 (a-0010)",
        ])
    }

    // MARK: Capacity runs

    /// Twelve guests in a ten-bed hall, then a gap, then eleven: two runs, each reported once
    /// with its worst night, listing ten applications and an ellipsis.
    @Test func overflowRunsAreMaximalWithWorstCountAndCappedList() {
        var scenario = Scenario(
            towns: [Town(id: "big", name: "大町", prefecture: "長野県", nightlyCap: 1000)],
            accommodations: [Accommodation(id: "big-hall", town: "big", name: "公民館", kind: .sharedHouse,
                                           beds: 10, pricePerNight: 0)])
        var assignments: [Assignment] = []
        for number in 1...23 {
            let id = ApplicationID("b-" + (number < 10 ? "0" : "") + String(number))
            scenario.freelancers.append(Freelancer(id: FreelancerID("g-\(number)"), name: "客"))
            // b-01...b-12 stay 2026-10-01..03 (b-12 one night longer); b-13...b-23 stay 2026-10-10.
            let arrival = number <= 12 ? "2026-10-01" : "2026-10-10"
            let nights = number <= 11 ? 3 : (number == 12 ? 4 : 1)
            scenario.applications.append(Application(
                id: id, freelancer: FreelancerID("g-\(number)"), earliest: Fixture.day("2026-09-01"),
                latest: Fixture.day("2026-12-01"), nights: nights, budgetPerNight: 0))
            assignments.append(Assignment(application: id, town: "big", accommodation: "big-hall",
                                          arrival: Fixture.day(arrival), nights: nights))
        }
        let score = 23 * 1300
        let validation = PlanValidator(scenario: scenario).validate(Plan(score: score, assignments: assignments))
        #expect(validation.violations.map(\.description) == [
            "rule 9: accommodation \"big-hall\" has 11 guests for 10 beds on 2026-10-10 (b-13, b-14, b-15, b-16, b-17, b-18, b-19, b-20, b-21, b-22, …)",
            "rule 9: accommodation \"big-hall\" has 12 guests for 10 beds on 2026-10-01 to 2026-10-03 (b-01, b-02, b-03, b-04, b-05, b-06, b-07, b-08, b-09, b-10, …)",
        ])
        #expect(validation.violations.last?.applications.count == 12)
        #expect(validation.recomputedScore == score)
    }

    // MARK: Plan format

    @Test func missingApplication() {
        var plan = Fixture.plan([Fixture.a1, Fixture.a2, Fixture.a11])
        plan.unplaced.removeAll { $0.application == "a-0003" }
        #expect(Fixture.violations(plan) == ["plan: a-0003 is missing from the plan"])
    }

    @Test func applicationListedTwice() {
        var plan = Fixture.plan([Fixture.a1, Fixture.a2, Fixture.a11])
        plan.unplaced.append(UnplacedApplication(application: "a-0003", reason: "again"))
        plan.unplaced.append(UnplacedApplication(application: "a-0002", reason: "placed, too"))
        #expect(Fixture.violations(plan) == [
            "plan: a-0002 is both placed and unplaced",
            "plan: a-0003 is listed 2 times in unplaced",
        ])
    }

    @Test func unknownIdsAreViolationsNotCrashes() {
        var plan = Fixture.plan([Fixture.a11])
        plan.unplaced.append(UnplacedApplication(application: "a-9999", reason: "who?"))
        plan.assignments.append(Fixture.assignment("a-0002", "atlantis", "nowhere", "2026-09-05", nights: 7,
                                                   slot: "ghost", laborDays: 7))
        plan.unplaced.removeAll { $0.application == "a-0002" }
        plan.assignments.append(Fixture.assignment("a-line\nbreak", "nanto", "nanto-sh1", "2026-09-05", nights: 7))
        plan.score = 1000 + 1500
        let violations = Fixture.violations(plan)
        #expect(violations == [
            "plan: a-0002 is placed in unknown accommodation \"nowhere\"",
            "plan: a-0002 is placed in unknown slot \"ghost\"",
            "plan: a-0002 is placed in unknown town \"atlantis\"",
            "plan: unknown application \"a-9999\" in unplaced",
            "plan: unknown application \"a-line\\u{a}break\" in assignments",
            "rule 8: a-0002 wants no labor but is given slot \"ghost\"",
        ])
    }

    @Test func wrongNights() {
        var short = Fixture.a2
        short.nights = 6
        #expect(Fixture.violations([Fixture.a1, short, Fixture.a11]) == [
            "plan: a-0002 has 6 nights in the plan; the application asks for 7",
        ])
    }

    @Test func wrongLaborDays() {
        var overstated = Fixture.a1
        overstated.laborDays = 14
        var withoutSlot = Fixture.a2
        withoutSlot.laborDays = 1
        #expect(Fixture.violations([overstated, withoutSlot, Fixture.a11]) == [
            "plan: a-0001 has 14 labor days in the plan; the stay shares 9 days with slot \"nanto-persimmon\"",
            "plan: a-0002 has 1 labor day in the plan but no slot",
        ])
    }

    @Test func wrongScore() {
        var plan = Fixture.plan([Fixture.a1, Fixture.a2, Fixture.a11])
        plan.score = 12345
        let validation = PlanValidator(scenario: Fixture.scenario).validate(plan)
        #expect(validation.violations.map(\.description) == ["plan: score 12345 does not match the recomputed 3990"])
        #expect(validation.violations.first?.rule == nil)
        #expect(validation.recomputedScore == 3990)
    }

    @Test func bookingNotKept() {
        var moved = Fixture.a11
        moved.arrival = Fixture.day("2026-08-21")
        moved.slot = "nanto-festival"
        moved.laborDays = 0
        let violations = Fixture.violations([Fixture.a1, Fixture.a2, moved])
        #expect(violations.contains(
            "plan: booking of a-0011 not kept: arrival 2026-08-21 instead of 2026-08-20, slot \"nanto-festival\" instead of none"))
        #expect(Fixture.violations([Fixture.a1, Fixture.a2]) == [
            "plan: booking of a-0011 not kept: the application is not placed",
        ])
    }

    // MARK: Bookings

    @Test func bookingExemptFromWindowBudgetTownKindAndLabor() {
        // a-0011 asks for a guesthouse in nanto in September with labor, budget 2000; the host
        // booked a 9000-yen vacant house in kaga in August without a slot.
        #expect(Fixture.violations([Fixture.a11]) == [])
        #expect(PlanValidator(scenario: Fixture.scenario).validateBookings() == [])
    }

    @Test func bookingsBreakingRule4() {
        var scenario = Fixture.scenario
        scenario.bookings.append(Booking(application: "a-0003", town: "wake", accommodation: "wake-hs1",
                                         arrival: Fixture.day("2026-10-08")))
        let violations = PlanValidator(scenario: scenario).validateBookings()
        #expect(violations.map(\.description) == [
            "rule 4: a-0003 stays in accommodation \"wake-hs1\" while it is closed on 2026-10-10 to 2026-10-12",
        ])
        #expect(violations.first?.applications == ["a-0003"])
    }

    @Test func twoBookingsOverCapacity() {
        var scenario = Fixture.scenario
        scenario.bookings.append(Booking(application: "a-0012", town: "kaga", accommodation: "kaga-vh1",
                                         arrival: Fixture.day("2026-08-21")))
        #expect(PlanValidator(scenario: scenario).validateBookings().map(\.description) == [
            "rule 9: accommodation \"kaga-vh1\" has 2 guests for 1 bed on 2026-08-21 to 2026-08-22 (a-0011, a-0012)",
        ])
    }

    @Test func bookingsNamingUnknownOrRepeatedApplications() {
        var scenario = Fixture.scenario
        scenario.bookings.append(Booking(application: "a-9999", town: "kaga", accommodation: "kaga-vh1",
                                         arrival: Fixture.day("2026-08-01")))
        scenario.bookings.append(Booking(application: "a-0012", town: "kaga", accommodation: "kaga-vh1",
                                         arrival: Fixture.day("2026-08-10")))
        scenario.bookings.append(Booking(application: "a-0012", town: "kaga", accommodation: "kaga-vh1",
                                         arrival: Fixture.day("2026-08-14")))
        #expect(PlanValidator(scenario: scenario).validateBookings().map(\.description) == [
            "plan: bookings[1]: unknown application \"a-9999\"",
            "rule 11: a-0012 is booked 2 times (bookings[2], bookings[3])",
        ])
    }

    @Test func bookingsCoveringPartOfATeam() {
        var scenario = Fixture.scenario
        scenario.bookings.append(Booking(application: "a-0009", town: "nanto", accommodation: "nanto-sh1",
                                         arrival: Fixture.day("2026-09-10")))
        #expect(PlanValidator(scenario: scenario).validateBookings().map(\.description) == [
            "rule 12: team \"t-kaga\" is booked in part: booked a-0009; not booked a-0010",
        ])
    }

    // MARK: Scale

    /// 100,000 stays of 14 nights over 1,000 towns; the check must stay linear-ish.
    @Test func largePlanValidates() {
        var scenario = Scenario()
        for number in 0..<1000 {
            let town = TownID("t-\(number)")
            scenario.towns.append(Town(id: town, name: "町", prefecture: "県", nightlyCap: 100))
            scenario.accommodations.append(Accommodation(
                id: AccommodationID("h-\(number)"), town: town, name: "宿", kind: .guesthouse, beds: 100,
                pricePerNight: 1000, open: [Fixture.range("2026-01-01", "2027-01-01")]))
            scenario.slots.append(Slot(id: SlotID("s-\(number)"), town: town, title: "仕事",
                                       from: Fixture.day("2026-03-01"), to: Fixture.day("2026-10-01"), seats: 100))
        }
        var assignments: [Assignment] = []
        let start = Fixture.day("2026-01-01")
        for number in 0..<100_000 {
            let id = ApplicationID("a-\(100_000 + number)")
            let freelancer = FreelancerID("f-\(100_000 + number)")
            let townNumber = number % 1000
            let arrival = start.adding((number / 1000) * 3)
            scenario.freelancers.append(Freelancer(id: freelancer, name: "人"))
            scenario.applications.append(Application(
                id: id, freelancer: freelancer, earliest: start, latest: Fixture.day("2027-01-01"), nights: 14,
                budgetPerNight: 1000))
            let stay = DayRange(arrival: arrival, nights: 14)
            let labor = stay.intersection(DayRange(from: Fixture.day("2026-03-01"), to: Fixture.day("2026-10-01")))
            assignments.append(Assignment(application: id, town: TownID("t-\(townNumber)"),
                                          accommodation: AccommodationID("h-\(townNumber)"), arrival: arrival,
                                          nights: 14, slot: labor.isEmpty ? nil : SlotID("s-\(townNumber)"),
                                          laborDays: labor.count))
        }
        let validator = PlanValidator(scenario: scenario)
        let recomputed = validator.validate(Plan(score: 0, assignments: assignments)).recomputedScore
        let clock = ContinuousClock()
        var validation: PlanValidation?
        let elapsed = clock.measure {
            validation = validator.validate(Plan(score: recomputed, assignments: assignments))
        }
        // Only the first few: a regression would otherwise print 100,000 messages.
        #expect(validation?.violations.prefix(3).map(\.description) == [])
        #expect(recomputed > 100_000 * 1300)
        #expect(elapsed < .seconds(20), "validating 100,000 assignments took \(elapsed)")
    }
}
