// The n-point Gauss–Legendre rule on [−1, 1], as numpy.polynomial.legendre.leggauss returns it (nodes
// ascending), which Captum's "gausslegendre" integrated gradients maps to [0, 1].
import Foundation

enum GaussLegendre {
    /// Nodes t_i (ascending) and weights u_i with Σ u_i f(t_i) exact for polynomials of degree < 2n.
    /// Newton's iteration on P_n from the Chebyshev-like guess cos(π(i − ¼)/(n + ½)), in Double.
    static func rule(_ n: Int) -> (nodes: [Double], weights: [Double]) {
        precondition(n >= 1, "a Gauss–Legendre rule needs at least one point")
        var nodes = [Double](repeating: 0, count: n)
        var weights = nodes
        for i in 1...n {
            var x = cos(Double.pi * (Double(i) - 0.25) / (Double(n) + 0.5))
            var derivative = 0.0
            for _ in 0..<100 {
                var p0 = 1.0
                var p1 = x
                for k in stride(from: 2, through: n, by: 1) {
                    let p2 = ((2 * Double(k) - 1) * x * p1 - (Double(k) - 1) * p0) / Double(k)
                    p0 = p1
                    p1 = p2
                }
                // p1 = P_n(x), p0 = P_{n−1}(x); P_n'(x) = n (x P_n − P_{n−1}) / (x² − 1).
                derivative = Double(n) * (x * p1 - p0) / (x * x - 1)
                let step = p1 / derivative
                x -= step
                if abs(step) < 1e-16 { break }
            }
            // The guesses run from +1 down; store ascending.
            nodes[n - i] = x
            weights[n - i] = 2 / ((1 - x * x) * derivative * derivative)
        }
        return (nodes, weights)
    }
}
