// The explainer+classifier model (SPEC §1): one flat parameter buffer with named views, a gradient
// buffer mirroring it, BN running statistics apart, and a workspace arena sized once for a batch
// capacity, so training steps allocate nothing that grows with the number of steps.
// Letters: N batch (≤ capacity), S side, K classes.
import Kernels

public final class JointModel {
    public let configuration: ModelConfiguration
    public let batchCapacity: Int
    public let layout: ParameterLayout
    /// Every trainable parameter, in `layout` order.
    public var parameters: [Float]
    /// d(loss)/d(parameters) of the last training step, for its phase's trainable range only.
    public var gradients: [Float]
    /// BN running statistics laid out as `bufferLayout` says: the explainer head's running mean and
    /// variance ([1] each, offsets 0 and 1), then each classifier batch norm's [C] and [C].
    public var buffers: [Float]
    public let bufferLayout: [BufferEntry]
    /// When set, every layer's wall time is charged to its kind (xcnn bench step reads it).
    public var profile: LayerProfile?
    /// Whether a training step also computes d(loss)/d(input) (`activationGradient("input")`), which
    /// training does not need and gradient-based attribution does; off by default to save its GEMMs.
    public var computesInputGradient = false

    let plan: ModelPlan
    let arena: UnsafeMutablePointer<Float>
    /// Labels of the current batch, kept at capacity so loading a batch never allocates.
    var labelStore: [Int]
    /// Set while `batchNormStatistics` measures the classifier's batch norms in phases 2 and 3.
    var classifierStatisticsFromBatch = false
    /// Images in the batch the arena currently holds.
    public private(set) var currentBatch = 0

    public init(configuration: ModelConfiguration, batchCapacity: Int) throws(NetworkError) {
        try configuration.validate()
        guard batchCapacity >= 1 else { throw NetworkError("batchCapacity", "\(batchCapacity) is below 1") }
        self.configuration = configuration
        self.batchCapacity = batchCapacity
        plan = ModelPlan(configuration: configuration, batchCapacity: batchCapacity)
        layout = plan.layout
        bufferLayout = plan.buffers
        parameters = [Float](repeating: 0, count: layout.count)
        gradients = [Float](repeating: 0, count: layout.count)
        buffers = Self.initialBuffers(plan.buffers)
        arena = .allocate(capacity: plan.arenaCount)
        arena.initialize(repeating: 0, count: plan.arenaCount)
        labelStore = [Int](repeating: 0, count: batchCapacity)
    }

    deinit { arena.deallocate() }

    public func range(of part: ModelPart) -> Range<Int> { layout.range(of: part) }

    /// The parameter range a phase trains (and whose gradients a training step writes).
    public func trainableRange(_ phase: Phase) -> Range<Int> {
        switch phase {
        case .classifierOnly: layout.range(of: .classifier)
        case .explainerOnly: layout.range(of: .explainer)
        case .joint: 0..<layout.count
        }
    }

    /// Keras initialisation: Glorot-uniform kernels (limit sqrt(6/(fan_in + fan_out)), fans = channels ×
    /// kernel area), zero biases, the head's BN γ = `explainerInitScale` (1), β = `explainerInitBias`, the
    /// classifier's BN γ = 1, β = 0; running means 0, running variances 1.
    public func initialize(seed: UInt64) {
        var generator = SplitMix64(seed: seed)
        for entry in layout.entries {
            let values: [Float]
            switch entry.initialization {
            case .constant(let value):
                values = [Float](repeating: value, count: entry.count)
            case .glorotUniform:
                let area = entry.shape.count == 4 ? entry.shape[2] * entry.shape[3] : 1
                let limit = Float((6.0 / Double((entry.shape[0] + entry.shape[1]) * area)).squareRoot())
                values = (0..<entry.count).map { _ in generator.nextSymmetric(limit) }
            }
            parameters.replaceSubrange(entry.range, with: values)
        }
        buffers = Self.initialBuffers(bufferLayout)
    }

    /// Running means 0, running variances 1.
    static func initialBuffers(_ layout: [BufferEntry]) -> [Float] {
        layout.flatMap { [Float](repeating: $0.initial, count: $0.count) }
    }

    /// Floats held by the workspace arena (constant for the model's life).
    public var workspaceCount: Int { plan.arenaCount }
    /// The arena's regions in order, with their sizes in floats: activation values, their gradients, the
    /// im2col/Winograd workspaces `col` and `dcol`, the kept Winograd input transforms (`xcnn bench step`
    /// prints them; docs/perf/network.md, memory).
    public var workspaceRegions: [(name: String, count: Int)] {
        [
            ("values", plan.gradientStart), ("gradients", plan.col - plan.gradientStart),
            ("col", plan.dcol - plan.col), ("dcol", plan.keptTransforms - plan.dcol),
            ("kept transforms", plan.arenaCount - plan.keptTransforms),
        ]
    }
    /// The arena's address, for checking that steps reuse it.
    public var workspaceAddress: UInt { UInt(bitPattern: arena) }

    /// One training-mode forward and backward: zeroes the phase's trainable gradient range, fills it,
    /// updates the BN running statistics when the explainer runs, and returns the loss. No optimizer step.
    /// input [N, 3, S, S] in [0, 1]; boxMask [N, 1, S, S] (1 inside the target box). Without a mask the
    /// box term is 0 whatever loss.box says (datasets without boxes); labels in 0..<K.
    public func trainingStep(
        input: Tensor, labels: [Int], boxMask: Tensor?, phase: Phase, loss: LossWeights,
        dropoutSeed: UInt64
    ) -> StepResult {
        let n = load(input: input, labels: labels, boxMask: boxMask)
        let trainable = trainableRange(phase)
        gradients.withUnsafeMutableBufferPointer { g in
            (g.baseAddress! + trainable.lowerBound).update(repeating: 0, count: trainable.count)
        }
        return withPass(batch: n, phase: phase, training: true, hasMask: boxMask != nil) { pass in
            forward(pass, dropoutSeed: dropoutSeed)
            let result = lossForward(pass, weights: loss)
            backward(pass, weights: loss)
            return result
        }
    }

    /// Inference-mode loss and predictions: BN running statistics, no dropout, nothing updated.
    public func evaluate(input: Tensor, labels: [Int], boxMask: Tensor?, phase: Phase, loss: LossWeights) -> StepResult
    {
        let n = load(input: input, labels: labels, boxMask: boxMask)
        return withPass(batch: n, phase: phase, training: false, hasMask: boxMask != nil) { pass in
            forward(pass, dropoutSeed: 0)
            return lossForward(pass, weights: loss)
        }
    }

    /// Inference-mode explanation E [N, 1, S, S] and class probabilities [N, K].
    public func explain(input: Tensor) -> (E: Tensor, probabilities: Tensor) {
        let n = load(input: input, labels: nil, boxMask: nil)
        withPass(batch: n, phase: .joint, training: false, hasMask: false) { pass in
            forward(pass, dropoutSeed: 0)
            SoftmaxCrossEntropy.softmax(
                logits: pass.value(plan.output.output), batch: n, classes: configuration.classes,
                probabilities: pass.value(plan.probabilities))
        }
        return (activation("explainer.E")!, activation("classifier.probabilities")!)
    }

    /// The batch statistics of one batch for a group of batch norms (in `buffers` order), as a training
    /// forward of `phase` computes them: the explainer head's (the explainer alone), or the classifier's,
    /// with E = 1 in phase 1 and with the explainer's training-mode E in phases 2 and 3 (where the
    /// classifier's batch norms otherwise use their frozen statistics). Parameters and running statistics
    /// are left exactly as they were (the running update a training forward makes is undone).
    /// input [N, 3, S, S] in [0, 1]. Empty for the classifier without batch norm.
    public func batchNormStatistics(input: Tensor, of group: BatchNormGroup, phase: Phase) -> [BatchNormBatchStatistics]
    {
        let n = load(input: input, labels: nil, boxMask: nil)
        let saved = buffers
        let norms = group == .classifier ? plan.classifierNorms.map(Self.statistics(of:)) : [headStatistics]
        if !norms.isEmpty {
            classifierStatisticsFromBatch = group == .classifier
            withPass(batch: n, phase: group == .classifier ? phase : .explainerOnly, training: true, hasMask: false) {
                pass in
                if pass.phase.runsExplainer { explainerForward(pass) }
                if group == .classifier { classifierForward(pass, dropoutSeed: 0) }
            }
            classifierStatisticsFromBatch = false
        }
        buffers = saved
        return norms.map { norm in
            let mean = arena + norm.mean.value
            let variance = arena + norm.variance.value
            return BatchNormBatchStatistics(
                running: norm.running, mean: (0..<norm.channels).map { Double(mean[$0]) },
                variance: (0..<norm.channels).map { Double(variance[$0]) }, valuesPerChannel: n * norm.size)
        }
    }

    private typealias NormBuffers = (
        running: Int, channels: Int, size: Int, mean: ActivationBuffer, variance: ActivationBuffer
    )

    private var headStatistics: NormBuffers {
        (plan.head.running, 1, plan.head.explanation.planeSize, plan.head.batchMean, plan.head.batchVariance)
    }

    private static func statistics(of norm: ConvBatchNorm) -> NormBuffers {
        (norm.running, norm.channels, norm.output.planeSize, norm.batchMean, norm.batchVariance)
    }

    /// A forward activation of the current batch by its golden-file name (e.g. "classifier.stage2.conv1",
    /// "explainer.head.bn.batch_mean"), [N, …]; nil for an unknown name.
    public func activation(_ name: String) -> Tensor? {
        guard let b = plan.activations.first(where: { $0.name == canonical(name) }) else { return nil }
        return Tensor(
            shape: b.perBatch ? b.shape : [currentBatch] + b.shape,
            storage: Array(UnsafeBufferPointer(start: arena + b.value, count: b.count(currentBatch))))
    }

    /// d(loss)/d(activation) of the last training step ("input" gives d(loss)/d(x)); nil when not kept.
    public func activationGradient(_ name: String) -> Tensor? {
        guard let b = plan.activations.first(where: { $0.name == canonical(name) }), let offset = b.gradient else {
            return nil
        }
        return Tensor(
            shape: [currentBatch] + b.shape,
            storage: Array(
                UnsafeBufferPointer(start: arena + plan.gradientStart + offset, count: b.count(currentBatch))))
    }

    private func canonical(_ name: String) -> String { name == "classifier.E1" ? "explainer.E" : name }

    /// Copies a batch into the arena; returns N.
    private func load(input: Tensor, labels: [Int]?, boxMask: Tensor?) -> Int {
        let s = configuration.side
        let n = input.shape.first ?? 0
        precondition(
            input.shape == [n, 3, s, s] && n >= 1 && n <= batchCapacity,
            "input must be [N, 3, \(s), \(s)] with 1 ≤ N ≤ \(batchCapacity), got \(input.shape)")
        input.storage.withUnsafeBufferPointer {
            (arena + plan.image.value).update(from: $0.baseAddress!, count: $0.count)
        }
        if let boxMask {
            precondition(boxMask.shape == [n, 1, s, s], "box mask must be [\(n), 1, \(s), \(s)], got \(boxMask.shape)")
            boxMask.storage.withUnsafeBufferPointer {
                (arena + plan.boxMask.value).update(from: $0.baseAddress!, count: $0.count)
            }
        }
        if let labels {
            precondition(
                labels.count == n && labels.allSatisfy { (0..<configuration.classes).contains($0) },
                "need \(n) labels in 0..<\(configuration.classes)")
            for i in 0..<n { labelStore[i] = labels[i] }
        }
        currentBatch = n
        return n
    }

    /// Runs `body` with raw pointers to parameters, gradients, running statistics and labels.
    private func withPass<T>(batch n: Int, phase: Phase, training: Bool, hasMask: Bool, _ body: (Pass) -> T) -> T {
        // The public arrays may be reassigned by the trainer; the pass reads them through raw pointers.
        precondition(
            parameters.count == layout.count && gradients.count == layout.count && buffers.count == plan.bufferCount,
            "parameters and gradients must hold \(layout.count) values and buffers \(plan.bufferCount), got "
                + "\(parameters.count), \(gradients.count), \(buffers.count)")
        return parameters.withUnsafeMutableBufferPointer { p in
            gradients.withUnsafeMutableBufferPointer { g in
                buffers.withUnsafeMutableBufferPointer { r in
                    labelStore.withUnsafeBufferPointer { l in
                        body(
                            Pass(
                                p: p.baseAddress!, g: g.baseAddress!, running: r.baseAddress!, a: arena, plan: plan,
                                labels: l.baseAddress!, n: n, phase: phase, training: training, hasMask: hasMask))
                    }
                }
            }
        }
    }
}
