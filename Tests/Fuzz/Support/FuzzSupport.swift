// Shared by every fuzz target of scripts/fuzz.sh; compiled into each harness binary.

/// Stops the run when an invariant does not hold, so libFuzzer keeps the input as a crash.
///
/// `fatalError` rather than `precondition`: under -O a failed precondition traps without
/// its message, and the message is what tells which invariant broke.
@inline(never)
func require(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String,
             file: StaticString = #fileID, line: UInt = #line) {
    if !condition() { fatalError("fuzz invariant: " + message(), file: file, line: line) }
}

/// The bytes libFuzzer hands over, as an array the code under test takes.
func fuzzInput(_ start: UnsafeRawPointer?, _ count: Int) -> [UInt8] {
    guard let start, count > 0 else { return [] }
    return Array(UnsafeRawBufferPointer(start: start, count: count))
}

/// A small deterministic generator (xorshift64*), so a crash input replays the same way.
struct FuzzRandom {
    private var state: UInt64

    init(seed: UInt64) { state = seed | 1 }

    mutating func next() -> UInt64 {
        state ^= state >> 12
        state ^= state << 25
        state ^= state >> 27
        return state &* 0x2545_F491_4F6C_DD1D
    }

    /// A value in `0..<bound`.
    mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
}
