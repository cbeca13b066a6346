import SasuraiCore
import SasuraiProtocol
import SasuraiStore

/// The commands of a visiting freelancer (and of planners acting for one).
enum FreelancerCommands {
    static func register(into registry: inout CommandRegistry<CommandHandler>) throws {
        try registry.register("PROFILE", role: .freelancer, .read(profile))
        try registry.register("PROFILE PUT", role: .freelancer, .write(putProfile))
        try registry.register("APPLY", role: .freelancer, .write(apply))
        try registry.register("APPLICATIONS", role: .freelancer, .read(applications))
        try registry.register("WITHDRAW", role: .freelancer, .write(withdraw))
        try registry.register("ACCEPT", role: .freelancer, .write(accept))
        try registry.register("DECLINE", role: .freelancer, .write(decline))
        try registry.register("ITINERARY", role: .freelancer, .read(itinerary))
    }

    static func profile(_ context: RequestContext) throws -> CommandOutcome {
        guard let freelancer = try context.store.freelancer(context.freelancer) else {
            throw ProtocolError(.notFound, "freelancer \(ReplySanitizer.quoted(context.freelancer.rawValue))")
        }
        return .ok([("freelancer", ModelReplies.freelancer(freelancer))])
    }

    static func putProfile(_ context: RequestContext) throws -> CommandOutcome {
        let parameters = context.parameters
        let freelancer = Freelancer(id: context.freelancer, name: parameters.string("name") ?? "",
                                    skills: (parameters.strings("skills") ?? []).sorted(),
                                    relocation: Relocation(rawValue: parameters.string("relocation") ?? "none") ?? .none)
        let created = try context.store.putFreelancer(freelancer, actor: context.actor)
        return .ok([("freelancer", ModelReplies.freelancer(freelancer)), ("created", .bool(created))])
    }

    static func apply(_ context: RequestContext) throws -> CommandOutcome {
        let parameters = context.parameters
        guard let earliest = parameters.day("earliest"), let latest = parameters.day("latest") else {
            throw ProtocolError.invalid("earliest", "missing required field")
        }
        let id = try parameters.string("id").map { ApplicationID($0) } ?? context.store.nextApplicationID()
        let application = Application(
            id: id, freelancer: context.freelancer, earliest: earliest, latest: latest,
            nights: parameters.integer("nights") ?? 1,
            towns: (parameters.strings("towns") ?? []).map { TownID($0) },
            kinds: (parameters.strings("kinds") ?? []).compactMap { AccommodationKind(rawValue: $0) },
            budgetPerNight: parameters.integer("budget_per_night") ?? 0,
            labor: LaborPreference(rawValue: parameters.string("labor") ?? "preferred") ?? .preferred,
            team: parameters.string("team").map { TeamID($0) })
        try context.store.addApplication(application, actor: context.actor)
        return .ok([("application", ModelReplies.application(application)), ("state", "pending")])
    }

    static func applications(_ context: RequestContext) throws -> CommandOutcome {
        let wanted = context.parameters.string("state").flatMap { ApplicationState(rawValue: $0) }
        var entries: [ReplyValue] = []
        for status in try context.store.applications(of: context.freelancer, in: wanted) {
            guard let application = try context.store.application(status.application) else { continue }
            let stay = try context.store.placement(of: status.application)
                .map { ModelReplies.stay($0, state: status.state) } ?? .null
            entries.append(.object([
                ("application", ModelReplies.application(application)), ("state", .string(status.state.rawValue)),
                ("state_changed_at", .string(status.stateChangedAt)), ("offer_expires_at", .optional(status.offerExpiresAt)),
                ("stay", stay),
            ]))
        }
        return .ok([("applications", .array(entries))])
    }

    /// The application named by the request, refused as FORBIDDEN when it is not the caller's
    /// (whether or not it exists).
    static func ownApplication(_ context: RequestContext) throws -> ApplicationID {
        let id = ApplicationID(context.parameters.string("application") ?? "")
        let application = try context.store.application(id)
        if !context.isPlanner && application?.freelancer != context.freelancer {
            throw ProtocolError(.forbidden, "application \(ReplySanitizer.quoted(id.rawValue)) is not yours")
        }
        guard let application else { throw ProtocolError(.notFound, "application \(ReplySanitizer.quoted(id.rawValue))") }
        if application.freelancer != context.freelancer {
            throw ProtocolError(.conflict, "application \"\(id)\" belongs to freelancer \"\(application.freelancer)\"")
        }
        return id
    }

    static func withdraw(_ context: RequestContext) throws -> CommandOutcome {
        let id = try ownApplication(context)
        let status = try context.store.withdraw(id, actor: context.actor)
        return .ok([("application", .string(id.rawValue)), ("state", .string(status.state.rawValue))])
    }

    static func accept(_ context: RequestContext) throws -> CommandOutcome {
        let id = try ownApplication(context)
        let status = try context.store.acceptOffer(id, actor: context.actor)
        let stay = try context.store.placement(of: id).map { ModelReplies.stay($0, state: status.state) } ?? .null
        return .ok([("application", .string(id.rawValue)), ("state", .string(status.state.rawValue)), ("stay", stay)])
    }

    static func decline(_ context: RequestContext) throws -> CommandOutcome {
        let id = try ownApplication(context)
        let status = try context.store.declineOffer(id, actor: context.actor)
        return .ok([("application", .string(id.rawValue)), ("state", .string(status.state.rawValue))])
    }

    static func itinerary(_ context: RequestContext) throws -> CommandOutcome {
        let from = context.parameters.day("from")
        let to = context.parameters.day("to")
        var stays: [ReplyValue] = []
        for placement in try context.store.placements(of: context.freelancer) {
            let nights = placement.assignment.stay
            if let from, nights.to <= from { continue }
            if let to, nights.from >= to { continue }
            let status = try context.store.applicationStatus(placement.assignment.application)
            let town = try context.store.town(placement.assignment.town)
            let accommodation = try context.store.accommodation(placement.assignment.accommodation)
            let slot = try placement.assignment.slot.flatMap { try context.store.slot($0) }
            stays.append(ModelReplies.stay(placement, state: status.state, extra: [
                ("town_name", .optional(town?.name)), ("accommodation_name", .optional(accommodation?.name)),
                ("slot_title", .optional(slot?.title)), ("departure", .string(nights.to.iso)),
            ]))
        }
        return .ok([("freelancer", .string(context.freelancer.rawValue)), ("stays", .array(stays))])
    }
}
