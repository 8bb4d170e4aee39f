// The three sources behind Dataset agree: the generator in memory, its VOC directory on disk, and
// image folders; labels, splits, pixels and masks.
import Datasets
import Foundation
import Testing

@Suite struct DatasetTests {
    @Test func syntheticSamplesAreTheGeneratorsImages() throws {
        let options = TestSupport.smallOptions(count: 6)
        let dataset = try Dataset.synthetic(options)
        let generator = try SyntheticGenerator(options: options)
        #expect(dataset.count == 6 && dataset.classes == ["no-triangle", "triangle"])
        #expect(dataset.labels == generator.labels)
        for i in 0..<dataset.count {
            let sample = try dataset.load(index: i, side: 48)
            let image = generator.image(at: i)
            #expect(sample.pixels == image.pixels)
            #expect(sample.targetMask == image.targetMaskValues)
            #expect(sample.boxMask?.contains(1) == (image.label == 1))
            let small = try dataset.load(index: i, side: 16)
            #expect(small.pixels.count == 3 * 16 * 16 && small.targetMask?.count == 256 && small.boxMask?.count == 256)
        }
    }

    @Test func vocDirectoryLoadsWhatTheGeneratorWrote() throws {
        let options = TestSupport.smallOptions(count: 12)
        let root = try TestSupport.scratch("voc-dataset")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let generator = try SyntheticGenerator(options: options)
        try VOCWriter(generator: generator, directory: root).write()
        let voc = try Dataset.voc(root: root)
        let memory = try Dataset.synthetic(options)
        // Order is train.txt then val.txt; the split is those lists.
        let order = memory.split.train + memory.split.validation
        #expect(voc.count == 12)
        #expect(voc.labels == order.map { generator.labels[$0] })
        #expect(voc.split.train == Array(0..<memory.split.train.count))
        for (position, index) in order.enumerated() {
            let fromDisk = try voc.load(index: position, side: 48)
            let fromMemory = try memory.load(index: index, side: 48)
            #expect(voc.path(of: position) == root + "/JPEGImages/\(generator.id(of: index)).png")
            #expect(fromDisk.pixels == fromMemory.pixels)
            #expect(fromDisk.boxMask == fromMemory.boxMask)
            #expect(fromDisk.targetMask == fromMemory.targetMask)
        }
    }

    @Test func batchesAreSamplesInNCHWOrderAndOpenDetectsTheLayout() throws {
        let root = try TestSupport.scratch("voc-batch")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let options = TestSupport.smallOptions(count: 5)
        try VOCWriter(generator: SyntheticGenerator(options: options), directory: root).write()
        let voc = try Dataset.open(root: root)
        #expect(voc.path(of: 0)?.hasPrefix(root + "/JPEGImages/") == true)
        let samples = try [4, 1, 1].map { try voc.load(index: $0, side: 16) }
        let batch = Batch(indices: [4, 1, 1], samples: samples, side: 16)
        #expect(batch.count == 3 && batch.labels == samples.map(\.label))
        #expect(batch.input.shape == [3, 3, 16, 16] && batch.input.storage == samples.flatMap(\.pixels))
        #expect(batch.boxMask?.storage == samples.flatMap { $0.boxMask! } && batch.boxMask?.shape == [3, 1, 16, 16])
        #expect(batch.targetMasks?.count == 3 * 256)
        // Without Annotations/ the same PNGs in a class folder are an image folder, without masks.
        try FileManager.default.createDirectory(atPath: root + "/folder", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: root + "/JPEGImages", toPath: root + "/folder/shapes")
        let folder = try Dataset.open(root: root + "/folder")
        #expect(folder.classes == ["shapes"] && folder.count == 5)
        let plain = Batch(indices: [0, 1], samples: try [0, 1].map { try folder.load(index: $0, side: 16) }, side: 16)
        #expect(plain.boxMask == nil && plain.targetMasks == nil && plain.input.storage.count == 2 * 3 * 256)
    }

    @Test func vocTargetClassIsAParameterAndListsAreOptional() throws {
        let root = try TestSupport.scratch("voc-circle")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let generator = try SyntheticGenerator(options: TestSupport.smallOptions(count: 10))
        try VOCWriter(generator: generator, directory: root).writeImages(0..<10)
        // No ImageSets: every annotation in sorted order, split stratified from the seed. The target is
        // a kind some images hold and some do not (a class with no image is refused: see below).
        let kinds: [ShapeKind] = [.circle, .square, .pentagon, .pentagram, .triangle]
        let present = kinds.map { kind in (0..<10).map { generator.shapeKinds(at: $0).contains(kind) ? 1 : 0 } }
        let mixed = try #require(kinds.indices.first { Set(present[$0]) == [0, 1] })
        let name = kinds[mixed].name
        let dataset = try Dataset.voc(root: root, targetClass: name, seed: 5)
        #expect(dataset.classes == ["no-\(name)", name])
        #expect(dataset.labels == present[mixed])
        #expect(dataset.split == StratifiedSplit(labels: dataset.labels, seed: 5))
        // A target every image holds leaves the negative class empty: refused, naming it.
        let everywhere = try #require(kinds.indices.first { !present[$0].contains(0) })
        let error = #expect(throws: DatasetError.self) {
            try Dataset.voc(root: root, targetClass: kinds[everywhere].name)
        }
        #expect(
            error?.reason
                == "class 'no-\(kinds[everywhere].name)' has no images: every annotation names '\(kinds[everywhere].name)'"
        )
    }

    @Test func imageFolderFollowsTheImageFolderConvention() throws {
        let root = try TestSupport.scratch("folder")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let manager = FileManager.default
        let layout = [
            "zebra": ["rgb.png", "gray16.png", "progressive.jpg"], "Ant": ["palette.png"],
            "cat": ["rgba.png", "gray.jpeg"],
        ]
        for (folder, files) in layout {
            try manager.createDirectory(atPath: root + "/" + folder + "/nested", withIntermediateDirectories: true)
            for file in files {
                try manager.copyItem(atPath: TestSupport.good(file), toPath: root + "/" + folder + "/" + file)
            }
        }
        try manager.copyItem(atPath: TestSupport.good("gray-alpha.png"), toPath: root + "/cat/nested/deep.PNG")
        manager.createFile(atPath: root + "/stray-file-at-root.txt", contents: Data("ignored".utf8))
        let dataset = try Dataset.imageFolder(root: root, seed: 1)
        // Code-point order, as Python's sorted(): upper case first.
        #expect(dataset.classes == ["Ant", "cat", "zebra"])
        #expect(dataset.labels == [0, 1, 1, 1, 2, 2, 2])
        #expect(dataset.path(of: 2) == root + "/cat/nested/deep.PNG")
        for i in 0..<dataset.count {
            let sample = try dataset.load(index: i, side: 16)
            #expect(sample.pixels.count == 3 * 16 * 16 && sample.pixels.allSatisfy { (0...1).contains($0) })
            #expect(sample.label == dataset.labels[i] && sample.boxMask == nil && sample.targetMask == nil)
        }
        #expect(dataset.split == StratifiedSplit(labels: dataset.labels, seed: 1))
    }

    @Test func stratifiedSplitKeepsThreeQuartersOfEachClass() {
        let labels = (0..<100).map { $0 % 5 == 0 ? 1 : 0 }  // 20 positives, 80 negatives
        let split = StratifiedSplit(labels: labels, seed: 9)
        #expect(split.train.count == 75 && split.validation.count == 25)
        #expect(split.train.filter { labels[$0] == 1 }.count == 15)
        #expect(Set(split.train).isDisjoint(with: split.validation))
        #expect(split == StratifiedSplit(labels: labels, seed: 9))
        #expect(split != StratifiedSplit(labels: labels, seed: 10))
    }

    @Test func countsReportClassesAndShapes() throws {
        var options = TestSupport.smallOptions(count: 20, side: 32)
        options.radius = 3..<6
        options.positives = 8
        let counts = DatasetCounts(generator: try SyntheticGenerator(options: options))
        #expect(counts.images == 20 && counts.positives == 8 && counts.negatives == 12)
        #expect(counts.imagesWithClass["triangle"] == 8 && counts.shapes["triangle"] == 8)
        #expect(counts.shapes.values.reduce(0, +) >= 20 * 2)
        #expect(counts.description.hasPrefix("20 images, 8 positive, 12 negative"))
    }
}
