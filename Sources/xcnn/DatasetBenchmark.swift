// `xcnn bench data`'s measurement: throughput of the data path on the calling thread (one core):
// generation to disk and in memory, and loading a folder of PNGs at the model's side, in images per second.
import Datasets
import Foundation

struct DatasetBenchmark: Sendable, CustomStringConvertible {
    let side: Int
    let images: Int
    /// Render + PNG encode + annotation + mask, per image.
    let generationToDisk: Double
    /// Render + conversion to Float [3, S, S] (Dataset.synthetic's load).
    let generationInMemory: Double
    /// PNG decode + conversion to Float [3, S, S] from an image folder (Dataset.imageFolder's load).
    let folderLoading: Double
    /// As folderLoading, through a VOC directory (also decodes the mask PNG).
    let vocLoading: Double

    /// Runs each stage over `images` generated images of side × side under `directory` (created if
    /// needed; its contents are replaced). Uses paper-preset shapes with the given side.
    static func run(side: Int = 224, images: Int = 200, directory: String) throws -> DatasetBenchmark {
        var options = GeneratorOptions.paper(colourCue: false, seed: 1)
        options.side = side
        options.count = images
        let scale = Double(side) / 224
        options.radius = max(2, 7 * scale)..<max(3, 19 * scale)
        let voc = (directory as NSString).appendingPathComponent("voc")
        let folder = (directory as NSString).appendingPathComponent("folder")
        try? FileManager.default.removeItem(atPath: voc)
        try? FileManager.default.removeItem(atPath: folder)

        let generator = try SyntheticGenerator(options: options)
        let writer = VOCWriter(generator: generator, directory: voc)
        let toDisk = try rate(images) { try writer.writeImages(0..<images) }
        try writer.writeImageSets()

        let memory = try Dataset.synthetic(options)
        let inMemory = try rate(images) { for i in 0..<images { _ = try memory.load(index: i, side: side) } }

        // A one-class image folder made of links to the written PNGs.
        let classFolder = (folder as NSString).appendingPathComponent("images")
        do {
            try FileManager.default.createDirectory(atPath: classFolder, withIntermediateDirectories: true)
            for i in 0..<images {
                let name = generator.id(of: i) + ".png"
                try FileManager.default.createSymbolicLink(
                    atPath: (classFolder as NSString).appendingPathComponent(name),
                    withDestinationPath: ((voc as NSString).appendingPathComponent("JPEGImages") as NSString)
                        .appendingPathComponent(name))
            }
        } catch {
            throw DatasetError(
                path: classFolder, reason: "cannot build the benchmark folder (\(error.localizedDescription))")
        }
        let files = try Dataset.imageFolder(root: folder)
        let loading = try rate(images) { for i in 0..<images { _ = try files.load(index: i, side: side) } }
        let vocSet = try Dataset.voc(root: voc)
        let vocLoading = try rate(images) { for i in 0..<images { _ = try vocSet.load(index: i, side: side) } }
        return DatasetBenchmark(
            side: side, images: images, generationToDisk: toDisk, generationInMemory: inMemory,
            folderLoading: loading, vocLoading: vocLoading)
    }

    private static func rate(_ images: Int, _ work: () throws -> Void) throws -> Double {
        let clock = ContinuousClock()
        let elapsed = try clock.measure(work)
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        return Double(images) / max(seconds, 1e-9)
    }

    var description: String {
        func format(_ value: Double) -> String { String(format: "%.1f", value) }
        return "\(images) images \(side)x\(side), one thread: generation to disk \(format(generationToDisk)) img/s, "
            + "in memory \(format(generationInMemory)) img/s, folder loading \(format(folderLoading)) img/s, "
            + "VOC loading \(format(vocLoading)) img/s"
    }
}
