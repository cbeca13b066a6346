import SasuraiCore
import SasuraiProtocol
import SasuraiStore

/// The commands of a town's staff (and of planners acting for a town).
enum HostCommands {
    static func register(into registry: inout CommandRegistry<CommandHandler>) throws {
        try registry.register("TOWN", role: .host, .read(town))
        try registry.register("ACCOMMODATION PUT", role: .host, .write(putAccommodation))
        try registry.register("ACCOMMODATION LIST", role: .host, .read(listAccommodations))
        try registry.register("ACCOMMODATION DELETE", role: .host, .write(deleteAccommodation))
        try registry.register("SLOT PUT", role: .host, .write(putSlot))
        try registry.register("SLOT LIST", role: .host, .read(listSlots))
        try registry.register("SLOT DELETE", role: .host, .write(deleteSlot))
        try registry.register("ROSTER", role: .host, .read(roster))
        try registry.register("BOOK", role: .host, .write(book))
        try registry.register("CANCEL", role: .host, .write(cancel))
    }

    /// The town must exist; only a planner can name one that does not (a host's token names its own).
    static func requireTown(_ context: RequestContext) throws -> Town {
        guard let town = try context.store.town(context.town) else {
            throw ProtocolError(.notFound, "town \(ReplySanitizer.quoted(context.town.rawValue))")
        }
        return town
    }

    /// FORBIDDEN for a host and, for a planner, the store's own answer: the object's town is
    /// never revealed to a host, nor whether the object exists.
    static func notInTown(_ entity: String, _ id: String) -> ProtocolError {
        ProtocolError(.forbidden, "\(entity) \(ReplySanitizer.quoted(id)) is not in your town")
    }

    static func town(_ context: RequestContext) throws -> CommandOutcome {
        .ok([("town", ModelReplies.town(try requireTown(context)))])
    }

    static func putAccommodation(_ context: RequestContext) throws -> CommandOutcome {
        let parameters = context.parameters
        _ = try requireTown(context)
        let id = AccommodationID(parameters.string("id") ?? "")
        if !context.isPlanner, let existing = try context.store.accommodation(id), existing.town != context.town {
            throw notInTown("accommodation", id.rawValue)
        }
        let accommodation = Accommodation(
            id: id, town: context.town, name: parameters.string("name") ?? "",
            kind: AccommodationKind(rawValue: parameters.string("kind") ?? "") ?? .guesthouse,
            beds: parameters.integer("beds") ?? 0, pricePerNight: parameters.integer("price_per_night") ?? 0,
            open: parameters.dayRanges("open"))
        let created = try context.store.putAccommodation(accommodation, actor: context.actor)
        return .ok([("accommodation", ModelReplies.accommodation(accommodation)), ("created", .bool(created))])
    }

    static func listAccommodations(_ context: RequestContext) throws -> CommandOutcome {
        _ = try requireTown(context)
        let accommodations = try context.store.accommodations(in: context.town)
        return .ok([("accommodations", .array(accommodations.map(ModelReplies.accommodation)))])
    }

    static func deleteAccommodation(_ context: RequestContext) throws -> CommandOutcome {
        let id = AccommodationID(context.parameters.string("id") ?? "")
        let existing = try context.store.accommodation(id)
        if !context.isPlanner && existing?.town != context.town {
            throw notInTown("accommodation", id.rawValue)
        }
        guard let existing else { throw ProtocolError(.notFound, "accommodation \(ReplySanitizer.quoted(id.rawValue))") }
        if existing.town != context.town {
            throw ProtocolError(.conflict, "accommodation \"\(id)\" belongs to town \"\(existing.town)\"")
        }
        try context.store.deleteAccommodation(id, actor: context.actor)
        return .ok([("deleted", .string(id.rawValue))])
    }

    static func putSlot(_ context: RequestContext) throws -> CommandOutcome {
        let parameters = context.parameters
        _ = try requireTown(context)
        let id = SlotID(parameters.string("id") ?? "")
        if !context.isPlanner, let existing = try context.store.slot(id), existing.town != context.town {
            throw notInTown("slot", id.rawValue)
        }
        guard let from = parameters.day("from"), let to = parameters.day("to") else {
            throw ProtocolError.invalid("from", "missing required field")
        }
        let slot = Slot(id: id, town: context.town, title: parameters.string("title") ?? "",
                        skills: (parameters.strings("skills") ?? []).sorted(), from: from, to: to,
                        seats: parameters.integer("seats") ?? 0, minDays: parameters.integer("min_days") ?? 1)
        let created = try context.store.putSlot(slot, actor: context.actor)
        return .ok([("slot", ModelReplies.slot(slot)), ("created", .bool(created))])
    }

    static func listSlots(_ context: RequestContext) throws -> CommandOutcome {
        _ = try requireTown(context)
        return .ok([("slots", .array(try context.store.slots(in: context.town).map(ModelReplies.slot)))])
    }

    static func deleteSlot(_ context: RequestContext) throws -> CommandOutcome {
        let id = SlotID(context.parameters.string("id") ?? "")
        let existing = try context.store.slot(id)
        if !context.isPlanner && existing?.town != context.town {
            throw notInTown("slot", id.rawValue)
        }
        guard let existing else { throw ProtocolError(.notFound, "slot \(ReplySanitizer.quoted(id.rawValue))") }
        if existing.town != context.town {
            throw ProtocolError(.conflict, "slot \"\(id)\" belongs to town \"\(existing.town)\"")
        }
        try context.store.deleteSlot(id, actor: context.actor)
        return .ok([("deleted", .string(id.rawValue))])
    }

    static func roster(_ context: RequestContext) throws -> CommandOutcome {
        _ = try requireTown(context)
        guard let from = context.parameters.day("from"), let to = context.parameters.day("to") else {
            throw ProtocolError.invalid("from", "missing required field")
        }
        var stays: [ReplyValue] = []
        var names: [FreelancerID: String] = [:]
        for placement in try context.store.placements(in: context.town, during: DayRange(from: from, to: to)) {
            let status = try context.store.applicationStatus(placement.assignment.application)
            if names[status.freelancer] == nil {
                names[status.freelancer] = try context.store.freelancer(status.freelancer)?.name ?? ""
            }
            stays.append(ModelReplies.stay(placement, state: status.state, extra: [
                ("freelancer", .string(status.freelancer.rawValue)), ("name", .string(names[status.freelancer] ?? "")),
            ]))
        }
        return .ok([("town", .string(context.town.rawValue)), ("from", .string(from.iso)), ("to", .string(to.iso)),
                    ("stays", .array(stays))])
    }

    static func book(_ context: RequestContext) throws -> CommandOutcome {
        let parameters = context.parameters
        _ = try requireTown(context)
        let accommodationID = AccommodationID(parameters.string("accommodation") ?? "")
        let slotID = parameters.string("slot").map { SlotID($0) }
        if !context.isPlanner {
            // Checked before the application, so a host learns nothing about other towns' objects.
            if try context.store.accommodation(accommodationID)?.town != context.town {
                throw notInTown("accommodation", accommodationID.rawValue)
            }
            if let slotID, try context.store.slot(slotID)?.town != context.town {
                throw notInTown("slot", slotID.rawValue)
            }
        }
        guard let arrival = parameters.day("arrival") else { throw ProtocolError.invalid("arrival", "missing required field") }
        let booking = Booking(application: ApplicationID(parameters.string("application") ?? ""), town: context.town,
                              accommodation: accommodationID, arrival: arrival, slot: slotID)
        let placement = try context.store.bookChecked(booking, actor: context.actor)
        return .ok([("stay", ModelReplies.stay(placement, state: .confirmed))])
    }

    static func cancel(_ context: RequestContext) throws -> CommandOutcome {
        let application = ApplicationID(context.parameters.string("application") ?? "")
        let placement = try context.store.placement(of: application)
        if !context.isPlanner && placement?.assignment.town != context.town {
            throw ProtocolError(.forbidden, "application \(ReplySanitizer.quoted(application.rawValue)) is not placed in your town")
        }
        if context.isPlanner {
            guard try context.store.application(application) != nil else {
                throw ProtocolError(.notFound, "application \(ReplySanitizer.quoted(application.rawValue))")
            }
            if let placement, placement.assignment.town != context.town {
                throw ProtocolError(.conflict, "application \"\(application)\" is placed in town \"\(placement.assignment.town)\"")
            }
        }
        let status = try context.store.cancelPlacement(application, reason: context.parameters.string("reason"),
                                                       actor: context.actor)
        return .ok([("application", .string(application.rawValue)), ("state", .string(status.state.rawValue))])
    }
}
