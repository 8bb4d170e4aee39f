// Pointwise activations. Each backward is computed from the forward's OUTPUT and works in place on
// the gradient buffer (d ← d·f'(x)), so no pre-activation copy is kept: ReLU's mask is y > 0,
// tanh' = 1 − y², sigmoid' = y(1 − y).

import Foundation

public enum Activation {
    /// y ← max(y, 0) in place.
    public static func reluForward(_ y: UnsafeMutablePointer<Float>, count: Int) {
        // Branch-free so the loop vectorises.
        for j in 0..<count { y[j] = y[j] > 0 ? y[j] : 0 }
    }

    /// d ← d where y > 0, else 0 (in place; ReLU'(0) = 0).
    public static func reluBackward(output y: UnsafePointer<Float>, gradient d: UnsafeMutablePointer<Float>, count: Int)
    {
        for j in 0..<count { d[j] = y[j] > 0 ? d[j] : 0 }
    }

    /// y = tanh(x) (overwrites y; x and y may be the same buffer).
    public static func tanhForward(input x: UnsafePointer<Float>, output y: UnsafeMutablePointer<Float>, count: Int) {
        for j in 0..<count { y[j] = Float(tanh(Double(x[j]))) }
    }

    /// d ← d·(1 − y²) in place, y = tanh output.
    public static func tanhBackward(output y: UnsafePointer<Float>, gradient d: UnsafeMutablePointer<Float>, count: Int)
    {
        for j in 0..<count { d[j] *= 1 - y[j] * y[j] }
    }

    /// y = 1/(1 + e^−x) (overwrites y; x and y may be the same buffer).
    public static func sigmoidForward(input x: UnsafePointer<Float>, output y: UnsafeMutablePointer<Float>, count: Int)
    {
        for j in 0..<count { y[j] = Float(1 / (1 + exp(-Double(x[j])))) }
    }

    /// d ← d·y(1 − y) in place, y = sigmoid output.
    public static func sigmoidBackward(
        output y: UnsafePointer<Float>, gradient d: UnsafeMutablePointer<Float>, count: Int
    ) {
        for j in 0..<count { d[j] *= y[j] * (1 - y[j]) }
    }
}
