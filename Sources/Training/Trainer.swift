// The distributed three-phase training loop. Every rank runs this; rank 0 alone writes files.
// Each step: forward/backward on the rank's batch, one small allreduce of metrics and BN
// statistics, one allreduce of the gradients of the phase's trainable range, the optimizer.
import Datasets
import Foundation
import Kernels
import MessagePassing
import Network

public struct TrainingOutcome: Sendable {
    public enum Ending: Sendable {
        case finished
        /// --stop-at-step: training stopped after this step with a checkpoint.
        case stoppedAtStep(Int)
        /// SIGTERM or SIGUSR1 reached a rank: training stopped after this step with a checkpoint.
        /// `signal` is the one this rank received, nil when only another rank received one.
        case stoppedBySignal(Int, signal: Int32?)
    }
    public var ending: Ending
    public var cursor: TrainingCursor
}

public final class Trainer {
    let configuration: TrainingConfiguration
    let world: Communicator
    let report: (TrainingEvent) -> Void
    let run: RunDirectory
    let data: TrainingData
    let model: JointModel
    var optimizer: Optimizer
    var cursor: TrainingCursor
    /// The phase's best-validation weights so far (parameters and BN buffers), on every rank.
    var best: (parameters: [Float], buffers: [Float])?
    let stopAtStep: Int?
    /// Set by `step` when any rank has received SIGTERM or SIGUSR1 (StopRequest).
    var stopRequested = false
    /// (global step, phase) of the weights the BN population statistics were last computed from.
    var batchNormComputedAt: (Int, Phase?)?

    /// `convolution3x3`: one algorithm for every 3×3 layer (ModelConfiguration.convolution3x3), nil for
    /// the per-layer rule. `report` hears what the run does (TrainingEvent), from here on.
    public init(
        configuration: TrainingConfiguration, runDirectory: RunDirectory, resume: Checkpoint?,
        bestOfResumedPhase: Checkpoint?, world: Communicator, stopAtStep: Int?,
        convolution3x3: Algorithm3x3? = nil, report: @escaping (TrainingEvent) -> Void = { _ in }
    ) throws {
        try configuration.validate()
        self.configuration = configuration
        self.world = world
        self.report = report
        self.run = runDirectory
        self.stopAtStep = stopAtStep
        data = try TrainingData(configuration: configuration, world: world)
        model = try JointModel(
            configuration: configuration.modelConfiguration(
                classes: data.classCount,
                convolution3x3: convolution3x3),
            batchCapacity: configuration.batch)
        optimizer = Optimizer(configuration: configuration, parameterCount: model.parameters.count)

        if let resume {
            try ModelState.load(resume, into: model, optimizer: &optimizer, source: "checkpoint")
            // The schedule may have changed on --resume (TrainingConfiguration+Resume).
            let trained = try TrainingConfiguration(json: Data(resume.configuration.utf8), source: "checkpoint")
            try trained.checkCursorFits(resume.cursor, source: "checkpoint")
            cursor = trained.resumeCursor(resume.cursor, continuingWith: configuration)
            if let bestOfResumedPhase {
                var parameters = model.parameters
                var buffers = model.buffers
                try ModelState.loadWeights(
                    bestOfResumedPhase, parameters: &parameters, buffers: &buffers, model: model,
                    source: "best checkpoint")
                best = (parameters, buffers)
            }
            if cursor.worldSize != world.size { report(.worldSizeChanged(from: cursor.worldSize, to: world.size)) }
            cursor.worldSize = world.size
        } else {
            model.initialize(seed: configuration.seed)
            cursor = TrainingCursor(
                phase: configuration.firstPhase, epoch: 0, batchInEpoch: 0, globalStep: 0,
                worldSize: world.size, seed: configuration.seed)
            cursor.stepsInPhase = 0
        }
        if let phase = cursor.phase { optimizer.setLearningRate(Float(configuration.learningRate(of: phase))) }
        // Rank 0's state is the run's state: every rank starts from identical bits.
        try model.parameters.withUnsafeMutableBufferPointer { try world.broadcast($0, root: 0) }
        try model.buffers.withUnsafeMutableBufferPointer { try world.broadcast($0, root: 0) }
    }

    public func train() throws -> TrainingOutcome {
        if world.rank == 0 { try MetricsLog(url: run.metricsURL).truncate(afterGlobalStep: cursor.globalStep) }
        while let phase = cursor.phase {
            try adaptClassifierStatistics(at: phase)
            let epochs = configuration.epochs(of: phase)
            let trainable = model.trainableRange(phase)
            let sharding = data.trainSharding(phase: phase)
            while cursor.epoch < epochs {
                let epochClock = Stopwatch()
                var timing = StepTiming()
                while cursor.batchInEpoch < configuration.stepsPerEpoch {
                    timing += try step(phase: phase, trainable: trainable, sharding: sharding)
                    if stopRequested {
                        try saveLatest()
                        return TrainingOutcome(
                            ending: .stoppedBySignal(cursor.globalStep, signal: StopRequest.pendingSignal),
                            cursor: cursor)
                    }
                    if let stopAtStep, cursor.globalStep >= stopAtStep {
                        try saveLatest()
                        return TrainingOutcome(ending: .stoppedAtStep(cursor.globalStep), cursor: cursor)
                    }
                    if configuration.checkpointEvery > 0, cursor.globalStep % configuration.checkpointEvery == 0,
                        cursor.batchInEpoch < configuration.stepsPerEpoch
                    {
                        try saveLatest()
                    }
                }
                let validation = try validate(phase: phase)
                let totals = cursor.epochTotals
                let metrics = EpochMetrics(
                    phase: phase.rawValue, epoch: cursor.epoch + 1, globalStep: cursor.globalStep,
                    loss: totals.loss / max(totals.steps, 1), accuracy: totals.correct / max(totals.images, 1),
                    validationLoss: validation.loss, validationAccuracy: validation.accuracy,
                    imagesPerSecond: timing.images / max(timing.seconds, 1e-9),
                    communicationShare: timing.communicationSeconds / max(timing.seconds, 1e-9),
                    waitShare: timing.waitSeconds / max(timing.seconds, 1e-9),
                    seconds: epochClock.seconds)
                let improved = cursor.bestValidationLoss.map { validation.loss < $0 } ?? true
                if improved {
                    cursor.bestValidationLoss = validation.loss
                    cursor.bestEpoch = cursor.epoch + 1
                    best = (model.parameters, model.buffers)
                }
                cursor.epoch += 1
                cursor.batchInEpoch = 0
                cursor.epochTotals = EpochTotals()
                if world.rank == 0 {
                    try MetricsLog(url: run.metricsURL).append(metrics)
                    if improved {
                        let checkpoint = ModelState.checkpoint(
                            model: model, optimizer: nil, cursor: cursor, configuration: configuration,
                            classes: data.dataset.classes)
                        try CheckpointFile.write(checkpoint, to: run.checkpointURL(phase: phase, kind: .best))
                    }
                }
                report(
                    .epochEnded(
                        EpochReport(
                            metrics: metrics, epochs: epochs, improved: improved,
                            remainingSteps: configuration.remainingSteps(after: cursor),
                            secondsPerStep: metrics.seconds / Double(configuration.stepsPerEpoch))))
                endPhaseOneEarlyIfLearnt(phase: phase, loss: metrics.loss, epochs: epochs)
                try saveLatest()
            }
            try finishPhase()
        }
        return TrainingOutcome(ending: .finished, cursor: cursor)
    }
}
