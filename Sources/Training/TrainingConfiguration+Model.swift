// What the configuration means for the model, the loss and the schedule.
import Network

extension TrainingConfiguration {
    public func modelConfiguration(classes: Int) -> ModelConfiguration {
        ModelConfiguration(side: side, baseWidth: baseWidth, classes: classes, hidden: hidden,
                           dropout: Float(dropout), ePooling: ePooling == "max" ? .max : .average,
                           bnMomentum: Float(bnMomentum), explainerInitBias: Float(explainerInitBias),
                           explainerInitScale: Float(explainerInitScale), bnEpsilon: bnEpsilon)
    }

    /// The loss of a phase (1…3): CE + λ_L1·L1 + λ_TV·TV + λ_box·box, or with `alpha` the authors'
    /// later form α·CE + (1 − α)·(λ_L1·L1 + λ_TV·TV + λ_box·box) (icrto/xML, their β being λ_L1
    /// per pixel and 1 − β λ_TV).
    public func lossWeights(phase: Int) -> LossWeights {
        let a = alpha?[phase - 1] ?? 1, rest = alpha == nil ? 1 : 1 - a
        return LossWeights(l1: Float(rest * lambdaL1Sum), tv: Float(rest * lambdaTV), box: Float(rest * lambdaBox),
                           crossEntropy: Float(a))
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
    public func perImageLoss(_ result: StepResult, images: Int, phase: Int) -> Double {
        let w = lossWeights(phase: phase)
        return Double(w.crossEntropy) * result.crossEntropy + Double(w.l1) * result.l1 / Double(max(images, 1))
            + Double(w.tv) * result.tv + Double(w.box) * result.box
    }
}
