/// SHA-256 (FIPS 180-4), written out so the server needs no crypto library.
///
/// Tokens are stored only as SHA-256 digests; this is the function that makes them.
public struct SHA256: Sendable {
    private static let roundConstants: [UInt32] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
    ]

    private var state: [UInt32] = [
        0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
    ]
    private var block: [UInt8] = []
    private var messageLength: UInt64 = 0

    public init() {
        block.reserveCapacity(64)
    }

    /// The digest of `bytes` in one call.
    public static func hash(_ bytes: some Sequence<UInt8>) -> [UInt8] {
        var hasher = SHA256()
        hasher.update(bytes)
        return hasher.finalize()
    }

    /// The digest of a string's UTF-8 bytes.
    public static func hash(_ text: String) -> [UInt8] {
        hash(Array(text.utf8))
    }

    public mutating func update(_ bytes: some Sequence<UInt8>) {
        // Whole blocks straight from contiguous storage: appending byte by byte made hashing a
        // request's parameters (every write with a request key) a tenth of the writer's time.
        let done: Void? = bytes.withContiguousStorageIfAvailable { buffer in
            update(contiguous: UnsafeRawBufferPointer(buffer))
        }
        if done == nil {
            let copied = Array(bytes)
            copied.withUnsafeBytes { update(contiguous: $0) }
        }
    }

    private mutating func update(contiguous bytes: UnsafeRawBufferPointer) {
        messageLength &+= UInt64(bytes.count)
        var offset = 0
        if !block.isEmpty {
            let taken = min(64 - block.count, bytes.count)
            block.append(contentsOf: bytes[0..<taken])
            offset = taken
            guard block.count == 64 else { return }
            compressBlock()
            block.removeAll(keepingCapacity: true)
        }
        while bytes.count - offset >= 64 {
            compress(UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + 64)]))
            offset += 64
        }
        if offset < bytes.count {
            block.append(contentsOf: bytes[offset...])
        }
    }

    /// The 32-byte digest; the hasher must not be used afterwards.
    public mutating func finalize() -> [UInt8] {
        let bitLength = messageLength &* 8
        block.append(0x80)
        if block.count > 56 {
            while block.count < 64 { block.append(0) }
            compressBlock()
            block.removeAll(keepingCapacity: true)
        }
        while block.count < 56 { block.append(0) }
        for shift in stride(from: 56, through: 0, by: -8) {
            block.append(UInt8(truncatingIfNeeded: bitLength >> UInt64(shift)))
        }
        compressBlock()
        block.removeAll(keepingCapacity: true)
        var digest: [UInt8] = []
        digest.reserveCapacity(32)
        for word in state {
            digest.append(UInt8(truncatingIfNeeded: word >> 24))
            digest.append(UInt8(truncatingIfNeeded: word >> 16))
            digest.append(UInt8(truncatingIfNeeded: word >> 8))
            digest.append(UInt8(truncatingIfNeeded: word))
        }
        return digest
    }

    private mutating func compressBlock() {
        let full = block
        full.withUnsafeBytes { compress($0) }
    }

    /// One round of the compression function over 64 bytes.
    private mutating func compress(_ chunk: UnsafeRawBufferPointer) {
        // Taken out of the struct while in use, so the arrays stay uniquely referenced and are
        // written in place rather than copied on every block.
        var words = self.state
        self.state = []
        defer { self.state = words }
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 64) { schedule in
            SHA256.roundConstants.withUnsafeBufferPointer { constants in
                words.withUnsafeMutableBufferPointer { state in
                    for index in 0..<16 {
                        schedule[index] = UInt32(chunk[index * 4]) << 24 | UInt32(chunk[index * 4 + 1]) << 16
                            | UInt32(chunk[index * 4 + 2]) << 8 | UInt32(chunk[index * 4 + 3])
                    }
                    for index in 16..<64 {
                        let early = schedule[index - 15]
                        let late = schedule[index - 2]
                        let sigma0 = rotateRight(early, 7) ^ rotateRight(early, 18) ^ (early >> 3)
                        let sigma1 = rotateRight(late, 17) ^ rotateRight(late, 19) ^ (late >> 10)
                        schedule[index] = schedule[index - 16] &+ sigma0 &+ schedule[index - 7] &+ sigma1
                    }
                    var a = state[0], b = state[1], c = state[2], d = state[3]
                    var e = state[4], f = state[5], g = state[6], h = state[7]
                    for index in 0..<64 {
                        let sum1 = rotateRight(e, 6) ^ rotateRight(e, 11) ^ rotateRight(e, 25)
                        let choice = (e & f) ^ (~e & g)
                        let temporary1 = h &+ sum1 &+ choice &+ constants[index] &+ schedule[index]
                        let sum0 = rotateRight(a, 2) ^ rotateRight(a, 13) ^ rotateRight(a, 22)
                        let majority = (a & b) ^ (a & c) ^ (b & c)
                        let temporary2 = sum0 &+ majority
                        h = g
                        g = f
                        f = e
                        e = d &+ temporary1
                        d = c
                        c = b
                        b = a
                        a = temporary1 &+ temporary2
                    }
                    state[0] &+= a
                    state[1] &+= b
                    state[2] &+= c
                    state[3] &+= d
                    state[4] &+= e
                    state[5] &+= f
                    state[6] &+= g
                    state[7] &+= h
                }
            }
        }
    }

    @inline(__always)
    private func rotateRight(_ value: UInt32, _ count: UInt32) -> UInt32 {
        (value >> count) | (value << (32 - count))
    }
}

/// Bearer tokens: generation, hashing for storage, and comparison that leaks no timing.
public enum AccessToken {
    /// A new token: 256 bits from the system's cryptographic generator (getrandom on
    /// Linux), as 64 lower-case hex digits.
    public static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        return generate(using: &generator)
    }

    /// A token from the given generator; tests pass a seeded one.
    public static func generate(using generator: inout some RandomNumberGenerator) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(ProtocolLimits.tokenBytes)
        while bytes.count < ProtocolLimits.tokenBytes {
            let word = generator.next()
            for shift in stride(from: 0, to: 64, by: 8) where bytes.count < ProtocolLimits.tokenBytes {
                bytes.append(UInt8(truncatingIfNeeded: word >> UInt64(shift)))
            }
        }
        return hex(bytes)
    }

    /// The digest the server stores in place of the token.
    public static func digest(of token: String) -> [UInt8] {
        SHA256.hash(token)
    }

    /// True when `token` has the shape of a token: 64 lower-case hex digits.
    public static func isWellFormed(_ token: String) -> Bool {
        let bytes = token.utf8
        return bytes.count == ProtocolLimits.tokenBytes * 2 && bytes.allSatisfy { byte in
            (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte)
        }
    }

    /// Compares two digests in time that depends only on their lengths, never on where they
    /// first differ, so response times reveal nothing about a stored hash.
    public static func constantTimeEquals(_ left: [UInt8], _ right: [UInt8]) -> Bool {
        guard left.count == right.count else { return false }
        var difference: UInt8 = 0
        for index in 0..<left.count {
            difference |= left[index] ^ right[index]
        }
        return difference == 0
    }

    /// Lower-case hex of bytes.
    public static func hex(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}
