import COpenBLAS
import Foundation

/// `rounds bench engine`: how fast the engine's 3x3 convolutions run at UNet shapes, each next to
/// OpenBLAS sgemm's own rate on the same matrix shape in the same run (the ceiling im2col + sgemm
/// can reach), plus a small UNet-like training step.
public struct EngineBenchmark: Sendable {
    /// One convolution shape: batch, channels in and out, square spatial size.
    public struct ConvCase: Sendable, Codable, Hashable {
        public var label: String
        public var batch: Int, channels: Int, size: Int
        public init(label: String, batch: Int, channels: Int, size: Int) {
            self.label = label; self.batch = batch; self.channels = channels; self.size = size
        }
    }

    /// One measurement: an op's rate and sgemm's rate on the GEMM it reduces to.
    public struct Rate: Sendable, Codable, Hashable {
        public var pass: String           // forward, backward-input, backward-weight
        public var gemm: String           // "M x N x K" of the sgemm per image
        public var milliseconds: Double   // one call over the whole batch
        /// Process CPU time of the best call: on a busy machine, with `--threads 1`, this is the
        /// number that compares (wall time mostly measures the other processes).
        public var cpuMilliseconds: Double
        public var gflops: Double
        public var sgemmGflops: Double
        public var fractionOfSgemm: Double
    }

    public struct ConvResult: Sendable, Codable, Hashable {
        public var convCase: ConvCase
        public var rates: [Rate]
    }

    /// Single-threaded sgemm rate from the thread's own CPU time: robust on a busy machine, and
    /// the number that decides between OpenBLAS kernels (`OPENBLAS_CORETYPE`).
    public struct KernelRate: Sendable, Codable, Hashable {
        public var gemm: String
        public var gflopsPerCore: Double
    }

    /// The same sgemm rates with another OpenBLAS kernel family, switched to in this run.
    public struct KernelChoice: Sendable, Codable, Hashable {
        public var kernel: String
        public var rates: [KernelRate]
    }

    public struct Report: Sendable, Codable {
        public var threads: Int
        public var blasCore: String
        public var sgemmKernel: [KernelRate]
        /// What the BLAS can do on this machine: the best single-threaded rate in `sgemmKernel` times
        /// the threads, GFLOP/s.
        public var sgemmPeakGflops: Double
        /// Every other selectable kernel family's rates (`Engine.selectBLASKernel`), measured in this run.
        public var otherKernels: [KernelChoice]
        public var convolutions: [ConvResult]
        public var trainingSteps: [UNetStepResult]
        /// The PyTorch peer (`Benchmarks/peers/unet_step.py`) run after the training steps, e.g.
        /// "torch 2.13.0", or why it was skipped.
        public var peer: String?
        public var peerNote: String?
    }

    /// The default cases: the 64- and 128-channel levels of a (64, 128, 128) UNet at 32x32 and 64x64.
    public static let defaultCases: [ConvCase] = [
        ConvCase(label: "32x32 UNet, level 0", batch: 8, channels: 64, size: 32),
        ConvCase(label: "32x32 UNet, level 1", batch: 8, channels: 128, size: 16),
        ConvCase(label: "32x32 UNet, level 2", batch: 8, channels: 128, size: 8),
        ConvCase(label: "64x64 UNet, level 0", batch: 4, channels: 64, size: 64),
        ConvCase(label: "64x64 UNet, level 1", batch: 4, channels: 128, size: 32),
        ConvCase(label: "64x64 UNet, level 2", batch: 4, channels: 128, size: 16),
    ]

    public var cases: [ConvCase]
    /// Minimum measuring time per number, seconds.
    public var minSeconds: Double

    /// The least measuring time of each training step (the peer's default).
    public static let trainingStepSeconds = 3.0

    public init(cases: [ConvCase] = EngineBenchmark.defaultCases, minSeconds: Double = 0.3) {
        self.cases = cases
        self.minSeconds = minSeconds
    }

    /// Best time of repeated runs of `body` (at least 3 runs and `minSeconds` in total).
    func bestTime(_ body: () -> Void) -> Double { bestTimes(body).wall }

    /// Best wall time and best process CPU time of repeated runs of `body`.
    func bestTimes(_ body: () -> Void) -> (wall: Double, cpu: Double) {
        body()  // warm-up
        var best = Double.infinity, bestCPU = Double.infinity, total = 0.0, runs = 0
        while runs < 3 || total < minSeconds {
            let t0 = DispatchTime.now().uptimeNanoseconds, c0 = processCPUSeconds()
            body()
            let dt = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
            best = min(best, dt); bestCPU = min(bestCPU, processCPUSeconds() - c0); total += dt; runs += 1
        }
        return (best, bestCPU)
    }

    /// Measures one convolution case: forward, input gradient, weight gradient; each beside sgemm.
    public func measure(_ c: ConvCase) -> ConvResult {
        Engine.prepare()
        var rng = PCG32(seed: 1)
        let n = c.batch, ch = c.channels, s = c.size
        let x = Tensor.randomNormal([n, ch, s, s], using: &rng)
        let w = Tensor.randomNormal([ch, ch, 3, 3], std: 0.05, using: &rng)
        let gy = Tensor.randomNormal([n, ch, s, s], using: &rng)
        let g = ConvGeometry(c: ch, h: s, w: s, kh: 3, kw: 3, stride: 1, padding: 1, ho: s, wo: s)
        let flops = 2.0 * Double(n * ch * g.rows * g.columns)
        var sink: Float = 0
        // each pass as the engine chooses, then forced to shifted GEMMs and to im2col, in the same run
        func passes(_ policy: ConvAlgorithmPolicy, imageParallel: ConvAlgorithmPolicy = .never) -> [(wall: Double, cpu: Double)] {
            ShiftedConv.$policy.withValue(policy) { ImageParallelConv.$policy.withValue(imageParallel) {
                [bestTimes {
                    let y = withoutGradients { Tensor.conv2d(x, weight: w, bias: nil, stride: 1, padding: 1) }
                    sink += y.scalars[0]
                }, bestTimes {
                    let r = Tensor.convBackward(g, n: n, o: ch, xs: x.scalars, ws: w.scalars, gy: gy.scalars, needs: [true, false])
                    sink += r[0]![0]
                }, bestTimes {
                    let r = Tensor.convBackward(g, n: n, o: ch, xs: x.scalars, ws: w.scalars, gy: gy.scalars, needs: [false, true])
                    sink += r[1]![0]
                }]
            } }
        }
        let chosen = passes(.automatic, imageParallel: .automatic), shifted = passes(.always), im2col = passes(.never)
        let imageParallel = passes(.never, imageParallel: .always)
        // sgemm alone at the per-image shapes, n calls as the conv makes.
        let gemmF = sgemmTime(transA: false, transB: false, m: ch, n: g.columns, k: g.rows, calls: n)
        let gemmW = sgemmTime(transA: false, transB: true, m: ch, n: g.rows, k: g.columns, calls: n)
        let gemmI = sgemmTime(transA: true, transB: false, m: g.rows, n: g.columns, k: ch, calls: n)
        blackHole(sink)
        func rate(_ pass: String, _ gemm: String, _ t: (wall: Double, cpu: Double), _ tg: Double) -> Rate {
            Rate(pass: pass, gemm: gemm, milliseconds: t.wall * 1e3, cpuMilliseconds: t.cpu * 1e3, gflops: flops / t.wall / 1e9,
                 sgemmGflops: flops / tg / 1e9, fractionOfSgemm: tg / t.wall)
        }
        let names = ["forward", "backward-input", "backward-weight"]
        let shapes = ["\(ch) x \(g.columns) x \(g.rows)", "\(g.rows) x \(g.columns) x \(ch) (Aᵀ)",
                      "\(ch) x \(g.rows) x \(g.columns) (Bᵀ)"]
        let gemms = [gemmF, gemmI, gemmW]
        return ConvResult(convCase: c, rates: (0..<3).map { rate(names[$0], shapes[$0], chosen[$0], gemms[$0]) }
            + (0..<3).map { rate(names[$0] + " (shifted)", shapes[$0], shifted[$0], gemms[$0]) }
            + (0..<3).map { rate(names[$0] + " (im2col)", shapes[$0], im2col[$0], gemms[$0]) }
            + (0..<3).map { rate(names[$0] + " (image-parallel)", shapes[$0], imageParallel[$0], gemms[$0]) })
    }

    /// Time of `calls` sgemm calls of one shape (row-major, contiguous operands).
    func sgemmTime(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, calls: Int) -> Double {
        var rng = PCG32(seed: 2)
        let a = rng.uniforms(m * k), b = rng.uniforms(k * n)
        var c = [Float](repeating: 0, count: m * n)
        let lda = transA ? m : k, ldb = transB ? k : n
        return Engine.withBLASThreads(Engine.threads) { bestTime {
            for _ in 0..<calls { sgemm(transA, transB, m: m, n: n, k: k, a, lda: lda, b, ldb: ldb, beta: 0, &c, ldc: n) }
            blackHole(c[0])
        } }
    }

    /// The GEMM shapes of the default cases' forward and backward passes, per image.
    public static let kernelShapes: [(transA: Bool, transB: Bool, m: Int, n: Int, k: Int)] = [
        (false, false, 64, 1024, 576), (true, false, 576, 1024, 64), (false, true, 64, 576, 1024),
        (false, false, 64, 4096, 576), (true, false, 576, 4096, 64), (false, true, 64, 576, 4096),
        (false, false, 128, 1024, 1152), (false, true, 128, 1152, 1024),
    ]

    /// Single-threaded sgemm GFLOP/s per shape, timed by thread CPU time (best of several runs).
    public func kernelRates() -> [KernelRate] {
        Engine.prepare()
        return Self.kernelShapes.map { s in
            var rng = PCG32(seed: 4)
            let a = rng.uniforms(s.m * s.k), b = rng.uniforms(s.k * s.n)
            var c = [Float](repeating: 0, count: s.m * s.n)
            let lda = s.transA ? s.m : s.k, ldb = s.transB ? s.k : s.n
            var best = Double.infinity, total = 0.0, runs = 0
            while runs < 5 || total < minSeconds {
                let t0 = threadCPUSeconds()
                sgemm(s.transA, s.transB, m: s.m, n: s.n, k: s.k, a, lda: lda, b, ldb: ldb, beta: 0, &c, ldc: s.n)
                let dt = threadCPUSeconds() - t0
                if runs > 0 { best = min(best, dt) }  // first run warms caches
                total += dt; runs += 1
            }
            blackHole(c[0])
            let name = "\(s.m) x \(s.n) x \(s.k)" + (s.transA ? " (Aᵀ)" : "") + (s.transB ? " (Bᵀ)" : "")
            return KernelRate(gemm: name, gflopsPerCore: 2.0 * Double(s.m * s.n * s.k) / best / 1e9)
        }
    }

    /// `kernelRates()` with each other selectable kernel family, switching back afterwards (the
    /// benchmark runs alone, so no BLAS call overlaps a switch).
    public func otherKernelRates(progress: (String) -> Void = { _ in }) -> [KernelChoice] {
        let active = Engine.blasCore
        guard let original = BLASKernel.allCases.first(where: { $0.rawValue.caseInsensitiveCompare(active) == .orderedSame })
        else { return [] }  // a family this benchmark cannot switch back to
        var out: [KernelChoice] = []
        for k in Engine.selectableBLASKernels where k != original {
            progress("single-threaded sgemm kernel rates (\(k.rawValue))")
            guard Engine.selectBLASKernel(k) else { continue }
            out.append(KernelChoice(kernel: k.rawValue, rates: kernelRates()))
        }
        Engine.selectBLASKernel(original)
        return out
    }

    /// What the BLAS can do here: `threads` x the best single-threaded rate, GFLOP/s.
    static func sgemmPeak(_ kernels: [KernelRate], threads: Int) -> Double {
        Double(threads) * (kernels.map(\.gflopsPerCore).max() ?? 0)
    }

    /// Runs every convolution case and the UNet-like training steps.
    /// `profileSteps` > 0 also profiles that many training steps op by op (`OpProfile`).
    public func run(trainingSteps: [UNetStepConfig] = UNetStepConfig.defaults, profileSteps: Int = 0,
                    progress: (String) -> Void = { _ in }) -> Report {
        progress("single-threaded sgemm kernel rates (\(Engine.blasCore))")
        let kernels = kernelRates()
        let others = otherKernelRates(progress: progress)
        var convs: [ConvResult] = []
        for c in cases {
            progress("conv \(c.label): batch \(c.batch), \(c.channels) channels, \(c.size)x\(c.size)")
            convs.append(measure(c))
        }
        var steps: [UNetStepResult] = []
        for cfg in trainingSteps {
            progress("training step: \(cfg.description)")
            // The best of fewer than a handful of steps overstates the time; measure as long as the
            // PyTorch peer does by default (`unet_step.py --seconds 3`) so the two compare.
            steps.append(UNetStepBenchmark(config: cfg, minSeconds: max(minSeconds, Self.trainingStepSeconds),
                                           profileSteps: profileSteps).run())
        }
        let peak = Self.sgemmPeak(kernels, threads: Engine.threads)
        for i in steps.indices { steps[i].fractionOfPeak = steps[i].shareOfPeak(imagesPerSecond: steps[i].imagesPerSecond, peakGflops: peak) }
        return Report(threads: Engine.threads, blasCore: Engine.blasCore, sgemmKernel: kernels, sgemmPeakGflops: peak,
                      otherKernels: others, convolutions: convs, trainingSteps: steps)
    }
}

/// CPU time of the calling thread, seconds.
func threadCPUSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

/// Keeps a value alive so the optimizer cannot drop the work that produced it.
@inline(never)
func blackHole<T>(_ x: T) { withExtendedLifetime(x) {} }
