// Behaviour of the joint model beyond the golden files: workspace reuse, determinism, partial batches,
// what each phase touches, dropout and max E-pooling.
import Kernels
import Network
import Testing

@Suite struct JointModelTests {
    static let configuration = ModelConfiguration(side: 16, baseWidth: 2, classes: 3, hidden: 5, dropout: 0.3)

    static func batch(_ n: Int, seed: UInt64) -> (Tensor, [Int], Tensor) {
        let s = configuration.side
        var g = SplitMix64(seed: seed)
        let x = Tensor(shape: [n, 3, s, s], storage: (0..<(n * 3 * s * s)).map { _ in g.nextUnitFloat() })
        let z = Tensor(shape: [n, 1, s, s], storage: (0..<(n * s * s)).map { ($0 % s) < s / 2 ? 1 : 0 })
        return (x, (0..<n).map { $0 % configuration.classes }, z)
    }

    static func model(capacity: Int = 2, configuration: ModelConfiguration = configuration) throws -> JointModel {
        let m = try JointModel(configuration: configuration, batchCapacity: capacity)
        m.initialize(seed: 3)
        return m
    }

    @Test func trainingStepsReuseTheirWorkspaceAndAreDeterministic() throws {
        let m = try Self.model()
        let (x, labels, z) = Self.batch(2, seed: 1)
        let weights = LossWeights(l1: 1e-3, tv: 1e-2, box: 1e-1)
        let address = m.workspaceAddress
        let count = m.workspaceCount
        let capacities = (m.parameters.capacity, m.gradients.capacity)
        let first = m.trainingStep(input: x, labels: labels, boxMask: z, phase: .joint, loss: weights, dropoutSeed: 5)
        let gradients = m.gradients
        m.buffers = [0, 1]
        let second = m.trainingStep(input: x, labels: labels, boxMask: z, phase: .joint, loss: weights, dropoutSeed: 5)
        #expect(m.workspaceAddress == address && m.workspaceCount == count, "the arena is allocated once")
        #expect(m.parameters.capacity == capacities.0 && m.gradients.capacity == capacities.1)
        #expect(
            first.total == second.total && m.gradients == gradients, "same batch, seed and state give the same step")
        #expect(first.total.isFinite && first.total > 0 && gradients.contains { $0 != 0 })
    }

    /// The authors' α·CE + (1 − α)·penalties: the loss and every gradient are linear in the
    /// cross-entropy weight, so a step at weight 0.25 is 0.25 × the CE-only step plus the penalties-only step.
    @Test func theCrossEntropyWeightScalesOnlyTheCrossEntropy() throws {
        let m = try Self.model()
        let (x, labels, z) = Self.batch(2, seed: 6)
        func step(_ w: LossWeights) -> (StepResult, [Float]) {
            m.buffers = [0, 1]
            let r = m.trainingStep(input: x, labels: labels, boxMask: z, phase: .joint, loss: w, dropoutSeed: 7)
            return (r, m.gradients)
        }
        let (ce, gCE) = step(LossWeights(crossEntropy: 1))
        let (penalties, gPenalties) = step(LossWeights(l1: 1e-2, tv: 1e-2, box: 1e-1, crossEntropy: 0))
        let (mixed, gMixed) = step(LossWeights(l1: 1e-2, tv: 1e-2, box: 1e-1, crossEntropy: 0.25))
        #expect(abs(mixed.total - (0.25 * ce.total + penalties.total)) < 1e-6 * max(1, abs(mixed.total)))
        #expect(mixed.crossEntropy == ce.crossEntropy, "the reported CE is the unweighted one")
        let scale = gMixed.map(abs).max()!
        var worst: Float = 0
        for i in gMixed.indices { worst = max(worst, abs(gMixed[i] - (0.25 * gCE[i] + gPenalties[i]))) }
        // float32 sums of the same terms in another order: a few ulps of the largest gradient.
        #expect(worst <= 1e-5 * scale, "worst difference \(worst) of \(scale)")
        #expect(gPenalties.contains { $0 != 0 } && gCE.contains { $0 != 0 })
    }

    @Test func dropoutSeedChangesTheTrainingStepButNotEvaluation() throws {
        let m = try Self.model()
        let (x, labels, _) = Self.batch(2, seed: 2)
        let a = m.trainingStep(
            input: x, labels: labels, boxMask: nil, phase: .classifierOnly, loss: LossWeights(), dropoutSeed: 1)
        let b = m.trainingStep(
            input: x, labels: labels, boxMask: nil, phase: .classifierOnly, loss: LossWeights(), dropoutSeed: 2)
        #expect(a.probabilities != b.probabilities)
        let e1 = m.evaluate(input: x, labels: labels, boxMask: nil, phase: .joint, loss: LossWeights())
        let e2 = m.evaluate(input: x, labels: labels, boxMask: nil, phase: .joint, loss: LossWeights())
        #expect(e1.probabilities == e2.probabilities)
        #expect(m.explain(input: x).probabilities == e1.probabilities, "explain runs the same inference forward")
    }

    @Test func aBatchSmallerThanCapacityGivesThePerImageInferenceResults() throws {
        let m = try Self.model(capacity: 3)
        let (x, labels, _) = Self.batch(3, seed: 4)
        let all = m.explain(input: x)
        let s = Self.configuration.side
        let one = Tensor(shape: [1, 3, s, s], storage: Array(x.storage[(3 * s * s)..<(6 * s * s)]))
        let single = m.explain(input: one)
        #expect(single.E.shape == [1, 1, s, s] && single.probabilities.shape == [1, 3])
        // Inference BN uses running statistics, so image 1 alone must match image 1 of the batch exactly.
        #expect(single.E.storage == Array(all.E.storage[(s * s)..<(2 * s * s)]))
        #expect(single.probabilities.storage == Array(all.probabilities.storage[3..<6]))
        #expect(all.E.storage.allSatisfy { $0 >= 0 && $0 < 1 }, "E = ReLU(tanh(·)) lies in [0, 1)")
        let evaluated = m.evaluate(input: one, labels: [labels[1]], boxMask: nil, phase: .joint, loss: LossWeights())
        #expect(
            evaluated.correct <= 1 && evaluated.probabilities == single.probabilities,
            "\(evaluated.probabilities) vs \(single.probabilities)")
    }

    @Test func phaseOneLeavesTheExplainerAndItsStatisticsAlone() throws {
        let m = try Self.model()
        let (x, labels, z) = Self.batch(2, seed: 6)
        let weights = LossWeights(l1: 1e-3)
        let r1 = m.trainingStep(
            input: x, labels: labels, boxMask: z, phase: .classifierOnly, loss: weights, dropoutSeed: 0)
        #expect(m.buffers == [0, 1], "phase 1 does not run the explainer's batch norm")
        #expect(r1.l1 == 0 && r1.total == r1.crossEntropy)
        #expect(m.gradients[m.range(of: .explainer)].allSatisfy { $0 == 0 })
        _ = m.trainingStep(input: x, labels: labels, boxMask: z, phase: .explainerOnly, loss: weights, dropoutSeed: 0)
        #expect(m.buffers != [0, 1], "phases 2 and 3 update the running statistics")
        #expect(m.gradients[m.range(of: .explainer)].contains { $0 != 0 })
    }

    @Test func maxEPoolingDownsamplesEWithTheMaximum() throws {
        var c = Self.configuration
        c.ePooling = .max
        let m = try Self.model(configuration: c)
        let (x, labels, _) = Self.batch(2, seed: 8)
        _ = m.trainingStep(input: x, labels: labels, boxMask: nil, phase: .joint, loss: LossWeights(), dropoutSeed: 0)
        let e = m.activation("explainer.E")!.storage
        let e2 = m.activation("classifier.E2")!.storage
        let s = c.side
        let h = s / 2
        for b in 0..<2 {
            for i in 0..<h {
                for j in 0..<h {
                    let window = [(0, 0), (0, 1), (1, 0), (1, 1)].map {
                        e[b * s * s + (2 * i + $0.0) * s + 2 * j + $0.1]
                    }
                    #expect(e2[b * h * h + i * h + j] == window.max()!)
                }
            }
        }
        // dE flows back through the max-pooled path: the stage-2 product makes d(loss)/dE nonzero somewhere.
        #expect(m.activationGradient("explainer.E")!.storage.contains { $0 != 0 })
    }

    @Test func withoutABoxMaskTheBoxTermIsZero() throws {
        let m = try Self.model()
        let (x, labels, z) = Self.batch(2, seed: 10)
        let weights = LossWeights(l1: 1e-3, box: 0.5)
        let with = m.evaluate(input: x, labels: labels, boxMask: z, phase: .joint, loss: weights)
        let without = m.evaluate(input: x, labels: labels, boxMask: nil, phase: .joint, loss: weights)
        #expect(with.box > 0 && without.box == 0)
        #expect(abs(without.total - (without.crossEntropy + Double(Float(1e-3)) * without.l1)) < 1e-9)
        #expect(abs(with.total - without.total - 0.5 * with.box) < 1e-9)
    }
}
