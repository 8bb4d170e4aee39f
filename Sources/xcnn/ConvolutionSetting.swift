// XCNN_CONV3X3 = im2col | winograd | winograd4 puts every 3×3 convolution of the models this process
// builds on one algorithm (A/B runs, benchmarks); unset, each layer takes the measured per-layer rule
// (Convolution.algorithm). Read here only: the kernels get the choice as ModelConfiguration.convolution3x3.
import ArgumentParser
import Foundation
import Kernels
import Network
import Training

extension Algorithm3x3: ExpressibleByArgument {}

enum ConvolutionSetting {
    static let variable = "XCNN_CONV3X3"

    /// The algorithm the environment names, nil when unset; another word is refused by name.
    static func fromEnvironment() throws -> Algorithm3x3? {
        guard let word = ProcessInfo.processInfo.environment[variable], !word.isEmpty else { return nil }
        guard let algorithm = Algorithm3x3(rawValue: word) else {
            let words = Algorithm3x3.allCases.map(\.rawValue).joined(separator: ", ")
            throw CommandFailure("\(variable)=\(word): expected one of \(words), or unset for the per-layer rule")
        }
        return algorithm
    }
}

extension TrainingConfiguration {
    /// The model this configuration describes, for `classes` classes and batches of up to
    /// `batchCapacity` images, with the 3×3 algorithm the environment asks for.
    func makeModel(classes: Int, batchCapacity: Int) throws -> JointModel {
        try JointModel(
            configuration: modelConfiguration(classes: classes, convolution3x3: ConvolutionSetting.fromEnvironment()),
            batchCapacity: batchCapacity)
    }
}
