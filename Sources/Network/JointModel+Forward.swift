// The forward pass and the loss: explainer (U-Net with additive skips, head conv → BN → tanh → ReLU)
// then the classifier (four conv stages scaled by E, global max, three dense layers).
import Kernels

extension JointModel {
    @inline(__always)
    func timed<T>(_ kind: LayerKind, layer: @autoclosure () -> String? = nil, _ body: () -> T) -> T {
        guard let profile else { return body() }
        return profile.measure(kind, layer: layer(), body)
    }

    /// The profile's name for one direction of a convolution: "explainer.enc1.conv2 32→32 64² forward".
    func profileName(_ l: ConvLayer, _ output: ActivationBuffer, _ direction: String) -> String {
        "\(output.name) \(l.cin)→\(l.cout) \(l.side)² \(direction)"
    }

    func conv(_ x: Pass, _ l: ConvLayer, _ input: ActivationBuffer, _ output: ActivationBuffer, relu: Bool) {
        timed(l.kernel == 3 ? .conv3x3 : .conv1x1, layer: profileName(l, output, "forward")) {
            Convolution.forward(input: x.value(input), batch: x.n, channels: l.cin, height: l.side, width: l.side,
                                weight: x.p + l.weight, bias: x.p + l.bias, filters: l.cout, kernel: l.kernel, relu: relu,
                                output: x.value(output), col: x.a + plan.col,
                                keepInputTransforms: l.transforms.map { x.a + $0 })
        }
    }

    func maxPool(_ x: Pass, _ input: ActivationBuffer, _ output: ActivationBuffer) {
        timed(.pooling) {
            Pooling.maxForward(input: x.value(input), planes: x.n * input.shape[0], height: input.shape[1],
                               width: input.shape[2], output: x.value(output))
        }
    }

    func forward(_ x: Pass, dropoutSeed: UInt64) {
        if x.phase.runsExplainer { explainerForward(x) }
        classifierForward(x, dropoutSeed: dropoutSeed)
    }

    func explainerForward(_ x: Pass) {
        var h = plan.buffer("input")
        for (level, (conv1, conv2)) in plan.encoders.enumerated() {
            let name = "explainer.enc\(level + 1)"
            conv(x, conv1, h, plan.buffer(name + ".conv1"), relu: true)
            conv(x, conv2, plan.buffer(name + ".conv1"), plan.buffer(name + ".conv2"), relu: true)
            h = plan.buffer(name + ".pool")
            maxPool(x, plan.buffer(name + ".conv2"), h)
        }
        for (index, (up, conv1, conv2)) in plan.decoders.enumerated() {
            let level = 3 - index
            let name = "explainer.dec\(level)", sum = plan.buffer(name + ".sum")
            let skip = plan.buffer("explainer.enc\(level).conv2")
            timed(.transposedConv) {
                TransposedConvolution.forward(input: x.value(h), batch: x.n, channels: up.cin, height: up.inSide,
                                              width: up.inSide, weight: x.p + up.weight, bias: x.p + up.bias,
                                              outputChannels: up.cout, output: x.value(sum), col: x.a + plan.col)
            }
            timed(.elementwise) { Elementwise.addForward(x.value(sum), x.value(skip), count: sum.count(x.n), output: x.value(sum)) }
            conv(x, conv1, sum, plan.buffer(name + ".conv1"), relu: true)
            conv(x, conv2, plan.buffer(name + ".conv1"), plan.buffer(name + ".conv2"), relu: true)
            h = plan.buffer(name + ".conv2")
        }
        let head = plan.buffer("explainer.head.conv"), bn = plan.buffer("explainer.head.bn")
        let tanh = plan.buffer("explainer.head.tanh"), e = plan.buffer("explainer.E")
        conv(x, plan.headConv, h, head, relu: false)
        let mean = x.value(plan.buffer("explainer.head.bn.batch_mean"))
        let variance = x.value(plan.buffer("explainer.head.bn.batch_var"))
        let s = configuration.side * configuration.side
        timed(.batchNorm) {
            if x.training {
                BatchNorm.forwardTraining(input: x.value(head), batch: x.n, channels: 1, size: s, gamma: x.p + plan.bnGamma,
                                          beta: x.p + plan.bnBeta, output: x.value(bn), mean: mean, variance: variance)
                // Running statistics follow every training forward, as PyTorch and Keras do.
                BatchNorm.updateRunning(runningMean: x.running, runningVariance: x.running + 1, mean: mean,
                                        variance: variance, channels: 1, count: x.n * s,
                                        momentum: 1 - Double(configuration.bnMomentum))
            } else {
                BatchNorm.forwardInference(input: x.value(head), batch: x.n, channels: 1, size: s, gamma: x.p + plan.bnGamma,
                                           beta: x.p + plan.bnBeta, runningMean: x.running, runningVariance: x.running + 1,
                                           output: x.value(bn))
            }
        }
        timed(.elementwise) {
            Activation.tanhForward(input: x.value(bn), output: x.value(tanh), count: x.n * s)
            x.value(e).update(from: x.value(tanh), count: x.n * s)
            Activation.reluForward(x.value(e), count: x.n * s)
        }
    }

    /// E at stage k (0-based): the explainer's E, then 2×2 pooled per stage.
    func stageE(_ k: Int) -> ActivationBuffer {
        plan.buffer(k == 0 ? "explainer.E" : "classifier.E\(k + 1)")
    }

    private func classifierForward(_ x: Pass, dropoutSeed: UInt64) {
        let useE = x.phase.runsExplainer
        var h = plan.buffer("input")
        for (k, (conv1, conv2)) in plan.stages.enumerated() {
            let name = "classifier.stage\(k + 1)"
            let c1 = plan.buffer(name + ".conv1"), c2 = plan.buffer(name + ".conv2")
            conv(x, conv1, h, c1, relu: true)
            conv(x, conv2, c1, c2, relu: true)
            var features = c2
            // Phase 1 multiplies by E = ones, an identity, so the product is skipped.
            if useE {
                let e = stageE(k), side = conv2.side
                if k > 0 {
                    let previous = stageE(k - 1)
                    timed(.pooling) {
                        if configuration.ePooling == .average {
                            Pooling.averageForward(input: x.value(previous), planes: x.n, height: 2 * side, width: 2 * side,
                                                   output: x.value(e))
                        } else {
                            Pooling.maxForward(input: x.value(previous), planes: x.n, height: 2 * side, width: 2 * side,
                                               output: x.value(e))
                        }
                    }
                }
                features = plan.buffer(name + ".mul")
                timed(.elementwise) {
                    Elementwise.channelMultiplyForward(features: x.value(c2), scale: x.value(e), batch: x.n,
                                                       channels: conv2.cout, size: side * side, output: x.value(features))
                }
            }
            h = plan.buffer(name + ".pool")
            maxPool(x, features, h)
        }
        let gmp = plan.buffer("classifier.gmp"), last = plan.stages[3].1
        timed(.pooling) {
            let side = last.side / 2
            Pooling.globalMaxForward(input: x.value(h), planes: x.n * last.cout, size: side * side, output: x.value(gmp))
        }
        var seeds = SplitMix64(seed: dropoutSeed)
        var input = gmp
        for (layer, name) in [(plan.fc1, "classifier.fc1"), (plan.fc2, "classifier.fc2")] {
            let y = plan.buffer(name), dropped = plan.buffer(name + ".drop"), mask = plan.buffer(name + ".mask")
            let count = y.count(x.n), seed = seeds.next()
            timed(.dense) {
                Dense.forward(input: x.value(input), batch: x.n, inputs: layer.inputs, weight: x.p + layer.weight,
                              bias: x.p + layer.bias, outputs: layer.outputs, output: x.value(y))
                Activation.sigmoidForward(input: x.value(y), output: x.value(y), count: count)
                // Rate 0 (or inference) draws a mask of ones, so the backward needs no second path.
                Dropout.forward(input: x.value(y), count: count, rate: x.training ? configuration.dropout : 0,
                                seed: seed, mask: x.value(mask), output: x.value(dropped))
            }
            input = dropped
        }
        timed(.dense) {
            Dense.forward(input: x.value(input), batch: x.n, inputs: plan.out.inputs, weight: x.p + plan.out.weight,
                          bias: x.p + plan.out.bias, outputs: plan.out.outputs, output: x.value(plan.buffer("classifier.logits")))
        }
    }

    /// Loss components at the current forward (README "Loss"), and the predictions.
    func lossForward(_ x: Pass, weights: LossWeights) -> StepResult {
        let k = configuration.classes, s = configuration.side
        let probabilities = plan.buffer("classifier.probabilities")
        return timed(.loss) {
            let ce = SoftmaxCrossEntropy.forward(logits: x.value(plan.buffer("classifier.logits")), labels: x.labels,
                                                 batch: x.n, classes: k, probabilities: x.value(probabilities))
            var l1 = 0.0, tv = 0.0, box = 0.0
            if x.phase.runsExplainer {
                let e = x.value(plan.buffer("explainer.E"))
                l1 = ExplanationPenalty.l1(e, count: x.n * s * s)
                tv = ExplanationPenalty.totalVariation(e, batch: x.n, height: s, width: s)
                if x.hasMask {
                    box = ExplanationPenalty.box(e, mask: x.value(plan.buffer("input.box_mask")), batch: x.n, size: s * s)
                }
            }
            let total = ce + Double(weights.l1) * l1 + Double(weights.tv) * tv + Double(weights.box) * box
            let p = x.value(probabilities)
            var correct = 0
            for row in 0..<x.n {
                var best = 0
                for j in 1..<k where p[row * k + j] > p[row * k + best] { best = j }
                if best == x.labels[row] { correct += 1 }
            }
            return StepResult(crossEntropy: ce, l1: l1, tv: tv, box: box, total: total, correct: correct,
                              probabilities: Tensor(shape: [x.n, k], storage: Array(UnsafeBufferPointer(start: p, count: x.n * k))))
        }
    }
}
