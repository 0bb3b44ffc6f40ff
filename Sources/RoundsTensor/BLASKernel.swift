import COpenBLAS
import Foundation

/// OpenBLAS kernel families the engine can switch between at run time.
///
/// A DYNAMIC_ARCH OpenBLAS (Debian's) picks its kernels once, at load, from the CPU or from
/// `OPENBLAS_CORETYPE`. Version 0.3.21 does not know AMD Zen 4/5 and gives them the AVX2 (Haswell)
/// kernels although they run AVX-512: measured on this project's machine (`rounds bench engine`
/// times sgemm with each kernel in one run), the SkylakeX kernels run the UNet's GEMM shapes
/// 1.3-1.7x faster.
public enum BLASKernel: String, Sendable, CaseIterable, Codable {
    case haswell = "Haswell"
    case skylakeX = "SkylakeX"

    /// The AVX-512 subsets the SkylakeX kernels use.
    static let avx512Flags: Set<String> = ["avx512f", "avx512dq", "avx512bw", "avx512vl", "avx512cd"]

    /// Whether OpenBLAS runs this family's kernels now.
    public var isActive: Bool { Engine.blasCore.caseInsensitiveCompare(rawValue) == .orderedSame }

    /// Whether this CPU runs the kernel's instructions (from `/proc/cpuinfo`'s flags).
    public var isSupported: Bool {
        switch self {
        case .haswell: return CPUFlags.current.isSuperset(of: ["avx2", "fma"])
        case .skylakeX: return CPUFlags.current.isSuperset(of: Self.avx512Flags)
        }
    }
}

/// The CPU's feature flags as the kernel reports them (empty where `/proc/cpuinfo` is unreadable).
enum CPUFlags {
    static let current: Set<String> = {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return [] }
        for line in text.split(separator: "\n") where line.hasPrefix("flags") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            return Set(line[line.index(after: colon)...].split(separator: " ").map(String.init))
        }
        return []
    }()
}

/// Re-runs OpenBLAS's kernel selection with `OPENBLAS_CORETYPE` set to the wanted family, through
/// the two functions a DYNAMIC_ARCH build exports for it (`gotoblas_dynamic_quit` clears the
/// kernel table, `gotoblas_dynamic_init` fills it again from the environment). The variable is
/// restored afterwards, so child processes see the caller's environment.
enum BLASKernelSwitch {
    private typealias VoidFunction = @convention(c) () -> Void

    private static func symbol(_ name: String) -> UnsafeMutableRawPointer? {
        dlsym(UnsafeMutableRawPointer(bitPattern: 0), name)  // RTLD_DEFAULT
    }

    /// Whether this OpenBLAS can switch to `kernel` here (dynamic build holding its table, CPU support).
    static func canSelect(_ kernel: BLASKernel) -> Bool {
        kernel.isSupported && symbol("gotoblas_dynamic_init") != nil && symbol("gotoblas_dynamic_quit") != nil
            && symbol("gotoblas_" + kernel.rawValue.uppercased()) != nil
    }

    /// Switches; the caller guarantees no BLAS call is in flight. Returns whether `kernel` is now active.
    static func select(_ kernel: BLASKernel) -> Bool {
        guard canSelect(kernel), let initP = symbol("gotoblas_dynamic_init"), let quitP = symbol("gotoblas_dynamic_quit")
        else { return false }
        let previous = getenv("OPENBLAS_CORETYPE").map { String(cString: $0) }
        setenv("OPENBLAS_CORETYPE", kernel.rawValue, 1)
        unsafeBitCast(quitP, to: VoidFunction.self)()
        unsafeBitCast(initP, to: VoidFunction.self)()
        if let previous { setenv("OPENBLAS_CORETYPE", previous, 1) } else { unsetenv("OPENBLAS_CORETYPE") }
        return kernel.isActive
    }

    /// The engine's default: the SkylakeX kernels wherever the CPU runs AVX-512, even when OpenBLAS
    /// loaded its AVX2 family (0.3.21 does on AMD Zen 4/5, and so does `OPENBLAS_CORETYPE=Haswell`):
    /// measured with `rounds bench engine` on such a machine, 1.5-2.5x the single-core sgemm rate at
    /// the UNet's shapes and 1.54x / 1.38x a whole training step (32x32 / 64x64, `--seconds 3`).
    /// `ROUNDS_BLAS_KERNEL=openblas` keeps OpenBLAS's own choice instead.
    static func selectPreferred() {
        let setting = ProcessInfo.processInfo.environment[preferenceVariable]?.lowercased() ?? "auto"
        if setting == "openblas" { return }
        if setting != "auto" {
            FileHandle.standardError.write(Data(
                "warning: \(preferenceVariable)=\(setting): expected auto or openblas; using auto\n".utf8))
        }
        guard !BLASKernel.skylakeX.isActive, canSelect(.skylakeX) else { return }
        _ = select(.skylakeX)
    }

    /// The environment variable that chooses between the engine's default and OpenBLAS's own kernels.
    static let preferenceVariable = "ROUNDS_BLAS_KERNEL"

}
