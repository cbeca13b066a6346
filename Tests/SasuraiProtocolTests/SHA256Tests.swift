import Testing
@testable import SasuraiProtocol

/// FIPS 180-4 example vectors (NIST CAVP "SHA-256 short and long messages").
@Suite struct SHA256Tests {
    @Test func nistVectors() {
        #expect(AccessToken.hex(SHA256.hash("abc")) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(AccessToken.hex(SHA256.hash("")) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(AccessToken.hex(SHA256.hash("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"))
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(AccessToken.hex(SHA256.hash("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu"))
                == "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1")
    }

    @Test func oneMillionA() {
        var hasher = SHA256()
        let chunk = [UInt8](repeating: UInt8(ascii: "a"), count: 1_000)
        for _ in 0..<1_000 { hasher.update(chunk) }
        #expect(AccessToken.hex(hasher.finalize()) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test func paddingBoundaries() {
        // 55, 56 and 64 bytes straddle the length field; streaming must match one-shot.
        for length in [55, 56, 63, 64, 65, 119, 120] {
            let bytes = [UInt8](repeating: 0x5A, count: length)
            var hasher = SHA256()
            for byte in bytes { hasher.update(CollectionOfOne(byte)) }
            #expect(hasher.finalize() == SHA256.hash(bytes))
        }
        #expect(AccessToken.hex(SHA256.hash([UInt8](repeating: 0x61, count: 64)))
                == "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb")
    }

    @Test func tokensAreWellFormedAndDistinct() {
        let first = AccessToken.generate()
        let second = AccessToken.generate()
        #expect(AccessToken.isWellFormed(first))
        #expect(first != second)
        #expect(!AccessToken.isWellFormed(first.uppercased()))
        #expect(!AccessToken.isWellFormed(String(first.dropLast())))
        #expect(AccessToken.digest(of: first).count == 32)
        var seeded = SplitMix(seed: 1)
        var again = SplitMix(seed: 1)
        #expect(AccessToken.generate(using: &seeded) == AccessToken.generate(using: &again))
    }

    @Test func constantTimeComparison() {
        let digest = SHA256.hash("token")
        var changedLast = digest
        changedLast[31] ^= 1
        var changedFirst = digest
        changedFirst[0] ^= 0x80
        #expect(AccessToken.constantTimeEquals(digest, SHA256.hash("token")))
        #expect(!AccessToken.constantTimeEquals(digest, changedLast))
        #expect(!AccessToken.constantTimeEquals(digest, changedFirst))
        #expect(!AccessToken.constantTimeEquals(digest, Array(digest.dropLast())))
    }
}
