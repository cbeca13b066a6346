import Foundation
import SasuraiCore
import Testing

@testable import SasuraiStore

@Suite("Accommodations and slots kept by hosts")
struct HostCatalogTests {
    private func guesthouse(beds: Int = 2, open: [DayRange]? = [DayRange(from: day("2026-09-01"),
                                                                         to: day("2026-10-01"))]) -> Accommodation {
        Accommodation(id: "nanto-gh", town: "nanto", name: "ゲストハウス", kind: .guesthouse, beds: beds,
                      pricePerNight: 3000, open: open)
    }

    private func harvest(from: String = "2026-09-10", to: String = "2026-09-20", skills: [String] = ["farming"],
                         seats: Int = 1, minDays: Int = 3) -> Slot {
        Slot(id: "nanto-harvest", town: "nanto", title: "稲刈り", skills: skills, from: day(from), to: day(to),
             seats: seats, minDays: minDays)
    }

    // MARK: Accommodations

    @Test func putCreatesThenReplaces() throws {
        try withRuleStore { store in
            let version = try store.stateVersion()
            let created = Accommodation(id: "nanto-new", town: "nanto", name: "新しい宿", kind: .homestay, beds: 3,
                                        pricePerNight: 4000, open: [DayRange(from: day("2026-10-01"),
                                                                             to: day("2026-12-01"))])
            #expect(try store.putAccommodation(created, actor: "host:nanto"))
            #expect(try store.accommodation("nanto-new") == created)
            var replaced = created
            replaced.name = "改名した宿"
            replaced.open = nil
            #expect(try !store.putAccommodation(replaced, actor: "host:nanto"))
            #expect(try store.accommodation("nanto-new") == replaced)
            replaced.open = [DayRange(from: day("2027-01-01"), to: day("2027-02-01"))]
            #expect(try !store.putAccommodation(replaced, actor: "host:nanto"))
            #expect(try store.accommodation("nanto-new")?.open == replaced.open)
            #expect(try store.accommodations(in: "nanto").map(\.id) == ["nanto-gh", "nanto-house", "nanto-new"])
            #expect(try store.stateVersion() == version + 3)
            #expect(try store.auditEntries().suffix(3).map(\.action)
                == ["accommodation.created", "accommodation.replaced", "accommodation.replaced"])
            #expect(try store.auditEntries().last?.detail == #"{"town": "nanto"}"#)
        }
    }

    @Test func putRefusesAnotherTownsIdAndAMissingTown() throws {
        try withRuleStore { store in
            let puts: [(entity: String, put: (TownID) throws -> Bool)] = [
                ("accommodation \"nanto-gh\"", { town in
                    var moved = guesthouse()
                    moved.town = town
                    return try store.putAccommodation(moved, actor: "planner:alice")
                }),
                ("slot \"nanto-harvest\"", { town in
                    var moved = harvest()
                    moved.town = town
                    return try store.putSlot(moved, actor: "planner:alice")
                }),
            ]
            for (entity, put) in puts {
                #expect(throws: StoreError.conflict("\(entity) belongs to town \"nanto\"")) { try put("wake") }
                #expect(throws: StoreError.notFound(entity: "town", id: "atlantis")) { try put("atlantis") }
            }
        }
    }

    @Test func putKeepsABedForEveryGuest() throws {
        try withRuleStore { store in
            try store.hostBooks("a-1", at: "nanto-gh", arriving: "2026-09-01")
            try store.hostBooks("a-2", at: "nanto-gh", arriving: "2026-09-03")
            let before = try storeSnapshot(store.database)
            #expect(throws: StoreError.conflict("accommodation \"nanto-gh\" has 2 guests on 2026-09-03, more than 1 beds")) {
                try store.putAccommodation(guesthouse(beds: 1), actor: "host:nanto")
            }
            let late = [DayRange(from: day("2026-09-02"), to: day("2026-10-01"))]
            #expect(throws: StoreError.conflict("accommodation \"nanto-gh\" would be closed on 2026-09-01, when 1 guests stay")) {
                try store.putAccommodation(guesthouse(open: late), actor: "host:nanto")
            }
            let gap = [DayRange(from: day("2026-09-01"), to: day("2026-09-05")),
                       DayRange(from: day("2026-09-06"), to: day("2026-10-01"))]
            #expect(throws: StoreError.conflict("accommodation \"nanto-gh\" would be closed on 2026-09-05, when 2 guests stay")) {
                try store.putAccommodation(guesthouse(open: gap), actor: "host:nanto")
            }
            #expect(try storeSnapshot(store.database) == before)
            // Exactly enough beds, and a season that still holds every night, are fine.
            let seams = [DayRange(from: day("2026-09-01"), to: day("2026-09-05")),
                         DayRange(from: day("2026-09-05"), to: day("2026-09-10"))]
            #expect(try !store.putAccommodation(guesthouse(beds: 2, open: seams), actor: "host:nanto"))
            #expect(try store.accommodation("nanto-gh")?.open == seams)
        }
    }

    @Test func deleteRefusesAHouseInUse() throws {
        try withRuleStore { store in
            #expect(throws: StoreError.notFound(entity: "accommodation", id: "nowhere")) {
                try store.deleteAccommodation("nowhere", actor: "host:nanto")
            }
            try store.hostBooks("a-1", at: "nanto-gh", arriving: "2026-09-01")
            try store.hostBooks("a-2", at: "nanto-gh", arriving: "2026-09-01")
            #expect(throws: StoreError.conflict("accommodation \"nanto-gh\" is used by 2 placements")) {
                try store.deleteAccommodation("nanto-gh", actor: "host:nanto")
            }
            let version = try store.stateVersion()
            try store.deleteAccommodation("nanto-house", actor: "host:nanto")
            #expect(try store.accommodation("nanto-house") == nil)
            #expect(try store.stateVersion() == version + 1)
            #expect(try store.auditEntries().last?.action == "accommodation.deleted")
            try store.cancelPlacement("a-1", reason: nil, actor: "host:nanto")
            try store.cancelPlacement("a-2", reason: nil, actor: "host:nanto")
            try store.deleteAccommodation("nanto-gh", actor: "host:nanto")
            #expect(try store.database.fetchAll("SELECT * FROM accommodation_open_ranges").isEmpty)
        }
    }

    // MARK: Slots

    @Test func putSlotCreatesThenReplaces() throws {
        try withRuleStore { (store) throws in
            let created = Slot(id: "nanto-snow", town: "nanto", title: "雪かき", skills: ["driving"],
                               from: day("2027-01-05"), to: day("2027-02-28"), seats: 3, minDays: 5)
            #expect(try store.putSlot(created, actor: "host:nanto"))
            #expect(try store.slot("nanto-snow") == created)
            var replaced = created
            replaced.skills = ["driving", "snow-clearing"]
            replaced.seats = 4
            #expect(try !store.putSlot(replaced, actor: "host:nanto"))
            #expect(try store.slot("nanto-snow") == replaced)
            #expect(try store.slots(in: "nanto").map(\.id) == ["nanto-harvest", "nanto-snow"])
            #expect(try store.auditEntries().suffix(2).map(\.action) == ["slot.created", "slot.replaced"])
            var tooLong = created
            tooLong.minDays = 60
            #expect(throws: StoreError.invalidArgument("min_days 60 is longer than the window of 54 days")) {
                try store.putSlot(tooLong, actor: "host:nanto")
            }
        }
    }

    @Test func putSlotKeepsEveryPlacedWorker() throws {
        try withRuleStore { store in
            // a-3 (f-3, farming) works 2026-09-14 to 2026-09-19: six days.
            try store.hostBooks("a-3", at: "nanto-gh", arriving: "2026-09-14", slot: "nanto-harvest")
            let before = try storeSnapshot(store.database)
            #expect(throws: StoreError.conflict("slot \"nanto-harvest\" needs skill \"driving\", which \"f-3\" of application \"a-3\" lacks")) {
                try store.putSlot(harvest(skills: ["driving", "farming"]), actor: "host:nanto")
            }
            #expect(throws: StoreError.conflict("slot \"nanto-harvest\" would give \"a-3\" only 2 labor days, fewer than its min_days 3")) {
                try store.putSlot(harvest(to: "2026-09-16"), actor: "host:nanto")
            }
            #expect(throws: StoreError.conflict("slot \"nanto-harvest\" would give \"a-3\" only 6 labor days, fewer than its min_days 7")) {
                try store.putSlot(harvest(minDays: 7), actor: "host:nanto")
            }
            #expect(throws: StoreError.conflict("slot \"nanto-harvest\" has 1 workers on 2026-09-14, more than 0 seats")) {
                try store.putSlot(harvest(seats: 0), actor: "host:nanto")
            }
            #expect(try storeSnapshot(store.database) == before)

            // A narrower window that still gives min_days moves the labor days with it.
            #expect(try !store.putSlot(harvest(to: "2026-09-17", skills: []), actor: "host:nanto"))
            #expect(try store.placement(of: "a-3")?.assignment.laborDays == 3)
            #expect(try store.slot("nanto-harvest")?.skills == [])
        }
    }

    @Test func putSlotCountsSeatsDayByDay() throws {
        try withRuleStore { store in
            try store.putSlot(harvest(seats: 2), actor: "host:nanto")
            try store.hostBooks("a-1", at: "nanto-gh", arriving: "2026-09-10", slot: "nanto-harvest")
            try store.hostBooks("a-3", at: "nanto-house", arriving: "2026-09-13", slot: "nanto-harvest")
            #expect(throws: StoreError.conflict("slot \"nanto-harvest\" has 2 workers on 2026-09-13, more than 1 seats")) {
                try store.putSlot(harvest(seats: 1), actor: "host:nanto")
            }
            #expect(try !store.putSlot(harvest(seats: 2), actor: "host:nanto"))
        }
    }

    @Test func deleteSlotRefusesASlotInUse() throws {
        try withRuleStore { store in
            #expect(throws: StoreError.notFound(entity: "slot", id: "nothing")) {
                try store.deleteSlot("nothing", actor: "host:nanto")
            }
            try store.hostBooks("a-3", at: "nanto-gh", arriving: "2026-09-14", slot: "nanto-harvest")
            #expect(throws: StoreError.conflict("slot \"nanto-harvest\" is used by 1 placements")) {
                try store.deleteSlot("nanto-harvest", actor: "host:nanto")
            }
            try store.deleteSlot("wake-festival", actor: "host:wake")
            #expect(try store.slot("wake-festival") == nil)
            #expect(try store.auditEntries().last?.action == "slot.deleted")
        }
    }
}
