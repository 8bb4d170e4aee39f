// Compares the model tensor by tensor with the float64 PyTorch golden files: activations, loss parts,
// every gradient, d(loss)/d(x), d(loss)/d(E), d(loss)/d(logits), and two Adadelta steps, per phase.
import Foundation
import Kernels
import Network
import Testing
import Training

/// Collects per-tensor scaled errors against the manifest's suggested tolerances.
final class GoldenComparison {
    let golden: GoldenCase
    private(set) var checked = 0
    private(set) var worst = (error: 0.0, key: "none")
    private(set) var failures: [String] = []
    /// Worst scaled error per tolerance kind ("loss" for the scalar components), for the report.
    private(set) var worstByKind: [String: Double] = [:]

    init(_ golden: GoldenCase) { self.golden = golden }

    /// Rule from the README: max|a − golden| ≤ tol·max|golden| over the whole stored tensor. A sliced
    /// activation holds the first images only, so `actual` is compared on that prefix.
    func compare(_ key: String, _ actual: [Float], kind: String) throws {
        let expected = try golden.load(key)
        guard actual.count >= expected.count else {
            failures.append("\(key): have \(actual.count) values, golden \(expected.count)")
            return
        }
        var maxDiff = 0.0
        var maxRef = 0.0
        for i in expected.indices {
            maxDiff = max(maxDiff, abs(Double(actual[i]) - Double(expected[i])))
            maxRef = max(maxRef, abs(Double(expected[i])))
        }
        let scaled = maxRef > 0 ? maxDiff / maxRef : maxDiff
        let tol = try golden.tolerance(kind)
        worstByKind[kind] = max(worstByKind[kind] ?? 0, scaled)
        record(key, scaled, passed: scaled <= tol, detail: "scaled error \(scaled) > \(kind) tol \(tol)")
    }

    /// Noise tensors (README "Tolerances"): absolute bound, not counted as a scaled error.
    func compareAbsolute(_ key: String, _ actual: [Float], reference: [Float], bound: Double) {
        var maxDiff = 0.0
        var ulp = 0.0
        for i in actual.indices {
            maxDiff = max(maxDiff, abs(Double(actual[i]) - Double(reference[i])))
            ulp = max(ulp, Double(reference[i].ulp))
        }
        checked += 1
        // Plus one float32 ulp of the reference: a stored value cannot be closer than that.
        if maxDiff > bound + ulp { failures.append("\(key): noise tensor off by \(maxDiff) > absolute bound \(bound)") }
    }

    /// Loss components to 1e-5 relative (README).
    func compareScalar(_ key: String, _ actual: Double, _ expected: Double) {
        let relative = abs(actual - expected) / max(abs(expected), 1e-30)
        worstByKind["loss"] = max(worstByKind["loss"] ?? 0, relative)
        record(
            key, relative, passed: relative <= 1e-5,
            detail: "relative error \(relative) > 1e-5 (\(actual) vs \(expected))")
    }

    private func record(_ key: String, _ error: Double, passed: Bool, detail: String) {
        checked += 1
        if error > worst.error { worst = (error, key) }
        if !passed { failures.append("\(key): \(detail)") }
    }
}

@Suite struct GoldenTests {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// nil: the per-layer rule, which leaves the narrow golden model (w = 3) on im2col; then every 3×3
    /// layer forced onto each Winograd variant (forward, dX, dW, kept input transforms).
    static let algorithms: [Algorithm3x3?] = [nil, .winograd, .winograd4]

    @Test(arguments: algorithms)
    func everyGoldenCaseMatchesWithinTheManifestTolerances(convolution3x3: Algorithm3x3?) throws {
        let cases = GoldenCase.discover(packageRoot: Self.packageRoot)
        if cases.isEmpty {
            let allowed = ProcessInfo.processInfo.environment["XCNN_ALLOW_NO_GOLDEN"] == "1"
            #expect(allowed, "no golden case folder found in ../shared/golden or XCNN_GOLDEN_DIR")
            return
        }
        for folder in cases {
            let golden = try GoldenCase(folder: folder)
            let comparison = GoldenComparison(golden)
            for phase in Phase.allCases {
                try check(golden, phase: phase, convolution3x3: convolution3x3, into: comparison)
            }
            let algorithm = convolution3x3.map { "every 3×3 layer on \($0.rawValue)" } ?? "per-layer rule"
            print(
                "golden case \(golden.name) (\(algorithm)): \(comparison.checked) tensors checked, worst scaled error "
                    + "\(comparison.worst.error) (\(comparison.worst.key))")
            print(
                "  worst by kind: "
                    + comparison.worstByKind.sorted { $0.key < $1.key }
                    .map { "\($0.key) \(String(format: "%.2e", $0.value))" }.joined(separator: ", "))
            #expect(
                comparison.failures.isEmpty,
                "golden case \(golden.name) (\(algorithm)): \(comparison.failures.joined(separator: "; "))")
        }
    }

    private func check(_ golden: GoldenCase, phase: Phase, convolution3x3: Algorithm3x3?, into c: GoldenComparison)
        throws
    {
        let n = golden.int("batch")
        let p = "phase\(phase.rawValue)/"
        let configuration = ModelConfiguration(
            side: golden.int("side"), baseWidth: golden.int("base_width"),
            classes: golden.int("classes"), hidden: golden.int("hidden"), dropout: 0,
            ePooling: EPooling(rawValue: golden.string("e_pool")) ?? .average,
            convolution3x3: convolution3x3)
        let model = try JointModel(configuration: configuration, batchCapacity: n)
        model.computesInputGradient = true
        for entry in model.layout.entries {
            model.parameters.replaceSubrange(entry.range, with: try golden.load("params0/" + entry.name))
        }
        model.buffers = try model.bufferLayout.flatMap { try golden.load("params0/" + $0.name) }
        let params0 = model.parameters
        let x = Tensor(shape: try golden.shape("input/x"), storage: try golden.load("input/x"))
        let z = Tensor(shape: try golden.shape("input/z"), storage: try golden.load("input/z"))
        let labels = try golden.load("input/labels").map { Int($0) }
        let weights = LossWeights(
            l1: Float(golden.double("lam_l1")), tv: Float(golden.double("lam_tv")),
            box: Float(golden.double("lam_box")))
        let trainable = model.trainableRange(phase)
        let noise = golden.noiseKeys
        // README: noise tensors get |·| ≤ 1e-4·max|d loss/d head.conv.weight| (+1 ulp, in compareAbsolute).
        var noiseBound = 0.0
        if phase.rawValue > 1 {
            let headGrad = try golden.load(p + "grad/explainer.head.conv.weight")
            noiseBound = 1e-4 * Double(headGrad.map { abs($0) }.max() ?? 0)
        }

        let result = model.trainingStep(
            input: x, labels: labels, boxMask: z, phase: phase, loss: weights, dropoutSeed: 0)
        let parts: [(String, Double)] = [
            ("ce", result.crossEntropy), ("l1", result.l1), ("tv", result.tv),
            ("box", result.box), ("total", result.total),
        ]
        for (name, value) in parts {
            if let expected = golden.phaseNumber(phase.rawValue, "loss", name) {
                c.compareScalar(p + "loss." + name, value, expected)
            }
        }
        for key in golden.tensors.keys.sorted() where key.hasPrefix(p + "acts/") {
            let name = String(key.dropFirst((p + "acts/").count))
            guard let actual = model.activation(name) else {
                throw GoldenError(key, "the model has no activation \(name)")
            }
            try c.compare(key, actual.storage, kind: "activations")
        }
        try compareParameters(
            golden, model, prefix: p + "grad/", values: model.gradients, reference: nil,
            kind: "param_grads", noise: noise, bound: noiseBound, into: c)
        // Frozen parameters get no gradient: the fresh model's zeros stay untouched.
        #expect(
            model.gradients.indices.filter { !trainable.contains($0) }.allSatisfy { model.gradients[$0] == 0 },
            "phase \(phase.rawValue) wrote gradients outside its trainable range")
        try c.compare(
            p + "grad_act/classifier.logits", model.activationGradient("classifier.logits")!.storage,
            kind: "activation_grads")
        if phase.rawValue > 1 {
            try c.compare(
                p + "grad_act/explainer.E", model.activationGradient("explainer.E")!.storage, kind: "activation_grads")
        }
        try c.compare(p + "dx", model.activationGradient("input")!.storage, kind: "input_grad")

        var optimizer = Adadelta(parameterCount: model.parameters.count)
        for step in 1...2 {
            if step == 2 {
                let again = model.trainingStep(
                    input: x, labels: labels, boxMask: z, phase: phase, loss: weights, dropoutSeed: 0)
                if let expected = golden.phaseNumber(phase.rawValue, "loss_step2", "total") {
                    c.compareScalar(p + "loss_step2.total", again.total, expected)
                }
            }
            optimizer.update(parameters: &model.parameters, gradients: model.gradients, range: trainable)
            let kind = step == 1 ? "params_step1" : "params_step2"
            try compareParameters(
                golden, model, prefix: p + "step\(step)/", values: model.parameters, reference: params0,
                kind: kind, noise: noise, bound: noiseBound * Double(step), into: c)
            for entry in model.bufferLayout {
                let key = p + "step\(step)/" + entry.name
                if noise.contains(key) {
                    // README "Tolerances": the running mean after step 2 passes within the larger of
                    // 0.01 × the noise bound (the moved bias times the momentum's 0.01) and the
                    // parameters' scaled tolerance × max|golden| (its forward sums the head
                    // convolution's output in float32).
                    let reference = try golden.load(key)
                    let scaledBound = try golden.tolerance(kind) * Double(reference.map { abs($0) }.max() ?? 0)
                    c.compareAbsolute(
                        key, Array(model.buffers[entry.range]), reference: reference,
                        bound: max(0.01 * noiseBound, scaledBound))
                } else {
                    try c.compare(key, Array(model.buffers[entry.range]), kind: kind)
                }
            }
        }
        let state = optimizer.exportState()
        for entry in model.layout.entries where trainable.contains(entry.offset) {
            for (index, suffix) in [".square_avg", ".acc_delta"].enumerated() {
                let key = p + "adadelta2/" + entry.name + suffix
                let values = Array(state[index][entry.range])
                if noise.contains(key) {
                    // Accumulators of a noise gradient only need to be that small: (1−ρ)·g² ≤ bound².
                    c.compareAbsolute(
                        key, values, reference: [Float](repeating: 0, count: values.count),
                        bound: noiseBound * noiseBound)
                } else {
                    try c.compare(key, values, kind: "adadelta_state_step2")
                }
            }
        }
    }

    /// Compares each trainable parameter tensor (or its gradient) under `prefix`; noise tensors get the
    /// absolute bound on |value − reference| (reference nil: on |value|).
    private func compareParameters(
        _ golden: GoldenCase, _ model: JointModel, prefix: String, values: [Float],
        reference: [Float]?, kind: String, noise: Set<String>, bound: Double,
        into c: GoldenComparison
    ) throws {
        for entry in model.layout.entries where golden.has(prefix + entry.name) {
            let key = prefix + entry.name
            let actual = Array(values[entry.range])
            if noise.contains(key) {
                let base = reference.map { Array($0[entry.range]) } ?? [Float](repeating: 0, count: entry.count)
                c.compareAbsolute(key, actual, reference: base, bound: bound)
            } else {
                try c.compare(key, actual, kind: kind)
            }
        }
    }
}
