import Foundation
import Testing
import SasuraiProtocol

/// Malformed and hostile input over a real socket, one table row per case: the exact bytes,
/// whether they come before or after AUTH, every reply line they must get (docs/PROTOCOL.md
/// sections 1, 2, 5 and 6 give the texts), and what becomes of the connection. A connection
/// that stays open must still answer PING and keep its role; one that closes must answer
/// nothing more. One server serves the whole table, a fresh connection each row.
@Suite struct MalformedInputTests {
    /// Short enough that the unfinished-line row costs a second, long enough for a 1 MiB line.
    static let lineDeadlineSeconds = 1

    @Test func everyMalformedLineGetsItsReplyAndLeavesTheConnectionAsDocumented() throws {
        let running = try RunningServer { $0.lineDeadlineSeconds = Self.lineDeadlineSeconds }
        defer { running.stop() }
        let table = MalformedInputTable(plannerToken: running.plannerToken,
                                        lineDeadlineSeconds: Self.lineDeadlineSeconds).cases
        #expect(table.count >= 338, "cases were dropped from the table")
        #expect(Set(table.map(\.name)).count == table.count, "case names are unique")
        for item in table {
            if let issue = item.knownIssue {
                withKnownIssue(issue) {
                    try Self.run(item, on: running)
                }
            } else {
                do {
                    try Self.run(item, on: running)
                } catch {
                    Issue.record("\(item.name): \(error)")
                }
            }
        }
    }

    /// Sends one case's bytes on a new connection and checks the replies and the aftermath.
    static func run(_ item: MalformedCase, on running: RunningServer) throws {
        let client = try item.sender == .planner ? running.connect(token: nil) : running.connect()
        defer { client.close() }
        try client.write(item.bytes)
        for expected in item.replies {
            let reply = try client.readLine()
            #expect(reply == expected, "\(item.name)")
        }
        guard let role = item.roleAfterwards else {
            expectClosed(client, item.name)
            return
        }
        #expect(try client.send("PING") == #"OK {"pong": true}"#, "\(item.name): PING afterwards")
        #expect(try client.send("WHOAMI") == #"OK {"role": "\#(role)"}"#, "\(item.name): role afterwards")
    }

    /// A closed connection answers nothing more: a PING written now gets end of stream.
    static func expectClosed(_ client: LineClient, _ name: String) {
        try? client.write("PING\n")
        do {
            let extra = try client.readLine()
            Issue.record("\(name): the connection stayed open and answered \(extra)")
        } catch let failure as TestFailure
                    where failure.description == "connection closed" || failure.description.hasSuffix("errno \(ECONNRESET)") {
            // Closed, as expected.
        } catch {
            Issue.record("\(name): the connection was not closed: \(error)")
        }
    }
}

/// One row of the table.
struct MalformedCase {
    enum Sender { case anonymous, planner }

    /// What the connection is after the case: still open with a role (nil: as the sender
    /// was), or closed by the server.
    enum Afterwards { case kept, keptAs(String), closed }

    let name: String
    let sender: Sender
    /// Exactly what goes on the wire, LF included.
    let bytes: [UInt8]
    /// Every reply line, in order, without its LF.
    let replies: [String]
    let afterwards: Afterwards
    /// Set only where the server disagrees with docs/PROTOCOL.md: `replies` is what the
    /// document says, and the comment what the server does instead.
    var knownIssue: Comment?

    /// The role WHOAMI must show afterwards; nil when the connection must be closed.
    var roleAfterwards: String? {
        switch afterwards {
        case .kept: return sender == .planner ? "planner" : "anyone"
        case .keptAs(let role): return role
        case .closed: return nil
        }
    }

    func disagreeing(_ issue: Comment) -> MalformedCase {
        var copy = self
        copy.knownIssue = issue
        return copy
    }
}

/// The rows, grouped as docs/PROTOCOL.md orders its checks.
struct MalformedInputTable {
    let plannerToken: String
    let lineDeadlineSeconds: Int

    var cases: [MalformedCase] {
        framing + lineLength + forbiddenBytes + invalidUTF8 + http + verbs + jsonShape + jsonSyntax
            + jsonDepth + hugeNumbers + wrongTypes + fieldsAndRules + authentication
    }

    // MARK: Building rows

    /// A line's bytes with its LF.
    private func line(_ text: String) -> [UInt8] { Array(text.utf8) + [0x0A] }

    private func row(_ name: String, _ sender: MalformedCase.Sender, _ bytes: [UInt8], _ replies: [String],
                     _ afterwards: MalformedCase.Afterwards) -> MalformedCase {
        MalformedCase(name: name, sender: sender, bytes: bytes, replies: replies, afterwards: afterwards)
    }

    /// Sent before any AUTH; the connection stays open as anyone.
    private func before(_ name: String, _ bytes: [UInt8], _ reply: String) -> MalformedCase {
        row(name, .anonymous, bytes, [reply], .kept)
    }

    private func before(_ name: String, _ text: String, _ reply: String) -> MalformedCase {
        before(name, line(text), reply)
    }

    /// Sent after AUTH with the planner token; the connection stays open as planner.
    private func after(_ name: String, _ bytes: [UInt8], _ reply: String) -> MalformedCase {
        row(name, .planner, bytes, [reply], .kept)
    }

    private func after(_ name: String, _ text: String, _ reply: String) -> MalformedCase {
        after(name, line(text), reply)
    }

    private let pong = #"OK {"pong": true}"#
    private let planner = #"OK {"role": "planner"}"#
    private let httpRefusal = "ERR BAD_REQUEST this is a Sasurai line-protocol server, not an HTTP server"
    private let idRule = "is not an id (1 to 64 characters of a-z A-Z 0-9 . _ -)"
    private let kinds = "shared_house, guesthouse, vacant_house, homestay, coworking_stay"
    private let maxSafe = "9007199254740991"

    private func badRequest(_ column: Int, _ message: String) -> String {
        "ERR BAD_REQUEST column \(column): \(message)"
    }

    private func invalid(_ message: String) -> String { "ERR INVALID " + message }

    private func unknownCommand(_ message: String) -> String { "ERR UNKNOWN_COMMAND " + message }

    private func tooLarge(_ limit: Int) -> String { "ERR TOO_LARGE line exceeds \(limit) bytes" }

    /// `PING` padded with spaces to exactly `count` bytes before the LF.
    private func paddedPing(_ count: Int) -> [UInt8] {
        Array("PING".utf8) + [UInt8](repeating: 0x20, count: count - 4)
    }

    // MARK: Section 1: framing, blank lines

    private var framing: [MalformedCase] {
        [
            before("CRLF is accepted", Array("PING\r\n".utf8), pong),
            before("leading and trailing spaces are ignored", "   PING   ", pong),
            before("JSON right after the verb", "PING{}", pong),
            before("repeated spaces around an empty object", "PING   {   }   ", pong),
            before("empty line", [0x0A], "ERR BAD_REQUEST empty line"),
            before("line of spaces", "     ", "ERR BAD_REQUEST empty line"),
            before("CRLF alone is an empty line", [0x0D, 0x0A], "ERR BAD_REQUEST empty line"),
            after("space and CRLF after AUTH", [0x20, 0x0D, 0x0A], "ERR BAD_REQUEST empty line"),
            before("line starting with an object", #"{"a": 1}"#,
                   unknownCommand("missing command before the JSON object")),
            before("spaces then an object", "   {}", unknownCommand("missing command before the JSON object")),
            after("a lone brace", "{", unknownCommand("missing command before the JSON object")),
            row("line not finished within the deadline", .anonymous, Array("PING".utf8),
                ["ERR BAD_REQUEST line not finished within \(lineDeadlineSeconds) seconds"], .closed),
        ]
    }

    // MARK: Section 1 and 5: line length

    private var lineLength: [MalformedCase] {
        let anonymous = ProtocolLimits.maximumAnonymousLineBytes
        let authenticated = ProtocolLimits.maximumLineBytes
        let mebibyte = 1_048_576
        return [
            before("anonymous line at exactly 4096 bytes", paddedPing(anonymous) + [0x0A], pong),
            before("anonymous line of 4097 bytes", paddedPing(anonymous + 1) + [0x0A], tooLarge(anonymous)),
            before("anonymous 4096 bytes and CRLF: the CR is not counted", paddedPing(anonymous) + [0x0D, 0x0A], pong),
            before("anonymous 4097 bytes and CRLF", paddedPing(anonymous + 1) + [0x0D, 0x0A], tooLarge(anonymous)),
            before("anonymous 4096 letters are read and judged",
                   [UInt8](repeating: 0x41, count: anonymous) + [0x0A],
                   unknownCommand("unknown command \"" + String(repeating: "A", count: 64) + "…\"")),
            before("length is checked before bytes: 4097 NULs",
                   [UInt8](repeating: 0x00, count: anonymous + 1) + [0x0A], tooLarge(anonymous)),
            before("anonymous 5000-byte line, under the authenticated limit",
                   paddedPing(5_000) + [0x0A], tooLarge(anonymous)),
            before("anonymous 1 MiB line", [UInt8](repeating: 0x78, count: mebibyte) + [0x0A], tooLarge(anonymous)),
            before("1 MiB HTTP request line is only too large",
                   Array("GET /".utf8) + [UInt8](repeating: 0x61, count: mebibyte) + Array(" HTTP/1.1\r\n".utf8),
                   tooLarge(anonymous)),
            after("authenticated line at exactly 65536 bytes", paddedPing(authenticated) + [0x0A], pong),
            after("authenticated line of 65537 bytes", paddedPing(authenticated + 1) + [0x0A], tooLarge(authenticated)),
            after("authenticated 65536 bytes and CRLF", paddedPing(authenticated) + [0x0D, 0x0A], pong),
            after("authenticated 65537 bytes and CRLF", paddedPing(authenticated + 1) + [0x0D, 0x0A],
                  tooLarge(authenticated)),
            after("authenticated 1 MiB line", [UInt8](repeating: 0x78, count: mebibyte) + [0x0A], tooLarge(authenticated)),
            after("authenticated 1 MiB of 0xFF", [UInt8](repeating: 0xFF, count: mebibyte) + [0x0A],
                  tooLarge(authenticated)),
            row("two over-long lines get one reply each", .planner,
                [UInt8](repeating: 0x78, count: 70_000) + [0x0A] + [UInt8](repeating: 0x79, count: 70_000) + [0x0A],
                [tooLarge(authenticated), tooLarge(authenticated)], .kept),
            row("a 5000-byte line pipelined right after a successful AUTH", .anonymous,
                line("AUTH " + plannerToken) + paddedPing(5_000) + [0x0A], [planner, pong], .keptAs("planner")),
        ]
    }

    // MARK: Section 1: NUL, CR and control characters

    private var forbiddenBytes: [MalformedCase] {
        let bareCR = "carriage return inside the line; end lines with LF or CRLF"
        return [
            before("NUL alone", [0x00, 0x0A], badRequest(1, "NUL byte")),
            before("NUL after the verb", Array("PING".utf8) + [0x00, 0x0A], badRequest(5, "NUL byte")),
            after("NUL inside a JSON string", Array(#"PING {"a": "x"#.utf8) + [0x00] + Array(#"y"}"#.utf8) + [0x0A],
                  badRequest(14, "NUL byte")),
            before("NUL after two-character Japanese text", Array("南砺".utf8) + [0x00, 0x0A], badRequest(3, "NUL byte")),
            before("NUL inside an HTTP-looking line is reported first",
                   Array("GET /".utf8) + [0x00] + Array(" HTTP/1.1\r\n".utf8), badRequest(6, "NUL byte")),
            before("bare CR inside the verb", Array("PI\rNG\n".utf8), badRequest(3, bareCR)),
            before("bare CR at the start", Array("\rPING\n".utf8), badRequest(1, bareCR)),
            before("CR CR LF leaves one bare CR", Array("PING\r\r\n".utf8), badRequest(5, bareCR)),
            before("CR as a line end, then LF later", Array("PING\rPING\n".utf8), badRequest(5, bareCR)),
            after("CR, space, LF", Array("PING\r \n".utf8), badRequest(5, bareCR)),
            after("CR inside a JSON string", Array("PING {\"a\": \"\r\"}\n".utf8), badRequest(13, bareCR)),
            before("control 0x01 alone", [0x01, 0x0A], badRequest(1, "control character 0x01")),
            before("backspace", Array("PING".utf8) + [0x08, 0x0A], badRequest(5, "control character 0x08")),
            before("TAB between verb and JSON", Array("PING\t{}\n".utf8), badRequest(5, "control character 0x09")),
            before("vertical tab", Array("PING".utf8) + [0x0B, 0x0A], badRequest(5, "control character 0x0B")),
            before("form feed", Array("PING".utf8) + [0x0C, 0x0A], badRequest(5, "control character 0x0C")),
            before("terminal escape sequence", [0x1B] + Array("[2JPING\n".utf8), badRequest(1, "control character 0x1B")),
            after("unit separator inside a JSON string", Array("PING {\"a\": \"".utf8) + [0x1F] + Array("\"}\n".utf8),
                  badRequest(13, "control character 0x1F")),
            before("DEL", Array("PING".utf8) + [0x7F, 0x0A], badRequest(5, "control character 0x7F")),
            before("C1 control U+0080", Array("PING".utf8) + [0xC2, 0x80, 0x0A], badRequest(5, "control character U+0080")),
            before("C1 next line U+0085", Array("PING".utf8) + [0xC2, 0x85, 0x0A], badRequest(5, "control character U+0085")),
            after("C1 control U+009F inside a JSON string", Array("PING {\"a\": \"".utf8) + [0xC2, 0x9F] + Array("\"}\n".utf8),
                  badRequest(13, "control character U+009F")),
            before("C1 control after a multi-byte character", Array("あ".utf8) + [0xC2, 0x85, 0x0A],
                   badRequest(2, "control character U+0085")),
            before("leading spaces count in the column", [0x20, 0x20, 0x01, 0x0A], badRequest(3, "control character 0x01")),
            before("the first bad byte is reported", [0x01, 0x00, 0x0A], badRequest(1, "control character 0x01")),
            before("NUL before a control character", Array("PING ".utf8) + [0x00, 0x01, 0x0A], badRequest(6, "NUL byte")),
            before("no-break space is text, not a separator", Array("PING".utf8) + [0xC2, 0xA0, 0x0A],
                   unknownCommand("unknown command \"PING\u{A0}\"")),
            before("line separator U+2028 is escaped in the reply", Array("PING".utf8) + [0xE2, 0x80, 0xA8, 0x0A],
                   unknownCommand(#"unknown command "PING\u2028""#)),
            after(#"escaped control \u0001 in a key comes back escaped"#, #"PING {"\u0001": 1}"#,
                  invalid(#"\u0001: unknown field; PING takes no parameters"#)),
            after(#"escaped paragraph separator in a key comes back escaped"#, #"PING {"\u2029x": 1}"#,
                  invalid(#"\u2029x: unknown field; PING takes no parameters"#)),
        ]
    }

    // MARK: Section 1: invalid UTF-8

    private var invalidUTF8: [MalformedCase] {
        let ping = Array("PING ".utf8)
        func bad(_ column: Int, _ byte: String) -> String { badRequest(column, "invalid UTF-8 byte " + byte) }
        return [
            before("lone continuation byte", ping + [0x80, 0x0A], bad(6, "0x80")),
            before("overlong NUL C0 80", ping + [0xC0, 0x80, 0x0A], bad(6, "0xC0")),
            before("overlong C1 BF", ping + [0xC1, 0xBF, 0x0A], bad(6, "0xC1")),
            before("overlong three-byte E0 80 80", ping + [0xE0, 0x80, 0x80, 0x0A], bad(6, "0x80")),
            before("overlong four-byte F0 80 80 80", ping + [0xF0, 0x80, 0x80, 0x80, 0x0A], bad(6, "0x80")),
            before("surrogate ED A0 80", ping + [0xED, 0xA0, 0x80, 0x0A], bad(6, "0xA0")),
            before("surrogate ED BF BF", ping + [0xED, 0xBF, 0xBF, 0x0A], bad(6, "0xBF")),
            before("lead byte F5", ping + [0xF5, 0x80, 0x80, 0x80, 0x0A], bad(6, "0xF5")),
            before("past U+10FFFF F4 90 80 80", ping + [0xF4, 0x90, 0x80, 0x80, 0x0A], bad(6, "0x90")),
            before("byte FF", ping + [0xFF, 0x0A], bad(6, "0xFF")),
            before("UTF-16 byte-order mark", [0xFF, 0xFE] + Array("PING\n".utf8), bad(1, "0xFF")),
            before("two-byte sequence cut at the end of the line", ping + [0xC3, 0x0A], bad(6, "0xC3")),
            before("three-byte sequence cut at the end of the line", ping + [0xE3, 0x81, 0x0A], bad(6, "0xE3")),
            before("four-byte sequence cut at the end of the line", ping + [0xF0, 0x9F, 0x98, 0x0A], bad(6, "0xF0")),
            before("sequence cut before CRLF", ping + [0xE3, 0x81, 0x0D, 0x0A], bad(6, "0xE3")),
            after("sequence cut by an ASCII byte inside a JSON string",
                  Array("PING {\"a\": \"".utf8) + [0xC3, 0x28] + Array("\"}\n".utf8), bad(13, "0x28")),
            before("after two-character Japanese text", Array("南砺".utf8) + [0xFF, 0x0A], bad(3, "0xFF")),
            before("Latin-1 e-acute at the end", Array("caf".utf8) + [0xE9, 0x0A], bad(4, "0xE9")),
            before("Shift_JIS text", ping + [0x82, 0xA0, 0x0A], bad(6, "0x82")),
        ]
    }

    // MARK: Section 1: HTTP

    private var http: [MalformedCase] {
        func closes(_ name: String, _ sender: MalformedCase.Sender, _ text: String) -> MalformedCase {
            row(name, sender, Array(text.utf8), [httpRefusal], .closed)
        }
        return [
            closes("GET", .anonymous, "GET / HTTP/1.1\r\n"),
            closes("GET after AUTH", .planner, "GET /x HTTP/1.1\r\n"),
            closes("POST", .anonymous, "POST /api HTTP/1.0\n"),
            closes("HEAD", .anonymous, "HEAD / HTTP/1.1\r\n"),
            closes("OPTIONS", .anonymous, "OPTIONS * HTTP/1.1\r\n"),
            closes("CONNECT", .anonymous, "CONNECT example.com:443 HTTP/1.1\r\n"),
            closes("DELETE", .anonymous, "DELETE /x HTTP/1.1\r\n"),
            closes("HTTP line with extra spaces", .anonymous, "  GET   /   HTTP/1.1  \r\n"),
            closes("a whole HTTP request gets one reply", .anonymous,
                   "GET / HTTP/1.1\r\nHost: example.com\r\nUser-Agent: curl/8.0\r\n\r\n"),
            row("replies before the HTTP line are kept", .anonymous, Array("PING\nGET / HTTP/1.1\r\n".utf8),
                [pong, httpRefusal], .closed),
            closes("HTTP/2 connection preface", .anonymous, "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"),
            before("a bare GET is just an unknown command", "GET", unknownCommand(#"unknown command "GET""#)),
        ]
    }

    // MARK: Section 1: verbs and subverbs

    /// `unknown command "W"` for a word without quotes or controls, with the upper-case hint if any.
    private func unknownWord(_ word: String, hint: String? = nil) -> String {
        unknownCommand("unknown command \"\(word)\"" + (hint.map { "; commands are upper-case: " + $0 } ?? ""))
    }

    /// A line that is one word, not a command.
    private func notAVerb(_ name: String, _ word: String, hint: String? = nil) -> MalformedCase {
        before(name, word, unknownWord(word, hint: hint))
    }

    private var verbs: [MalformedCase] {
        let tokenTakes = "TOKEN takes ISSUE, REVOKE or LIST"
        return [
            notAVerb("lower-case verb", "ping", hint: "PING"),
            notAVerb("capitalized verb", "Ping", hint: "PING"),
            notAVerb("mixed-case verb", "wHoAmI", hint: "WHOAMI"),
            after("lower-case verb with a subverb", "token list", unknownWord("token", hint: "TOKEN")),
            notAVerb("dotless i upper-cases to a command", "pıng", hint: "PING"),
            notAVerb("unknown upper-case verb", "PONG"),
            notAVerb("verb with a digit", "PING2"),
            notAVerb("lower-case verb with a digit gets no hint", "ping2"),
            notAVerb("24-letter verb", "ABCDEFGHIJKLMNOPQRSTUVWX"),
            notAVerb("25-letter verb", "ACCOMMODATIONACCOMMODATIO"),
            before("100-letter verb is quoted in part", String(repeating: "A", count: 100),
                   unknownCommand("unknown command \"" + String(repeating: "A", count: 64) + "…\"")),
            notAVerb("full-width verb", "ＰＩＮＧ"),
            before("quote inside the verb", #"PI"NG"#, unknownCommand(#"unknown command "PI\"NG""#)),
            notAVerb("array as the verb", "[1]"),
            notAVerb("UTF-8 byte-order mark before the verb", "\u{FEFF}PING"),
            before("verb is checked before the JSON", "ping {bad",
                   unknownCommand(#"unknown command "ping"; commands are upper-case: PING"#)),
            before("unknown subverb", "TOKEN FOO", unknownCommand(#"unknown command "TOKEN FOO"; "# + tokenTakes)),
            before("missing subverb", "TOKEN", unknownCommand(#"unknown command "TOKEN"; "# + tokenTakes)),
            before("missing subverb before JSON", "TOKEN {}", unknownCommand(#"unknown command "TOKEN"; "# + tokenTakes)),
            before("missing subverb before a number", "TOKEN 5", unknownCommand(#"unknown command "TOKEN"; "# + tokenTakes)),
            before("lower-case subverb", "TOKEN list", unknownCommand(#"unknown command "TOKEN list"; "# + tokenTakes)),
            before("subverb on a verb without any", "PING PONG",
                   unknownCommand(#"unknown command "PING PONG"; PING takes no subcommand"#)),
            before("JSON literal where a subverb would stand", "PING true",
                   unknownCommand(#"unknown command "PING true"; PING takes no subcommand"#)),
            after("unknown subverb of a verb that also stands alone", "PLAN RUN",
                  unknownCommand(#"unknown command "PLAN RUN"; PLAN takes SHOW or LIST, or no subcommand"#)),
            before("ACCOMMODATION alone", "ACCOMMODATION",
                   unknownCommand(#"unknown command "ACCOMMODATION"; ACCOMMODATION takes PUT, LIST or DELETE"#)),
            after("unknown SLOT subverb with JSON", "SLOT GET {}",
                  unknownCommand(#"unknown command "SLOT GET"; SLOT takes PUT, LIST or DELETE"#)),
            before("unknown PROFILE subverb", "PROFILE GET",
                   unknownCommand(#"unknown command "PROFILE GET"; PROFILE takes PUT, or no subcommand"#)),
            after("a third word", "TOKEN LIST LIST", badRequest(12, "unexpected character 'L', expected a value")),
            before("two spaces before the subverb", "TOKEN  LIST",
                   "ERR UNAUTHORIZED TOKEN LIST needs a planner token; send AUTH first"),
        ]
    }

    // MARK: Section 1: something other than an object

    private var jsonShape: [MalformedCase] {
        func notObject(_ column: Int, _ kind: String) -> String {
            badRequest(column, "expected a JSON object, got " + kind)
        }
        return [
            before("array instead of an object", "PING [1]", notObject(6, "an array")),
            before("empty array", "HELLO []", notObject(7, "an array")),
            before("string instead of an object", #"PING "x""#, notObject(6, "a string")),
            after("string plan id instead of an object", #"PLAN SHOW "1""#, notObject(11, "a string")),
            before("number instead of an object", "PING 5", notObject(6, "a number")),
            before("negative number with exponent", "PING -1.5e3", notObject(6, "a number")),
            before("true after a subverb", "PLAN LIST true", notObject(11, "JSON text")),
            after("null after a subverb", "TOKEN LIST null", notObject(12, "JSON text")),
            before("UTF-8 byte-order mark before the object is skipped", "PING \u{FEFF}{}", pong),
        ]
    }

    // MARK: Section 1: JSON syntax

    /// A line whose JSON is refused (syntax or depth), answered `column C: <message>`.
    private func syntax(_ name: String, _ text: String, _ column: Int, _ message: String) -> MalformedCase {
        before(name, text, badRequest(column, message))
    }

    private var jsonSyntax: [MalformedCase] {
        [
            syntax("garbage after the object (the document's example)", #"PING {"a":1} x"#, 14, "unexpected character 'x' after the JSON value"),
            syntax("trailing comma", #"HELLO {"protocol": 1,}"#, 22, "unexpected character '}', expected a string key"),
            syntax("unquoted key", "HELLO {protocol: 1}", 8, "unexpected character 'p', expected a string key"),
            syntax("single-quoted key", "HELLO {'protocol': 1}", 8, "unexpected character ''', expected a string key"),
            syntax("missing closing brace", #"HELLO {"protocol": 1"#, 21, "unexpected end of input, expected ',' or '}'"),
            syntax("missing opening brace", #"HELLO "protocol": 1}"#, 17, "unexpected character ':' after the JSON value"),
            syntax("extra closing brace", #"HELLO {"protocol": 1}}"#, 22, "unexpected character '}' after the JSON value"),
            syntax("two objects", #"HELLO {"protocol": 1} {"protocol": 1}"#, 23, "unexpected character '{' after the JSON value"),
            syntax("two objects without a space", "PING {}{}", 8, "unexpected character '{' after the JSON value"),
            syntax("a word after an empty object", "PING {} x", 9, "unexpected character 'x' after the JSON value"),
            syntax("duplicate key", #"HELLO {"protocol": 1, "protocol": 1}"#, 23, #"duplicate key "protocol""#),
            syntax("duplicate key in a nested object, before the role check", #"PLAN {"weights": {"place": 1, "place": 2}}"#, 31, #"duplicate key "place""#),
            syntax("missing colon", #"HELLO {"protocol" 1}"#, 19, "unexpected character '1', expected ':' after key"),
            syntax("missing value", #"HELLO {"protocol": }"#, 20, "unexpected character '}', expected a value"),
            syntax("empty member", "PING {,}", 7, "unexpected character ',', expected a string key"),
            syntax("trailing comma in an array", #"PING {"a": [1, 2,]}"#, 18, "unexpected character ']', expected a value"),
            syntax("missing comma in an array", #"PING {"a": [1 2]}"#, 15, "unexpected character '2', expected ',' or ']'"),
            syntax("missing comma between members", #"PING {"a": 1 "b": 2}"#, 14, #"unexpected character '"', expected ',' or '}'"#),
            syntax("object cut after the colon", #"PING {"a":"#, 11, "unexpected end of input, expected a value"),
            syntax("lone opening brace after the verb", "PING {", 7, "unexpected end of input, expected a string key"),
            syntax("unterminated string", #"PING {"a": "abc}"#, 17, "unterminated string"),
            syntax("invalid escape", #"PING {"a\x": 1}"#, 10, #"invalid escape '\x' in string"#),
            syntax("short unicode escape", #"PING {"a": "\u12"}"#, 17, #"invalid \u escape: expected four hex digits"#),
            syntax("lone high surrogate escape", #"PING {"a": "\ud800"}"#, 19, #"lone surrogate \uD800 in string"#),
            syntax("lone low surrogate escape", #"PING {"a": "\udc00"}"#, 19, #"lone surrogate \uDC00 in string"#),
            syntax("True with a capital", #"HELLO {"protocol": True}"#, 20, "unexpected character 'T', expected a value"),
            syntax("truncated literal", #"HELLO {"protocol": tru}"#, 23, "unexpected character '}', expected a value"),
            syntax("columns count characters, not bytes", #"PING {"南": x}"#, 12, "unexpected character 'x', expected a value"),
            syntax("columns count leading spaces", "  PING {x}", 9, "unexpected character 'x', expected a string key"),
            syntax("JSON is checked before the role", "STATS {", 8, "unexpected end of input, expected a string key"),
        ]
    }

    // MARK: Section 1 and 5: nesting

    private var jsonDepth: [MalformedCase] {
        let tooDeep = "JSON nested deeper than 16 levels"
        let pingTakesNothing = invalid("a: unknown field; PING takes no parameters")
        func arrays(_ count: Int) -> String { String(repeating: "[", count: count) + String(repeating: "]", count: count) }
        func objects(_ count: Int) -> String {
            "PING " + String(repeating: #"{"a":"#, count: count) + "1" + String(repeating: "}", count: count)
        }
        return [
            before("16 levels: an object holding 15 arrays", #"PING {"a": "# + arrays(15) + "}", pingTakesNothing),
            syntax("17 levels: an object holding 16 arrays", #"PING {"a": "# + arrays(16) + "}", 27, tooDeep),
            before("16 nested objects", objects(16), pingTakesNothing),
            syntax("17 nested objects", objects(17), 86, tooDeep),
            syntax("17 levels never closed", #"PING {"a": "# + String(repeating: "[", count: 16), 27, tooDeep),
            syntax("2,000 levels within the anonymous limit", "PING " + arrays(2_000), 22, tooDeep),
            after("10,000 nested arrays", "PING " + arrays(10_000), badRequest(22, tooDeep)),
            after("10,000 nested objects", objects(10_000), badRequest(86, tooDeep)),
            before("brackets inside a string do not nest",
                   #"PING {"a": ""# + String(repeating: "[", count: 40) + #""}"#, pingTakesNothing),
            before("brackets after an escaped quote do not nest",
                   #"PING {"a": "\""# + String(repeating: "{", count: 40) + #""}"#, pingTakesNothing),
        ]
    }

    // MARK: Section 6: integers that are too large, negative zero, fractions

    private var hugeNumbers: [MalformedCase] {
        let planRange = "is out of range 1 to \(maxSafe)"
        let manyDigits = String(repeating: "9", count: 2_000)
        let cappedMessage = "limit: \(manyDigits) is out of range 1 to 1000"
        return [
            before("protocol 2 (the document's example)", #"HELLO {"protocol": 2}"#,
                   invalid("protocol: 2 is out of range 1 to 1")),
            before("protocol 1e400", #"HELLO {"protocol": 1e400}"#, invalid("protocol: expected an integer, got 1e400")),
            before("protocol -0 is zero", #"HELLO {"protocol": -0}"#, invalid("protocol: 0 is out of range 1 to 1")),
            before("protocol 1.0", #"HELLO {"protocol": 1.0}"#, invalid("protocol: expected an integer, got 1.0")),
            before("protocol 1e0", #"HELLO {"protocol": 1e0}"#, invalid("protocol: expected an integer, got 1e0")),
            before("protocol with 400 digits",
                   #"HELLO {"protocol": 1"# + String(repeating: "0", count: 399) + "}",
                   invalid("protocol: 1" + String(repeating: "0", count: 399) + " is out of range 1 to 1")),
            before("a long fraction is quoted in part",
                   #"HELLO {"protocol": 1."# + String(repeating: "0", count: 400) + "}",
                   invalid("protocol: expected an integer, got 1." + String(repeating: "0", count: 28) + "…")),
            syntax("leading zero", #"HELLO {"protocol": 01}"#, 21, "invalid number: leading zero"),
            syntax("plus sign", #"HELLO {"protocol": +1}"#, 20, "unexpected character '+', expected a value"),
            syntax("fraction without a leading digit", #"HELLO {"protocol": .5}"#, 20, "unexpected character '.', expected a value"),
            syntax("dot without digits", #"HELLO {"protocol": 1.}"#, 22, "invalid number: expected a digit after '.'"),
            syntax("exponent without digits", #"HELLO {"protocol": 1e}"#, 22, "invalid number: expected a digit in the exponent"),
            syntax("minus alone", #"HELLO {"protocol": -}"#, 21, "invalid number: expected a digit"),
            syntax("NaN", #"HELLO {"protocol": NaN}"#, 20, "unexpected character 'N', expected a value"),
            syntax("Infinity", #"HELLO {"protocol": Infinity}"#, 20, "unexpected character 'I', expected a value"),
            syntax("hexadecimal", #"HELLO {"protocol": 0x1}"#, 21, "unexpected character 'x', expected ',' or '}'"),
            after("plan id 2^53", #"PLAN SHOW {"plan": 9007199254740992}"#, invalid("plan: 9007199254740992 " + planRange)),
            after("plan id 2^53 - 1 is accepted", #"PLAN SHOW {"plan": 9007199254740991}"#, "ERR NOT_FOUND plan " + maxSafe),
            after("plan id 2^63 - 1", #"PLAN SHOW {"plan": 9223372036854775807}"#, invalid("plan: 9223372036854775807 " + planRange)),
            after("plan id 2^63", #"PLAN SHOW {"plan": 9223372036854775808}"#, invalid("plan: 9223372036854775808 " + planRange)),
            after("plan id 2^64", #"PLAN SHOW {"plan": 18446744073709551616}"#, invalid("plan: 18446744073709551616 " + planRange)),
            after("plan id -2^63", #"PLAN SHOW {"plan": -9223372036854775808}"#, invalid("plan: -9223372036854775808 " + planRange)),
            after("plan id 0", #"PLAN SHOW {"plan": 0}"#, invalid("plan: 0 " + planRange)),
            after("plan id -0", #"PLAN SHOW {"plan": -0}"#, invalid("plan: 0 " + planRange)),
            after("plan id 1.5", #"PLAN SHOW {"plan": 1.5}"#, invalid("plan: expected an integer, got 1.5")),
            after("plan id 1e400", #"PLAN SHOW {"plan": 1e400}"#, invalid("plan: expected an integer, got 1e400")),
            after("token id 2^53", #"TOKEN REVOKE {"id": 9007199254740992}"#, invalid("id: 9007199254740992 " + planRange)),
            after("a 2,000-digit number: the message is cut to 1,024 characters",
                  #"PLAN LIST {"limit": "# + manyDigits + "}", invalid(String(cappedMessage.prefix(1_023)) + "…")),
        ]
    }

    // MARK: Section 6: every parameter type given the wrong thing

    private var wrongTypes: [MalformedCase] {
        let delete = #"ACCOMMODATION DELETE {"town": "nanto", "id": "#
        let put = #"ACCOMMODATION PUT {"town": "nanto", "id": "h1", "#
        let fullPut = put + #""name": "x", "kind": "guesthouse", "beds": 1, "price_per_night": 0, "open": "#
        let roster = #"ROSTER {"town": "nanto", "from": "#
        let apply = #"APPLY {"freelancer": "f1", "earliest": "2026-07-01", "latest": "2026-07-15", "nights": 7, "#
        let slot = #"SLOT PUT {"town": "nanto", "id": "s1", "title": "x", "skills": "#
        let book = #"BOOK {"town": "nanto", "application": "a1", "accommodation": "h1", "arrival": "#
        let range = #"["2026-07-01", "2026-07-05"]"#
        return [
            // id
            after("id given a number", delete + "5}", invalid("id: expected an id, got 5")),
            after("id with a space (the document's example)", delete + #""a b"}"#, invalid(#"id: "a b" "# + idRule)),
            after("empty id", delete + #""""# + "}", invalid(#"id: "" "# + idRule)),
            after("65-character id", delete + "\"" + String(repeating: "x", count: 65) + "\"}",
                  invalid("id: \"" + String(repeating: "x", count: 64) + "…\" " + idRule)),
            after("id given null", delete + "null}", invalid("id: expected an id, got null")),
            after("id given an array", delete + #"["x"]}"#, invalid("id: expected an id, got an array")),
            after("id in Japanese", delete + #""南砺"}"#, invalid(#"id: "南砺" "# + idRule)),
            after("id holding an escaped NUL", delete + #""x\u0000y"}"#, invalid(#"id: "x\u0000y" "# + idRule)),
            after("scope town given a number", #"ACCOMMODATION DELETE {"town": 5, "id": "x"}"#,
                  invalid("town: expected an id, got 5")),
            after("scope town with a slash", #"ACCOMMODATION DELETE {"town": "a/b", "id": "x"}"#,
                  invalid(#"town: "a/b" "# + idRule)),
            after("scope town given an object", #"TOWN {"town": {"id": "nanto"}}"#,
                  invalid("town: expected an id, got an object")),
            // text
            after("name given a number", put + #""name": 5}"#, invalid("name: expected a string, got 5")),
            after("empty name", put + #""name": ""}"#, invalid("name: must not be empty")),
            after("name of 201 characters", put + #""name": ""# + String(repeating: "a", count: 201) + #""}"#,
                  invalid("name: longer than 200 characters")),
            after("name of 200 three-byte characters is accepted",
                  put + #""name": ""# + String(repeating: "あ", count: 200) + #"", "kind": "hotel"}"#,
                  invalid(#"kind: "hotel" is not one of "# + kinds)),
            after("name of 201 three-byte characters", put + #""name": ""# + String(repeating: "あ", count: 201) + #""}"#,
                  invalid("name: longer than 200 characters")),
            after("reason given a number", #"CANCEL {"town": "nanto", "application": "a1", "reason": 5}"#,
                  invalid("reason: expected a string, got 5")),
            // one of
            after("kind hotel (the document's example)", put + #""name": "x", "kind": "hotel"}"#,
                  invalid(#"kind: "hotel" is not one of "# + kinds)),
            after("kind given a number", put + #""name": "x", "kind": 5}"#, invalid("kind: expected a string, got 5")),
            after("kind with a capital", put + #""name": "x", "kind": "Guesthouse"}"#,
                  invalid(#"kind: "Guesthouse" is not one of "# + kinds)),
            after("role admin", #"TOKEN ISSUE {"role": "admin"}"#,
                  invalid(#"role: "admin" is not one of planner, host, freelancer"#)),
            after("application state done", #"APPLICATIONS {"freelancer": "f1", "state": "done"}"#,
                  invalid(#"state: "done" is not one of pending, offered, confirmed, declined, withdrawn, expired, cancelled"#)),
            after("relocation given true", #"PROFILE PUT {"freelancer": "f1", "name": "x", "relocation": true}"#,
                  invalid("relocation: expected a string, got true")),
            // integer
            after("beds 20000 (the document's example)", put + #""name": "x", "kind": "guesthouse", "beds": 20000}"#,
                  invalid("beds: 20000 is out of range 0 to 10000")),
            after("beds given a string", put + #""name": "x", "kind": "guesthouse", "beds": "5"}"#,
                  invalid(#"beds: expected an integer, got "5""#)),
            after("beds -1", put + #""name": "x", "kind": "guesthouse", "beds": -1}"#,
                  invalid("beds: -1 is out of range 0 to 10000")),
            after("beds 1E2", put + #""name": "x", "kind": "guesthouse", "beds": 1E2}"#,
                  invalid("beds: expected an integer, got 1E2")),
            after("beds true", put + #""name": "x", "kind": "guesthouse", "beds": true}"#,
                  invalid("beds: expected an integer, got true")),
            after("price below -2^63", put + #""name": "x", "kind": "guesthouse", "beds": 1, "price_per_night": -9223372036854775809}"#,
                  invalid("price_per_night: -9223372036854775809 is out of range 0 to 10000000")),
            after("price 10000001", put + #""name": "x", "kind": "guesthouse", "beds": 1, "price_per_night": 10000001}"#,
                  invalid("price_per_night: 10000001 is out of range 0 to 10000000")),
            after("seconds 0", #"PLAN {"seconds": 0}"#, invalid("seconds: 0 is out of range 1 to 600")),
            after("seconds 601", #"PLAN {"seconds": 601}"#, invalid("seconds: 601 is out of range 1 to 600")),
            after("seed -1", #"REPLAN {"seed": -1}"#, invalid("seed: -1 is out of range 0 to \(maxSafe)")),
            after("offer hours 721", #"COMMIT {"plan": 1, "offer_hours": 721}"#, invalid("offer_hours: 721 is out of range 1 to 720")),
            after("limit 1001", #"PLAN LIST {"limit": 1001}"#, invalid("limit: 1001 is out of range 1 to 1000")),
            after("limit 0", #"PLAN LIST {"limit": 0}"#, invalid("limit: 0 is out of range 1 to 1000")),
            after("audit after -1", #"AUDIT {"after": -1}"#, invalid("after: -1 is out of range 0 to \(maxSafe)")),
            // boolean
            after("assignments given a string", #"PLAN SHOW {"plan": 1, "assignments": "true"}"#,
                  invalid(#"assignments: expected true or false, got "true""#)),
            after("revoked given 1", #"TOKEN LIST {"revoked": 1}"#, invalid("revoked: expected true or false, got 1")),
            after("revoked given null", #"TOKEN LIST {"revoked": null}"#, invalid("revoked: expected true or false, got null")),
            after("replace given yes", #"IMPORT {"path": "/x.json", "replace": "yes"}"#,
                  invalid(#"replace: expected true or false, got "yes""#)),
            // date
            after("date given a number", roster + #"20260701, "to": "2026-07-08"}"#,
                  invalid("from: expected a date YYYY-MM-DD, got 20260701")),
            after("30 February (the document's example)", roster + #""2026-02-30", "to": "2026-07-08"}"#,
                  invalid(#"from: "2026-02-30" is not a date YYYY-MM-DD"#)),
            after("date without zero padding", roster + #""2026-7-1", "to": "2026-07-08"}"#,
                  invalid(#"from: "2026-7-1" is not a date YYYY-MM-DD"#)),
            after("29 February of a common year", roster + #""2025-02-29", "to": "2026-07-08"}"#,
                  invalid(#"from: "2025-02-29" is not a date YYYY-MM-DD"#)),
            after("timestamp instead of a date", roster + #""2026-07-01T00:00:00Z", "to": "2026-07-08"}"#,
                  invalid(#"from: "2026-07-01T00:00:00Z" is not a date YYYY-MM-DD"#)),
            after("arrival given null", book + "null}", invalid("arrival: expected a date YYYY-MM-DD, got null")),
            // list
            after("towns given a string", apply + #""towns": "nanto"}"#, invalid(#"towns: expected an array, got "nanto""#)),
            after("six towns", apply + #""towns": ["a", "b", "c", "d", "e", "f"]}"#, invalid("towns: more than 5 elements")),
            after("a town twice (the document's example)", apply + #""towns": ["nanto", "nanto"]}"#,
                  invalid(#"towns[1]: duplicate "nanto""#)),
            after("town given a number", apply + #""towns": [5]}"#, invalid("towns[0]: expected an id, got 5")),
            after("second town not an id", apply + #""towns": ["ok", "a b"]}"#, invalid(#"towns[1]: "a b" "# + idRule)),
            after("kind hotel in a list", apply + #""kinds": ["hotel"]}"#, invalid(#"kinds[0]: "hotel" is not one of "# + kinds)),
            after("six kinds", apply + #""kinds": ["homestay", "homestay", "homestay", "homestay", "homestay", "homestay"]}"#,
                  invalid("kinds: more than 5 elements")),
            after("skill with a capital", slot + #"["Cooking"]}"#,
                  invalid(#"skills[0]: "Cooking" is not a skill (lower-case letters, digits and inner hyphens)"#)),
            after("skill given a number", slot + "[1]}", invalid("skills[0]: expected a skill, got 1")),
            after("skill starting with a hyphen", slot + #"["-a"]}"#,
                  invalid(#"skills[0]: "-a" is not a skill (lower-case letters, digits and inner hyphens)"#)),
            after("33 skills", slot + "[" + (1...33).map { "\"s\($0)\"" }.joined(separator: ", ") + "]}",
                  invalid("skills: more than 32 elements")),
            after("skills given an object", slot + #"{"a": 1}}"#, invalid("skills: expected an array, got an object")),
            after("a skill twice", #"PROFILE PUT {"freelancer": "f1", "name": "x", "skills": ["a", "a"]}"#,
                  invalid(#"skills[1]: duplicate "a""#)),
            // date range
            after("range of one date", fullPut + #"[["2026-07-01"]]}"#, invalid("open[0]: expected [from, to], got 1 elements")),
            after("range of no dates", fullPut + "[[]]}", invalid("open[0]: expected [from, to], got 0 elements")),
            after("range of three dates", fullPut + #"[["2026-07-01", "2026-07-05", "2026-07-09"]]}"#,
                  invalid("open[0]: expected [from, to], got 3 elements")),
            after("range ending before it starts", fullPut + #"[["2026-07-05", "2026-07-01"]]}"#,
                  invalid("open[0][1]: must be after open[0][0] (2026-07-05)")),
            after("range of numbers", fullPut + "[[1, 2]]}", invalid("open[0][0]: expected a date YYYY-MM-DD, got 1")),
            after("range given a date", fullPut + #"["2026-07-01"]}"#, invalid(#"open[0]: expected an array, got "2026-07-01""#)),
            after("range ending on 30 February", fullPut + #"[["2026-07-01", "2026-02-30"]]}"#,
                  invalid(#"open[0][1]: "2026-02-30" is not a date YYYY-MM-DD"#)),
            after("101 ranges", fullPut + "[" + Array(repeating: range, count: 101).joined(separator: ", ") + "]}",
                  invalid("open: more than 100 elements")),
            // nullable
            after("open given a string", fullPut + #""always"}"#, invalid(#"open: expected an array or null, got "always""#)),
            after("slot given a number (the document's example)", book + #""2026-07-01", "slot": 5}"#,
                  invalid("slot: expected an id or null, got 5")),
            after("slot not an id", book + #""2026-07-01", "slot": "a b"}"#, invalid(#"slot: "a b" "# + idRule)),
            after("team given a number", apply + #""budget_per_night": 0, "team": 7}"#,
                  invalid("team: expected an id or null, got 7")),
            after("team given false", apply + #""budget_per_night": 0, "team": false}"#,
                  invalid("team: expected an id or null, got false")),
            // object
            after("scenario given an array", #"IMPORT {"scenario": []}"#, invalid("scenario: expected an object, got an array")),
            after("scenario given a string", #"IMPORT {"scenario": "x"}"#, invalid(#"scenario: expected an object, got "x""#)),
            after("weights given a number", #"PLAN {"weights": 1}"#, invalid("weights: expected an object, got 1")),
            // path
            after("path given a number", #"BACKUP {"path": 5}"#, invalid("path: expected an absolute path, got 5")),
            after("relative path", #"BACKUP {"path": "backup.db"}"#, invalid(#"path: "backup.db" is not an absolute path"#)),
            after("empty path", #"BACKUP {"path": ""}"#, invalid(#"path: "" is not an absolute path"#)),
            after("path of 4097 bytes", #"BACKUP {"path": "/"# + String(repeating: "a", count: 4_096) + #""}"#,
                  invalid("path: longer than 4096 bytes")),
            after("path holding an escaped NUL", #"BACKUP {"path": "/tmp/a\u0000b"}"#, invalid("path: contains a NUL character")),
            after("path given null", #"EXPORT {"path": null}"#, invalid("path: expected an absolute path, got null")),
            after("relative import path", #"IMPORT {"path": "scenario.json"}"#,
                  invalid(#"path: "scenario.json" is not an absolute path"#)),
        ]
    }

    // MARK: Section 2: unknown and missing fields, rules, request keys, roles

    private var fieldsAndRules: [MalformedCase] {
        let applyDates = #"APPLY {"freelancer": "f1", "earliest": "2026-07-01", "latest": "2026-07-15", "#
        let slotWeek = #"SLOT PUT {"town": "nanto", "id": "s1", "title": "x", "from": "2026-07-01", "to": "2026-07-08", "seats": 1, "#
        let roster = #"ROSTER {"town": "nanto", "from": "2026-01-01", "to": "#
        return [
            before("field given to PING (the document's example)", #"PING {"x": 1}"#,
                   invalid("x: unknown field; PING takes no parameters")),
            before("field given to WHOAMI", #"WHOAMI {"verbose": true}"#,
                   invalid("verbose: unknown field; WHOAMI takes no parameters")),
            after("misspelt field lists the fields in order", #"ACCOMMODATION PUT {"idd": "x"}"#,
                  invalid("idd: unknown field; expected one of town, id, name, kind, beds, price_per_night, open, request")),
            after("request key on TOKEN ISSUE",
                  #"TOKEN ISSUE {"role": "host", "subject": "nanto", "request": "k1"}"#,
                  invalid("request: unknown field; expected one of role, subject, label")),
            after("misspelt scope field", #"TOWN {"twon": "nanto"}"#, invalid("twon: unknown field; expected one of town")),
            after("empty key", #"PING {"": 1}"#, invalid(": unknown field; PING takes no parameters")),
            after("100-character key", #"PING {""# + String(repeating: "k", count: 100) + #"": 1}"#,
                  invalid(String(repeating: "k", count: 63) + "…: unknown field; PING takes no parameters")),
            after("unknown field before missing ones", #"ACCOMMODATION DELETE {"town": "nanto", "zzz": 1}"#,
                  invalid("zzz: unknown field; expected one of town, id, request")),
            after("unknown field before wrong types", #"ACCOMMODATION DELETE {"town": 5, "id": 5, "zzz": 1}"#,
                  invalid("zzz: unknown field; expected one of town, id, request")),
            after("unknown field before the scope", #"TOWN {"x": 1}"#, invalid("x: unknown field; expected one of town")),
            after("planner without the scope", "TOWN", invalid("town: missing required field")),
            after("scope before the other fields", #"ACCOMMODATION DELETE {"id": 5}"#, invalid("town: missing required field")),
            after("missing id", #"ACCOMMODATION DELETE {"town": "nanto"}"#, invalid("id: missing required field")),
            after("missing plan without JSON", "PLAN SHOW", invalid("plan: missing required field")),
            after("missing name", #"ACCOMMODATION PUT {"town": "nanto", "id": "x"}"#, invalid("name: missing required field")),
            after("missing budget", applyDates + #""nights": 7}"#, invalid("budget_per_night: missing required field")),
            after("missing role", "TOKEN ISSUE {}", invalid("role: missing required field")),
            after("missing token id", "TOKEN REVOKE", invalid("id: missing required field")),
            after("host token without a subject", #"TOKEN ISSUE {"role": "host"}"#,
                  invalid("subject: required when role is host")),
            after("planner token with a subject", #"TOKEN ISSUE {"role": "planner", "subject": "x"}"#,
                  invalid("subject: not allowed when role is planner")),
            after("neither scenario nor path", "IMPORT {}", invalid("scenario: give exactly one of scenario, path")),
            after("both scenario and path", #"IMPORT {"scenario": {}, "path": "/x.json"}"#,
                  invalid("scenario: give exactly one of scenario, path")),
            after("nights that do not fit", applyDates + #""nights": 20, "budget_per_night": 0}"#,
                  invalid("nights: 20 nights do not fit between earliest and latest")),
            after("minimum days that do not fit", slotWeek + #""min_days": 10}"#,
                  invalid("min_days: 10 days do not fit between from and to")),
            after("slot ending before it starts", #"SLOT PUT {"town": "nanto", "id": "s1", "title": "x", "from": "2026-07-08", "to": "2026-07-01", "seats": 1}"#,
                  invalid("to: must be after from (2026-07-08)")),
            after("roster ending before it starts", #"ROSTER {"town": "nanto", "from": "2026-07-08", "to": "2026-07-01"}"#,
                  invalid("to: must be after from (2026-07-08)")),
            after("roster ending on its first day", roster + #""2026-01-01"}"#, invalid("to: must be after from (2026-01-01)")),
            after("roster of 732 nights", roster + #""2028-01-03"}"#, invalid("to: range of 732 nights is longer than 731")),
            after("roster of 800 nights (the document's example)", roster + #""2028-03-11"}"#,
                  invalid("to: range of 800 nights is longer than 731")),
            after("itinerary ending before it starts", #"ITINERARY {"freelancer": "f1", "from": "2026-07-08", "to": "2026-07-01"}"#,
                  invalid("to: must be after from (2026-07-08)")),
            after("request key with a space", #"ACCOMMODATION DELETE {"town": "nanto", "id": "x", "request": "a b"}"#,
                  invalid(#"request: "a b" "# + idRule)),
            after("request key given a number", #"ACCOMMODATION DELETE {"town": "nanto", "id": "x", "request": 5}"#,
                  invalid("request: expected an id, got 5")),
            after("parameters before the request key", #"ACCOMMODATION DELETE {"town": "nanto", "id": 5, "request": 5}"#,
                  invalid("id: expected an id, got 5")),
            after("request key before the joining rules", applyDates + #""nights": 20, "budget_per_night": 0, "request": ""}"#,
                  invalid(#"request: "" "# + idRule)),
            before("host command before AUTH", "TOWN", "ERR UNAUTHORIZED TOWN needs a host or planner token; send AUTH first"),
            before("role before unknown fields", #"STATS {"x": 1}"#,
                   "ERR UNAUTHORIZED STATS needs a planner token; send AUTH first"),
            before("role before wrong types", #"APPLY {"nights": 1e400}"#,
                   "ERR UNAUTHORIZED APPLY needs a freelancer or planner token; send AUTH first"),
            before("role before parameters of a subverb command", #"ACCOMMODATION PUT {"id": 5}"#,
                   "ERR UNAUTHORIZED ACCOMMODATION PUT needs a host or planner token; send AUTH first"),
        ]
    }

    // MARK: Sections 1, 3 and 7.1: AUTH garbage

    private var authentication: [MalformedCase] {
        let notHex = invalid("token: expected 64 lower-case hex digits")
        let unknown = "ERR UNAUTHORIZED unknown or revoked token"
        let closing = "ERR UNAUTHORIZED too many failed AUTH attempts; closing"
        let zeros = "AUTH " + String(repeating: "0", count: 64)
        func failed(_ name: String, _ sender: MalformedCase.Sender, _ text: String, _ reply: String) -> MalformedCase {
            row(name, sender, line(text), [reply], .keptAs("anyone"))
        }
        return [
            failed("AUTH without a token", .anonymous, "AUTH", invalid("token: missing required field")),
            failed("AUTH with an empty object", .anonymous, "AUTH {}", invalid("token: missing required field")),
            failed("AUTH with a word that is not hex", .anonymous, "AUTH nothex", notHex),
            failed("AUTH with 63 hex digits", .anonymous, "AUTH " + String(repeating: "a", count: 63), notHex),
            failed("AUTH with 65 hex digits", .anonymous, "AUTH " + String(repeating: "a", count: 65), notHex),
            failed("AUTH with upper-case hex", .anonymous, "AUTH " + String(repeating: "AB", count: 32), notHex),
            failed("AUTH with an unknown token", .anonymous, zeros, unknown),
            failed("a failed AUTH drops the planner's role", .planner, zeros, unknown),
            failed("a malformed AUTH drops the planner's role", .planner, "AUTH nothex", notHex),
            failed("AUTH with an unknown field", .anonymous, #"AUTH {"tok": "x"}"#,
                   invalid("tok: unknown field; expected one of token")),
            failed("AUTH token as a word and in JSON", .anonymous, #"AUTH abc {"token": "def"}"#,
                   invalid("token: given both as a word and in the JSON")),
            failed("AUTH token given a number", .anonymous, #"AUTH {"token": 5}"#, notHex),
            failed("AUTH token given null", .anonymous, #"AUTH {"token": null}"#, notHex),
            before("lower-case auth is not AUTH", "auth " + plannerToken,
                   unknownCommand(#"unknown command "auth"; commands are upper-case: AUTH"#)),
            before("AUTH with a word after the token", "AUTH " + plannerToken + " x",
                   badRequest(71, "unexpected character 'x', expected a value")),
            before("AUTH token followed by a TAB", "AUTH " + plannerToken + "\t", badRequest(70, "control character 0x09")),
            row("AUTH with the token in JSON right after the verb", .anonymous,
                line(#"AUTH{"token": ""# + plannerToken + #""}"#), [planner], .keptAs("planner")),
            row("five failed AUTH close the connection", .anonymous, Array(repeating: line(zeros), count: 5).flatMap { $0 },
                [unknown, unknown, unknown, unknown, closing], .closed),
            row("five failed AUTH of every kind", .anonymous,
                line("AUTH") + line("AUTH nothex") + line("AUTH {}") + line(zeros) + line(#"AUTH {"token": 5}"#),
                [invalid("token: missing required field"), notHex, invalid("token: missing required field"), unknown, closing],
                .closed),
            row("five failed AUTH after a planner's", .planner, Array(repeating: line(zeros), count: 5).flatMap { $0 },
                [unknown, unknown, unknown, unknown, closing], .closed),
            row("a successful AUTH does not reset the count", .planner,
                Array(repeating: line(zeros), count: 4).flatMap { $0 } + line("AUTH " + plannerToken) + line(zeros),
                [unknown, unknown, unknown, unknown, planner, closing], .closed),
        ]
    }
}
