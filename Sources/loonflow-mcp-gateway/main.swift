import FoundationEssentials
import Gateway
import Glibc

// Termination signals are taken by a dedicated thread (see SignalWaiter); block them
// before any other thread starts so none of them receives one.
SignalWaiter.blockTermination()
signal(SIGPIPE, SIG_IGN)
let status = await GatewayMain.run(
    arguments: Array(CommandLine.arguments.dropFirst()), environment: ProcessInfo.processInfo.environment)
exit(status)
