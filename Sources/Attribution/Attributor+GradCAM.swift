// Grad-CAM on the last convolution (classifier.stage4.conv2, after its ReLU, before the product by E) and
// the bilinear upsampling that brings it to the input side (PyTorch's align_corners = false).
// Letters: N images, S side, F = 8w channels of the last stage, s = S/8 its side.

extension Attributor {
    /// ReLU(Σ_c α_c A_c) with α_c = mean over the s×s pixels of ∂logit/∂A_c, upsampled to [N, S, S].
    func gradCAM(_ x: [Float], n: Int, e: [Float]?, targets: [Int]) -> [Float] {
        let f = graph.stages[3].1.outputs
        let small = graph.side(ofStage: 3)
        let area = small * small
        var activations: [Float] = []
        var gradients: [Float] = []
        forEachChunk(n: n) { range in
            let acts = graph.forward(slice(x, range, per: 3), n: range.count, e: e.map { slice($0, range, per: 1) })
            activations += acts.a2[3]
            gradients += graph.backward(acts, seed: graph.oneHot(Array(targets[range])), rule: .gradient).dLastConv
        }
        var cams = [Float](repeating: 0, count: n * area)
        for image in 0..<n {
            for c in 0..<f {
                let base = (image * f + c) * area
                var alpha: Float = 0
                for j in 0..<area { alpha += gradients[base + j] }
                alpha /= Float(area)
                for j in 0..<area { cams[image * area + j] += alpha * activations[base + j] }
            }
        }
        for j in cams.indices { cams[j] = max(cams[j], 0) }
        return Self.upsampleBilinear(cams, planes: n, from: small, to: configuration.side)
    }

    /// [P, a, a] → [P, b, b], bilinear with half-pixel centres: source coordinate (i + ½)·a/b − ½, clamped
    /// below at 0, neighbours i₀ and min(i₀ + 1, a − 1) (torch.nn.functional.interpolate, align_corners = false).
    static func upsampleBilinear(_ x: [Float], planes: Int, from a: Int, to b: Int) -> [Float] {
        let scale = Float(a) / Float(b)
        func source(_ i: Int) -> (Int, Int, Float) {
            let position = max((Float(i) + 0.5) * scale - 0.5, 0)
            let low = min(Int(position), a - 1)
            let high = min(low + 1, a - 1)
            return (low, high, position - Float(low))
        }
        let coordinates = (0..<b).map(source)
        var y = [Float](repeating: 0, count: planes * b * b)
        for p in 0..<planes {
            let plane = p * a * a
            for (i, (r0, r1, dr)) in coordinates.enumerated() {
                for (j, (c0, c1, dc)) in coordinates.enumerated() {
                    let top = (1 - dc) * x[plane + r0 * a + c0] + dc * x[plane + r0 * a + c1]
                    let bottom = (1 - dc) * x[plane + r1 * a + c0] + dc * x[plane + r1 * a + c1]
                    y[(p * b + i) * b + j] = (1 - dr) * top + dr * bottom
                }
            }
        }
        return y
    }
}
