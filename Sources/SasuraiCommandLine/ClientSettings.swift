import Foundation
import SasuraiCore

/// Where to connect and which token to present, from flags, environment or the config file.
///
/// Flags win over the environment (`SASURAI_SERVER`, `SASURAI_TOKEN`), which wins over the
/// file `sasurai login` writes, so a one-off call can override a saved login.
public struct ClientSettings: Sendable, Equatable {
    public var server: ServerAddress
    public var token: String?
    /// Where each value came from, for `whoami` and for messages that say what to fix.
    public var serverSource: String
    public var tokenSource: String?

    /// The options every command that talks to the server accepts.
    static let options: [OptionSpecification] = [
        OptionSpecification("--server", value: "HOST:PORT", help: "The server (default: SASURAI_SERVER, the login file, or 127.0.0.1:7878)."),
        OptionSpecification("--token-file", value: "FILE", help: "Read the token from FILE (default: SASURAI_TOKEN or the login file)."),
        OptionSpecification("--config", value: "FILE", help: "The login file (default: SASURAI_CONFIG or ~/.config/sasurai/config)."),
    ]

    /// The login file: `SASURAI_CONFIG`, else `$XDG_CONFIG_HOME/sasurai/config`, else `~/.config/sasurai/config`.
    static func configPath(_ arguments: ParsedArguments, environment: [String: String]) -> String {
        if let path = arguments.value("--config") { return path }
        if let path = environment["SASURAI_CONFIG"], !path.isEmpty { return path }
        if let base = environment["XDG_CONFIG_HOME"], base.hasPrefix("/") { return base + "/sasurai/config" }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return home + "/.config/sasurai/config"
    }

    /// Resolves the settings; a malformed value is a usage error naming where it came from.
    static func resolve(_ arguments: ParsedArguments,
                        environment: [String: String] = ProcessInfo.processInfo.environment) throws -> ClientSettings {
        let path = configPath(arguments, environment: environment)
        let file = try ConfigFile.read(path)
        var settings = ClientSettings(server: .standard, token: nil, serverSource: "default", tokenSource: nil)
        let serverText: (String, String)? = arguments.value("--server").map { ($0, "--server") }
            ?? environment["SASURAI_SERVER"].flatMap { $0.isEmpty ? nil : ($0, "SASURAI_SERVER") }
            ?? file.values["server"].map { ($0, path) }
        if let (text, source) = serverText {
            guard let address = ServerAddress(text) else {
                throw UsageError("\(source): \"\(text)\" is not HOST:PORT (for example 127.0.0.1:7878)")
            }
            settings.server = address
            settings.serverSource = source
        }
        if let tokenPath = arguments.value("--token-file") {
            settings.token = try readTokenFile(tokenPath)
            settings.tokenSource = tokenPath == "-" ? "standard input" : tokenPath
        } else if let token = environment["SASURAI_TOKEN"], !token.isEmpty {
            settings.token = token.trimmingCharacters(in: .whitespacesAndNewlines)
            settings.tokenSource = "SASURAI_TOKEN"
        } else if let token = file.values["token"] {
            settings.token = token
            settings.tokenSource = path
        }
        return settings
    }

    /// A token file holds the 64 hex digits, possibly followed by a newline.
    static func readTokenFile(_ path: String) throws -> String {
        if path == "-" {
            guard let line = readLine(strippingNewline: true) else {
                throw CommandFailure("--token-file -: nothing on standard input; pipe the token in or give a file", exitCode: .connection)
            }
            return line.trimmingCharacters(in: .whitespaces)
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CommandFailure("cannot read token file \(path); give the file the server wrote (DB.planner-token) or one from 'sasurai admin token issue'",
                                 exitCode: .connection)
        }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// The login file: `key = value` lines, `#` comments; written with mode 0600 since it holds a token.
struct ConfigFile {
    var values: [String: String] = [:]

    static func read(_ path: String) throws -> ConfigFile {
        guard let data = FileManager.default.contents(atPath: path) else { return ConfigFile() }
        var file = ConfigFile()
        for (index, rawLine) in String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            guard let equals = line.firstIndex(of: "=") else {
                throw CommandFailure("\(path) line \(index + 1): expected key = value; fix or delete the file, or run 'sasurai login' again")
            }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces)
            let value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            guard key == "server" || key == "token" else {
                throw CommandFailure("\(path) line \(index + 1): unknown key \"\(key)\"; the file takes server and token")
            }
            file.values[key] = value
        }
        return file
    }

    /// Writes the file atomically with mode 0600, creating its folder (mode 0700) if needed.
    func write(to path: String) throws {
        let folder = (path as NSString).deletingLastPathComponent
        if !folder.isEmpty && !FileManager.default.fileExists(atPath: folder) {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        }
        var text = "# Written by 'sasurai login'. It holds an access token: keep it private (mode 0600).\n"
        for key in ["server", "token"] { if let value = values[key] { text += "\(key) = \(value)\n" } }
        let temporary = path + ".tmp-\(getpid())"
        guard FileManager.default.createFile(atPath: temporary, contents: Data(text.utf8),
                                             attributes: [.posixPermissions: 0o600]) else {
            throw CommandFailure("cannot write \(path); check that its folder is writable, or give --config FILE")
        }
        // createFile applies the umask after the permissions; set them again to be sure.
        chmod(temporary, 0o600)
        guard rename(temporary, path) == 0 else {
            unlink(temporary)
            throw CommandFailure("cannot write \(path): \(ServerConnection.errorText(errno))")
        }
    }
}
