// `xcnn bench step`'s measurement: full phase-3 training steps (forward + backward + Adadelta) on
// random data, with the wall time split by layer kind, so speed work can see where a step goes.
import Dispatch
import Kernels
import Network
import Training

enum StepBenchmark {
    struct Report: Sendable {
        var imagesPerSecond: Double
        /// Median seconds per step.
        var secondsPerStep: Double
        /// Seconds per step by layer kind (LayerKind raw values), averaged over the timed steps.
        var secondsPerLayerKind: [String: Double]
        /// Seconds and calls per step of each named convolution ("explainer.enc1.conv2 32→32 64² forward").
        var secondsPerLayer: [String: (seconds: Double, calls: Int)]
        /// The model's workspace arena by region, in floats, then the parameter-sized buffers
        /// (parameters, gradients, the optimizer's state).
        var memory: [(name: String, count: Int)]
    }

    /// Runs one untimed warm-up step, then `steps` timed ones; images/s uses the median step.
    static func run(configuration: ModelConfiguration, batch: Int, steps: Int, seed: UInt64 = 1) throws -> Report {
        precondition(steps >= 1, "need at least one timed step")
        let model = try JointModel(configuration: configuration, batchCapacity: batch)
        model.initialize(seed: seed)
        var generator = SplitMix64(seed: seed)
        let s = configuration.side
        let input = Tensor(
            shape: [batch, 3, s, s], storage: (0..<(batch * 3 * s * s)).map { _ in generator.nextUnitFloat() })
        let labels = (0..<batch).map { $0 % configuration.classes }
        var optimizer = Adadelta(parameterCount: model.parameters.count)
        let profile = LayerProfile()
        var durations: [Double] = []
        for step in 0...steps {
            if step == 1 { profile.reset() }
            model.profile = step == 0 ? nil : profile
            let start = DispatchTime.now().uptimeNanoseconds
            _ = model.trainingStep(
                input: input, labels: labels, boxMask: nil, phase: .joint,
                loss: LossWeights(l1: 1e-6), dropoutSeed: UInt64(step))
            profile.measure(.optimizer) {
                optimizer.update(
                    parameters: &model.parameters, gradients: model.gradients, range: 0..<model.parameters.count)
            }
            if step > 0 { durations.append(Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9) }
        }
        durations.sort()
        let median = durations[durations.count / 2]
        var kinds: [String: Double] = [:]
        for (kind, seconds) in profile.seconds { kinds[kind.rawValue] = seconds / Double(steps) }
        var layers: [String: (seconds: Double, calls: Int)] = [:]
        for (name, seconds) in profile.layers {
            layers[name] = (seconds / Double(steps), profile.layerCalls[name, default: 0] / steps)
        }
        return Report(
            imagesPerSecond: Double(batch) / median, secondsPerStep: median, secondsPerLayerKind: kinds,
            secondsPerLayer: layers,
            memory: model.workspaceRegions + [("parameters, gradients, Adadelta state", 4 * model.parameters.count)])
    }
}
