/// A request line with placeholders: `{n}` becomes a number unique to the request within the
/// run, `{c}` the connection's index. Rendering appends bytes, so it costs about as much as
/// copying the line.
struct CommandTemplate {
    enum Piece {
        case literal([UInt8])
        case requestNumber
        case connectionIndex
    }

    let pieces: [Piece]
    let text: String

    init(_ text: String) {
        self.text = text
        var pieces: [Piece] = []
        var literal: [UInt8] = []
        let bytes = Array(text.utf8)
        var index = 0
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "{"), index + 2 < bytes.count, bytes[index + 2] == UInt8(ascii: "}"),
               bytes[index + 1] == UInt8(ascii: "n") || bytes[index + 1] == UInt8(ascii: "c") {
                if !literal.isEmpty { pieces.append(.literal(literal)); literal = [] }
                pieces.append(bytes[index + 1] == UInt8(ascii: "n") ? .requestNumber : .connectionIndex)
                index += 3
            } else {
                literal.append(bytes[index])
                index += 1
            }
        }
        literal.append(0x0A)
        pieces.append(.literal(literal))
        self.pieces = pieces
    }

    @inline(__always)
    func render(into buffer: inout [UInt8], number: Int, connection: Int) {
        for piece in pieces {
            switch piece {
            case .literal(let bytes): buffer.append(contentsOf: bytes)
            case .requestNumber: Self.appendDecimal(number, to: &buffer)
            case .connectionIndex: Self.appendDecimal(connection, to: &buffer)
            }
        }
    }

    @inline(__always)
    static func appendDecimal(_ value: Int, to buffer: inout [UInt8]) {
        if value < 0 {
            buffer.append(UInt8(ascii: "-"))
            appendDecimal(-value, to: &buffer)
            return
        }
        if value < 10 {
            buffer.append(UInt8(ascii: "0") + UInt8(value))
            return
        }
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                      UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        var rest = value
        withUnsafeMutableBytes(of: &digits) { raw in
            while rest > 0 {
                raw[count] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
                count += 1
            }
            for position in stride(from: count - 1, through: 0, by: -1) { buffer.append(raw[position]) }
        }
    }
}
