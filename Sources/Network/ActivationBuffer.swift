// One activation of the batch: a named view into the workspace arena, placed once by PlanBuilder.
// Letters: N batch (≤ capacity).

/// `value` is an offset from the arena's start; `gradient` (when the backward needs one) an offset from
/// the start of the arena's gradient block. Each holds N·perImage floats, except per-batch statistics,
/// which hold perImage floats whatever N is.
struct ActivationBuffer {
    /// The golden-file name, e.g. "explainer.enc1.conv2" (for `JointModel.activation(_:)` and profiles).
    let name: String
    /// Per-image shape [C, H, W] (or [D] for vectors).
    let shape: [Int]
    let perBatch: Bool
    let value: Int
    let gradient: Int?

    var perImage: Int { shape.reduce(1, *) }
    var channels: Int { shape[0] }
    /// H·W of a [C, H, W] map.
    var planeSize: Int { shape[1] * shape[2] }
    func count(_ n: Int) -> Int { perBatch ? perImage : n * perImage }
}
