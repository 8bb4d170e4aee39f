// The classifier's records (SPEC §1): four VGG-like stages whose features are scaled by E (pooled to
// each stage's side), a global max pool, two hidden dense layers with sigmoid and dropout, and the
// logits. Each record declares its own parameters and activations, so its shape is written here once.
// Letters: S side, f a stage's filters, H hidden width.

/// Stage K (1 = full side): two 3×3 convs with ReLU (and batch norm before each ReLU, as configured), the product with E_K, then 2×2 max pooling.
struct ClassifierStage {
    let convs: ConvPair
    /// E_K [1, side, side]: the explainer's E at stage 1, else stage K−1's E pooled 2×2.
    let explanation: ActivationBuffer
    /// The E this stage pools its own from; nil at stage 1.
    let finerExplanation: ActivationBuffer?
    /// The second conv's output times E_K (unused in phase 1, where E = 1).
    let scaled: ActivationBuffer
    /// [f, side/2, side/2]: the next stage's input.
    let pooled: ActivationBuffer

    /// `explanation` is E at the input's side: the explainer's E for stage 1, the previous stage's after.
    init(
        _ stage: Int, from input: ActivationBuffer, explanation e: ActivationBuffer, filters: Int,
        _ b: inout PlanBuilder
    ) {
        let name = "classifier.stage\(stage)"
        let side = input.shape[1]
        if stage == 1 {
            explanation = e
            finerExplanation = nil
        } else {
            explanation = b.activation("classifier.E\(stage)", [1, side, side])
            finerExplanation = e
        }
        convs = ConvPair(name, from: input, filters: filters, batchNorm: b.configuration.classifierBatchNorm, &b)
        scaled = b.activation(name + ".mul", [filters, side, side])
        pooled = b.activation(name + ".pool", [filters, side / 2, side / 2])
    }

    /// What the max pooling reads: the product with E when E is used, else the convs' output.
    func features(scaledByE: Bool) -> ActivationBuffer { scaledByE ? scaled : convs.output }
}

/// A hidden layer: dense → sigmoid (in place) → dropout.
struct HiddenLayer {
    let dense: DenseLayer
    /// Dropout's output and its mask (0 or 1/(1 − rate); all ones in inference).
    let dropped: ActivationBuffer, mask: ActivationBuffer

    init(_ name: String, from input: ActivationBuffer, width: Int, _ b: inout PlanBuilder) {
        dense = b.dense(name, from: input, outputs: width)
        dropped = b.activation(name + ".drop", [width])
        mask = b.activation(name + ".mask", [width], gradient: false)
    }
}
