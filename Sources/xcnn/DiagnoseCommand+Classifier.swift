// `xcnn diagnose`, the classifier with E = 1 (how phase 1 trains it): whether its global-max-pool
// features tell the classes apart at all, and whether its sigmoid dense layers are saturated. The
// question it answers: why the classifier alone stays at chance on the polygon sets (issue 9 §6).
import Datasets
import Foundation
import Kernels
import Network
import Training

extension DiagnoseCommand {
    /// Prints, over `indices` (inference mode, E = 1): per feature of classifier.gmp [N, 8w] the
    /// separation |μ₁ − μ₀| / sqrt((σ₁² + σ₀²)/2) between the first two classes (its maximum and
    /// median over features), the share of features whose value hardly varies across images
    /// (σ ≤ 1e-3·|μ| + 1e-9), the features' mean, and the share of fc1 and fc2 sigmoid outputs
    /// saturated (below 0.02 or above 0.98).
    func classifierFeatures(model: JointModel, dataset: Dataset, indices: [Int], side: Int) throws {
        var features: [[Float]] = []
        var labels: [Int] = []
        var saturated = [0.0, 0.0]
        var hiddenValues = [0.0, 0.0]
        try forEachBatch(dataset: dataset, indices: indices, side: side) { samples, input in
            let n = samples.count
            _ = model.evaluate(
                input: input, labels: samples.map(\.label), boxMask: nil, phase: .classifierOnly, loss: LossWeights())
            let gmp = model.activation("classifier.gmp")!.storage
            let width = gmp.count / n
            for i in 0..<n { features.append(Array(gmp[(i * width)..<((i + 1) * width)])) }
            labels += samples.map(\.label)
            for (k, name) in ["classifier.fc1", "classifier.fc2"].enumerated() {
                let h = model.activation(name)!.storage
                saturated[k] += Double(h.filter { $0 < 0.02 || $0 > 0.98 }.count)
                hiddenValues[k] += Double(h.count)
            }
        }
        guard let width = features.first?.count, Set(labels).isSuperset(of: [0, 1]) else {
            print("classifier (E = 1): needs images of classes 0 and 1 among the \(indices.count) chosen")
            return
        }
        func moments(_ label: Int, _ j: Int) -> (mean: Double, variance: Double) {
            let values = zip(features, labels).filter { $0.1 == label }.map { Double($0.0[j]) }
            let mean = values.reduce(0, +) / Double(values.count)
            return (mean, values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count))
        }
        var separation: [Double] = []
        var constant = 0
        var overallMean = 0.0
        for j in 0..<width {
            let a = moments(0, j)
            let b = moments(1, j)
            separation.append(abs(b.mean - a.mean) / max(((a.variance + b.variance) / 2).squareRoot(), 1e-12))
            let all = features.map { Double($0[j]) }
            let mean = all.reduce(0, +) / Double(all.count)
            let sd = (all.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(all.count)).squareRoot()
            if sd <= 1e-3 * abs(mean) + 1e-9 { constant += 1 }
            overallMean += mean / Double(width)
        }
        let sorted = separation.sorted()
        print(
            String(
                format: "classifier (E = 1) over %d images: gmp features %d, mean %.4g; separation of classes 0/1 "
                    + "max %.3f, median %.3f; features constant across images %d of %d; sigmoid saturated fc1 %.3f, fc2 %.3f",
                features.count, width, overallMean, sorted.last ?? 0, sorted[sorted.count / 2], constant, width,
                saturated[0] / max(hiddenValues[0], 1), saturated[1] / max(hiddenValues[1], 1)))
    }
}
