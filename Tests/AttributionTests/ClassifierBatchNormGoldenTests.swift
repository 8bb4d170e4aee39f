// The classifier with batch norm (ModelConfiguration.classifierBatchNorm) against PyTorch's F.batch_norm
// (Golden/classifier-bn.safetensors, scripts/golden-classifier-bn.py): phase 1's training step with batch
// statistics (logits, loss, every classifier gradient, the batch statistics and the running update) and the
// frozen form of phases 2 and 3 (inference statistics, gradients through them).
import Foundation
import Kernels
import Network
import XCTest

final class ClassifierBatchNormGoldenTests: XCTestCase {
    func model(_ golden: AttributionGolden) throws -> JointModel {
        let configuration = ModelConfiguration(
            side: golden.int("side"), baseWidth: golden.int("width"), classes: golden.int("classes"),
            hidden: golden.int("hidden"), dropout: 0, bnMomentum: 1 - golden.float("momentum"),
            classifierBatchNorm: true)
        let model = try JointModel(configuration: configuration, batchCapacity: golden.int("images"))
        model.initialize(seed: 1)
        for entry in model.layout.entries where entry.name.hasPrefix("classifier.") {
            let t = try golden.tensor(entry.name)
            XCTAssertEqual(t.shape, entry.shape, entry.name)
            model.parameters.replaceSubrange(entry.range, with: t.storage)
        }
        for entry in model.bufferLayout where entry.name.hasPrefix("classifier.") {
            model.buffers.replaceSubrange(entry.range, with: try golden.tensor(entry.name).storage)
        }
        return model
    }

    /// Largest |a − b| over max |b|: the scaled error the other golden tests report.
    func expectClose(_ what: String, _ a: [Float], _ b: Tensor, _ bound: Double, file: StaticString = #filePath) {
        XCTAssertEqual(a.count, b.count, what)
        let (worst, scale) = worstError(a, b.storage)
        XCTAssertLessThanOrEqual(worst, bound * max(scale, 1e-30), "\(what): \(worst) of \(scale)", file: file)
    }

    func testPhaseOneAndFrozenStepsMatchPyTorch() throws {
        let golden = try AttributionGolden(name: "classifier-bn")
        let x = try golden.tensor("input")
        let labels = try golden.tensor("labels").storage.map { Int($0) }
        for mode in ["train", "eval"] {
            let model = try model(golden)
            let phase: Phase = mode == "train" ? .classifierOnly : .joint
            let initial = model.buffers
            let result: StepResult
            if mode == "train" {
                result = model.trainingStep(
                    input: x, labels: labels, boxMask: nil, phase: phase, loss: LossWeights(), dropoutSeed: 0)
            } else {
                // Phase 3's classifier with E = 1: the explainer's head is pinned to E ≈ 1 (β = 20, γ = 0 so
                // tanh(BN) = tanh(20) = 1 in float32), so the classifier's part of a joint step is the frozen one.
                let gamma = model.layout.entry(named: "explainer.head.bn.weight")!.offset
                let beta = model.layout.entry(named: "explainer.head.bn.bias")!.offset
                (model.parameters[gamma], model.parameters[beta]) = (0, 20)
                result = model.trainingStep(
                    input: x, labels: labels, boxMask: nil, phase: phase, loss: LossWeights(), dropoutSeed: 0)
                XCTAssertEqual(model.activation("explainer.E")!.storage.min(), 1, "E is exactly 1")
            }
            // float32 against float64 through 11 layers: a few 1e-6 of the scale (the other goldens: ≤ 5e-5).
            expectClose(
                "\(mode)/logits", model.activation("classifier.logits")!.storage, try golden.tensor("\(mode)/logits"),
                1e-5)
            XCTAssertEqual(result.crossEntropy, Double(try golden.tensor("\(mode)/loss").storage[0]), accuracy: 1e-5)
            for entry in model.layout.entries where entry.name.hasPrefix("classifier.") {
                let reference = try golden.tensor("\(mode)/grad/" + entry.name)
                // Conv biases before a batch-statistics BN get exactly 0 in exact arithmetic; both sides
                // carry rounding only, so compare those absolutely.
                if mode == "train" && entry.name.hasSuffix("conv1.bias")
                    || mode == "train" && entry.name.hasSuffix("conv2.bias")
                {
                    XCTAssertLessThan(Array(model.gradients[entry.range]).map { abs($0) }.max()!, 1e-5, entry.name)
                    continue
                }
                expectClose("\(mode)/grad/" + entry.name, Array(model.gradients[entry.range]), reference, 1e-4)
            }
            for entry in model.bufferLayout where entry.name.hasPrefix("classifier.") {
                let after = Array(model.buffers[entry.range])
                if mode == "train" {
                    expectClose("train/" + entry.name, after, try golden.tensor("train/" + entry.name), 1e-5)
                    let layer = String(entry.name.dropLast(".bn.running_mean".count))
                    if entry.name.hasSuffix("running_mean") {
                        expectClose(
                            "batch mean " + layer, model.activation(layer + ".bn.batch_mean")!.storage,
                            try golden.tensor("train/batch_mean/" + layer), 1e-5)
                        expectClose(
                            "batch var " + layer, model.activation(layer + ".bn.batch_var")!.storage,
                            try golden.tensor("train/batch_var/" + layer), 1e-5)
                    }
                } else {
                    XCTAssertEqual(after, Array(initial[entry.range]), "frozen: \(entry.name) does not move")
                }
            }
        }
    }
}
