import Foundation
import Testing
import SasuraiCore
@testable import SasuraiCommandLine

/// Edges of the spreadsheet import and the calendar files beyond the main suites: what
/// Japanese Excel and calendar programs actually produce.
@Suite struct SpreadsheetEdgeTests {
    static let header = "id,name,kind,beds,price_per_night,open\n"

    static func problems(_ text: String) -> [String]? {
        guard case .failure(let failure) = CatalogFile.requests(text, catalog: .accommodation, scope: RequestObject()) else { return nil }
        return failure.lines
    }

    /// Japanese Excel saves "CSV" as CP932, whose NEC and IBM extensions are outside plain
    /// Shift_JIS; Foundation on Linux decodes them with CP932's mappings.
    @Test func decodesCP932Extensions() throws {
        // ① 髙 ～ − ㈱ in CP932.
        let bytes: [UInt8] = [0x87, 0x40, 0xFB, 0xFC, 0x81, 0x60, 0x81, 0x7C, 0x87, 0x8A]
        #expect(try CSVReader.decode(bytes, path: "f") == "①髙\u{FF5E}\u{FF0D}㈱")
    }

    @Test func importsAShiftJISFileWithTheYenSignAsByte5C() throws {
        // id,name,kind,beds,price_per_night / nanto-gh1,五箇山ゲストハウス,guesthouse,6,¥3,500
        var bytes = Array("id,name,kind,beds,price_per_night\r\nnanto-gh1,".utf8)
        bytes += [0x8C, 0xDC, 0x89, 0xD3, 0x8E, 0x52, 0x83, 0x51, 0x83, 0x58, 0x83, 0x67, 0x83, 0x6E, 0x83, 0x45, 0x83, 0x58]
        bytes += Array(",guesthouse,6,\"\\3,500\"\r\n".utf8)
        let text = try CSVReader.decode(bytes, path: "f")
        let rows = try CatalogFile.requests(text, catalog: .accommodation, scope: RequestObject()).get()
        #expect(rows.map(\.request.text) == [#"{"id": "nanto-gh1", "name": "五箇山ゲストハウス", "kind": "guesthouse", "beds": 6, "price_per_night": 3500}"#])
    }

    @Test func textThatIsNeitherUTF8NorShiftJISSaysHowToSaveIt() {
        // A lone Shift_JIS lead byte at the end cannot be decoded either way.
        #expect(throws: CommandFailure.self) { try CSVReader.decode([0x61, 0x2C, 0x93], path: "f") }
    }

    @Test func rowNumbersAreTheSpreadsheetsAfterALineBreakInsideACell() {
        let text = Self.header + "h1,\"宿\n離れ\",guesthouse,1,1,\nh2,b,guesthouse,ten,1,\n"
        // The spreadsheet shows h2 on row 3: a cell's line break does not start a row.
        #expect(Self.problems(text) == ["row 3, column D (beds): \"ten\" is not a whole number"])
    }

    @Test func rowsOfOnlySeparatorsAreEmptyRows() {
        // Excel and LibreOffice write formatted but empty rows at the end as bare commas.
        let text = Self.header + "h1,a,guesthouse,1,1,\r\n,,,,,\r\n,,,,,\r\n"
        #expect(Self.problems(text) == nil)
    }

    @Test func ambiguousGroupingIsRefused() {
        // `1,2` could be one point two written with a decimal comma; only groups of three are
        // thousands separators.
        let text = Self.header + "h1,a,guesthouse,\"1,2\",\"12,00\",\n"
        #expect(Self.problems(text) == ["row 2, column D (beds): \"1,2\" is not a whole number (separators go between groups of three digits)",
                                        "row 2, column E (price_per_night): \"12,00\" is not a whole number (separators go between groups of three digits)"])
        let grouped = Self.header + "h1,a,guesthouse,\" 1,000 \",\"¥1,234,567\",\n"
        #expect(Self.problems(grouped) == nil)
    }

    @Test func namesAreMeasuredAsTheServerMeasuresThem() {
        // 150 decomposed が (か + U+3099) are 150 characters but 300 Unicode scalars, and
        // text(200) counts scalars (SasuraiProtocol/ParameterSchema.swift).
        let name = String(repeating: "か\u{3099}", count: 150)
        #expect(Self.problems(Self.header + "h1,\"\(name)\",guesthouse,1,1,\n") != nil)
    }

    @Test func valuesUnderAColumnWithoutATitleAreNotDropped() {
        let text = "id,,name,kind,beds,price_per_night\nh1,lost,a,guesthouse,1,1\n"
        #expect(Self.problems(text) == ["row 2, column B: a value under a column without a title; give the column a title or clear it"])
    }

    @Test func openPeriodsTakeTheFormsOfTheFormatDocumented() throws {
        let text = Self.header + "h1,a,guesthouse,1,1,\" 2026/7/1 .. 2026/9/1 ;2026-12-20..2027-01-10\"\n"
        let rows = try CatalogFile.requests(text, catalog: .accommodation, scope: RequestObject()).get()
        #expect(rows.first?.request.text.hasSuffix(#""open": [["2026-07-01", "2026-09-01"], ["2026-12-20", "2027-01-10"]]}"#) == true)
        // The Japanese way of writing a period, 2026/07/01～2026/09/01, is not taken.
        #expect(Self.problems(Self.header + "h1,a,guesthouse,1,1,2026/07/01～2026/09/01\n")?.count == 1)
    }
}

@Suite struct CalendarFileEdgeTests {
    /// The lines of `text` as octets: each at most 75 and each whole UTF-8 on its own.
    static func checkPhysicalLines(_ text: String) {
        let bytes = Array(text.utf8)
        #expect(bytes.suffix(2) == [0x0D, 0x0A])
        var start = 0
        var index = 0
        while index + 1 < bytes.count {
            if bytes[index] == 0x0D {
                #expect(bytes[index + 1] == 0x0A, "a CR without LF at octet \(index)")
                let line = bytes[start..<index]
                #expect(line.count <= 75, "a line of \(line.count) octets")
                #expect(String(validating: line, as: UTF8.self) != nil, "a line cut inside a character")
                start = index + 2
                index += 2
            } else {
                #expect(bytes[index] != 0x0A, "an LF without CR at octet \(index)")
                index += 1
            }
        }
    }

    @Test func longJapaneseNamesFoldAndReadBack() throws {
        let accommodation = "世界遺産相倉合掌造り集落の茅葺き民家「なかや」, 離れ; 二階\\奥"
        let slot = "城端曳山祭の準備・運営と五箇山の雪囲い外し、合掌造りの屋根の葺き替え手伝い"
        let stays = try JSONParser.parse(#"""
            [{"application": "a-1", "town": "nanto", "accommodation": "h", "arrival": "2026-12-28", "nights": 7,
              "slot": "s", "labor_days": 4, "state": "offered", "source": "plan", "town_name": "南砺市",
              "accommodation_name": "\#(accommodation.replacingOccurrences(of: "\\", with: "\\\\"))", "slot_title": "\#(slot)",
              "departure": "2027-01-04"}]
            """#).arrayValue
        let text = ItineraryCalendar.icsText(freelancer: "f-1", stays: stays, stamp: Date(timeIntervalSince1970: 0))
        Self.checkPhysicalLines(text)
        let event = try #require(try ICalendar.read(text).components.first)
        #expect(event["DTSTART"]?.value == "20261228")
        #expect(event["DTEND"]?.value == "20270104")
        #expect(event["DTSTAMP"]?.value == "19700101T000000Z")
        #expect(ICalendar.unescape(try #require(event["LOCATION"]).value) == "\(accommodation), 南砺市")
        #expect(ICalendar.unescape(try #require(event["DESCRIPTION"]).value).contains("Work: \(slot), 4 days."))
    }

    @Test func foldingCountsOctetsOfFourByteCharacters() {
        // 𠮷 is four octets; 18 of them after "X:" reach octet 74, the 19th would pass 75.
        let line = "X:" + String(repeating: "𠮷", count: 40)
        let folded = ICalendar.fold(line)
        Self.checkPhysicalLines(folded + "\r\n")
        #expect(folded.components(separatedBy: "\r\n ").joined() == line)
    }

    @Test func readerTakesLinesFoldedWithATabAndBareLineFeeds() throws {
        let calendar = try ICalendar.read("BEGIN:VCALENDAR\nX-NAME:南砺\n\t市\nEND:VCALENDAR\n")
        #expect(calendar["X-NAME"]?.value == "南砺市")
    }

    @Test func quotedParameterValuesMayHoldColonsAndSemicolons() throws {
        // RFC 5545 3.2: a parameter value with ':' ';' or ',' is quoted, as calendar
        // programs write CN="Doe; J".
        let text = "BEGIN:VCALENDAR\r\nATTENDEE;CN=\"Doe: J\";ROLE=CHAIR:mailto:a@example.jp\r\nEND:VCALENDAR\r\n"
        let property = try ICalendar.read(text)["ATTENDEE"]
        #expect(property?.value == "mailto:a@example.jp")
        #expect(property?.parameters == ["CN": "Doe: J", "ROLE": "CHAIR"])
    }
}

@Suite struct MonthCalendarEdgeTests {
    /// Stays crossing into the month count from its first night; slot days are only the
    /// shared days of stay and window (MODEL.md rule 7).
    @Test func staysCrossingTheMonthAndSlotWindows() {
        let day = { (text: String) in Day(iso: text)! }
        let view = MonthCalendar(
            townName: "五箇山", townID: "gokayama", nightlyCap: 9, year: 2027, month: 1,
            accommodations: [.init(id: "h", name: "民宿", beds: 3, open: [DayRange(from: day("2026-12-01"), to: day("2027-01-04"))])],
            slots: [.init(id: "s", title: "雪下ろし", seats: 2, window: DayRange(from: day("2027-01-02"), to: day("2027-01-05")))],
            stays: [.init(accommodation: "h", slot: "s", nights: DayRange(arrival: day("2026-12-30"), nights: 5)),
                    .init(accommodation: "h", slot: nil, nights: DayRange(arrival: day("2027-01-01"), nights: 2))])
        let lines = view.render().split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        // Each day is two one-column characters, and no cell ends in a space, so a line's
        // last 62 characters are its 31 days.
        let cells = { (prefix: String) -> String? in lines.first { $0.hasPrefix(prefix) }.map { String($0.suffix(62)) } }
        // Night of Jan 1: two guests; Jan 2: two; Jan 3: one; closed from Jan 4.
        #expect(cells("h 民宿")?.hasPrefix(" 2 2 1 x x") == true)
        // The worker of the first stay holds a seat on Jan 2 and 3 only.
        #expect(cells("s 雪下ろし")?.hasPrefix(" x 1 1 · x") == true)
        for line in lines { #expect(DisplayWidth.of(line) <= 110, "\(line)") }
    }
}
