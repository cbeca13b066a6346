/// xoshiro256** seeded through SplitMix64: small, fast and the same on every platform.
///
/// The standard library's `random(in:using:)` and `shuffle(using:)` are not promised to stay
/// the same across Swift versions, so bounded draws and shuffles are done here (Lemire's
/// unbiased multiply-and-reject, Fisher-Yates). Anything that must give the same result for
/// the same seed on every machine (generated scenarios, the engine's search) draws from this.
public struct SeededRandom: Sendable {
    private var state0: UInt64
    private var state1: UInt64
    private var state2: UInt64
    private var state3: UInt64

    /// A generator for one `stream` of `seed`. Separate streams let each phase of a computation
    /// draw its own numbers, so that one phase drawing more does not shift what the next one gets.
    public init(seed: UInt64, stream: UInt64) {
        var mixer = seed ^ (stream &* 0xD1B5_4A32_D192_ED03)
        func splitMix() -> UInt64 {
            mixer &+= 0x9E37_79B9_7F4A_7C15
            var value = mixer
            value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
            value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
            return value ^ (value >> 31)
        }
        state0 = splitMix()
        state1 = splitMix()
        state2 = splitMix()
        state3 = splitMix()
    }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        let result = rotateLeft(state1 &* 5, 7) &* 9
        let shifted = state1 << 17
        state2 ^= state0
        state3 ^= state1
        state1 ^= state2
        state0 ^= state3
        state2 ^= shifted
        state3 = rotateLeft(state3, 45)
        return result
    }

    /// A uniform integer in `0..<bound`; `bound` must be positive.
    public mutating func below(_ bound: Int) -> Int {
        precondition(bound > 0)
        let limit = UInt64(bound)
        var product = next().multipliedFullWidth(by: limit)
        if product.low < limit {
            let threshold = (0 &- limit) % limit
            while product.low < threshold {
                product = next().multipliedFullWidth(by: limit)
            }
        }
        return Int(product.high)
    }

    /// A uniform integer in `range`.
    public mutating func integer(in range: ClosedRange<Int>) -> Int {
        range.lowerBound + below(range.upperBound - range.lowerBound + 1)
    }

    /// A uniform double in `[0, 1)` with 53 random bits.
    public mutating func unit() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// True with the given probability.
    public mutating func chance(_ probability: Double) -> Bool {
        unit() < probability
    }

    /// A uniformly chosen element of a non-empty array.
    public mutating func element<Element>(of array: [Element]) -> Element {
        array[below(array.count)]
    }

    /// An index drawn with the weights whose running totals are `cumulative`, restricted to
    /// `indices` (an empty restriction is not allowed).
    public mutating func weightedIndex(cumulative: [UInt64], in indices: ClosedRange<Int>) -> Int {
        let floor = indices.lowerBound == 0 ? 0 : cumulative[indices.lowerBound - 1]
        let ceiling = cumulative[indices.upperBound]
        guard ceiling > floor else { return integer(in: indices) }
        let target = floor + next() % (ceiling - floor)
        // The first index whose running total exceeds the target.
        var low = indices.lowerBound
        var high = indices.upperBound
        while low < high {
            let middle = (low + high) / 2
            if cumulative[middle] > target { high = middle } else { low = middle + 1 }
        }
        return low
    }

    /// Shuffles `array` in place (Fisher-Yates).
    public mutating func shuffle<Element>(_ array: inout [Element]) {
        guard array.count > 1 else { return }
        for index in stride(from: array.count - 1, to: 0, by: -1) {
            array.swapAt(index, below(index + 1))
        }
    }

    private func rotateLeft(_ value: UInt64, _ count: UInt64) -> UInt64 {
        (value << count) | (value >> (64 - count))
    }
}
