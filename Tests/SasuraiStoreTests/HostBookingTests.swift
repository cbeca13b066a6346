import Foundation
import SasuraiCore
import Testing

@testable import SasuraiStore

@Suite("Checked host bookings and cancellations")
struct HostBookingTests {
    @Test func aValidBookingConfirmsWithLaborDays() throws {
        try withRuleStore { store in
            let version = try store.stateVersion()
            let placement = try store.hostBooks("a-1", at: "nanto-gh", arriving: "2026-09-08", slot: "nanto-harvest")
            #expect(placement.source == .host)
            #expect(placement.assignment.nights == 7)
            #expect(placement.assignment.laborDays == 5)
            #expect(try store.placement(of: "a-1") == placement)
            #expect(try store.applicationStatus("a-1").state == .confirmed)
            #expect(try store.stateVersion() == version + 1)
            let entry = try #require(try store.auditEntries().last)
            #expect(entry.action == "application.booked")
            #expect(entry.actor == "host:nanto")
            #expect(entry.detail == #"{"town": "nanto", "accommodation": "nanto-gh", "arrival": "2026-09-08", "#
                + #""nights": 7, "slot": "nanto-harvest"}"#)
        }
    }

    @Test func unknownNamesAreNotFound() throws {
        try withRuleStore { store in
            #expect(throws: StoreError.notFound(entity: "application", id: "a-404")) {
                try store.hostBooks("a-404", at: "nanto-gh", arriving: "2026-09-01")
            }
            #expect(throws: StoreError.notFound(entity: "accommodation", id: "nowhere")) {
                try store.hostBooks("a-1", at: "nowhere", arriving: "2026-09-01")
            }
            #expect(throws: StoreError.notFound(entity: "slot", id: "nothing")) {
                try store.hostBooks("a-1", at: "nanto-gh", arriving: "2026-09-01", slot: "nothing")
            }
        }
    }

    @Test func onlyPendingApplicationsBook() throws {
        try withRuleStore { store in
            try store.hostBooks("a-1", at: "nanto-gh", arriving: "2026-09-01")
            #expect(throws: StoreError.conflict("application \"a-1\" is confirmed, not pending")) {
                try store.hostBooks("a-1", at: "nanto-house", arriving: "2026-09-20")
            }
        }
    }

    @Test func rule1AccommodationAndSlotLieInTheTown() throws {
        try withRuleStore { store in
            #expect(throws: StoreError.conflict("accommodation \"wake-share\" is not in town \"nanto\"")) {
                try store.hostBooks("a-1", at: "wake-share", arriving: "2026-09-01")
            }
            #expect(throws: StoreError.conflict("slot \"wake-festival\" is not in town \"nanto\"")) {
                try store.hostBooks("a-1", at: "nanto-gh", arriving: "2026-09-01", slot: "wake-festival")
            }
        }
    }

    @Test func rule3TheTownTakesTheNights() throws {
        try withRuleStore { store in
            #expect(throws: StoreError.conflict("\"a-5\" asks for 30 nights; town \"nanto\" takes 3 to 21")) {
                try store.hostBooks("a-5", at: "nanto-house", arriving: "2026-09-01")
            }
            try store.hostBooks("a-5", in: "wake", at: "wake-share", arriving: "2026-09-01")
        }
    }

    @Test func rule4EveryNightIsOpen() throws {
        try withRuleStore { store in
            #expect(throws: StoreError.conflict("\"nanto-gh\" is closed on 2026-10-01")) {
                try store.hostBooks("a-1", at: "nanto-gh", arriving: "2026-09-28")
            }
            #expect(throws: StoreError.conflict("\"nanto-gh\" is closed on 2026-08-30")) {
                try store.hostBooks("a-1", at: "nanto-gh", arriving: "2026-08-30")
            }
            // Back-to-back ranges are one season: a stay across their seam is open every night.
            try store.hostBooks("a-1", at: "nanto-gh", arriving: "2026-09-12")
        }
    }

    @Test func rule7SkillsAndMinDays() throws {
        try withRuleStore { store in
            #expect(throws: StoreError.conflict("slot \"nanto-harvest\" needs skill \"farming\", which \"f-2\" lacks")) {
                try store.hostBooks("a-2", at: "nanto-gh", arriving: "2026-09-10", slot: "nanto-harvest")
            }
            // Arriving 2026-09-05 for 7 nights shares 2026-09-10 and 2026-09-11 with the slot.
            let refusal = "the stay shares 2 days with slot \"nanto-harvest\", fewer than its min_days 3"
            #expect(throws: StoreError.conflict(refusal)) {
                try store.hostBooks("a-1", at: "nanto-gh", arriving: "2026-09-05", slot: "nanto-harvest")
            }
            let placement = try store.hostBooks("a-1", at: "nanto-gh", arriving: "2026-09-06", slot: "nanto-harvest")
            #expect(placement.assignment.laborDays == 3)
        }
    }

    /// A capacity filled to its limit: the `held` bookings fit, `refused` is one too many and
    /// changes nothing, `accepted` fits once it leaves the full nights alone.
    struct FullCase: Sendable, CustomTestStringConvertible {
        var rule: String
        var held: [Booking]
        var refused: Booking
        var refusal: String
        var accepted: Booking

        var testDescription: String { rule }
    }

    static let fullCases: [FullCase] = {
        func booking(_ application: ApplicationID, _ accommodation: AccommodationID, _ arrival: String,
                     slot: SlotID? = nil) -> Booking {
            let town: TownID = accommodation.rawValue.hasPrefix("wake") ? "wake" : "nanto"
            return Booking(application: application, town: town, accommodation: accommodation, arrival: day(arrival),
                           slot: slot)
        }
        return [
            // a-1 leaves nanto-gh on 2026-09-08, so its bed is free from that night.
            FullCase(rule: "rule 9, beds",
                     held: [booking("a-1", "nanto-gh", "2026-09-01"), booking("a-2", "nanto-gh", "2026-09-05")],
                     refused: booking("a-3", "nanto-gh", "2026-09-07"),
                     refusal: "no bed in \"nanto-gh\" on 2026-09-07 (2 of 2 taken)",
                     accepted: booking("a-3", "nanto-gh", "2026-09-08")),
            FullCase(rule: "rule 9, the town's cap over every house",
                     held: [booking("a-1", "nanto-gh", "2026-09-01"), booking("a-2", "nanto-gh", "2026-09-01"),
                            booking("a-3", "nanto-house", "2026-09-03")],
                     refused: booking("a-4", "nanto-house", "2026-09-05"),
                     refusal: "town \"nanto\" is full on 2026-09-05 (3 of 3 visitors)",
                     accepted: booking("a-4", "nanto-house", "2026-09-10")),
            // a-1 works 2026-09-10 to 2026-09-16; arriving 2026-09-17, a-3 works the window's last three days.
            FullCase(rule: "rule 10, seats on the shared days only",
                     held: [booking("a-1", "nanto-gh", "2026-09-10", slot: "nanto-harvest")],
                     refused: booking("a-3", "nanto-house", "2026-09-15", slot: "nanto-harvest"),
                     refusal: "no seat in slot \"nanto-harvest\" on 2026-09-15 (1 of 1 taken)",
                     accepted: booking("a-3", "nanto-house", "2026-09-17", slot: "nanto-harvest")),
            FullCase(rule: "rule 11, one stay a night per freelancer",
                     held: [booking("a-1", "nanto-gh", "2026-09-01")],
                     refused: booking("a-6", "wake-share", "2026-09-05"),
                     refusal: "\"f-1\" already stays in \"nanto\" on 2026-09-05",
                     accepted: booking("a-6", "wake-share", "2026-09-08")),
        ]
    }()

    @Test(arguments: fullCases)
    func capacitiesFillToTheLimit(_ full: FullCase) throws {
        try withRuleStore { store in
            for booking in full.held {
                try store.bookChecked(booking, actor: "host:\(booking.town)")
            }
            let before = try storeSnapshot(store.database)
            #expect(throws: StoreError.conflict(full.refusal)) {
                try store.bookChecked(full.refused, actor: "host:\(full.refused.town)")
            }
            #expect(try storeSnapshot(store.database) == before)
            try store.bookChecked(full.accepted, actor: "host:\(full.accepted.town)")
        }
    }

    @Test func rule12TeamsBookWholeAndTogether() throws {
        try withRuleStore { store in
            #expect(throws: StoreError.conflict("team \"t1\" must be booked whole")) {
                try store.hostBooks("a-7", at: "nanto-house", arriving: "2026-09-01")
            }
            // A team of one books like any application.
            try store.hostBooks("a-10", at: "nanto-house", arriving: "2026-09-01")
            // A member that withdrew has left the team.
            try store.moveApplication("a-8", to: .withdrawn, actor: "freelancer:f-6")
            try store.hostBooks("a-7", in: "wake", at: "wake-share", arriving: "2026-09-01")
        }
    }

    @Test func rule12AReturningMemberJoinsTheTeamWhereItStays() throws {
        try withRuleStore(ruleScenarioWithTeamInWake()) { store in
            try store.cancelPlacement("a-7", reason: "room flooded", actor: "host:wake")
            #expect(throws: StoreError.conflict("team \"t1\" arrives in \"wake\" on 2026-09-01; \"a-7\" must arrive with it")) {
                try store.hostBooks("a-7", in: "wake", at: "wake-share", arriving: "2026-09-02")
            }
            try store.hostBooks("a-7", in: "wake", at: "wake-share", arriving: "2026-09-01")
        }
    }

    @Test func uncheckedBookSharesTheStepsButNotTheRules() throws {
        try withRuleStore { store in
            // Rule 3 would refuse this; `book` leaves the rules to its caller.
            let placement = try store.book(Booking(application: "a-5", town: "nanto", accommodation: "nanto-house",
                                                   arrival: day("2026-09-01")), actor: "planner:alice")
            #expect(placement.assignment.nights == 30)
            #expect(throws: StoreError.conflict("application \"a-5\" is confirmed, not pending")) {
                try store.book(Booking(application: "a-5", town: "nanto", accommodation: "nanto-house",
                                       arrival: day("2026-09-01")), actor: "planner:alice")
            }
        }
    }

    @Test func cancellingPutsTheApplicationFirstInLine() throws {
        try withRuleStore { store in
            try store.hostBooks("a-3", at: "nanto-gh", arriving: "2026-09-10", slot: "nanto-harvest")
            let version = try store.stateVersion()
            store.clock = { fixedNow.addingTimeInterval(60) }
            let status = try store.cancelPlacement("a-3", reason: "harvest called off", actor: "host:nanto")
            #expect(status.state == .pending)
            #expect(status.requeuedAt == "2026-06-01T09:01:00.000Z")
            #expect(try store.placement(of: "a-3") == nil)
            #expect(try store.pendingQueue().first == "a-3")
            #expect(try store.stateVersion() > version)
            let entries = try store.auditEntries().suffix(2)
            #expect(entries.map(\.action) == ["application.cancelled", "application.pending"])
            #expect(entries.first?.detail == #"{"from": "confirmed", "to": "cancelled", "reason": "harvest called off"}"#)

            #expect(throws: StoreError.conflict("application \"a-3\" holds no placement")) {
                try store.cancelPlacement("a-3", reason: nil, actor: "host:nanto")
            }
            #expect(throws: StoreError.notFound(entity: "application", id: "a-404")) {
                try store.cancelPlacement("a-404", reason: nil, actor: "host:nanto")
            }
            // The freed seat and bed take the next booking.
            try store.hostBooks("a-1", at: "nanto-gh", arriving: "2026-09-10", slot: "nanto-harvest")
        }
    }

    @Test func aBusyTownIsCountedQuickly() throws {
        // 2,000 stays in one town: the checks fetch the overlapping ones through the indexes and
        // count them night by night in memory.
        var scenario = ruleScenario()
        scenario.towns[1].nightlyCap = 100_000
        scenario.accommodations[2].beds = 10_000
        for index in 0..<2000 {
            let freelancer = FreelancerID("crowd-\(index)")
            let application = ApplicationID("crowd-a-\(index)")
            scenario.freelancers.append(Freelancer(id: freelancer, name: "visitor"))
            scenario.applications.append(Application(
                id: application, freelancer: freelancer, earliest: day("2026-08-01"), latest: day("2026-11-01"),
                nights: 7, budgetPerNight: 10_000))
            scenario.bookings.append(Booking(application: application, town: "wake", accommodation: "wake-share",
                                             arrival: day("2026-08-01").adding(index % 80)))
        }
        try withRuleStore(scenario) { store in
            let clock = ContinuousClock()
            let elapsed = try clock.measure {
                try store.hostBooks("a-1", in: "wake", at: "wake-share", arriving: "2026-09-01")
            }
            #expect(elapsed < .seconds(1))
            #expect(try store.placement(of: "a-1") != nil)
        }
    }
}
