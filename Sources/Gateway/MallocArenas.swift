import Glibc

/// glibc gives each thread that allocates under contention its own malloc arena (up to eight
/// per core), and each arena keeps freed memory for reuse. The gateway's threads (the
/// listener, the libcurl loop, the task pool) allocate little, so two arenas serve them as
/// fast and keep resident memory several MiB lower under load.
///
/// `mallopt` is not visible through the Glibc module, so it is looked up at run time; an
/// explicit `MALLOC_ARENA_MAX` in the environment wins.
enum MallocArenas {
    static func limit(to count: Int32 = 2) {
        guard getenv("MALLOC_ARENA_MAX") == nil, let symbol = dlsym(nil, "mallopt") else { return }
        typealias MallOpt = @convention(c) (Int32, Int32) -> Int32
        let mallopt = unsafeBitCast(symbol, to: MallOpt.self)
        let arenaMax: Int32 = -8  // M_ARENA_MAX in <malloc.h>
        _ = mallopt(arenaMax, count)
    }
}
