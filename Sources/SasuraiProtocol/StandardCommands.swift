import SasuraiCore

extension CommandTable {
    /// Every command of docs/PROTOCOL.md section 7, in its order.
    public static let standard = CommandTable(StandardCommands.all)
}

/// The declarations behind `CommandTable.standard`; ranges come from `ModelLimits` and
/// `ProtocolLimits` so the protocol accepts exactly what the model and the server can hold.
enum StandardCommands {
    static let kinds = AccommodationKind.allCases.map(\.rawValue)
    static let name = ParameterType.text(maximumCharacters: IdentifierRules.maximumNameLength)
    static let money = ParameterType.integer(ModelLimits.money)
    static let nights = ParameterType.integer(ModelLimits.nights)
    static let positiveID = ParameterType.integer(1...ProtocolLimits.maximumSafeInteger)
    static let seed = ParameterType.integer(0...ProtocolLimits.maximumSafeInteger)
    static let listLimit = ParameterType.integer(1...ProtocolLimits.maximumListLimit)
    static let skills = ParameterType.list(.skill, maximumCount: ModelLimits.maximumSkills, unique: true)
    static let horizon = ModelLimits.maximumHorizonNights

    static let all: [CommandSpec] = anyone + host + freelancer + planner

    static let anyone: [CommandSpec] = [
        CommandSpec("PING", role: .anyone, summary: "Check the connection."),
        CommandSpec("HELLO", role: .anyone,
                    parameters: [.optional("protocol", .integer(ProtocolLimits.protocolVersion...ProtocolLimits.protocolVersion),
                                           "the protocol version the client speaks")],
                    summary: "Versions and limits of this server."),
        CommandSpec("AUTH", role: .anyone, word: "token",
                    parameters: [.required("token", .token, "64 lower-case hex digits")],
                    summary: "Take the role of a token."),
        CommandSpec("WHOAMI", role: .anyone, summary: "The connection's role."),
        CommandSpec("QUIT", role: .anyone, summary: "Close the connection after the reply."),
    ]

    static let host: [CommandSpec] = [
        CommandSpec("TOWN", role: .host, scope: .town, summary: "The town's details."),
        CommandSpec("ACCOMMODATION PUT", role: .host, scope: .town, mutating: true, parameters: [
            .required("id", .identifier),
            .required("name", name),
            .required("kind", .choice(kinds)),
            .required("beds", .integer(ModelLimits.beds)),
            .required("price_per_night", money),
            .optional("open", .nullable(.list(.dateRange, maximumCount: ModelLimits.maximumOpenRanges, unique: false)),
                      "ranges when it takes guests; missing or null: always"),
        ], summary: "Create or replace an accommodation of the town."),
        CommandSpec("ACCOMMODATION LIST", role: .host, scope: .town, summary: "The town's accommodations."),
        CommandSpec("ACCOMMODATION DELETE", role: .host, scope: .town, mutating: true,
                    parameters: [.required("id", .identifier)],
                    summary: "Delete an accommodation no placement uses."),
        CommandSpec("SLOT PUT", role: .host, scope: .town, mutating: true, parameters: [
            .required("id", .identifier),
            .required("title", name),
            .optional("skills", skills),
            .required("from", .date),
            .required("to", .date),
            .required("seats", .integer(ModelLimits.seats)),
            .optional("min_days", nights),
        ], rules: [
            .after(later: "to", earlier: "from", maximumNights: horizon),
            .fits(count: "min_days", unit: "days", from: "from", to: "to"),
        ], summary: "Create or replace a labor slot of the town."),
        CommandSpec("SLOT LIST", role: .host, scope: .town, summary: "The town's labor slots."),
        CommandSpec("SLOT DELETE", role: .host, scope: .town, mutating: true,
                    parameters: [.required("id", .identifier)],
                    summary: "Delete a labor slot no placement uses."),
        CommandSpec("ROSTER", role: .host, scope: .town,
                    parameters: [.required("from", .date), .required("to", .date)],
                    rules: [.after(later: "to", earlier: "from", maximumNights: horizon)],
                    summary: "Who stays when, in which bed and slot, over a date range."),
        CommandSpec("BOOK", role: .host, scope: .town, mutating: true, parameters: [
            .required("application", .identifier),
            .required("accommodation", .identifier),
            .required("arrival", .date),
            .optional("slot", .nullable(.identifier)),
        ], summary: "Place a pending application in the town, checked atomically."),
        CommandSpec("CANCEL", role: .host, scope: .town, mutating: true, parameters: [
            .required("application", .identifier),
            .optional("reason", name),
        ], summary: "Cancel a placement in the town; the application is re-queued first in line."),
    ]

    static let freelancer: [CommandSpec] = [
        CommandSpec("PROFILE", role: .freelancer, scope: .freelancer, summary: "The freelancer's profile."),
        CommandSpec("PROFILE PUT", role: .freelancer, scope: .freelancer, mutating: true, parameters: [
            .required("name", name),
            .optional("skills", skills),
            .optional("relocation", .choice(Relocation.allCases.map(\.rawValue))),
        ], summary: "Create or replace the profile."),
        CommandSpec("APPLY", role: .freelancer, scope: .freelancer, mutating: true, parameters: [
            .optional("id", .identifier, "assigned by the server when missing"),
            .required("earliest", .date),
            .required("latest", .date),
            .required("nights", nights),
            .optional("towns", .list(.identifier, maximumCount: ModelLimits.maximumTownPreferences, unique: true)),
            .optional("kinds", .list(.choice(kinds), maximumCount: kinds.count, unique: true)),
            .required("budget_per_night", money),
            .optional("labor", .choice(LaborPreference.allCases.map(\.rawValue))),
            .optional("team", .nullable(.identifier)),
        ], rules: [
            .after(later: "latest", earlier: "earliest", maximumNights: horizon),
            .fits(count: "nights", unit: "nights", from: "earliest", to: "latest"),
        ], summary: "Apply for a stay."),
        CommandSpec("APPLICATIONS", role: .freelancer, scope: .freelancer,
                    parameters: [.optional("state", .choice(ApplicationState.allCases.map(\.rawValue)))],
                    summary: "The freelancer's applications and their states."),
        CommandSpec("WITHDRAW", role: .freelancer, scope: .freelancer, mutating: true,
                    parameters: [.required("application", .identifier)],
                    summary: "Withdraw an application before its stay."),
        CommandSpec("ACCEPT", role: .freelancer, scope: .freelancer, mutating: true,
                    parameters: [.required("application", .identifier)],
                    summary: "Accept an offer."),
        CommandSpec("DECLINE", role: .freelancer, scope: .freelancer, mutating: true,
                    parameters: [.required("application", .identifier)],
                    summary: "Decline an offer."),
        CommandSpec("ITINERARY", role: .freelancer, scope: .freelancer,
                    parameters: [.optional("from", .date), .optional("to", .date)],
                    rules: [.after(later: "to", earlier: "from", maximumNights: Int.max)],
                    summary: "The freelancer's offered and confirmed stays."),
    ]

    static let planner: [CommandSpec] = [
        CommandSpec("IMPORT", role: .planner, mutating: true, parameters: [
            .optional("scenario", .object, "a sasurai-scenario/1 document"),
            .optional("path", .path, "a scenario file the server reads"),
            .optional("replace", .boolean, "replace data the store already holds"),
        ], rules: [.exactlyOne(["scenario", "path"])],
        summary: "Load a scenario, all or nothing."),
        CommandSpec("EXPORT", role: .planner, parameters: [.optional("path", .path)],
                    summary: "The current state as a scenario, in the reply or to a file."),
        CommandSpec("PLAN", role: .planner, mutating: true, parameters: [
            .optional("seed", seed),
            .optional("seconds", .integer(ProtocolLimits.planSeconds)),
            .optional("weights", .object, "MODEL.md weights"),
        ], summary: "Start an allocation run; returns its plan id at once."),
        CommandSpec("PLAN SHOW", role: .planner, parameters: [
            .required("plan", positiveID),
            .optional("assignments", .boolean),
        ], summary: "A plan run's progress, then its summary."),
        CommandSpec("PLAN LIST", role: .planner, parameters: [.optional("limit", listLimit)],
                    summary: "Recent plans, newest first."),
        CommandSpec("COMMIT", role: .planner, mutating: true, parameters: [
            .required("plan", positiveID),
            .optional("offer_hours", .integer(ProtocolLimits.offerHours)),
        ], summary: "Turn a finished plan's placements into offers."),
        CommandSpec("REPLAN", role: .planner, mutating: true, parameters: [
            .optional("seed", seed),
            .optional("seconds", .integer(ProtocolLimits.planSeconds)),
        ], summary: "Fill freed capacity without moving offered or confirmed stays."),
        CommandSpec("WHY", role: .planner, parameters: [.required("application", .identifier)],
                    summary: "Why an application is unplaced."),
        CommandSpec("STATS", role: .planner, parameters: [
            .optional("memory", .boolean, "add the process's memory figures"),
        ], summary: "Counts of everything."),
        CommandSpec("TOKEN ISSUE", role: .planner, mutating: true, requestKey: false, parameters: [
            .required("role", .choice(["planner", "host", "freelancer"])),
            .optional("subject", .identifier, "the town or freelancer id"),
            .optional("label", name),
        ], rules: [
            .requiredWhen(field: "subject", other: "role", values: ["host", "freelancer"]),
            .forbiddenWhen(field: "subject", other: "role", values: ["planner"]),
        ], summary: "Issue a token, shown once."),
        CommandSpec("TOKEN REVOKE", role: .planner, mutating: true,
                    parameters: [.required("id", positiveID)], summary: "Revoke a token."),
        CommandSpec("TOKEN LIST", role: .planner, parameters: [.optional("revoked", .boolean)],
                    summary: "Tokens, without their secrets."),
        CommandSpec("AUDIT", role: .planner, parameters: [
            .optional("after", seed),
            .optional("limit", listLimit),
        ], summary: "The audit log, a page at a time."),
        CommandSpec("BACKUP", role: .planner, mutating: true, parameters: [.required("path", .path)],
                    summary: "Copy the live database to a new file."),
    ]
}
