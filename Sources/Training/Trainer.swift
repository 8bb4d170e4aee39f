// The distributed three-phase training loop. Every rank runs this; rank 0 alone writes files.
// Each step: forward/backward on the rank's batch, one small allreduce of metrics and BN
// statistics, one allreduce of the gradients of the phase's trainable range, the optimizer.
import Foundation
import Kernels
import Logging
import MessagePassing
import Network
import Datasets

public struct TrainingOutcome: Sendable {
    public enum Ending: Sendable {
        case finished, stoppedAtStep(Int)
        /// SIGTERM or SIGUSR1 reached a rank: training stopped after this step with a checkpoint.
        case stoppedBySignal(Int)
    }
    public var ending: Ending
    public var cursor: TrainingCursor
    public var lastValidation: EpochMetrics?
}

public final class Trainer {
    let configuration: TrainingConfiguration
    let world: Communicator
    let logger: Logger
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
    let progressOnTerminal: Bool
    /// (global step, phase) of the weights the BN population statistics were last computed from.
    var batchNormComputedAt: (Int, Phase?)?

    /// `convolution3x3`: one algorithm for every 3×3 layer (ModelConfiguration.convolution3x3), nil for
    /// the per-layer rule.
    public init(configuration: TrainingConfiguration, runDirectory: RunDirectory, resume: Checkpoint?,
                bestOfResumedPhase: Checkpoint?, world: Communicator, logger: Logger, stopAtStep: Int?,
                convolution3x3: Algorithm3x3? = nil) throws {
        try configuration.validate()
        self.configuration = configuration
        self.world = world
        self.logger = logger
        self.run = runDirectory
        self.stopAtStep = stopAtStep
        self.progressOnTerminal = world.rank == 0 && isatty(STDERR_FILENO) == 1
        data = try TrainingData(configuration: configuration, world: world)
        model = try JointModel(configuration: configuration.modelConfiguration(classes: data.classCount,
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
                var parameters = model.parameters, buffers = model.buffers
                try ModelState.loadWeights(bestOfResumedPhase, parameters: &parameters, buffers: &buffers, model: model, source: "best checkpoint")
                best = (parameters, buffers)
            }
            if cursor.worldSize != world.size, world.rank == 0 {
                logger.warning("resuming a run made on \(cursor.worldSize) rank(s) with \(world.size): from here on the data order differs from the original run")
            }
            cursor.worldSize = world.size
        } else {
            model.initialize(seed: configuration.seed)
            cursor = TrainingCursor(phase: configuration.firstPhase, epoch: 0, batchInEpoch: 0, globalStep: 0,
                                    worldSize: world.size, seed: configuration.seed)
            cursor.stepsInPhase = 0
        }
        if let phase = cursor.phase { optimizer.setLearningRate(Float(configuration.learningRate(of: phase))) }
        // Rank 0's state is the run's state: every rank starts from identical bits.
        try model.parameters.withUnsafeMutableBufferPointer { try world.broadcast($0, root: 0) }
        try model.buffers.withUnsafeMutableBufferPointer { try world.broadcast($0, root: 0) }
    }

    public func train() throws -> TrainingOutcome {
        var lastValidation: EpochMetrics?
        if world.rank == 0 { try MetricsLog(url: run.metricsURL).truncate(afterGlobalStep: cursor.globalStep) }
        while let phase = cursor.phase {
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
                        clearProgress()
                        let what = StopRequest.pendingSignal.map(StopRequest.name) ?? "a stop signal (SIGTERM or SIGUSR1) on another rank"
                        logger.warning("\(what): stopped after step \(cursor.globalStep) with a checkpoint; continue with: xcnn train --resume \(run.url.path)")
                        return TrainingOutcome(ending: .stoppedBySignal(cursor.globalStep), cursor: cursor, lastValidation: lastValidation)
                    }
                    if let stopAtStep, cursor.globalStep >= stopAtStep {
                        try saveLatest()
                        clearProgress()
                        logger.info("stopped at step \(cursor.globalStep) (--stop-at-step); continue with: xcnn train --resume \(run.url.path)")
                        return TrainingOutcome(ending: .stoppedAtStep(cursor.globalStep), cursor: cursor, lastValidation: lastValidation)
                    }
                    if configuration.checkpointEvery > 0, cursor.globalStep % configuration.checkpointEvery == 0,
                       cursor.batchInEpoch < configuration.stepsPerEpoch {
                        try saveLatest()
                    }
                }
                clearProgress()
                let validation = try validate(phase: phase)
                let totals = cursor.epochTotals
                let metrics = EpochMetrics(
                    phase: phase.rawValue, epoch: cursor.epoch + 1, globalStep: cursor.globalStep,
                    loss: totals.loss / max(totals.steps, 1), accuracy: totals.correct / max(totals.images, 1),
                    validationLoss: validation.loss, validationAccuracy: validation.accuracy,
                    imagesPerSecond: timing.images / max(timing.seconds, 1e-9),
                    communicationShare: timing.communicationSeconds / max(timing.seconds, 1e-9),
                    seconds: epochClock.seconds)
                lastValidation = metrics
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
                        let checkpoint = ModelState.checkpoint(model: model, optimizer: nil, cursor: cursor, configuration: configuration,
                                                              classes: data.dataset.classes)
                        try CheckpointFile.write(checkpoint, to: run.checkpointURL(phase: phase, kind: .best))
                    }
                }
                logger.info("\(epochLine(metrics, epochs: epochs, improved: improved))")
                endPhaseOneEarlyIfLearnt(phase: phase, loss: metrics.loss, epochs: epochs)
                try saveLatest()
            }
            try finishPhase()
        }
        return TrainingOutcome(ending: .finished, cursor: cursor, lastValidation: lastValidation)
    }
}
