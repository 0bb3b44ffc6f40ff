import Foundation
import HTTPTypes
import RoundsChecklists
import RoundsCore
import RoundsStore
import Testing

@testable import RoundsStudio

@Suite("Studio security: sessions, CSRF, escaping, images by id, login off loopback")
struct StudioSecurityTests {
    @Test("the start page sets an HttpOnly SameSite session cookie and a strict content security policy")
    func sessionCookie() async throws {
        let f = try StudioFixture()
        defer { f.remove() }
        let client = StudioClient(f.studio())
        let page = try await client.get("/")
        #expect(page.status == .ok)
        let cookie = try #require(page.headers[.setCookie])
        #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict") && cookie.hasPrefix("rounds_session="))
        #expect(page.headers[.contentSecurityPolicy]?.contains("script-src 'self'") == true)
        #expect(page.body.contains("Rounds studio"))
        // The same browser keeps its session: no new cookie.
        let again = try await client.get("/")
        #expect(again.headers[.setCookie] == nil)
    }

    @Test("a POST without the form's csrf_token, or with another session's, is refused with 403 and stores nothing")
    func csrfRefused() async throws {
        let f = try StudioFixture()
        defer { f.remove() }
        let client = StudioClient(f.studio())
        _ = try await client.get("/label")
        let fields = [
            ("image", f.images[0].id), ("queue", "condition=synthetic/scaly-plaque"), ("plausibility", "plausible"),
        ]
        let missing = try await client.post("/label/image", fields, csrf: false)
        #expect(missing.status == .forbidden)
        #expect(missing.body.contains("csrf_token"))
        let other = StudioClient(f.studio())
        _ = try await other.get("/")
        let foreign = try await client.post("/label/image", fields + [("csrf_token", other.csrf!)])
        #expect(foreign.status == .forbidden)
        #expect(try f.store.labels(rater: "dr-a").isEmpty)
        let good = try await client.post("/label/image", fields)
        #expect(good.status == .seeOther)
        #expect(try f.store.labels(rater: "dr-a").count == 1)
    }

    @Test("images are served by image id only: a path, a traversal or an unknown id is refused")
    func imagesByID() async throws {
        let f = try StudioFixture()
        defer { f.remove() }
        let client = StudioClient(f.studio())
        let image = try await client.get("/image/\(f.images[1].id)")
        #expect(image.status == .ok)
        #expect(image.headers[.contentType] == "image/png")
        #expect(image.bytes == Array(try Data(contentsOf: URL(fileURLWithPath: f.images[1].path))))
        for bad in ["/image/..%2F..%2Fetc%2Fpasswd", "/image/img0.png", "/image/" + String(repeating: "A", count: 64)] {
            #expect(try await client.get(bad).status == .badRequest, "\(bad)")
        }
        #expect(try await client.get("/image/../../etc/passwd").status != .ok)
        #expect(try await client.get("/image/" + String(repeating: "0", count: 64)).status == .notFound)
        #expect(try await client.get("/static/../Package.swift").status == .notFound)
    }

    @Test("a judge's evidence holding <script> shows as text on the labelling and results pages")
    func escaping() async throws {
        let f = try StudioFixture()
        defer { f.remove() }
        let run = try f.judge(evidence: "<script>alert('x')</script> & \"quoted\"")
        let client = StudioClient(f.studio())
        _ = try await client.get("/")
        _ = try await client.post(
            "/label/image", [("image", f.images[0].id), ("queue", "condition=synthetic/scaly-plaque"), ("plausibility", "plausible")])
        for page in [
            try await client.get("/label/image?id=\(f.images[0].id)&condition=synthetic/scaly-plaque"),
            try await client.get("/results/\(run)"),
        ] {
            #expect(page.status == .ok)
            #expect(!page.body.contains("<script>alert"))
            #expect(page.body.contains("&lt;script&gt;alert"))
        }
    }

    @Test("a rater name typed on loopback is kept in the session; without one, labelling asks for it")
    func raterAskedOnce() async throws {
        let f = try StudioFixture()
        defer { f.remove() }
        let client = StudioClient(f.studio(rater: nil))
        let queue = try await client.get("/label/queue?condition=synthetic/scaly-plaque")
        #expect(queue.status == .seeOther)
        #expect(queue.location?.hasPrefix("/rater?") == true)
        let ask = try await client.follow(queue)
        #expect(ask.body.contains("Who is rating"))
        let set = try await client.post("/rater", [("rater", "Dr <b>Ade</b>"), ("next", "/label")])
        #expect(set.location == "/label")
        let page = try await client.get("/label")
        #expect(page.body.contains("Dr &lt;b&gt;Ade&lt;/b&gt;"))
        // An absolute URL as `next` is not followed off the site.
        let offsite = try await client.post("/rater", [("rater", "x"), ("next", "//evil.example/")])
        #expect(offsite.location == "/")
    }

    @Test("off loopback every page needs a login; the rater is the logged-in user; a wrong password is refused")
    func loginOffLoopback() async throws {
        let f = try StudioFixture()
        defer { f.remove() }
        try f.store.setStudioUser(name: "dr-b", passwordHash: PasswordHash.hash("correct horse", cost: 4))
        let client = StudioClient(f.studio(host: "0.0.0.0", rater: "ignored"))
        let home = try await client.get("/")
        #expect(home.status == .seeOther)
        #expect(home.location?.hasPrefix("/login") == true)
        #expect(try await client.get("/image/\(f.images[1].id)").status == .seeOther)
        let login = try await client.get("/login")
        #expect(login.status == .ok)
        let wrong = try await client.post("/login", [("name", "dr-b"), ("password", "wrong horse")])
        #expect(wrong.status == .unauthorized)
        #expect(wrong.body.contains("Wrong name or password"))
        let before = client.cookie
        let right = try await client.post("/login", [("name", "dr-b"), ("password", "correct horse"), ("next", "/label")])
        #expect(right.status == .seeOther)
        #expect(right.location == "/label")
        #expect(client.cookie != before)
        let page = try await client.get("/label")
        #expect(page.status == .ok)
        #expect(page.body.contains("id=\"rater-name\">dr-b<"))
        #expect(try await client.get("/image/\(f.images[1].id)").status == .ok)
        _ = try await client.post(
            "/label/image", [("image", f.images[0].id), ("queue", "condition=synthetic/scaly-plaque"), ("plausibility", "implausible")])
        #expect(try f.store.labels(rater: "dr-b").count == 1)
        #expect(try f.store.labels(rater: "ignored").isEmpty)
        // A rater name from a form cannot replace the login's.
        #expect(try await client.post("/rater", [("rater", "mallory")]).status == .forbidden)
        let out = try await client.post("/logout", [])
        #expect(out.location == "/login")
        #expect(try await client.get("/label").status == .seeOther)
    }

    @Test("off loopback with no account the studio refuses to start, naming the command that adds one")
    func refusesWithoutAccounts() async throws {
        let f = try StudioFixture()
        defer { f.remove() }
        await #expect(throws: StudioStartError.self) {
            try await f.studio(host: "0.0.0.0").run { _ in }
        }
        do {
            try await f.studio(host: "192.0.2.1").run { _ in }
        } catch let error as StudioStartError {
            #expect(error.message.contains("rounds studio user add NAME"))
        }
    }

    @Test("passwords: bcrypt hashes verify, the clear text is never stored, and too short or long ones are named")
    func passwords() throws {
        let hash = PasswordHash.hash("a fine password", cost: 4)
        #expect(hash.hasPrefix("$2b$04$"))
        #expect(!hash.contains("a fine password"))
        #expect(PasswordHash.verify("a fine password", hash: hash))
        #expect(!PasswordHash.verify("a fine passwore", hash: hash))
        #expect(PasswordHash.problem(with: "short")?.contains("at least 8") == true)
        #expect(PasswordHash.problem(with: String(repeating: "x", count: 73))?.contains("72") == true)
        #expect(PasswordHash.problem(with: "long enough") == nil)
        #expect(StudioConfiguration.isLoopback("127.0.0.1") && StudioConfiguration.isLoopback("::1"))
        #expect(StudioConfiguration.isLoopback("localhost") && StudioConfiguration.isLoopback("127.1.2.3"))
        #expect(!StudioConfiguration.isLoopback("0.0.0.0") && !StudioConfiguration.isLoopback("10.0.0.5"))
        #expect(!StudioConfiguration.isLoopback("127.0.0.1.example.com"))
    }

    @Test("unknown routes and bad parameters answer with a page naming the problem")
    func errors() async throws {
        let f = try StudioFixture()
        defer { f.remove() }
        let client = StudioClient(f.studio())
        #expect(try await client.get("/nope").status == .notFound)
        let bad = try await client.get("/label/queue?condition=synthetic/nope")
        #expect(bad.status == .notFound)
        #expect(bad.body.contains("synthetic/nope has no checklist"))
        let skin = try await client.get("/label/queue?condition=synthetic/scaly-plaque&skin=purple")
        #expect(skin.status == .badRequest)
        #expect(skin.body.contains("skin: &#39;purple&#39;") || skin.body.contains("skin: &apos;purple&apos;") || skin.body.contains("skin: 'purple'"))
        #expect(try await client.get("/results/abc").status == .badRequest)
        #expect(try await client.get("/results/99").status == .notFound)
        #expect(try await client.get("/pairs/7").status == .notFound)
        #expect(try await client.get("/checklists/edit?c=../../etc/passwd").status == .badRequest)
        #expect(try await client.get("/checklists/edit?c=synthetic/nope").status == .notFound)
    }
}
