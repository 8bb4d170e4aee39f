// The post-hoc attribution methods of SPEC §5 and issue 10, by the names and definitions of Captum 0.9
// (gradient methods, Grad-CAM, occlusion) and zennit 0.5 (LRP), each with its parameters.

/// One post-hoc method. Every method explains the logit (not the softmax) of a target class, with the
/// classifier's E held fixed, and yields one map per image, [N, S, S] at the input side (`Attributor.maps`).
public enum AttributionMethod: Sendable, Equatable, Hashable {
    /// |∂logit/∂x| (Simonyan et al. 2014; Captum `Saliency`, abs = true).
    case saliency
    /// x ⊙ ∂logit/∂x (Shrikumar et al. 2016; Captum `InputXGradient`).
    case inputTimesGradient
    /// (1/n) Σ_s |∂logit/∂x (x + η_s)|, η_s ~ N(0, σ²) per value, σ = noiseFraction · (max x − min x) of that
    /// image (Smilkov et al. 2017; Captum `NoiseTunnel(Saliency)`, nt_type "smoothgrad", whose Saliency takes
    /// the absolute value per sample). The noise is drawn from `seed`, per image and sample.
    case smoothGrad(samples: Int, noiseFraction: Float, seed: UInt64)
    /// (x − x̄) ⊙ Σ_i w_i ∂logit/∂x (x̄ + α_i (x − x̄)) with the black baseline x̄ = 0 and Gauss–Legendre
    /// nodes α_i = (1 + t_i)/2, weights w_i = u_i/2 ((t_i, u_i) the n-point rule on [−1, 1]): Captum
    /// `IntegratedGradients`, method "gausslegendre" (its default), n = `steps` (Sundararajan et al. 2017).
    case integratedGradients(steps: Int)
    /// The gradient with every ReLU passing max(d, 0)·[a > 0] (Springenberg et al. 2015; Captum `GuidedBackprop`).
    case guidedBackprop
    /// The gradient with every ReLU passing max(d, 0) (Zeiler & Fergus 2014; Captum `Deconvolution`).
    case deconvnet
    /// LRP with the ε rule on every convolution and dense layer (`LRPRule.epsilon`; zennit `Epsilon`).
    case lrpEpsilon(epsilon: Float)
    /// LRP with the α1β0 rule on every convolution and dense layer (`LRPRule.alpha1Beta0`; zennit `AlphaBeta`).
    case lrpAlpha1Beta0
    /// ReLU(Σ_c α_c A_c), α_c = mean over pixels of ∂logit/∂A_c, A = the last convolution's ReLU output
    /// (classifier.stage4.conv2, [N, 8w, S/8, S/8], before the product by E), upsampled bilinearly to S×S
    /// (half-pixel centres, PyTorch's align_corners = false) (Selvaraju et al. 2017; Captum `LayerGradCam`
    /// with relu_attributions = true, then `LayerAttribution.interpolate(…, "bilinear")`).
    case gradCAM
    /// Mean over the patch×patch windows covering a pixel of logit(x) − logit(x with the window set to 0 in
    /// every channel); windows start at 0, stride, 2·stride, … (ceil((S − patch)/stride) + 1 per axis, the last
    /// one cut at the border) (Zeiler & Fergus 2014; Captum `Occlusion`, sliding window (3, patch, patch),
    /// strides (3, stride, stride), baseline 0).
    case occlusion(patch: Int, stride: Int)

    /// The name used on command lines and in tables.
    public var name: String {
        switch self {
        case .saliency: "saliency"
        case .inputTimesGradient: "input-x-gradient"
        case .smoothGrad: "smoothgrad"
        case .integratedGradients: "integrated-gradients"
        case .guidedBackprop: "guided-backprop"
        case .deconvnet: "deconvnet"
        case .lrpEpsilon: "lrp-epsilon"
        case .lrpAlpha1Beta0: "lrp-alpha1beta0"
        case .gradCAM: "grad-cam"
        case .occlusion: "occlusion"
        }
    }

    /// Every method with its default parameters for S×S inputs: SmoothGrad 32 samples at σ = 15% of the range
    /// (Smilkov et al. found 10–20% best), integrated gradients 50 steps (Captum's default), LRP-ε with
    /// ε = 10⁻⁶ (zennit's default), occlusion windows of S/8 at stride S/16 (15 × 15 windows at any side).
    public static func all(side: Int) -> [AttributionMethod] {
        [
            .saliency, .inputTimesGradient, .smoothGrad(samples: 32, noiseFraction: 0.15, seed: 1),
            .integratedGradients(steps: 50), .guidedBackprop, .deconvnet, .lrpEpsilon(epsilon: 1e-6), .lrpAlpha1Beta0,
            .gradCAM, .occlusion(patch: max(1, side / 8), stride: max(1, side / 16)),
        ]
    }

    /// The method called `name` with its default parameters (`all(side:)`), or nil.
    public static func named(_ name: String, side: Int) -> AttributionMethod? {
        all(side: side).first { $0.name == name }
    }
}
