import Foundation
import SasuraiCore
import SasuraiProtocol
import SasuraiStore

/// Idempotent retries: a mutating request with `"request": key` runs once per token and key.
///
/// The key, a digest of the request and the reply are stored in the same transaction as the
/// write itself, so a reply lost to a crash between commit and send is still found on retry,
/// and a write that rolled back leaves no key behind (errors are not remembered).
enum RequestKeys {
    /// Runs `body` once per token and key; `digest`, when given, is `digest(of:)` of the request.
    static func run(_ context: RequestContext, digest precomputed: [UInt8]? = nil,
                    _ body: (RequestContext) throws -> CommandOutcome) throws -> CommandOutcome {
        guard let key = context.request.requestKey, let tokenID = context.session.tokenID else {
            return try body(context)
        }
        let digest = precomputed ?? self.digest(of: context.request)
        if let remembered = try context.store.rememberedReply(tokenID: tokenID, key: key) {
            guard remembered.digest == digest else {
                throw ProtocolError(.conflict, "request key \(ReplySanitizer.quoted(key)) was used for a different request")
            }
            return CommandOutcome(.ok(remembered.reply))
        }
        let outcome = try body(context)
        if case .ok(let json) = outcome.reply {
            try context.store.rememberReply(tokenID: tokenID, key: key, digest: digest, reply: json)
        }
        return outcome
    }

    /// SHA-256 of the command, its scope and its validated parameters in the order sent.
    static func digest(of request: ResolvedRequest) -> [UInt8] {
        var hasher = SHA256()
        hasher.update(Array(request.name.description.utf8))
        hasher.update([0])
        switch request.scope {
        case .none: break
        case .town(let town): hasher.update(Array(("town:" + town.rawValue).utf8))
        case .freelancer(let freelancer): hasher.update(Array(("freelancer:" + freelancer.rawValue).utf8))
        }
        hasher.update([0])
        var writer = JSONWriter()
        writer.value(JSONNode(.object(request.parameters.members)))
        hasher.update(writer.bytes)
        return hasher.finalize()
    }

    /// How long keys are kept: `ProtocolLimits.requestKeyRetentionHours`.
    static func forgetOld(_ store: ScenarioStore, now: Date) throws {
        let cutoff = now.addingTimeInterval(-Double(ProtocolLimits.requestKeyRetentionHours) * 3_600)
        _ = try store.forgetRequestKeys(olderThan: cutoff)
    }
}
