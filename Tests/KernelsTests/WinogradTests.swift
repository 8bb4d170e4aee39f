// Winograd F(2×2, 3×3) and F(4×4, 3×3): forward, input gradient and weight gradient against direct
// Double loops: channel counts 1–32, sides that are and are not multiples of the tile, batch 1 and 3,
// and a map wide enough to need several bands.
import Kernels
import Testing

/// Direct adjoint of the 3×3 pad-1 convolution: dx[n,c,p,q] = Σ_o Σ_uv W[o,c,u,v]·dy[n,o,p−u+1,q−v+1].
func naiveInputGradient(_ dy: [Double], _ weight: [Double], n: Int, c: Int, h: Int, w: Int, f: Int) -> [Double] {
    var dx = [Double](repeating: 0, count: n * c * h * w)
    for b in 0..<n {
        for o in 0..<f {
            for ch in 0..<c {
                for u in 0..<3 {
                    for v in 0..<3 {
                        let wt = weight[((o * c + ch) * 3 + u) * 3 + v]
                        for i in 0..<h {
                            for j in 0..<w {
                                let si = i + u - 1
                                let sj = j + v - 1
                                if si < 0 || si >= h || sj < 0 || sj >= w { continue }
                                dx[((b * c + ch) * h + si) * w + sj] += wt * dy[((b * f + o) * h + i) * w + j]
                            }
                        }
                    }
                }
            }
        }
    }
    return dx
}

/// Direct weight gradient of the 3×3 pad-1 convolution: dW[o,c,u,v] = Σ_n Σ_ij dy[n,o,i,j]·x[n,c,i+u−1,j+v−1].
func naiveWeightGradient(_ dy: [Double], _ x: [Double], n: Int, c: Int, h: Int, w: Int, f: Int) -> [Double] {
    var dw = [Double](repeating: 0, count: f * c * 9)
    for b in 0..<n {
        for o in 0..<f {
            for ch in 0..<c {
                for u in 0..<3 {
                    for v in 0..<3 {
                        var s = 0.0
                        for i in 0..<h {
                            for j in 0..<w {
                                let si = i + u - 1
                                let sj = j + v - 1
                                if si < 0 || si >= h || sj < 0 || sj >= w { continue }
                                s += dy[((b * f + o) * h + i) * w + j] * x[((b * c + ch) * h + si) * w + sj]
                            }
                        }
                        dw[((o * c + ch) * 3 + u) * 3 + v] += s
                    }
                }
            }
        }
    }
    return dw
}

@Suite struct WinogradTests {
    /// Forward (bias, no ReLU), dx and dW through `Convolution` with `algorithm`; returns the three scaled
    /// errors. dx and dW start from non-zero values because the kernels accumulate into them.
    static func errors(
        n: Int, c: Int, h: Int, w: Int, f: Int, seed: UInt64,
        algorithm: Algorithm3x3
    ) -> (forward: Double, input: Double, weight: Double) {
        let s = Scratch()
        let x = randomValues(n * c * h * w, seed: seed)
        let wt = randomValues(f * c * 9, seed: seed + 1)
        let b = randomValues(f, seed: seed + 2)
        let r = randomValues(n * f * h * w, seed: seed + 3)
        let start = randomValues(x.count, seed: seed + 4)
        let workspace = Convolution.workspaceCount(
            channels: c, filters: f, height: h, width: w, kernel: 3, algorithm: algorithm)
        let weightStart = randomValues(wt.count, seed: seed + 5)
        let y = s.zeros(n * f * h * w)
        let col = s.zeros(workspace)
        let dcol = s.zeros(workspace)
        let dx = s.make(start)
        let dw = s.make(weightStart)
        Convolution.forward(
            input: s.make(x), batch: n, channels: c, height: h, width: w, weight: s.make(wt), bias: s.make(b),
            filters: f, kernel: 3, output: y, col: col, algorithm: algorithm)
        Convolution.backward(
            input: s.make(x), dOutput: s.make(r), batch: n, channels: c, height: h, width: w,
            weight: s.make(wt), filters: f, kernel: 3, dInput: dx, dWeight: dw, dBias: nil,
            col: col, dcol: dcol, algorithm: algorithm)
        let wd = wt.map(Double.init)
        let yRef = naiveConvolution(x.map(Double.init), wd, b.map(Double.init), n: n, c: c, h: h, w: w, f: f, k: 3)
        let dxRef = zip(naiveInputGradient(r.map(Double.init), wd, n: n, c: c, h: h, w: w, f: f), start).map {
            $0 + Double($1)
        }
        let dwRef = zip(
            naiveWeightGradient(r.map(Double.init), x.map(Double.init), n: n, c: c, h: h, w: w, f: f), weightStart
        )
        .map { $0 + Double($1) }
        return (
            scaledError(read(y, yRef.count), yRef), scaledError(read(dx, x.count), dxRef),
            scaledError(read(dw, wt.count), dwRef)
        )
    }

    /// Winograd rounds more than a direct dot product: each input-tile element is a sum of up to 4
    /// inputs, each kernel-transform element a sum of up to 9 halved weights, and each output a sum of
    /// 9 products of sums over C. With values in [−1, 1] those are a few float32 ulps of partial sums of
    /// size ≈ √(9C), i.e. ≈ 1e-7·√C relative to outputs of the same size: 1e-5 leaves a 10× margin at C = 32.
    /// F(4×4, 3×3) multiplies by up to 8 and 5 in its transforms (sums of up to 36 terms with weights up to
    /// 64 before the output transform scales back): about 10× F(2×2)'s rounding, hence 1e-4.
    static func tolerance(_ algorithm: Algorithm3x3) -> Double { algorithm == .winograd4 ? 1e-4 : 1e-5 }

    static let algorithms: [Algorithm3x3] = [.winograd, .winograd4]

    @Test(arguments: algorithms, [1, 3, 5, 32])
    func matchesDirectLoopOverChannelsSidesAndBatch(algorithm: Algorithm3x3, channels c: Int) {
        var worst = (0.0, 0.0, 0.0)
        let tolerance = Self.tolerance(algorithm)
        for f in [1, 3, 5, 32] {
            for (index, side) in [2, 4, 6, 16, 18].enumerated() {
                let n = index % 2 == 0 ? 3 : 1
                let e = Self.errors(
                    n: n, c: c, h: side, w: side, f: f, seed: UInt64(100 * c + 10 * f + side), algorithm: algorithm)
                #expect(
                    e.forward < tolerance, "\(algorithm) forward C \(c) F \(f) side \(side) batch \(n): \(e.forward)")
                #expect(e.input < tolerance, "\(algorithm) dx C \(c) F \(f) side \(side) batch \(n): \(e.input)")
                #expect(e.weight < tolerance, "\(algorithm) dW C \(c) F \(f) side \(side) batch \(n): \(e.weight)")
                worst = (max(worst.0, e.forward), max(worst.1, e.input), max(worst.2, e.weight))
            }
        }
        print("\(algorithm) C = \(c): worst scaled error forward \(worst.0), dx \(worst.1), dW \(worst.2)")
    }

    @Test(arguments: algorithms)
    func partialTilesAtOddAndUnequalSides(algorithm: Algorithm3x3) {
        // (N, C, H, W, F): last tiles covering 1, 2 or 3 pixels; 1×1 maps are a single partial tile;
        // W = 37 and 70 run the 8-tile vector loops, their gathered tails and a partial tile at the end;
        // W = 29 and 30 are one F(4×4) chunk of 8 tiles whose last tile is cut by the edge (lanes read
        // and written one by one, in the chunk's transposed lane order).
        let shapes = [
            (1, 3, 5, 7, 2), (3, 5, 1, 1, 4), (2, 4, 3, 2, 3), (1, 32, 9, 6, 5), (2, 3, 7, 37, 4), (1, 4, 13, 70, 3),
            (1, 3, 5, 30, 2), (2, 4, 6, 29, 3),
        ]
        for (n, c, h, w, f) in shapes {
            let e = Self.errors(n: n, c: c, h: h, w: w, f: f, seed: UInt64(h * 10 + w), algorithm: algorithm)
            #expect(e.forward < Self.tolerance(algorithm), "\(algorithm) forward \((n, c, h, w, f)): \(e.forward)")
            #expect(e.input < Self.tolerance(algorithm), "\(algorithm) dx \((n, c, h, w, f)): \(e.input)")
            #expect(e.weight < Self.tolerance(algorithm), "\(algorithm) dW \((n, c, h, w, f)): \(e.weight)")
        }
    }

    @Test(arguments: algorithms)
    func keptInputTransformsGiveTheSameWeightGradient(algorithm: Algorithm3x3) {
        // Several bands (W = 2048) and a batch of 2, so kept transforms are found band by band across images.
        let (n, c, h, w, f) = (2, 8, 9, 2048, 8)
        let s = Scratch()
        let x = s.make(randomValues(n * c * h * w, seed: 41))
        let wt = s.make(randomValues(f * c * 9, seed: 42))
        let b = s.make(randomValues(f, seed: 43))
        let r = randomValues(n * f * h * w, seed: 44)
        let workspace = Convolution.workspaceCount(
            channels: c, filters: f, height: h, width: w, kernel: 3, algorithm: algorithm)
        let keep = s.zeros(
            Convolution.inputTransformCount(
                channels: c, filters: f, height: h, width: w, kernel: 3, batch: n,
                algorithm: algorithm))
        let col = s.zeros(workspace)
        let dcol = s.zeros(workspace)
        let y = s.zeros(n * f * h * w)
        Convolution.forward(
            input: x, batch: n, channels: c, height: h, width: w, weight: wt, bias: b, filters: f, kernel: 3,
            output: y, col: col, algorithm: algorithm, keepInputTransforms: keep)
        let gradients = [UnsafePointer(keep), nil].map { kept in
            let dw = s.zeros(f * c * 9)
            Convolution.backward(
                input: x, dOutput: s.make(r), batch: n, channels: c, height: h, width: w, weight: wt,
                filters: f, kernel: 3, dInput: nil, dWeight: dw, dBias: nil, col: col, dcol: dcol,
                algorithm: algorithm, keptInputTransforms: kept)
            return read(dw, f * c * 9)
        }
        #expect(gradients[0] == gradients[1], "\(algorithm): kept transforms change dW")
    }

    @Test(arguments: algorithms)
    func severalBandsMatchDirectLoop(algorithm: Algorithm3x3) {
        // F(2×2): 16·(C + F)·1024 tiles = 262,144 floats per tile row, 4 tile rows per band against the 2²⁰
        // target. F(4×4): 36·16·512 = 294,912, 3 tile rows per band. 30 rows are 15 and 8 tile rows.
        let (n, c, h, w, f) = (1, 8, 30, 2048, 8)
        if algorithm == .winograd {
            #expect(Winograd.bandTileRows(inChannels: c, outChannels: f, height: h, width: w) == 4)
        } else {
            #expect(WinogradF4.bandTileRows(inChannels: c, outChannels: f, height: h, width: w) == 3)
        }
        let e = Self.errors(n: n, c: c, h: h, w: w, f: f, seed: 7, algorithm: algorithm)
        #expect(e.forward < Self.tolerance(algorithm), "forward: \(e.forward)")
        #expect(e.input < Self.tolerance(algorithm), "dx: \(e.input)")
        #expect(e.weight < Self.tolerance(algorithm), "dW: \(e.weight)")
    }
}
