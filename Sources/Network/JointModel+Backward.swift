// The backward pass: the forward read in reverse, one call per op. Activation gradients accumulate
// into an arena block zeroed once per step; frozen layers pass dInput on but compute no weight gradient.
import Kernels

extension JointModel {
    func convBackward(_ x: Pass, _ l: ConvLayer, _ input: ActivationBuffer, _ output: ActivationBuffer,
                      relu: Bool, weights: Bool) {
        timed(l.kernel == 3 ? .conv3x3 : .conv1x1, layer: profileName(l, output, "backward")) {
            Convolution.backward(input: x.value(input), dOutput: x.grad(output), reluOutput: relu ? x.value(output) : nil,
                                 batch: x.n, channels: l.cin,
                                 height: l.side, width: l.side, weight: x.p + l.weight, filters: l.cout, kernel: l.kernel,
                                 dInput: input.name == "input" && !computesInputGradient ? nil : x.grad(input), dWeight: weights ? x.g + l.weight : nil,
                                 dBias: weights ? x.g + l.bias : nil, col: x.a + plan.col, dcol: x.a + plan.dcol,
                                 keptInputTransforms: l.transforms.map { UnsafePointer(x.a + $0) })
        }
    }

    func maxPoolBackward(_ x: Pass, _ input: ActivationBuffer, _ output: ActivationBuffer) {
        timed(.pooling) {
            Pooling.maxBackward(input: x.value(input), dOutput: x.grad(output), planes: x.n * input.shape[0],
                                height: input.shape[1], width: input.shape[2], dInput: x.grad(input))
        }
    }

    func backward(_ x: Pass, weights: LossWeights) {
        let range = plan.gradientRange
        (x.a + range.lowerBound).update(repeating: 0, count: range.count)
        classifierBackward(x, weights: weights)
        if x.phase.runsExplainer { explainerBackward(x) }
    }

    private func classifierBackward(_ x: Pass, weights: LossWeights) {
        let trains = x.phase.trainsClassifier
        let logits = plan.buffer("classifier.logits")
        timed(.loss) {
            SoftmaxCrossEntropy.backward(probabilities: x.value(plan.buffer("classifier.probabilities")), labels: x.labels,
                                         batch: x.n, classes: configuration.classes, scale: 1, dLogits: x.grad(logits))
        }
        var dy = logits
        for (layer, name) in [(plan.out, "classifier.fc2.drop"), (plan.fc2, "classifier.fc1.drop"), (plan.fc1, "classifier.gmp")] {
            let input = plan.buffer(name)
            timed(.dense) {
                Dense.backward(input: x.value(input), dOutput: x.grad(dy), batch: x.n, inputs: layer.inputs,
                               weight: x.p + layer.weight, outputs: layer.outputs, dInput: x.grad(input),
                               dWeight: trains ? x.g + layer.weight : nil, dBias: trains ? x.g + layer.bias : nil)
                if name.hasSuffix(".drop") {
                    let base = String(name.dropLast(5)), y = plan.buffer(base), count = y.count(x.n)
                    Dropout.backward(dOutput: x.grad(input), mask: x.value(plan.buffer(base + ".mask")), count: count,
                                     dInput: x.grad(y))
                    Activation.sigmoidBackward(output: x.value(y), gradient: x.grad(y), count: count)
                    dy = y
                }
            }
        }
        let last = plan.stages[3].1
        timed(.pooling) {
            let side = last.side / 2
            Pooling.globalMaxBackward(input: x.value(plan.buffer("classifier.stage4.pool")), dOutput: x.grad(plan.buffer("classifier.gmp")),
                                      planes: x.n * last.cout, size: side * side, dInput: x.grad(plan.buffer("classifier.stage4.pool")))
        }
        let useE = x.phase.runsExplainer
        for k in stride(from: 3, through: 0, by: -1) {
            let (conv1, conv2) = plan.stages[k], name = "classifier.stage\(k + 1)"
            let c1 = plan.buffer(name + ".conv1"), c2 = plan.buffer(name + ".conv2")
            let features = useE ? plan.buffer(name + ".mul") : c2
            maxPoolBackward(x, features, plan.buffer(name + ".pool"))
            if useE {
                let e = stageE(k)
                timed(.elementwise) {
                    Elementwise.channelMultiplyBackward(features: x.value(c2), scale: x.value(e), dOutput: x.grad(features),
                                                        batch: x.n, channels: conv2.cout, size: conv2.side * conv2.side,
                                                        dFeatures: x.grad(c2), dScale: x.grad(e))
                }
            }
            convBackward(x, conv2, c1, c2, relu: true, weights: trains)
            let input = k == 0 ? plan.buffer("input") : plan.buffer("classifier.stage\(k).pool")
            convBackward(x, conv1, input, c1, relu: true, weights: trains)
        }
        guard useE else { return }
        for k in stride(from: 3, through: 1, by: -1) {
            let e = stageE(k), previous = stageE(k - 1), side = 2 * plan.stages[k].0.side
            timed(.pooling) {
                if configuration.ePooling == .average {
                    Pooling.averageBackward(dOutput: x.grad(e), planes: x.n, height: side, width: side, dInput: x.grad(previous))
                } else {
                    Pooling.maxBackward(input: x.value(previous), dOutput: x.grad(e), planes: x.n, height: side, width: side,
                                        dInput: x.grad(previous))
                }
            }
        }
        let e = plan.buffer("explainer.E"), s = configuration.side
        timed(.loss) {
            ExplanationPenalty.l1Backward(x.value(e), count: x.n * s * s, weight: weights.l1, dE: x.grad(e))
            if weights.tv != 0 {
                ExplanationPenalty.totalVariationBackward(x.value(e), batch: x.n, height: s, width: s, weight: weights.tv, dE: x.grad(e))
            }
            if weights.box != 0 && x.hasMask {
                ExplanationPenalty.boxBackward(x.value(e), mask: x.value(plan.buffer("input.box_mask")), batch: x.n,
                                               size: s * s, weight: weights.box, dE: x.grad(e))
            }
        }
    }

    private func explainerBackward(_ x: Pass) {
        let s = configuration.side, count = x.n * s * s
        let e = plan.buffer("explainer.E"), bn = plan.buffer("explainer.head.bn"), head = plan.buffer("explainer.head.conv")
        timed(.elementwise) {
            // E = ReLU(tanh(bn)): d(bn) = dE · [E > 0] · (1 − tanh²).
            Elementwise.accumulate(x.grad(e), count: count, into: x.grad(bn))
            Activation.reluBackward(output: x.value(e), gradient: x.grad(bn), count: count)
            Activation.tanhBackward(output: x.value(plan.buffer("explainer.head.tanh")), gradient: x.grad(bn), count: count)
        }
        timed(.batchNorm) {
            BatchNorm.backward(input: x.value(head), dOutput: x.grad(bn), batch: x.n, channels: 1, size: s * s,
                               gamma: x.p + plan.bnGamma, mean: x.value(plan.buffer("explainer.head.bn.batch_mean")),
                               variance: x.value(plan.buffer("explainer.head.bn.batch_var")), dInput: x.grad(head),
                               dGamma: x.g + plan.bnGamma, dBeta: x.g + plan.bnBeta)
        }
        convBackward(x, plan.headConv, plan.buffer("explainer.dec1.conv2"), head, relu: false, weights: true)
        for index in stride(from: 2, through: 0, by: -1) {
            let (up, conv1, conv2) = plan.decoders[index], level = 3 - index, name = "explainer.dec\(level)"
            let sum = plan.buffer(name + ".sum"), c1 = plan.buffer(name + ".conv1"), c2 = plan.buffer(name + ".conv2")
            convBackward(x, conv2, c1, c2, relu: true, weights: true)
            convBackward(x, conv1, sum, c1, relu: true, weights: true)
            let skip = plan.buffer("explainer.enc\(level).conv2")
            let input = index == 0 ? plan.buffer("explainer.enc3.pool") : plan.buffer("explainer.dec\(level + 1).conv2")
            timed(.elementwise) { Elementwise.accumulate(x.grad(sum), count: sum.count(x.n), into: x.grad(skip)) }
            timed(.transposedConv) {
                TransposedConvolution.backward(input: x.value(input), dOutput: x.grad(sum), batch: x.n, channels: up.cin,
                                               height: up.inSide, width: up.inSide, weight: x.p + up.weight,
                                               outputChannels: up.cout, dInput: x.grad(input), dWeight: x.g + up.weight,
                                               dBias: x.g + up.bias, col: x.a + plan.col)
            }
        }
        for level in stride(from: 2, through: 0, by: -1) {
            let (conv1, conv2) = plan.encoders[level], name = "explainer.enc\(level + 1)"
            let c1 = plan.buffer(name + ".conv1"), c2 = plan.buffer(name + ".conv2")
            maxPoolBackward(x, c2, plan.buffer(name + ".pool"))
            convBackward(x, conv2, c1, c2, relu: true, weights: true)
            let input = level == 0 ? plan.buffer("input") : plan.buffer("explainer.enc\(level).pool")
            convBackward(x, conv1, input, c1, relu: true, weights: true)
        }
    }
}
