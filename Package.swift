// swift-tools-version:6.0
// xcnn: a data-parallel trainer for the explainer+classifier CNN (see README.md).
import PackageDescription

let package = Package(
    name: "xcnn",
    products: [
        .executable(name: "xcnn", targets: ["xcnn"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
    ],
    targets: [
        // C shims over the system libraries (Debian: libopenmpi-dev, libopenblas-dev, libpng-dev,
        // libjpeg62-turbo-dev); flags come from pkg-config, so no unsafeFlags are needed.
        .systemLibrary(name: "CMPI", pkgConfig: "ompi-c"),
        .systemLibrary(name: "CBLAS", pkgConfig: "openblas"),
        .target(
            name: "CImage",
            linkerSettings: [.linkedLibrary("png16"), .linkedLibrary("jpeg")]
        ),

        .target(name: "MessagePassing", dependencies: ["CMPI"]),
        .target(name: "Kernels", dependencies: ["CBLAS"]),
        .target(name: "Network", dependencies: ["Kernels"]),
        .target(name: "Datasets", dependencies: ["CImage"]),
        .target(name: "Attribution"),
        .target(
            name: "Training",
            dependencies: ["Kernels", "Network", "Datasets", "MessagePassing",
                           .product(name: "Logging", package: "swift-log")]
        ),
        .executableTarget(
            name: "xcnn",
            dependencies: ["Kernels", "Network", "Datasets", "Training", "MessagePassing", "Attribution",
                           .product(name: "ArgumentParser", package: "swift-argument-parser"),
                           .product(name: "Logging", package: "swift-log")]
        ),

        .testTarget(name: "MessagePassingTests", dependencies: ["MessagePassing"]),
        .testTarget(name: "KernelsTests", dependencies: ["Kernels"]),
        .testTarget(name: "NetworkTests", dependencies: ["Network", "Kernels"]),
        .testTarget(name: "DatasetsTests", dependencies: ["Datasets"], resources: [.copy("Fixtures")]),
        .testTarget(name: "AttributionTests", dependencies: ["Attribution"]),
        .testTarget(name: "TrainingTests", dependencies: ["Training", "Network", "Kernels", "Datasets", "MessagePassing"]),
    ]
)
