import Glibc

/// glibc gives each thread that allocates under contention its own malloc arena (up to eight
/// per core), and each arena keeps freed memory for reuse. The gateway's threads (the
/// listener, the libcurl loop, the task pool) allocate little, so two arenas serve them as
/// fast and keep resident memory several MiB lower under load.
///
/// `mallopt` is not visible through the Glibc module, so it is looked up at run time; an
/// explicit `MALLOC_ARENA_MAX` in the environment wins.
///
/// It also fixes the size from which glibc maps a block of its own (1 MiB). By default that
/// threshold rises to the largest block freed so far, so after one upstream answer of many
/// MiB every later one is carved from the heap and its pages stay resident after it is freed;
/// with the threshold fixed, response buffers go back to the system as soon as they are
/// released. An explicit `MALLOC_MMAP_THRESHOLD_` wins.
enum MallocArenas {
    static func limit(to count: Int32 = 2) {
        guard let mallopt = mallOpt() else { return }
        if getenv("MALLOC_ARENA_MAX") == nil {
            let arenaMax: Int32 = -8  // M_ARENA_MAX in <malloc.h>
            _ = mallopt(arenaMax, count)
        }
        if getenv("MALLOC_MMAP_THRESHOLD_") == nil {
            let mmapThreshold: Int32 = -3  // M_MMAP_THRESHOLD in <malloc.h>
            _ = mallopt(mmapThreshold, 1 << 20)
        }
    }

    private typealias MallOpt = @convention(c) (Int32, Int32) -> Int32

    private static func mallOpt() -> MallOpt? {
        guard let symbol = dlsym(nil, "mallopt") else { return nil }
        return unsafeBitCast(symbol, to: MallOpt.self)
    }
}
