/// Polls `condition` every few milliseconds until it holds or `timeout` passes: a wait for a
/// state the test can observe, never a sleep standing in for one.
/// - Returns: whether it held in time.
package func eventually(timeout: Duration = .seconds(10), _ condition: () async -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if await condition() { return true }
        try? await Task.sleep(for: .milliseconds(5))
    }
    return await condition()
}
