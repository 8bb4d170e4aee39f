// Which examples each rank trains on: a permutation from (seed, epoch), dealt out in global steps of
// worldSize × batchSize, so every rank runs the same number of batches and nothing depends on timing.

public struct Sharding: Hashable, Sendable {
    /// The examples being sharded (e.g. a split's training indices); batches hold these values.
    public let indices: [Int]
    public let worldSize: Int
    public let rank: Int
    public let batchSize: Int
    public let seed: UInt64
    /// Drop the last incomplete global step (default); otherwise fill it by wrapping round the
    /// epoch's permutation, so some examples appear twice in that epoch.
    public let dropRemainder: Bool
    /// Batches every rank runs per epoch, decided from the global count alone.
    public let batchesPerEpoch: Int

    /// Shards 0..<count.
    public init(count: Int, worldSize: Int, rank: Int, batchSize: Int, seed: UInt64, dropRemainder: Bool = true) {
        self.init(
            indices: Array(0..<count), worldSize: worldSize, rank: rank, batchSize: batchSize, seed: seed,
            dropRemainder: dropRemainder)
    }

    public init(indices: [Int], worldSize: Int, rank: Int, batchSize: Int, seed: UInt64, dropRemainder: Bool = true) {
        precondition(worldSize >= 1 && rank >= 0 && rank < worldSize, "rank \(rank) outside a world of \(worldSize)")
        precondition(batchSize >= 1, "batch size must be at least 1")
        self.indices = indices
        self.worldSize = worldSize
        self.rank = rank
        self.batchSize = batchSize
        self.seed = seed
        self.dropRemainder = dropRemainder
        let step = worldSize * batchSize
        batchesPerEpoch = dropRemainder ? indices.count / step : (indices.count + step - 1) / step
    }

    /// The epoch's order of `indices` (the same on every rank).
    public func permutation(epoch: Int) -> [Int] {
        var random = SeededRandom(
            seed: seed, stream: [RandomStream.shuffle.rawValue, UInt64(bitPattern: Int64(epoch))])
        return random.permutation(indices.count).map { indices[$0] }
    }

    /// This rank's batch `index` of `epoch`. Global step b holds positions
    /// [b·worldSize·batchSize, (b+1)·worldSize·batchSize) of the permutation; rank r takes the r-th
    /// run of batchSize in it, so ranks are disjoint within an epoch (before padding).
    public func batch(epoch: Int, index: Int) -> [Int] {
        batch(index: index, order: permutation(epoch: epoch))
    }

    /// The batch at a position of the endless stream of epochs (epoch = position / batchesPerEpoch):
    /// a run's epochs may be shorter or longer than one pass over the shard, and a run resumed at a
    /// position sees exactly the batches a run that never stopped would have seen from there.
    public func batch(stream position: Int) -> [Int] {
        batch(epoch: position / batchesPerEpoch, index: position % batchesPerEpoch)
    }

    /// All of this rank's batches of one epoch (one permutation instead of one per batch).
    public func batches(epoch: Int) -> [[Int]] {
        let order = permutation(epoch: epoch)
        return (0..<batchesPerEpoch).map { batch(index: $0, order: order) }
    }

    private func batch(index: Int, order: [Int]) -> [Int] {
        precondition(index >= 0 && index < batchesPerEpoch, "batch \(index) outside 0..<\(batchesPerEpoch)")
        let start = (index * worldSize + rank) * batchSize
        return (start..<(start + batchSize)).map { order[$0 % order.count] }
    }
}
