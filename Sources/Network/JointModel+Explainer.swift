// The explainer's forward and backward over its records (ExplainerPlan.swift): encoder levels, decoder
// levels, then the head; the backward is the forward read in reverse. The explainer's weights always
// get gradients: its backward runs only in the phases that train it.
import Kernels

extension JointModel {
    func explainerForward(_ x: Pass) {
        for level in plan.encoders { encoderForward(x, level) }
        for level in plan.decoders { decoderForward(x, level) }
        headForward(x, plan.head)
    }

    func explainerBackward(_ x: Pass) {
        headBackward(x, plan.head)
        for level in plan.decoders.reversed() { decoderBackward(x, level) }
        for level in plan.encoders.reversed() { encoderBackward(x, level) }
    }

    private func encoderForward(_ x: Pass, _ level: EncoderLevel) {
        convPairForward(x, level.convs)
        maxPoolForward(x, level.convs.output, level.pooled)
    }

    private func encoderBackward(_ x: Pass, _ level: EncoderLevel) {
        maxPoolBackward(x, level.convs.output, level.pooled)
        convPairBackward(x, level.convs, weights: true)
    }

    private func decoderForward(_ x: Pass, _ level: DecoderLevel) {
        upForward(x, level.up)
        let sum = level.sum
        timed(.elementwise) {
            Elementwise.addForward(x.value(sum), x.value(level.skip), count: sum.count(x.n), output: x.value(sum))
        }
        convPairForward(x, level.convs)
    }

    private func decoderBackward(_ x: Pass, _ level: DecoderLevel) {
        convPairBackward(x, level.convs, weights: true)
        let sum = level.sum
        timed(.elementwise) { Elementwise.accumulate(x.grad(sum), count: sum.count(x.n), into: x.grad(level.skip)) }
        upBackward(x, level.up)
    }

    private func headForward(_ x: Pass, _ head: ExplainerHead) {
        convForward(x, head.conv)
        let input = x.value(head.conv.output)
        let mean = x.value(head.batchMean)
        let variance = x.value(head.batchVariance)
        let s = head.explanation.planeSize
        timed(.batchNorm) {
            if x.training {
                BatchNorm.forwardTraining(
                    input: input, batch: x.n, channels: 1, size: s, gamma: x.p + head.gamma,
                    beta: x.p + head.beta, output: x.value(head.normalised), mean: mean,
                    variance: variance, epsilon: configuration.bnEpsilon)
                // Running statistics follow every training forward, as PyTorch and Keras do.
                BatchNorm.updateRunning(
                    runningMean: x.running + head.running, runningVariance: x.running + head.running + 1, mean: mean,
                    variance: variance, channels: 1, count: x.n * s,
                    momentum: 1 - Double(configuration.bnMomentum))
            } else {
                BatchNorm.forwardInference(
                    input: input, batch: x.n, channels: 1, size: s, gamma: x.p + head.gamma,
                    beta: x.p + head.beta, runningMean: x.running + head.running,
                    runningVariance: x.running + head.running + 1,
                    output: x.value(head.normalised), epsilon: configuration.bnEpsilon)
            }
        }
        let e = x.value(head.explanation)
        let tanh = x.value(head.tanh)
        timed(.elementwise) {
            Activation.tanhForward(input: x.value(head.normalised), output: tanh, count: x.n * s)
            e.update(from: tanh, count: x.n * s)
            Activation.reluForward(e, count: x.n * s)
        }
    }

    private func headBackward(_ x: Pass, _ head: ExplainerHead) {
        let count = head.explanation.count(x.n)
        let dNormalised = x.grad(head.normalised)
        timed(.elementwise) {
            // E = ReLU(tanh(bn)): d(bn) = dE · [E > 0] · (1 − tanh²).
            Elementwise.accumulate(x.grad(head.explanation), count: count, into: dNormalised)
            Activation.reluBackward(output: x.value(head.explanation), gradient: dNormalised, count: count)
            Activation.tanhBackward(output: x.value(head.tanh), gradient: dNormalised, count: count)
        }
        timed(.batchNorm) {
            BatchNorm.backward(
                input: x.value(head.conv.output), dOutput: dNormalised, batch: x.n, channels: 1,
                size: head.explanation.planeSize, gamma: x.p + head.gamma, mean: x.value(head.batchMean),
                variance: x.value(head.batchVariance), dInput: x.grad(head.conv.output),
                dGamma: x.g + head.gamma, dBeta: x.g + head.beta, epsilon: configuration.bnEpsilon)
        }
        convBackward(x, head.conv, weights: true)
    }
}
