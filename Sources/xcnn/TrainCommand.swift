// `xcnn train`: resolves the configuration on rank 0 (flags over a JSON file over defaults),
// shares it and any checkpoint with every rank, and runs the three-phase trainer.
import ArgumentParser
import Foundation
import Logging
import MessagePassing
import Training

struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train the explainer+classifier model (run under mpirun for several ranks).",
        discussion: """
        Example: xcnn train --dataset synthetic:paper-no-colour --side 64 --epochs 2,2,2 \\
          --steps-per-epoch 10 --batch 8 --lambda-l1 1e-6 --seed 1 --run-dir runs/a
        A folder path instead of synthetic:<preset> reads a VOC directory or an image folder.
        Flags override the keys of --config FILE, which override the defaults (the paper's 50×50×8).
        """
    )

    @Option(help: "JSON file of settings (keys are the flags in camelCase, e.g. stepsPerEpoch).")
    var config: String?
    @Option(help: "synthetic:<preset> (paper-no-colour, paper-colour), or a VOC directory or image folder.")
    var dataset: String?
    @Option(help: "Images to generate for a synthetic dataset (default: the preset's count).")
    var imageCount: Int?
    @Option(help: "VOC datasets: the object name whose presence makes an image positive.")
    var targetClass: String?
    @Flag(help: "Skip unreadable images (counted and reported) instead of stopping.")
    var skipBad = false

    @Option(help: "Input side in pixels, a multiple of 16 (default 224).") var side: Int?
    @Option(help: "Filters of the first level (default 32).") var baseWidth: Int?
    @Option(help: "Width of the classifier's dense layers (default 128).") var hidden: Int?
    @Option(help: "Dropout rate of the dense layers (default 0.3).") var dropout: Double?
    @Option(help: "How E is downsampled between stages: avg or max (default avg).") var ePooling: String?
    @Option(help: "Initial shift of the explainer head's batch norm (default 0).") var explainerInitBias: Double?
    @Option(help: "Batch-norm momentum of the explainer head, Keras' convention (default 0.99).") var bnMomentum: Double?
    @Option(help: "Explainer head's inference BN statistics: population (recomputed over fixed training batches before each validation and checkpoint) or running (the momentum average; default population).")
    var bnStatistics: String?
    @Option(help: "Training batches per rank for the population BN statistics (default 8).") var bnBatches: Int?

    @Option(help: "Epochs of phases 1,2,3, e.g. 50,50,50.") var epochs: String?
    @Option(help: "Optimizer steps per epoch (default 50).") var stepsPerEpoch: Int?
    @Option(help: "Images per rank per step (default 8).") var batch: Int?

    @Option(name: .customLong("lambda-l1"), help: "Weight of the L1 penalty on E (default 1e-6).") var lambdaL1: Double?
    @Option(name: .customLong("lambda-tv"), help: "Weight of E's total variation (default 0).") var lambdaTV: Double?
    @Option(name: .customLong("lambda-box"), help: "Weight of the outside-the-box penalty (default 0).") var lambdaBox: Double?

    @Option(help: "adadelta or sgd (default adadelta).") var optimizer: String?
    @Option(help: "Learning rate (default 1.0, Adadelta's Keras default).") var learningRate: Double?
    @Option(help: "SGD momentum (default 0.9).") var momentum: Double?

    @Option(help: "Seed of initialisation, data order and dropout (default 1).") var seed: UInt64?
    @Option(help: "Write the latest checkpoint every N steps (default 50; 0: at epoch ends only).") var checkpointEvery: Int?
    @Option(help: "Check every N steps that all ranks hold identical parameters (default 0: never).") var verifyEvery: Int?

    @Option(help: "Run directory: config, metrics.csv, checkpoints.") var runDir = "runs/default"
    @Option(help: "Continue the run in this directory from its newest valid checkpoint.") var resume: String?
    @Option(help: "Write a checkpoint at this global step and exit 0.") var stopAtStep: Int?
    @Flag(help: "More log output.") var verbose = false

    func validate() throws {
        if let stopAtStep, stopAtStep < 1 { throw ValidationError("--stop-at-step must be at least 1, got \(stopAtStep)") }
    }

    /// Flags over the config file over the defaults; errors name the flag or the file.
    func resolvedConfiguration() throws -> TrainingConfiguration {
        var c = TrainingConfiguration()
        if let config {
            guard let data = FileManager.default.contents(atPath: config) else {
                throw CommandFailure("cannot read --config \(config)")
            }
            c = try c.merging(json: data, source: config)
        }
        if let dataset { c.dataset = dataset }
        if let imageCount { c.imageCount = imageCount }
        if let targetClass { c.targetClass = targetClass }
        if skipBad { c.skipBad = true }
        if let side { c.side = side }
        if let baseWidth { c.baseWidth = baseWidth }
        if let hidden { c.hidden = hidden }
        if let dropout { c.dropout = dropout }
        if let ePooling { c.ePooling = ePooling }
        if let bnMomentum { c.bnMomentum = bnMomentum }
        if let explainerInitBias { c.explainerInitBias = explainerInitBias }
        if let bnStatistics { c.bnStatistics = bnStatistics }
        if let bnBatches { c.bnBatches = bnBatches }
        if let epochs {
            let parts = epochs.split(separator: ",", omittingEmptySubsequences: false).map { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard parts.allSatisfy({ $0 != nil }) else { throw CommandFailure("invalid --epochs \(epochs): expected three integers such as 50,50,50") }
            c.epochs = parts.map { $0! }
        }
        if let stepsPerEpoch { c.stepsPerEpoch = stepsPerEpoch }
        if let batch { c.batch = batch }
        if let lambdaL1 { c.lambdaL1 = lambdaL1 }
        if let lambdaTV { c.lambdaTV = lambdaTV }
        if let lambdaBox { c.lambdaBox = lambdaBox }
        if let optimizer { c.optimizer = optimizer }
        if let learningRate { c.learningRate = learningRate }
        if let momentum { c.momentum = momentum }
        if let seed { c.seed = seed }
        if let checkpointEvery { c.checkpointEvery = checkpointEvery }
        if let verifyEvery { c.verifyEvery = verifyEvery }
        try c.validate()
        return c
    }

    func run() throws {
        let blas = try BLASSetup.configure()
        let world = try Communicator.world()
        let logger = RankLogHandler.makeLogger(rank: world.rank, verbose: verbose)
        if let warning = blas.slowerThanCPUAllows, world.rank == 0 { logger.warning("\(warning)") }

        // Rank 0 decides (it may be the only rank that sees the config file and the run
        // directory); the others receive its decision or its error.
        let plan = try RankZeroDecision.share(world: world) { try prepare(logger: logger) }
        let run = RunDirectory(path: plan.runDirectory)
        logger.info("training on \(world.size) rank(s), BLAS \(blas.coreName) × \(blas.threads) thread(s) per rank; run directory \(run.url.path)")
        let trainer = try RankAgreement.all(world) {
            try Trainer(configuration: plan.configuration, runDirectory: run, resume: plan.resume,
                        bestOfResumedPhase: plan.best, world: world, logger: logger, stopAtStep: stopAtStep)
        }
        if plan.resume == nil, world.rank == 0 {
            try run.create()
            try run.saveConfiguration(plan.configuration)
        }
        StopRequest.install()
        let outcome = try trainer.train()
        switch outcome.ending {
        case .finished:
            logger.info("training finished after \(outcome.cursor.globalStep) steps; best weights: \(run.checkpointURL(phase: 3, kind: .best).path)")
        case .stoppedAtStep:
            break
        case .stoppedBySignal:
            // EX_TEMPFAIL: not a success (the run is unfinished), but resumable.
            throw ExitCode(75)
        }
    }

    /// Rank 0's work before training: the configuration, the run directory, and the raw bytes of
    /// the checkpoints to resume from.
    func prepare(logger: Logger) throws -> PlanBytes {
        if let resume {
            let run = RunDirectory(path: resume)
            guard let found = try run.newestValidCheckpoint() else {
                throw CommandFailure("--resume \(resume): no checkpoint found in \(run.checkpointsURL.path)")
            }
            for problem in found.skipped { logger.warning("ignoring damaged checkpoint: \(problem)") }
            let cursor = found.checkpoint.cursor
            guard cursor.phase <= 3 else {
                throw CommandFailure("--resume \(resume): this run has already finished (step \(cursor.globalStep))")
            }
            var best: [UInt8]?
            if cursor.bestEpoch != nil {
                best = try CheckpointFile.readBytes(run.checkpointURL(phase: cursor.phase, kind: .best))
            }
            logger.info("resuming from \(found.url.path): phase \(cursor.phase), epoch \(cursor.epoch + 1), step \(cursor.globalStep)")
            return PlanBytes(configuration: found.checkpoint.configuration, runDirectory: run.url.path,
                             resume: found.bytes, best: best)
        }
        let configuration = try resolvedConfiguration()
        let run = RunDirectory(path: runDir)
        if let existing = try? FileManager.default.contentsOfDirectory(atPath: run.checkpointsURL.path), !existing.isEmpty {
            throw CommandFailure("--run-dir \(runDir) already holds checkpoints; use --resume \(runDir) to continue it, or another --run-dir")
        }
        return PlanBytes(configuration: configuration.jsonText(), runDirectory: run.url.path, resume: nil, best: nil)
    }
}
