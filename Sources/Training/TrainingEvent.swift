// What a Trainer reports while it runs. The library prints nothing: the command line draws the
// progress line and logs the rest (xcnn's TrainingProgress). Every rank reports the same events at
// the same points; the listener decides which rank speaks.
import Network

public enum TrainingEvent: Sendable {
    /// A resumed run continues on another number of ranks than it was made on: from here on the
    /// data order differs from the original run's.
    case worldSizeChanged(from: Int, to: Int)
    /// After every optimizer step.
    case step(StepProgress)
    /// After every epoch's validation (its row is in metrics.csv).
    case epochEnded(EpochReport)
    /// Phase 1 ends early by the authors' rule (TrainingConfiguration.phase1StopLossRatio).
    case phaseOneEndedEarly(epoch: Int, epochs: Int, loss: Double, ratio: Double, firstEpochLoss: Double)
    /// A phase has ended; the next one starts from the weights of its best epoch.
    case phaseFinished(Phase, bestValidationLoss: Double, bestEpoch: Int)
}

/// Where the current epoch stands after a step; loss and accuracy are its means so far over all ranks.
public struct StepProgress: Sendable, Equatable {
    public var phase: Phase
    /// Epoch within the phase from 1, of `epochs`; step within the epoch from 1, of `stepsPerEpoch`.
    public var epoch: Int, epochs: Int
    public var step: Int, stepsPerEpoch: Int
    public var loss: Double, accuracy: Double
    /// This step's images over all ranks per second of its wall time.
    public var imagesPerSecond: Double
}

/// An epoch's results.
public struct EpochReport: Sendable, Equatable {
    public var metrics: EpochMetrics
    /// Epochs of the phase.
    public var epochs: Int
    /// Whether the epoch lowered the phase's best validation loss (its weights are the phase's best).
    public var improved: Bool
    /// Steps left in the run, and this epoch's wall seconds per step: together an estimate of the time left.
    public var remainingSteps: Int
    public var secondsPerStep: Double
}
