import SasuraiCore
import SasuraiProtocol
import SasuraiStore

/// The audit row of a refused request, and of connections turned away.
///
/// Every `ERR` line the server sends for a client's or the state's fault is recorded, so that
/// a town office can see who tried what and was told no (a host probing another town's
/// placements, a token sprayer, a booking refused for a full bed). The row is written by the
/// writer in its next group commit and the reply waits for it, exactly like a write's, so a
/// client that has seen a refusal finds it in `AUDIT`. A client flooding the server with bad
/// lines therefore gets one refusal per group commit per connection, which also bounds the rows
/// it can make.
struct RefusalAudit: Sendable {
    let actor: String
    let action: String
    let subject: String?
    let detail: String

    /// Action of a refused request; the subject is the command, or null when the line named none.
    static let requestRefused = "request.refused"
    /// Action of a count of connections refused before any request (the connection cap, or no
    /// descriptors left), recorded at most twice a second whatever the rate of attempts.
    static let connectionsRefused = "connection.refused"

    /// The row for `error` sent to `session` in reply to `command`.
    init(refusing command: CommandName?, with error: ProtocolError, to session: Session) {
        actor = session.actor
        action = Self.requestRefused
        subject = command?.description
        var writer = JSONWriter()
        writer.raw("{")
        writer.key("code")
        writer.string(error.code.rawValue)
        writer.raw(", ")
        writer.key("message")
        writer.string(Self.withoutSecrets(error.message))
        writer.raw(", ")
        writer.key("connection")
        writer.integer(Int(truncatingIfNeeded: session.connectionID))
        writer.raw(", ")
        writer.key("peer")
        writer.string(session.peer)
        writer.raw("}")
        detail = writer.text
    }

    /// The row counting `count` connections refused for `reason` since the last such row.
    init(refusedConnections count: Int, reason: String) {
        actor = "system:listener"
        action = Self.connectionsRefused
        subject = nil
        var writer = JSONWriter()
        writer.raw("{")
        writer.key("reason")
        writer.string(reason)
        writer.raw(", ")
        writer.key("count")
        writer.integer(count)
        writer.raw("}")
        detail = writer.text
    }

    /// Shortest run of hex digits taken for a secret. A token is 64 of them, and a message may
    /// quote one (a token sent as a command is an unknown verb, quoted in up to 64 characters);
    /// ids, dates and numbers in messages are far shorter runs.
    static let secretHexDigits = 24

    /// `message` with every long run of hex digits replaced, so that no token reaches the
    /// audit log, which is kept forever and read by people.
    static func withoutSecrets(_ message: String) -> String {
        var result = ""
        var run = ""
        func endRun() {
            result += run.count >= secretHexDigits ? "<redacted>" : run
            run = ""
        }
        for character in message {
            if character.isHexDigit && character.isASCII {
                run.append(character)
            } else {
                endRun()
                result.append(character)
            }
        }
        endRun()
        return result
    }

    /// Appends the row on the writer's connection, inside its open transaction.
    func append(to store: ScenarioStore) throws {
        try store.append(actor: actor, action: action, subject: subject, detail: detail)
    }
}
