// The train/validation partition: stratified by label and fixed by the seed, so every rank and
// every run agrees on it.

public struct StratifiedSplit: Hashable, Sendable {
    /// Dataset indices in each part, ascending.
    public let train: [Int]
    public let validation: [Int]

    public init(train: [Int], validation: [Int]) {
        self.train = train
        self.validation = validation
    }

    /// For each label, round(fraction · n) of its indices (chosen by a seeded shuffle) go to training.
    public init(labels: [Int], seed: UInt64, trainFraction: Double = 0.75) {
        precondition(trainFraction >= 0 && trainFraction <= 1, "trainFraction must be in [0, 1]")
        var train: [Int] = []
        var validation: [Int] = []
        for label in Set(labels).sorted() {
            let members = labels.indices.filter { labels[$0] == label }
            var random = SeededRandom(
                seed: seed, stream: [RandomStream.split.rawValue, UInt64(bitPattern: Int64(label))])
            let order = random.permutation(members.count)
            let cut = Int((Double(members.count) * trainFraction).rounded())
            train += order.prefix(cut).map { members[$0] }
            validation += order.dropFirst(cut).map { members[$0] }
        }
        self.init(train: train.sorted(), validation: validation.sorted())
    }
}
