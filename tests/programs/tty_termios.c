/* tty_termios: the terminal calls on standard input when it is a terminal, driven by a host
 * test through a pty (tests/userspace/test_tty.py) — natively on a Linux pty, and on the kernel
 * through tools/run-elf, whose terminal stdin gives the program the kernel's console terminal.
 *
 * The checks: isatty answers right (and ENOTTY for a pipe); tcgetattr shows the standard
 * settings (ICANON ECHO ISIG, ICRNL, OPOST ONLCR, ^C DEL ^D); the terminal's foreground group
 * and session are the caller's. Then three interactive steps, each after a prompt the host
 * waits for: a canonical line edited with erase (the host types "abX DEL c CR"); a raw read
 * (~ICANON ~ECHO, VMIN 1) of one key, which a poll waiting for input sees first; ^C raising SIGINT in the foreground group, which ends a
 * blocked read with EINTR (no SA_RESTART). Each step prints what it read, so the host compares
 * the whole transcript (echo included) with Linux's. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "check.h"

static volatile sig_atomic_t interrupted;

static void on_interrupt(int signal) {
    (void)signal;
    interrupted = 1;
}

static void say(const char *text) { write(1, text, strlen(text)); }

static void show(const char *label, const char *bytes, ssize_t count) {
    printf("%s %zd:", label, count);
    for (ssize_t i = 0; i < count; i++) printf(" %02x", (unsigned char)bytes[i]);
    printf("\n");
    fflush(stdout);
}

int main(void) {
    int pipes[2];
    struct termios standard, raw;
    struct winsize size;
    char buffer[64];

    CHECK(isatty(0) == 1, "isatty(0)");
    CHECK(pipe(pipes) == 0, "pipe");
    errno = 0;
    CHECK(isatty(pipes[0]) == 0 && errno == ENOTTY, "isatty(pipe) is 0 with ENOTTY");
    CHECK(ioctl(pipes[0], TIOCGWINSZ, &size) == -1 && errno == ENOTTY, "TIOCGWINSZ on a pipe");
    CHECK(tcgetattr(0, &standard) == 0, "tcgetattr");
    CHECK((standard.c_lflag & (ICANON | ECHO | ISIG)) == (ICANON | ECHO | ISIG), "lflag");
    CHECK(standard.c_iflag & ICRNL, "ICRNL");
    CHECK((standard.c_oflag & (OPOST | ONLCR)) == (OPOST | ONLCR), "oflag");
    CHECK(standard.c_cc[VINTR] == 3 && standard.c_cc[VERASE] == 0x7f && standard.c_cc[VEOF] == 4,
          "control characters");
    CHECK(ioctl(0, TIOCGWINSZ, &size) == 0, "TIOCGWINSZ");
    CHECK(tcgetpgrp(0) == getpgrp(), "tcgetpgrp is the caller's group");
    CHECK(tcgetsid(0) == getsid(0), "tcgetsid is the caller's session");
    CHECK(tcsetpgrp(0, getpgrp()) == 0, "tcsetpgrp to its own group");
    errno = 0;
    CHECK(tcsetpgrp(0, 999999) == -1 && errno == ESRCH, "tcsetpgrp to no group");
    fflush(stdout);

    say("line> ");
    ssize_t count = read(0, buffer, sizeof buffer);
    show("line", buffer, count);

    raw = standard;
    raw.c_lflag &= ~(ICANON | ECHO);
    raw.c_cc[VMIN] = 0;
    raw.c_cc[VTIME] = 0;
    CHECK(tcsetattr(0, TCSANOW, &raw) == 0, "tcsetattr raw");
    CHECK(read(0, buffer, sizeof buffer) == 0, "VMIN 0 VTIME 0 with nothing typed reads 0");
    raw.c_cc[VMIN] = 1;
    CHECK(tcsetattr(0, TCSANOW, &raw) == 0, "tcsetattr VMIN 1");
    struct pollfd watched = {.fd = 0, .events = POLLIN};
    CHECK(poll(&watched, 1, 0) == 0, "poll: nothing typed yet");
    fflush(stdout);
    say("raw> ");
    CHECK(poll(&watched, 1, -1) == 1 && (watched.revents & POLLIN), "poll wakes for the key");
    count = read(0, buffer, sizeof buffer);
    show("raw", buffer, count);
    CHECK(tcsetattr(0, TCSAFLUSH, &standard) == 0, "tcsetattr back");

    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = on_interrupt;
    CHECK(sigaction(SIGINT, &action, 0) == 0, "sigaction");
    fflush(stdout);
    say("signal> ");
    errno = 0;
    count = read(0, buffer, sizeof buffer);
    CHECK(count == -1 && errno == EINTR && interrupted, "^C: SIGINT ends the read with EINTR");
    say("\n");
    printf("tty_termios: %d checks, %d failed\n", checks, failures);
    return failures != 0;
}
