import Foundation
import Testing
@testable import SasuraiCore

/// A small valid scenario written the way people write them by hand: defaults left out.
let baseScenarioText = """
{
  "format": "sasurai-scenario/1",
  "towns": [
    {"id": "nanto", "name": "南砺市", "prefecture": "富山県", "nightly_cap": 4, "min_nights": 3, "max_nights": 30, "subsidy_per_night": 1000},
    {"id": "wake", "name": "和気町", "prefecture": "岡山県", "nightly_cap": 3}
  ],
  "accommodations": [
    {"id": "nanto-gh1", "town": "nanto", "name": "五箇山ゲストハウス", "kind": "guesthouse", "beds": 2, "price_per_night": 3500, "open": [["2026-07-01", "2026-11-01"]]},
    {"id": "wake-sh1", "town": "wake", "name": "和気シェアハウス", "kind": "shared_house", "beds": 3, "price_per_night": 2000}
  ],
  "slots": [
    {"id": "nanto-persimmon", "town": "nanto", "title": "干し柿づくり", "skills": ["farming"], "from": "2026-10-15", "to": "2026-11-15", "seats": 1, "min_days": 5}
  ],
  "freelancers": [
    {"id": "f-1", "name": "青山", "skills": ["web-design", "farming"], "relocation": "considering"},
    {"id": "f-2", "name": "佐藤", "skills": []},
    {"id": "f-3", "name": "鈴木"}
  ],
  "applications": [
    {"id": "a-1", "freelancer": "f-1", "earliest": "2026-09-01", "latest": "2026-10-31", "nights": 14, "towns": ["nanto", "wake"], "kinds": [], "budget_per_night": 4000, "labor": "preferred", "team": null},
    {"id": "a-2", "freelancer": "f-2", "earliest": "2026-09-01", "latest": "2026-09-30", "nights": 7, "budget_per_night": 3000, "team": "t-1"},
    {"id": "a-3", "freelancer": "f-3", "earliest": "2026-09-01", "latest": "2026-09-30", "nights": 7, "budget_per_night": 3000, "team": "t-1", "labor": "none"}
  ],
  "bookings": [
    {"application": "a-1", "town": "nanto", "accommodation": "nanto-gh1", "arrival": "2026-10-10", "slot": "nanto-persimmon"}
  ]
}
"""

/// Reads `text` and returns the messages of the refusal, or [] when it was accepted.
func refusalMessages(_ text: String) -> [String] {
    do {
        _ = try ScenarioReader.read(Array(text.utf8))
        return []
    } catch {
        return error.diagnostics.map(\.description)
    }
}

/// The base scenario with one piece of text replaced; the test fails if the piece is absent.
func mutated(_ original: String, _ replacement: String, in text: String = baseScenarioText) -> String {
    guard text.contains(original) else {
        Issue.record("base scenario has no \(original)")
        return text
    }
    return text.replacingOccurrences(of: original, with: replacement)
}

@Suite struct ScenarioReaderTests {
    @Test func readsTheBaseScenarioWithDefaults() throws {
        let scenario = try ScenarioReader.read(Array(baseScenarioText.utf8))
        #expect(scenario.towns.count == 2)
        #expect(scenario.towns[1].minNights == 1 && scenario.towns[1].maxNights == 90 && scenario.towns[1].subsidyPerNight == 0)
        #expect(scenario.accommodations[1].open == nil)
        #expect(scenario.slots[0].minDays == 5)
        #expect(scenario.freelancers[0].skills == ["farming", "web-design"])
        #expect(scenario.freelancers[2].relocation == .none)
        #expect(scenario.applications[1].labor == .preferred)
        #expect(scenario.applications[1].team == "t-1")
        #expect(scenario.weights == .default)
        #expect(scenario.bookings[0].slot == "nanto-persimmon")
    }

    @Test func canonicalWritingIsAFixedPoint() throws {
        let scenario = try ScenarioReader.read(Array(baseScenarioText.utf8))
        let written = ScenarioWriter.write(scenario)
        let again = try ScenarioReader.read(written)
        #expect(again == scenario.sortedCanonically())
        #expect(ScenarioWriter.write(again) == written)
    }

    @Test func canonicalWritingIgnoresInputOrder() throws {
        var scenario = try ScenarioReader.read(Array(baseScenarioText.utf8))
        let first = ScenarioWriter.write(scenario)
        scenario.towns.reverse()
        scenario.applications.reverse()
        scenario.freelancers[0].skills.reverse()
        #expect(ScenarioWriter.write(scenario) == first)
    }

    @Test func demoScenarioRoundTrips() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Resources/scenarios/demo.json")
        let bytes = try [UInt8](Data(contentsOf: url))
        let scenario = try ScenarioReader.read(bytes)
        #expect(scenario.towns.count >= 10)
        #expect(scenario.applications.count >= 80)
        let written = ScenarioWriter.write(scenario)
        #expect(try ScenarioReader.read(written) == scenario.sortedCanonically())
        #expect(ScenarioWriter.write(try ScenarioReader.read(written)) == written)
    }

    @Test(arguments: [1, 2, 3, 5, 8])
    func generatedScenariosRoundTrip(seed: UInt64) throws {
        let scenario = ScenarioGenerator.generate(GeneratorOptions(towns: 8, applications: 300, nights: 120, seed: seed))
        let written = ScenarioWriter.write(scenario)
        let read = try ScenarioReader.read(written)
        #expect(read == scenario.sortedCanonically())
        #expect(ScenarioWriter.write(read) == written)
    }

    @Test func collectsEveryErrorNotJustTheFirst() {
        let text = mutated(#""nightly_cap": 3}"#, #""nightly_cap": -3}"#,
                           in: mutated(#""beds": 2,"#, #""beds": "two","#))
        #expect(refusalMessages(text) == [
            "towns[1].nightly_cap: -3 is out of range 0 to 100000",
            "accommodations[0].beds: expected a whole number, got \"two\"",
        ])
    }

    @Test func stopsCollectingAtOneHundred() {
        let many = (0..<150).map { #"{"id": "x\#($0)", "name": "n", "prefecture": "p", "nightly_cap": -1}"# }
        let text = mutated(#"{"id": "wake", "name": "和気町", "prefecture": "岡山県", "nightly_cap": 3}"#,
                           #"{"id": "wake", "name": "和気町", "prefecture": "岡山県", "nightly_cap": 3}, "#
                           + many.joined(separator: ", "))
        do {
            _ = try ScenarioReader.read(Array(text.utf8))
            Issue.record("accepted")
        } catch {
            #expect(error.diagnostics.count == 100)
            #expect(error.omitted == 50)
            #expect(error.description.hasSuffix("… and 50 more"))
        }
    }

    static let invalidCases: [(String, String, String)] = [
        // (what to replace, replacement, the exact expected message)
        (#""format": "sasurai-scenario/1""#, #""format": "sasurai-scenario/2""#,
         #"format: unsupported format "sasurai-scenario/2": expected "sasurai-scenario/1""#),
        (#""format": "sasurai-scenario/1","#, "", "format: missing required field"),
        (#""nightly_cap": 4,"#, #""nightly_cap": 4, "nightly_capp": 4,"#,
         "towns[0].nightly_capp: unknown field; expected one of id, name, prefecture, nightly_cap, min_nights, max_nights, subsidy_per_night"),
        (#""format": "sasurai-scenario/1","#, #""format": "sasurai-scenario/1", "hosts": [],"#,
         "hosts: unknown field; expected one of format, weights, towns, accommodations, slots, freelancers, applications, bookings"),
        (#"{"id": "wake-sh1""#, #"{"id": "nanto-gh1""#,
         #"accommodations[1].id: duplicate accommodation id "nanto-gh1" (first at accommodations[0])"#),
        (#""towns": ["nanto", "wake"]"#, #""towns": ["nanto", "nantoo"]"#,
         #"applications[0].towns[1]: unknown town "nantoo""#),
        (#""towns": ["nanto", "wake"]"#, #""towns": ["nanto", "nanto"]"#,
         #"applications[0].towns[1]: town "nanto" is listed twice"#),
        (#""towns": ["nanto", "wake"]"#, #""towns": ["nanto", "wake", "a", "b", "c", "d"]"#,
         "applications[0].towns: has 6 entries; at most 5 allowed"),
        (#""freelancer": "f-2""#, #""freelancer": "f-9""#, #"applications[1].freelancer: unknown freelancer "f-9""#),
        (#""town": "wake", "name": "和気シェアハウス""#, #""town": "okayama", "name": "和気シェアハウス""#,
         #"accommodations[1].town: unknown town "okayama""#),
        (#""id": "nanto-persimmon", "town": "nanto""#, #""id": "nanto-persimmon", "town": "toyama""#,
         #"slots[0].town: unknown town "toyama""#),
        (#""open": [["2026-07-01", "2026-11-01"]]"#, #""open": [["2026-11-01", "2026-07-01"]]"#,
         "accommodations[0].open[0]: reversed range: from 2026-11-01 is after to 2026-07-01"),
        (#""open": [["2026-07-01", "2026-11-01"]]"#, #""open": [["2026-07-01", "2026-07-01"]]"#,
         "accommodations[0].open[0]: empty range: from and to are both 2026-07-01"),
        (#""open": [["2026-07-01", "2026-11-01"]]"#, #""open": [["2026-07-01"]]"#,
         "accommodations[0].open[0]: expected a pair [from, to], got 1 entries"),
        (#""from": "2026-10-15", "to": "2026-11-15""#, #""from": "2026-11-15", "to": "2026-10-15""#,
         "slots[0].to: reversed window: to 2026-10-15 is before from 2026-11-15"),
        (#""earliest": "2026-09-01", "latest": "2026-10-31""#, #""earliest": "2026-10-31", "latest": "2026-09-01""#,
         "applications[0].latest: reversed window: latest 2026-09-01 is before earliest 2026-10-31"),
        (#""latest": "2026-10-31", "nights": 14"#, #""latest": "2026-10-31", "nights": 90"#,
         "applications[0].nights: 90 nights do not fit between earliest 2026-09-01 and latest 2026-10-31 (60 nights)"),
        (#""beds": 2,"#, #""beds": -2,"#, "accommodations[0].beds: -2 is out of range 0 to 10000"),
        (#""seats": 1,"#, #""seats": 1.5,"#, "slots[0].seats: expected a whole number, got 1.5"),
        (#""budget_per_night": 4000"#, #""budget_per_night": 99999999999999999999"#,
         "applications[0].budget_per_night: 99999999999999999999 is out of range 0 to 10000000"),
        (#""id": "f-3""#, #""id": "f 3""#, #"freelancers[2].id: invalid id "f 3": use 1 to 64 characters of a-z A-Z 0-9 . _ -"#),
        (#""id": "f-3""#, #""id": "\#(String(repeating: "f", count: 65))""#,
         #"freelancers[2].id: invalid id "\#(String(repeating: "f", count: 60))…": use 1 to 64 characters of a-z A-Z 0-9 . _ -"#),
        (#""name": "鈴木""#, #""name": "\#(String(repeating: "鈴", count: 201))""#,
         "freelancers[2].name: longer than 200 characters (201)"),
        (#""name": "鈴木""#, #""name": """#, "freelancers[2].name: must not be empty"),
        (#""kind": "guesthouse""#, #""kind": "hotel""#,
         #"accommodations[0].kind: unknown kind "hotel": use one of shared_house, guesthouse, vacant_house, homestay, coworking_stay"#),
        (#""relocation": "considering""#, #""relocation": "maybe""#,
         #"freelancers[0].relocation: unknown relocation "maybe": use one of none, considering, planning"#),
        (#""labor": "none""#, #""labor": "sometimes""#,
         #"applications[2].labor: unknown labor "sometimes": use one of required, preferred, none"#),
        (#""skills": ["web-design", "farming"]"#, #""skills": ["Web Design"]"#,
         #"freelancers[0].skills[0]: invalid skill "Web Design": use a lower-case word such as farming or web-design"#),
        (#""earliest": "2026-09-01", "latest": "2026-10-31""#, #""earliest": "2026-09-31", "latest": "2026-10-31""#,
         #"applications[0].earliest: invalid date "2026-09-31": use YYYY-MM-DD"#),
        (#""min_nights": 3, "max_nights": 30"#, #""min_nights": 31, "max_nights": 30"#,
         "towns[0].min_nights: 31 is more than max_nights 30"),
        (#""nights": 7, "budget_per_night": 3000, "team": "t-1", "labor""#,
         #""nights": 6, "budget_per_night": 3000, "team": "t-1", "labor""#,
         "applications[2].nights: team \"t-1\" members ask for different nights (6 here, 7 at applications[1])"),
        (#""freelancer": "f-3""#, #""freelancer": "f-2""#,
         #"applications[2].team: freelancer "f-2" is in team "t-1" twice (also applications[1])"#),
        (#""latest": "2026-09-30", "nights": 7, "budget_per_night": 3000, "team": "t-1", "labor""#,
         #""latest": "2028-09-30", "nights": 7, "budget_per_night": 3000, "team": "t-1", "labor""#,
         "$: scenario spans 760 nights from 2026-09-01 to 2028-09-30; at most 731 are allowed"),
        (#""application": "a-1""#, #""application": "a-7""#, #"bookings[0].application: unknown application "a-7""#),
        (#""arrival": "2026-10-10""#, #""arrival": "2026-10-25""#,
         #"bookings[0]: rule 4: a-1 stays in accommodation "nanto-gh1" while it is closed on 2026-11-01 to 2026-11-07"#),
        (#""town": "nanto", "accommodation": "nanto-gh1", "arrival": "2026-10-10", "slot": "nanto-persimmon""#,
         #""town": "wake", "accommodation": "nanto-gh1", "arrival": "2026-10-10", "slot": null"#,
         #"bookings[0]: rule 1: a-1 is placed in town "wake" but accommodation "nanto-gh1" is in "nanto""#),
        (#""min_days": 5"#, #""min_days": 40"#, "slots[0].min_days: 40 is longer than the window of 31 days"),
        (#""arrival": "2026-10-10""#, #""arrival": "2026-10-12""#, ""),
    ].filter { !$0.2.isEmpty }

    @Test(arguments: invalidCases)
    func refusesInvalidScenarioWithExactMessage(_ original: String, _ replacement: String, _ expected: String) {
        #expect(refusalMessages(mutated(original, replacement)) == [expected])
    }

    @Test func refusesAnUnknownWeight() {
        let text = mutated(#""format": "sasurai-scenario/1","#,
                           #""format": "sasurai-scenario/1", "weights": {"place": 1000, "labour_day": 5, "relocation": {"maybe": 1}},"#)
        #expect(refusalMessages(text) == [
            "weights.relocation.maybe: unknown field; expected one of none, considering, planning",
            "weights.labour_day: unknown field; expected one of place, rank, rank_any, labor_day, relocation",
        ])
    }

    @Test func refusesATeamBookedInPart() {
        let text = mutated(#""slot": "nanto-persimmon"}"#,
                           #""slot": "nanto-persimmon"}, {"application": "a-2", "town": "wake", "accommodation": "wake-sh1", "arrival": "2026-09-05"}"#)
        #expect(refusalMessages(text) == [#"bookings[1]: team "t-1" is booked only in part: "a-3" not booked"#])
    }

    @Test func refusesMalformedJSONWithLineAndColumn() {
        let text = mutated(#""nightly_cap": 3}"#, #""nightly_cap": 3,}"#)
        #expect(refusalMessages(text) == ["line 5, column 73: unexpected character '}', expected a string key"])
    }

    @Test func refusesNonUTF8Files() {
        // "南砺市" in Shift_JIS, as a spreadsheet export may save it.
        var bytes = Array(baseScenarioText.utf8)
        let marker = Array("南砺市".utf8)
        if let start = (0...(bytes.count - marker.count)).first(where: { Array(bytes[$0..<$0 + marker.count]) == marker }) {
            bytes.replaceSubrange(start..<start + marker.count, with: [0x93, 0xEC, 0x93, 0xBB, 0x8E, 0x73])
        }
        do {
            _ = try ScenarioReader.read(bytes)
            Issue.record("accepted Shift_JIS")
        } catch {
            #expect(error.description == "line 4, column 30: not valid UTF-8 text: byte 0x93; save the file as UTF-8")
        }
    }

    @Test func refusesWrongTopLevelShapes() {
        #expect(refusalMessages("[]") == ["$: expected an object, got an array"])
        #expect(refusalMessages(#"{"format": "sasurai-scenario/1"}"#) == [
            "towns: missing required field", "accommodations: missing required field", "slots: missing required field",
            "freelancers: missing required field", "applications: missing required field",
        ])
        #expect(refusalMessages(mutated(#""towns": ["#, #""towns": 5, "x": ["#)).first == "towns: expected an array, got 5")
    }
}
