import SasuraiCore

/// Whose fault an error is, as memcached separates ERROR, CLIENT_ERROR and SERVER_ERROR.
public enum ErrorFault: String, Hashable, Sendable {
    /// The request was wrong; sending it again unchanged fails again.
    case client
    /// The request was fine but the current state refuses it; it may work later.
    case state
    /// The server failed.
    case server
}

/// The fixed list of error codes of docs/PROTOCOL.md section 2.
public enum ErrorCode: String, Hashable, Sendable, CaseIterable {
    case badRequest = "BAD_REQUEST"
    case unknownCommand = "UNKNOWN_COMMAND"
    case unauthorized = "UNAUTHORIZED"
    case forbidden = "FORBIDDEN"
    case invalid = "INVALID"
    case tooLarge = "TOO_LARGE"
    case notFound = "NOT_FOUND"
    case conflict = "CONFLICT"
    case stale = "STALE"
    case busy = "BUSY"
    case serverError = "SERVER_ERROR"

    public var fault: ErrorFault {
        switch self {
        case .badRequest, .unknownCommand, .unauthorized, .forbidden, .invalid, .tooLarge: return .client
        case .notFound, .conflict, .stale, .busy: return .state
        case .serverError: return .server
        }
    }
}

/// A refusal sent as one `ERR <CODE> <message>` line.
public struct ProtocolError: Error, Hashable, Sendable, CustomStringConvertible {
    public var code: ErrorCode
    /// Text for people; sanitized when encoded, so it may quote anything.
    public var message: String
    /// True when the server closes the connection after sending this reply.
    public var closesConnection: Bool

    public init(_ code: ErrorCode, _ message: String, closesConnection: Bool = false) {
        self.code = code
        self.message = message
        self.closesConnection = closesConnection
    }

    public var fault: ErrorFault { code.fault }

    /// The reply line without its LF, e.g. `ERR INVALID beds: 20000 is out of range 0 to 10000`.
    public var description: String { Reply.error(self).text }

    /// An INVALID error naming the field path first, as every INVALID message does.
    public static func invalid(_ path: String, _ message: String) -> ProtocolError {
        ProtocolError(.invalid, path + ": " + message)
    }

    /// The reply to a line over the limit; the connection stays open.
    public static func lineTooLong(limit: Int) -> ProtocolError {
        ProtocolError(.tooLarge, "line exceeds \(limit) bytes")
    }

    /// The one line sent to a connection over the connection limit before closing it.
    public static func tooManyConnections(limit: Int = ProtocolLimits.maximumConnections) -> ProtocolError {
        ProtocolError(.busy, "too many connections (limit \(limit)); try again later", closesConnection: true)
    }

    /// The reply to a line that did not finish within the line deadline, before closing.
    public static func lineDeadlineExceeded(seconds: Int = ProtocolLimits.lineDeadlineSeconds) -> ProtocolError {
        ProtocolError(.badRequest, "line not finished within \(seconds) seconds", closesConnection: true)
    }

    /// The reply to the failed AUTH that reaches the limit, before closing.
    public static let tooManyFailedAuthentications = ProtocolError(
        .unauthorized, "too many failed AUTH attempts; closing", closesConnection: true)

    /// The reply to a token that matches no live token.
    public static let unknownToken = ProtocolError(.unauthorized, "unknown or revoked token")

    /// The reply when a reply would exceed `ProtocolLimits.maximumReplyBytes`.
    public static func replyTooLarge(bytes: Int, hint: String = "narrow the request") -> ProtocolError {
        ProtocolError(.tooLarge, "reply would be \(bytes) bytes, over \(ProtocolLimits.maximumReplyBytes); \(hint)")
    }
}

/// One reply line: `OK <json>` or `ERR <CODE> <message>`.
public enum Reply: Hashable, Sendable {
    /// Success with a JSON object, held as its text bytes.
    case ok([UInt8])
    case error(ProtocolError)

    /// Success with the object a writer built.
    public static func ok(_ writer: JSONWriter) -> Reply { .ok(writer.bytes) }

    /// Success with a parsed object.
    public static func ok(_ node: JSONNode) -> Reply {
        var writer = JSONWriter()
        writer.value(node)
        return .ok(writer.bytes)
    }

    /// The bytes to send, ending in LF and with no CR or LF anywhere else.
    public var encoded: [UInt8] {
        var bytes: [UInt8]
        switch self {
        case .ok(let json):
            bytes = Array("OK ".utf8)
            bytes.reserveCapacity(json.count + 4)
            // CR and LF can only be JSON white space here (inside strings they are escaped),
            // so turning them into spaces keeps the JSON's meaning and the line intact.
            for byte in json { bytes.append(byte == 0x0A || byte == 0x0D ? 0x20 : byte) }
        case .error(let error):
            bytes = Array("ERR \(error.code.rawValue) \(ReplySanitizer.message(error.message))".utf8)
        }
        bytes.append(0x0A)
        return bytes
    }

    /// The line without its LF.
    public var text: String {
        let bytes = encoded
        return String(decoding: bytes[..<(bytes.count - 1)], as: UTF8.self)
    }

    /// True when the server closes the connection after this reply.
    public var closesConnection: Bool {
        if case .error(let error) = self { return error.closesConnection }
        return false
    }
}

/// Makes client-supplied text safe to put in one reply line.
public enum ReplySanitizer {
    /// Message text with every control or line-breaking character escaped and the length
    /// capped, so a reply is always exactly one line whatever a client quoted into it.
    public static func message(_ text: String,
                               limit: Int = ProtocolLimits.maximumMessageCharacters) -> String {
        var result = ""
        var count = 0
        // A cut message keeps limit - 1 characters and the ellipsis: limit in all.
        let isCut = text.unicodeScalars.count > limit
        for scalar in text.unicodeScalars {
            if isCut && count >= limit - 1 {
                result += "…"
                break
            }
            if needsEscape(scalar) {
                result += escape(scalar)
            } else {
                result.unicodeScalars.append(scalar)
            }
            count += 1
        }
        return result.isEmpty ? "error" : result
    }

    /// Client text to quote inside a message: escaped like `message` and cut shorter.
    public static func quoted(_ text: String,
                              limit: Int = ProtocolLimits.maximumQuotedCharacters) -> String {
        var result = "\""
        var count = 0
        for scalar in text.unicodeScalars {
            if count >= limit {
                result += "…"
                break
            }
            if scalar == "\"" || scalar == "\\" {
                result += "\\" + String(scalar)
            } else if needsEscape(scalar) {
                result += escape(scalar)
            } else {
                result.unicodeScalars.append(scalar)
            }
            count += 1
        }
        return result + "\""
    }

    /// C0 and C1 controls, DEL, and the Unicode line and paragraph separators: any of them
    /// could break a line in some client or terminal.
    static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0..<0x20, 0x7F...0x9F, 0x2028, 0x2029: return true
        default: return false
        }
    }

    static func escape(_ scalar: Unicode.Scalar) -> String {
        let digits = String(scalar.value, radix: 16, uppercase: true)
        return "\\u" + String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}
