// Population statistics of the explainer head's batch norm, recomputed from a fixed set of training
// batches instead of the running average ("precise BN": Wu & Johnson, "Rethinking 'Batch' in
// BatchNorm", 2021, §3; PyTorch's torch.optim.swa_utils.update_bn). With momentum 0.99 the running
// average lags the weights by ~100 steps, so inference-mode E can differ wholly from training-mode E.
import Kernels
import Network

/// Sums over batches of the head's batch statistics; ranks add theirs with one allreduce of
/// `sums`, then `statistics` gives what every rank stores. Every batch must hold the same number
/// of values, so the population moments are plain averages of the batch moments.
public struct BatchNormPopulation: Sendable, Equatable {
    /// Σ batch means, Σ (batch biased variance + batch mean²), batches, values (N·S·S) per batch summed.
    public private(set) var sums = [0.0, 0.0, 0.0, 0.0]

    public init() {}

    /// From sums reduced across ranks.
    public init(sums: [Double]) {
        precondition(sums.count == 4, "population sums hold 4 values")
        self.sums = sums
    }

    /// Adds one batch, input [N, 3, S, S], run through the explainer in training mode.
    public mutating func add(model: JointModel, input: Tensor) {
        let (mean, variance) = model.headBatchStatistics(input: input)
        let values = Double(input.shape[0] * input.shape[2] * input.shape[3])
        sums[0] += mean
        sums[1] += variance + mean * mean
        sums[2] += 1
        sums[3] += values
    }

    /// Running mean and running variance to store: the population mean, and the population
    /// variance E[x²] − mean² made unbiased by n/(n − 1) over all n values, the convention the
    /// running variance follows (BatchNorm.updateRunning, as PyTorch).
    public var statistics: (mean: Float, variance: Float) {
        precondition(sums[2] > 0, "no batches")
        let mean = sums[0] / sums[2]
        let biased = max(0, sums[1] / sums[2] - mean * mean)
        let n = sums[3]
        return (Float(mean), Float(n > 1 ? biased * n / (n - 1) : biased))
    }
}
