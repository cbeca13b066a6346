/// Checks UTF-8 byte sequences exactly as the Unicode standard's table 3-7 does: no overlong
/// forms, no surrogates, nothing past U+10FFFF.
public enum UTF8Validation {
    /// What the bytes at an index hold.
    public enum Sequence: Equatable, Sendable {
        /// A valid sequence of this many bytes.
        case valid(length: Int)
        /// Not valid: the offset of the first byte that breaks it (the end of the input when
        /// the sequence is cut short).
        case invalid(offset: Int)
    }

    /// The multi-byte (or ASCII) sequence starting at `index`.
    public static func sequence(in bytes: [UInt8], at index: Int) -> Sequence {
        let lead = bytes[index]
        if lead < 0x80 { return .valid(length: 1) }
        let length: Int
        var lowerBound: UInt8 = 0x80
        var upperBound: UInt8 = 0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; lowerBound = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; upperBound = 0x9F
        case 0xF0: length = 4; lowerBound = 0x90
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; upperBound = 0x8F
        default: return .invalid(offset: index)
        }
        for position in 1..<length {
            let offset = index + position
            guard offset < bytes.count else { return .invalid(offset: offset) }
            let byte = bytes[offset]
            let low = position == 1 ? lowerBound : 0x80
            let high = position == 1 ? upperBound : 0xBF
            guard byte >= low, byte <= high else { return .invalid(offset: offset) }
        }
        return .valid(length: length)
    }
}
