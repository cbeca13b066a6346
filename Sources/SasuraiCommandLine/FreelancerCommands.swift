import Foundation
import SasuraiCore

/// `sasurai freelancer ...`: what a visitor does: profile, apply, answer offers, itinerary.
enum FreelancerCommands {
    static let freelancerOption = OptionSpecification(
        "--freelancer", value: "ID", help: "The freelancer (a freelancer token's own by default; planners must give it).")

    static let group = CommandSpecification(
        name: "freelancer",
        abstract: "For freelancers: profile, applications, offers, withdrawals, the itinerary.",
        discussion: "With a freelancer token every command acts for that freelancer. A planner gives --freelancer.",
        examples: ["sasurai freelancer apply --earliest 2026-09-01 --latest 2026-10-31 --nights 14 --towns nanto,wake --budget 4000",
                   "sasurai freelancer applications", "sasurai freelancer accept a-0042",
                   "sasurai freelancer itinerary --ics trips.ics"],
        subcommands: [profileGroup, apply, applications, accept, decline, withdraw, itinerary])

    static func scope(_ arguments: ParsedArguments) throws(UsageError) -> RequestObject {
        var object = RequestObject()
        if let freelancer = arguments.value("--freelancer") {
            try ParsedArguments.checkIdentifier(freelancer, "--freelancer")
            object.set("freelancer", .string(freelancer))
        }
        return object
    }

    // MARK: Profile

    static let profileGroup = CommandSpecification(
        name: "profile", abstract: "Show or set the profile: name, skills, whether relocation is on the mind.",
        examples: ["sasurai freelancer profile show", "sasurai freelancer profile set --name 青山葵 --skills web-design,farming --relocation considering"],
        subcommands: [profileShow, profileSet])

    static let profileShow = ClientCommand.make(
        name: "show", abstract: "Show the profile.",
        examples: ["sasurai freelancer profile show"],
        options: [freelancerOption],
        prepare: { arguments, format in
            let request = try scope(arguments)
            return { session, output in
                let reply = try session.call("PROFILE", request)
                ClientCommand.emit(reply, format, to: &output) { profileText(reply["freelancer"]!) }
                return .success
            }
        })

    static func profileText(_ profile: JSONNode) -> String {
        let skills = profile["skills"]?.arrayValue.compactMap(\.stringValue) ?? []
        return "\(profile.text("name")) (\(profile.text("id")))\n"
            + "  skills      \(skills.isEmpty ? "none" : skills.joined(separator: ", "))\n"
            + "  relocation  \(profile.text("relocation"))\n"
    }

    static let profileSet = ClientCommand.make(
        name: "set", abstract: "Create or replace the profile.",
        examples: ["sasurai freelancer profile set --name 青山葵 --skills web-design,farming --relocation considering"],
        options: [OptionSpecification("--name", value: "NAME", help: "Your name, as hosts will see it."),
                  OptionSpecification("--skills", value: "LIST", help: "Skills, comma-separated (lower-case words: farming, driving, web-design)."),
                  OptionSpecification("--relocation", value: "WORD", help: "none (default), considering or planning: whether you think of moving there."),
                  freelancerOption],
        prepare: { arguments, format in
            var request = try scope(arguments)
            request.set("name", .string(try arguments.required("--name", "NAME")))
            request.set("skills", .strings(arguments.list("--skills")))
            if let relocation = try arguments.choice("--relocation", Relocation.allCases.map(\.rawValue)) {
                request.set("relocation", .string(relocation))
            }
            return { [request] session, output in
                let reply = try session.call("PROFILE PUT", request, mutating: true)
                ClientCommand.emit(reply, format, to: &output) {
                    (reply["created"]?.boolValue == true ? "Created" : "Updated") + " the profile:\n" + profileText(reply["freelancer"]!)
                }
                return .success
            }
        })

    // MARK: Applications

    static let apply = ClientCommand.make(
        name: "apply", abstract: "Apply for a stay: when, how long, where, what budget, whether to help with work.",
        discussion: """
        On a terminal, missing values are asked for. Elsewhere --earliest, --latest, --nights \
        and --budget are required. The stay is --nights nights, arriving on or after --earliest \
        and leaving on or before --latest. --towns lists preferred towns, best first (at most 5; \
        none means any town).
        """,
        examples: ["sasurai freelancer apply --earliest 2026-09-01 --latest 2026-10-31 --nights 14 --towns nanto,wake --budget 4000",
                   "sasurai freelancer apply   (asks for each value)"],
        options: [OptionSpecification("--earliest", value: "DATE", help: "Earliest arrival."),
                  OptionSpecification("--latest", value: "DATE", help: "Latest departure."),
                  OptionSpecification("--nights", value: "N", help: "How many nights (1 to 731)."),
                  OptionSpecification("--budget", value: "YEN", help: "Most you pay per night, after the town's subsidy."),
                  OptionSpecification("--towns", value: "LIST", help: "Preferred towns, best first, comma-separated (default any)."),
                  OptionSpecification("--kinds", value: "LIST", help: "Acceptable accommodation kinds, comma-separated (default any)."),
                  OptionSpecification("--labor", value: "WORD", help: "required, preferred (default) or none: helping with seasonal work."),
                  OptionSpecification("--team", value: "ID", help: "A team id shared with companions (all placed together or not at all)."),
                  OptionSpecification("--id", value: "ID", help: "The application's id (default: the server assigns one)."),
                  freelancerOption],
        prepare: { arguments, format in
            var request = try scope(arguments)
            let interactive = TerminalInput.isInteractive
            func missing(_ option: String, _ what: String) throws(UsageError) -> Never {
                throw UsageError("missing \(option) \(what)")
            }
            if let id = arguments.value("--id") {
                try ParsedArguments.checkIdentifier(id, "--id")
                request.set("id", .string(id))
            }
            // Values given as flags are checked now; the rest are asked for when the work runs.
            let earliest = try arguments.day("--earliest")
            let latest = try arguments.day("--latest")
            let nights = try arguments.integer("--nights", in: 1...731)
            let budget = try arguments.integer("--budget", in: 0...10_000_000)
            if !interactive {
                if earliest == nil { try missing("--earliest", "DATE") }
                if latest == nil { try missing("--latest", "DATE") }
                if nights == nil { try missing("--nights", "N") }
                if budget == nil { try missing("--budget", "YEN") }
            }
            let kinds = arguments.list("--kinds")
            for kind in kinds where AccommodationKind(rawValue: kind) == nil {
                throw UsageError("--kinds: \"\(kind)\" is not one of \(AccommodationKind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            let towns = arguments.list("--towns")
            for town in towns { try ParsedArguments.checkIdentifier(town, "--towns") }
            let labor = try arguments.choice("--labor", LaborPreference.allCases.map(\.rawValue))
            let team = arguments.value("--team")
            if let team { try ParsedArguments.checkIdentifier(team, "--team") }
            let askTowns = interactive && arguments.value("--towns") == nil
            let askLabor = interactive && labor == nil
            return { [request] session, output in
                var request = request
                let earliest = try earliest ?? Prompt.day("Earliest arrival (YYYY-MM-DD)")
                let latest = try latest ?? Prompt.day("Latest departure (YYYY-MM-DD)")
                let nights = try nights ?? Prompt.integer("Nights", in: 1...731)
                let budget = try budget ?? Prompt.integer("Budget per night in yen", in: 0...10_000_000)
                var towns = towns
                if askTowns {
                    towns = (TerminalInput.ask("Preferred towns, best first, comma-separated (empty: any)") ?? "")
                        .split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
                }
                var labor = labor
                if askLabor {
                    labor = try Prompt.choice("Help with seasonal work: required, preferred or none", LaborPreference.allCases.map(\.rawValue), default: "preferred")
                }
                guard earliest < latest else { throw UsageError("the latest departure must be after the earliest arrival") }
                request.set("earliest", .string(earliest.iso))
                request.set("latest", .string(latest.iso))
                request.set("nights", .integer(nights))
                if !towns.isEmpty { request.set("towns", .strings(towns)) }
                if !kinds.isEmpty { request.set("kinds", .strings(kinds)) }
                request.set("budget_per_night", .integer(budget))
                if let labor { request.set("labor", .string(labor)) }
                if let team { request.set("team", .string(team)) }
                let reply = try session.call("APPLY", request, mutating: true)
                ClientCommand.emit(reply, format, to: &output) {
                    let application = reply["application"]!
                    let where_ = (application["towns"]?.arrayValue.compactMap(\.stringValue)).flatMap { $0.isEmpty ? nil : $0.joined(separator: ", ") } ?? "any town"
                    return "Applied: \(application.text("id")), \(application.text("nights")) nights between "
                        + "\(DateFormat.withWeekday(application.text("earliest"))) and \(DateFormat.withWeekday(application.text("latest"))) "
                        + "in \(where_), up to \(NumberFormat.yen(application["budget_per_night"]?.integerValue ?? 0)) a night. State: pending.\n"
                        + "You will get an offer after the next plan run; see it with 'sasurai freelancer applications'.\n"
                }
                return .success
            }
        })

    static let applicationView = ListView(columns: [
        .custom("application") { $0["application"]?.text("id") ?? "-" },
        .text("state", "state"),
        .custom("window") { node in
            guard let application = node["application"] else { return "-" }
            return "\(application.text("earliest")) – \(application.text("latest"))"
        },
        .custom("nights", right: true) { $0["application"]?.text("nights") ?? "-" },
        .custom("towns") { node in
            let towns = node["application"]?["towns"]?.arrayValue.compactMap(\.stringValue) ?? []
            return towns.isEmpty ? "any" : towns.joined(separator: " ")
        },
        .custom("stay") { node in
            guard let stay = node["stay"], !stay.isNull else { return "-" }
            return "\(stay.text("town")) / \(stay.text("accommodation")) from \(DateFormat.withWeekday(stay.text("arrival")))"
                + (stay["slot"]?.stringValue.map { " + \($0)" } ?? "")
        },
        .custom("answer by") { node in
            node["offer_expires_at"]?.stringValue.map(DateFormat.timestamp) ?? "-"
        },
    ])

    static let applications = ClientCommand.make(
        name: "applications", abstract: "List the applications with their state, offers and deadlines.",
        examples: ["sasurai freelancer applications", "sasurai freelancer applications --state offered"],
        options: [OptionSpecification("--state", value: "STATE", help: "Only this state: " + ApplicationState.allCases.map(\.rawValue).joined(separator: ", ") + "."),
                  freelancerOption],
        list: true,
        prepare: { arguments, format in
            var request = try scope(arguments)
            if let state = try arguments.choice("--state", ApplicationState.allCases.map(\.rawValue)) {
                request.set("state", .string(state))
            }
            return { [request] session, output in
                let reply = try session.call("APPLICATIONS", request)
                let items = reply["applications"]?.arrayValue ?? []
                ClientCommand.emit(reply, format, to: &output, csv: { applicationView.csv(items) }) {
                    var text = applicationView.table(items, empty: "No applications. Apply with 'sasurai freelancer apply'.")
                    let offered = items.filter { $0.text("state") == "offered" }.count
                    if offered > 0 {
                        text += "\n\(offered) offer\(offered == 1 ? "" : "s") waiting: answer with 'sasurai freelancer accept ID' or 'decline ID' before the deadline.\n"
                    }
                    return text
                }
                return .success
            }
        })

    static func answer(_ name: String, command: String, abstract: String, done: String) -> CommandSpecification {
        ClientCommand.make(
            name: name, abstract: abstract,
            examples: ["sasurai freelancer \(name) a-0042"],
            arguments: [ArgumentSpecification("APPLICATION", help: "The application's id.")],
            options: [freelancerOption],
            prepare: { arguments, format in
                var request = try scope(arguments)
                request.set("application", .string(try arguments.identifier(at: 0, "application")))
                return { [request] session, output in
                    let reply = try session.call(command, request, mutating: true)
                    ClientCommand.emit(reply, format, to: &output) {
                        var text = "\(reply.text("application")) is \(reply.text("state")). \(done)\n"
                        if let stay = reply["stay"], !stay.isNull { text = "Accepted: " + HostCommands.stayLine(stay) + ".\n" }
                        return text
                    }
                    return .success
                }
            })
    }

    static let accept = answer("accept", command: "ACCEPT", abstract: "Accept an offer: the stay is confirmed.", done: "")
    static let decline = answer("decline", command: "DECLINE", abstract: "Decline an offer: the bed goes to someone else.",
                                done: "The place goes back to the pool.")
    static let withdraw = answer("withdraw", command: "WITHDRAW", abstract: "Withdraw an application (before its stay begins).",
                                 done: "Any place it held goes back to the pool.")

    // MARK: Itinerary

    static let itineraryView = ListView(columns: [
        .date("arrival", "arrival"), .date("departure", "departure"), .number("nights", "nights"),
        .custom("town") { "\($0.text("town_name")) (\($0.text("town")))" },
        .text("accommodation", "accommodation_name"),
        .custom("work") { node in node["slot_title"]?.stringValue.map { "\($0), \(node.text("labor_days")) days" } ?? "-" },
        .text("state", "state"), .text("application", "application"),
    ])

    static let itinerary = ClientCommand.make(
        name: "itinerary", abstract: "The offered and confirmed stays in order; --ics writes them for a calendar program.",
        discussion: """
        --ics FILE writes an iCalendar (RFC 5545) file with one all-day event per stay, which \
        calendar programs import; offered stays are tentative until accepted.
        """,
        examples: ["sasurai freelancer itinerary", "sasurai freelancer itinerary --ics trips.ics"],
        options: [OptionSpecification("--from", value: "DATE", help: "Only stays with a night on or after DATE."),
                  OptionSpecification("--to", value: "DATE", help: "Only stays with a night before DATE."),
                  OptionSpecification("--ics", value: "FILE", help: "Also write the stays as an iCalendar file (- for standard output)."),
                  freelancerOption],
        list: true,
        prepare: { arguments, format in
            var request = try scope(arguments)
            let from = try arguments.day("--from")
            let to = try arguments.day("--to")
            if let from, let to, !(from < to) { throw UsageError("--to must be after --from") }
            if let from { request.set("from", .string(from.iso)) }
            if let to { request.set("to", .string(to.iso)) }
            let icsPath = arguments.value("--ics")
            return { [request] session, output in
                let reply = try session.call("ITINERARY", request)
                let stays = reply["stays"]?.arrayValue ?? []
                if let icsPath {
                    let text = ItineraryCalendar.icsText(freelancer: reply.text("freelancer"), stays: stays, stamp: Date())
                    if icsPath == "-" {
                        output.write(text)
                        return .success
                    }
                    try Files.write(Array(text.utf8), to: icsPath)
                }
                ClientCommand.emit(reply, format, to: &output, csv: { itineraryView.csv(stays) }) {
                    var text = itineraryView.table(stays, empty: "No stays yet.")
                    if let icsPath { text += "\nWrote \(stays.count) event\(stays.count == 1 ? "" : "s") to \(icsPath).\n" }
                    return text
                }
                return .success
            }
        })
}

/// Questions asked on the terminal when a value was not given as a flag.
enum Prompt {
    static func day(_ question: String) throws -> Day {
        while true {
            guard let answer = TerminalInput.ask(question) else { throw UsageError("no answer for: \(question)") }
            if let day = Day(iso: answer.replacingOccurrences(of: "/", with: "-")) { return day }
            StandardStream.write(Array("  \"\(answer)\" is not a date YYYY-MM-DD\n".utf8), to: 2)
        }
    }

    static func integer(_ question: String, in range: ClosedRange<Int>) throws -> Int {
        while true {
            guard let answer = TerminalInput.ask(question) else { throw UsageError("no answer for: \(question)") }
            if let number = Int(answer.replacingOccurrences(of: ",", with: "")), range.contains(number) { return number }
            StandardStream.write(Array("  give a whole number from \(range.lowerBound) to \(NumberFormat.grouped(range.upperBound))\n".utf8), to: 2)
        }
    }

    static func choice(_ question: String, _ choices: [String], default defaultValue: String) throws -> String {
        while true {
            guard let answer = TerminalInput.ask(question, default: defaultValue) else { throw UsageError("no answer for: \(question)") }
            if choices.contains(answer) { return answer }
            StandardStream.write(Array("  give one of \(choices.joined(separator: ", "))\n".utf8), to: 2)
        }
    }
}
