// Population statistics of the batch norms a phase trains with, recomputed from a fixed set of training
// batches instead of the running average ("precise BN": Wu & Johnson, "Rethinking 'Batch' in
// BatchNorm", 2021, §3; PyTorch's torch.optim.swa_utils.update_bn). With momentum 0.99 the running
// average lags the weights by ~100 steps, so inference-mode E can differ wholly from training-mode E.
// Phase 1 measures the classifier's batch norms (if any), phases 2 and 3 the explainer head's
// (JointModel.batchNormStatistics).
import Kernels
import Network

/// Sums over batches of batch statistics; ranks add theirs with one allreduce of `sums`, then
/// `store(into:)` writes what every rank keeps. Every batch must hold the same number of values, so the
/// population moments are plain averages of the batch moments.
public struct BatchNormPopulation: Sendable, Equatable {
    /// For each layer in order: Σ batch means [C], then Σ (batch biased variance + batch mean²) [C];
    /// last, the number of batches.
    public private(set) var sums: [Double]
    /// The layers the sums describe (offsets, channels, values per channel of one batch).
    public private(set) var layers: [(running: Int, channels: Int, valuesPerChannel: Int)]

    public init() {
        sums = [0]
        layers = []
    }

    /// The same layers with sums reduced across ranks.
    public init(reduced sums: [Double], like population: BatchNormPopulation) {
        precondition(sums.count == population.sums.count, "population sums hold \(population.sums.count) values")
        self.sums = sums
        layers = population.layers
    }

    /// Adds one batch's statistics (from `JointModel.batchNormStatistics`); every batch must list the same
    /// layers with the same sizes.
    public mutating func add(_ batch: [BatchNormBatchStatistics]) {
        if layers.isEmpty && sums == [0] {
            layers = batch.map { ($0.running, $0.channels, $0.valuesPerChannel) }
            sums = [Double](repeating: 0, count: 2 * layers.reduce(0) { $0 + $1.channels } + 1)
        }
        precondition(
            batch.count == layers.count
                && zip(batch, layers).allSatisfy {
                    $0.running == $1.running && $0.channels == $1.channels && $0.valuesPerChannel == $1.valuesPerChannel
                },
            "every batch must measure the same layers")
        var at = 0
        for layer in batch {
            for c in 0..<layer.channels {
                sums[at + c] += layer.mean[c]
                sums[at + layer.channels + c] += layer.variance[c] + layer.mean[c] * layer.mean[c]
            }
            at += 2 * layer.channels
        }
        sums[sums.count - 1] += 1
    }

    /// Adds one batch, input [N, 3, S, S], run through `phase`'s training-mode forward.
    public mutating func add(model: JointModel, input: Tensor, group: BatchNormGroup, phase: Phase) {
        add(model.batchNormStatistics(input: input, of: group, phase: phase))
    }

    public var batches: Double { sums[sums.count - 1] }

    /// Per layer, the running mean and running variance to store: the population mean, and the
    /// population variance E[x²] − mean² made unbiased by n/(n − 1) over all n values, the convention
    /// the running variance follows (BatchNorm.updateRunning, as PyTorch).
    public var statistics: [(running: Int, mean: [Float], variance: [Float])] {
        precondition(batches > 0, "no batches")
        var at = 0
        return layers.map { layer in
            defer { at += 2 * layer.channels }
            let n = batches * Double(layer.valuesPerChannel)
            let means = (0..<layer.channels).map { sums[at + $0] / batches }
            let variances = (0..<layer.channels).map { c in
                let biased = max(0, sums[at + layer.channels + c] / batches - means[c] * means[c])
                return Float(n > 1 ? biased * n / (n - 1) : biased)
            }
            return (layer.running, means.map { Float($0) }, variances)
        }
    }

    /// Writes the statistics into a model's buffers (running means, then variances, per layer).
    public func store(into buffers: inout [Float]) {
        for layer in statistics {
            buffers.replaceSubrange(layer.running..<(layer.running + layer.mean.count), with: layer.mean)
            let variances = layer.running + layer.mean.count
            buffers.replaceSubrange(variances..<(variances + layer.variance.count), with: layer.variance)
        }
    }

    public static func == (a: BatchNormPopulation, b: BatchNormPopulation) -> Bool {
        a.sums == b.sums && a.layers.elementsEqual(b.layers) { $0 == $1 }
    }
}
