// Phase boundaries, checkpoints and what rank 0 prints at the end of an epoch.
import Foundation
import Network

extension Trainer {
    /// Ends the current phase: the next one starts from this phase's best-validation weights with
    /// a fresh optimizer. Phases with zero epochs are skipped.
    func finishPhase() throws {
        guard let finished = cursor.phase else { return }
        if let best {
            model.parameters = best.parameters
            model.buffers = best.buffers
            logger.info("phase \(finished.rawValue) done: best val loss \(format(cursor.bestValidationLoss ?? .nan)) at epoch \(cursor.bestEpoch ?? 0); continuing from those weights")
        }
        best = nil
        let next = configuration.phase(after: finished)
        cursor.phase = next
        cursor.epoch = 0
        cursor.batchInEpoch = 0
        cursor.stepsInPhase = 0
        cursor.phaseStartLoss = nil
        cursor.bestValidationLoss = nil
        cursor.bestEpoch = nil
        cursor.epochTotals = EpochTotals()
        optimizer.reset()
        if let next { optimizer.setLearningRate(Float(configuration.learningRate(of: next))) }
        try saveLatest()
    }

    /// The authors' rule (TrainingConfiguration.phase1StopLossRatio): once phase 1's mean training
    /// loss of an epoch falls to the given fraction of its first epoch's, the phase's remaining
    /// epochs are marked done, in the cursor, so a run resumed from the next checkpoint ends the
    /// phase as the straight run did.
    func endPhaseOneEarlyIfLearnt(phase: Phase, loss: Double, epochs: Int) {
        let ratio = configuration.phase1StopLossRatio
        guard phase == .classifierOnly, ratio > 0 else { return }
        guard let start = cursor.phaseStartLoss else {
            cursor.phaseStartLoss = loss
            return
        }
        guard loss <= ratio * start, cursor.epoch < epochs else { return }
        logger.info("phase 1 ends after epoch \(cursor.epoch) of \(epochs): training loss \(format(loss)) ≤ \(ratio) × the first epoch's \(format(start)) (--phase1-stop-loss-ratio)")
        cursor.epoch = epochs
    }

    /// Rank 0 writes the run's current state as the latest checkpoint of the current phase
    /// (of phase 3 once training is over).
    func saveLatest() throws {
        try recomputeBatchNormStatistics()
        guard world.rank == 0 else { return }
        let checkpoint = ModelState.checkpoint(model: model, optimizer: optimizer, cursor: cursor, configuration: configuration,
                                               classes: data.dataset.classes)
        try CheckpointFile.write(checkpoint, to: run.checkpointURL(phase: cursor.phase ?? .joint, kind: .latest))
    }

    func clearProgress() {
        if progressOnTerminal { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }

    func epochLine(_ metrics: EpochMetrics, epochs: Int, improved: Bool) -> String {
        let remainingSteps = configuration.remainingSteps(after: cursor)
        let secondsPerStep = metrics.seconds / Double(configuration.stepsPerEpoch)
        return "phase \(metrics.phase) epoch \(metrics.epoch)/\(epochs)  loss \(format(metrics.loss))  acc \(String(format: "%.3f", metrics.accuracy))"
            + "  val loss \(format(metrics.validationLoss))  val acc \(String(format: "%.3f", metrics.validationAccuracy))\(improved ? " *" : "  ")"
            + "  \(String(format: "%.1f", metrics.imagesPerSecond)) img/s"
            + (world.size > 1 ? "  allreduce \(String(format: "%.1f", 100 * metrics.communicationShare))%" : "")
            + "  ETA \(duration(Double(remainingSteps) * secondsPerStep))"
    }

    func format(_ value: Double) -> String { String(format: "%.4f", value) }

    func duration(_ seconds: Double) -> String {
        guard seconds.isFinite else { return "?" }
        let total = Int(seconds.rounded())
        return total >= 3600 ? "\(total / 3600)h\(String(format: "%02d", total % 3600 / 60))m"
            : "\(total / 60)m\(String(format: "%02d", total % 60))s"
    }
}
