import Foundation
import RoundsCore

/// A request ready to send, with its identity (CLI.md "Request key").
///
/// `canonicalBody` is the request body in canonical JSON with each image's base64 replaced by its image
/// id; it is what provenance keeps. `key` is the SHA-256 of the canonical JSON
/// `{"base_url": <endpoint base URL>, "body": <canonical body>, "model": <model>}`, so equal keys mean
/// the same question to the same model at the same place.
public struct PreparedRequest: Sendable {
    public var key: String
    public var canonicalBody: String
    /// The exact bytes sent (the canonical body with the real base64 in place of the image ids).
    public var wireBody: [UInt8]

    /// Builds both bodies from one JSON tree: images get a placeholder that cannot occur in canonical
    /// JSON text otherwise, which is then swapped for the image id or the base64, so the two bodies
    /// differ only there.
    public init(_ request: JudgeRequest, endpoint: EndpointConfig, provider: any JudgeProvider) {
        let marker = "\u{1}img"  // serialized as the escape \u0001img, never produced by our text
        let body = provider.body(for: request, endpoint: endpoint) { image in
            marker + String(request.images.firstIndex(of: image) ?? 0) + marker
        }
        let template = body.canonicalString
        let escapedMarker = "\\u0001img"
        let pieces = template.components(separatedBy: escapedMarker)
        var canonical = ""
        var wire: [UInt8] = []
        wire.reserveCapacity(template.utf8.count + request.images.reduce(0) { $0 + $1.bytes.count * 4 / 3 + 4 })
        // Pieces alternate: text, index, text, index, ...
        for (i, piece) in pieces.enumerated() {
            if i % 2 == 1, let index = Int(piece), request.images.indices.contains(index) {
                canonical += request.images[index].imageID
                wire.append(contentsOf: request.images[index].base64.utf8)
            } else {
                canonical += piece
                wire.append(contentsOf: piece.utf8)
            }
        }
        self.canonicalBody = canonical
        self.wireBody = wire
        // The canonical JSON of {"base_url", "body", "model"} written directly (keys already in sorted
        // order): `canonical` is canonical JSON itself, so parsing it back to re-serialize it (as a
        // JSONValue would) gives the same text at the cost of a parse per request.
        let keyed = #"{"base_url":"# + JSONValue.string(endpoint.baseURL).canonicalString + #","body":"# + canonical
            + #","model":"# + JSONValue.string(endpoint.model).canonicalString + "}"
        self.key = SHA256.hex(keyed)
    }
}
