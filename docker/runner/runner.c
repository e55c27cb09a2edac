/*
 * /opt/hearth/runner: the command of every runtime pod. It starts the runner on the JVM bundled next to it.
 *
 * Built with `gcc -static`: the pool's image is unknown (Debian, Alpine/musl, distroless, with or without
 * /bin/sh), so this file must need nothing from it. The bundled java finds its own glibc through the ELF
 * interpreter and DT_RPATH that build-dist.sh patched in, never through the environment.
 *
 * Environment contract:
 *   - LD_* variables are removed for the JVM only: they are meant for the image's dynamic loader, and a
 *     library preloaded or found through them would be linked against a foreign glibc.
 *   - LC_ALL and LOCPATH select the bundled C.UTF-8 locale, so that the JVM encodes file names, process
 *     arguments and environment values as UTF-8 whatever the image's locale is. The runner gives function
 *     processes an environment of their own (PROTOCOL.md), so none of this reaches them.
 *   - HEARTH_RUNNER_JAVA_OPTS (whitespace-separated, no quoting) is appended to the default JVM flags, so a
 *     pool can override any of them (the last occurrence of a flag wins).
 *
 * The class path is the jars of app/ in the order build-dist.sh compiled in (HEARTH_CLASSPATH), never a
 * wildcard: the JVM would expand that in directory order, which a copy may change, and the runner's class
 * archive (app/runner.jsa) is only accepted with the class path it was dumped with.
 *
 * As PID 1 of a container it also does what an init must: function processes leave orphans (a killed
 * shell's background children) that the kernel re-parents to PID 1, and the JVM reaps only the children
 * it started. So when it is PID 1 it forks the JVM, reaps every child, forwards termination signals to
 * the JVM and exits with its status. Otherwise (a pod sharing its process namespace) it execs the JVM.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef HEARTH_HOME
#define HEARTH_HOME "/opt/hearth"
#endif

#ifndef HEARTH_CLASSPATH
#error "HEARTH_CLASSPATH (the jars of app/, colon-separated) is set by build-dist.sh"
#endif

#define JAVA HEARTH_HOME "/jre/bin/java"
#define APP_ARCHIVE HEARTH_HOME "/app/runner.jsa"
#define APP_AOT_CACHE HEARTH_HOME "/app/runner.aot"
#define MAIN_CLASS "dev.hearth.runner.RunnerMain"
#define JAVA_OPTS_ENV "HEARTH_RUNNER_JAVA_OPTS"

/*
 * Sized for a function pod, whose memory limit the runner shares with the function. Serial GC has no GC
 * threads; a small initial heap keeps the resident size low where the pod has no limit, and the heap cap
 * follows the container's limit. C1 only: the runner moves bytes between sockets and pipes, and C2 cost
 * about 200 ms of start and 24 MB of resident memory in the measurements of docker/README.md.
 * The JVM's default, -Xshare:auto, maps the CDS archive build-dist.sh dumped (about 130 ms of start) and carries on
 * without it (not named here: JDK 25 refuses -XX:AOTCacheOutput next to any -Xshare flag).
 * The runner's own class archive (APP_ARCHIVE) is added when it exists; JDK 17 accepts it only if every jar
 * has the size and mtime it had at build time (the init container copies with `cp -Rp`); otherwise it prints
 * one warning ("The top archive failed to load") and starts without it. -Xlog:cds=info through
 * HEARTH_RUNNER_JAVA_OPTS says which jar differs; -Xshare:on makes the JVM fail instead.
 *
 * ArchiveRelocationMode=0 maps both archives where they were dumped (0x800000000) instead of at a random
 * address: JDK 17.0.15 and 25 relocate by default, which rewrites every pointer of the 33 MB of archives into
 * private dirty pages, about 17 MB of memory the kernel can never reclaim; mapped in place they stay clean
 * pages of the files (bench/RESULTS.md, "Warm pod cost"). The cost is ASLR for the archived class metadata
 * only, which is the same in every pod and holds no secret; the JVM relocates anyway if that range is taken.
 * io.netty.jfr.enabled=false: Netty's allocator would otherwise load the JFR event classes (about 50) when it
 * allocates its first chunk, on the path to the first health answer; the runner does not record JFR.
 */
static const char *const DEFAULT_FLAGS[] = {
    "-XX:+UseSerialGC",
    "-Xms8m",
    "-XX:MaxRAMPercentage=25",
    "-Xss512k",
    "-XX:TieredStopAtLevel=1",
    "-XX:-UsePerfData",
    "-XX:+UnlockDiagnosticVMOptions",
    "-XX:ArchiveRelocationMode=0",
    "-Dio.netty.jfr.enabled=false",
};
#define DEFAULT_FLAG_COUNT (sizeof(DEFAULT_FLAGS) / sizeof(DEFAULT_FLAGS[0]))

extern char **environ;

static char **java_environment(void) {
    size_t count = 0;
    while (environ[count] != NULL) {
        count++;
    }
    char **env = calloc(count + 3, sizeof(char *));
    if (env == NULL) {
        return NULL;
    }
    size_t kept = 0;
    for (size_t i = 0; i < count; i++) {
        const char *entry = environ[i];
        if (strncmp(entry, "LD_", 3) == 0 || strncmp(entry, "LC_ALL=", 7) == 0
                || strncmp(entry, "LOCPATH=", 8) == 0) {
            continue;
        }
        env[kept++] = (char *) entry;
    }
    env[kept++] = "LC_ALL=C.UTF-8";
    env[kept++] = "LOCPATH=" HEARTH_HOME "/glibc/locale";
    env[kept] = NULL;
    return env;
}

/* Splits a copy of `opts` in place; returns the number of tokens written to `out` (at most `max`). */
static size_t split_options(char *opts, char **out, size_t max) {
    size_t n = 0;
    for (char *token = strtok(opts, " \t\n"); token != NULL && n < max; token = strtok(NULL, " \t\n")) {
        out[n++] = token;
    }
    return n;
}

static char **java_arguments(int argc, char **argv) {
    const char *opts = getenv(JAVA_OPTS_ENV);
    char *opts_copy = opts != NULL ? strdup(opts) : NULL;
    size_t max_opts = opts_copy != NULL ? strlen(opts_copy) / 2 + 1 : 0;
    char **args = calloc(1 + DEFAULT_FLAG_COUNT + 1 + max_opts + 3 + (size_t) argc, sizeof(char *));
    if (args == NULL) {
        return NULL;
    }
    size_t n = 0;
    args[n++] = JAVA;
    for (size_t i = 0; i < DEFAULT_FLAG_COUNT; i++) {
        args[n++] = (char *) DEFAULT_FLAGS[i];
    }
    /* A distribution built with JDK 25 has an ahead-of-time cache instead of the JDK 17 archive. */
    if (access(APP_AOT_CACHE, R_OK) == 0) {
        args[n++] = "-XX:AOTCache=" APP_AOT_CACHE;
    } else if (access(APP_ARCHIVE, R_OK) == 0) {
        args[n++] = "-XX:SharedArchiveFile=" APP_ARCHIVE;
    }
    if (opts_copy != NULL) {
        n += split_options(opts_copy, args + n, max_opts);
    }
    args[n++] = "-cp";
    args[n++] = HEARTH_CLASSPATH;
    args[n++] = MAIN_CLASS;
    for (int i = 1; i < argc; i++) {
        args[n++] = argv[i];
    }
    args[n] = NULL;
    return args;
}

static int exit_status(int status) {
    if (WIFEXITED(status)) {
        return WEXITSTATUS(status);
    }
    return 128 + WTERMSIG(status);
}

/* PID 1: the kernel delivers only signals it has a handler for, so every signal is taken by sigwait. */
static int supervise(char **args, char **env) {
    sigset_t all;
    sigfillset(&all);
    sigprocmask(SIG_BLOCK, &all, NULL);

    pid_t java = fork();
    if (java < 0) {
        perror("hearth runner: fork");
        return 126;
    }
    if (java == 0) {
        sigprocmask(SIG_UNBLOCK, &all, NULL);
        execve(JAVA, args, env);
        perror("hearth runner: exec " JAVA);
        _exit(127);
    }

    for (;;) {
        int sig;
        if (sigwait(&all, &sig) != 0) {
            continue;
        }
        if (sig != SIGCHLD) {
            kill(java, sig);
            continue;
        }
        int status;
        pid_t pid;
        while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
            if (pid == java) {
                return exit_status(status);
            }
        }
    }
}

int main(int argc, char **argv) {
    char **env = java_environment();
    char **args = java_arguments(argc, argv);
    if (env == NULL || args == NULL) {
        fputs("hearth runner: out of memory\n", stderr);
        return 126;
    }
    if (getpid() == 1) {
        return supervise(args, env);
    }
    execve(JAVA, args, env);
    perror("hearth runner: exec " JAVA);
    return 127;
}
