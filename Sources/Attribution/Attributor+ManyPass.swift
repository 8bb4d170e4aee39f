// The methods that perturb each image many times (SmoothGrad, integrated gradients, occlusion): their
// passes are numbered p = image·perImage + j and cut into batches of `batchSize` consecutive passes; rank r
// runs batches b ≡ r mod size. A batch holds the same passes whatever the number of ranks, so every pass
// gives the same float32 numbers (sgemm's rounding depends on the batch it runs in); each rank sums its
// passes in Double and one allreduce adds the ranks' sums, so the result depends on the number of ranks only
// through Double rounding, below float32's resolution.
// Letters: N images, S side.
import MessagePassing

extension Attributor {
    /// Runs this rank's batches of the n·perImage passes: pass (image, j) feeds `input(image, j)` [3, S, S] with the
    /// image's E and target; `consume(image, j, target logit, ∂logit/∂x or nil)` sees each result.
    func runPasses(
        n: Int, perImage: Int, e: [Float]?, targets: [Int], gradient: Bool,
        input: (Int, Int) -> [Float], consume: (Int, Int, Float, ArraySlice<Float>?) -> Void
    ) {
        let (rank, size) = passShare ?? (communicator?.rank ?? 0, communicator?.size ?? 1)
        let total = n * perImage
        let s = configuration.side
        let plane = s * s
        let k = configuration.classes
        for first in stride(from: rank * batchSize, to: total, by: size * batchSize) {
            let batch = first..<min(total, first + batchSize)
            var xs: [Float] = []
            var es: [Float]? = e == nil ? nil : []
            xs.reserveCapacity(batch.count * 3 * plane)
            var batchTargets: [Int] = []
            for p in batch {
                let image = p / perImage
                xs += input(image, p % perImage)
                if let e { es! += e[(image * plane)..<((image + 1) * plane)] }
                batchTargets.append(targets[image])
            }
            let acts = graph.forward(xs, n: batch.count, e: es)
            let dx = gradient ? graph.backward(acts, seed: graph.oneHot(batchTargets), rule: .gradient).dInput : nil
            for (b, p) in batch.enumerated() {
                let logit = acts.logits[b * k + batchTargets[b]]
                consume(p / perImage, p % perImage, logit, dx.map { $0[(b * 3 * plane)..<((b + 1) * 3 * plane)] })
            }
        }
    }

    /// Adds every rank's `sums` (in place); a no-op without a communicator or with one rank.
    func reduceAcrossRanks(_ sums: inout [Double]) throws {
        guard let communicator, communicator.size > 1 else { return }
        do {
            try communicator.allreduce(&sums, .sum)
        } catch {
            throw AttributionError("allreduce of attribution sums on rank \(communicator.rank)", "\(error)")
        }
    }

    /// SmoothGrad: (1/samples) Σ_j |∇logit(x + σ·noise(image, j))|, σ = fraction·(max − min) of each image.
    /// `noise(image, j)` gives [3, S, S] standard normal values (tests pass Captum's own draws).
    func smoothGrad(
        _ x: [Float], n: Int, e: [Float]?, targets: [Int], samples: Int, noiseFraction: Float,
        noise: (Int, Int) -> [Float]
    ) throws -> [Float] {
        let per = 3 * configuration.side * configuration.side
        let sigma = (0..<n).map { image -> Float in
            let values = x[(image * per)..<((image + 1) * per)]
            return noiseFraction * (values.max()! - values.min()!)
        }
        var sums = [Double](repeating: 0, count: n * per)
        runPasses(
            n: n, perImage: samples, e: e, targets: targets, gradient: true,
            input: { image, j in
                let eta = noise(image, j)
                let base = image * per
                return (0..<per).map { x[base + $0] + sigma[image] * eta[$0] }
            },
            consume: { image, _, _, g in
                let base = image * per
                for (i, v) in g!.enumerated() { sums[base + i] += Double(abs(v)) }
            })
        try reduceAcrossRanks(&sums)
        return sums.map { Float($0 / Double(samples)) }
    }

    /// Integrated gradients from the black baseline with Captum's Gauss–Legendre quadrature (see
    /// `AttributionMethod.integratedGradients`).
    func integratedGradients(_ x: [Float], n: Int, e: [Float]?, targets: [Int], steps: Int) throws -> [Float] {
        let per = 3 * configuration.side * configuration.side
        let rule = GaussLegendre.rule(steps)
        let alphas = rule.nodes.map { Float(0.5 * (1 + $0)) }
        let weights = rule.weights.map { 0.5 * $0 }
        var sums = [Double](repeating: 0, count: n * per)
        runPasses(
            n: n, perImage: steps, e: e, targets: targets, gradient: true,
            input: { image, j in
                x[(image * per)..<((image + 1) * per)].map { alphas[j] * $0 }
            },
            consume: { image, j, _, g in
                let base = image * per
                for (i, v) in g!.enumerated() { sums[base + i] += weights[j] * Double(v) }
            })
        try reduceAcrossRanks(&sums)
        return (0..<(n * per)).map { Float(sums[$0] * Double(x[$0])) }
    }

    /// Window starts along one axis of length S: 0, stride, … while the window still starts inside, Captum's
    /// ceil((S − patch)/stride) + 1 of them.
    static func windowStarts(side s: Int, patch: Int, stride: Int) -> [Int] {
        let count = (s - patch + stride - 1) / stride + 1
        return (0..<count).map { $0 * stride }
    }

    /// Occlusion (see `AttributionMethod.occlusion`): [N, S, S].
    func occlusion(_ x: [Float], n: Int, e: [Float]?, targets: [Int], patch: Int, stride: Int) throws -> [Float] {
        let s = configuration.side
        let plane = s * s
        let per = 3 * plane
        let k = configuration.classes
        let starts = Self.windowStarts(side: s, patch: patch, stride: stride)
        let windows = starts.flatMap { top in starts.map { left in (top, left) } }
        // The unperturbed logits: every rank computes them (one pass of N images).
        var reference: [Float] = []
        forEachChunk(n: n) { range in
            let acts = graph.forward(slice(x, range, per: 3), n: range.count, e: e.map { slice($0, range, per: 1) })
            for (b, image) in range.enumerated() { reference.append(acts.logits[b * k + targets[image]]) }
        }
        var sums = [Double](repeating: 0, count: n * plane)
        runPasses(
            n: n, perImage: windows.count, e: e, targets: targets, gradient: false,
            input: { image, j in
                var copy = Array(x[(image * per)..<((image + 1) * per)])
                let (top, left) = windows[j]
                for c in 0..<3 {
                    for i in top..<min(s, top + patch) {
                        for jj in left..<min(s, left + patch) { copy[c * plane + i * s + jj] = 0 }
                    }
                }
                return copy
            },
            consume: { image, j, logit, _ in
                let (top, left) = windows[j]
                let difference = Double(reference[image] - logit)
                for i in top..<min(s, top + patch) {
                    for jj in left..<min(s, left + patch) { sums[image * plane + i * s + jj] += difference }
                }
            })
        try reduceAcrossRanks(&sums)
        // How many windows cover each pixel (the same on every rank and image).
        var counts = [Double](repeating: 0, count: plane)
        for (top, left) in windows {
            for i in top..<min(s, top + patch) {
                for jj in left..<min(s, left + patch) { counts[i * s + jj] += 1 }
            }
        }
        return (0..<(n * plane)).map { Float(sums[$0] / counts[$0 % plane]) }
    }
}
