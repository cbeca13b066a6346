import Testing
@testable import SasuraiCore

@Suite struct JSONParserTests {
    @Test func parsesEveryKindOfValue() throws {
        let node = try JSONParser.parse(#"{"a": [1, -2, 3.5, true, false, null, "x\n\u00e9\ud83d\ude00"], "b": {}}"#)
        guard case .object(let members) = node.value else { Issue.record("not an object"); return }
        #expect(members.map(\.key) == ["a", "b"])
        guard case .array(let elements) = members[0].node.value else { Issue.record("not an array"); return }
        #expect(elements.map(\.value) == [.integer(1), .integer(-2), .number("3.5"), .bool(true), .bool(false), .null,
                                          .string("x\né😀")])
    }

    @Test func keepsJapaneseText() throws {
        let node = try JSONParser.parse(#"["南砺市", "五箇山ゲストハウス"]"#)
        #expect(node.value == .array([JSONNode(.string("南砺市"), offset: 1), JSONNode(.string("五箇山ゲストハウス"), offset: 14)]))
    }

    @Test func acceptsAByteOrderMark() throws {
        let node = try JSONParser.parse([0xEF, 0xBB, 0xBF] + Array("[1]".utf8))
        #expect(node.value == .array([JSONNode(.integer(1), offset: 4)]))
    }

    @Test(arguments: [
        ("{\n  \"a\": 1,\n  \"b\" 2\n}", "line 3, column 7: unexpected character '2', expected ':' after key"),
        ("[1, 2", "line 1, column 6: unexpected end of input, expected ',' or ']'"),
        ("{\"a\": 1, \"a\": 2}", "line 1, column 10: duplicate key \"a\""),
        ("[01]", "line 1, column 3: invalid number: leading zero"),
        ("[1.]", "line 1, column 4: invalid number: expected a digit after '.'"),
        ("\"abc", "line 1, column 5: unterminated string"),
        ("[\"a\tb\"]", "line 1, column 4: control character 0x09 in string; escape it"),
        ("[\"\\x\"]", "line 1, column 4: invalid escape '\\x' in string"),
        ("[\"\\ud800\"]", "line 1, column 9: lone surrogate \\uD800 in string"),
        ("[1] [2]", "line 1, column 5: unexpected character '[' after the JSON value"),
        ("", "line 1, column 1: unexpected end of input, expected a value"),
        ("[tru]", "line 1, column 5: unexpected character ']', expected a value"),
        ("{1: 2}", "line 1, column 2: unexpected character '1', expected a string key"),
    ])
    func reportsSyntaxErrorsWithLineAndColumn(_ input: String, _ expected: String) {
        #expect(throws: JSONSyntaxError.self) { try JSONParser.parse(input) }
        do {
            _ = try JSONParser.parse(input)
        } catch {
            #expect(error.description == expected)
        }
    }

    @Test func refusesInvalidUTF8WithItsPlace() {
        let bytes: [UInt8] = Array("{\n \"name\": \"".utf8) + [0x93, 0xEC] + Array("\"}".utf8)
        do {
            _ = try JSONParser.parse(bytes)
            Issue.record("accepted invalid UTF-8")
        } catch {
            #expect(error.description == "line 2, column 11: not valid UTF-8 text: byte 0x93; save the file as UTF-8")
        }
    }

    @Test(arguments: [[0xC0, 0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xE3, 0x81], [0xFF]] as [[UInt8]])
    func refusesOverlongSurrogateAndTruncatedSequences(_ sequence: [UInt8]) {
        #expect(throws: JSONSyntaxError.self) { try JSONParser.parse([0x22] + sequence + [0x22]) }
    }

    @Test func refusesNestingBeyondTheLimit() {
        let deep = String(repeating: "[", count: JSONLimits.maximumDepth + 1) + String(repeating: "]", count: JSONLimits.maximumDepth + 1)
        let fine = String(repeating: "[", count: JSONLimits.maximumDepth) + String(repeating: "]", count: JSONLimits.maximumDepth)
        #expect(throws: JSONSyntaxError.self) { try JSONParser.parse(deep) }
        #expect(throws: Never.self) { try JSONParser.parse(fine) }
    }

    @Test func hugeIntegersAreKeptAsText() throws {
        let node = try JSONParser.parse("[99999999999999999999999]")
        #expect(node.value == .array([JSONNode(.number("99999999999999999999999"), offset: 1)]))
    }

    @Test func writerEscapesOnlyWhatItMust() {
        var writer = JSONWriter()
        writer.string("南砺 \"q\" \\ \n\u{01}")
        #expect(writer.text == #""南砺 \"q\" \\ \n\u0001""#)
    }

    @Test func writerOutputParsesBack() throws {
        let source = #"{"a": [1, "x\u0001y", {"b": null}], "c": true}"#
        let node = try JSONParser.parse(source)
        var writer = JSONWriter()
        writer.value(node)
        let again = try JSONParser.parse(writer.bytes)
        var second = JSONWriter()
        second.value(again)
        #expect(writer.bytes == second.bytes)
    }
}
