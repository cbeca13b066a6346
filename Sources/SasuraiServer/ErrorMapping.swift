import CSQLite
import SasuraiCore
import SasuraiProtocol
import SasuraiStore

/// The one place that turns what handlers and the store throw into protocol errors, by fault.
enum ErrorMapping {
    static func protocolError(for error: any Error, logger: Logger) -> ProtocolError {
        switch error {
        case let error as ProtocolError:
            return error
        case let error as StoreError:
            return protocolError(for: error, logger: logger)
        case let error as SQLiteError:
            // The server's fault (or the disk's): logged in full, answered without SQL.
            logger.error("sqlite_error", ["code": String(error.extendedCode), "message": error.message,
                                          "sql": error.sql ?? ""])
            switch error.code {
            case SQLITE_FULL: return ProtocolError(.serverError, "disk full")
            case SQLITE_BUSY, SQLITE_LOCKED: return ProtocolError(.busy, "the database is busy; try again")
            case SQLITE_IOERR: return ProtocolError(.serverError, "I/O error")
            case SQLITE_READONLY: return ProtocolError(.serverError, "the database is read-only")
            default: return ProtocolError(.serverError, "database error (\(error.code))")
            }
        default:
            logger.error("internal_error", ["error": String(describing: error)])
            return ProtocolError(.serverError, "internal error")
        }
    }

    static func protocolError(for error: StoreError, logger: Logger) -> ProtocolError {
        switch error {
        case .notFound(let entity, let id):
            return ProtocolError(.notFound, "\(entity) \(ReplySanitizer.quoted(id, limit: 256))")
        case .conflict(let message):
            return ProtocolError(.conflict, message)
        case .invalidTransition(let application, let from, _):
            return ProtocolError(.conflict, "application \"\(application)\" is \(from.rawValue)")
        case .stalePlan(let planID, let basedOnVersion, let currentVersion):
            return ProtocolError(.stale, "plan \(planID) was computed on state version \(basedOnVersion); "
                                 + "the state is now \(currentVersion)")
        case .invalidArgument(let message):
            return ProtocolError(.invalid, message)
        case .corruptData(let message):
            logger.error("corrupt_data", ["message": message])
            return ProtocolError(.serverError, "stored data cannot be read")
        case .invalidField(let path, let message):
            return ProtocolError.invalid(path, message)
        }
    }
}
