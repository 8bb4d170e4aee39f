// What `xcnn evaluate` reports over a set of images: accuracy per class (by name) and, per
// explanation method, the means of its map scores over images with and without the target and of
// its deletion curves. Encoded as evaluation.json.

/// The means of one method's scores over the evaluated images.
public struct MethodSummary: Sendable, Equatable, Codable {
    public var method: String
    /// Images with the target; means over them. A map that is zero everywhere counts 0 in the
    /// energy shares and the pointing game (it points nowhere).
    public var targetImages = 0
    public var energyInBox: Double?
    public var uniformInBox: Double?
    public var energyInMask: Double?
    public var uniformInMask: Double?
    public var pointingGame: Double?
    public var iou: Double?
    /// Mean over the target images that have a meaningful pixel (POMPOM is undefined without one),
    /// and how many those are.
    public var pompom: Double?
    public var pompomImages = 0
    /// Images without the target (only in datasets with masks or boxes): active share (E ≥ 0.75)
    /// and mean E.
    public var negativeImages = 0
    public var negativesActiveShare: Double?
    public var negativesMeanE: Double?
    /// Images with the target and other shapes drawn (synthetic sets): mean share of E on the other
    /// shapes' outlines, a uniform map's value there, and how many images that is (the paper's
    /// λ 1e-8 finding: E also on the circles). Without a target a map's share is that of a map
    /// near zero, so those images are left out, as in the energy in the box.
    public var distractorImages = 0
    public var energyOnDistractors: Double?
    public var uniformOnDistractors: Double?
    /// All images: active share and mean E.
    public var activeShare: Double?
    public var meanE: Double?
    /// Deletion over every image with a curve: mean area under the curve, AOPC (Samek et al. 2017,
    /// eq. 12), and the mean curve p̄_k.
    public var deletionImages = 0
    public var deletionAUC: Double?
    public var aopc: Double?
    public var deletionCurve: [Double]?

    public init(method: String, images: [ImageEvaluation], methodIndex: Int) {
        self.method = method
        func mean(_ values: [Double]) -> Double? { values.isEmpty ? nil : values.reduce(0, +) / Double(values.count) }
        let scores = images.map { $0.scores[methodIndex] }
        let targets = scores.filter { $0.hasTarget == true }
        targetImages = targets.count
        if !targets.isEmpty {
            if targets.allSatisfy({ $0.uniformInBox != nil }) {
                energyInBox = mean(targets.map { $0.energyInBox ?? 0 })
                uniformInBox = mean(targets.map { $0.uniformInBox! })
            }
            if targets.allSatisfy({ $0.uniformInMask != nil }) {
                energyInMask = mean(targets.map { $0.energyInMask ?? 0 })
                uniformInMask = mean(targets.map { $0.uniformInMask! })
                iou = mean(targets.map { $0.iou ?? 0 })
            }
            pointingGame = mean(targets.map { $0.pointingHit ?? 0 })
            let withPompom = targets.compactMap(\.pompom)
            pompom = mean(withPompom)
            pompomImages = withPompom.count
        }
        let negatives = scores.filter { $0.hasTarget == false }
        negativeImages = negatives.count
        negativesActiveShare = mean(negatives.map(\.activeShare))
        negativesMeanE = mean(negatives.map(\.meanE))
        let withDistractors = targets.filter { $0.uniformOnDistractors != nil }
        distractorImages = withDistractors.count
        energyOnDistractors = mean(withDistractors.compactMap(\.energyOnDistractors))
        uniformOnDistractors = mean(withDistractors.compactMap(\.uniformOnDistractors))
        activeShare = mean(scores.map(\.activeShare))
        meanE = mean(scores.map(\.meanE))
        let curves = scores.compactMap(\.deletion)
        deletionImages = curves.count
        if let first = curves.first, curves.allSatisfy({ $0.deletedPatches == first.deletedPatches }) {
            deletionAUC = mean(curves.map(\.areaUnderCurve))
            aopc = mean(curves.map(\.perturbationCurveArea))
            deletionCurve = first.probabilities.indices.map { k in
                curves.reduce(0) { $0 + $1.probabilities[k] } / Double(curves.count)
            }
        }
    }
}

/// Accuracy of one class: images labelled with it and how many of them were predicted right.
public struct ClassAccuracy: Sendable, Equatable, Codable {
    public var name: String
    public var images: Int
    public var correct: Int
    public var accuracy: Double? { images > 0 ? Double(correct) / Double(images) : nil }
}

/// What was evaluated and how: enough for `xcnn report` to draw the same methods on the same model.
public struct EvaluationSetup: Sendable, Equatable, Codable {
    /// The checkpoint's path as given on the command line.
    public var checkpoint: String
    /// The dataset (synthetic:<preset> or a directory) and split scored, and the image count given for
    /// a generated set (nil: the preset's or the run's).
    public var dataset: String
    public var imageCount: Int?
    public var split: String
    /// Image side S the model saw.
    public var side: Int
    /// Which classifier the post-hoc methods explained: "joint" or "phase1".
    public var classifier: String
    /// Deletion steps L (0: none).
    public var deletionSteps: Int

    public init(
        checkpoint: String, dataset: String, imageCount: Int?, split: String, side: Int, classifier: String,
        deletionSteps: Int
    ) {
        self.checkpoint = checkpoint
        self.dataset = dataset
        self.imageCount = imageCount
        self.split = split
        self.side = side
        self.classifier = classifier
        self.deletionSteps = deletionSteps
    }
}

/// Where `xcnn evaluate --save-maps` wrote each method's raw maps, and which image each row is.
public struct SavedMapsListing: Sendable, Equatable, Codable {
    /// One image of the maps file: row n of every tensor.
    public struct Image: Sendable, Equatable, Codable {
        /// Index in the dataset.
        public var index: Int
        /// The image file, for datasets read from files (nil for generated sets).
        public var path: String?
        public init(index: Int, path: String?) {
            self.index = index
            self.path = path
        }
    }

    /// The safetensors file, relative to evaluation.json's folder.
    public var file: String
    /// The input tensor's name: [N, 3, S, S] float32 in [0, 1], planar RGB, as the model saw it.
    public var input: String
    /// One [N, S, S] float32 tensor per method, named after it: the raw map (signed where the method
    /// is; before the |map| / max normalisation used for scoring), the explainer's E as it is.
    public var methods: [String]
    /// Row n of every tensor is `images[n]`, the same order as `perImage`.
    public var images: [Image]

    public init(file: String, input: String, methods: [String], images: [Image]) {
        self.file = file
        self.input = input
        self.methods = methods
        self.images = images
    }
}

public struct EvaluationReport: Sendable, Equatable, Codable {
    /// Class names; label and prediction i is `classes[i]`.
    public var classes: [String]
    public var images: Int
    public var accuracy: Double
    public var perClass: [ClassAccuracy]
    /// Method names in the order of each image's `scores`.
    public var methods: [String]
    public var summaries: [MethodSummary]
    /// Every image, in dataset order of the evaluated split.
    public var perImage: [ImageEvaluation]
    /// What was evaluated (absent in files written before it was recorded).
    public var setup: EvaluationSetup?
    /// The maps file of --save-maps, if one was written.
    public var savedMaps: SavedMapsListing?

    public init(
        classes: [String], methods: [String], images: [ImageEvaluation], setup: EvaluationSetup? = nil,
        savedMaps: SavedMapsListing? = nil
    ) {
        self.setup = setup
        self.savedMaps = savedMaps
        precondition(!images.isEmpty, "nothing to report")
        self.classes = classes
        self.methods = methods
        self.images = images.count
        accuracy = Double(images.filter { $0.predicted == $0.label }.count) / Double(images.count)
        perClass = classes.indices.map { c in
            let mine = images.filter { $0.label == c }
            return ClassAccuracy(name: classes[c], images: mine.count, correct: mine.filter { $0.predicted == c }.count)
        }
        summaries = methods.enumerated().map {
            MethodSummary(method: $0.element, images: images, methodIndex: $0.offset)
        }
        perImage = images.map { image in
            var named = image
            named.labelName = classes.indices.contains(image.label) ? classes[image.label] : nil
            named.predictedName = classes.indices.contains(image.predicted) ? classes[image.predicted] : nil
            return named
        }
    }
}
