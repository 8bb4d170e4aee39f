// One batch norm's statistics over one batch, as a training forward computes them; what the population
// statistics are averaged from (JointModel.batchNormStatistics, Training's BatchNormPopulation).

public struct BatchNormBatchStatistics: Sendable, Equatable {
    /// Offset of the layer's running mean [C] in JointModel.buffers; its running variance follows.
    public let running: Int
    /// Mean and biased variance per channel, [C] each.
    public let mean: [Double], variance: [Double]
    /// Values each channel's statistics were taken over: N·H·W.
    public let valuesPerChannel: Int

    public init(running: Int, mean: [Double], variance: [Double], valuesPerChannel: Int) {
        precondition(mean.count == variance.count, "a mean and a variance per channel")
        (self.running, self.mean, self.variance, self.valuesPerChannel) = (running, mean, variance, valuesPerChannel)
    }

    public var channels: Int { mean.count }
}

/// Which batch norms a measurement covers (JointModel.batchNormStatistics).
public enum BatchNormGroup: Sendable {
    /// The explainer head's one channel.
    case explainerHead
    /// The classifier's, one per 3×3 convolution (ModelConfiguration.classifierBatchNorm).
    case classifier
}
