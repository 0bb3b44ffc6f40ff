import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import RoundsChecklists
import RoundsCore
import RoundsStore

/// The style sheet and the script, from the binary.
enum StaticRoutes {
    static func add(to router: Router<StudioContext>) {
        router.get("/static/studio.css") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/css; charset=utf-8", .cacheControl: "max-age=300"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: StudioAssets.css)))
        }
        router.get("/static/studio.js") { _, _ in
            Response(
                status: .ok,
                headers: [.contentType: "text/javascript; charset=utf-8", .cacheControl: "max-age=300"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: StudioAssets.javascript)))
        }
    }
}

/// The start page, the rater's name on loopback, and logging in and out off loopback.
struct HomeRoutes {
    let app: StudioApp

    func add(to router: Router<StudioContext>) {
        router.get("/") { _, context in try home(context) }
        router.get("/rater") { request, context in
            app.pages.render(
                "rater", title: "Who is rating?", session: context.session,
                ["next": safeNext(request.uri.queryParameters["next"].map(String.init))])
        }
        router.post("/rater") { _, context in
            guard var session = context.session else { throw StudioError(.forbidden, "No session.") }
            guard !session.loggedIn || app.configuration.isLoopback else {
                throw StudioError(.forbidden, "Off loopback the rater is the logged-in user.")
            }
            guard let name = context.form["rater"], name.count <= 100 else {
                throw StudioError.badRequest("Give your name (at most 100 characters).")
            }
            session.rater = name
            await app.sessions.update(session)
            return Response.redirect(to: safeNext(context.form["next"]), type: .normal)
        }
        router.get("/login") { request, context in
            app.pages.render(
                "login", title: "Log in", session: context.session,
                ["next": safeNext(request.uri.queryParameters["next"].map(String.init))])
        }
        router.post("/login") { _, context in
            let name = context.form["name"] ?? ""
            let password = context.form.raw("password") ?? ""
            guard let user = try app.store.studioUser(name: name), PasswordHash.verify(password, hash: user.passwordHash)
            else {
                return app.pages.render(
                    "login", title: "Log in", session: context.session,
                    ["next": safeNext(context.form["next"]), "failed": true], status: .unauthorized)
            }
            let session = await app.sessions.login(replacing: context.session?.id, user: user.name)
            var response = Response.redirect(to: safeNext(context.form["next"]), type: .normal)
            response.headers.append(HTTPField(name: .setCookie, value: SecurityMiddleware.cookie(session.id)))
            return response
        }
        router.post("/logout") { _, context in
            if let id = context.session?.id { await app.sessions.end(token: id) }
            var response = Response.redirect(to: app.configuration.isLoopback ? "/" : "/login", type: .normal)
            response.headers.append(
                HTTPField(name: .setCookie, value: "\(SecurityMiddleware.cookieName)=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0"))
            return response
        }
    }

    private func home(_ context: StudioContext) throws -> Response {
        let catalog = try app.catalog()
        let imageCount = try app.store.images().count
        let pairCount = try app.store.pairs().count
        return app.pages.render(
            "home", title: "Start", session: context.session,
            [
                "storePath": app.store.path, "checklistsOrigin": app.configuration.checklists.description,
                "checklistCount": catalog.checklists.count, "imageCount": imageCount, "pairCount": pairCount,
            ])
    }
}

/// A redirect target from a form or query: only a path on this site (never `//host` or a full URL).
func safeNext(_ next: String?) -> String {
    guard let next, next.hasPrefix("/"), !next.hasPrefix("//"), !next.contains("\\"),
        !next.contains(where: { $0.isNewline })
    else { return "/" }
    return next
}

/// Images by image id from the store, never by a path from the request.
struct ImageRoutes {
    let app: StudioApp

    func add(to router: Router<StudioContext>) {
        router.get("/image/:id") { _, context in
            let id = context.parameters.get("id") ?? ""
            guard ImageIdentity.isImageID(id) else {
                throw StudioError.badRequest("'\(id)' is not an image id (64 lowercase hex digits).")
            }
            guard let image = try app.store.image(id: id) else { throw StudioError.notFound("No image with id \(id) is stored.") }
            guard let data = FileManager.default.contents(atPath: image.path) else {
                throw StudioError.notFound("The file of image \(id.prefix(12))… is missing on the server.")
            }
            return Response(
                status: .ok,
                headers: [
                    .contentType: image.format == .png ? "image/png" : "image/jpeg", .cacheControl: "private, max-age=3600",
                ],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
        }
    }
}
