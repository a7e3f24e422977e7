/*
 * ferry-load: the traffic generator of bench's "traffic" section (netperf is not packaged here).
 *
 *   ferry-load server PORT                 serve every mode below on PORT until killed
 *   ferry-load crr SECONDS IP:PORT...      connect, 1-byte request, 1-byte answer, close; repeat,
 *                                          cycling over the targets; prints "connections/s N"
 *   ferry-load rr SECONDS IP:PORT          1-byte ping-pong on one connection; prints
 *                                          "p50_us N p99_us N samples N"
 *   ferry-load stream SECONDS IP:PORT      one bulk stream to the server; prints "gbit/s N"
 *
 * The first byte a client sends picks the mode of its connection: 'e' echoes every later byte
 * back, 's' swallows everything. A client exits 1 on the first failure (refused, reset,
 * timeout): nothing on a benchmark path may drop, so a failure is reported, never averaged in.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MODE_ECHO 'e'
#define MODE_SINK 's'
/* Long enough for a SYN retransmit (1 s) to show up as a slow connection rather than a failure. */
#define IO_TIMEOUT_SECONDS 3
#define STREAM_CHUNK (128 * 1024)
#define MAX_FDS 65536

static void die(const char *what) {
    fprintf(stderr, "ferry-load: %s: %s\n", what, strerror(errno));
    exit(1);
}

static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static struct sockaddr_in parse_target(const char *text) {
    char host[64];
    const char *colon = strrchr(text, ':');
    if (!colon || colon - text >= (long)sizeof(host)) {
        fprintf(stderr, "ferry-load: target must be IP:PORT: %s\n", text);
        exit(2);
    }
    memcpy(host, text, colon - text);
    host[colon - text] = 0;
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(atoi(colon + 1))};
    if (inet_pton(AF_INET, host, &addr.sin_addr) != 1) {
        fprintf(stderr, "ferry-load: not an IPv4 address: %s\n", host);
        exit(2);
    }
    return addr;
}

/* ---- server: one epoll loop, so thousands of short connections a second cost no fork ---- */

static void serve(int port) {
    int listener = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    int one = 1;
    setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = INADDR_ANY};
    if (bind(listener, (struct sockaddr *)&addr, sizeof(addr)) < 0) die("bind");
    if (listen(listener, 4096) < 0) die("listen");
    int epoll = epoll_create1(0);
    struct epoll_event event = {.events = EPOLLIN, .data.fd = listener};
    epoll_ctl(epoll, EPOLL_CTL_ADD, listener, &event);
    static char mode[MAX_FDS]; /* per connection: 0 until its first byte arrives */
    static char buffer[STREAM_CHUNK];
    struct epoll_event ready[256];
    printf("listening %d\n", port);
    fflush(stdout);
    for (;;) {
        int n = epoll_wait(epoll, ready, 256, -1);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) die("epoll_wait");
        for (int i = 0; i < n; i++) {
            int fd = ready[i].data.fd;
            if (fd == listener) {
                int conn;
                while ((conn = accept4(listener, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
                    if (conn >= MAX_FDS) { close(conn); continue; }
                    setsockopt(conn, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
                    mode[conn] = 0;
                    struct epoll_event in = {.events = EPOLLIN, .data.fd = conn};
                    epoll_ctl(epoll, EPOLL_CTL_ADD, conn, &in);
                }
                continue;
            }
            ssize_t got = read(fd, buffer, sizeof(buffer));
            if (got < 0 && errno == EAGAIN) continue;
            if (got <= 0) { close(fd); continue; } /* closed by the client, or reset */
            char *data = buffer;
            if (mode[fd] == 0) { mode[fd] = data[0]; data++; got--; }
            if (mode[fd] == MODE_ECHO && got > 0 && write(fd, data, got) != got) close(fd);
        }
    }
}

/* ---- clients ---- */

static int connect_to(const struct sockaddr_in *target) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) die("socket");
    struct timeval timeout = {.tv_sec = IO_TIMEOUT_SECONDS};
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof(timeout)); /* bounds connect() too */
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    if (connect(fd, (const struct sockaddr *)target, sizeof(*target)) < 0) {
        char what[64];
        snprintf(what, sizeof(what), "connect %s:%d", inet_ntoa(target->sin_addr), ntohs(target->sin_port));
        die(what);
    }
    return fd;
}

static void exchange_byte(int fd) {
    char byte = 'x';
    if (write(fd, &byte, 1) != 1) die("write");
    ssize_t got = read(fd, &byte, 1);
    if (got < 0) die("read");
    if (got == 0) { errno = ECONNRESET; die("read: closed before the answer"); }
}

static void crr(double seconds, struct sockaddr_in *targets, int count) {
    long done = 0;
    double start = now_seconds(), end = start + seconds, t = start;
    while (t < end) {
        int fd = connect_to(&targets[done % count]);
        char request[2] = {MODE_ECHO, 'x'};
        if (write(fd, request, 2) != 2) die("write");
        char answer;
        ssize_t got = read(fd, &answer, 1);
        if (got <= 0) { if (got == 0) errno = ECONNRESET; die("read"); }
        close(fd); /* the client closes first: TIME_WAIT lands here, where tcp_tw_reuse recycles it */
        done++;
        if ((done & 63) == 0) t = now_seconds();
    }
    printf("connections/s %.1f\n", done / (now_seconds() - start));
}

static int compare_longs(const void *a, const void *b) {
    long x = *(const long *)a, y = *(const long *)b;
    return (x > y) - (x < y);
}

static void rr(double seconds, const struct sockaddr_in *target) {
    int fd = connect_to(target);
    char mode = MODE_ECHO;
    if (write(fd, &mode, 1) != 1) die("write");
    size_t capacity = 1 << 20, n = 0;
    long *samples = malloc(capacity * sizeof(long));
    double end = now_seconds() + seconds;
    struct timespec a, b;
    do {
        clock_gettime(CLOCK_MONOTONIC, &a);
        exchange_byte(fd);
        clock_gettime(CLOCK_MONOTONIC, &b);
        if (n == capacity) samples = realloc(samples, (capacity *= 2) * sizeof(long));
        samples[n++] = (b.tv_sec - a.tv_sec) * 1000000000L + (b.tv_nsec - a.tv_nsec);
    } while (b.tv_sec + b.tv_nsec / 1e9 < end);
    close(fd);
    qsort(samples, n, sizeof(long), compare_longs);
    printf("p50_us %.2f p99_us %.2f samples %zu\n", samples[n / 2] / 1e3, samples[(size_t)(n * 0.99)] / 1e3, n);
    free(samples);
}

static void stream(double seconds, const struct sockaddr_in *target) {
    int fd = connect_to(target);
    static char chunk[STREAM_CHUNK];
    chunk[0] = MODE_SINK; /* the first chunk's first byte picks the mode; the rest is payload */
    long sent = 0;
    double start = now_seconds(), end = start + seconds;
    while (now_seconds() < end) {
        ssize_t put = write(fd, chunk, sizeof(chunk));
        if (put < 0) die("write");
        sent += put;
    }
    double elapsed = now_seconds() - start;
    close(fd);
    printf("gbit/s %.3f\n", sent * 8 / elapsed / 1e9);
}

int main(int argc, char **argv) {
    signal(SIGPIPE, SIG_IGN);
    if (argc == 3 && strcmp(argv[1], "server") == 0) {
        serve(atoi(argv[2]));
    } else if (argc >= 4 && strcmp(argv[1], "crr") == 0) {
        int count = argc - 3;
        struct sockaddr_in *targets = calloc(count, sizeof(*targets));
        for (int i = 0; i < count; i++) targets[i] = parse_target(argv[3 + i]);
        crr(atof(argv[2]), targets, count);
    } else if (argc == 4 && strcmp(argv[1], "rr") == 0) {
        struct sockaddr_in target = parse_target(argv[3]);
        rr(atof(argv[2]), &target);
    } else if (argc == 4 && strcmp(argv[1], "stream") == 0) {
        struct sockaddr_in target = parse_target(argv[3]);
        stream(atof(argv[2]), &target);
    } else {
        fprintf(stderr, "usage: ferry-load server PORT | crr SECONDS IP:PORT... | rr SECONDS IP:PORT"
                        " | stream SECONDS IP:PORT\n");
        return 2;
    }
    return 0;
}
