// Softmax followed by cross-entropy against integer labels, mean over the batch. Letters: N batch, K classes.
import Foundation

public enum SoftmaxCrossEntropy {
    /// probabilities[N, K] = softmax(logits) (overwrites); returns nothing else, for inference.
    public static func softmax(
        logits: UnsafePointer<Float>, batch n: Int, classes k: Int,
        probabilities p: UnsafeMutablePointer<Float>
    ) {
        for row in 0..<n { _ = softmaxRow(logits + row * k, classes: k, into: p + row * k) }
    }

    /// Writes probabilities[N, K] = softmax(logits) and returns mean_n −log p[n, label_n].
    public static func forward(
        logits: UnsafePointer<Float>, labels: UnsafePointer<Int>, batch n: Int, classes k: Int,
        probabilities p: UnsafeMutablePointer<Float>
    ) -> Double {
        var total = 0.0
        for row in 0..<n {
            // log-sum-exp form keeps −log p finite when p underflows.
            total += softmaxRow(logits + row * k, classes: k, into: p + row * k) - Double(logits[row * k + labels[row]])
        }
        return total / Double(n)
    }

    /// Softmax of one row; returns its log-sum-exp.
    private static func softmaxRow(_ z: UnsafePointer<Float>, classes k: Int, into p: UnsafeMutablePointer<Float>)
        -> Double
    {
        var top = Double(z[0])
        for j in 1..<k { top = max(top, Double(z[j])) }
        var sum = 0.0
        for j in 0..<k { sum += exp(Double(z[j]) - top) }
        for j in 0..<k { p[j] = Float(exp(Double(z[j]) - top) / sum) }
        return top + log(sum)
    }

    /// dlogits[N, K] += scale·(p − onehot(label))/N (accumulates).
    public static func backward(
        probabilities p: UnsafePointer<Float>, labels: UnsafePointer<Int>, batch n: Int,
        classes k: Int, scale: Float, dLogits d: UnsafeMutablePointer<Float>
    ) {
        let factor = scale / Float(n)
        for row in 0..<n {
            for j in 0..<k {
                let target: Float = j == labels[row] ? 1 : 0
                d[row * k + j] += (p[row * k + j] - target) * factor
            }
        }
    }
}
