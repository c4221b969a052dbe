/*
 * hello_server.c - the smallest HTTP server that ServerLab's clients can talk to: one process,
 * one connection at a time (an iterative server, CS:APP's echoserveri), HTTP/1.1 keep-alive.
 * It runs natively and, built static, inside a qemu-system guest whose initramfs has no libc.
 *
 *     $ ./hello_server 0.0.0.0 8080
 *     GET /hello  ->  200 "hello"      anything else  ->  404
 *
 * It prints "listening <port>" once it accepts connections (port 0 picks a free one).
 */
#define _GNU_SOURCE                                             /* memmem */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static const char HELLO[] = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Type: text/plain\r\n\r\nhello";
static const char NOT_FOUND[] = "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n";

/* Answers each request on one connection until the client closes it. Requests have no body. */
static void serve(int fd) {
    char buf[8192];
    size_t have = 0;
    for (;;) {
        char *end;
        while ((end = memmem(buf, have, "\r\n\r\n", 4)) == NULL) {
            if (have == sizeof buf) return;                       /* header too large: hang up */
            ssize_t n = read(fd, buf + have, sizeof buf - have);
            if (n <= 0) return;
            have += (size_t) n;
        }
        int hello = have >= 11 && memcmp(buf, "GET /hello ", 11) == 0;
        const char *reply = hello ? HELLO : NOT_FOUND;
        size_t length = hello ? sizeof HELLO - 1 : sizeof NOT_FOUND - 1;
        if (write(fd, reply, length) != (ssize_t) length) return;
        size_t used = (size_t) (end + 4 - buf);                   /* keep a pipelined next request */
        memmove(buf, buf + used, have - used);
        have -= used;
    }
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: %s ADDRESS PORT\n", argv[0]);
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    struct sockaddr_in address = { .sin_family = AF_INET, .sin_port = htons((unsigned short) atoi(argv[2])) };
    int listener = socket(AF_INET, SOCK_STREAM, 0), on = 1;
    setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    if (inet_pton(AF_INET, argv[1], &address.sin_addr) != 1
            || bind(listener, (struct sockaddr *) &address, sizeof address) < 0 || listen(listener, 128) < 0) {
        perror(argv[1]);
        return 1;
    }
    socklen_t size = sizeof address;
    getsockname(listener, (struct sockaddr *) &address, &size);
    printf("listening %d\n", ntohs(address.sin_port));
    fflush(stdout);
    for (;;) {
        int fd = accept(listener, NULL, NULL);
        if (fd < 0) continue;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
        serve(fd);
        close(fd);
    }
}
