import Foundation
import SasuraiCore
import SasuraiProtocol
import Testing

/// Who may run what (PROTOCOL.md section 3): every command of `CommandTable.standard` sent by
/// each kind of caller, on a fresh connection each time.
@Suite struct RoleMatrixTests {
    /// The callers, in the order of the matrix's columns. "This" town and freelancer are nanto
    /// and f-1, which every scoped request names; the others are wake's host and f-2.
    enum Caller: CaseIterable {
        case nobody, host, otherHost, freelancer, otherFreelancer, planner

        var principal: Principal {
            switch self {
            case .nobody: return .anonymous
            case .host: return .host(TownID("nanto"))
            case .otherHost: return .host(TownID("wake"))
            case .freelancer: return .freelancer(FreelancerID("f-1"))
            case .otherFreelancer: return .freelancer(FreelancerID("f-2"))
            case .planner: return .planner
            }
        }
    }

    static let window = #""earliest": "2030-06-01", "latest": "2030-07-01", "nights": 4, "budget_per_night": 0"#

    /// For each command: a request acting for nanto or f-1 that changes nothing, and the reply
    /// code of each caller in `Caller` order. Requests that pass the role checks are chosen to
    /// fail harmlessly or to write what is already there.
    static let matrix: [String: (request: String, codes: String)] = [
        "PING": ("PING", "OK OK OK OK OK OK"),
        "HELLO": ("HELLO", "OK OK OK OK OK OK"),
        "AUTH": ("AUTH " + String(repeating: "0", count: 64),
                 "UNAUTHORIZED UNAUTHORIZED UNAUTHORIZED UNAUTHORIZED UNAUTHORIZED UNAUTHORIZED"),
        "WHOAMI": ("WHOAMI", "OK OK OK OK OK OK"),
        "QUIT": ("QUIT", "OK OK OK OK OK OK"),

        "TOWN": (#"TOWN {"town": "nanto"}"#, "UNAUTHORIZED OK FORBIDDEN FORBIDDEN FORBIDDEN OK"),
        "ACCOMMODATION PUT": (#"ACCOMMODATION PUT {"town": "nanto", "id": "nanto-gh", "name": "五箇山ゲストハウス", "kind": "guesthouse", "beds": 2, "price_per_night": 3000, "open": [["2030-04-01", "2030-12-01"]]}"#,
                              "UNAUTHORIZED OK FORBIDDEN FORBIDDEN FORBIDDEN OK"),
        "ACCOMMODATION LIST": (#"ACCOMMODATION LIST {"town": "nanto"}"#, "UNAUTHORIZED OK FORBIDDEN FORBIDDEN FORBIDDEN OK"),
        "ACCOMMODATION DELETE": (#"ACCOMMODATION DELETE {"town": "nanto", "id": "nanto-gh"}"#,
                                 "UNAUTHORIZED CONFLICT FORBIDDEN FORBIDDEN FORBIDDEN CONFLICT"),
        "SLOT PUT": (#"SLOT PUT {"town": "nanto", "id": "nanto-harvest", "title": "稲刈り", "skills": ["farming"], "from": "2030-09-01", "to": "2030-10-01", "seats": 1, "min_days": 3}"#,
                     "UNAUTHORIZED OK FORBIDDEN FORBIDDEN FORBIDDEN OK"),
        "SLOT LIST": (#"SLOT LIST {"town": "nanto"}"#, "UNAUTHORIZED OK FORBIDDEN FORBIDDEN FORBIDDEN OK"),
        "SLOT DELETE": (#"SLOT DELETE {"town": "nanto", "id": "nanto-harvest"}"#,
                        "UNAUTHORIZED CONFLICT FORBIDDEN FORBIDDEN FORBIDDEN CONFLICT"),
        "ROSTER": (#"ROSTER {"town": "nanto", "from": "2030-09-01", "to": "2030-10-01"}"#,
                   "UNAUTHORIZED OK FORBIDDEN FORBIDDEN FORBIDDEN OK"),
        "BOOK": (#"BOOK {"town": "nanto", "application": "b1", "accommodation": "nanto-gh", "arrival": "2030-09-10"}"#,
                 "UNAUTHORIZED CONFLICT FORBIDDEN FORBIDDEN FORBIDDEN CONFLICT"),
        "CANCEL": (#"CANCEL {"town": "nanto", "application": "ghost"}"#,
                   "UNAUTHORIZED FORBIDDEN FORBIDDEN FORBIDDEN FORBIDDEN NOT_FOUND"),

        "PROFILE": (#"PROFILE {"freelancer": "f-1"}"#, "UNAUTHORIZED FORBIDDEN FORBIDDEN OK FORBIDDEN OK"),
        "PROFILE PUT": (#"PROFILE PUT {"freelancer": "f-1", "name": "青山", "skills": ["farming"], "relocation": "considering"}"#,
                        "UNAUTHORIZED FORBIDDEN FORBIDDEN OK FORBIDDEN OK"),
        "APPLY": ("APPLY {\"freelancer\": \"f-1\", \(window), \"towns\": [\"atlantis\"]}",
                  "UNAUTHORIZED FORBIDDEN FORBIDDEN INVALID FORBIDDEN INVALID"),
        "APPLICATIONS": (#"APPLICATIONS {"freelancer": "f-1"}"#, "UNAUTHORIZED FORBIDDEN FORBIDDEN OK FORBIDDEN OK"),
        "WITHDRAW": (#"WITHDRAW {"freelancer": "f-1", "application": "ghost"}"#,
                     "UNAUTHORIZED FORBIDDEN FORBIDDEN FORBIDDEN FORBIDDEN NOT_FOUND"),
        "ACCEPT": (#"ACCEPT {"freelancer": "f-1", "application": "b1"}"#,
                   "UNAUTHORIZED FORBIDDEN FORBIDDEN CONFLICT FORBIDDEN CONFLICT"),
        "DECLINE": (#"DECLINE {"freelancer": "f-1", "application": "b1"}"#,
                    "UNAUTHORIZED FORBIDDEN FORBIDDEN CONFLICT FORBIDDEN CONFLICT"),
        "ITINERARY": (#"ITINERARY {"freelancer": "f-1"}"#, "UNAUTHORIZED FORBIDDEN FORBIDDEN OK FORBIDDEN OK"),

        "IMPORT": (#"IMPORT {"path": "/nonexistent/scenario.json"}"#, planner("NOT_FOUND")),
        "EXPORT": ("EXPORT", planner("OK")),
        "PLAN": (#"PLAN {"seconds": 0}"#, planner("INVALID")),
        "PLAN SHOW": (#"PLAN SHOW {"plan": 99}"#, planner("NOT_FOUND")),
        "PLAN LIST": ("PLAN LIST", planner("OK")),
        "COMMIT": (#"COMMIT {"plan": 99}"#, planner("NOT_FOUND")),
        "REPLAN": (#"REPLAN {"seconds": 0}"#, planner("INVALID")),
        "WHY": (#"WHY {"application": "b1"}"#, planner("OK")),
        "STATS": ("STATS", planner("OK")),
        "TOKEN ISSUE": (#"TOKEN ISSUE {"role": "host", "subject": "atlantis"}"#, planner("NOT_FOUND")),
        "TOKEN REVOKE": (#"TOKEN REVOKE {"id": 999}"#, planner("NOT_FOUND")),
        "TOKEN LIST": ("TOKEN LIST", planner("OK")),
        "AUDIT": ("AUDIT", planner("OK")),
        // The database file itself exists, so a backup onto it is refused.
        "BACKUP": (#"BACKUP {"path": "DATABASE"}"#, planner("CONFLICT")),
    ]

    static func planner(_ code: String) -> String {
        "UNAUTHORIZED FORBIDDEN FORBIDDEN FORBIDDEN FORBIDDEN " + code
    }

    /// What the role and scope checks answer, exactly, when they refuse `caller`; nil when
    /// `code` is not theirs (a host or freelancer refused for an object, not for the command).
    static func refusal(_ command: CommandSpec, _ caller: Caller, code: String) -> String? {
        guard command.role != .anyone, code == "UNAUTHORIZED" || code == "FORBIDDEN" else { return nil }
        let name = command.name.description
        let (holders, token): (String, String) = switch command.role {
        case .host: ("hosts and planners", "a host or planner token")
        case .freelancer: ("freelancers and planners", "a freelancer or planner token")
        default: ("planners", "a planner token")
        }
        switch caller {
        case .nobody: return "ERR UNAUTHORIZED \(name) needs \(token); send AUTH first"
        case _ where !caller.principal.satisfies(command.role): return "ERR FORBIDDEN \(name) is for \(holders)"
        case .otherHost: return #"ERR FORBIDDEN town "nanto" is not your town"#
        case .otherFreelancer: return #"ERR FORBIDDEN freelancer "f-1" is not you"#
        default: return nil
        }
    }

    /// `OK`, or the code of an `ERR` line.
    static func code(of reply: String) -> String {
        let words = reply.split(separator: " ", maxSplits: 2)
        return String(words.first == "ERR" && words.count > 1 ? words[1] : words.first ?? "")
    }

    @Test func everyCommandOfTheTableIsInTheMatrix() {
        let table = Set(CommandTable.standard.commands.map(\.name.description))
        #expect(table == Set(Self.matrix.keys))
        #expect(Self.matrix.values.allSatisfy { $0.codes.split(separator: " ").count == Caller.allCases.count })
    }

    @Test func eachCallerGetsItsCodeForEveryCommand() throws {
        let world = try World()
        defer { world.stop() }
        let running = world.running
        let tokens: [Caller: String?] = [
            .nobody: nil,
            .host: try running.issueToken(role: "host", subject: "nanto"),
            .otherHost: try running.issueToken(role: "host", subject: "wake"),
            .freelancer: try running.issueToken(role: "freelancer", subject: "f-1"),
            .otherFreelancer: try running.issueToken(role: "freelancer", subject: "f-2"),
            .planner: running.plannerToken,
        ]
        let before = try world.planner.send("EXPORT")
        var cells = 0
        for command in CommandTable.standard.commands {
            let name = command.name.description
            guard let row = Self.matrix[name] else { continue }
            let request = row.request.replacingOccurrences(of: "DATABASE", with: running.databasePath)
            for (caller, code) in zip(Caller.allCases, row.codes.split(separator: " ").map(String.init)) {
                let client = try tokens[caller]!.map { try running.connect(token: $0) } ?? running.connect()
                let reply = try client.send(request)
                #expect(Self.code(of: reply) == code, "\(name) as \(caller): \(reply)")
                if let refusal = Self.refusal(command, caller, code: code) {
                    #expect(reply == refusal, "\(name) as \(caller)")
                }
                client.close()
                cells += 1
            }
        }
        #expect(cells == CommandTable.standard.commands.count * Caller.allCases.count)
        // Nothing the matrix sent changed what the store holds.
        #expect(try world.planner.send("EXPORT") == before)
    }

    /// An object outside the caller's town or person is refused the same way whether it
    /// exists or not, so the reply reveals nothing about other towns and people.
    @Test func outOfScopeObjectsAreRefusedAsIfTheyDidNotExist() throws {
        let world = try World()
        defer { world.stop() }
        // Each request names an object of nanto or f-1 (X) from wake's host or f-2; "ghost" does not exist.
        let cases: [(client: LineClient, request: String, existing: String, refusal: String)] = [
            (world.wake, #"ACCOMMODATION DELETE {"id": "X"}"#, "nanto-gh", #"accommodation "X" is not in your town"#),
            (world.wake, #"SLOT DELETE {"id": "X"}"#, "nanto-harvest", #"slot "X" is not in your town"#),
            (world.wake, #"BOOK {"application": "p1", "accommodation": "X", "arrival": "2030-06-01"}"#, "nanto-sh",
             #"accommodation "X" is not in your town"#),
            (world.wake, #"BOOK {"application": "p1", "accommodation": "wake-vh", "arrival": "2030-09-01", "slot": "X"}"#,
             "nanto-harvest", #"slot "X" is not in your town"#),
            (world.wake, #"CANCEL {"application": "X"}"#, "b1", #"application "X" is not placed in your town"#),
            (world.f2, #"WITHDRAW {"application": "X"}"#, "b1", #"application "X" is not yours"#),
            (world.f2, #"ACCEPT {"application": "X"}"#, "b1", #"application "X" is not yours"#),
            (world.f2, #"DECLINE {"application": "X"}"#, "p6", #"application "X" is not yours"#),
        ]
        let before = try world.planner.send("EXPORT")
        for (client, request, existing, refusal) in cases {
            for id in [existing, "ghost"] {
                #expect(try client.send(request.replacingOccurrences(of: "X", with: id))
                            == "ERR FORBIDDEN " + refusal.replacingOccurrences(of: "X", with: id), "\(request) with \(id)")
            }
        }
        #expect(try world.planner.send("EXPORT") == before)
    }

    /// PROTOCOL.md section 1: role, then unknown fields, then the scope field, then the other
    /// parameters in order, then the request key, then rules joining fields, then the command.
    @Test func checksRunInTheDocumentedOrder() throws {
        let world = try World()
        defer { world.stop() }
        let anonymous = try world.running.connect()
        try converse([
            (anonymous, #"TOWN {"bogus": 1, "town": 7}"#, "ERR UNAUTHORIZED TOWN needs a host or planner token; send AUTH first"),
            (world.f1, #"TOWN {"bogus": 1, "town": 7}"#, "ERR FORBIDDEN TOWN is for hosts and planners"),
            (world.wake, #"TOWN {"town": "nanto", "bogus": 1}"#, "ERR INVALID bogus: unknown field; expected one of town"),
            (world.wake, #"ACCOMMODATION DELETE {"town": "nanto", "id": 7}"#, #"ERR FORBIDDEN town "nanto" is not your town"#),
            (world.wake, #"ACCOMMODATION DELETE {"town": 7}"#, "ERR INVALID town: expected an id, got 7"),
            (world.planner, #"ACCOMMODATION DELETE {"id": 7}"#, "ERR INVALID town: missing required field"),
            (world.planner, #"ROSTER {"town": "atlantis", "from": "x", "to": "2030-09-01"}"#,
             #"ERR INVALID from: "x" is not a date YYYY-MM-DD"#),
            (world.planner, #"ROSTER {"town": "atlantis", "from": "2030-09-10", "to": "2030-09-01"}"#,
             "ERR INVALID to: must be after from (2030-09-10)"),
            (world.f1, #"APPLY {"earliest": "2030-06-01", "latest": "2030-05-01", "nights": 4, "budget_per_night": 0, "request": "a b"}"#,
             #"ERR INVALID request: "a b" is not an id (1 to 64 characters of a-z A-Z 0-9 . _ -)"#),
            (world.f1, #"APPLY {"earliest": "2030-06-01", "latest": "2030-05-01", "nights": 4, "budget_per_night": 0, "request": "k"}"#,
             "ERR INVALID latest: must be after earliest (2030-06-01)"),
        ])
    }

    /// PROTOCOL.md 7.1: "A second AUTH replaces the role. A failed AUTH leaves the connection
    /// as anyone."
    @Test func aFailedAuthLeavesTheConnectionAsAnyone() throws {
        let world = try World()
        defer { world.stop() }
        try converse([
            (world.nanto, "WHOAMI", #"OK {"role": "host", "town": "nanto"}"#),
            (world.nanto, "AUTH " + world.tokens["wake"]!, #"OK {"role": "host", "town": "wake"}"#),
            (world.nanto, "AUTH " + String(repeating: "0", count: 64), "ERR UNAUTHORIZED unknown or revoked token"),
            (world.nanto, "WHOAMI", #"OK {"role": "anyone"}"#),
            (world.f1, "AUTH nothex", "ERR INVALID token: expected 64 lower-case hex digits"),
            (world.f1, "WHOAMI", #"OK {"role": "anyone"}"#),
        ])
    }
}
