// ReLU, tanh and sigmoid against Double references and finite differences.
import Foundation
import Kernels
import Testing

@Suite struct ActivationTests {
    @Test func activationsMatchReferencesAndFiniteDifferences() {
        let count = 37
        // Inputs kept away from 0 so ReLU's kink is never within the finite-difference step.
        let x = randomValues(count, seed: 41, in: -3...3).map { abs($0) < 1e-3 ? 0.5 : $0 }
        let r = randomValues(count, seed: 42)
        let cases: [(String, (Double) -> Double)] = [
            ("relu", { max($0, 0) }), ("tanh", { Foundation.tanh($0) }),
            ("sigmoid", { 1 / (1 + Foundation.exp(-$0)) }),
        ]
        for (name, f) in cases {
            let s = Scratch()
            let y = s.make(x)
            let d = s.make(r)
            switch name {
            case "relu":
                Activation.reluForward(y, count: count)
                Activation.reluBackward(output: y, gradient: d, count: count)
            case "tanh":
                Activation.tanhForward(input: y, output: y, count: count)
                Activation.tanhBackward(output: y, gradient: d, count: count)
            default:
                Activation.sigmoidForward(input: y, output: y, count: count)
                Activation.sigmoidBackward(output: y, gradient: d, count: count)
            }
            // One float32 rounding of a Double-evaluated function: 1e-7 relative.
            #expect(scaledError(read(y, count), x.map { f(Double($0)) }) < 1e-6, "\(name) forward")
            // f' from the rounded output: a few float32 ulps.
            expectGradients(
                name, inputs: [x], r: r, reference: { $0[0].map(f) }, analytic: [read(d, count)], tolerance: 1e-5)
        }
    }
}
