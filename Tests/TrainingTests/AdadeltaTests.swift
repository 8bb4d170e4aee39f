// Adadelta: Keras' update formula in Double, only inside the range, and its state exported and imported.
import Testing
import Training

@Suite struct AdadeltaTests {
    @Test func adadeltaFollowsTheKerasFormulaOnlyInsideItsRange() throws {
        var parameters: [Float] = [0.5, -0.2, 1.0, 3.0]
        var optimizer = Adadelta(parameterCount: 4)
        let gradients: [Float] = [0.3, -2.0, 1e-5, 7.0]
        var p = parameters.map(Double.init)
        var sq = [Double](repeating: 0, count: 4)
        var acc = sq
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
}
