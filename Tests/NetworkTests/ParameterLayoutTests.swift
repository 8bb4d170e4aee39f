// The flat parameter layout: counts from SPEC §1, forward order, contiguous parts, Keras initialisation.
import Network
import Testing

@Suite struct ParameterLayoutTests {
    @Test func paperModelHasTheSpecParameterCounts() throws {
        let layout = ParameterLayout(configuration: ModelConfiguration())
        // SPEC §1: 781,281 explainer weights plus BN γ, β; 1,221,922 classifier weights.
        #expect(layout.range(of: .explainer).count == 781_281 + 2)
        #expect(layout.range(of: .classifier).count == 1_221_922)
        #expect(layout.entries.first?.name == "explainer.enc1.conv1.weight")
        #expect(layout.entries.last?.name == "classifier.out.bias")
        #expect(layout.entry(named: "explainer.dec3.up.weight")?.shape == [128, 128, 2, 2])
        #expect(layout.entry(named: "classifier.fc1.weight")?.shape == [128, 256])
    }

    @Test func entriesTileTheBufferWithoutGaps() {
        let layout = ParameterLayout(configuration: ModelConfiguration(side: 32, baseWidth: 3, classes: 5, hidden: 7))
        var next = 0
        for entry in layout.entries {
            #expect(entry.offset == next, "\(entry.name) starts at \(entry.offset), expected \(next)")
            next += entry.count
        }
        #expect(next == layout.count)
        #expect(layout.range(of: .explainer).upperBound == layout.range(of: .classifier).lowerBound)
    }

    @Test func eachEntryBelongsToThePartItsNameStartsWith() {
        let layout = ParameterLayout(configuration: ModelConfiguration(side: 32, baseWidth: 3, classes: 5, hidden: 7))
        for entry in layout.entries {
            #expect(entry.name.hasPrefix(entry.part.rawValue + "."), "\(entry.name) is declared in \(entry.part)")
            #expect(layout.range(of: entry.part).contains(entry.offset))
        }
    }

    @Test func kerasInitialisationIsGlorotWithZeroBiasesAndUnitGamma() throws {
        let model = try JointModel(
            configuration: ModelConfiguration(side: 32, baseWidth: 4, hidden: 8), batchCapacity: 1)
        model.initialize(seed: 7)
        for entry in model.layout.entries {
            let values = model.parameters[entry.range]
            if entry.name.hasSuffix("bn.weight") {
                #expect(values.allSatisfy { $0 == 1 })
            } else if entry.shape.count == 1 {
                #expect(values.allSatisfy { $0 == 0 }, "\(entry.name) is not zero")
            } else {
                let area = entry.shape.count == 4 ? entry.shape[2] * entry.shape[3] : 1
                let limit = Float((6.0 / Double((entry.shape[0] + entry.shape[1]) * area)).squareRoot())
                #expect(values.allSatisfy { abs($0) <= limit }, "\(entry.name) exceeds its Glorot limit")
                // A uniform draw over ±limit of this many values spans most of the interval.
                #expect((values.max() ?? 0) > limit * 0.5 && (values.min() ?? 0) < -limit * 0.5)
            }
        }
        #expect(model.buffers == [0, 1])
        let again = try JointModel(configuration: model.configuration, batchCapacity: 1)
        again.initialize(seed: 7)
        #expect(again.parameters == model.parameters)
    }

    @Test func configurationRejectsASideThatIsNotAMultipleOf16() {
        #expect(throws: NetworkError.self) { try ModelConfiguration(side: 40).validate() }
        #expect(throws: NetworkError.self) {
            try JointModel(configuration: ModelConfiguration(side: 32), batchCapacity: 0)
        }
    }
}
