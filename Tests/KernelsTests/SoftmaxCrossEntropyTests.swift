// Softmax cross-entropy against a Double reference and finite differences.
import Foundation
import Kernels
import Testing

@Suite struct SoftmaxCrossEntropyTests {
    @Test func softmaxCrossEntropyMatchesReferenceAndFiniteDifferences() {
        for (n, k) in [(1, 2), (3, 5), (4, 16)] {
            let s = Scratch()
            let logits = randomValues(n * k, seed: 81, in: -4...4)
            let labels = (0..<n).map { ($0 * 7 + 1) % k }
            let reference = { (v: [[Double]]) -> [Double] in
                [
                    (0..<n).reduce(0.0) { total, row in
                        let z = Array(v[0][(row * k)..<((row + 1) * k)])
                        let top = z.max()!
                        return total + top + Foundation.log(z.map { Foundation.exp($0 - top) }.reduce(0, +))
                            - z[labels[row]]
                    } / Double(n)
                ]
            }
            let p = s.zeros(n * k)
            let d = s.zeros(n * k)
            let loss = labels.withUnsafeBufferPointer { l in
                SoftmaxCrossEntropy.forward(
                    logits: s.make(logits), labels: l.baseAddress!, batch: n, classes: k, probabilities: p)
            }
            #expect(abs(loss - reference([logits.map(Double.init)])[0]) < 1e-6 * max(1, abs(loss)))
            labels.withUnsafeBufferPointer { l in
                SoftmaxCrossEntropy.backward(
                    probabilities: p, labels: l.baseAddress!, batch: n, classes: k, scale: 1, dLogits: d)
            }
            // p − onehot from float32 probabilities: 1e-7 absolute on entries of size up to 1/N.
            expectGradients(
                "softmax CE \((n, k))", inputs: [logits], r: [1], reference: reference,
                analytic: [read(d, n * k)], tolerance: 1e-5)
        }
    }
}
