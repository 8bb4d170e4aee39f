// How commands that score one item at a time share a list across ranks: item at position i goes to
// rank i mod size, so the share never depends on anything but the list's length and the world size.

public enum RankStride {
    /// The positions rank `rank` of `size` takes from a list of `count` items: rank, rank + size, …
    public static func positions(rank: Int, size: Int, count: Int) -> StrideTo<Int> {
        precondition(size > 0 && rank >= 0 && rank < size, "rank \(rank) of \(size)")
        return stride(from: rank, to: count, by: size)
    }

    /// The list back in its order from every rank's part (part r holds rank r's items in the order of
    /// `positions`). Parts that do not fit a list of `count` items are a programmer error.
    public static func merge<T>(_ parts: [[T]], count: Int) -> [T] {
        var merged = [T?](repeating: nil, count: count)
        for (rank, part) in parts.enumerated() {
            let expected = Array(positions(rank: rank, size: parts.count, count: count))
            precondition(
                part.count == expected.count,
                "rank \(rank) sent \(part.count) item(s), expected \(expected.count) of \(count)")
            for (position, item) in zip(expected, part) { merged[position] = item }
        }
        return merged.map { $0! }
    }
}
