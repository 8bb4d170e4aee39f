// Before validation and before a checkpoint: the BN statistics of the phase recomputed over a
// fixed set of training batches, averaged across ranks (configuration.bnStatistics "population").
import Datasets
import Network

extension Trainer {
    /// This rank's fixed batches for the population statistics: the first `bnBatches` batches of a
    /// sharding of the training split with its own seed. The same images at every call and in a
    /// resumed run (on the same world size), so the statistics are a function of the weights alone
    /// and a checkpoint's buffers do not depend on when it was written.
    func batchNormSharding() -> Sharding {
        Sharding(
            indices: data.trainIndices, worldSize: world.size, rank: world.rank, batchSize: configuration.batch,
            seed: configuration.seed ^ 0xB7E1_5162_8AED_2A6B)
    }

    /// Replaces the running statistics of the batch norms the current phase trains with (the classifier's
    /// in phase 1, the explainer head's after) by the population statistics of the current weights.
    /// Every rank must call it at the same point (it reduces across ranks). Skipped for the running
    /// average, when the phase uses no batch statistics (phase 1 of the paper's classifier), and when the
    /// weights have not changed since the last call.
    func recomputeBatchNormStatistics() throws {
        let phase = cursor.phase ?? .joint
        guard configuration.bnStatistics == .population,
            phase != .classifierOnly || model.configuration.classifierBatchNorm
        else { return }
        let key = (cursor.globalStep, cursor.phase)
        if let last = batchNormComputedAt, last == key { return }
        try storePopulation(of: phase == .classifierOnly ? .classifier : .explainerHead, phase: phase)
        batchNormComputedAt = key
    }

    /// When phase 1 hands over to a phase that runs the explainer: the classifier's batch-norm statistics
    /// measured again over the same fixed batches with the explainer's E in place of E = 1, then frozen
    /// (AdaBN: Li et al., "Revisiting Batch Normalization For Practical Domain Adaptation", 2016). The
    /// classifier learnt with E = 1; an E that averages about 0.3 at the start scales every stage's input
    /// and, with the phase-1 statistics, shifts each pre-activation below its ReLU, so the classifier
    /// answers one class and passes no gradient to E (measured: validation accuracy 0.52 through phase 2,
    /// docs/explanations.md, session 12). With either statistics setting: the frozen ones must fit E.
    /// Called as every phase's loop starts: it acts only at the first step of the phase that follows a
    /// phase 1 with epochs, so a run whose schedule is extended on --resume (1,0,0 then 1,0,2) measures
    /// exactly where a straight run does. Measuring again is idempotent (it reads weights, not the
    /// statistics it replaces), so a resume from that phase's first checkpoint repeats it to the bit.
    func adaptClassifierStatistics(at phase: Phase) throws {
        guard model.configuration.classifierBatchNorm, phase.runsExplainer,
            configuration.epochs(of: .classifierOnly) > 0,
            configuration.phase(after: .classifierOnly) == phase,
            cursor.epoch == 0, cursor.batchInEpoch == 0, (cursor.stepsInPhase ?? 0) == 0
        else { return }
        try storePopulation(of: .classifier, phase: phase)
    }

    private func storePopulation(of group: BatchNormGroup, phase: Phase) throws {
        let sharding = batchNormSharding()
        var population = BatchNormPopulation()
        for position in 0..<configuration.bnBatches {
            population.add(
                model: model, input: try data.load(sharding.batch(stream: position)).input, group: group, phase: phase)
        }
        var sums = population.sums
        try world.allreduce(&sums, .sum)
        BatchNormPopulation(reduced: sums, like: population).store(into: &model.buffers)
    }
}
