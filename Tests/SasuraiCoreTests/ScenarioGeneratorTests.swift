import Testing
@testable import SasuraiCore

/// Sizes small enough for debug builds, from a single town over one week to two years.
private let generatorSizes: [GeneratorOptions] = [
    GeneratorOptions(towns: 1, applications: 30, nights: 7, seed: 1),
    GeneratorOptions(towns: 3, applications: 300, nights: 30, seed: 2, teamFraction: 0.3, tightness: 3),
    GeneratorOptions(towns: 40, applications: 2_000, nights: 365, seed: 3),
    GeneratorOptions(towns: 150, applications: 5_000, nights: 731, seed: 4, teamFraction: 0.2, tightness: 0.5),
    GeneratorOptions(towns: 400, applications: 3_000, nights: 120, seed: 5, teamFraction: 0, tightness: 10,
                     start: Day(year: 2027, month: 11, day: 20)!),
    GeneratorOptions(towns: 20, applications: 4_000, nights: 200, seed: 6, teamFraction: 1, tightness: 0.1),
]

private let generatorSeeds: [UInt64] = [0, 1, 42, 2026, .max]

private func withSeed(_ options: GeneratorOptions, _ seed: UInt64) -> GeneratorOptions {
    var copy = options
    copy.seed = seed
    return copy
}

private func nightOffsets(_ range: DayRange, from start: Day) -> Range<Int> {
    range.from.days(since: start)..<range.to.days(since: start)
}

@Suite struct ScenarioGeneratorTests {
    @Test(arguments: generatorSizes)
    func sameOptionsGiveEqualScenarios(options: GeneratorOptions) {
        #expect(ScenarioGenerator.generate(options) == ScenarioGenerator.generate(options))
    }

    @Test(arguments: generatorSizes)
    func differentSeedsDiffer(options: GeneratorOptions) {
        let first = ScenarioGenerator.generate(withSeed(options, 11))
        let second = ScenarioGenerator.generate(withSeed(options, 12))
        #expect(first != second)
        #expect(first.applications != second.applications)
    }

    /// Pins the stream to values from an independent xoshiro256** / SplitMix64 implementation,
    /// so that a change on some platform or Swift version is caught.
    @Test func seededStreamMatchesReference() {
        var random = SeededRandom(seed: 42, stream: 0)
        #expect((0..<3).map { _ in random.next() } == [0x1578_0B2E_0C2E_C716, 0x6104_D986_6D11_3A7E, 0xAE17_5332_39E4_99A1])
        var other = SeededRandom(seed: 0, stream: 5)
        #expect((0..<2).map { _ in other.next() } == [0xA3A2_6DE8_0943_9E73, 0x2432_0AAB_38EE_1135])
        var bounded = SeededRandom(seed: 7, stream: 3)
        var seen = Set<Int>()
        for _ in 0..<10_000 {
            let value = bounded.below(7)
            #expect((0..<7).contains(value))
            seen.insert(value)
        }
        #expect(seen.count == 7)
    }

    @Test(arguments: generatorSizes)
    func countsMatchOptions(options: GeneratorOptions) {
        let scenario = ScenarioGenerator.generate(options)
        #expect(scenario.towns.count == options.towns)
        #expect(scenario.applications.count == options.applications)
        #expect(scenario.freelancers.count <= options.applications)
        #expect(scenario.accommodations.count >= options.towns)
        var perFreelancer: [FreelancerID: Int] = [:]
        for application in scenario.applications { perFreelancer[application.freelancer, default: 0] += 1 }
        #expect(perFreelancer.count == scenario.freelancers.count)
        #expect(perFreelancer.values.allSatisfy { (1...2).contains($0) })
        #expect(scenario == scenario.sortedCanonically())
    }

    @Test(arguments: generatorSizes)
    func referencesResolveAndIdsAreUniqueAndValid(options: GeneratorOptions) {
        let scenario = ScenarioGenerator.generate(options)
        let townIDs = scenario.towns.map(\.id)
        let accommodationIDs = scenario.accommodations.map(\.id)
        let slotIDs = scenario.slots.map(\.id)
        let freelancerIDs = scenario.freelancers.map(\.id)
        let applicationIDs = scenario.applications.map(\.id)
        #expect(Set(townIDs).count == townIDs.count)
        #expect(Set(accommodationIDs).count == accommodationIDs.count)
        #expect(Set(slotIDs).count == slotIDs.count)
        #expect(Set(freelancerIDs).count == freelancerIDs.count)
        #expect(Set(applicationIDs).count == applicationIDs.count)
        let allIDs = townIDs.map(\.rawValue) + accommodationIDs.map(\.rawValue) + slotIDs.map(\.rawValue)
            + freelancerIDs.map(\.rawValue) + applicationIDs.map(\.rawValue)
            + scenario.applications.compactMap { $0.team?.rawValue }
        for id in allIDs where !IdentifierRules.isValidIdentifier(id) {
            Issue.record("invalid id \(id)")
        }

        let towns = Set(townIDs)
        let accommodations = Dictionary(uniqueKeysWithValues: scenario.accommodations.map { ($0.id, $0) })
        let slots = Dictionary(uniqueKeysWithValues: scenario.slots.map { ($0.id, $0) })
        let freelancers = Set(freelancerIDs)
        let applications = Set(applicationIDs)
        #expect(scenario.accommodations.allSatisfy { towns.contains($0.town) })
        #expect(scenario.slots.allSatisfy { towns.contains($0.town) })
        for application in scenario.applications {
            #expect(freelancers.contains(application.freelancer))
            #expect(application.towns.allSatisfy { towns.contains($0) })
            #expect(Set(application.towns).count == application.towns.count)
        }
        for booking in scenario.bookings {
            #expect(applications.contains(booking.application))
            #expect(towns.contains(booking.town))
            #expect(accommodations[booking.accommodation] != nil)
            if let slot = booking.slot { #expect(slots[slot] != nil) }
        }
        let bookedApplications = scenario.bookings.map(\.application)
        #expect(Set(bookedApplications).count == bookedApplications.count)
    }

    @Test(arguments: generatorSizes)
    func namesAndNumbersStayWithinLimits(options: GeneratorOptions) {
        let scenario = ScenarioGenerator.generate(options)
        let names = scenario.towns.flatMap { [$0.name, $0.prefecture] } + scenario.accommodations.map(\.name)
            + scenario.slots.map(\.title) + scenario.freelancers.map(\.name)
        for name in names where name.isEmpty || name.count > IdentifierRules.maximumNameLength {
            Issue.record("bad name \(name)")
        }
        for town in scenario.towns {
            #expect(ModelLimits.nightlyCap.contains(town.nightlyCap))
            #expect(ModelLimits.nights.contains(town.minNights))
            #expect(ModelLimits.nights.contains(town.maxNights))
            #expect(town.minNights <= town.maxNights)
            #expect((0...3_000).contains(town.subsidyPerNight))
        }
        var bedsByTown: [TownID: Int] = [:]
        for accommodation in scenario.accommodations {
            #expect(ModelLimits.beds.contains(accommodation.beds) && accommodation.beds >= 1)
            #expect((1_000...9_000).contains(accommodation.pricePerNight))
            if let open = accommodation.open {
                #expect(!open.isEmpty && open.count <= ModelLimits.maximumOpenRanges)
                #expect(open.allSatisfy { !$0.isEmpty })
                #expect(zip(open, open.dropFirst()).allSatisfy { $0.to < $1.from })
            }
            bedsByTown[accommodation.town, default: 0] += accommodation.beds
        }
        for town in scenario.towns {
            #expect(town.nightlyCap >= 1 && town.nightlyCap <= bedsByTown[town.id]!)
        }
        for slot in scenario.slots {
            #expect(ModelLimits.seats.contains(slot.seats) && slot.seats >= 1)
            #expect(slot.from < slot.to)
            #expect(slot.minDays >= 1 && slot.minDays <= slot.window.count)
            #expect(slot.skills == slot.skills.sorted() && Set(slot.skills).count == slot.skills.count)
            #expect(slot.skills.allSatisfy(IdentifierRules.isValidSkill))
            #expect(Set(GeneratorVocabulary.skills).isSuperset(of: slot.skills))
        }
        for freelancer in scenario.freelancers {
            #expect(!freelancer.skills.isEmpty && freelancer.skills.count <= ModelLimits.maximumSkills)
            #expect(freelancer.skills == freelancer.skills.sorted() && Set(freelancer.skills).count == freelancer.skills.count)
            #expect(freelancer.skills.allSatisfy(IdentifierRules.isValidSkill))
            #expect(Set(GeneratorVocabulary.skills).isSuperset(of: freelancer.skills))
        }
        for application in scenario.applications {
            #expect(ModelLimits.nights.contains(application.nights))
            #expect(application.towns.count <= ModelLimits.maximumTownPreferences)
            #expect(Set(application.kinds).count == application.kinds.count)
            #expect(ModelLimits.money.contains(application.budgetPerNight))
        }
    }

    @Test(arguments: generatorSizes)
    func horizonAndWindowsFit(options: GeneratorOptions) {
        let scenario = ScenarioGenerator.generate(options)
        let end = options.start.adding(options.nights)
        if let horizon = scenario.horizon {
            #expect(horizon.count <= options.nights)
            #expect(horizon.count <= ModelLimits.maximumHorizonNights)
            #expect(horizon.from >= options.start && horizon.to <= end)
        }
        for application in scenario.applications {
            #expect(application.earliest < application.latest)
            #expect(application.earliest.adding(application.nights) <= application.latest)
            #expect(application.earliest >= options.start && application.latest <= end)
        }
        for slot in scenario.slots {
            #expect(slot.from >= options.start && slot.to <= end)
        }
    }

    @Test(arguments: generatorSizes)
    func teamsAreWellFormed(options: GeneratorOptions) {
        let scenario = ScenarioGenerator.generate(options)
        var members: [TeamID: [Application]] = [:]
        for application in scenario.applications {
            if let team = application.team { members[team, default: []].append(application) }
        }
        var inTeams = 0
        for (team, applications) in members {
            #expect((2...3).contains(applications.count), "team \(team) has \(applications.count) members")
            #expect(Set(applications.map(\.nights)).count == 1, "team \(team) asks for different nights")
            #expect(Set(applications.map(\.freelancer)).count == applications.count)
            inTeams += applications.count
        }
        let expected = Double(options.applications) * options.teamFraction
        #expect(abs(Double(inTeams) - expected) <= 2)
    }

    @Test(arguments: [0.0, 0.05, 0.1, 0.35, 0.5])
    func teamFractionIsHonoured(fraction: Double) {
        let options = GeneratorOptions(towns: 30, applications: 3_001, nights: 90, seed: 9, teamFraction: fraction)
        let scenario = ScenarioGenerator.generate(options)
        let share = Double(scenario.applications.filter { $0.team != nil }.count) / 3_001
        #expect(abs(share - fraction) < 0.002)
    }

    /// Rules 1, 3, 4 and 7 for every booking, and rules 9 to 12 for all of them together,
    /// checked night by night with plain loops.
    @Test(arguments: generatorSizes, generatorSeeds)
    func bookingsAreValidAndFit(options: GeneratorOptions, seed: UInt64) {
        let scenario = ScenarioGenerator.generate(withSeed(options, seed))
        let start = options.start
        let towns = Dictionary(uniqueKeysWithValues: scenario.towns.map { ($0.id, $0) })
        let accommodations = Dictionary(uniqueKeysWithValues: scenario.accommodations.map { ($0.id, $0) })
        let slots = Dictionary(uniqueKeysWithValues: scenario.slots.map { ($0.id, $0) })
        let freelancers = Dictionary(uniqueKeysWithValues: scenario.freelancers.map { ($0.id, $0) })
        let applications = Dictionary(uniqueKeysWithValues: scenario.applications.map { ($0.id, $0) })

        var bedUse: [AccommodationID: [Int: Int]] = [:]
        var townUse: [TownID: [Int: Int]] = [:]
        var seatUse: [SlotID: [Int: Int]] = [:]
        var freelancerNights: [FreelancerID: Set<Int>] = [:]
        var bookingsByApplication: [ApplicationID: Booking] = [:]
        for booking in scenario.bookings {
            let application = applications[booking.application]!
            let town = towns[booking.town]!
            let accommodation = accommodations[booking.accommodation]!
            let freelancer = freelancers[application.freelancer]!
            let stay = DayRange(arrival: booking.arrival, nights: application.nights)
            bookingsByApplication[booking.application] = booking
            #expect(accommodation.town == town.id, "rule 1")
            #expect(town.minNights <= application.nights && application.nights <= town.maxNights, "rule 3")
            #expect(accommodation.isOpen(for: stay), "rule 4")
            // Not binding for bookings, but the generator keeps them inside the window (and horizon).
            #expect(application.earliest <= booking.arrival && stay.to <= application.latest)
            let nights = nightOffsets(stay, from: start)
            if let slotID = booking.slot {
                let slot = slots[slotID]!
                #expect(slot.town == town.id, "rule 1")
                #expect(freelancer.hasSkills(slot.skills), "rule 7")
                let shared = stay.intersection(slot.window)
                #expect(shared.count >= slot.minDays, "rule 7")
                for day in nightOffsets(shared, from: start) { seatUse[slotID, default: [:]][day, default: 0] += 1 }
            }
            for night in nights {
                bedUse[accommodation.id, default: [:]][night, default: 0] += 1
                townUse[town.id, default: [:]][night, default: 0] += 1
                let fresh = freelancerNights[freelancer.id, default: []].insert(night).inserted
                #expect(fresh, "rule 11: \(freelancer.id) stays twice on one night")
            }
        }
        for (id, use) in bedUse {
            for (night, guests) in use where guests > accommodations[id]!.beds {
                Issue.record("rule 9: \(id) has \(guests) guests on night \(night)")
            }
        }
        for (id, use) in townUse {
            for (night, guests) in use where guests > towns[id]!.nightlyCap {
                Issue.record("rule 9: \(id) has \(guests) guests on night \(night)")
            }
        }
        for (id, use) in seatUse {
            for (day, workers) in use where workers > slots[id]!.seats {
                Issue.record("rule 10: \(id) has \(workers) workers on day \(day)")
            }
        }
        // Rule 12: a booked team is booked whole, in one town, with one arrival.
        var teamMembers: [TeamID: [Application]] = [:]
        for application in scenario.applications {
            if let team = application.team { teamMembers[team, default: []].append(application) }
        }
        for (team, members) in teamMembers {
            let booked = members.compactMap { bookingsByApplication[$0.id] }
            guard !booked.isEmpty else { continue }
            #expect(booked.count == members.count, "rule 12: team \(team) is booked in part")
            #expect(Set(booked.map(\.town)).count == 1 && Set(booked.map(\.arrival)).count == 1, "rule 12")
        }
    }

    @Test(arguments: generatorSizes)
    func validatorFindsNoViolationsInBookings(options: GeneratorOptions) {
        let scenario = ScenarioGenerator.generate(options)
        let violations = PlanValidator(scenario: scenario).validateBookings()
        #expect(violations.isEmpty, "\(violations.prefix(5))")
    }

    @Test(arguments: generatorSizes)
    func writtenScenarioReadsBackEqual(options: GeneratorOptions) throws {
        let scenario = ScenarioGenerator.generate(options)
        let read = try ScenarioReader.read(ScenarioWriter.write(scenario))
        #expect(read == scenario)
    }

    @Test func bookingsAreAFewPerCentOfApplications() {
        let scenario = ScenarioGenerator.generate(GeneratorOptions(towns: 200, applications: 20_000, nights: 365, seed: 8))
        let share = Double(scenario.bookings.count) / 20_000
        #expect(share > 0.005 && share < 0.025)
        #expect(scenario.bookings.contains { $0.slot != nil })
        let booked = Set(scenario.bookings.map(\.application))
        #expect(scenario.applications.contains { booked.contains($0.id) && $0.team != nil })
    }

    /// Distributions a demo or benchmark relies on: every lodging kind, Zipf-like popularity,
    /// the asked shares of labor and relocation, open seasons and binding caps.
    @Test func scenarioLooksRealistic() {
        let scenario = ScenarioGenerator.generate(GeneratorOptions(towns: 300, applications: 30_000, nights: 365, seed: 10))
        #expect(Set(scenario.accommodations.map(\.kind)) == Set(AccommodationKind.allCases))
        #expect(scenario.accommodations.contains { $0.open != nil })
        #expect(scenario.towns.contains { $0.subsidyPerNight == 0 } && scenario.towns.contains { $0.subsidyPerNight > 0 })

        var bedsByTown: [TownID: Int] = [:]
        for accommodation in scenario.accommodations { bedsByTown[accommodation.town, default: 0] += accommodation.beds }
        #expect(scenario.towns.contains { $0.nightlyCap < bedsByTown[$0.id]! })
        #expect(scenario.towns.contains { $0.nightlyCap == bedsByTown[$0.id]! })

        var firstChoices: [TownID: Int] = [:]
        for application in scenario.applications {
            if let first = application.towns.first { firstChoices[first, default: 0] += 1 }
        }
        let counts = firstChoices.values.sorted(by: >)
        #expect(counts[0] > 10 * counts[counts.count / 2])

        let total = Double(scenario.applications.count)
        let required = Double(scenario.applications.filter { $0.labor == .required }.count) / total
        let none = Double(scenario.applications.filter { $0.labor == .none }.count) / total
        // Those who require labor mostly come for a harvest or festival: their window meets a
        // slot of their first-choice town.
        #expect(required > 0.08 && required < 0.35 && none > 0.15 && none < 0.45)
        let slotsByTown = Dictionary(grouping: scenario.slots, by: \.town)
        let requiring = scenario.applications.filter { $0.labor == .required && !$0.towns.isEmpty }
        let aimed = requiring.filter { application in
            (slotsByTown[application.towns[0]] ?? []).contains {
                DayRange(from: application.earliest, to: application.latest).intersection($0.window).count >= $0.minDays
            }
        }
        #expect(Double(aimed.count) > 0.8 * Double(requiring.count))
        let people = Double(scenario.freelancers.count)
        let considering = Double(scenario.freelancers.filter { $0.relocation == .considering }.count) / people
        let planning = Double(scenario.freelancers.filter { $0.relocation == .planning }.count) / people
        #expect(abs(considering - 0.3) < 0.02 && abs(planning - 0.1) < 0.02)
        #expect(scenario.applications.contains { $0.towns.isEmpty })
        #expect(scenario.applications.contains { !$0.kinds.isEmpty })

        // Rice is harvested in autumn and snow cleared in winter, whatever the town.
        for slot in scenario.slots where slot.title == "稲刈り" {
            #expect([8, 9, 10, 11].contains(slot.from.components.month))
        }
        for slot in scenario.slots where slot.title == "雪かき" {
            #expect([11, 12, 1, 2, 3].contains(slot.from.components.month))
        }
    }

    @Test func tightnessScalesSupplyAgainstDemand() {
        func ratio(_ tightness: Double) -> Double {
            let options = GeneratorOptions(towns: 50, applications: 10_000, nights: 180, seed: 12, tightness: tightness)
            let scenario = ScenarioGenerator.generate(options)
            let horizon = DayRange(from: options.start, to: options.start.adding(options.nights))
            let demand = scenario.applications.reduce(0) { $0 + $1.nights }
            var bedNights = 0
            for accommodation in scenario.accommodations {
                let open = accommodation.open.map { $0.reduce(0) { $0 + $1.intersection(horizon).count } } ?? options.nights
                bedNights += accommodation.beds * open
            }
            return Double(demand) / Double(bedNights)
        }
        let loose = ratio(0.5)
        let balanced = ratio(1)
        let tight = ratio(3)
        #expect(loose < balanced && balanced < tight)
        // Beds alone; binding town caps make the real ratio a little higher.
        #expect(balanced > 0.7 && balanced < 1.2)
        #expect(tight > 2 && tight < 4)
    }

    @Test func manyTownsGetDistinctNames() {
        let scenario = ScenarioGenerator.generate(GeneratorOptions(towns: 10_000, applications: 0, nights: 7, seed: 13))
        #expect(scenario.towns.count == 10_000)
        #expect(Set(scenario.towns.map { $0.prefecture + $0.name }).count == 10_000)
        #expect(scenario.towns.last!.id == "t-10000")
        #expect(scenario.applications.isEmpty && scenario.bookings.isEmpty && scenario.freelancers.isEmpty)
    }
}

extension GeneratorOptions: CustomTestStringConvertible {
    public var testDescription: String {
        "\(towns) towns, \(applications) applications, \(nights) nights from \(start), seed \(seed), teams \(teamFraction), tightness \(tightness)"
    }
}
