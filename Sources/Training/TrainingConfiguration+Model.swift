// What the configuration means for the model, the loss and the schedule.
import Network

extension TrainingConfiguration {
    public func modelConfiguration(classes: Int) -> ModelConfiguration {
        ModelConfiguration(side: side, baseWidth: baseWidth, classes: classes, hidden: hidden,
                           dropout: Float(dropout), ePooling: ePooling == "max" ? .max : .average,
                           bnMomentum: Float(bnMomentum), explainerInitBias: Float(explainerInitBias))
    }

    public var lossWeights: LossWeights {
        LossWeights(l1: Float(lambdaL1Sum), tv: Float(lambdaTV), box: Float(lambdaBox))
    }

    /// The first phase with any epochs.
    public var firstPhase: Int { (epochs.firstIndex { $0 > 0 } ?? 0) + 1 }

    /// Steps left from a cursor to the end of the run.
    public func remainingSteps(after cursor: TrainingCursor) -> Int {
        guard cursor.phase <= 3 else { return 0 }
        let later = epochs[cursor.phase...].reduce(0, +)
        return (epochs[cursor.phase - 1] - cursor.epoch) * stepsPerEpoch - cursor.batchInEpoch + later * stepsPerEpoch
    }

    /// A batch's loss as the mean over its images: L1 is a sum over the batch (Keras' activity
    /// regulariser), so it is divided by the image count to compare batches of different sizes.
    public func perImageLoss(_ result: StepResult, images: Int) -> Double {
        result.crossEntropy + lambdaL1Sum * result.l1 / Double(max(images, 1)) + lambdaTV * result.tv + lambdaBox * result.box
    }
}
