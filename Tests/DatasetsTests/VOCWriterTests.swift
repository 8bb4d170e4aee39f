// The VOC layout written from the generator: parsable by Python's ElementTree, equal to what the
// generator reports, byte-identical across runs and across any split over threads and ranks, PNGs
// equal to the in-memory images and masks as 1-bit PNGs that the VOC reader loads.
import Datasets
import Foundation
import Testing

@Suite struct VOCWriterTests {
    /// Prints one line per object: id, filename, size, then name truncated difficult xmin ymin xmax ymax.
    static let dumpScript = """
        import sys, os, xml.etree.ElementTree as ET
        root = sys.argv[1]
        for name in sorted(os.listdir(os.path.join(root, "Annotations"))):
            tree = ET.parse(os.path.join(root, "Annotations", name)).getroot()
            size = tree.find("size")
            head = [name[:-4], tree.findtext("filename")] + [size.findtext(k) for k in ("width", "height", "depth")]
            print("image", *head)
            for o in tree.findall("object"):
                b = o.find("bndbox")
                print("object", name[:-4], o.findtext("name"), o.findtext("pose"), o.findtext("truncated"), o.findtext("difficult"),
                      *[b.findtext(k) for k in ("xmin", "ymin", "xmax", "ymax")])
        """

    @Test func everyAnnotationParsesInPythonAndMatchesTheGenerator() throws {
        var options = TestSupport.smallOptions(count: 6)
        options.allowBorderOcclusion = true
        let generator = try SyntheticGenerator(options: options)
        let directory = try TestSupport.scratch("voc-python")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try VOCWriter(generator: generator, directory: directory).write()
        let (status, output) = try TestSupport.python(Self.dumpScript, [directory])
        #expect(status == 0)
        var expected: [String] = []
        for i in 0..<generator.count {
            let image = generator.image(at: i)
            expected.append("image \(image.id) \(image.id).png 48 48 3")
            for object in image.objects {
                let box = object.box
                expected.append(
                    "object \(image.id) \(object.name) Unspecified \(object.truncated ? 1 : 0) 0 \(box.xmin) \(box.ymin) \(box.xmax) \(box.ymax)"
                )
            }
        }
        #expect(output.split(separator: "\n").map(String.init) == expected)
        // And our own reader agrees with the writer.
        let first = try VOCAnnotation.read(path: directory + "/Annotations/\(generator.id(of: 0)).xml")
        #expect(first.objects == generator.image(at: 0).objects)
    }

    @Test func twoRunsWriteTheSameBytesAndAnotherSeedDoesNot() throws {
        let a = try TestSupport.scratch("voc-a")
        let b = try TestSupport.scratch("voc-b")
        let c = try TestSupport.scratch("voc-c")
        defer { for d in [a, b, c] { try? FileManager.default.removeItem(atPath: d) } }
        try VOCWriter(generator: SyntheticGenerator(options: TestSupport.smallOptions(seed: 3)), directory: a).write()
        try VOCWriter(generator: SyntheticGenerator(options: TestSupport.smallOptions(seed: 3)), directory: b).write()
        try VOCWriter(generator: SyntheticGenerator(options: TestSupport.smallOptions(seed: 4)), directory: c).write()
        let filesA = try TestSupport.contents(of: a)
        #expect(filesA.count == 8 * 3 + 3 + 3 * 2)  // images, XML, masks; 3 lists; 3 per class × 2 classes
        #expect(filesA == (try TestSupport.contents(of: b)))
        #expect(filesA["JPEGImages/000000.png"] != (try TestSupport.contents(of: c))["JPEGImages/000000.png"])
    }

    @Test func writtenPNGsDecodeToTheInMemoryPixelsAndMasks() throws {
        let generator = try SyntheticGenerator(options: TestSupport.smallOptions(count: 4))
        let directory = try TestSupport.scratch("voc-pixels")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try VOCWriter(generator: generator, directory: directory).write()
        let memory = try Dataset.synthetic(TestSupport.smallOptions(count: 4))
        for i in 0..<generator.count {
            let image = generator.image(at: i)
            let decoded = try ImageCodec.decode(path: directory + "/JPEGImages/\(image.id).png")
            #expect(decoded.width == 48 && decoded.height == 48)
            #expect(decoded.rgb == image.rgb)
            let sample = try memory.load(index: i, side: 48)
            #expect(sample.pixels == ImageResize.bilinear(rgb: decoded.rgb, width: 48, height: 48, side: 48))
            #expect(sample.label == image.label)
            let mask = try ImageCodec.decode(path: directory + "/Masks/\(image.id).png")
            #expect(stride(from: 0, to: mask.rgb.count, by: 3).map { mask.rgb[$0] } == image.targetMask)
        }
    }

    @Test func anySplitOverThreadsAndRanksWritesTheSameBytesAndCounts() throws {
        var options = TestSupport.smallOptions(seed: 5, count: 37)
        options.positives = 15
        let generator = try SyntheticGenerator(options: options)
        let reference = try TestSupport.scratch("voc-threads-1")
        defer { try? FileManager.default.removeItem(atPath: reference) }
        let counts = try VOCWriter(generator: generator, directory: reference).write(threads: 1)
        let expected = try TestSupport.contents(of: reference)
        #expect(expected.count == 37 * 3 + 3 + 3 * 2)
        #expect(counts == DatasetCounts(generator: generator))
        for threads in [2, 3, 8] {
            let directory = try TestSupport.scratch("voc-threads-\(threads)")
            defer { try? FileManager.default.removeItem(atPath: directory) }
            #expect(try VOCWriter(generator: generator, directory: directory).write(threads: threads) == counts)
            #expect(try TestSupport.contents(of: directory) == expected, "\(threads) threads")
        }
        // Two "ranks" writing disjoint ranges on two threads each, one of them writing the image sets.
        let shared = try TestSupport.scratch("voc-ranks")
        defer { try? FileManager.default.removeItem(atPath: shared) }
        let writer = VOCWriter(generator: generator, directory: shared)
        var total = try writer.writeImages(19..<37, threads: 2)
        total.add(try writer.writeImages(0..<19, threads: 2))
        try writer.writeImageSets()
        #expect(total == counts)
        #expect(try TestSupport.contents(of: shared) == expected)
    }

    @Test func aFailingImageOnAnotherThreadStopsTheWriteNamingItsFile() throws {
        let generator = try SyntheticGenerator(options: TestSupport.smallOptions(count: 40))
        let directory = try TestSupport.scratch("voc-failure")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // A directory where image 21's annotation goes: creating that file fails.
        let blocked = directory + "/Annotations/000021.xml"
        try FileManager.default.createDirectory(atPath: blocked, withIntermediateDirectories: true)
        #expect {
            try VOCWriter(generator: generator, directory: directory).writeImages(0..<40, threads: 3)
        } throws: { error in
            (error as? DatasetError)?.path == blocked
        }
    }

    @Test func masksAreOneBitGreyscalePNGsThatTheVOCReaderLoads() throws {
        var options = TestSupport.smallOptions(count: 6, side: 45)  // rows of 45 pixels: a partly used last byte
        options.positives = 4
        let generator = try SyntheticGenerator(options: options)
        let directory = try TestSupport.scratch("voc-masks")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try VOCWriter(generator: generator, directory: directory).write()
        let voc = try Dataset.voc(root: directory)
        for position in 0..<voc.count {
            let id = (voc.path(of: position)! as NSString).lastPathComponent.replacingOccurrences(of: ".png", with: "")
            let index = Int(id)!
            let path = directory + "/Masks/\(id).png"
            // IHDR: width and height (4 bytes each) from byte 16, then bit depth and colour type.
            let header = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)).prefix(26))
            #expect(header[24] == 1 && header[25] == 0, "\(path): bit depth \(header[24]), colour type \(header[25])")
            let decoded = try ImageCodec.decode(path: path)
            #expect(
                stride(from: 0, to: decoded.rgb.count, by: 3).map { decoded.rgb[$0] }
                    == generator.image(at: index).targetMask)
            let sample = try voc.load(index: position, side: 45)
            #expect(sample.targetMask == generator.image(at: index).targetMaskValues)
            #expect((sample.targetMask?.contains(1) ?? false) == (generator.labels[index] == 1))
        }
    }

    @Test func imageSetsAreAStratifiedSplitWithPerClassFlags() throws {
        var options = TestSupport.smallOptions(count: 40, side: 32)
        options.radius = 3..<6
        options.positives = 16
        let generator = try SyntheticGenerator(options: options)
        let directory = try TestSupport.scratch("voc-sets")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try VOCWriter(generator: generator, directory: directory).writeImageSets()
        func lines(_ name: String) throws -> [String] {
            try String(contentsOfFile: directory + "/ImageSets/Main/" + name, encoding: .utf8).split(separator: "\n")
                .map(String.init)
        }
        let train = try lines("train.txt")
        let validation = try lines("val.txt")
        #expect(Set(train).isDisjoint(with: validation))
        #expect(Set(train + validation) == Set((0..<40).map(generator.id(of:))))
        let positiveIDs = Set((0..<40).filter { generator.labels[$0] == 1 }.map(generator.id(of:)))
        #expect(train.filter(positiveIDs.contains).count == 12)  // 75 % of 16
        #expect(train.count == 30)  // 12 + 75 % of 24
        let flags = try lines("triangle_val.txt")
        #expect(flags.map { String($0.prefix(6)) } == validation)
        for line in flags {
            #expect(line.hasSuffix("  1") == positiveIDs.contains(String(line.prefix(6))))
            #expect(line.hasSuffix("  1") || line.hasSuffix(" -1"))
        }
    }
}
