// The network, described once: the walk in `init` declares every layer in forward order, which fixes
// the parameter layout (checkpoint order), the workspace arena and the typed records that forward and
// backward iterate. Adding a layer is an edit to its record's declaring init and to its forward and
// backward; names stay only for checkpoints, goldens and `JointModel.activation(_:)`.
// Letters: N batch capacity, S side, w base width, H hidden width, K classes.

struct ModelPlan {
    let image: ActivationBuffer, boxMask: ActivationBuffer
    /// Top (full side) to bottom.
    let encoders: [EncoderLevel]
    /// In forward order: bottom (level 3) to top (level 1).
    let decoders: [DecoderLevel]
    let head: ExplainerHead
    let stages: [ClassifierStage]
    /// The last stage's global max, [8w].
    let globalMax: ActivationBuffer
    let hidden: [HiddenLayer]
    /// The logits layer: the last hidden layer's dropout output → "classifier.logits" [K].
    let output: DenseLayer
    /// softmax(logits) [K], kept for the cross-entropy's backward.
    let probabilities: ActivationBuffer

    let layout: ParameterLayout
    /// The BN running statistics (the explainer head's first, then the classifier's, if any) and their
    /// total count in floats.
    let buffers: [BufferEntry]
    let bufferCount: Int
    /// The classifier's batch norms in forward order (none without `classifierBatchNorm`).
    var classifierNorms: [ConvBatchNorm] {
        stages.flatMap { [$0.convs.firstNorm, $0.convs.secondNorm].compactMap { $0 } }
    }
    /// Every activation, in arena order, for lookups by name.
    let activations: [ActivationBuffer]
    /// Arena offsets of the gradient block, of the im2col workspaces `col` and `dcol`, of the kept
    /// Winograd transforms, and the arena's size in floats.
    let gradientStart: Int, col: Int, dcol: Int, keptTransforms: Int, arenaCount: Int
    /// The gradient block, zeroed as one at the start of every backward.
    var gradientRange: Range<Int> { gradientStart..<col }

    /// Floats of kept Winograd input transforms one model may hold: 128 M (512 MB). The weight gradient
    /// then skips one of its layer's three input transforms. At 64² (batch 8, w = 32) every layer's fit
    /// in 82 MB; at 224² they would take about 1 GB beside 1.6 GB of activations, so only the layers
    /// that fit, in forward order, keep theirs.
    static let keptTransformBudget = 1 << 27

    /// SPEC §1: a U-Net three levels deep (w, 2w, 4w filters) and four classifier stages (w … 8w); each
    /// level and stage halves the side, hence sides that are multiples of 16.
    static let explainerLevels = 3, classifierStages = 4

    init(configuration c: ModelConfiguration, batchCapacity n: Int) {
        var b = PlanBuilder(configuration: c, batchCapacity: n)
        let w = c.baseWidth
        image = b.image
        boxMask = b.boxMask
        var encoders: [EncoderLevel] = []
        var h = image
        for level in 1...Self.explainerLevels {
            encoders.append(EncoderLevel(level, from: h, filters: w << (level - 1), &b))
            h = encoders.last!.pooled
        }
        var decoders: [DecoderLevel] = []
        for level in (1...Self.explainerLevels).reversed() {
            decoders.append(DecoderLevel(level, from: h, skip: encoders[level - 1].convs.output, &b))
            h = decoders.last!.convs.output
        }
        head = ExplainerHead(from: h, &b)
        b.part = .classifier
        var stages: [ClassifierStage] = []
        var e = head.explanation
        h = image
        for stage in 1...Self.classifierStages {
            stages.append(ClassifierStage(stage, from: h, explanation: e, filters: w << (stage - 1), &b))
            (h, e) = (stages.last!.pooled, stages.last!.explanation)
        }
        globalMax = b.activation("classifier.gmp", [h.channels])
        let fc1 = HiddenLayer("classifier.fc1", from: globalMax, width: c.hidden, &b)
        let fc2 = HiddenLayer("classifier.fc2", from: fc1.dropped, width: c.hidden, &b)
        output = b.dense("classifier.out", from: fc2.dropped, outputs: c.classes, outputName: "classifier.logits")
        probabilities = b.activation("classifier.probabilities", [c.classes], gradient: false)
        (self.encoders, self.decoders, self.stages, hidden) = (encoders, decoders, stages, [fc1, fc2])

        layout = ParameterLayout(entries: b.parameters)
        (buffers, bufferCount) = (b.buffers, b.bufferCount)
        activations = b.activations
        gradientStart = b.valueCount
        col = gradientStart + b.gradientCount
        dcol = col + b.workspaceCount
        keptTransforms = dcol + b.workspaceCount
        arenaCount = keptTransforms + b.keptTransformCount
    }
}
