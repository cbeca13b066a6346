import Foundation
import Testing

/// PROTOCOL.md 7.2: every host command's reply and each of its documented errors.
@Suite struct HostCommandTests {
    static let nantoTown = #"{"id": "nanto", "name": "南砺市", "prefecture": "富山県", "nightly_cap": 3, "min_nights": 2, "max_nights": 20, "subsidy_per_night": 1000}"#
    static let guesthouse = #"{"id": "nanto-gh", "town": "nanto", "name": "五箇山ゲストハウス", "kind": "guesthouse", "beds": 2, "price_per_night": 3000, "open": [["2030-04-01", "2030-12-01"]]}"#
    static let sharedHouse = #"{"id": "nanto-sh", "town": "nanto", "name": "城端シェアハウス", "kind": "shared_house", "beds": 5, "price_per_night": 2000, "open": null}"#
    static let harvest = #"{"id": "nanto-harvest", "town": "nanto", "title": "稲刈り", "skills": ["farming"], "from": "2030-09-01", "to": "2030-10-01", "seats": 1, "min_days": 3}"#

    @Test func townIsShownToItsHostAndPlanners() throws {
        let world = try World()
        defer { world.stop() }
        try converse([
            (world.nanto, "TOWN", "OK {\"town\": \(Self.nantoTown)}"),
            (world.nanto, #"TOWN {"town": "nanto"}"#, "OK {\"town\": \(Self.nantoTown)}"),
            (world.nanto, #"TOWN {"town": "wake"}"#, #"ERR FORBIDDEN town "wake" is not your town"#),
            (world.planner, #"TOWN {"town": "nanto"}"#, "OK {\"town\": \(Self.nantoTown)}"),
            (world.planner, "TOWN", "ERR INVALID town: missing required field"),
            (world.planner, #"TOWN {"town": "atlantis"}"#, #"ERR NOT_FOUND town "atlantis""#),
            (world.planner, #"TOWN {"town": "a b"}"#,
             #"ERR INVALID town: "a b" is not an id (1 to 64 characters of a-z A-Z 0-9 . _ -)"#),
        ])
    }

    @Test func accommodationsArePutListedAndDeleted() throws {
        let world = try World()
        defer { world.stop() }
        let put = #"ACCOMMODATION PUT {"id": "nanto-new", "name": "新しい家", "kind": "homestay", "beds": 2, "price_per_night": 0"#
        let created = #"{"id": "nanto-new", "town": "nanto", "name": "新しい家", "kind": "homestay", "beds": 2, "price_per_night": 0, "open": null}"#
        let replaced = #"{"id": "nanto-new", "town": "nanto", "name": "新しい家", "kind": "homestay", "beds": 3, "price_per_night": 0, "open": [["2030-01-01", "2030-03-01"], ["2030-06-01", "2030-12-31"]]}"#
        try converse([
            (world.nanto, put + "}", "OK {\"accommodation\": \(created), \"created\": true}"),
            (world.nanto, put.replacingOccurrences(of: "\"beds\": 2", with: "\"beds\": 3")
                + #", "open": [["2030-01-01", "2030-03-01"], ["2030-06-01", "2030-12-31"]]}"#,
             "OK {\"accommodation\": \(replaced), \"created\": false}"),
            (world.nanto, "ACCOMMODATION LIST",
             "OK {\"accommodations\": [\(Self.guesthouse), \(replaced), \(Self.sharedHouse)]}"),
            (world.nanto, put.replacingOccurrences(of: "homestay", with: "hotel") + "}",
             "ERR INVALID kind: \"hotel\" is not one of shared_house, guesthouse, vacant_house, homestay, coworking_stay"),
            (world.nanto, put.replacingOccurrences(of: "\"beds\": 2", with: "\"beds\": 20000") + "}",
             "ERR INVALID beds: 20000 is out of range 0 to 10000"),
            (world.nanto, put + #", "open": [["2030-02-01", "2030-01-01"]]}"#,
             "ERR INVALID open[0][1]: must be after open[0][0] (2030-02-01)"),
            (world.nanto, put + #", "colour": "red"}"#,
             "ERR INVALID colour: unknown field; expected one of town, id, name, kind, beds, price_per_night, open, request"),
            (world.nanto, #"ACCOMMODATION PUT {"id": "x"}"#, "ERR INVALID name: missing required field"),
            // Another town's id: FORBIDDEN for its host, CONFLICT naming the town for a planner.
            (world.nanto, put.replacingOccurrences(of: "nanto-new", with: "wake-vh") + "}",
             #"ERR FORBIDDEN accommodation "wake-vh" is not in your town"#),
            (world.planner, put.replacingOccurrences(of: "{\"id\": \"nanto-new\"", with: "{\"town\": \"nanto\", \"id\": \"wake-vh\"") + "}",
             #"ERR CONFLICT accommodation "wake-vh" belongs to town "wake""#),
            (world.planner, put.replacingOccurrences(of: "{\"id\"", with: "{\"town\": \"atlantis\", \"id\"") + "}",
             #"ERR NOT_FOUND town "atlantis""#),
            (world.planner, #"ACCOMMODATION LIST {"town": "atlantis"}"#, #"ERR NOT_FOUND town "atlantis""#),
            (world.planner, #"ACCOMMODATION LIST {"town": "wake"}"#,
             #"OK {"accommodations": [{"id": "wake-vh", "town": "wake", "name": "和気の古民家", "kind": "vacant_house", "beds": 4, "price_per_night": 1000, "open": null}]}"#),
            (world.nanto, #"ACCOMMODATION DELETE {"id": "nanto-new"}"#, #"OK {"deleted": "nanto-new"}"#),
            (world.nanto, #"ACCOMMODATION DELETE {"id": "nanto-new"}"#,
             #"ERR FORBIDDEN accommodation "nanto-new" is not in your town"#),
            (world.planner, #"ACCOMMODATION DELETE {"town": "nanto", "id": "nanto-new"}"#,
             #"ERR NOT_FOUND accommodation "nanto-new""#),
            (world.nanto, #"ACCOMMODATION DELETE {"id": "nanto-gh"}"#,
             #"ERR CONFLICT accommodation "nanto-gh" is used by 2 placements"#),
            (world.planner, #"ACCOMMODATION DELETE {"town": "nanto", "id": "nanto-gh"}"#,
             #"ERR CONFLICT accommodation "nanto-gh" is used by 2 placements"#),
        ])
    }

    @Test func anAccommodationCannotShrinkOrCloseUnderItsGuests() throws {
        let world = try World()
        defer { world.stop() }
        let put = #"ACCOMMODATION PUT {"id": "nanto-gh", "name": "五箇山ゲストハウス", "kind": "guesthouse", "price_per_night": 3000, "#
        // b1 stays 2030-09-10 to 09-14 and b2 2030-09-11 to 09-15, both in nanto-gh.
        try world.nanto.expect([
            (put + #""beds": 1, "open": [["2030-04-01", "2030-12-01"]]}"#,
             #"ERR CONFLICT accommodation "nanto-gh" has 2 guests on 2030-09-11, more than 1 beds"#),
            (put + #""beds": 2, "open": [["2030-04-01", "2030-09-12"]]}"#,
             #"ERR CONFLICT accommodation "nanto-gh" would be closed on 2030-09-12, when 2 guests stay"#),
            (put + #""beds": 2, "open": [["2030-09-10", "2030-09-15"]]}"#,
             #"OK {"accommodation": {"id": "nanto-gh", "town": "nanto", "name": "五箇山ゲストハウス", "kind": "guesthouse", "beds": 2, "price_per_night": 3000, "open": [["2030-09-10", "2030-09-15"]]}, "created": false}"#),
            (#"ROSTER {"from": "2030-09-01", "to": "2030-10-01"}"#,
             "OK {\"town\": \"nanto\", \"from\": \"2030-09-01\", \"to\": \"2030-10-01\", \"stays\": ["
                + Fixture.stayMembers("b1", "nanto", "nanto-gh", "2030-09-10", slot: "nanto-harvest", laborDays: 4,
                                      source: "booking") + #", "freelancer": "f-1", "name": "青山"}, "#
                + Fixture.stayMembers("b2", "nanto", "nanto-gh", "2030-09-11", source: "booking")
                + #", "freelancer": "f-2", "name": "Berg"}]}"#),
        ])
    }

    @Test func slotsArePutListedAndDeleted() throws {
        let world = try World()
        defer { world.stop() }
        let put = #"SLOT PUT {"id": "nanto-snow", "title": "雪かき", "skills": ["shovel", "driving"], "from": "2030-12-01", "to": "2031-01-15", "seats": 3"#
        let snow = #"{"id": "nanto-snow", "town": "nanto", "title": "雪かき", "skills": ["driving", "shovel"], "from": "2030-12-01", "to": "2031-01-15", "seats": 3"#
        try converse([
            (world.nanto, put + #", "min_days": 5}"#, "OK {\"slot\": \(snow), \"min_days\": 5}, \"created\": true}"),
            (world.nanto, put + "}", "OK {\"slot\": \(snow), \"min_days\": 1}, \"created\": false}"),
            (world.nanto, "SLOT LIST", "OK {\"slots\": [\(Self.harvest), \(snow), \"min_days\": 1}]}"),
            (world.nanto, put.replacingOccurrences(of: "\"shovel\"", with: "\"driving\"") + "}",
             #"ERR INVALID skills[1]: duplicate "driving""#),
            (world.nanto, put.replacingOccurrences(of: "\"shovel\"", with: "\"Shovel\"") + "}",
             #"ERR INVALID skills[0]: "Shovel" is not a skill (lower-case letters, digits and inner hyphens)"#),
            (world.nanto, put.replacingOccurrences(of: "2031-01-15", with: "2030-11-01") + "}",
             "ERR INVALID to: must be after from (2030-12-01)"),
            (world.nanto, put.replacingOccurrences(of: "2031-01-15", with: "2033-01-15") + "}",
             "ERR INVALID to: range of 776 nights is longer than 731"),
            (world.nanto, put + #", "min_days": 60}"#, "ERR INVALID min_days: 60 days do not fit between from and to"),
            (world.nanto, put.replacingOccurrences(of: "nanto-snow", with: "wake-peach") + "}",
             #"ERR FORBIDDEN slot "wake-peach" is not in your town"#),
            (world.planner, put.replacingOccurrences(of: "{\"id\": \"nanto-snow\"", with: "{\"town\": \"nanto\", \"id\": \"wake-peach\"") + "}",
             #"ERR CONFLICT slot "wake-peach" belongs to town "wake""#),
            (world.planner, #"SLOT LIST {"town": "atlantis"}"#, #"ERR NOT_FOUND town "atlantis""#),
            (world.nanto, #"SLOT DELETE {"id": "nanto-snow"}"#, #"OK {"deleted": "nanto-snow"}"#),
            (world.nanto, #"SLOT DELETE {"id": "nanto-snow"}"#, #"ERR FORBIDDEN slot "nanto-snow" is not in your town"#),
            (world.planner, #"SLOT DELETE {"town": "nanto", "id": "nanto-snow"}"#, #"ERR NOT_FOUND slot "nanto-snow""#),
            (world.nanto, #"SLOT DELETE {"id": "nanto-harvest"}"#,
             #"ERR CONFLICT slot "nanto-harvest" is used by 1 placements"#),
            (world.nanto, "SLOT LIST", "OK {\"slots\": [\(Self.harvest)]}"),
        ])
    }

    @Test func aSlotCannotDropAPlacedWorker() throws {
        let world = try World()
        defer { world.stop() }
        // b1 (f-1, who farms) works the harvest 2030-09-10 to 09-14.
        let put = #"SLOT PUT {"id": "nanto-harvest", "title": "稲刈り", "#
        try world.nanto.expect([
            (put + #""skills": ["farming"], "from": "2030-09-01", "to": "2030-10-01", "seats": 0, "min_days": 3}"#,
             #"ERR CONFLICT slot "nanto-harvest" has 1 workers on 2030-09-10, more than 0 seats"#),
            (put + #""skills": ["farming"], "from": "2030-09-12", "to": "2030-10-01", "seats": 1, "min_days": 3}"#,
             #"ERR CONFLICT slot "nanto-harvest" would give "b1" only 2 labor days, fewer than its min_days 3"#),
            (put + #""skills": ["farming", "driving"], "from": "2030-09-01", "to": "2030-10-01", "seats": 1}"#,
             #"ERR CONFLICT slot "nanto-harvest" needs skill "driving", which "f-1" of application "b1" lacks"#),
            (put + #""from": "2030-09-11", "to": "2030-10-01", "seats": 1, "min_days": 2}"#,
             #"OK {"slot": {"id": "nanto-harvest", "town": "nanto", "title": "稲刈り", "skills": [], "from": "2030-09-11", "to": "2030-10-01", "seats": 1, "min_days": 2}, "created": false}"#),
            (#"ROSTER {"from": "2030-09-10", "to": "2030-09-11"}"#,
             "OK {\"town\": \"nanto\", \"from\": \"2030-09-10\", \"to\": \"2030-09-11\", \"stays\": ["
                + Fixture.stayMembers("b1", "nanto", "nanto-gh", "2030-09-10", slot: "nanto-harvest", laborDays: 3,
                                      source: "booking") + #", "freelancer": "f-1", "name": "青山"}]}"#),
        ])
    }

    @Test func rosterListsTheStaysSharingANight() throws {
        let world = try World()
        defer { world.stop() }
        try converse([
            (world.nanto, #"ROSTER {"from": "2030-09-14", "to": "2030-09-15"}"#,
             "OK {\"town\": \"nanto\", \"from\": \"2030-09-14\", \"to\": \"2030-09-15\", \"stays\": ["
                + Fixture.stayMembers("b2", "nanto", "nanto-gh", "2030-09-11", source: "booking")
                + #", "freelancer": "f-2", "name": "Berg"}]}"#),
            (world.nanto, #"ROSTER {"from": "2030-09-15", "to": "2030-10-15"}"#,
             #"OK {"town": "nanto", "from": "2030-09-15", "to": "2030-10-15", "stays": []}"#),
            (world.planner, #"ROSTER {"town": "wake", "from": "2030-07-01", "to": "2030-07-02"}"#,
             "OK {\"town\": \"wake\", \"from\": \"2030-07-01\", \"to\": \"2030-07-02\", \"stays\": ["
                + Fixture.stayMembers("w1", "wake", "wake-vh", "2030-07-01", slot: "wake-peach", laborDays: 4,
                                      source: "booking") + #", "freelancer": "f-3", "name": "Chen"}]}"#),
            (world.planner, #"ROSTER {"town": "atlantis", "from": "2030-07-01", "to": "2030-07-02"}"#,
             #"ERR NOT_FOUND town "atlantis""#),
            (world.nanto, #"ROSTER {"from": "2030-09-15", "to": "2030-09-15"}"#,
             "ERR INVALID to: must be after from (2030-09-15)"),
            (world.nanto, #"ROSTER {"from": "2030-01-01", "to": "2032-03-11"}"#,
             "ERR INVALID to: range of 800 nights is longer than 731"),
            (world.nanto, #"ROSTER {"from": "2030-02-30", "to": "2030-03-01"}"#,
             #"ERR INVALID from: "2030-02-30" is not a date YYYY-MM-DD"#),
            (world.nanto, #"ROSTER {"to": "2030-03-01"}"#, "ERR INVALID from: missing required field"),
        ])
    }

    /// Each refusal `bookChecked` gives, in MODEL.md's order, then the errors around them.
    @Test func bookChecksEveryRuleThatBindsABooking() throws {
        let world = try World()
        defer { world.stop() }
        func book(_ application: String, _ accommodation: String, _ arrival: String, slot: String? = nil) -> String {
            #"BOOK {"application": "\#(application)", "accommodation": "\#(accommodation)", "arrival": "\#(arrival)""#
                + (slot.map { #", "slot": "\#($0)"}"# } ?? "}")
        }
        func stay(_ application: String, _ accommodation: String, _ arrival: String, slot: String? = nil,
                  laborDays: Int = 0) -> String {
            "OK {\"stay\": \(Fixture.stay(application, "nanto", accommodation, arrival, slot: slot, laborDays: laborDays))}"
        }
        try converse([
            (world.nanto, book("p1", "nanto-gh", "2030-06-01"), stay("p1", "nanto-gh", "2030-06-01")),
            (world.nanto, book("p2", "nanto-gh", "2030-06-02"), stay("p2", "nanto-gh", "2030-06-02")),
            // Rule 9, beds: nanto-gh has 2.
            (world.nanto, book("p3", "nanto-gh", "2030-06-03"),
             #"ERR CONFLICT no bed in "nanto-gh" on 2030-06-03 (2 of 2 taken)"#),
            (world.nanto, book("p3", "nanto-sh", "2030-06-03"), stay("p3", "nanto-sh", "2030-06-03")),
            // Rule 9, the town: nanto takes 3 visitors a night.
            (world.nanto, book("p4", "nanto-sh", "2030-06-04"),
             #"ERR CONFLICT town "nanto" is full on 2030-06-04 (3 of 3 visitors)"#),
            // Rule 3: nanto takes stays of 2 to 20 nights.
            (world.nanto, book("p5", "nanto-sh", "2030-06-20"),
             #"ERR CONFLICT "p5" asks for 1 nights; town "nanto" takes 2 to 20"#),
            // Rule 4: nanto-gh opens on 2030-04-01.
            (world.nanto, book("p4", "nanto-gh", "2030-03-30"), #"ERR CONFLICT "nanto-gh" is closed on 2030-03-30"#),
            // Rule 7: the harvest needs farming (f-6 has none) and 3 days in September.
            (world.nanto, book("p4", "nanto-sh", "2030-09-20", slot: "nanto-harvest"),
             #"ERR CONFLICT slot "nanto-harvest" needs skill "farming", which "f-6" lacks"#),
            (world.nanto, book("p6", "nanto-sh", "2030-09-29", slot: "nanto-harvest"),
             #"ERR CONFLICT the stay shares 2 days with slot "nanto-harvest", fewer than its min_days 3"#),
            // Rule 10: b1 holds the harvest's one seat from 2030-09-10 to 09-13.
            (world.nanto, book("p6", "nanto-sh", "2030-09-12", slot: "nanto-harvest"),
             #"ERR CONFLICT no seat in slot "nanto-harvest" on 2030-09-12 (1 of 1 taken)"#),
            // Rule 11: p6 and b1 are both f-1's.
            (world.nanto, book("p6", "nanto-sh", "2030-09-12"),
             #"ERR CONFLICT "f-1" already stays in "nanto" on 2030-09-12"#),
            (world.nanto, book("p6", "nanto-sh", "2030-09-20", slot: "nanto-harvest"),
             stay("p6", "nanto-sh", "2030-09-20", slot: "nanto-harvest", laborDays: 4)),
            // Rule 12: a team is placed whole, by a plan run.
            (world.nanto, book("t1a", "nanto-sh", "2030-10-10"), #"ERR CONFLICT team "t1" must be booked whole"#),
            (world.nanto, book("p1", "nanto-sh", "2030-10-10"), #"ERR CONFLICT application "p1" is confirmed, not pending"#),
            (world.nanto, book("ghost", "nanto-sh", "2030-10-10"), #"ERR NOT_FOUND application "ghost""#),
            (world.nanto, book("p4", "wake-vh", "2030-10-10"), #"ERR FORBIDDEN accommodation "wake-vh" is not in your town"#),
            (world.nanto, book("p4", "nowhere", "2030-10-10"), #"ERR FORBIDDEN accommodation "nowhere" is not in your town"#),
            (world.nanto, book("p4", "nanto-sh", "2030-10-10", slot: "wake-peach"),
             #"ERR FORBIDDEN slot "wake-peach" is not in your town"#),
            (world.nanto, book("p4", "nanto-sh", "2030-10-10", slot: "no-slot"),
             #"ERR FORBIDDEN slot "no-slot" is not in your town"#),
            (world.nanto, #"BOOK {"application": "p4", "accommodation": "nanto-sh"}"#, "ERR INVALID arrival: missing required field"),
            (world.planner, #"BOOK {"town": "nanto", "application": "ghost", "accommodation": "nanto-sh", "arrival": "2030-10-10"}"#,
             #"ERR NOT_FOUND application "ghost""#),
            (world.planner, #"BOOK {"town": "wake", "application": "p4", "accommodation": "wake-vh", "arrival": "2030-10-10", "slot": null}"#,
             "OK {\"stay\": \(Fixture.stay("p4", "wake", "wake-vh", "2030-10-10"))}"),
            (world.nanto, #"ROSTER {"from": "2030-06-01", "to": "2030-06-08"}"#,
             "OK {\"town\": \"nanto\", \"from\": \"2030-06-01\", \"to\": \"2030-06-08\", \"stays\": ["
                + Fixture.stayMembers("p1", "nanto", "nanto-gh", "2030-06-01") + #", "freelancer": "f-3", "name": "Chen"}, "#
                + Fixture.stayMembers("p2", "nanto", "nanto-gh", "2030-06-02") + #", "freelancer": "f-4", "name": "Dias"}, "#
                + Fixture.stayMembers("p3", "nanto", "nanto-sh", "2030-06-03") + #", "freelancer": "f-5", "name": "Endo"}]}"#),
        ])
    }

    @Test func cancelPutsTheApplicationBackInLine() throws {
        let world = try World()
        defer { world.stop() }
        try converse([
            (world.nanto, #"CANCEL {"application": "b1", "reason": "屋根の修理"}"#, #"OK {"application": "b1", "state": "pending"}"#),
            (world.nanto, #"CANCEL {"application": "b1"}"#, #"ERR FORBIDDEN application "b1" is not placed in your town"#),
            (world.nanto, #"CANCEL {"application": "w1"}"#, #"ERR FORBIDDEN application "w1" is not placed in your town"#),
            (world.nanto, #"CANCEL {"application": "ghost"}"#, #"ERR FORBIDDEN application "ghost" is not placed in your town"#),
            (world.planner, #"CANCEL {"town": "nanto", "application": "ghost"}"#, #"ERR NOT_FOUND application "ghost""#),
            (world.planner, #"CANCEL {"town": "nanto", "application": "b1"}"#, #"ERR CONFLICT application "b1" holds no placement"#),
            (world.planner, #"CANCEL {"town": "wake", "application": "w1"}"#, #"OK {"application": "w1", "state": "pending"}"#),
            (world.nanto, #"CANCEL {"application": "b2", "reason": ""}"#, "ERR INVALID reason: must not be empty"),
            (world.f1, #"APPLICATIONS {"state": "pending"}"#,
             "OK {\"applications\": [{\"application\": \(Fixture.application("b1", "f-1")), \"state\": \"pending\", \"state_changed_at\": \"<time>\", \"offer_expires_at\": null, \"stay\": null}, "
                + "{\"application\": \(Fixture.application("p6", "f-1")), \"state\": \"pending\", \"state_changed_at\": \"<time>\", \"offer_expires_at\": null, \"stay\": null}]}"),
            (world.nanto, #"ROSTER {"from": "2030-09-01", "to": "2030-10-01"}"#,
             "OK {\"town\": \"nanto\", \"from\": \"2030-09-01\", \"to\": \"2030-10-01\", \"stays\": ["
                + Fixture.stayMembers("b2", "nanto", "nanto-gh", "2030-09-11", source: "booking")
                + #", "freelancer": "f-2", "name": "Berg"}]}"#),
        ])
        // The audit log records the cancellation with its reason, then the return to the queue.
        let audit = masked(try world.planner.send(#"AUDIT {"limit": 1000}"#))
        #expect(audit.contains(#"{"id": 7, "at": "<time>", "actor": "host:nanto", "action": "application.cancelled", "subject": "b1", "detail": {"from": "confirmed", "to": "cancelled", "reason": "屋根の修理"}}, {"id": 8, "at": "<time>", "actor": "host:nanto", "action": "application.pending", "subject": "b1", "detail": {"from": "cancelled", "to": "pending"}}"#),
                "\(audit)")
    }
}
