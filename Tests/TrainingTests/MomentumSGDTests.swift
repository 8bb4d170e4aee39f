// SGD with momentum: the velocity accumulates, and its state exports and imports.
import Testing
import Training

@Suite struct MomentumSGDTests {
    @Test func momentumSGDAccumulatesVelocity() throws {
        var parameters: [Float] = [1, 1]
        var sgd = MomentumSGD(parameterCount: 2, learningRate: 0.1, momentum: 0.9)
        sgd.update(parameters: &parameters, gradients: [1, 0], range: 0..<2)
        sgd.update(parameters: &parameters, gradients: [1, 0], range: 0..<2)
        // v1 = −0.1, p1 = 0.9; v2 = −0.09 − 0.1 = −0.19, p2 = 0.71.
        #expect(abs(parameters[0] - 0.71) < 1e-6 && parameters[1] == 1)
        var copy = MomentumSGD(parameterCount: 2, learningRate: 0.1)
        try copy.importState(sgd.exportState())
        #expect(copy.velocity == sgd.velocity)
    }
}
