import Foundation
import Testing
import SasuraiCommandLine

/// A server on a free port with the demo scenario, and the built `sasurai` client run as
/// each role would run it: its own login file, its own token.
final class ClientWorld {
    let directory: URL
    let server: ServerProcess

    init() throws {
        directory = try temporaryDirectory()
        server = try ServerProcess(databasePath: directory.appendingPathComponent("sasurai.db").path)
    }

    deinit {
        server.signal(SIGTERM)
        _ = server.waitForExit()
        try? FileManager.default.removeItem(at: directory)
    }

    var address: String { "127.0.0.1:\(server.port)" }
    var plannerTokenFile: String { server.databasePath + ".planner-token" }

    /// The environment of a person with their own home and login file; nothing inherited
    /// from the machine's SASURAI_* settings.
    func environment(_ person: String, extra: [String: String] = [:]) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("SASURAI_") }
        let home = directory.appendingPathComponent(person).path
        try? FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        environment["HOME"] = home
        environment["XDG_CONFIG_HOME"] = home + "/.config"
        environment.merge(extra) { $1 }
        return environment
    }

    /// Runs `sasurai` as `person`.
    func run(_ person: String, _ arguments: [String], extra: [String: String] = [:]) throws -> ProcessResult {
        try runProgram(sasuraiBinary, arguments, environment: environment(person, extra: extra))
    }

    /// Runs `sasurai` as `person` and expects success.
    @discardableResult
    func ok(_ person: String, _ arguments: [String], sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let result = try run(person, arguments)
        #expect(result.status == 0, "\(arguments): \(result.standardError)", sourceLocation: sourceLocation)
        return result.standardOutput
    }

    /// A planner logged in with the server's first token, the demo scenario imported.
    func plannerWithDemo() throws {
        try ok("planner", ["login", "--server", address, "--token-file", plannerTokenFile])
        try ok("planner", ["plan", "import", CommandLineEndToEndTests.demo])
    }

    /// Issues a token and logs `person` in with it.
    func login(_ person: String, role: String, subject: String) throws {
        let tokenFile = directory.appendingPathComponent("\(person).token").path
        try ok("planner", ["admin", "token", "issue", "--role", role, "--subject", subject, "--out", tokenFile])
        try ok(person, ["login", "--server", address, "--token-file", tokenFile])
    }
}

@Suite(.serialized) struct ClientEndToEndTests {
    @Test func loginWritesAPrivateFileAndWhoamiReadsIt() throws {
        let world = try ClientWorld()
        let login = try world.run("planner", ["login", "--server", world.address, "--token-file", world.plannerTokenFile])
        #expect(login.status == 0)
        let configPath = world.directory.appendingPathComponent("planner/.config/sasurai/config").path
        #expect(login.standardOutput == "Logged in to \(world.address) as planner.\nSaved to \(configPath) (mode 0600).\n")
        let attributes = try FileManager.default.attributesOfItem(atPath: configPath)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        #expect(try world.ok("planner", ["whoami"])
                == "server  \(world.address) (from \(configPath))\nrole    planner\ntoken   from \(configPath)\n")
        // The environment overrides the file.
        let anonymous = try world.run("planner", ["whoami", "--json"], extra: ["SASURAI_TOKEN": ""])
        #expect(anonymous.standardOutput == "{\"role\": \"planner\"}\n")
        try world.ok("planner", ["logout"])
        #expect(!FileManager.default.fileExists(atPath: configPath))
        // The token may come on standard input, so that it is never a command-line word.
        let piped = try runProgram(sasuraiBinary, ["login", "--server", world.address, "--token-file", "-"],
                                   input: try Data(contentsOf: URL(fileURLWithPath: world.plannerTokenFile)),
                                   environment: world.environment("planner"))
        #expect(piped.status == 0)
        #expect(try world.ok("planner", ["whoami"]).contains("role    planner\n"))
    }

    @Test func aHostsDay() throws {
        let world = try ClientWorld()
        try world.plannerWithDemo()
        try world.login("host", role: "host", subject: "nanto")

        // Beds from a spreadsheet: a BOM, CRLF, quoted names, yen with separators, slashed dates.
        let csv = world.directory.appendingPathComponent("beds.csv")
        try Data([0xEF, 0xBB, 0xBF] + Array(("id,name,kind,beds,price_per_night,open\r\n"
            + "nanto-barn,\"古民家, 離れ\",vacant_house,2,\"¥2,500\",2026/7/1..2026/10/1\r\n"
            + "nanto-hs2,相倉 民泊,homestay,1,3000,\r\n").utf8)).write(to: csv)
        #expect(try world.ok("host", ["host", "accommodation", "import", csv.path])
                == "Imported \(csv.path): 2 added, 0 replaced.\n")

        // A broken file: every problem with its row and column, and nothing imported.
        let broken = world.directory.appendingPathComponent("broken.csv")
        try Data("id,name,kind,beds,price_per_night\nnanto-x,x,hotel,ten,1\nnanto-barn,y,guesthouse,2,2\nnanto-barn,z,guesthouse,2,2\n".utf8).write(to: broken)
        let refused = try world.run("host", ["host", "accommodation", "import", broken.path])
        #expect(refused.status == 1)
        #expect(refused.standardError == """
            sasurai: \(broken.path): nothing imported; fix these 3 problems and import again:
              row 2, column C (kind): "hotel" is not one of shared_house, guesthouse, vacant_house, homestay, coworking_stay
              row 2, column D (beds): "ten" is not a whole number
              row 4, column A (id): "nanto-barn" is already on row 3

            """)

        // The list lines up Japanese names by display width.
        #expect(try world.ok("host", ["host", "accommodation", "list"]) == """
            id           name                               kind            beds  price/night  open
            nanto-barn   古民家, 離れ                       vacant_house       2       ¥2,500  2026-07-01..2026-10-01
            nanto-cw1    井波 木彫りの町コワーキングステイ  coworking_stay     3       ¥5,000  2026-04-01..2027-03-31
            nanto-gh1    五箇山ゲストハウス                 guesthouse         4       ¥3,500  2026-04-15..2026-11-30; 2027-01-05..2027-03-20
            nanto-hs1    城端 町家民泊                      homestay           2       ¥4,000  2026-04-01..2027-03-31
            nanto-hs2    相倉 民泊                          homestay           1       ¥3,000  always
            nanto-trial  南砺市 お試し移住住宅              vacant_house       3       ¥1,000  2026-04-01..2027-03-31

            """)
        // --csv gives back the columns the import takes.
        let exported = try world.ok("host", ["host", "accommodation", "list", "--csv"])
        #expect(exported.hasPrefix("id,name,kind,beds,price_per_night,open\r\nnanto-barn,\"古民家, 離れ\",vacant_house,2,2500,2026-07-01..2026-10-01\r\n"))

        // Book a pending application, see it on the roster and the calendar, cancel it.
        #expect(try world.ok("host", ["host", "book", "a-041", "--accommodation", "nanto-gh1", "--arrival", "2026-09-10"])
                == "Booked: a-041 in nanto-gh1 (nanto), 2026-09-10 Thu → 2026-09-20 Sun (10 nights), confirmed\n")
        let again = try world.run("host", ["host", "book", "a-041", "--accommodation", "nanto-gh1", "--arrival", "2026-09-10"])
        #expect(again.status == 1)
        #expect(again.standardError.hasPrefix("sasurai: BOOK refused: CONFLICT application \"a-041\" is confirmed, not pending"))
        let roster = try world.ok("host", ["host", "roster", "--from", "2026-09-01", "--to", "2026-10-01"])
        #expect(roster.contains("2026-09-10 Thu  2026-09-20 Sun      10  a-041        佐藤 美咲  nanto-gh1"))
        let calendar = try world.ok("host", ["host", "calendar", "--month", "2026-09"]).split(separator: "\n").map(String.init)
        #expect(calendar[0] == "南砺市 (nanto), September 2026")
        let guesthouse = try #require(calendar.first { $0.hasPrefix("nanto-gh1 ") })
        // Nights 10 to 19 hold one guest; the 9th and the 20th none.
        let cells = guesthouse.suffix(60)
        #expect(cells == " · · · · · · · · · 1 1 1 1 1 1 1 1 1 1 · · · · · · · · · · ·".suffix(60))
        #expect(try world.ok("host", ["host", "cancel", "a-041", "--reason", "roof repair"])
                == "Cancelled the stay of a-041; it is pending again and first in line for the next plan run.\n")

        // Another town is out of scope.
        let other = try world.run("host", ["host", "slot", "list", "--town", "wake"])
        #expect(other.status == 1)
        #expect(other.standardError.hasPrefix("sasurai: SLOT LIST refused: FORBIDDEN"))
    }

    @Test func aFreelancersDay() throws {
        let world = try ClientWorld()
        try world.plannerWithDemo()
        try world.login("visitor", role: "freelancer", subject: "f-001")
        try world.ok("planner", ["plan", "run", "--seconds", "2"])
        try world.ok("planner", ["plan", "commit", "1"])

        let listing = try world.ok("visitor", ["freelancer", "applications", "--json"])
        let applications = try JSONSerialization.jsonObject(with: Data(listing.utf8)) as! [String: Any]
        let offered = (applications["applications"] as! [[String: Any]]).filter { $0["state"] as? String == "offered" }
        let first = try #require(offered.first)
        let id = (first["application"] as! [String: Any])["id"] as! String
        let accepted = try world.ok("visitor", ["freelancer", "accept", id])
        #expect(accepted.hasPrefix("Accepted: \(id) in "))
        #expect(accepted.hasSuffix(", confirmed.\n"))

        // The itinerary as a calendar file that parses back to the same stays.
        let ics = world.directory.appendingPathComponent("trips.ics")
        try world.ok("visitor", ["freelancer", "itinerary", "--ics", ics.path])
        let text = try String(contentsOf: ics, encoding: .utf8)
        #expect(text.hasPrefix("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"))
        for line in text.components(separatedBy: "\r\n") { #expect(line.utf8.count <= 75) }
        let calendar = try ICalendar.read(text)
        let stays = try JSONSerialization.jsonObject(with: Data(try world.ok("visitor", ["freelancer", "itinerary", "--json"]).utf8)) as! [String: Any]
        let stayList = stays["stays"] as! [[String: Any]]
        #expect(calendar.components.count == stayList.count)
        for (event, stay) in zip(calendar.components, stayList) {
            #expect(event["UID"]?.value == "\(stay["application"] as! String)@sasurai")
            #expect(event["DTSTART"]?.value == (stay["arrival"] as! String).replacingOccurrences(of: "-", with: ""))
            #expect(event["DTSTART"]?.parameters == ["VALUE": "DATE"])
            #expect(event["DTEND"]?.value == (stay["departure"] as! String).replacingOccurrences(of: "-", with: ""))
            #expect(ICalendar.unescape(event["SUMMARY"]!.value).hasPrefix("Stay in \(stay["town_name"] as! String)"))
            #expect(event["STATUS"]?.value == (stay["state"] as? String == "confirmed" ? "CONFIRMED" : "TENTATIVE"))
        }
        #expect(calendar.components.contains { $0["UID"]?.value == "\(id)@sasurai" && $0["STATUS"]?.value == "CONFIRMED" })

        // Apply with flags, then withdraw.
        let applied = try world.ok("visitor", ["freelancer", "apply", "--earliest", "2026-10-01", "--latest", "2026-11-01",
                                               "--nights", "7", "--towns", "nanto,wake", "--budget", "4000"])
        #expect(applied.hasPrefix("Applied: a-106, 7 nights between 2026-10-01 Thu and 2026-11-01 Sun in nanto, wake, up to ¥4,000 a night. State: pending.\n"))
        #expect(try world.ok("visitor", ["freelancer", "withdraw", "a-106"]) == "a-106 is withdrawn. Any place it held goes back to the pool.\n")
        let missing = try world.run("visitor", ["freelancer", "apply", "--earliest", "2026-10-01"])
        #expect(missing.status == 2)
        #expect(missing.standardError == "sasurai: missing --latest DATE\nRun 'sasurai freelancer apply --help' for usage.\n")
    }

    @Test func aPlannersDay() throws {
        let world = try ClientWorld()
        try world.plannerWithDemo()
        let run = try world.ok("planner", ["plan", "run", "--seconds", "2"])
        #expect(run.hasPrefix("Plan 1: finished, seed 1, based on state version 1"))
        #expect(run.contains("  南砺市    nanto "))
        let diff = try world.ok("planner", ["plan", "diff", "1"])
        let shown = try JSONSerialization.jsonObject(with: Data(try world.ok("planner", ["plan", "show", "1", "--json"]).utf8)) as! [String: Any]
        let assigned = shown["assigned"] as! Int
        #expect(diff.hasPrefix("Plan 1 against the stays in force: \(assigned - 6) gain a stay, 0 move, 0 lose their stay, 6 unchanged.\n"))
        let committed = try world.ok("planner", ["plan", "commit", "1", "--offer-hours", "48"])
        #expect(committed.hasPrefix("Committed plan 1: \(assigned - 6) offers sent, to be answered by "))
        let twice = try world.run("planner", ["plan", "commit", "1"])
        #expect(twice.status == 1)
        #expect(twice.standardError.hasPrefix("sasurai: COMMIT refused: CONFLICT plan 1 is committed"))

        // A host cancels; the replan fills the freed place, and its diff against plan 1 says so.
        try world.login("host", role: "host", subject: "nanto")
        let roster = try world.ok("host", ["host", "roster", "--from", "2026-04-01", "--to", "2027-04-01", "--json"])
        let stays = (try JSONSerialization.jsonObject(with: Data(roster.utf8)) as! [String: Any])["stays"] as! [[String: Any]]
        let cancelled = try #require(stays.first { $0["source"] as? String == "plan" })["application"] as! String
        try world.ok("host", ["host", "cancel", cancelled])
        let replan = try world.ok("planner", ["plan", "replan", "--seconds", "1"])
        #expect(replan.hasPrefix("Plan 2: finished"))
        let versus = try world.ok("planner", ["plan", "diff", "2", "--against", "1", "--csv"])
        #expect(versus.hasPrefix("application,change,before,after\r\n"))
        try world.ok("planner", ["plan", "commit", "2"])
        let why = try world.ok("planner", ["plan", "why", cancelled])
        #expect(why.hasPrefix("\(cancelled) is "))
        #expect(try world.ok("planner", ["plan", "list", "--csv"]).hasPrefix("plan,status,created,score,upper bound,placed,unplaced,seed,version\r\n2,committed,"))
        let backup = world.directory.appendingPathComponent("copy.db").path
        #expect(try world.ok("planner", ["admin", "backup", backup]).hasPrefix("Backed up to \(backup) ("))
    }

    @Test func exitCodes() throws {
        let world = try ClientWorld()
        try world.plannerWithDemo()
        // 0, with the memory figures as asked.
        let stats = try world.run("planner", ["plan", "stats", "--memory"])
        #expect(stats.status == 0)
        #expect(stats.standardOutput.contains("applications pending"))
        #expect(stats.standardOutput.range(of: #"memory of SQLite +[0-9]+\.[0-9] MiB"#, options: .regularExpression) != nil)
        #expect(!(try world.run("planner", ["plan", "stats"])).standardOutput.contains("memory"))
        // 1: the server refused.
        let refused = try world.run("planner", ["plan", "show", "99"])
        #expect(refused.status == 1)
        #expect(refused.standardError == "sasurai: PLAN SHOW refused: NOT_FOUND plan 99 (list the plans with 'sasurai plan list')\n")
        // 2: usage, before anything connects.
        let usage = try world.run("planner", ["plan", "commit", "one"])
        #expect(usage.status == 2)
        #expect(usage.standardError == "sasurai: PLAN takes a plan number, got \"one\"\nRun 'sasurai plan commit --help' for usage.\n")
        // 3: no server there.
        let closed = try world.run("planner", ["plan", "stats", "--server", "127.0.0.1:1"])
        #expect(closed.status == 3)
        #expect(closed.standardError == "sasurai: cannot connect to 127.0.0.1:1: connection refused; is sasurai-server running there?\n")
        // 3: a token the server does not know.
        let stranger = try world.run("planner", ["plan", "stats"], extra: ["SASURAI_TOKEN": String(repeating: "ab", count: 32)])
        #expect(stranger.status == 3)
        #expect(stranger.standardError == "sasurai: the server refused the token from SASURAI_TOKEN (UNAUTHORIZED unknown or revoked token); run 'sasurai login' with a valid token\n")
        // 3: no token at all.
        let none = try world.run("nobody", ["host", "town", "--server", world.address])
        #expect(none.status == 3)
        #expect(none.standardError.hasPrefix("sasurai: no token: run 'sasurai login"))
        // 1: a role that may not.
        try world.login("host", role: "host", subject: "nanto")
        let forbidden = try world.run("host", ["plan", "stats"])
        #expect(forbidden.status == 1)
        #expect(forbidden.standardError.hasPrefix("sasurai: STATS refused: FORBIDDEN STATS is for planners"))
    }

    @Test(arguments: ["login", "whoami", "ping", "host", "host accommodation import", "host calendar", "host book",
                      "freelancer apply", "freelancer itinerary", "plan run", "plan diff", "plan commit",
                      "admin token issue", "admin backup"])
    func clientCommandsHaveHelpWithAnExample(_ command: String) throws {
        let result = try runSasurai(command.split(separator: " ").map(String.init) + ["--help"])
        #expect(result.status == 0)
        #expect(result.standardOutput.contains("Usage: sasurai \(command)"))
        #expect(result.standardOutput.contains("Example"))
    }
}
