import Foundation
import Hummingbird
import Logging
import NIOCore
import RoundsStore

/// `rounds studio`: the web application over a store and a checklists folder.
public struct Studio: Sendable {
    public let configuration: StudioConfiguration
    let app: StudioApp

    public init(configuration: StudioConfiguration) {
        self.configuration = configuration
        self.app = StudioApp(configuration: configuration)
    }

    /// Every route of the studio, behind the security middleware.
    public func router() -> Router<StudioContext> {
        let router = Router(context: StudioContext.self)
        router.add(middleware: SecurityMiddleware(app: app))
        StaticRoutes.add(to: router)
        HomeRoutes(app: app).add(to: router)
        ImageRoutes(app: app).add(to: router)
        LabelRoutes(app: app).add(to: router)
        ChecklistRoutes(app: app).add(to: router)
        PairRoutes(app: app).add(to: router)
        AgreementRoutes(app: app).add(to: router)
        ResultsRoutes(app: app).add(to: router)
        return router
    }

    /// Serves until the process is interrupted; `onRunning` gets the URL once the socket listens.
    ///
    /// - Throws: `StudioStartError` when the studio would listen off loopback with no account in the
    ///   store; errors from binding the socket.
    public func run(onRunning: @escaping @Sendable (String) -> Void) async throws {
        if !configuration.isLoopback, try configuration.store.studioUserCount() == 0 {
            throw StudioStartError(
                message: "\(configuration.host) is not a loopback address, and serving it needs accounts; "
                    + "there are none in \(configuration.store.path). Add one with `rounds studio user add NAME` "
                    + "(it asks for the password), or listen on 127.0.0.1.")
        }
        var logger = Logger(label: "rounds-studio")
        logger.logLevel = .warning
        let host = configuration.host
        let app = Application(
            router: router(),
            configuration: .init(address: .hostname(host, port: configuration.port)),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? 0
                let shown = host.contains(":") ? "[\(host)]" : host
                onRunning("http://\(shown):\(port)/")
            },
            logger: logger)
        try await app.runService()
    }
}

/// Why the studio refused to start.
public struct StudioStartError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
