// The classifier's forward and backward over its records (ClassifierPlan.swift): four stages scaled by
// E, global max, two hidden layers, the logits; the backward is the forward read in reverse, except
// that E's pooling between stages is undone after every stage (see `classifierBackward`).
import Kernels

extension JointModel {
    func classifierForward(_ x: Pass, dropoutSeed: UInt64) {
        // Phase 1 multiplies by E = ones, an identity, so the product (and E's pooling) is skipped.
        let scaledByE = x.phase.runsExplainer
        for stage in plan.stages { stageForward(x, stage, scaledByE: scaledByE) }
        let last = plan.stages[plan.stages.count - 1].pooled
        timed(.pooling) {
            Pooling.globalMaxForward(
                input: x.value(last), planes: x.n * last.channels, size: last.planeSize,
                output: x.value(plan.globalMax))
        }
        var seeds = SplitMix64(seed: dropoutSeed)
        for layer in plan.hidden { hiddenForward(x, layer, seed: seeds.next()) }
        timed(.dense) { denseForward(x, plan.output) }
    }

    func classifierBackward(_ x: Pass) {
        let trains = x.phase.trainsClassifier
        let scaledByE = x.phase.runsExplainer
        timed(.dense) { denseBackward(x, plan.output, weights: trains) }
        for layer in plan.hidden.reversed() { hiddenBackward(x, layer, weights: trains) }
        let last = plan.stages[plan.stages.count - 1].pooled
        timed(.pooling) {
            Pooling.globalMaxBackward(
                input: x.value(last), dOutput: x.grad(plan.globalMax), planes: x.n * last.channels,
                size: last.planeSize, dInput: x.grad(last))
        }
        for stage in plan.stages.reversed() { stageBackward(x, stage, scaledByE: scaledByE, weights: trains) }
        // E's pooling is undone after every stage's product has added its part to each E_K's gradient:
        // the order of these sums is the one the goldens and checkpoints were made with.
        guard scaledByE else { return }
        for stage in plan.stages.reversed() { ePoolingBackward(x, stage) }
    }

    private func stageForward(_ x: Pass, _ stage: ClassifierStage, scaledByE: Bool) {
        convPairForward(x, stage.convs)
        if scaledByE {
            ePoolingForward(x, stage)
            let h = stage.convs.output
            let e = stage.explanation
            timed(.elementwise) {
                Elementwise.channelMultiplyForward(
                    features: x.value(h), scale: x.value(e), batch: x.n, channels: h.channels,
                    size: h.planeSize, output: x.value(stage.scaled))
            }
        }
        maxPoolForward(x, stage.features(scaledByE: scaledByE), stage.pooled)
    }

    private func stageBackward(_ x: Pass, _ stage: ClassifierStage, scaledByE: Bool, weights: Bool) {
        maxPoolBackward(x, stage.features(scaledByE: scaledByE), stage.pooled)
        if scaledByE {
            let h = stage.convs.output
            let e = stage.explanation
            timed(.elementwise) {
                Elementwise.channelMultiplyBackward(
                    features: x.value(h), scale: x.value(e), dOutput: x.grad(stage.scaled),
                    batch: x.n, channels: h.channels, size: h.planeSize,
                    dFeatures: x.grad(h), dScale: x.grad(e))
            }
        }
        convPairBackward(x, stage.convs, weights: weights)
    }

    /// E_K = 2×2 pooling of E_{K−1} (average or max, `ePooling`); nothing at stage 1.
    private func ePoolingForward(_ x: Pass, _ stage: ClassifierStage) {
        guard let finer = stage.finerExplanation else { return }
        timed(.pooling) {
            configuration.ePooling.forward(
                input: x.value(finer), planes: x.n, side: finer.shape[1], output: x.value(stage.explanation))
        }
    }

    private func ePoolingBackward(_ x: Pass, _ stage: ClassifierStage) {
        guard let finer = stage.finerExplanation else { return }
        timed(.pooling) {
            configuration.ePooling.backward(
                input: x.value(finer), dOutput: x.grad(stage.explanation), planes: x.n, side: finer.shape[1],
                dInput: x.grad(finer))
        }
    }

    /// Dense → sigmoid (in place) → dropout. Rate 0 (or inference) draws a mask of ones, so the backward
    /// needs no second path.
    private func hiddenForward(_ x: Pass, _ layer: HiddenLayer, seed: UInt64) {
        let y = layer.dense.output
        let count = y.count(x.n)
        timed(.dense) {
            denseForward(x, layer.dense)
            Activation.sigmoidForward(input: x.value(y), output: x.value(y), count: count)
            Dropout.forward(
                input: x.value(y), count: count, rate: x.training ? configuration.dropout : 0, seed: seed,
                mask: x.value(layer.mask), output: x.value(layer.dropped))
        }
    }

    private func hiddenBackward(_ x: Pass, _ layer: HiddenLayer, weights: Bool) {
        let y = layer.dense.output
        let count = y.count(x.n)
        timed(.dense) {
            Dropout.backward(dOutput: x.grad(layer.dropped), mask: x.value(layer.mask), count: count, dInput: x.grad(y))
            Activation.sigmoidBackward(output: x.value(y), gradient: x.grad(y), count: count)
            denseBackward(x, layer.dense, weights: weights)
        }
    }
}
