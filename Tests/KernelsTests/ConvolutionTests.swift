// The im2col+sgemm convolutions (3×3, 1×1, 2×2 stride-2 transposed) against direct Double loops and
// finite differences, swept over odd sizes, batch 1, 1×1 maps and channel counts not multiples of 8.
import Kernels
import Testing

/// Direct-loop reference: y[n,o,i,j] = b[o] + Σ W[o,c,u,v]·x[n,c,i+u−p,j+v−p].
func naiveConvolution(
    _ x: [Double], _ weight: [Double], _ bias: [Double], n: Int, c: Int, h: Int, w: Int, f: Int,
    k: Int
) -> [Double] {
    let pad = k / 2
    var y = [Double](repeating: 0, count: n * f * h * w)
    for b in 0..<n {
        for o in 0..<f {
            for i in 0..<h {
                for j in 0..<w {
                    var s = bias[o]
                    for ch in 0..<c {
                        for u in 0..<k {
                            for v in 0..<k {
                                let si = i + u - pad
                                let sj = j + v - pad
                                if si < 0 || si >= h || sj < 0 || sj >= w { continue }
                                s += weight[((o * c + ch) * k + u) * k + v] * x[((b * c + ch) * h + si) * w + sj]
                            }
                        }
                    }
                    y[((b * f + o) * h + i) * w + j] = s
                }
            }
        }
    }
    return y
}

/// Direct-loop reference: y[n,o,2i+u,2j+v] = b[o] + Σ_c x[n,c,i,j]·W[c,o,u,v].
func naiveTransposed(_ x: [Double], _ weight: [Double], _ bias: [Double], n: Int, c: Int, h: Int, w: Int, f: Int)
    -> [Double]
{
    var y = [Double](repeating: 0, count: n * f * 4 * h * w)
    for b in 0..<n {
        for o in 0..<f {
            for i in 0..<(2 * h) {
                for j in 0..<(2 * w) {
                    var s = bias[o]
                    for ch in 0..<c {
                        s += x[((b * c + ch) * h + i / 2) * w + j / 2] * weight[((ch * f + o) * 2 + i % 2) * 2 + j % 2]
                    }
                    y[((b * f + o) * 2 * h + i) * 2 * w + j] = s
                }
            }
        }
    }
    return y
}

@Suite struct ConvolutionTests {
    /// (N, C, H, W, F): odd sides, 1×1 maps, batch 1, channels 1, 3, 5, 9, 10.
    static let shapes = [(1, 1, 1, 1, 1), (1, 3, 5, 7, 2), (2, 5, 4, 3, 3), (3, 9, 6, 5, 10), (1, 2, 1, 6, 4)]

    @Test(arguments: [3, 1], [Algorithm3x3.im2col, .winograd, .winograd4])
    func convolutionMatchesDirectLoopAndFiniteDifferences(kernel k: Int, algorithm: Algorithm3x3) {
        for (n, c, h, w, f) in Self.shapes {
            let s = Scratch()
            let x = randomValues(n * c * h * w, seed: 1)
            let wt = randomValues(f * c * k * k, seed: 2)
            let b = randomValues(f, seed: 3)
            let r = randomValues(n * f * h * w, seed: 4)
            let workspace = max(
                1,
                Convolution.workspaceCount(
                    channels: c, filters: f, height: h, width: w, kernel: k,
                    algorithm: algorithm))
            let y = s.zeros(n * f * h * w)
            let col = s.zeros(workspace)
            let dcol = s.zeros(workspace)
            let px = s.make(x)
            let pw = s.make(wt)
            Convolution.forward(
                input: px, batch: n, channels: c, height: h, width: w, weight: pw, bias: s.make(b),
                filters: f, kernel: k, output: y, col: col, algorithm: algorithm)
            let reference = { (v: [[Double]]) in naiveConvolution(v[0], v[1], v[2], n: n, c: c, h: h, w: w, f: f, k: k)
            }
            // float32 dot products of ≤ 81 terms of size ≤ 1: relative rounding well under 1e-5.
            #expect(
                scaledError(read(y, n * f * h * w), reference([x, wt, b].map { $0.map(Double.init) })) < 1e-5,
                "forward \(k)×\(k) at \((n, c, h, w, f))")
            let dx = s.zeros(x.count)
            let dw = s.zeros(wt.count)
            let db = s.zeros(f)
            Convolution.backward(
                input: px, dOutput: s.make(r), batch: n, channels: c, height: h, width: w, weight: pw,
                filters: f, kernel: k, dInput: dx, dWeight: dw, dBias: db, col: col, dcol: dcol,
                algorithm: algorithm)
            // Gradients are float32 sums of up to N·H·W·F products: 1e-4 of the largest entry is ample.
            expectGradients(
                "conv \(k)×\(k) \((n, c, h, w, f))", inputs: [x, wt, b], r: r, reference: reference,
                analytic: [read(dx, x.count), read(dw, wt.count), read(db, f)], tolerance: 1e-4)
        }
    }

    @Test func bandedConvolutionMatchesDirectLoop() {
        // C·9·W = 36,864 columns per row: the 2 MB band target gives 14-row bands, so 32 rows need 3 bands.
        let (n, c, h, w, f) = (1, 64, 32, 64, 3)
        #expect(Convolution.bandRows(channels: c, height: h, width: w) < h)
        let s = Scratch()
        let x = randomValues(n * c * h * w, seed: 5)
        let wt = randomValues(f * c * 9, seed: 6)
        let b = randomValues(f, seed: 7)
        let r = randomValues(n * f * h * w, seed: 8)
        let workspace = Convolution.workspaceCount(
            channels: c, filters: f, height: h, width: w, kernel: 3, algorithm: .im2col)
        let y = s.zeros(n * f * h * w)
        let col = s.zeros(workspace)
        let dcol = s.zeros(workspace)
        let px = s.make(x)
        let pw = s.make(wt)
        Convolution.forward(
            input: px, batch: n, channels: c, height: h, width: w, weight: pw, bias: s.make(b), filters: f,
            kernel: 3, output: y, col: col, algorithm: .im2col)
        let xd = x.map(Double.init)
        let wd = wt.map(Double.init)
        // 576-term float32 dot products: rounding about 1e-6 relative.
        #expect(
            scaledError(
                read(y, n * f * h * w), naiveConvolution(xd, wd, b.map(Double.init), n: n, c: c, h: h, w: w, f: f, k: 3)
            ) < 1e-5)
        let dx = s.zeros(x.count)
        let dw = s.zeros(wt.count)
        Convolution.backward(
            input: px, dOutput: s.make(r), batch: n, channels: c, height: h, width: w, weight: pw,
            filters: f, kernel: 3, dInput: dx, dWeight: dw, dBias: nil, col: col, dcol: dcol,
            algorithm: .im2col)
        // Direct adjoints: dx[c,p,q] = Σ W[o,c,u,v]·r[o,p−u+1,q−v+1]; dW[o,c,u,v] = Σ r[o,i,j]·x[c,i+u−1,j+v−1].
        var dxRef = [Double](repeating: 0, count: x.count)
        var dwRef = [Double](repeating: 0, count: wt.count)
        for o in 0..<f {
            for ch in 0..<c {
                for u in 0..<3 {
                    for v in 0..<3 {
                        let wi = ((o * c + ch) * 3 + u) * 3 + v
                        for i in 0..<h {
                            for j in 0..<w {
                                let si = i + u - 1
                                let sj = j + v - 1
                                if si < 0 || si >= h || sj < 0 || sj >= w { continue }
                                let g = Double(r[(o * h + i) * w + j])
                                dwRef[wi] += g * xd[(ch * h + si) * w + sj]
                                dxRef[(ch * h + si) * w + sj] += g * wd[wi]
                            }
                        }
                    }
                }
            }
        }
        // Sums over 2,048 pixels (dW) or 27 taps (dx) in float32: 1e-5 relative to the largest entry.
        #expect(scaledError(read(dx, x.count), dxRef) < 1e-5)
        #expect(scaledError(read(dw, wt.count), dwRef) < 1e-5)
    }

    @Test func transposedConvolutionMatchesDirectLoopAndFiniteDifferences() {
        for (n, c, h, w, f) in [(1, 1, 1, 1, 1), (2, 3, 3, 5, 4), (1, 6, 2, 2, 7), (3, 5, 1, 3, 2)] {
            let s = Scratch()
            let x = randomValues(n * c * h * w, seed: 11)
            let wt = randomValues(c * f * 4, seed: 12)
            let b = randomValues(f, seed: 13)
            let r = randomValues(n * f * 4 * h * w, seed: 14)
            let y = s.zeros(r.count)
            let col = s.zeros(TransposedConvolution.workspaceCount(outputChannels: f, height: h, width: w))
            let px = s.make(x)
            let pw = s.make(wt)
            TransposedConvolution.forward(
                input: px, batch: n, channels: c, height: h, width: w, weight: pw, bias: s.make(b),
                outputChannels: f, output: y, col: col)
            let reference = { (v: [[Double]]) in naiveTransposed(v[0], v[1], v[2], n: n, c: c, h: h, w: w, f: f) }
            // Dot products of ≤ 6 float32 terms: relative rounding ≈ 1e-7.
            #expect(scaledError(read(y, r.count), reference([x, wt, b].map { $0.map(Double.init) })) < 1e-5)
            let dx = s.zeros(x.count)
            let dw = s.zeros(wt.count)
            let db = s.zeros(f)
            TransposedConvolution.backward(
                input: px, dOutput: s.make(r), batch: n, channels: c, height: h, width: w,
                weight: pw, outputChannels: f, dInput: dx, dWeight: dw, dBias: db, col: col)
            expectGradients(
                "transposed conv \((n, c, h, w, f))", inputs: [x, wt, b], r: r, reference: reference,
                analytic: [read(dx, x.count), read(dw, wt.count), read(db, f)], tolerance: 1e-4)
        }
    }

    @Test(arguments: [3, 1], [Algorithm3x3.im2col, .winograd, .winograd4])
    func fusedReLUEqualsSeparateReLUForwardAndBackward(kernel k: Int, algorithm a: Algorithm3x3) {
        // The second shape spans several bands, so masking band by band is exercised at band edges.
        for (n, c, h, w, f) in [(2, 5, 4, 3, 3), (1, 64, 32, 64, 3)] {
            let s = Scratch()
            let count = n * f * h * w
            let x = s.make(randomValues(n * c * h * w, seed: 15))
            let wt = s.make(randomValues(f * c * k * k, seed: 16))
            let b = s.make(randomValues(f, seed: 17))
            let r = randomValues(count, seed: 18)
            let workspace = max(
                1,
                Convolution.workspaceCount(
                    channels: c, filters: f, height: h, width: w, kernel: k,
                    algorithm: a))
            let col = s.zeros(workspace)
            let dcol = s.zeros(workspace)
            let fused = s.zeros(count)
            let separate = s.zeros(count)
            Convolution.forward(
                input: x, batch: n, channels: c, height: h, width: w, weight: wt, bias: b, filters: f,
                kernel: k, relu: true, output: fused, col: col, algorithm: a)
            Convolution.forward(
                input: x, batch: n, channels: c, height: h, width: w, weight: wt, bias: b, filters: f,
                kernel: k, output: separate, col: col, algorithm: a)
            Activation.reluForward(separate, count: count)
            // Same GEMMs in the same order: bitwise equal.
            #expect(read(fused, count) == read(separate, count))
            let dyFused = s.make(r)
            let dySeparate = s.make(r)
            Activation.reluBackward(output: separate, gradient: dySeparate, count: count)
            let grads = (0..<2).map { _ in (s.zeros(n * c * h * w), s.zeros(f * c * k * k), s.zeros(f)) }
            Convolution.backward(
                input: x, dOutput: dyFused, reluOutput: fused, batch: n, channels: c, height: h, width: w,
                weight: wt, filters: f, kernel: k, dInput: grads[0].0, dWeight: grads[0].1, dBias: grads[0].2,
                col: col, dcol: dcol, algorithm: a)
            Convolution.backward(
                input: x, dOutput: dySeparate, batch: n, channels: c, height: h, width: w, weight: wt,
                filters: f, kernel: k, dInput: grads[1].0, dWeight: grads[1].1, dBias: grads[1].2,
                col: col, dcol: dcol, algorithm: a)
            #expect(read(dyFused, count) == read(dySeparate, count), "dy masked in place")
            #expect(read(grads[0].0, n * c * h * w) == read(grads[1].0, n * c * h * w))
            #expect(read(grads[0].1, f * c * k * k) == read(grads[1].1, f * c * k * k))
            // The bias sum runs band by band when fused, whole rows when not: float32 reassociation only.
            #expect(scaledError(read(grads[0].2, f), read(grads[1].2, f).map(Double.init)) < 1e-5)
        }
    }
}
