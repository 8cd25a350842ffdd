/// A libmicrohttpd daemon or connection pointer kept in Swift state.
///
/// `@unchecked Sendable`: the pointer is only stored behind a Mutex (`Exchange.state`,
/// `HTTPServer.lifecycle`) and only passed to the libmicrohttpd calls that the library allows
/// from any thread (`MHD_resume_connection`, `MHD_quiesce_daemon`, `MHD_stop_daemon`) or on
/// its own thread inside its callbacks; it is cleared before the object is freed.
struct MHDHandle: @unchecked Sendable {
    let pointer: OpaquePointer
}
