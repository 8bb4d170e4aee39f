// The data side of a run: the dataset named by the configuration, its train/validation split,
// each rank's shard, and batches as tensors. Samples are kept after their first load up to 256 MiB
// per rank (the whole of the 64² sets), so small sets are not regenerated or decoded every epoch.
import Datasets
import Foundation
import Kernels
import MessagePassing
import Network

final class TrainingData {
    let dataset: Dataset
    let side: Int
    let batchSize: Int
    let seed: UInt64
    let world: Communicator
    private var cache: [Int: Sample] = [:]
    private let cacheLimit: Int

    var classCount: Int { dataset.classes.count }
    var trainIndices: [Int] { dataset.split.train }
    var validationIndices: [Int] { dataset.split.validation }

    init(configuration: TrainingConfiguration, world: Communicator) throws {
        self.side = configuration.side
        self.batchSize = configuration.batch
        self.seed = configuration.seed
        self.world = world
        dataset = try configuration.openDataset()
        guard dataset.split.train.count >= world.size * configuration.batch else {
            throw TrainingError(
                "dataset \(configuration.dataset): \(dataset.split.train.count) training images cannot fill one batch of "
                    + "\(configuration.batch) on each of \(world.size) ranks")
        }
        guard !dataset.split.validation.isEmpty else {
            throw TrainingError("dataset \(configuration.dataset): the validation split is empty")
        }
        if configuration.lambdaBox > 0, try dataset.load(index: dataset.split.train[0], side: side).boxMask == nil {
            throw TrainingError(
                "invalid --lambda-box \(configuration.lambdaBox): dataset \(configuration.dataset) has no boxes "
                    + "(the box term needs a synthetic or VOC dataset)")
        }
        // Keep samples up to 256 MiB per rank (every sample of the 64² sets): generating or decoding one
        // at 224² takes about 1 ms against about 300 ms of training per image, so a larger cache gains
        // under 0.5% of a step and costs up to 2 GiB per rank in long 224² runs (docs/perf/network.md, memory).
        let bytesPerSample = (3 + 2) * side * side * 4
        cacheLimit = (256 << 20) / bytesPerSample
    }

    /// This rank's batches of the training split for a phase; every rank gets the same number.
    func trainSharding(phase: Phase) -> Sharding {
        Sharding(
            indices: trainIndices, worldSize: world.size, rank: world.rank, batchSize: batchSize,
            seed: seed &+ UInt64(phase.rawValue) &* 0x9E37_79B9_7F4A_7C15)
    }

    /// The samples of `indices` as one batch, from the cache where they are in it.
    func load(_ indices: [Int]) throws -> Batch {
        Batch(indices: indices, samples: try indices.map(sample), side: side)
    }

    private func sample(_ index: Int) throws -> Sample {
        if let cached = cache[index] { return cached }
        let sample = try dataset.load(index: index, side: side)
        if cache.count < cacheLimit { cache[index] = sample }
        return sample
    }
}

extension TrainingConfiguration {
    /// The dataset this configuration names: a generator preset in memory, a VOC directory or an image folder.
    public func openDataset() throws -> Dataset {
        let name = dataset
        if name.hasPrefix("synthetic:") {
            let preset = String(name.dropFirst("synthetic:".count))
            guard var options = GeneratorOptions.preset(named: preset, seed: seed) else {
                throw TrainingError(
                    "invalid --dataset \(name): unknown preset \"\(preset)\"; presets: "
                        + GeneratorOptions.presetNames.map { "synthetic:\($0)" }.joined(separator: ", "))
            }
            if let count = imageCount { options.count = count }
            return try Dataset.synthetic(options)
        }
        guard FileManager.default.fileExists(atPath: name) else {
            throw TrainingError(
                "invalid --dataset \(name): no such directory (expected synthetic:<preset>, a VOC directory or an image folder)"
            )
        }
        return try Dataset.open(
            root: name, targetClass: targetClass, seed: seed,
            skipBad: skipBad, limits: imageLimits)
    }

    /// Decoding limits for image files read for this model.
    public var imageLimits: ImageLimits { .forModel(side: side, maxPixels: maxImagePixels) }
}

extension Trainer {
    /// The dataset being trained on, for its report of skipped files and warnings.
    public var dataset: Dataset { data.dataset }
}
