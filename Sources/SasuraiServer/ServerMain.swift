#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// `sasurai-server`'s entry point: parse, start, serve until a signal, exit.
public enum ServerMain {
    /// Exit codes: 0 after a clean stop, 2 for a usage mistake, 1 when the server cannot start.
    public static func run(arguments: [String]) -> Never {
        let configuration: ServerConfiguration
        do {
            switch try ServerConfiguration.parse(arguments) {
            case .help:
                print(ServerConfiguration.help)
                exit(0)
            case .run(let parsed):
                configuration = parsed
            }
        } catch {
            FileHandle.standardError.write(Data("sasurai-server: \(error.message)\n".utf8))
            exit(2)
        }
        let server = Server(configuration: configuration)
        do {
            try server.start()
        } catch {
            server.services.logger.error("start_failed", ["error": String(describing: error)])
            FileHandle.standardError.write(Data("sasurai-server: cannot start: \(error)\n".utf8))
            exit(1)
        }
        if let path = server.plannerTokenPath {
            FileHandle.standardError.write(Data("sasurai-server: new database; planner token written to \(path)\n".utf8))
        }
        server.runUntilSignalled()
        exit(0)
    }
}
