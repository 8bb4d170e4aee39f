// Raw views for one pass through the model, valid only inside `JointModel.withPass`: the parameter,
// gradient and running-statistics buffers, and the arena's regions as ModelPlan placed them.

struct Pass {
    let p: UnsafeMutablePointer<Float>
    let g: UnsafeMutablePointer<Float>
    let running: UnsafeMutablePointer<Float>
    /// The arena's value block, its gradient block, the im2col workspaces, the kept Winograd transforms.
    let a: UnsafeMutablePointer<Float>, da: UnsafeMutablePointer<Float>
    let col: UnsafeMutablePointer<Float>, dcol: UnsafeMutablePointer<Float>, kept: UnsafeMutablePointer<Float>
    let labels: UnsafePointer<Int>
    let n: Int
    let phase: Phase
    let training: Bool
    let hasMask: Bool

    init(
        p: UnsafeMutablePointer<Float>, g: UnsafeMutablePointer<Float>, running: UnsafeMutablePointer<Float>,
        a: UnsafeMutablePointer<Float>, plan: ModelPlan, labels: UnsafePointer<Int>, n: Int, phase: Phase,
        training: Bool, hasMask: Bool
    ) {
        (self.p, self.g, self.running, self.a) = (p, g, running, a)
        (da, col, dcol, kept) = (a + plan.gradientStart, a + plan.col, a + plan.dcol, a + plan.keptTransforms)
        (self.labels, self.n, self.phase, self.training, self.hasMask) = (labels, n, phase, training, hasMask)
    }

    func value(_ b: ActivationBuffer) -> UnsafeMutablePointer<Float> { a + b.value }
    func grad(_ b: ActivationBuffer) -> UnsafeMutablePointer<Float> { da + b.gradient! }
    /// Where a convolution's forward keeps its Winograd input transforms, if it keeps them.
    func keptTransforms(_ l: ConvLayer) -> UnsafeMutablePointer<Float>? { l.keptTransforms.map { kept + $0 } }
}
