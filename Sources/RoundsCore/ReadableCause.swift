import Foundation

/// An underlying error as a person reads it after a Rounds message: Foundation's file errors by their
/// own sentence ("The file doesn’t exist.", plus the POSIX reason when there is one) instead of the
/// `Error Domain=NSCocoaErrorDomain Code=260 … UserInfo={…}` dump; other errors as they describe themselves.
public func readableCause(_ error: any Error) -> String {
    if let cocoa = error as? CocoaError {
        let underlying = (cocoa.userInfo[NSUnderlyingErrorKey] as? NSError)?.localizedDescription
        // swift-corelibs-foundation prefixes its sentence with this generic one
        let text = cocoa.localizedDescription.replacingOccurrences(of: "The operation could not be completed. ", with: "")
        return text + (underlying.map { " (\($0))" } ?? "")
    }
    if let posix = error as? POSIXError { return posix.localizedDescription }
    if type(of: error) is NSError.Type { return (error as NSError).localizedDescription }
    return "\(error)"
}
