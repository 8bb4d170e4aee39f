// Adam: PyTorch's update formula in Double, and its state exported and imported.
import Testing
import Training

@Suite struct AdamTests {
    /// Golden from PyTorch 2.13 (torch.optim.Adam(lr=0.01), defaults β 0.9/0.999, ε 1e-8), four
    /// steps with gradients g·(1 + 0.5k), k = 0…3; ten values so both the 8-wide and the scalar
    /// loop run. Printed by:
    ///   p = torch.tensor([...], requires_grad=True); opt = torch.optim.Adam([p], lr=0.01)
    ///   for k in range(4): p.grad = g * (1 + 0.5 * k); opt.step()
    @Test func adamMatchesPyTorch() throws {
        var parameters: [Float] = [0.5, -0.2, 1.0, 3.0, 0.25, -1.5, 2.0, 0.1, -0.7, 0.9]
        let gradients: [Float] = [0.3, -2.0, 1e-5, 7.0, 0.0, -0.4, 1.1, -3.0, 0.05, 2.5]
        let torch: [Float] = [
            0.4603395462036133, -0.16033954918384552, 0.9603689908981323, 2.9603397846221924, 0.25,
            -1.4603395462036133, 1.9603395462036133, 0.13966046273708344, -0.7396604418754578,
            0.8603395223617554,
        ]
        var adam = Adam(parameterCount: 10, learningRate: 0.01)
        for k in 0..<4 {
            adam.update(
                parameters: &parameters, gradients: gradients.map { $0 * (1 + 0.5 * Float(k)) }, range: 0..<10,
                step: k + 1)
        }
        // Same float32 operations in the same order as PyTorch's single-tensor path, except the bias
        // corrections (computed in Double here, in Python floats there): at most an ulp or two.
        for i in 0..<10 {
            #expect(
                abs(parameters[i] - torch[i]) <= 4 * torch[i].magnitude.ulp,
                "parameter \(i): \(parameters[i]) vs \(torch[i])")
        }
        var restored = Adam(parameterCount: 10)
        try restored.importState(adam.exportState())
        #expect(restored.exportState() == adam.exportState())
        #expect(throws: TrainingError.self) { try restored.importState([[1, 2]]) }
        var outside: [Float] = [1, 2]
        var partial = Adam(parameterCount: 2)
        partial.update(parameters: &outside, gradients: [1, 1], range: 0..<1, step: 1)
        #expect(
            abs(outside[0] - 0.999) < 1e-6 && outside[1] == 2,
            "the first step moves by lr; outside the range nothing moves")
    }
}
