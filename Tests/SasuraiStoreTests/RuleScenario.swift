import Foundation
import SasuraiCore
import Testing

@testable import SasuraiStore

/// `YYYY-MM-DD` as a day; traps on a typo, which is what a test wants.
func day(_ text: String) -> Day {
    Day(iso: text)!
}

/// A small scenario whose capacities are tiny, so that each booking rule can be hit exactly.
///
/// nanto takes 3 visitors a night and stays of 3 to 21 nights; its guesthouse has 2 beds and two
/// back-to-back open ranges covering September; its harvest slot needs farming, has 1 seat and
/// min_days 3 from 2026-09-10 to 2026-09-20. Every application asks for 7 nights between
/// 2026-08-01 and 2026-11-01, except a-5 (30 nights). a-7 and a-8 form team t1, a-10 is alone
/// in team t2. f-1 has two applications (a-1 and a-6).
func ruleScenario() -> Scenario {
    func application(_ id: ApplicationID, _ freelancer: FreelancerID, nights: Int = 7,
                     team: TeamID? = nil) -> Application {
        Application(id: id, freelancer: freelancer, earliest: day("2026-08-01"), latest: day("2026-11-01"),
                    nights: nights, budgetPerNight: 10_000, team: team)
    }
    return Scenario(
        towns: [
            Town(id: "nanto", name: "南砺市", prefecture: "富山県", nightlyCap: 3, minNights: 3, maxNights: 21),
            Town(id: "wake", name: "和気町", prefecture: "岡山県", nightlyCap: 10),
        ],
        accommodations: [
            Accommodation(id: "nanto-gh", town: "nanto", name: "ゲストハウス", kind: .guesthouse, beds: 2,
                          pricePerNight: 3000, open: [DayRange(from: day("2026-09-01"), to: day("2026-09-15")),
                                                      DayRange(from: day("2026-09-15"), to: day("2026-10-01"))]),
            Accommodation(id: "nanto-house", town: "nanto", name: "古民家", kind: .vacantHouse, beds: 5,
                          pricePerNight: 1000),
            Accommodation(id: "wake-share", town: "wake", name: "シェアハウス", kind: .sharedHouse, beds: 4,
                          pricePerNight: 2000),
        ],
        slots: [
            Slot(id: "nanto-harvest", town: "nanto", title: "稲刈り", skills: ["farming"], from: day("2026-09-10"),
                 to: day("2026-09-20"), seats: 1, minDays: 3),
            Slot(id: "wake-festival", town: "wake", title: "秋祭り", from: day("2026-09-20"), to: day("2026-09-25"),
                 seats: 2),
        ],
        freelancers: [
            Freelancer(id: "f-1", name: "青山", skills: ["driving", "farming"]),
            Freelancer(id: "f-2", name: "Bob"),
            Freelancer(id: "f-3", name: "佐藤", skills: ["farming"]),
            Freelancer(id: "f-4", name: "田中"),
            Freelancer(id: "f-5", name: "伊藤"),
            Freelancer(id: "f-6", name: "渡辺"),
            Freelancer(id: "f-7", name: "山本"),
        ],
        applications: [
            application("a-1", "f-1"), application("a-10", "f-7", team: "t2"), application("a-2", "f-2"),
            application("a-3", "f-3"), application("a-4", "f-4"), application("a-5", "f-5", nights: 30),
            application("a-6", "f-1"), application("a-7", "f-5", team: "t1"), application("a-8", "f-6", team: "t1"),
        ])
}

/// `ruleScenario()` with team t1 (a-7 and a-8) booked in wake's shared house from 2026-09-01.
func ruleScenarioWithTeamInWake() -> Scenario {
    var scenario = ruleScenario()
    scenario.bookings = ["a-7", "a-8"].map { application in
        Booking(application: application, town: "wake", accommodation: "wake-share", arrival: day("2026-09-01"))
    }
    return scenario
}

/// A store holding `scenario`, clock at `fixedNow`.
func withRuleStore<T>(_ scenario: Scenario = ruleScenario(), _ body: (ScenarioStore) throws -> T) throws -> T {
    try withStore { store, _ in
        try store.importScenario(scenario, actor: "planner:alice")
        return try body(store)
    }
}

extension ScenarioStore {
    /// Books `application` as host `town` with `bookChecked`.
    @discardableResult
    func hostBooks(_ application: ApplicationID, in town: TownID = "nanto", at accommodation: AccommodationID,
                   arriving arrival: String, slot: SlotID? = nil) throws -> Placement {
        try bookChecked(Booking(application: application, town: town, accommodation: accommodation,
                                arrival: day(arrival), slot: slot), actor: "host:\(town)")
    }
}
