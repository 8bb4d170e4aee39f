// Population statistics of the explainer head's batch norm: the moments by hand, ranks' sums
// combining to the whole, and inference-mode E agreeing with training-mode E once they are used.
import Datasets
import Kernels
import Network
import Testing

@testable import Training

@Suite struct BatchNormPopulationTests {
    @Test func populationMomentsByHand() {
        // Batch A = {0, 0, 2, 2} (mean 1, biased variance 1), batch B = {2, 2, 4, 4} (mean 3, variance 1).
        // All eight values: mean 2, squared deviations 4·4 = 16, unbiased variance 16/7.
        var population = BatchNormPopulation()
        population.add([BatchNormBatchStatistics(running: 0, mean: [1], variance: [1], valuesPerChannel: 4)])
        population.add([BatchNormBatchStatistics(running: 0, mean: [3], variance: [1], valuesPerChannel: 4)])
        #expect(population.sums == [1.0 + 3.0, (1.0 + 1) + (1.0 + 9), 2])
        let statistics = population.statistics[0]
        #expect(statistics.mean == [2])
        #expect(statistics.variance == [Float(16.0 / 7)])
    }

    static func model() throws -> JointModel {
        let model = try JointModel(
            configuration: ModelConfiguration(side: 32, baseWidth: 4, classes: 2, hidden: 8), batchCapacity: 8)
        model.initialize(seed: 5)
        return model
    }

    static func batches() throws -> [Tensor] {
        let dataset = try Dataset.synthetic(GeneratorOptions.small(colourCue: false, seed: 2).with { $0.count = 64 })
        return try (0..<6).map { b in
            Tensor(
                shape: [8, 3, 32, 32],
                storage: try (0..<8).flatMap { try dataset.load(index: b * 8 + $0, side: 32).pixels })
        }
    }

    @Test func ranksSumsCombineToTheWholeSetsStatistics() throws {
        let model = try Self.model()
        let batches = try Self.batches()
        var whole = BatchNormPopulation()
        var rank0 = BatchNormPopulation()
        var rank1 = BatchNormPopulation()
        for (i, batch) in batches.prefix(4).enumerated() {
            whole.add(model: model, input: batch, group: .explainerHead, phase: .joint)
            if i % 2 == 0 {
                rank0.add(model: model, input: batch, group: .explainerHead, phase: .joint)
            } else {
                rank1.add(model: model, input: batch, group: .explainerHead, phase: .joint)
            }
        }
        let reduced = BatchNormPopulation(reduced: zip(rank0.sums, rank1.sums).map { $0 + $1 }, like: rank0)
        // Sums of four terms in another order: equal up to Double rounding, far below Float's.
        var fromRanks = model.buffers
        var fromWhole = model.buffers
        reduced.store(into: &fromRanks)
        whole.store(into: &fromWhole)
        #expect(fromRanks == fromWhole && fromRanks != model.buffers)
        #expect(model.buffers == [0, 1])  // measuring leaves the running statistics alone
    }

    /// Mean |E_inference − E_training| over one batch: E with the stored statistics against E with
    /// the batch's own (a training forward; its running update is put back).
    static func meanDifference(_ model: JointModel, _ batch: Tensor) -> Double {
        let inference = model.explain(input: batch).E.storage
        let saved = model.buffers
        _ = model.trainingStep(
            input: batch, labels: [Int](repeating: 0, count: 8), boxMask: nil, phase: .joint,
            loss: LossWeights(), dropoutSeed: 1)
        let training = model.activation("explainer.E")!.storage
        model.buffers = saved
        return zip(inference, training).reduce(0.0) { $0 + Double(abs($1.0 - $1.1)) } / Double(training.count)
    }

    @Test func populationStatisticsMakeInferenceEMatchTrainingE() throws {
        let model = try Self.model()
        let batches = try Self.batches()
        // Held-out batches 4 and 5; statistics from batches 0–3.
        let before = batches.suffix(2).map { Self.meanDifference(model, $0) }
        var population = BatchNormPopulation()
        for batch in batches.prefix(4) {
            population.add(model: model, input: batch, group: .explainerHead, phase: .joint)
        }
        population.store(into: &model.buffers)
        let after = batches.suffix(2).map { Self.meanDifference(model, $0) }
        // With the initial statistics (0, 1) the two modes disagree, so this test can fail.
        #expect(before.allSatisfy { $0 > 0.05 }, "before: \(before)")
        // Issue 9 §4's bound: mean |E_eval − E_train| ≤ 0.02 over images not used for the statistics.
        #expect(after.allSatisfy { $0 <= 0.02 }, "after: \(after)")
        // On the batch that made the statistics the two agree up to n/(n − 1) and rounding.
        var own = BatchNormPopulation()
        own.add(model: model, input: batches[0], group: .explainerHead, phase: .joint)
        own.store(into: &model.buffers)
        #expect(Self.meanDifference(model, batches[0]) < 1e-3)
    }
}

extension BatchNormPopulationTests {
    /// Phase 1 measures the classifier's eight batch norms (the explainer does not run), phases 2 and 3 the
    /// head's alone; once a batch's own population statistics are stored, phase-1 inference gives the logits
    /// the training forward gave on it (up to the unbiased variance's n/(n − 1)).
    @Test func phaseOneMeasuresTheClassifiersBatchNorms() throws {
        let model = try JointModel(
            configuration: ModelConfiguration(
                side: 32, baseWidth: 4, classes: 2, hidden: 8, dropout: 0, classifierBatchNorm: true),
            batchCapacity: 8)
        model.initialize(seed: 5)
        let batch = try Self.batches()[0]
        let initial = model.buffers
        let withoutE = model.batchNormStatistics(input: batch, of: .classifier, phase: .classifierOnly)
        #expect(withoutE.map(\.channels) == [4, 4, 8, 8, 16, 16, 32, 32])
        #expect(model.batchNormStatistics(input: batch, of: .explainerHead, phase: .joint).map(\.channels) == [1])
        // With the explainer's E (phase 2's hand-over): stage 1's convolutions come before E's product, so
        // their statistics are unchanged; every later stage sees its input scaled by E.
        let withE = model.batchNormStatistics(input: batch, of: .classifier, phase: .explainerOnly)
        #expect(withE[0] == withoutE[0] && withE[1] == withoutE[1])
        #expect(zip(withE[2...], withoutE[2...]).allSatisfy { $0.mean != $1.mean })
        #expect(model.buffers == initial)

        let labels = [Int](repeating: 0, count: 8)
        func logitGap() -> Double {
            let saved = model.buffers
            _ = model.trainingStep(
                input: batch, labels: labels, boxMask: nil, phase: .classifierOnly, loss: LossWeights(), dropoutSeed: 0)
            let training = model.activation("classifier.logits")!.storage
            model.buffers = saved
            _ = model.evaluate(input: batch, labels: labels, boxMask: nil, phase: .classifierOnly, loss: LossWeights())
            let inference = model.activation("classifier.logits")!.storage
            let scale = training.map { Double(abs($0)) }.max()!
            return zip(training, inference).map { Double(abs($0 - $1)) }.max()! / scale
        }
        let before = logitGap()
        var own = BatchNormPopulation()
        own.add(model: model, input: batch, group: .classifier, phase: .classifierOnly)
        own.store(into: &model.buffers)
        #expect(model.buffers[0...1] == initial[0...1])  // the head's statistics are not touched in phase 1
        let after = logitGap()
        #expect(before > 0.1 && after < 0.02, "relative logit gap before \(before), after \(after)")
    }
}

extension GeneratorOptions {
    func with(_ change: (inout GeneratorOptions) -> Void) -> GeneratorOptions {
        var copy = self
        change(&copy)
        return copy
    }
}
