#ifndef CMHD_SHIM_H
#define CMHD_SHIM_H

#include <sys/types.h>
#include <sys/select.h>
#include <sys/socket.h>
/* epoll and eventfd are not in Swift's Glibc module; the server uses them to notice a
 * client hanging up while its connection is suspended (libmicrohttpd does not poll it). */
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdarg.h>
#include <microhttpd.h>

/*
 * Typed adapters for libmicrohttpd. Swift cannot call C variadic functions, and
 * several of the library's constants are macros or flag enums that import badly,
 * so each one the HTTPServer module needs gets a small named wrapper here.
 */

/** The URI log callback (MHD_OPTION_URI_LOG_CALLBACK); the header has no typedef for it. */
typedef void *(*cmhd_uri_log_callback)(void *cls, const char *uri,
                                       struct MHD_Connection *connection);

/** The daemon flags: one internal epoll thread, suspend/resume allowed (implies the ITC),
 *  and the library's messages passed to the external logger (which watches for the
 *  Content-Length errors libmicrohttpd answers itself). */
static inline unsigned int cmhd_daemon_flags(bool ipv6) {
    unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL
                         | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG;
    if (ipv6) {
        flags |= MHD_USE_IPv6;
    }
    return flags;
}

/** The same flags without the library's thread: the caller polls the daemon's epoll
 *  descriptor in its own loop and calls MHD_run. */
static inline unsigned int cmhd_hosted_daemon_flags(bool ipv6) {
    return cmhd_daemon_flags(ipv6) & ~(unsigned int)MHD_USE_INTERNAL_POLLING_THREAD;
}

/** The epoll descriptor of a daemon without its own thread, or -1. */
static inline int cmhd_daemon_epoll_fd(struct MHD_Daemon *daemon) {
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_EPOLL_FD);
    return info == NULL ? -1 : info->epoll_fd;
}

/** Milliseconds until MHD_run is due whatever the sockets do, or -1 for no deadline. */
static inline long long cmhd_daemon_timeout_ms(struct MHD_Daemon *daemon) {
    MHD_UNSIGNED_LONG_LONG timeout = 0;
    if (MHD_get_timeout(daemon, &timeout) != MHD_YES) {
        return -1;
    }
    return timeout > 0x7fffffffLL ? 0x7fffffffLL : (long long)timeout;
}

/** An option item carrying an unsigned integer (limits, timeouts, sizes). */
static inline struct MHD_OptionItem cmhd_option_integer(enum MHD_OPTION option, uintptr_t value) {
    struct MHD_OptionItem item = { option, (intptr_t)value, NULL };
    return item;
}

static inline struct MHD_OptionItem cmhd_option_connection_limit(unsigned int limit) {
    return cmhd_option_integer(MHD_OPTION_CONNECTION_LIMIT, limit);
}

static inline struct MHD_OptionItem cmhd_option_connection_timeout(unsigned int seconds) {
    return cmhd_option_integer(MHD_OPTION_CONNECTION_TIMEOUT, seconds);
}

static inline struct MHD_OptionItem cmhd_option_connection_memory_limit(size_t bytes) {
    return cmhd_option_integer(MHD_OPTION_CONNECTION_MEMORY_LIMIT, bytes);
}

/** Binds to `address`, which must stay valid until the daemon has started. */
static inline struct MHD_OptionItem cmhd_option_sock_addr(const struct sockaddr *address) {
    struct MHD_OptionItem item = { MHD_OPTION_SOCK_ADDR, 0, (void *)address };
    return item;
}

/* Two-pointer options put the function pointer in `value`, as the header asks. */

static inline struct MHD_OptionItem cmhd_option_notify_completed(MHD_RequestCompletedCallback callback,
                                                                void *cls) {
    struct MHD_OptionItem item = { MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)callback, cls };
    return item;
}

static inline struct MHD_OptionItem cmhd_option_notify_connection(MHD_NotifyConnectionCallback callback,
                                                                 void *cls) {
    struct MHD_OptionItem item = { MHD_OPTION_NOTIFY_CONNECTION, (intptr_t)callback, cls };
    return item;
}

static inline struct MHD_OptionItem cmhd_option_external_logger(MHD_LogCallback callback, void *cls) {
    struct MHD_OptionItem item = { MHD_OPTION_EXTERNAL_LOGGER, (intptr_t)callback, cls };
    return item;
}

static inline struct MHD_OptionItem cmhd_option_uri_log(cmhd_uri_log_callback callback, void *cls) {
    struct MHD_OptionItem item = { MHD_OPTION_URI_LOG_CALLBACK, (intptr_t)callback, cls };
    return item;
}

static inline struct MHD_OptionItem cmhd_option_end(void) {
    struct MHD_OptionItem item = { MHD_OPTION_END, 0, NULL };
    return item;
}

/** Starts a daemon with every option passed as one MHD_OPTION_ARRAY (ending in cmhd_option_end). */
static inline struct MHD_Daemon *cmhd_start_daemon(unsigned int flags, uint16_t port,
                                                   MHD_AccessHandlerCallback handler,
                                                   void *handler_cls,
                                                   struct MHD_OptionItem *options) {
    return MHD_start_daemon(flags, port, NULL, NULL, handler, handler_cls,
                            MHD_OPTION_ARRAY, options, MHD_OPTION_END);
}

/** The port the daemon listens on (the real one when 0 was asked for), or 0 if unknown. */
static inline uint16_t cmhd_daemon_bound_port(struct MHD_Daemon *daemon) {
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_BIND_PORT);
    return info == NULL ? 0 : info->port;
}

/** The peer's address, or NULL. Valid while the connection is. */
static inline const struct sockaddr *cmhd_connection_client_address(struct MHD_Connection *connection) {
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    return info == NULL ? NULL : info->client_addr;
}

/** The connection's socket, or -1. MHD owns it; use it only to watch for hang-ups. */
static inline int cmhd_connection_socket(struct MHD_Connection *connection) {
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CONNECTION_FD);
    return info == NULL ? -1 : info->connect_fd;
}

/* Macro constants, as values Swift can see. */

static const uint64_t cmhd_size_unknown = MHD_SIZE_UNKNOWN;
static const ssize_t cmhd_reader_end_of_stream = MHD_CONTENT_READER_END_OF_STREAM;
static const ssize_t cmhd_reader_end_with_error = MHD_CONTENT_READER_END_WITH_ERROR;

#endif
