// Unaligned vector loads and stores through raw pointers, lane shuffles and a vector sum: the explicit SIMD loops
// use them where the compiler leaves a loop scalar on its own (strided access, reductions, selects,
// buffers that may alias). Public for the optimizers in Training.

@inline(__always) public func load8(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
}

@inline(__always) func load16(_ p: UnsafePointer<Float>) -> SIMD16<Float> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Float>.self)
}

@inline(__always) public func store8(_ p: UnsafeMutablePointer<Float>, _ v: SIMD8<Float>) {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD8<Float>.self)
}

@inline(__always) func store16(_ p: UnsafeMutablePointer<Float>, _ v: SIMD16<Float>) {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD16<Float>.self)
}

/// Σ p[0..<count] in eight partial sums (an ordered float sum stays scalar: 0.7 ms of a 64² step for
/// the transposed convolutions' bias gradients alone).
@inline(__always) func sum(_ p: UnsafePointer<Float>, count: Int) -> Float {
    let wide = count & ~7
    var partial = SIMD8<Float>()
    var tail: Float = 0
    for j in stride(from: 0, to: wide, by: 8) { partial += load8(p + j) }
    for j in wide..<count { tail += p[j] }
    return partial.sum() + tail
}

/// Lanes 0, 2, …, 14 and 1, 3, …, 15 of a 16-float vector (the even and odd columns of 8 pairs).
@inline(__always) func evens(_ v: SIMD16<Float>) -> SIMD8<Float> {
    SIMD8(v[0], v[2], v[4], v[6], v[8], v[10], v[12], v[14])
}

@inline(__always) func odds(_ v: SIMD16<Float>) -> SIMD8<Float> {
    SIMD8(v[1], v[3], v[5], v[7], v[9], v[11], v[13], v[15])
}

/// a0 b0 a1 b1 … a7 b7: the inverse of `evens` and `odds`.
@inline(__always) func interleave(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD16<Float> {
    SIMD16(a[0], b[0], a[1], b[1], a[2], b[2], a[3], b[3], a[4], b[4], a[5], b[5], a[6], b[6], a[7], b[7])
}
