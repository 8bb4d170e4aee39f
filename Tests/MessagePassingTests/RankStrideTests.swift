// The strided share of a list across ranks and its merge back into list order.
import Testing

@testable import MessagePassing

@Suite struct RankStrideTests {
    @Test func everyPositionOnExactlyOneRankAndMergedBackInOrder() {
        for size in 1...4 {
            for count in [0, 1, 5, 8] {
                let parts = (0..<size).map { rank in
                    RankStride.positions(rank: rank, size: size, count: count).map { "item\($0)" }
                }
                #expect(parts.map(\.count).reduce(0, +) == count)
                #expect(
                    RankStride.merge(parts, count: count) == (0..<count).map { "item\($0)" },
                    "size \(size), count \(count)")
            }
        }
        #expect(Array(RankStride.positions(rank: 1, size: 3, count: 8)) == [1, 4, 7])
    }
}
