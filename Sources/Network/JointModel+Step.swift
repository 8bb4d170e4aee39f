// One pass through the model: the explainer then the classifier, the loss (README "Loss"), and the
// backward as the forward read in reverse, starting from the loss's gradients.
import Kernels

extension JointModel {
    func forward(_ x: Pass, dropoutSeed: UInt64) {
        if x.phase.runsExplainer { explainerForward(x) }
        classifierForward(x, dropoutSeed: dropoutSeed)
    }

    /// Zeroes the arena's gradient block, then accumulates every activation gradient and the phase's
    /// parameter gradients.
    func backward(_ x: Pass, weights: LossWeights) {
        let range = plan.gradientRange
        (x.a + range.lowerBound).update(repeating: 0, count: range.count)
        crossEntropyBackward(x, weight: weights.crossEntropy)
        classifierBackward(x)
        if x.phase.runsExplainer {
            penaltyBackward(x, weights: weights)
            explainerBackward(x)
        }
    }

    /// Loss components at the current forward, and the predictions.
    func lossForward(_ x: Pass, weights: LossWeights) -> StepResult {
        let k = configuration.classes
        return timed(.loss) {
            let ce = SoftmaxCrossEntropy.forward(
                logits: x.value(plan.output.output), labels: x.labels, batch: x.n,
                classes: k, probabilities: x.value(plan.probabilities))
            var l1 = 0.0
            var tv = 0.0
            var box = 0.0
            if x.phase.runsExplainer {
                let e = x.value(plan.head.explanation)
                let s = configuration.side
                l1 = ExplanationPenalty.l1(e, count: x.n * s * s)
                tv = ExplanationPenalty.totalVariation(e, batch: x.n, height: s, width: s)
                if x.hasMask {
                    box = ExplanationPenalty.box(e, mask: x.value(plan.boxMask), batch: x.n, size: s * s)
                }
            }
            let total =
                Double(weights.crossEntropy) * ce + Double(weights.l1) * l1 + Double(weights.tv) * tv + Double(
                    weights.box) * box
            let p = x.value(plan.probabilities)
            var correct = 0
            for row in 0..<x.n {
                var best = 0
                for j in 1..<k where p[row * k + j] > p[row * k + best] { best = j }
                if best == x.labels[row] { correct += 1 }
            }
            return StepResult(
                crossEntropy: ce, l1: l1, tv: tv, box: box, total: total, correct: correct,
                probabilities: Tensor(shape: [x.n, k], storage: Array(UnsafeBufferPointer(start: p, count: x.n * k))))
        }
    }

    private func crossEntropyBackward(_ x: Pass, weight: Float) {
        timed(.loss) {
            SoftmaxCrossEntropy.backward(
                probabilities: x.value(plan.probabilities), labels: x.labels, batch: x.n,
                classes: configuration.classes, scale: weight, dLogits: x.grad(plan.output.output))
        }
    }

    /// Adds the explanation penalties' gradients to dE, after the classifier has added its own.
    private func penaltyBackward(_ x: Pass, weights: LossWeights) {
        let e = plan.head.explanation
        let s = configuration.side
        timed(.loss) {
            ExplanationPenalty.l1Backward(x.value(e), count: x.n * s * s, weight: weights.l1, dE: x.grad(e))
            if weights.tv != 0 {
                ExplanationPenalty.totalVariationBackward(
                    x.value(e), batch: x.n, height: s, width: s, weight: weights.tv,
                    dE: x.grad(e))
            }
            if weights.box != 0 && x.hasMask {
                ExplanationPenalty.boxBackward(
                    x.value(e), mask: x.value(plan.boxMask), batch: x.n, size: s * s,
                    weight: weights.box, dE: x.grad(e))
            }
        }
    }
}
