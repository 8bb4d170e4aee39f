// `xcnn generate`: writes a synthetic polygon dataset in PASCAL VOC layout (SPEC §3). Under mpirun
// the ranks write disjoint ranges of images, each on several threads, and rank 0 writes the image
// sets; the files are the same for any number of ranks and threads.
import ArgumentParser
import Datasets
import Foundation
import MessagePassing
import Training

struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Generate a synthetic polygon dataset (PNG images, VOC XML, target masks).",
        discussion: "Example: xcnn generate --preset paper-no-colour --count 1000 --seed 7 --output data/shapes"
    )

    @Option(help: "Start from a preset: \(GeneratorOptions.presetNames.joined(separator: ", ")).")
    var preset: String?
    @Option(help: "Folder to write (created; must not already hold a dataset).") var output: String
    @Option(help: "Number of images.") var count: Int?
    @Option(help: "Seed: the same seed and options give the same bytes.") var seed: UInt64 = 0
    @Option(help: "Writer threads per rank (default: this machine's cores shared among the ranks on it).")
    var threads: Int?
    @Option(help: "Image side in pixels.") var side: Int?
    @Option(help: "Shapes per image: N or MIN-MAX.") var shapes: String?
    @Option(help: "Radius range MIN-MAX in pixels (MAX excluded).") var radius: String?
    @Option(help: "Whole-pixel radii as the authors' randint draws them: true or false (default true).")
    var wholeRadius: Bool?
    @Option(
        help:
            "dark-on-light (the authors': black outlines on white) or light-on-dark (white on black); --background and --shape-colour override it."
    )
    var polarity: String?
    @Option(help: "Target shape: circle, triangle, square, star5-2, or pP-Q for a p/q star polygon.") var target:
        String?
    @Option(help: "Distractor shapes, comma-separated (used when not --simplified).") var distractors: String?
    @Option(help: "Colour of the target (#rrggbb): the colour-cue variant.") var targetColour: String?
    @Option(help: "Colour of the other shapes (#rrggbb).") var shapeColour: String?
    @Option(help: "Background colour (#rrggbb).") var background: String?
    @Option(help: "Gaussian noise σ in units of full intensity.") var noise: Double?
    @Option(help: "Exact number of positive images (default: each image is positive with probability ½).")
    var positives: Int?
    @Option(help: "Shapes may overlap: true or false.") var overlap: Bool?
    @Option(help: "Shapes may be cut by the border: true or false.") var borderOcclusion: Bool?
    @Option(help: "Rotate shapes randomly: true or false.") var rotate: Bool?
    @Option(help: "Simplified mode (first shape is the target with probability ½, others circles): true or false.")
    var simplified: Bool?

    static func range(_ text: String, flag: String) throws -> (Double, Double) {
        let parts = text.split(separator: "-").map { Double($0.trimmingCharacters(in: .whitespaces)) }
        if parts.count == 1, let value = parts[0] { return (value, value) }
        guard parts.count == 2, let low = parts[0], let high = parts[1], low <= high else {
            throw ValidationError("invalid --\(flag) \(text): expected N or MIN-MAX")
        }
        return (low, high)
    }

    static func colour(_ text: String, flag: String) throws -> Colour {
        guard let colour = Colour(text) else { throw ValidationError("invalid --\(flag) \(text): expected #rrggbb") }
        return colour
    }

    static func shape(_ text: String, flag: String) throws -> ShapeKind {
        guard let kind = ShapeKind(name: text) else {
            throw ValidationError(
                "invalid --\(flag) \(text): expected circle, triangle, square, pentagon, pentagram or starP-Q")
        }
        return kind
    }

    func options() throws -> GeneratorOptions {
        var o = GeneratorOptions()
        if let preset {
            guard let chosen = GeneratorOptions.preset(named: preset) else {
                throw ValidationError(
                    "invalid --preset \(preset): presets are \(GeneratorOptions.presetNames.joined(separator: ", "))")
            }
            o = chosen
        }
        o.seed = seed
        if let count { o.count = count }
        if let side { o.side = side }
        if let shapes {
            let (low, high) = try Self.range(shapes, flag: "shapes")
            guard low >= 1, low == low.rounded(), high == high.rounded() else {
                throw ValidationError("invalid --shapes \(shapes): whole numbers from 1")
            }
            o.shapesPerImage = Int(low)...Int(high)
        }
        if let radius {
            let (low, high) = try Self.range(radius, flag: "radius")
            guard low < high else { throw ValidationError("invalid --radius \(radius): MIN must be below MAX") }
            o.radius = low..<high
        }
        if let wholeRadius { o.wholeRadius = wholeRadius }
        if let polarity {
            switch polarity {
            case "dark-on-light": (o.background, o.shapeColour) = (.white, .black)
            case "light-on-dark": (o.background, o.shapeColour) = (.black, .white)
            default: throw ValidationError("invalid --polarity \(polarity): expected dark-on-light or light-on-dark")
            }
        }
        if let target { o.target = try Self.shape(target, flag: "target") }
        if let distractors {
            o.distractors = try distractors.split(separator: ",").map {
                try Self.shape(String($0), flag: "distractors")
            }
        }
        if let targetColour { o.targetColour = try Self.colour(targetColour, flag: "target-colour") }
        if let shapeColour { o.shapeColour = try Self.colour(shapeColour, flag: "shape-colour") }
        if let background { o.background = try Self.colour(background, flag: "background") }
        if let noise { o.noise = noise }
        if let positives { o.positives = positives }
        if let overlap { o.allowOverlap = overlap }
        if let borderOcclusion { o.allowBorderOcclusion = borderOcclusion }
        if let rotate { o.rotate = rotate }
        if let simplified { o.simplified = simplified }
        return o
    }

    func validate() throws {
        _ = try options()
        if let threads, threads < 1 { throw ValidationError("invalid --threads \(threads): at least 1") }
        if FileManager.default.fileExists(
            atPath: URL(fileURLWithPath: output).appendingPathComponent("Annotations").path)
        {
            throw ValidationError("--output \(output) already holds a dataset (Annotations/); choose another folder")
        }
    }

    func run() throws {
        let options = try options()
        let generator = try SyntheticGenerator(options: options)
        // Started by no launcher, the world is this process alone: MPI's singleton start-up (a third
        // of a second of waiting) is skipped.
        let launched = Communicator.launchedByMPIRun || XCNN.rankInEnvironment != nil
        let world = launched ? try Communicator.world() : nil
        let (rank, size) = (world?.rank ?? 0, world?.size ?? 1)
        let threads = try threads ?? Self.defaultThreads(world)
        let writer = VOCWriter(generator: generator, directory: output)
        // Contiguous, disjoint ranges per rank; the image sets need only the shape kinds.
        let share = (options.count + size - 1) / size
        let range = min(rank * share, options.count)..<min((rank + 1) * share, options.count)
        let clock = Stopwatch()
        var counts = try writer.writeImages(range, threads: threads)
        var totals = [Double(counts.images), Double(counts.positives), Double(counts.negatives)]
        try world?.allreduce(&totals, .sum)
        if rank == 0 {
            try writer.writeImageSets()
            if size == 1 {
                print(counts)
            } else {
                counts.images = Int(totals[0])
                counts.positives = Int(totals[1])
                counts.negatives = Int(totals[2])
                print("\(counts.images) images: \(counts.positives) positive, \(counts.negatives) negative")
            }
            let seconds = clock.seconds
            print(
                "wrote \(output) in \(String(format: "%.2f", seconds)) s on \(size) rank(s) × \(threads) thread(s)")
        }
    }

    /// The cores of this machine shared among the ranks running on it (ranks are matched by
    /// MPI's processor name), at least one thread each.
    static func defaultThreads(_ world: Communicator?) throws -> Int {
        let cores = ProcessInfo.processInfo.activeProcessorCount
        guard let world, world.size > 1 else { return max(1, cores) }
        let name = Array(world.processorName.utf8)
        let local = try world.allgather(bytes: name).filter { $0 == name }.count
        return max(1, cores / max(1, local))
    }
}
