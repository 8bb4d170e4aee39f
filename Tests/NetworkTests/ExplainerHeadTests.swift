// The explainer head's batch norm: its initial shift (a "white" E at the start of phase 2, as the
// authors' code initialises it) and the momentum of its running statistics.
import Foundation
import Kernels
import Network
import Testing

@Suite struct ExplainerHeadTests {
    static func batch(side s: Int, n: Int) -> Tensor {
        var g = SplitMix64(seed: 11)
        return Tensor(shape: [n, 3, s, s], storage: (0..<(n * 3 * s * s)).map { _ in g.nextUnitFloat() })
    }

    static func meanE(initBias: Float) throws -> (inference: Float, training: Float) {
        let configuration = ModelConfiguration(
            side: 16, baseWidth: 2, classes: 2, hidden: 4, explainerInitBias: initBias)
        let model = try JointModel(configuration: configuration, batchCapacity: 2)
        model.initialize(seed: 5)
        let beta = model.layout.entries.first { $0.name == "explainer.head.bn.bias" }!.range
        #expect(model.parameters[beta] == [initBias])
        let x = batch(side: 16, n: 2)
        let inference = model.explain(input: x).E.storage
        _ = model.trainingStep(
            input: x, labels: [0, 1], boxMask: nil, phase: .explainerOnly, loss: LossWeights(), dropoutSeed: 1)
        let training = model.activation("explainer.E")!.storage
        return (inference.reduce(0, +) / Float(inference.count), training.reduce(0, +) / Float(training.count))
    }

    @Test func initialShiftOfTwoStartsTheExplanationNearlyWhiteInBothModes() throws {
        // Training mode normalises the head to mean 0, variance 1, so E = ReLU(tanh(x̂ + β₀)): with
        // β₀ = 0 about half the pixels are 0 and the mean is near 0.3; with β₀ = 2 the mean of
        // tanh(2 + x̂) over a unit normal is about 0.9. Inference starts from running mean 0, variance 1.
        let white = try Self.meanE(initBias: 2)
        let keras = try Self.meanE(initBias: 0)
        #expect(white.training > 0.85 && white.inference > 0.9, "β₀ = 2: \(white)")
        #expect(keras.training < 0.5, "β₀ = 0: \(keras)")
    }

    /// γ₀ scales the normalised head before tanh: E = ReLU(tanh(γ₀·x̂ + β₀)) with the same x̂ (batch
    /// statistics do not depend on γ), so each pixel at γ₀ = 0.1 is tanh(0.1·atanh(E at γ₀ = 1)): a
    /// pixel near saturation at γ₀ = 1 (x̂ ≈ 9) starts at tanh(0.9) ≈ 0.72, on tanh's slope.
    @Test func initialScaleShrinksTheNormalisedHeadBeforeTanh() throws {
        func trainingE(scale: Float) throws -> [Float] {
            let configuration = ModelConfiguration(
                side: 16, baseWidth: 2, classes: 2, hidden: 4, explainerInitScale: scale)
            let model = try JointModel(configuration: configuration, batchCapacity: 2)
            model.initialize(seed: 5)
            let gamma = model.layout.entries.first { $0.name == "explainer.head.bn.weight" }!.range
            #expect(model.parameters[gamma] == [scale])
            _ = model.trainingStep(
                input: Self.batch(side: 16, n: 2), labels: [0, 1], boxMask: nil, phase: .explainerOnly,
                loss: LossWeights(), dropoutSeed: 1)
            return model.activation("explainer.E")!.storage
        }
        let small = try trainingE(scale: 0.1)
        let unit = try trainingE(scale: 1)
        var worst: Float = 0
        for (a, b) in zip(small, unit) { worst = max(worst, abs(a - tanh(0.1 * atanh(b)))) }
        // float32 tanh/atanh round trips: a few ulps of values below 1.
        #expect(worst < 1e-5 && unit.contains { $0 > 0.3 }, "worst \(worst); max E at γ₀ = 1: \(unit.max()!)")
        #expect(throws: NetworkError.self) { try ModelConfiguration(side: 16, explainerInitScale: 0).validate() }
    }

    @Test func runningStatisticsMoveByOneMinusMomentumPerStep() throws {
        for momentum: Float in [0.99, 0.9] {
            let configuration = ModelConfiguration(side: 16, baseWidth: 2, classes: 2, hidden: 4, bnMomentum: momentum)
            let model = try JointModel(configuration: configuration, batchCapacity: 2)
            model.initialize(seed: 5)
            _ = model.trainingStep(
                input: Self.batch(side: 16, n: 2), labels: [0, 1], boxMask: nil, phase: .joint,
                loss: LossWeights(), dropoutSeed: 1)
            let mean = Double(model.activation("explainer.head.bn.batch_mean")!.storage[0])
            let variance = Double(model.activation("explainer.head.bn.batch_var")!.storage[0])
            let count = 2.0 * 16 * 16
            let w = 1 - Double(momentum)
            // Float32 state; the update is computed in Double, so 1e-6 relative is ample.
            #expect(abs(Double(model.buffers[0]) - w * mean) <= 1e-6 * max(abs(w * mean), 1e-6))
            let expected = (1 - w) + w * variance * count / (count - 1)
            #expect(abs(Double(model.buffers[1]) - expected) <= 1e-6 * expected)
        }
    }
}
