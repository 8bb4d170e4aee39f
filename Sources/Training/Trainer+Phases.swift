// Phase boundaries and checkpoints.
import Network

extension Trainer {
    /// Ends the current phase: the next one starts from this phase's best-validation weights with
    /// a fresh optimizer. Phases with zero epochs are skipped.
    func finishPhase() throws {
        guard let finished = cursor.phase else { return }
        if let best {
            model.parameters = best.parameters
            model.buffers = best.buffers
            report(
                .phaseFinished(
                    finished, bestValidationLoss: cursor.bestValidationLoss ?? .nan, bestEpoch: cursor.bestEpoch ?? 0))
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
        report(
            .phaseOneEndedEarly(epoch: cursor.epoch, epochs: epochs, loss: loss, ratio: ratio, firstEpochLoss: start))
        cursor.epoch = epochs
    }

    /// Rank 0 writes the run's current state as the latest checkpoint of the current phase
    /// (of phase 3 once training is over).
    func saveLatest() throws {
        try recomputeBatchNormStatistics()
        guard world.rank == 0 else { return }
        let checkpoint = ModelState.checkpoint(
            model: model, optimizer: optimizer, cursor: cursor, configuration: configuration,
            classes: data.dataset.classes)
        try CheckpointFile.write(checkpoint, to: run.checkpointURL(phase: cursor.phase ?? .joint, kind: .latest))
    }
}
