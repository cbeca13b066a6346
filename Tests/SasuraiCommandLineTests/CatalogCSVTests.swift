import Foundation
import Testing
import SasuraiCore
@testable import SasuraiCommandLine

/// Spreadsheet files: RFC 4180 framing, encodings, and row-and-column messages.
@Suite struct CatalogCSVTests {
    @Test func quotedFieldsDoubledQuotesAndLineBreaks() throws {
        let rows = try CSVReader.rows("a,\"b, c\",\"say \"\"hi\"\"\"\r\n\"two\nlines\",x,\r\n\r\nlast,row,end")
        #expect(rows.map(\.cells) == [["a", "b, c", "say \"hi\""], ["two\nlines", "x", ""], ["last", "row", "end"]])
        // Rows are numbered by record, as a spreadsheet shows them: the line break inside a
        // quoted cell does not start a row, the blank line does.
        #expect(rows.map(\.number) == [1, 2, 4])
    }

    @Test func framingMistakesNameTheRow() {
        #expect(throws: CSVReader.SyntaxError(row: 2, message: "a quoted field is never closed")) {
            try CSVReader.rows("a,b\n\"open,c\n")
        }
        #expect(throws: CSVReader.SyntaxError(row: 1, message: "a quote inside an unquoted field; quote the whole field and double the quote (\"\")")) {
            try CSVReader.rows("ab\"c,d\n")
        }
    }

    @Test func decodesUTF8WithOrWithoutBOMAndShiftJIS() throws {
        #expect(try CSVReader.decode(Array("南砺市".utf8), path: "f") == "南砺市")
        #expect(try CSVReader.decode([0xEF, 0xBB, 0xBF] + Array("南砺市".utf8), path: "f") == "南砺市")
        // 南砺市,¥ in Shift_JIS (CP932), as Japanese Excel saves "CSV".
        #expect(try CSVReader.decode([0x93, 0xEC, 0x93, 0x76, 0x8E, 0x73, 0x2C, 0x5C], path: "f") == "南砺市,\\")
    }

    static let scope = RequestObject([("town", .string("nanto"))])

    @Test func acceptsWhatSpreadsheetsWrite() throws {
        let text = " ID ,Name,kind,beds,Price,open\n nanto-a ,\"古民家, 離れ\",vacant_house,\"1,000\",￥3500,2026/7/1..2026/10/1; 2026-12-20..2027-01-10\nnanto-b,b,homestay,2,2500円,\n"
        let rows = try CatalogFile.requests(text, catalog: .accommodation, scope: Self.scope).get()
        #expect(rows.map(\.row) == [2, 3])
        #expect(rows[0].request.text == #"{"town": "nanto", "id": "nanto-a", "name": "古民家, 離れ", "kind": "vacant_house", "beds": 1000, "price_per_night": 3500, "open": [["2026-07-01", "2026-10-01"], ["2026-12-20", "2027-01-10"]]}"#)
        #expect(rows[1].request.text == #"{"town": "nanto", "id": "nanto-b", "name": "b", "kind": "homestay", "beds": 2, "price_per_night": 2500}"#)
    }

    @Test func everyProblemNamesItsRowAndColumn() {
        let text = "id,name,kind,beds,price_per_night,open\n"
            + "nanto a,x,hotel,10001,1,2026-09-01..2026-08-01\n"
            + ",y,guesthouse,1,-5,\n"
            + "nanto-c,z,guesthouse,1,1,\n"
            + "nanto-c,z,guesthouse,1,1,\n"
        guard case .failure(let failure) = CatalogFile.requests(text, catalog: .accommodation, scope: Self.scope) else {
            Issue.record("accepted a broken file")
            return
        }
        #expect(failure.lines == [
            "row 2, column A (id): \"nanto a\" is not an id (1 to 64 characters of a-z A-Z 0-9 . _ -)",
            "row 2, column C (kind): \"hotel\" is not one of shared_house, guesthouse, vacant_house, homestay, coworking_stay",
            "row 2, column D (beds): 10001 is out of range 0 to 10,000",
            "row 2, column F (open): in \"2026-09-01..2026-08-01\" the end must be after the start",
            "row 3, column A (id): missing; it is required",
            "row 3, column E (price_per_night): -5 is out of range 0 to 10,000,000",
            "row 5, column A (id): \"nanto-c\" is already on row 4",
        ])
    }

    @Test func headerProblemsComeFirst() {
        guard case .failure(let failure) = CatalogFile.requests("id,title,colour\n", catalog: .slot, scope: Self.scope) else {
            Issue.record("accepted a broken header")
            return
        }
        #expect(failure.lines == [
            "row 1, column C: unknown column \"colour\"; the columns are id, title, skills, from, to, seats, min_days",
            "row 1: no \"from\" column; it is required",
            "row 1: no \"to\" column; it is required",
            "row 1: no \"seats\" column; it is required",
        ])
        guard case .failure(let empty) = CatalogFile.requests("", catalog: .slot, scope: Self.scope) else { return }
        #expect(empty.lines == ["the file is empty; the first row names the columns: id, title, skills, from, to, seats, min_days"])
    }

    @Test func slotRulesJoiningFields() {
        let text = "id,title,skills,from,to,seats,min_days\n"
            + "s1,雪下ろし,snow-removal driving,2027-01-05,2027-02-28,3,7\n"
            + "s2,x,Farming,2027-01-05,2027-02-28,3,\n"
            + "s3,x,,2027-02-01,2027-01-01,3,\n"
            + "s4,x,,2027-01-01,2027-01-04,3,5\n"
        guard case .failure(let failure) = CatalogFile.requests(text, catalog: .slot, scope: Self.scope) else {
            Issue.record("accepted a broken file")
            return
        }
        #expect(failure.lines == [
            "row 3, column C (skills): \"Farming\" is not a skill (lower-case letters, digits and inner hyphens)",
            "row 4, column E (to): must be after from (2027-02-01)",
            "row 5, column G (min_days): 5 days do not fit between from and to",
        ])
        let good = try? CatalogFile.requests("id,title,skills,from,to,seats\ns1,雪下ろし,snow-removal;driving,2027-01-05,2027-02-28,3\n",
                                             catalog: .slot, scope: Self.scope).get()
        #expect(good?.first?.request.text == #"{"town": "nanto", "id": "s1", "title": "雪下ろし", "skills": ["snow-removal", "driving"], "from": "2027-01-05", "to": "2027-02-28", "seats": 3}"#)
    }

    @Test func atMostOneHundredProblems() {
        var text = "id,name,kind,beds,price_per_night\n"
        for row in 0..<150 { text += "a\(row),n,hotel,1,1\n" }
        guard case .failure(let failure) = CatalogFile.requests(text, catalog: .accommodation, scope: Self.scope) else { return }
        #expect(failure.lines.count == CatalogFile.maximumProblems)
    }

    @Test func spreadsheetColumnLetters() {
        #expect([0, 1, 25, 26, 27, 51, 52, 701, 702].map(spreadsheetColumn) == ["A", "B", "Z", "AA", "AB", "AZ", "BA", "ZZ", "AAA"])
    }

    @Test func exportedCSVImportsAgain() throws {
        let listed = try JSONParser.parse(#"[{"id": "h1", "town": "nanto", "name": "宿, 一", "kind": "guesthouse", "beds": 4, "price_per_night": 3500, "open": [["2026-04-15", "2026-11-30"], ["2027-01-05", "2027-03-20"]]}, {"id": "h2", "town": "nanto", "name": "b", "kind": "homestay", "beds": 1, "price_per_night": 0, "open": null}]"#)
        let csv = CatalogFile.csv(listed.arrayValue, catalog: .accommodation).render()
        #expect(csv == "id,name,kind,beds,price_per_night,open\r\nh1,\"宿, 一\",guesthouse,4,3500,2026-04-15..2026-11-30; 2027-01-05..2027-03-20\r\nh2,b,homestay,1,0,\r\n")
        let rows = try CatalogFile.requests(csv, catalog: .accommodation, scope: RequestObject()).get()
        #expect(rows.map(\.request.text) == [
            #"{"id": "h1", "name": "宿, 一", "kind": "guesthouse", "beds": 4, "price_per_night": 3500, "open": [["2026-04-15", "2026-11-30"], ["2027-01-05", "2027-03-20"]]}"#,
            #"{"id": "h2", "name": "b", "kind": "homestay", "beds": 1, "price_per_night": 0}"#,
        ])
    }
}
