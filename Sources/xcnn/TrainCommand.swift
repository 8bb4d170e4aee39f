// `xcnn train`: rank 0 locks the run directory and resolves the configuration (flags over a JSON
// file over the defaults, or over the checkpoint's on --resume), shares it and any checkpoint with
// every rank, and every rank runs the three-phase trainer.
import ArgumentParser
import Foundation
import Logging
import MessagePassing
import Network
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

    // Values are read as text and checked by the configuration's own rules (ConfigurationKey), the
    // same rules as --config files and checkpoints; numbers take negative values (.unconditional)
    // so "--seed -1" is refused by name rather than read as a missing value. Help texts take their
    // defaults and choices from TrainingConfiguration.
    @Option(help: "JSON file of settings (keys are the flags in camelCase, e.g. stepsPerEpoch).")
    var config: String?
    @Option(help: "synthetic:<preset> (paper-no-colour, paper-colour), or a VOC directory or image folder.")
    var dataset: String?
    @Option(parsing: .unconditional, help: "Images to generate for a synthetic dataset (default: the preset's count).")
    var imageCount: String?
    @Option(help: "VOC datasets: the object name whose presence makes an image positive.")
    var targetClass: String?
    @Flag(help: "Skip unreadable images (counted, printed and listed in RUN/skipped.txt) instead of stopping.")
    var skipBad = false
    @Option(
        parsing: .unconditional,
        help:
            "Most pixels (width × height) decoded per image file (default: Pillow's 89478485, or 1024 × side² if larger)."
    )
    var maxImagePixels: String?

    @Option(parsing: .unconditional, help: "Input side in pixels, a multiple of 16 (default \(defaultText("side"))).")
    var side: String?
    @Option(parsing: .unconditional, help: "Filters of the first level (default \(defaultText("baseWidth"))).")
    var baseWidth: String?
    @Option(parsing: .unconditional, help: "Width of the classifier's dense layers (default \(defaultText("hidden"))).")
    var hidden: String?
    @Option(parsing: .unconditional, help: "Dropout rate of the dense layers (default \(defaultText("dropout"))).")
    var dropout: String?
    @Option(
        help: "How E is downsampled between stages: \(requirement("ePooling")) (default \(defaultText("ePooling"))).")
    var ePooling: String?
    @Option(
        parsing: .unconditional,
        help: "Initial shift of the explainer head's batch norm (default \(defaultText("explainerInitBias"))).")
    var explainerInitBias: String?
    @Option(
        parsing: .unconditional,
        help: "Initial scale γ of the explainer head's batch norm (default \(defaultText("explainerInitScale"))).")
    var explainerInitScale: String?
    @Option(
        parsing: .unconditional,
        help:
            "ε of the explainer head's batch norm (default \(defaultText("bnEpsilon")); Keras' and the paper's: 0.001)."
    )
    var bnEpsilon: String?
    @Option(
        parsing: .unconditional,
        help: "Batch-norm momentum of the explainer head, Keras' convention (default \(defaultText("bnMomentum"))).")
    var bnMomentum: String?
    @Option(
        parsing: .unconditional,
        help: """
            Batch norm between each classifier convolution and its ReLU, true or false: batch statistics in phase 1, \
            frozen from phase 2 on (default \(defaultText("classifierBatchNorm")); the paper's: false).
            """)
    var classifierBatchNorm: String?
    @Option(
        help: """
            Inference statistics of the batch norms: \(requirement("bnStatistics")); population: recomputed over fixed \
            training batches before each validation and checkpoint; running: the momentum average \
            (default \(defaultText("bnStatistics"))).
            """)
    var bnStatistics: String?
    @Option(
        parsing: .unconditional,
        help: "Training batches per rank for the population BN statistics (default \(defaultText("bnBatches"))).")
    var bnBatches: String?

    @Option(
        parsing: .unconditional,
        help: "Epochs of phases 1,2,3 (default \(defaultText("epochs")); may change on --resume).")
    var epochs: String?
    @Option(
        parsing: .unconditional,
        help: "Optimizer steps per epoch (default \(defaultText("stepsPerEpoch")); may change on --resume).")
    var stepsPerEpoch: String?
    @Option(parsing: .unconditional, help: "Images per rank per step (default \(defaultText("batch"))).")
    var batch: String?

    @Option(
        name: .customLong("lambda-l1"), parsing: .unconditional,
        help: "Weight of the L1 penalty on E in Keras' form, λ·Σ|E| over an image's pixels (the paper's 1e-6 at 224²).")
    var lambdaL1: String?
    @Option(
        name: .customLong("lambda-l1-per-pixel"), parsing: .unconditional,
        help: """
            Weight of the L1 penalty per pixel, λ·mean|E| (= Keras' λ × side²; default \(defaultText("lambdaL1PerPixel")) at every \
            side; the paper's 1e-6 at 224² is 0.050176).
            """)
    var lambdaL1PerPixel: String?
    @Option(
        name: .customLong("lambda-tv"), parsing: .unconditional,
        help: "Weight of E's total variation (default \(defaultText("lambdaTV"))).")
    var lambdaTV: String?
    @Option(
        name: .customLong("lambda-box"), parsing: .unconditional,
        help: "Weight of the outside-the-box penalty (default \(defaultText("lambdaBox"))).")
    var lambdaBox: String?
    @Option(
        parsing: .unconditional,
        help: """
            The authors' later loss α·CE + (1 − α)·(λ terms), α per phase, e.g. 1,0.25,0.9 \
            (default: \(defaultText("alpha")), CE + λ terms).
            """)
    var alpha: String?

    @Option(help: "\(requirement("optimizer")); sgd with momentum (default \(defaultText("optimizer"))).")
    var optimizer: String?
    @Option(
        parsing: .unconditional,
        help: """
            Learning rate, one for all phases or three (phases 1,2,3), e.g. 1e-3,1e-4,1e-4 (default: the optimizer's own, \
            \(OptimizerKind.allCases.map { "\($0.rawValue) \($0.defaultLearningRates.map { "\($0)" }.joined(separator: ","))" }.joined(separator: "; "))).
            """)
    var learningRate: String?
    @Option(parsing: .unconditional, help: "SGD momentum (default \(defaultText("momentum"))).")
    var momentum: String?
    @Option(
        name: .customLong("phase1-stop-loss-ratio"), parsing: .unconditional,
        help: """
            End phase 1 after the first epoch whose training loss is at most this fraction of the first epoch's \
            (the authors' rule: 0.25; default \(defaultText("phase1StopLossRatio")): off).
            """)
    var phase1StopLossRatio: String?

    @Option(
        parsing: .unconditional,
        help: "Seed of initialisation, data order and dropout (default \(defaultText("seed"))).")
    var seed: String?
    @Option(
        parsing: .unconditional,
        help: """
            Write the latest checkpoint every N steps (default \(defaultText("checkpointEvery")); 0: at epoch ends only; \
            may change on --resume).
            """)
    var checkpointEvery: String?
    @Option(
        parsing: .unconditional,
        help: """
            Check every N steps that all ranks hold identical parameters (default \(defaultText("verifyEvery")): never; \
            may change on --resume).
            """)
    var verifyEvery: String?

    @Option(help: "Run directory: config, metrics.csv, checkpoints (default runs/default).") var runDir: String?
    @Option(help: "Continue the run in this directory from its newest valid checkpoint; flags may extend its schedule.")
    var resume: String?
    @Option(parsing: .unconditional, help: "Write a checkpoint at this global step and exit 0.") var stopAtStep: Int?
    @Flag(help: "More log output.") var verbose = false

    /// The configuration flags given, by configuration key.
    var flagSettings: TrainingSettings {
        TrainingSettings(flags: [
            ("dataset", dataset), ("imageCount", imageCount), ("targetClass", targetClass),
            ("skipBad", skipBad ? "true" : nil),
            ("maxImagePixels", maxImagePixels),
            ("side", side), ("baseWidth", baseWidth), ("hidden", hidden), ("dropout", dropout), ("ePooling", ePooling),
            ("explainerInitBias", explainerInitBias), ("explainerInitScale", explainerInitScale),
            ("bnEpsilon", bnEpsilon), ("bnMomentum", bnMomentum),
            ("classifierBatchNorm", classifierBatchNorm), ("bnStatistics", bnStatistics), ("bnBatches", bnBatches),
            ("epochs", epochs), ("stepsPerEpoch", stepsPerEpoch), ("batch", batch),
            ("lambdaL1", lambdaL1), ("lambdaL1PerPixel", lambdaL1PerPixel), ("lambdaTV", lambdaTV),
            ("lambdaBox", lambdaBox), ("alpha", alpha),
            ("optimizer", optimizer), ("learningRate", learningRate), ("momentum", momentum),
            ("phase1StopLossRatio", phase1StopLossRatio),
            ("seed", seed), ("checkpointEvery", checkpointEvery), ("verifyEvery", verifyEvery),
        ])
    }

    /// Flag values alone, checked on every rank before MPI starts (every rank sees the same flags):
    /// a wrong one is ArgumentParser's validation error, usage line and exit 64.
    func validate() throws {
        do {
            _ = try flagSettings.applied(to: TrainingConfiguration())
        } catch let error as TrainingError {
            throw ValidationError(error.description)
        }
        if let stopAtStep, stopAtStep < 1 {
            throw ValidationError("--stop-at-step must be at least 1, got \(stopAtStep)")
        }
        if let resume, let runDir, RunDirectory(path: runDir).url != RunDirectory(path: resume).url {
            throw ValidationError(
                "--run-dir \(runDir) and --resume \(resume) name different directories; --resume continues the run in its own directory"
            )
        }
    }

    /// The resuming or starting job's settings: flags over the --config file (rank 0 reads it).
    /// Every value of the file is checked, also one a flag overrides: the file is wrong either way.
    func givenSettings() throws -> TrainingSettings {
        guard let config else { return flagSettings }
        let file = try TrainingSettings(configFile: config)
        _ = try file.applied(to: TrainingConfiguration())
        return flagSettings.overriding(file)
    }

    func run() throws {
        let blas = try BLASSetup.configure()
        let world = try Communicator.world()
        let logger = RankLogHandler.makeLogger(rank: world.rank, verbose: verbose)
        if let warning = blas.slowerThanCPUAllows, world.rank == 0 { logger.warning("\(warning)") }

        // Rank 0 decides (it may be the only rank that sees the config file and the run
        // directory); the others receive its decision or its error. Rank 0 holds the run
        // directory's lock until the process ends.
        var lock: RunLock?
        let plan = try RankZeroDecision.share(world: world) { try prepare(logger: logger, lock: &lock) }
        let run = RunDirectory(path: plan.runDirectory)
        let machine =
            "BLAS \(blas.coreName) × \(blas.threads) thread(s) per rank, Swift kernels \(KernelBuild.builtFor)"
        logger.info("training on \(world.size) rank(s), \(machine); run directory \(run.url.path)")
        let progress = TrainingProgress(logger: logger, rank: world.rank, worldSize: world.size)
        let trainer = try RankAgreement.all(world) {
            try Trainer(
                configuration: plan.configuration, runDirectory: run, resume: plan.resume,
                bestOfResumedPhase: plan.best, world: world, stopAtStep: stopAtStep,
                convolution3x3: ConvolutionSetting.fromEnvironment(), report: progress.handle)
        }
        if world.rank == 0 {
            // On --resume too: the schedule may have changed (and a lost config.json comes back).
            try run.create()
            try run.saveConfiguration(plan.configuration)
        }
        if world.rank == 0 {
            let text = trainer.dataset.reportText(dataset: plan.configuration.dataset)
            try saveDatasetReport(text, in: run)
            for line in trainer.dataset.reportLines() { logger.warning("\(line)") }
            if text != nil {
                logger.warning("the full list is in \(run.url.appendingPathComponent("skipped.txt").path)")
            }
        }
        StopRequest.install()
        let outcome = try trainer.train()
        progress.stopped(outcome.ending, run: run)
        withExtendedLifetime(lock) {}
        switch outcome.ending {
        case .finished:
            let last = run.checkpointURL(phase: plan.configuration.lastPhase, kind: .best)
            logger.info("training finished after \(outcome.cursor.globalStep) steps; best weights: \(last.path)")
        case .stoppedAtStep:
            break
        case .stoppedBySignal:
            // EX_TEMPFAIL: not a success (the run is unfinished), but resumable.
            throw ExitCode(75)
        }
    }

    /// RUN/skipped.txt: every file --skip-bad left out and every dataset warning, rewritten on each
    /// start (a resume scans the data again); removed when there is nothing to report.
    private func saveDatasetReport(_ text: String?, in run: RunDirectory) throws {
        let url = run.url.appendingPathComponent("skipped.txt")
        guard let text else {
            try? FileManager.default.removeItem(at: url)
            return
        }
        do {
            try Data(text.utf8).write(to: url, options: .atomic)
        } catch {
            throw CommandFailure("cannot write \(url.path): \(error.localizedDescription)")
        }
    }

    /// Rank 0's work before training: the lock of the run directory, the configuration, and the
    /// raw bytes of the checkpoints to resume from.
    /// A checkpoint write killed before its rename leaves its temporary file; the lock holder removes them.
    func removeTemporaryFiles(_ run: RunDirectory, holding lock: RunLock, logger: Logger) {
        let removed = run.removeTemporaryFiles(holding: lock)
        if !removed.isEmpty {
            logger.info(
                "removed \(removed.count) temporary file(s) left by an interrupted checkpoint write: \(removed.joined(separator: ", "))"
            )
        }
    }

    func prepare(logger: Logger, lock: inout RunLock?) throws -> PlanBytes {
        let given = try givenSettings()
        if let resume {
            let run = RunDirectory(path: resume)
            guard FileManager.default.fileExists(atPath: run.checkpointsURL.path) else {
                throw CommandFailure.usage("--resume \(resume): no run here (no \(run.checkpointsURL.path))")
            }
            lock = try RunLock(run)
            removeTemporaryFiles(run, holding: lock!, logger: logger)
            guard let found = try run.newestValidCheckpoint() else {
                throw CommandFailure.usage(
                    "--resume \(resume): no checkpoint found in \(run.checkpointsURL.path) (a run stopped before its first checkpoint starts again with its original flags)"
                )
            }
            for problem in found.skipped { logger.warning("ignoring damaged checkpoint: \(problem)") }
            let stored = try TrainingConfiguration(
                json: Data(found.checkpoint.configuration.utf8), source: found.url.path)
            let cursor = found.checkpoint.cursor
            try stored.checkCursorFits(cursor, source: found.url.path)
            let (configuration, changes) = try stored.resumed(with: given, at: cursor)
            let start = stored.resumeCursor(cursor, continuingWith: configuration)
            if let stopAtStep, stopAtStep <= cursor.globalStep {
                throw CommandFailure.usage(
                    "--stop-at-step \(stopAtStep): the run already stands at step \(cursor.globalStep)")
            }
            guard let phase = start.phase else { throw finished(resume, stored, cursor) }
            var best: [UInt8]?
            if cursor.bestEpoch != nil, let trained = cursor.phase {
                best = try CheckpointFile.readBytes(run.checkpointURL(phase: trained, kind: .best))
            }
            logger.info(
                "resuming from \(found.url.path): phase \(phase.rawValue), epoch \(start.epoch + 1), step \(start.globalStep)"
            )
            if !changes.isEmpty {
                logger.info(
                    "changed on --resume: \(changes.joined(separator: ", ")) (saved in \(run.configurationURL.path))")
            }
            return PlanBytes(
                configuration: configuration.jsonText(), runDirectory: run.url.path, resume: found.bytes, best: best)
        }
        let configuration = try given.applied(to: TrainingConfiguration())
        let runDir = self.runDir ?? "runs/default"
        let run = RunDirectory(path: runDir)
        lock = try RunLock(run)
        removeTemporaryFiles(run, holding: lock!, logger: logger)
        if run.holdsCheckpoints {
            throw CommandFailure.usage(
                "--run-dir \(runDir) already holds checkpoints; use --resume \(runDir) to continue it, or another --run-dir"
            )
        }
        return PlanBytes(configuration: configuration.jsonText(), runDirectory: run.url.path, resume: nil, best: nil)
    }

    /// Why a finished run cannot continue, and what would let it.
    func finished(_ resume: String, _ stored: TrainingConfiguration, _ cursor: TrainingCursor) -> CommandFailure {
        let epochs = stored.epochs.map(String.init).joined(separator: ",")
        let untouched = Phase.allCases.filter { $0 > stored.lastPhase }
        var text =
            "--resume \(resume): this run has finished (step \(cursor.globalStep), epochs \(epochs)); a finished phase cannot be extended"
        if let next = untouched.first {
            var example = stored.epochs
            example[next.rawValue - 1] = 5
            text +=
                ": give epochs to phase \(untouched.map { String($0.rawValue) }.joined(separator: " or ")) (e.g. --epochs \(example.map(String.init).joined(separator: ","))), or start a new run directory"
        } else {
            text += "; start a new run directory"
        }
        return CommandFailure.usage(text)
    }
}

/// A configuration key's default and choices as help texts show them.
private func defaultText(_ key: String) -> String { TrainingConfiguration.defaultText(of: key) }
private func requirement(_ key: String) -> String { TrainingConfiguration.requirement(of: key) }
