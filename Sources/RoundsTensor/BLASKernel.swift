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

}
