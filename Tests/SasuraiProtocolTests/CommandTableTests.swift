import Foundation
import SasuraiCore
import Testing
@testable import SasuraiProtocol

let table = CommandTable.standard
let token = String(repeating: "ab", count: 32)

/// The reply line a request gets from the protocol layer alone: the resolved command's name
/// on success, else the exact ERR line.
func outcome(_ line: String, as principal: Principal = .planner) -> String {
    outcome(Array(line.utf8), as: principal)
}

func outcome(_ bytes: [UInt8], as principal: Principal = .planner) -> String {
    switch table.resolve(line: bytes, principal: principal) {
    case .success(let request): return "resolved \(request.name)"
    case .failure(let error): return Reply.error(error).text
    }
}

@Suite struct CommandTableTests {
    @Test func aLineNamesItsCommandHoweverItFails() {
        let named = { (line: String) in table.commandName(inLine: Array(line.utf8))?.description ?? "-" }
        #expect(named("  PLAN SHOW {broken") == "PLAN SHOW")
        #expect(named("PLAN {\"seconds\": 0}") == "PLAN")
        #expect(named("PLAN NOPE") == "PLAN")
        #expect(named("TOKEN") == "-")
        #expect(named("AUTH abc") == "AUTH")
        #expect(named("auth x") == "-")
        #expect(named("FROB") == "-")
        #expect(named("") == "-")
    }

    /// One valid request per command, as a planner sends it (scope fields given).
    static let validRequests: [String: String] = [
        "PING": "PING",
        "HELLO": #"HELLO {"protocol": 1}"#,
        "AUTH": "AUTH \(token)",
        "WHOAMI": "WHOAMI",
        "QUIT": "QUIT",
        "TOWN": #"TOWN {"town": "nanto"}"#,
        "ACCOMMODATION PUT": #"ACCOMMODATION PUT {"town": "nanto", "id": "nanto-gh1", "name": "五箇山ゲストハウス", "kind": "guesthouse", "beds": 6, "price_per_night": 3500, "open": [["2026-07-01", "2026-11-01"]], "request": "r-1"}"#,
        "ACCOMMODATION LIST": #"ACCOMMODATION LIST {"town": "nanto"}"#,
        "ACCOMMODATION DELETE": #"ACCOMMODATION DELETE {"town": "nanto", "id": "nanto-gh1"}"#,
        "SLOT PUT": #"SLOT PUT {"town": "nanto", "id": "persimmon", "title": "干し柿づくり", "skills": ["farming"], "from": "2026-10-15", "to": "2026-11-15", "seats": 4, "min_days": 5}"#,
        "SLOT LIST": #"SLOT LIST {"town": "nanto"}"#,
        "SLOT DELETE": #"SLOT DELETE {"town": "nanto", "id": "persimmon"}"#,
        "ROSTER": #"ROSTER {"town": "nanto", "from": "2026-09-01", "to": "2026-10-01"}"#,
        "BOOK": #"BOOK {"town": "nanto", "application": "a-1", "accommodation": "nanto-gh1", "arrival": "2026-09-10", "slot": null}"#,
        "CANCEL": #"CANCEL {"town": "nanto", "application": "a-1", "reason": "house flooded"}"#,
        "PROFILE": #"PROFILE {"freelancer": "f-1"}"#,
        "PROFILE PUT": #"PROFILE PUT {"freelancer": "f-1", "name": "青山", "skills": ["web-design"], "relocation": "considering"}"#,
        "APPLY": #"APPLY {"freelancer": "f-1", "earliest": "2026-09-01", "latest": "2026-11-30", "nights": 14, "towns": ["nanto", "wake"], "kinds": [], "budget_per_night": 4000, "labor": "preferred", "team": null}"#,
        "APPLICATIONS": #"APPLICATIONS {"freelancer": "f-1", "state": "offered"}"#,
        "WITHDRAW": #"WITHDRAW {"freelancer": "f-1", "application": "a-1"}"#,
        "ACCEPT": #"ACCEPT {"freelancer": "f-1", "application": "a-1"}"#,
        "DECLINE": #"DECLINE {"freelancer": "f-1", "application": "a-1"}"#,
        "ITINERARY": #"ITINERARY {"freelancer": "f-1", "from": "2026-01-01", "to": "2027-01-01"}"#,
        "IMPORT": #"IMPORT {"scenario": {"format": "sasurai-scenario/1", "towns": []}, "replace": true}"#,
        "EXPORT": #"EXPORT {"path": "/tmp/export.json"}"#,
        "PLAN": #"PLAN {"seed": 7, "seconds": 5, "weights": {"place": 1000}}"#,
        "PLAN SHOW": #"PLAN SHOW {"plan": 3, "assignments": true}"#,
        "PLAN LIST": #"PLAN LIST {"limit": 10}"#,
        "COMMIT": #"COMMIT {"plan": 3, "offer_hours": 48, "request": "commit-3"}"#,
        "REPLAN": #"REPLAN {"seconds": 10}"#,
        "WHY": #"WHY {"application": "a-1"}"#,
        "STATS": "STATS",
        "TOKEN ISSUE": #"TOKEN ISSUE {"role": "host", "subject": "nanto", "label": "南砺市 staff"}"#,
        "TOKEN REVOKE": #"TOKEN REVOKE {"id": 4}"#,
        "TOKEN LIST": #"TOKEN LIST {"revoked": true}"#,
        "AUDIT": #"AUDIT {"after": 100, "limit": 50}"#,
        "BACKUP": #"BACKUP {"path": "/var/backups/sasurai.db"}"#,
    ]

    @Test func everyCommandResolvesWithValidParameters() {
        #expect(Set(Self.validRequests.keys) == Set(table.commands.map(\.name.description)))
        for (name, line) in Self.validRequests {
            #expect(outcome(line) == "resolved \(name)", "\(line)")
        }
    }

    @Test func everyCommandIsInTheSpec() throws {
        let spec = try String(contentsOfFile: #filePath.replacingOccurrences(
            of: "Tests/SasuraiProtocolTests/CommandTableTests.swift", with: "docs/PROTOCOL.md"), encoding: .utf8)
        for command in table.commands {
            #expect(spec.contains("#### \(command.name)"), "\(command.name) has no section in PROTOCOL.md")
        }
    }

    @Test func commandsWithoutRequiredParametersResolveBare() {
        for command in table.commands where command.role == .anyone && command.wordParameter == nil {
            #expect(outcome(command.name.description, as: .anonymous) == "resolved \(command.name)")
        }
        #expect(outcome("STATS {}") == "resolved STATS")
        #expect(outcome("  PLAN  LIST  ") == "resolved PLAN LIST")
        #expect(outcome("PLAN LIST{\"limit\":1}") == "resolved PLAN LIST")
        #expect(outcome("PING{}") == "resolved PING")
    }

    @Test func resolvedParametersAreTyped() throws {
        let request = try table.resolve(line: Array(Self.validRequests["APPLY"]!.utf8), principal: .planner).get()
        #expect(request.scope == .freelancer("f-1"))
        #expect(request.parameters.integer("nights") == 14)
        #expect(request.parameters.day("earliest") == Day(iso: "2026-09-01"))
        #expect(request.parameters.strings("towns") == ["nanto", "wake"])
        #expect(request.parameters.identifier("freelancer", as: Freelancer.self) == nil, "the scope field is not a parameter")
        let accommodation = try table.resolve(line: Array(Self.validRequests["ACCOMMODATION PUT"]!.utf8), principal: .planner).get()
        #expect(accommodation.requestKey == "r-1")
        #expect(accommodation.parameters.dayRanges("open")?.count == 1)
        let auth = try table.resolve(line: Array("AUTH \(token)".utf8), principal: .anonymous).get()
        #expect(auth.parameters.string("token") == token)
    }

    @Test func lineLevelErrors() {
        #expect(outcome("") == "ERR BAD_REQUEST empty line")
        #expect(outcome("   ") == "ERR BAD_REQUEST empty line")
        #expect(outcome([0x50, 0x00, 0x4E]) == "ERR BAD_REQUEST column 2: NUL byte")
        #expect(outcome("PI\rNG") == "ERR BAD_REQUEST column 3: carriage return inside the line; end lines with LF or CRLF")
        #expect(outcome("PING\t{}") == "ERR BAD_REQUEST column 5: control character 0x09")
        #expect(outcome([0x50, 0x7F]) == "ERR BAD_REQUEST column 2: control character 0x7F")
        #expect(outcome([0x50, 0xC2, 0x85]) == "ERR BAD_REQUEST column 2: control character U+0085")
        #expect(outcome([0x50, 0x49, 0xFF]) == "ERR BAD_REQUEST column 3: invalid UTF-8 byte 0xFF")
        #expect(outcome([0x50, 0xC3, 0x28]) == "ERR BAD_REQUEST column 2: invalid UTF-8 byte 0x28")
        #expect(outcome([0x50, 0xED, 0xA0, 0x80]) == "ERR BAD_REQUEST column 2: invalid UTF-8 byte 0xA0")
        #expect(outcome([0x50, 0xC0, 0x80]) == "ERR BAD_REQUEST column 2: invalid UTF-8 byte 0xC0")
        #expect(outcome(Array("TOWN {\"town\": \"南砺\"}".utf8) + [0xE5]) == "ERR BAD_REQUEST column 20: invalid UTF-8 byte 0xE5")
        let http = table.resolve(line: Array("GET / HTTP/1.1".utf8), principal: .anonymous)
        #expect(http.failure == ProtocolError(.badRequest, "this is a Sasurai line-protocol server, not an HTTP server", closesConnection: true))
    }

    @Test func unknownCommands() {
        #expect(outcome("ping") == #"ERR UNKNOWN_COMMAND unknown command "ping"; commands are upper-case: PING"#)
        #expect(outcome("FLY") == #"ERR UNKNOWN_COMMAND unknown command "FLY""#)
        #expect(outcome("{}") == "ERR UNKNOWN_COMMAND missing command before the JSON object")
        #expect(outcome("TOKEN") == #"ERR UNKNOWN_COMMAND unknown command "TOKEN"; TOKEN takes ISSUE, REVOKE or LIST"#)
        #expect(outcome("TOKEN FOO {}") == #"ERR UNKNOWN_COMMAND unknown command "TOKEN FOO"; TOKEN takes ISSUE, REVOKE or LIST"#)
        #expect(outcome("TOKEN issue") == #"ERR UNKNOWN_COMMAND unknown command "TOKEN issue"; TOKEN takes ISSUE, REVOKE or LIST"#)
        #expect(outcome("PING PONG") == #"ERR UNKNOWN_COMMAND unknown command "PING PONG"; PING takes no subcommand"#)
        #expect(outcome("PLAN RUN") == #"ERR UNKNOWN_COMMAND unknown command "PLAN RUN"; PLAN takes SHOW or LIST, or no subcommand"#)
        let long = String(repeating: "A", count: ProtocolLimits.maximumWordBytes + 1)
        #expect(outcome(long).hasPrefix("ERR UNKNOWN_COMMAND unknown command"))
    }

    @Test func jsonErrors() {
        #expect(outcome("PING [1]") == "ERR BAD_REQUEST column 6: expected a JSON object, got an array")
        #expect(outcome("PING 12") == "ERR BAD_REQUEST column 6: expected a JSON object, got a number")
        #expect(outcome(#"PING "x""#) == "ERR BAD_REQUEST column 6: expected a JSON object, got a string")
        #expect(outcome("PING {} x") == "ERR BAD_REQUEST column 9: unexpected character 'x' after the JSON value")
        #expect(outcome("PING {\"a\": 1, \"a\": 2}") == "ERR BAD_REQUEST column 15: duplicate key \"a\"")
        #expect(outcome("PING {") == "ERR BAD_REQUEST column 7: unexpected end of input, expected a string key")
        #expect(outcome(#"WHY {"application": "\u0000"}"#) == #"ERR INVALID application: "\u0000" is not an id (1 to 64 characters of a-z A-Z 0-9 . _ -)"#)
    }

    @Test func jsonDepthAtNAndNPlusOne() {
        let depth = ProtocolLimits.maximumJSONDepth
        func nested(_ levels: Int) -> String {
            #"PLAN {"weights": "# + String(repeating: "[", count: levels - 2) + "{}" + String(repeating: "]", count: levels - 2) + "}"
        }
        #expect(outcome(nested(depth)) == "ERR INVALID weights: expected an object, got an array")
        #expect(outcome(nested(depth + 1)) == "ERR BAD_REQUEST column \(18 + depth - 1): JSON nested deeper than \(depth) levels")
        #expect(outcome(#"PLAN {"weights": {"place": "[[[[[[[[[[[[[[[[[[[[[["}}"#) == "resolved PLAN", "brackets in strings do not count")
    }

    @Test func roleChecks() {
        let host = Principal.host("nanto")
        let freelancer = Principal.freelancer("f-1")
        let principals: [Principal] = [.anonymous, host, freelancer, .planner]
        for command in table.commands {
            for principal in principals {
                let result = outcome(command.name.description, as: principal)
                if principal.satisfies(command.role) {
                    #expect(!result.hasPrefix("ERR UNAUTHORIZED") && !result.hasPrefix("ERR FORBIDDEN"), "\(command.name) as \(principal)")
                } else if principal == .anonymous {
                    #expect(result.hasPrefix("ERR UNAUTHORIZED \(command.name) needs "), "\(command.name)")
                } else {
                    #expect(result == "ERR FORBIDDEN \(command.name) is for \(command.role.holders)", "\(command.name) as \(principal)")
                }
            }
        }
        #expect(outcome("TOWN", as: .anonymous) == "ERR UNAUTHORIZED TOWN needs a host or planner token; send AUTH first")
        #expect(outcome("APPLY {}", as: .anonymous) == "ERR UNAUTHORIZED APPLY needs a freelancer or planner token; send AUTH first")
        #expect(outcome("COMMIT {\"plan\": 1}", as: host) == "ERR FORBIDDEN COMMIT is for planners")
        #expect(outcome("TOWN", as: freelancer) == "ERR FORBIDDEN TOWN is for hosts and planners")
        #expect(outcome("PROFILE", as: host) == "ERR FORBIDDEN PROFILE is for freelancers and planners")
        #expect(outcome("PING", as: host) == "resolved PING")
    }

    @Test func scope() throws {
        let host = Principal.host("nanto")
        #expect(try table.resolve(line: Array("TOWN".utf8), principal: host).get().scope == .town("nanto"))
        #expect(outcome(#"TOWN {"town": "nanto"}"#, as: host) == "resolved TOWN")
        #expect(outcome(#"TOWN {"town": "wake"}"#, as: host) == #"ERR FORBIDDEN town "wake" is not your town"#)
        #expect(outcome("TOWN", as: .planner) == "ERR INVALID town: missing required field")
        #expect(outcome(#"TOWN {"town": 3}"#, as: .planner) == "ERR INVALID town: expected an id, got 3")
        #expect(outcome(#"PROFILE {"freelancer": "f-2"}"#, as: .freelancer("f-1")) == #"ERR FORBIDDEN freelancer "f-2" is not you"#)
        #expect(outcome("PROFILE", as: .planner) == "ERR INVALID freelancer: missing required field")
        #expect(try table.resolve(line: Array("ITINERARY".utf8), principal: .freelancer("f-1")).get().scope == .freelancer("f-1"))
    }

    /// Each kind of bad parameter, with the exact line.
    @Test(arguments: [
        (#"ACCOMMODATION PUT {"town": "t", "id": "h", "name": "x", "kind": "hotel", "beds": 1, "price_per_night": 0}"#,
         "ERR INVALID kind: \"hotel\" is not one of shared_house, guesthouse, vacant_house, homestay, coworking_stay"),
        (#"ACCOMMODATION PUT {"town": "t", "id": "h", "name": "x", "kind": "homestay", "beds": 10001, "price_per_night": 0}"#,
         "ERR INVALID beds: 10001 is out of range 0 to 10000"),
        (#"ACCOMMODATION PUT {"town": "t", "id": "h", "name": "x", "kind": "homestay", "beds": -1, "price_per_night": 0}"#,
         "ERR INVALID beds: -1 is out of range 0 to 10000"),
        (#"ACCOMMODATION PUT {"town": "t", "id": "h", "name": "x", "kind": "homestay", "beds": 1.5, "price_per_night": 0}"#,
         "ERR INVALID beds: expected an integer, got 1.5"),
        (#"ACCOMMODATION PUT {"town": "t", "id": "h", "name": "x", "kind": "homestay", "beds": 99999999999999999999, "price_per_night": 0}"#,
         "ERR INVALID beds: 99999999999999999999 is out of range 0 to 10000"),
        (#"ACCOMMODATION PUT {"town": "t", "id": "h", "name": "x", "kind": "homestay", "beds": "3", "price_per_night": 0}"#,
         "ERR INVALID beds: expected an integer, got \"3\""),
        (#"ACCOMMODATION PUT {"town": "t", "id": "h", "name": "x", "kind": "homestay", "beds": 1}"#,
         "ERR INVALID price_per_night: missing required field"),
        (#"ACCOMMODATION PUT {"town": "t", "id": "h", "name": "", "kind": "homestay", "beds": 1, "price_per_night": 0}"#,
         "ERR INVALID name: must not be empty"),
        (#"ACCOMMODATION PUT {"town": "t", "id": "a b", "name": "x", "kind": "homestay", "beds": 1, "price_per_night": 0}"#,
         "ERR INVALID id: \"a b\" is not an id (1 to 64 characters of a-z A-Z 0-9 . _ -)"),
        (#"ACCOMMODATION PUT {"town": "t", "id": "h", "name": "x", "kind": "homestay", "beds": 1, "price_per_night": 0, "open": [["2026-07-01"]]}"#,
         "ERR INVALID open[0]: expected [from, to], got 1 elements"),
        (#"ACCOMMODATION PUT {"town": "t", "id": "h", "name": "x", "kind": "homestay", "beds": 1, "price_per_night": 0, "open": [["2026-07-01", "2026-07-01"]]}"#,
         "ERR INVALID open[0][1]: must be after open[0][0] (2026-07-01)"),
        (#"ACCOMMODATION PUT {"town": "t", "id": "h", "name": "x", "kind": "homestay", "beds": 1, "price_per_night": 0, "open": [["2026-02-30", "2026-07-01"]]}"#,
         "ERR INVALID open[0][0]: \"2026-02-30\" is not a date YYYY-MM-DD"),
        (#"ACCOMMODATION PUT {"town": "t", "id": "h", "name": "x", "kind": "homestay", "beds": 1, "price_per_night": 0, "open": null}"#,
         "resolved ACCOMMODATION PUT"),
        (#"ACCOMMODATION PUT {"town": "t", "nmae": "x"}"#,
         "ERR INVALID nmae: unknown field; expected one of town, id, name, kind, beds, price_per_night, open, request"),
        (#"PING {"x": 1}"#, "ERR INVALID x: unknown field; PING takes no parameters"),
        (#"SLOT PUT {"town": "t", "id": "s", "title": "x", "from": "2026-10-15", "to": "2026-10-10", "seats": 1}"#,
         "ERR INVALID to: must be after from (2026-10-15)"),
        (#"SLOT PUT {"town": "t", "id": "s", "title": "x", "from": "2026-01-01", "to": "2028-01-03", "seats": 1}"#,
         "ERR INVALID to: range of 732 nights is longer than 731"),
        (#"SLOT PUT {"town": "t", "id": "s", "title": "x", "from": "2026-01-01", "to": "2028-01-02", "seats": 1}"#,
         "resolved SLOT PUT"),
        (#"SLOT PUT {"town": "t", "id": "s", "title": "x", "from": "2026-10-15", "to": "2026-10-20", "seats": 1, "min_days": 6}"#,
         "ERR INVALID min_days: 6 days do not fit between from and to"),
        (#"SLOT PUT {"town": "t", "id": "s", "title": "x", "from": "2026-10-15", "to": "2026-10-20", "seats": 1, "min_days": 5}"#,
         "resolved SLOT PUT"),
        (#"SLOT PUT {"town": "t", "id": "s", "title": "x", "skills": ["Farming"], "from": "2026-10-15", "to": "2026-10-20", "seats": 1}"#,
         "ERR INVALID skills[0]: \"Farming\" is not a skill (lower-case letters, digits and inner hyphens)"),
        (#"SLOT PUT {"town": "t", "id": "s", "title": "x", "skills": ["a", "a"], "from": "2026-10-15", "to": "2026-10-20", "seats": 1}"#,
         "ERR INVALID skills[1]: duplicate \"a\""),
        (#"APPLY {"freelancer": "f", "earliest": "2026-09-01", "latest": "2026-09-10", "nights": 10, "budget_per_night": 0}"#,
         "ERR INVALID nights: 10 nights do not fit between earliest and latest"),
        (#"APPLY {"freelancer": "f", "earliest": "2026-09-01", "latest": "2026-09-10", "nights": 9, "budget_per_night": 0}"#,
         "resolved APPLY"),
        (#"APPLY {"freelancer": "f", "earliest": "2026-09-01", "latest": "2026-09-10", "nights": 9, "budget_per_night": 0, "towns": ["a", "b", "c", "d", "e", "f"]}"#,
         "ERR INVALID towns: more than 5 elements"),
        (#"APPLY {"freelancer": "f", "earliest": "2026-09-01", "latest": "2026-09-10", "nights": 9, "budget_per_night": 0, "labor": "maybe"}"#,
         "ERR INVALID labor: \"maybe\" is not one of required, preferred, none"),
        (#"APPLY {"freelancer": "f", "earliest": "2026-09-01", "latest": "2026-09-10", "nights": 9, "budget_per_night": 0, "team": 7}"#,
         "ERR INVALID team: expected an id or null, got 7"),
        (#"PLAN SHOW {"plan": 0}"#, "ERR INVALID plan: 0 is out of range 1 to 9007199254740991"),
        (#"PLAN SHOW {"plan": 1, "assignments": "yes"}"#, "ERR INVALID assignments: expected true or false, got \"yes\""),
        (#"PLAN {"seconds": 601}"#, "ERR INVALID seconds: 601 is out of range 1 to 600"),
        (#"PLAN {"seconds": 600}"#, "resolved PLAN"),
        (#"PLAN {"weights": []}"#, "ERR INVALID weights: expected an object, got an array"),
        (#"PLAN LIST {"limit": 1001}"#, "ERR INVALID limit: 1001 is out of range 1 to 1000"),
        (#"PLAN LIST {"limit": 1000}"#, "resolved PLAN LIST"),
        (#"COMMIT {"plan": 1, "offer_hours": 721}"#, "ERR INVALID offer_hours: 721 is out of range 1 to 720"),
        (#"COMMIT {"plan": 1, "request": "a b"}"#, "ERR INVALID request: \"a b\" is not an id (1 to 64 characters of a-z A-Z 0-9 . _ -)"),
        (#"HELLO {"protocol": 2}"#, "ERR INVALID protocol: 2 is out of range 1 to 1"),
        (#"IMPORT {}"#, "ERR INVALID scenario: give exactly one of scenario, path"),
        (#"IMPORT {"scenario": {}, "path": "/x"}"#, "ERR INVALID scenario: give exactly one of scenario, path"),
        (#"EXPORT {"path": "relative.json"}"#, "ERR INVALID path: \"relative.json\" is not an absolute path"),
        (#"TOKEN ISSUE {"role": "host"}"#, "ERR INVALID subject: required when role is host"),
        (#"TOKEN ISSUE {"role": "planner", "subject": "x"}"#, "ERR INVALID subject: not allowed when role is planner"),
        (#"TOKEN ISSUE {"role": "planner", "request": "k"}"#, "ERR INVALID request: unknown field; expected one of role, subject, label"),
        (#"TOKEN ISSUE {"role": "planner"}"#, "resolved TOKEN ISSUE"),
        (#"ITINERARY {"freelancer": "f", "from": "2026-02-01", "to": "2026-01-01"}"#, "ERR INVALID to: must be after from (2026-02-01)"),
        ("AUTH", "ERR INVALID token: missing required field"),
        ("AUTH abc", "ERR INVALID token: expected 64 lower-case hex digits"),
        ("AUTH \(token.uppercased())", "ERR INVALID token: expected 64 lower-case hex digits"),
        ("AUTH \(token) {\"token\": \"\(token)\"}", "ERR INVALID token: given both as a word and in the JSON"),
        ("AUTH {\"token\": \"\(token)\"}", "resolved AUTH"),
    ])
    func badParameters(line: String, expected: String) {
        #expect(outcome(line) == expected)
    }

    @Test func textLimitsAtNAndNPlusOne() {
        let base = #"CANCEL {"town": "t", "application": "a", "reason": ""#
        #expect(outcome(base + String(repeating: "村", count: 200) + "\"}") == "resolved CANCEL")
        #expect(outcome(base + String(repeating: "村", count: 201) + "\"}") == "ERR INVALID reason: longer than 200 characters")
        let id = String(repeating: "a", count: 64)
        #expect(outcome(#"WHY {"application": ""# + id + "\"}") == "resolved WHY")
        #expect(outcome(#"WHY {"application": ""# + id + "a\"}").hasPrefix("ERR INVALID application: "))
        let path = "/" + String(repeating: "p", count: ProtocolLimits.maximumPathBytes - 1)
        #expect(outcome(#"BACKUP {"path": ""# + path + "\"}") == "resolved BACKUP")
        #expect(outcome(#"BACKUP {"path": ""# + path + "p\"}") == "ERR INVALID path: longer than 4096 bytes")
    }

    @Test func registryChecksNamesAndRoles() throws {
        var registry = CommandRegistry<String>()
        try registry.register("PING", role: .anyone, "ping")
        #expect(throws: CommandRegistry<String>.RegistrationError.roleMismatch(command: "COMMIT", declared: .planner, given: .host)) {
            try registry.register("COMMIT", role: .host, "commit")
        }
        #expect(throws: CommandRegistry<String>.RegistrationError.unknownCommand("FLY")) {
            try registry.register("FLY", role: .anyone, "fly")
        }
        #expect(throws: CommandRegistry<String>.RegistrationError.duplicate("PING")) {
            try registry.register("PING", role: .anyone, "again")
        }
        #expect(registry.handler(for: CommandName("PING")) == "ping")
        #expect(registry.unregistered.count == table.commands.count - 1)
    }
}

extension Result {
    var failure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}

/// Arbitrary bytes must always get exactly one well-formed reply line, never a crash.
@Suite struct GarbageTests {
    @Test func randomLinesGetOneReplyLine() {
        var generator = SplitMix(seed: 7)
        let fragments: [[UInt8]] = [Array("PING".utf8), Array("AUTH ".utf8), Array(" {".utf8), Array("\"a\":".utf8),
                                    [0x00], [0x0D], [0xFF], [0xE3, 0x81], Array("[[[[".utf8), Array("}".utf8),
                                    Array("PLAN SHOW".utf8), Array("9".utf8), Array("\\u".utf8)]
        for _ in 0..<2_000 {
            var line: [UInt8] = []
            for _ in 0..<Int(generator.next() % 8) {
                line += fragments[Int(generator.next() % UInt64(fragments.count))]
            }
            for principal in [Principal.anonymous, .planner] {
                let reply: Reply
                switch table.resolve(line: line, principal: principal) {
                case .success: reply = .ok(Array("{}".utf8))
                case .failure(let error): reply = .error(error)
                }
                let bytes = reply.encoded
                #expect(bytes.firstIndex(of: 0x0A) == bytes.count - 1)
                #expect(!bytes.contains(0x0D) && !bytes.contains(0x00))
            }
        }
    }
}
