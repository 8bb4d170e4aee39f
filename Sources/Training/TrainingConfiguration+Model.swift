// What the configuration means for the model, the loss and the schedule.
import Kernels
import Network

extension TrainingConfiguration {
    /// The model of this configuration; `convolution3x3` is not part of it (any algorithm trains the
    /// same model, to rounding), so the caller passes it down (ModelConfiguration.convolution3x3).
    public func modelConfiguration(classes: Int, convolution3x3: Algorithm3x3? = nil) -> ModelConfiguration {
        ModelConfiguration(
            side: side, baseWidth: baseWidth, classes: classes, hidden: hidden,
            dropout: Float(dropout), ePooling: ePooling,
            bnMomentum: Float(bnMomentum), explainerInitBias: Float(explainerInitBias),
            explainerInitScale: Float(explainerInitScale), bnEpsilon: bnEpsilon,
            classifierBatchNorm: classifierBatchNorm, convolution3x3: convolution3x3)
    }

    /// The loss of a phase: CE + λ_L1·L1 + λ_TV·TV + λ_box·box, or with `alpha` the authors'
    /// later form α·CE + (1 − α)·(λ_L1·L1 + λ_TV·TV + λ_box·box) (icrto/xML, their β being λ_L1
    /// per pixel and 1 − β λ_TV).
    public func lossWeights(phase: Phase) -> LossWeights {
        let a = alpha?[phase.index] ?? 1
        let rest = alpha == nil ? 1 : 1 - a
        return LossWeights(
            l1: Float(rest * lambdaL1Sum), tv: Float(rest * lambdaTV), box: Float(rest * lambdaBox),
            crossEntropy: Float(a))
    }

    public func epochs(of phase: Phase) -> Int { epochs[phase.index] }

    public func learningRate(of phase: Phase) -> Double { learningRate[phase.index] }

    /// The first phase after `phase` (from the start when nil) with epochs; nil when none is left.
    public func phase(after phase: Phase?) -> Phase? {
        Phase.allCases.first { (phase == nil || $0 > phase!) && epochs(of: $0) > 0 }
    }

    /// The first phase with any epochs (a valid configuration has one).
    public var firstPhase: Phase { phase(after: nil)! }

    /// The last phase with epochs: its best checkpoint holds the run's final weights.
    public var lastPhase: Phase { Phase.allCases.last { epochs(of: $0) > 0 } ?? .joint }

    /// Steps left from a cursor to the end of the run.
    public func remainingSteps(after cursor: TrainingCursor) -> Int {
        guard let phase = cursor.phase else { return 0 }
        let later = Phase.allCases.filter { $0 > phase }.map(epochs(of:)).reduce(0, +)
        return (epochs(of: phase) - cursor.epoch) * stepsPerEpoch - cursor.batchInEpoch + later * stepsPerEpoch
    }

    /// A batch's loss as the mean over its images: L1 is a sum over the batch (Keras' activity
    /// regulariser), so it is divided by the image count to compare batches of different sizes.
    public func perImageLoss(_ result: StepResult, images: Int, phase: Phase) -> Double {
        let w = lossWeights(phase: phase)
        return Double(w.crossEntropy) * result.crossEntropy + Double(w.l1) * result.l1 / Double(max(images, 1))
            + Double(w.tv) * result.tv + Double(w.box) * result.box
    }
}

extension Phase {
    /// Where the phase's value sits in a per-phase setting (epochs, learning rate, alpha).
    var index: Int { rawValue - 1 }
}
