// `xcnn diagnose`: what the classifier answers when it is shown nothing (E = 0), everything (E = 1) or
// the explainer's E. A classifier that calls an empty view a positive makes the explainer keep a patch
// of ordinary-looking image on every picture (its "negative" evidence), the fixed patch that defeats
// the pointing game (docs/explanations.md, session 9).
import Attribution
import Datasets
import Foundation
import Kernels
import Network

extension DiagnoseCommand {
    /// Prints, per true class over `indices`, the mean probability the classifier gives to class 1 (the
    /// target class of the polygon sets) with E = 0, E = 1 and the model's inference-mode E.
    func classifierShown(model: JointModel, dataset: Dataset, indices: [Int], side: Int) throws {
        let attributor = try Attributor(model: model, classifier: .joint)
        let classes = model.configuration.classes
        guard classes >= 2 else { return }
        // [view][label]: sums of p(class 1) and counts; views: E = 0, E = 1, the model's E.
        var sums = [[Double]](repeating: [Double](repeating: 0, count: classes), count: 3)
        var counts = [Double](repeating: 0, count: classes)
        try forEachBatch(dataset: dataset, indices: indices, side: side) { samples, input in
            let n = samples.count
            let plane = side * side
            let views: [Tensor?] = [
                Tensor(shape: [n, 1, side, side], storage: [Float](repeating: 0, count: n * plane)), nil,
                attributor.explanation(for: input),
            ]
            for (v, e) in views.enumerated() {
                let p = attributor.probabilities(input: input, explanation: e).storage
                for (i, sample) in samples.enumerated() { sums[v][sample.label] += Double(p[i * classes + 1]) }
            }
            for sample in samples { counts[sample.label] += 1 }
        }
        let name = dataset.classes.count > 1 ? dataset.classes[1] : "class 1"
        for label in 0..<classes where counts[label] > 0 {
            let shown = (0..<3).map { String(format: "%.3f", sums[$0][label] / counts[label]) }
            let labelName = label < dataset.classes.count ? dataset.classes[label] : "class \(label)"
            print(
                "classifier p(\(name)) on \(Int(counts[label])) \(labelName) image(s): shown nothing (E = 0) \(shown[0]), "
                    + "everything (E = 1) \(shown[1]), its E \(shown[2])")
        }
    }
}
