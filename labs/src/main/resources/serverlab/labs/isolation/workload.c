/*
 * workload.c - one small program, compiled for the host and for aarch64 (static), run natively,
 * under qemu-user and inside a qemu-system guest. It times itself with the monotonic clock, so
 * process start-up and qemu's own start-up are not counted, and prints a checksum so the runs
 * can be compared:
 *
 *     $ ./workload cpu
 *     checksum f13577103295617d
 *     elapsed_ms 91.997
 *
 * cpu      integer hashing and a sieve: guest instructions only, so emulation pays per instruction
 * syscall  getppid() in a loop: each call leaves the (emulated) CPU for the (host) kernel
 * idle     prints "ready" once main runs, then waits for the end of its input (the isolation ladder's
 *          emulated program: how long until it runs, and what it holds while idle)
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static uint64_t cpu(void) {
    enum { N = 2000000 };
    static unsigned char composite[N];
    uint64_t hash = 0xcbf29ce484222325u;               /* FNV-1a over the primes below N, three times */
    for (int round = 0; round < 3; round++) {
        memset(composite, 0, sizeof composite);
        for (uint64_t i = 2; i < N; i++) {
            if (composite[i]) continue;
            hash = (hash ^ i) * 0x100000001b3u;
            for (uint64_t j = i * i; j < N; j += i) composite[j] = 1;
        }
    }
    uint64_t x = hash;                                  /* then xorshift mixing: pure register work */
    for (int i = 0; i < 30000000; i++) {
        x ^= x << 13; x ^= x >> 7; x ^= x << 17;
        hash += x;
    }
    return hash;
}

static uint64_t syscalls(void) {
    uint64_t sum = 0;
    pid_t parent = (pid_t) syscall(SYS_getppid);       /* syscall(): glibc must not answer from a cache */
    for (int i = 0; i < 300000; i++) {
        sum = sum * 31 + (syscall(SYS_getppid) == parent);
    }
    return sum;
}

static double now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

int main(int argc, char **argv) {
    uint64_t (*work)(void) = argc < 2 ? NULL
            : strcmp(argv[1], "cpu") == 0 ? cpu
            : strcmp(argv[1], "syscall") == 0 ? syscalls : NULL;
    if (argc == 2 && strcmp(argv[1], "idle") == 0) {
        char buffer[64];
        puts("ready");
        fflush(stdout);
        while (read(0, buffer, sizeof buffer) > 0) {
        }
        return 0;
    }
    if (work == NULL) {
        fprintf(stderr, "usage: %s cpu|syscall|idle\n", argv[0]);
        return 2;
    }
    double start = now_ms();
    uint64_t checksum = work();
    double elapsed = now_ms() - start;
    printf("checksum %016llx\nelapsed_ms %.3f\n", (unsigned long long) checksum, elapsed);
    return 0;
}
