import Foundation
import Testing
import SasuraiCore
@testable import SasuraiCommandLine

/// iCalendar writing and reading, the month view, addresses, replies, settings and plan diffs.
@Suite struct ICalendarTests {
    @Test func escapesAndUnescapesText() {
        let text = "a,b;c\\d\nnext"
        #expect(ICalendar.escape(text) == "a\\,b\\;c\\\\d\\nnext")
        #expect(ICalendar.unescape(ICalendar.escape(text)) == text)
    }

    @Test func foldsAt75OctetsWithoutSplittingACharacter() {
        let line = "DESCRIPTION:" + String(repeating: "五箇山", count: 20)
        let folded = ICalendar.fold(line)
        let parts = folded.components(separatedBy: "\r\n")
        #expect(parts.count > 1)
        for (index, part) in parts.enumerated() {
            #expect(part.utf8.count <= 75)
            if index > 0 { #expect(part.hasPrefix(" ")) }
        }
        // Unfolding gives the line back: every part is whole UTF-8.
        #expect(parts.enumerated().map { $0.offset == 0 ? $0.element : String($0.element.dropFirst()) }.joined() == line)
        #expect(ICalendar.fold("SHORT:x") == "SHORT:x")
    }

    static let stays = try! JSONParser.parse(#"""
        [{"application": "a-008", "town": "nanto", "accommodation": "nanto-gh1", "arrival": "2026-05-01", "nights": 5,
          "slot": "nanto-hikiyama", "labor_days": 5, "state": "confirmed", "source": "plan", "town_name": "南砺市",
          "accommodation_name": "五箇山ゲストハウス", "slot_title": "城端曳山祭 準備・運営", "departure": "2026-05-06"},
         {"application": "a-041", "town": "nanto", "accommodation": "nanto-gh1", "arrival": "2026-09-05", "nights": 10,
          "slot": null, "labor_days": 0, "state": "offered", "source": "plan", "town_name": "南砺市",
          "accommodation_name": "五箇山ゲストハウス", "slot_title": null, "departure": "2026-09-15"}]
        """#).arrayValue

    @Test func itineraryWritesOneAllDayEventPerStay() throws {
        let stamp = Date(timeIntervalSince1970: 1_796_000_000)
        let text = ItineraryCalendar.icsText(freelancer: "f-001", stays: Self.stays, stamp: stamp)
        #expect(text.hasSuffix("END:VCALENDAR\r\n"))
        #expect(!text.replacingOccurrences(of: "\r\n", with: "").contains("\n"))
        let calendar = try ICalendar.read(text)
        #expect(calendar.name == "VCALENDAR")
        #expect(calendar["VERSION"]?.value == "2.0")
        #expect(calendar["METHOD"]?.value == "PUBLISH")
        #expect(calendar.components.count == 2)
        let first = calendar.components[0]
        #expect(first["UID"]?.value == "a-008@sasurai")
        #expect(first["DTSTAMP"]?.value == "20261130T005320Z")
        #expect(first["DTSTART"] == ICalendar.Property("DTSTART", "20260501", parameters: ["VALUE": "DATE"]))
        #expect(first["DTEND"] == ICalendar.Property("DTEND", "20260506", parameters: ["VALUE": "DATE"]))
        #expect(first["SUMMARY"]?.value == "Stay in 南砺市")
        #expect(ICalendar.unescape(first["LOCATION"]!.value) == "五箇山ゲストハウス, 南砺市")
        #expect(ICalendar.unescape(first["DESCRIPTION"]!.value)
                == "5 nights at 五箇山ゲストハウス.\nWork: 城端曳山祭 準備・運営, 5 days.\nConfirmed.\nApplication a-008.")
        #expect(first["STATUS"]?.value == "CONFIRMED")
        let second = calendar.components[1]
        #expect(second["STATUS"]?.value == "TENTATIVE")
        #expect(second["SUMMARY"]?.value == "Stay in 南砺市 (offered)")
    }

    @Test func readerRefusesBrokenDocuments() {
        #expect(throws: ICalendar.SyntaxError.self) { try ICalendar.read("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nEND:VCALENDAR\r\n") }
        #expect(throws: ICalendar.SyntaxError.self) { try ICalendar.read(" continued\r\n") }
        #expect(throws: ICalendar.SyntaxError.self) { try ICalendar.read("BEGIN:VCALENDAR\r\nno colon\r\nEND:VCALENDAR\r\n") }
    }
}

@Suite struct MonthCalendarTests {
    @Test func rendersFillPerNightWithWideNamesAligned() {
        let calendar = MonthCalendar(
            townName: "南砺市", townID: "nanto", nightlyCap: 3, year: 2026, month: 2,
            accommodations: [
                .init(id: "gh1", name: "五箇山ゲストハウス", beds: 2, open: nil),
                .init(id: "barn", name: "barn", beds: 1, open: [DayRange(from: Day(iso: "2026-02-10")!, to: Day(iso: "2026-03-01")!)]),
            ],
            slots: [.init(id: "snow", title: "雪下ろし", seats: 1, window: DayRange(from: Day(iso: "2026-02-05")!, to: Day(iso: "2026-02-08")!))],
            stays: [
                .init(accommodation: "gh1", slot: "snow", nights: DayRange(arrival: Day(iso: "2026-02-03")!, nights: 4)),
                .init(accommodation: "gh1", slot: nil, nights: DayRange(arrival: Day(iso: "2026-02-05")!, nights: 2)),
                .init(accommodation: "barn", slot: nil, nights: DayRange(arrival: Day(iso: "2026-02-27")!, nights: 3)),
            ])
        #expect(calendar.render() == """
            南砺市 (nanto), February 2026

                                                              1                   2
                                            1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8
                                            S M T W T F S S M T W T F S S M T W T F S S M T W T F S
                                            ^           ^ ^           ^ ^           ^ ^           ^
            gh1 五箇山ゲストハウス   2 beds · · 1 1 F F · · · · · · · · · · · · · · · · · · · · · ·
            barn barn                1 beds x x x x x x x x x · · · · · · · · · · · · · · · · · F F
            labor slots
            snow 雪下ろし           1 seats x x x x F F · x x x x x x x x x x x x x x x x x x x x x

            whole town                cap 3 · · 1 1 2 2 · · · · · · · · · · · · · · · · · · · · 1 1

            guests or workers that night; · none  F full  x closed or outside the slot  ! over capacity  ^ weekend

            """)
    }

    @Test func cells() {
        #expect(MonthCalendar.cell(count: 0, capacity: 2, available: true) == " ·")
        #expect(MonthCalendar.cell(count: 1, capacity: 2, available: true) == " 1")
        #expect(MonthCalendar.cell(count: 2, capacity: 2, available: true) == " F")
        #expect(MonthCalendar.cell(count: 3, capacity: 2, available: true) == " !")
        #expect(MonthCalendar.cell(count: 0, capacity: 2, available: false) == " x")
        #expect(MonthCalendar.cell(count: 12, capacity: 20, available: true) == " +")
        #expect(MonthCalendar.range(year: 2026, month: 12)?.count == 31)
        #expect(MonthCalendar.range(year: 2028, month: 2)?.count == 29)
    }
}

@Suite struct ClientSettingsTests {
    @Test func serverAddresses() {
        #expect(ServerAddress("127.0.0.1:7878") == ServerAddress(host: "127.0.0.1", port: 7878))
        #expect(ServerAddress("sasurai.example.jp") == ServerAddress(host: "sasurai.example.jp", port: 7878))
        #expect(ServerAddress("[::1]:9000") == ServerAddress(host: "::1", port: 9000))
        #expect(ServerAddress("[::1]")?.description == "[::1]:7878")
        for bad in ["", ":7878", "host:0", "host:70000", "host:x", "::1:80", "[::1", "a b:1"] { #expect(ServerAddress(bad) == nil, "\(bad)") }
    }

    @Test func repliesAreParsed() throws {
        #expect(try ServerReply.parse("OK {\"pong\": true}") == .ok(JSONNode(.object([JSONMember(key: "pong", node: JSONNode(.bool(true), offset: 9))]))))
        #expect(try ServerReply.parse("ERR CONFLICT no bed in \"x\"") == .error(code: "CONFLICT", message: "no bed in \"x\""))
        #expect(throws: CommandFailure.self) { try ServerReply.parse("HTTP/1.1 400 Bad Request") }
        #expect(throws: CommandFailure.self) { try ServerReply.parse("OK {broken") }
    }

    @Test func refusalsSayTheCodeAndWhatToDo() {
        let stale = ClientSession.refusal(code: "STALE", message: "plan 3 was computed on state version 4; the state is now 5", command: "COMMIT")
        #expect(stale.message == "COMMIT refused: STALE plan 3 was computed on state version 4; the state is now 5 (the state changed since the plan was made; run 'sasurai plan run' again and commit the new plan)")
        #expect(stale.exitCode == .refused)
        #expect(ClientSession.refusal(code: "UNAUTHORIZED", message: "x", command: "TOWN").exitCode == .connection)
        #expect(ClientSession.refusal(code: "INVALID", message: "town: missing required field", command: "TOWN").message
                == "TOWN refused: INVALID town: missing required field (a planner names the town with --town)")
    }

    @Test func flagsBeatEnvironmentBeatTheLoginFile() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sasurai-settings-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = directory.appendingPathComponent("sasurai/config").path
        var file = ConfigFile()
        file.values = ["server": "file.example:1", "token": "from-file"]
        try file.write(to: config)
        let mode = try FileManager.default.attributesOfItem(atPath: config)[.posixPermissions] as? NSNumber
        #expect(mode?.intValue == 0o600)
        #expect(try ConfigFile.read(config).values == file.values)

        let none = ParsedArguments(positionals: [], values: ["--config": config], flags: [])
        let fromFile = try ClientSettings.resolve(none, environment: [:])
        #expect(fromFile.server == ServerAddress(host: "file.example", port: 1))
        #expect(fromFile.token == "from-file")
        let fromEnvironment = try ClientSettings.resolve(none, environment: ["SASURAI_SERVER": "env.example:2", "SASURAI_TOKEN": "from-env\n"])
        #expect(fromEnvironment.server == ServerAddress(host: "env.example", port: 2))
        #expect(fromEnvironment.token == "from-env")
        #expect(fromEnvironment.serverSource == "SASURAI_SERVER")
        let flags = ParsedArguments(positionals: [], values: ["--config": config, "--server": "flag.example:3"], flags: [])
        #expect(try ClientSettings.resolve(flags, environment: ["SASURAI_SERVER": "env.example:2"]).server == ServerAddress(host: "flag.example", port: 3))
        let bad = ParsedArguments(positionals: [], values: ["--config": config, "--server": "flag.example:port"], flags: [])
        #expect(throws: UsageError.self) { try ClientSettings.resolve(bad, environment: [:]) }

        try Data("server = a:1\ncolour = blue\n".utf8).write(to: URL(fileURLWithPath: config))
        #expect(throws: CommandFailure.self) { try ConfigFile.read(config) }
    }

    @Test func requestKeysAreFreshIds() throws {
        let keys = (0..<100).map { _ in ClientSession.newRequestKey() }
        #expect(Set(keys).count == 100)
        for key in keys {
            #expect(key.count == 32)
            try ParsedArguments.checkIdentifier(key, "key")
        }
    }
}

@Suite struct PlanDifferenceTests {
    static func placement(_ town: String, _ arrival: String, slot: String? = nil) -> PlacementSummary {
        var text = #"{"town": "\#(town)", "accommodation": "\#(town)-1", "arrival": "\#(arrival)", "nights": 7, "slot": "#
        text += slot.map { "\"\($0)\"}" } ?? "null}"
        return PlacementSummary(try! JSONParser.parse(text))
    }

    @Test func gainsLossesAndMoves() {
        let before = ["a1": Self.placement("nanto", "2026-09-01"), "a2": Self.placement("wake", "2026-09-01"),
                      "a3": Self.placement("gojo", "2026-09-01")]
        let after = ["a1": Self.placement("nanto", "2026-09-01"), "a2": Self.placement("wake", "2026-09-02"),
                     "a4": Self.placement("nara", "2026-10-01", slot: "deer")]
        let changes = PlanDifference.compare(before: before, after: after)
        #expect(changes.map(\.application) == ["a2", "a3", "a4"])
        #expect(changes.map(\.kind) == [.moves, .loses, .gains])
        #expect(changes[2].after?.description == "nara / nara-1 2026-10-01 Thu +7 slot deer")
        #expect(PlanDifference.unchangedCount(before: before, after: after) == 1)
    }

    @Test func progressBar() {
        #expect(ProgressBar.line(elapsed: 5, total: 10, score: 123_456, bound: 130_000)
                == "  [████████████░░░░░░░░░░░░] 5.00 s of 10 s  best 123,456  gap 5.0%")
    }
}
