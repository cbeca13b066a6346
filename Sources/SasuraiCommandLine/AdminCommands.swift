import Foundation
import SasuraiCore

/// `sasurai admin ...`: access tokens, the audit log and backups (planner tokens only).
enum AdminCommands {
    static let group = CommandSpecification(
        name: "admin",
        abstract: "For planners: access tokens for towns and freelancers, the audit log, backups.",
        examples: ["sasurai admin token issue --role host --subject nanto --label \"Nanto town office\"",
                   "sasurai admin audit --limit 20", "sasurai admin backup /var/backups/sasurai-2026-12-06.db"],
        subcommands: [tokenGroup, audit, backup])

    static let tokenGroup = CommandSpecification(
        name: "token", abstract: "Issue, list or revoke access tokens.",
        examples: ["sasurai admin token issue --role freelancer --subject f-0001", "sasurai admin token list",
                   "sasurai admin token revoke 7"],
        subcommands: [tokenIssue, tokenList, tokenRevoke])

    static let tokenIssue = ClientCommand.make(
        name: "issue", abstract: "Issue a token for a planner, a town's staff or a freelancer; it is shown only once.",
        discussion: """
        The server keeps only the token's SHA-256, so this is the one time it can be read. \
        --out FILE writes it to a new file with mode 0600 instead of printing it, ready for \
        'sasurai login --token-file FILE'.
        """,
        examples: ["sasurai admin token issue --role host --subject nanto --label \"Nanto town office\" --out nanto.token",
                   "sasurai admin token issue --role freelancer --subject f-0001"],
        options: [OptionSpecification("--role", value: "ROLE", help: "planner, host or freelancer."),
                  OptionSpecification("--subject", value: "ID", help: "The town (host) or freelancer (freelancer) it acts for."),
                  OptionSpecification("--label", value: "TEXT", help: "Who holds it, for the token list."),
                  OptionSpecification("--out", value: "FILE", help: "Write the token to this new file (mode 0600) instead of printing it.")],
        prepare: { arguments, format in
            guard let role = try arguments.choice("--role", ["planner", "host", "freelancer"]) else { throw UsageError("missing --role ROLE") }
            var request = RequestObject([("role", .string(role))])
            if let subject = arguments.value("--subject") {
                guard role != "planner" else { throw UsageError("--subject is not allowed for a planner token") }
                try ParsedArguments.checkIdentifier(subject, "--subject")
                request.set("subject", .string(subject))
            } else if role != "planner" {
                throw UsageError("missing --subject ID (the \(role == "host" ? "town" : "freelancer") the token acts for)")
            }
            if let label = arguments.value("--label") { request.set("label", .string(label)) }
            let out = arguments.value("--out")
            if let out, FileManager.default.fileExists(atPath: out) { throw UsageError("--out: \(out) exists; give a new file") }
            return { [request] session, output in
                let reply = try session.call("TOKEN ISSUE", request)
                if let out {
                    guard FileManager.default.createFile(atPath: out, contents: Data((reply.text("token") + "\n").utf8),
                                                         attributes: [.posixPermissions: 0o600]) else {
                        throw CommandFailure("cannot write \(out); the token (id \(reply.text("id"))) was issued: revoke it with 'sasurai admin token revoke \(reply.text("id"))'")
                    }
                    chmod(out, 0o600)
                }
                switch format {
                case .json where out == nil: output.print(reply.jsonText)
                case .json:
                    output.print(RequestObject([("id", .integer(reply["id"]?.integerValue ?? 0)), ("path", .string(out!))]).text)
                default:
                    let who = reply["subject"]?.stringValue.map { " for \($0)" } ?? ""
                    if let out {
                        output.print("Issued token \(reply.text("id")) (\(reply.text("role"))\(who)) and wrote it to \(out) (mode 0600).")
                    } else {
                        output.print(reply.text("token"))
                        output.printError("Token \(reply.text("id")) (\(reply.text("role"))\(who)). It is shown only this once: hand it over privately.")
                    }
                }
                return .success
            }
        })

    static let tokenView = ListView(columns: [
        .number("id", "id"), .text("role", "role"), .text("subject", "subject"), .text("label", "label"),
        .custom("created") { DateFormat.timestamp($0.text("created_at")) },
        .custom("revoked") { $0["revoked_at"]?.stringValue.map(DateFormat.timestamp) ?? "-" },
    ])

    static let tokenList = ClientCommand.make(
        name: "list", abstract: "List tokens (never the tokens themselves).",
        examples: ["sasurai admin token list", "sasurai admin token list --revoked"],
        options: [OptionSpecification("--revoked", help: "Include revoked tokens.")],
        list: true,
        prepare: { arguments, format in
            let request = RequestObject([("revoked", arguments.flag("--revoked") ? .bool(true) : nil)])
            return { session, output in
                let reply = try session.call("TOKEN LIST", request)
                let tokens = reply["tokens"]?.arrayValue ?? []
                ClientCommand.emit(reply, format, to: &output, csv: { tokenView.csv(tokens) }) {
                    tokenView.table(tokens, empty: "No tokens.")
                }
                return .success
            }
        })

    static let tokenRevoke = ClientCommand.make(
        name: "revoke", abstract: "Revoke a token; connections using it lose their role at their next request.",
        examples: ["sasurai admin token revoke 7"],
        arguments: [ArgumentSpecification("ID", help: "The token's number (see 'token list').")],
        prepare: { arguments, format in
            guard let id = Int(arguments.positionals[0]), id >= 1 else {
                throw UsageError("ID takes a token number, got \"\(arguments.positionals[0])\"")
            }
            return { session, output in
                let reply = try session.call("TOKEN REVOKE", RequestObject([("id", .integer(id))]), mutating: true)
                ClientCommand.emit(reply, format, to: &output) {
                    "Token \(id) revoked at \(DateFormat.timestamp(reply.text("revoked_at"))).\n"
                }
                return .success
            }
        })

    static let auditView = ListView(columns: [
        .number("id", "id"), .custom("at") { DateFormat.timestamp($0.text("at")) }, .text("actor", "actor"),
        .text("action", "action"), .text("subject", "subject"), .text("detail", "detail"),
    ])

    static let audit = ClientCommand.make(
        name: "audit", abstract: "Page through the audit log: every write and every refused command.",
        examples: ["sasurai admin audit", "sasurai admin audit --after 200 --limit 50 --csv"],
        options: [OptionSpecification("--after", value: "N", help: "Entries after entry N (default 0)."),
                  OptionSpecification("--limit", value: "N", help: "At most N entries (1 to 1,000, default 100).")],
        list: true,
        prepare: { arguments, format in
            let after = try arguments.integer("--after", in: 0...9_007_199_254_740_991, default: 0)!
            let limit = try arguments.integer("--limit", in: 1...1000, default: 100)!
            return { session, output in
                let reply = try session.call("AUDIT", RequestObject([("after", .integer(after)), ("limit", .integer(limit))]))
                let entries = reply["entries"]?.arrayValue ?? []
                ClientCommand.emit(reply, format, to: &output, csv: { auditView.csv(entries) }) {
                    var text = auditView.table(entries, empty: "No entries after \(after).")
                    if entries.count == limit { text += "\nMore: sasurai admin audit --after \(reply.text("next"))\n" }
                    return text
                }
                return .success
            }
        })

    static let backup = ClientCommand.make(
        name: "backup", abstract: "Copy the live database to a new file on the server's machine (SQLite online backup).",
        examples: ["sasurai admin backup /var/backups/sasurai-2026-12-06.db"],
        arguments: [ArgumentSpecification("PATH", help: "An absolute path on the server's machine; the file must not exist.")],
        prepare: { arguments, format in
            let path = arguments.positionals[0]
            guard path.hasPrefix("/") else { throw UsageError("PATH must be absolute (the server writes it), got \"\(path)\"") }
            return { session, output in
                let reply = try session.call("BACKUP", RequestObject([("path", .string(path))]), mutating: true)
                ClientCommand.emit(reply, format, to: &output) {
                    "Backed up to \(reply.text("path")) (\(NumberFormat.grouped(reply["bytes"]?.integerValue ?? 0)) bytes).\n"
                }
                return .success
            }
        })
}
