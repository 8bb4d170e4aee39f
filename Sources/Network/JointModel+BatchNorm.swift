// The classifier's batch norms (ModelConfiguration.classifierBatchNorm): conv → BN → ReLU. Batch
// statistics in phase 1's training passes, which also move the running average; everywhere else (phases
// 2 and 3, inference) the stored statistics, so from phase 2 on each is a fixed affine map per channel
// whose γ and β still train in phase 3. Their statistics are measured again once with E when phase 1
// ends (Trainer.adaptClassifierStatistics), since E ≠ 1 shifts every stage after the first.
import Kernels

extension JointModel {
    /// Whether a pass normalises the classifier with the batch's own statistics.
    func classifierUsesBatchStatistics(_ x: Pass) -> Bool {
        x.training && (x.phase == .classifierOnly || classifierStatisticsFromBatch)
    }

    func batchNormForward(_ x: Pass, _ norm: ConvBatchNorm) {
        let input = x.value(norm.input)
        let output = x.value(norm.output)
        let size = norm.output.planeSize
        let epsilon = ModelConfiguration.classifierBatchNormEpsilon
        timed(.batchNorm) {
            if classifierUsesBatchStatistics(x) {
                BatchNorm.forwardTraining(
                    input: input, batch: x.n, channels: norm.channels, size: size, gamma: x.p + norm.gamma,
                    beta: x.p + norm.beta, output: output, mean: x.value(norm.batchMean),
                    variance: x.value(norm.batchVariance), epsilon: epsilon)
                BatchNorm.updateRunning(
                    runningMean: x.running + norm.running, runningVariance: x.running + norm.running + norm.channels,
                    mean: x.value(norm.batchMean), variance: x.value(norm.batchVariance), channels: norm.channels,
                    count: x.n * size, momentum: 1 - Double(configuration.bnMomentum))
            } else {
                BatchNorm.forwardInference(
                    input: input, batch: x.n, channels: norm.channels, size: size, gamma: x.p + norm.gamma,
                    beta: x.p + norm.beta, runningMean: x.running + norm.running,
                    runningVariance: x.running + norm.running + norm.channels, output: output, epsilon: epsilon)
            }
        }
        timed(.elementwise) { Activation.reluForward(output, count: norm.output.count(x.n)) }
    }

    /// Rectifies the output's gradient in place, then adds the BN's gradient to the convolution output's;
    /// `weights: false` (a frozen classifier) skips dγ and dβ.
    func batchNormBackward(_ x: Pass, _ norm: ConvBatchNorm, weights: Bool) {
        let dOutput = x.grad(norm.output)
        let size = norm.output.planeSize
        let epsilon = ModelConfiguration.classifierBatchNormEpsilon
        timed(.elementwise) {
            Activation.reluBackward(output: x.value(norm.output), gradient: dOutput, count: norm.output.count(x.n))
        }
        timed(.batchNorm) {
            if classifierUsesBatchStatistics(x) {
                BatchNorm.backward(
                    input: x.value(norm.input), dOutput: dOutput, batch: x.n, channels: norm.channels, size: size,
                    gamma: x.p + norm.gamma, mean: x.value(norm.batchMean), variance: x.value(norm.batchVariance),
                    dInput: x.grad(norm.input), dGamma: weights ? x.g + norm.gamma : nil,
                    dBeta: weights ? x.g + norm.beta : nil, epsilon: epsilon)
            } else {
                BatchNorm.backwardInference(
                    input: x.value(norm.input), dOutput: dOutput, batch: x.n, channels: norm.channels, size: size,
                    gamma: x.p + norm.gamma, runningMean: x.running + norm.running,
                    runningVariance: x.running + norm.running + norm.channels, dInput: x.grad(norm.input),
                    dGamma: weights ? x.g + norm.gamma : nil, dBeta: weights ? x.g + norm.beta : nil,
                    epsilon: epsilon)
            }
        }
    }
}
