// Fuzz target `command`: CommandTable.standard.resolve(line:principal:), the parsing and
// checking of every request line. Run with `scripts/fuzz.sh command SECONDS`.
//
// The input is one request line (as the codec hands it over, so without its LF, though any
// byte may appear). It is resolved for each kind of principal. A refusal must be a client
// error whose reply is one safe line; an acceptance must be a request its handler can trust:
// allowed for the principal, scoped to it, every parameter declared and of its declared type.
import SasuraiCore
import SasuraiProtocol

let principals: [Principal] = [.anonymous, .host(TownID("nanto")), .freelancer(FreelancerID("f-1")), .planner]

/// Upper bound of an error reply: "ERR ", the code, the message of at most
/// `maximumMessageCharacters` scalars plus an ellipsis, each at most 6 bytes once escaped.
let maximumErrorReplyBytes = 4 + 20 + 6 * (ProtocolLimits.maximumMessageCharacters + 1) + 1

func checkRefusal(_ error: ProtocolError) {
    require(error.fault == .client, "resolve answered \(error.code) for a request line")
    let reply = Reply.error(error)
    let bytes = reply.encoded
    require(bytes.last == 0x0A, "reply does not end in LF")
    require(bytes.count <= maximumErrorReplyBytes, "reply of \(bytes.count) bytes")
    for byte in bytes.dropLast() {
        require(byte >= 0x20 && byte != 0x7F, "reply holds control byte \(byte): \(reply.text)")
    }
    for scalar in String(decoding: bytes.dropLast(), as: UTF8.self).unicodeScalars {
        let value = scalar.value
        require(!(0x80...0x9F).contains(value) && value != 0x2028 && value != 0x2029,
                "reply holds U+\(String(value, radix: 16)): \(reply.text)")
    }
    require(reply.text.utf8.count == bytes.count - 1, "text and encoded differ")
    require(bytes.starts(with: Array("ERR \(error.code.rawValue) ".utf8)), "reply does not start with its code")
}

/// True when `node` is what `type` allows, checked independently of the validator.
func conforms(_ node: JSONNode, _ type: ParameterType) -> Bool {
    func string(_ node: JSONNode) -> String? {
        if case .string(let text) = node.value { return text }
        return nil
    }
    switch type {
    case .nullable(let inner):
        if case .null = node.value { return true }
        return conforms(node, inner)
    case .identifier:
        return string(node).map(IdentifierRules.isValidIdentifier) ?? false
    case .text(let maximum):
        guard let text = string(node) else { return false }
        return !text.isEmpty && text.unicodeScalars.count <= maximum
    case .integer(let range):
        if case .integer(let value) = node.value { return range.contains(value) }
        return false
    case .boolean:
        if case .bool = node.value { return true }
        return false
    case .date:
        return string(node).flatMap { Day(iso: $0) } != nil
    case .choice(let words):
        return string(node).map(words.contains) ?? false
    case .list(let element, let maximumCount, let unique):
        guard case .array(let elements) = node.value, elements.count <= maximumCount else { return false }
        guard elements.allSatisfy({ conforms($0, element) }) else { return false }
        if unique {
            for (index, item) in elements.enumerated() where elements[..<index].contains(where: { $0.value == item.value }) {
                return false
            }
        }
        return true
    case .dateRange:
        guard case .array(let pair) = node.value, pair.count == 2,
              let from = string(pair[0]).flatMap({ Day(iso: $0) }),
              let to = string(pair[1]).flatMap({ Day(iso: $0) }) else { return false }
        return from < to
    case .object:
        if case .object = node.value { return true }
        return false
    case .skill:
        return string(node).map(IdentifierRules.isValidSkill) ?? false
    case .path:
        guard let text = string(node) else { return false }
        return text.hasPrefix("/") && text.utf8.count <= ProtocolLimits.maximumPathBytes && !text.utf8.contains(0)
    case .token:
        guard let text = string(node) else { return false }
        return text.utf8.count == 64 && text.utf8.allSatisfy {
            ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) || ($0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "f"))
        }
    }
}

func checkAcceptance(_ request: ResolvedRequest, _ principal: Principal) {
    let command = request.command
    require(CommandTable.standard.command(command.name) == command, "\(command.name) is not the table's")
    require(request.principal == principal, "resolved for another principal")
    require(principal.satisfies(command.role), "\(command.name) resolved for \(principal)")

    switch (command.scope, principal, request.scope) {
    case (.none, _, .none): break
    case (.town, .host(let own), .town(let town)): require(town == own, "host scoped to town \(town)")
    case (.town, .planner, .town(let town)): require(IdentifierRules.isValidIdentifier(town.rawValue), "town \(town)")
    case (.freelancer, .freelancer(let own), .freelancer(let freelancer)):
        require(freelancer == own, "freelancer scoped to \(freelancer)")
    case (.freelancer, .planner, .freelancer(let freelancer)):
        require(IdentifierRules.isValidIdentifier(freelancer.rawValue), "freelancer \(freelancer)")
    default: require(false, "\(command.name) for \(principal) got scope \(request.scope)")
    }

    if let key = request.requestKey {
        require(command.acceptsRequestKey, "\(command.name) took a request key")
        require(IdentifierRules.isValidIdentifier(key), "request key \(key)")
    }
    var seen: Set<String> = []
    for member in request.parameters.members {
        require(seen.insert(member.key).inserted, "parameter \(member.key) twice")
        guard let spec = command.parameters.first(where: { $0.name == member.key }) else {
            require(false, "\(command.name) got undeclared parameter \(member.key)")
            return
        }
        require(conforms(member.node, spec.type), "\(command.name) \(member.key) is not \(spec.type)")
    }
    for spec in command.parameters where spec.isRequired {
        require(seen.contains(spec.name), "\(command.name) lacks required \(spec.name)")
    }

    // The validated parameters echoed as a reply stay one line and read back the same.
    var writer = JSONWriter()
    writer.value(JSONNode(.object(request.parameters.members)))
    let encoded = Reply.ok(writer).encoded
    require(encoded.firstIndex(of: 0x0A) == encoded.count - 1 && !encoded.contains(0x0D), "OK reply breaks the line")
    do {
        let parsed = try JSONParser.parse(writer.bytes)
        var again = JSONWriter()
        again.value(parsed)
        require(again.bytes == writer.bytes, "parameters do not read back the same")
    } catch {
        require(false, "written parameters do not parse: \(error)")
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCommandTable(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    let line = fuzzInput(start, count)
    for principal in principals {
        switch CommandTable.standard.resolve(line: line, principal: principal) {
        case .failure(let error):
            checkRefusal(error)
        case .success(let request):
            checkAcceptance(request, principal)
        }
    }
    return 0
}
