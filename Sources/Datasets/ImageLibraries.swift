// Versions of the image libraries Datasets decodes and encodes with.
import CImage

public enum ImageLibraries {
    public static var libpngVersion: String { String(cString: ximg_libpng_version()) }
    public static var libjpegVersion: Int { Int(ximg_libjpeg_version()) }
}
