// Fuzz target `scenario`: JSONParser and ScenarioReader on arbitrary file bytes.
// Run with `scripts/fuzz.sh scenario SECONDS`.
//
// Any bytes: parsing and reading must return or throw, never crash. JSON that parses must
// be written and read back to the same values; a scenario that reads must be written by
// ScenarioWriter, read again to the same scenario, and written again to the same bytes.
import SasuraiCore

/// The value without the byte offsets, which differ between two layouts of one document.
func stripped(_ node: JSONNode) -> JSONNode {
    switch node.value {
    case .array(let elements): return JSONNode(.array(elements.map(stripped)))
    case .object(let members):
        return JSONNode(.object(members.map { JSONMember(key: $0.key, node: stripped($0.node)) }))
    default: return JSONNode(node.value)
    }
}

func checkJSONRoundTrip(_ node: JSONNode) {
    var writer = JSONWriter()
    writer.value(node)
    let reparsed: JSONNode
    do {
        reparsed = try JSONParser.parse(writer.bytes)
    } catch {
        require(false, "written JSON does not parse: \(error) in \(writer.text)")
        return
    }
    require(stripped(reparsed) == stripped(node), "JSON reads back different: \(writer.text)")
    var again = JSONWriter()
    again.value(reparsed)
    require(again.bytes == writer.bytes, "JSON written twice differs: \(writer.text) / \(again.text)")
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzScenarioReader(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    let bytes = fuzzInput(start, count)
    if let node = try? JSONParser.parse(bytes) { checkJSONRoundTrip(node) }

    let scenario: Scenario
    do {
        scenario = try ScenarioReader.read(bytes)
    } catch {
        require(!error.diagnostics.isEmpty, "a refusal without a diagnostic")
        require(error.diagnostics.count <= DiagnosticCollector.defaultLimit, "\(error.diagnostics.count) diagnostics")
        return 0
    }
    let written = ScenarioWriter.write(scenario)
    let reread: Scenario
    do {
        reread = try ScenarioReader.read(written)
    } catch {
        require(false, "the canonical form of an accepted scenario is refused: \(error)")
        return 0
    }
    require(reread == scenario.sortedCanonically(), "scenario changed through write and read")
    require(ScenarioWriter.write(reread) == written, "canonical form is not stable")
    return 0
}
