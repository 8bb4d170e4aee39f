// Adadelta, Adam and momentum SGD: the update formulas in Double, the index range, state export/import.
import Testing
import Training

@Suite struct OptimizerTests {
    @Test func adadeltaFollowsTheKerasFormulaOnlyInsideItsRange() throws {
        var parameters: [Float] = [0.5, -0.2, 1.0, 3.0], optimizer = Adadelta(parameterCount: 4)
        let gradients: [Float] = [0.3, -2.0, 1e-5, 7.0]
        var p = parameters.map(Double.init), sq = [Double](repeating: 0, count: 4), acc = sq
        for _ in 0..<3 {
            optimizer.update(parameters: &parameters, gradients: gradients, range: 0..<3)
            for i in 0..<3 {
                let g = Double(gradients[i])
                sq[i] = 0.95 * sq[i] + 0.05 * g * g
                let d = (acc[i] + 1e-7).squareRoot() / (sq[i] + 1e-7).squareRoot() * g
                acc[i] = 0.95 * acc[i] + 0.05 * d * d
                p[i] -= d
            }
        }
        // float32 arithmetic over three steps: a few ulps of each value.
        for i in 0..<3 { #expect(abs(Double(parameters[i]) - p[i]) < 1e-6 * max(1, abs(p[i])), "parameter \(i)") }
        #expect(parameters[3] == 3.0 && optimizer.squareAverage[3] == 0, "outside the range nothing moves")
        let state = optimizer.exportState()
        var restored = Adadelta(parameterCount: 4)
        try restored.importState(state)
        #expect(restored.exportState() == state)
        #expect(throws: TrainingError.self) { try restored.importState([[1, 2]]) }
    }

    /// Golden from PyTorch 2.13 (torch.optim.Adam(lr=0.01), defaults β 0.9/0.999, ε 1e-8), four
    /// steps with gradients g·(1 + 0.5k), k = 0…3; ten values so both the 8-wide and the scalar
    /// loop run. Printed by:
    ///   p = torch.tensor([...], requires_grad=True); opt = torch.optim.Adam([p], lr=0.01)
    ///   for k in range(4): p.grad = g * (1 + 0.5 * k); opt.step()
    @Test func adamMatchesPyTorch() throws {
        var parameters: [Float] = [0.5, -0.2, 1.0, 3.0, 0.25, -1.5, 2.0, 0.1, -0.7, 0.9]
        let gradients: [Float] = [0.3, -2.0, 1e-5, 7.0, 0.0, -0.4, 1.1, -3.0, 0.05, 2.5]
        let torch: [Float] = [0.4603395462036133, -0.16033954918384552, 0.9603689908981323, 2.9603397846221924, 0.25,
                              -1.4603395462036133, 1.9603395462036133, 0.13966046273708344, -0.7396604418754578,
                              0.8603395223617554]
        var adam = Adam(parameterCount: 10, learningRate: 0.01)
        for k in 0..<4 {
            adam.update(parameters: &parameters, gradients: gradients.map { $0 * (1 + 0.5 * Float(k)) }, range: 0..<10, step: k + 1)
        }
        // Same float32 operations in the same order as PyTorch's single-tensor path, except the bias
        // corrections (computed in Double here, in Python floats there): at most an ulp or two.
        for i in 0..<10 {
            #expect(abs(parameters[i] - torch[i]) <= 4 * torch[i].magnitude.ulp, "parameter \(i): \(parameters[i]) vs \(torch[i])")
        }
        var restored = Adam(parameterCount: 10)
        try restored.importState(adam.exportState())
        #expect(restored.exportState() == adam.exportState())
        #expect(throws: TrainingError.self) { try restored.importState([[1, 2]]) }
        var outside: [Float] = [1, 2], partial = Adam(parameterCount: 2)
        partial.update(parameters: &outside, gradients: [1, 1], range: 0..<1, step: 1)
        #expect(abs(outside[0] - 0.999) < 1e-6 && outside[1] == 2, "the first step moves by lr; outside the range nothing moves")
    }

    @Test func momentumSGDAccumulatesVelocity() throws {
        var parameters: [Float] = [1, 1], sgd = MomentumSGD(parameterCount: 2, learningRate: 0.1, momentum: 0.9)
        sgd.update(parameters: &parameters, gradients: [1, 0], range: 0..<2)
        sgd.update(parameters: &parameters, gradients: [1, 0], range: 0..<2)
        // v1 = −0.1, p1 = 0.9; v2 = −0.09 − 0.1 = −0.19, p2 = 0.71.
        #expect(abs(parameters[0] - 0.71) < 1e-6 && parameters[1] == 1)
        var copy = MomentumSGD(parameterCount: 2, learningRate: 0.1)
        try copy.importState(sgd.exportState())
        #expect(copy.velocity == sgd.velocity)
    }
}
