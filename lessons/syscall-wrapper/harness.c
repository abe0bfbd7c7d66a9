/* syscall-wrapper harness: calls the student's my_syscall() the way programs
 * call libc's syscall(2), and prints one TAP-style line per behaviour. The
 * exit status is the number of failures.
 *
 *   long my_syscall(long nr, long a1, long a2, long a3, long a4, long a5, long a6);
 *
 * Errors follow syscall(2): return -1 and store the error number in glibc's
 * errno (through __errno_location(), as libc's own code does). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

long my_syscall(long nr, ...);

/* Calls my_syscall(SYS_getpid) with every callee-saved register loaded with a
 * marker, and returns how many of them came back changed. */
long clobbered_callee_saved(void);
__asm__(
    "	.text\n"
    "	.globl	clobbered_callee_saved\n"
    "clobbered_callee_saved:\n"
    "	push	%rbx\n	push	%rbp\n	push	%r12\n	push	%r13\n	push	%r14\n	push	%r15\n"
    "	sub	$8, %rsp\n"                       /* 16-byte aligned at the call */
    "	mov	$0x1b1b1b1b1b, %rbx\n	mov	$0x2b2b2b2b2b, %rbp\n"
    "	mov	$0x3c3c3c3c3c, %r12\n	mov	$0x4d4d4d4d4d, %r13\n"
    "	mov	$0x5e5e5e5e5e, %r14\n	mov	$0x6f6f6f6f6f, %r15\n"
    "	mov	$" "39" ", %edi\n"                 /* SYS_getpid */
    "	call	my_syscall\n"
    "	xor	%eax, %eax\n"
    "	mov	$0x1b1b1b1b1b, %rdx\n	cmp	%rdx, %rbx\n	setne	%dl\n	movzbl	%dl, %edx\n	add	%rdx, %rax\n"
    "	mov	$0x2b2b2b2b2b, %rdx\n	cmp	%rdx, %rbp\n	setne	%dl\n	movzbl	%dl, %edx\n	add	%rdx, %rax\n"
    "	mov	$0x3c3c3c3c3c, %rdx\n	cmp	%rdx, %r12\n	setne	%dl\n	movzbl	%dl, %edx\n	add	%rdx, %rax\n"
    "	mov	$0x4d4d4d4d4d, %rdx\n	cmp	%rdx, %r13\n	setne	%dl\n	movzbl	%dl, %edx\n	add	%rdx, %rax\n"
    "	mov	$0x5e5e5e5e5e, %rdx\n	cmp	%rdx, %r14\n	setne	%dl\n	movzbl	%dl, %edx\n	add	%rdx, %rax\n"
    "	mov	$0x6f6f6f6f6f, %rdx\n	cmp	%rdx, %r15\n	setne	%dl\n	movzbl	%dl, %edx\n	add	%rdx, %rax\n"
    "	add	$8, %rsp\n"
    "	pop	%r15\n	pop	%r14\n	pop	%r13\n	pop	%r12\n	pop	%rbp\n	pop	%rbx\n"
    "	ret\n");

static int failures, number;

static void report(int ok, const char* what, long got) {
    ++number;
    if (ok) {
        printf("ok %d - %s\n", number, what);
    } else {
        printf("not ok %d - %s (got %ld, errno %d)\n", number, what, got, errno);
        ++failures;
    }
}

/* Neither -1 nor a raw -errno: safe to dereference after a successful mmap. */
static int looks_like_address(long p) {
    return (unsigned long)p < -4095UL && p != 0;
}

static void no_arguments(void) {
    long r = my_syscall(SYS_getpid);
    report(r == getpid(), "getpid: the number goes from rdi to rax", r);
}

static void three_arguments(void) {
    static const char line[] = "# write through my_syscall\n";
    long r = my_syscall(SYS_write, 1, (long)line, (long)(sizeof line - 1));
    report(r == (long)(sizeof line - 1), "write(1, buf, len): rdi, rsi, rdx", r);
}

static void an_error(void) {
    errno = 0;
    long r = my_syscall(SYS_close, -1);
    report(r == -1 && errno == EBADF, "close(-1): returns -1, errno = EBADF", r);
}

static void another_error(void) {
    errno = 0;
    long r = my_syscall(SYS_openat, AT_FDCWD, (long)"no/such/file", O_RDONLY, 0);
    report(r == -1 && errno == ENOENT, "openat of a missing file: -1, errno = ENOENT", r);
}

static void no_such_call(void) {
    errno = 0;
    long r = my_syscall(100000);
    report(r == -1 && errno == ENOSYS, "an unknown number: -1, errno = ENOSYS", r);
}

static void fourth_argument(void) {
    long fd = my_syscall(SYS_openat, AT_FDCWD, (long)"made.txt", O_WRONLY | O_CREAT | O_TRUNC, 0640);
    struct stat st;
    int ok = fd >= 0 && fstat((int)fd, &st) == 0 && (st.st_mode & 0777) == 0640;
    report(ok, "openat(..., mode 0640): the 4th argument in r10", ok ? 0640 : (fd < 0 ? fd : (long)(st.st_mode & 0777)));
    if (fd >= 0) close((int)fd);
}

/* mmap's 5th and 6th arguments, the 6th read from the stack: map the second
 * page of a file and look at it. */
static void six_arguments(void) {
    static char page[2][4096];
    memset(page[0], 'A', sizeof page[0]);
    memset(page[1], 'B', sizeof page[1]);
    int fd = open("pages.bin", O_RDWR | O_CREAT | O_TRUNC, 0600);
    if (fd < 0 || write(fd, page, sizeof page) != sizeof page) {
        report(0, "mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 4096): set-up failed", fd);
        return;
    }
    long p = my_syscall(SYS_mmap, 0, 4096, PROT_READ, MAP_PRIVATE, fd, 4096);
    int ok = looks_like_address(p) && ((const char*)p)[0] == 'B' && ((const char*)p)[4095] == 'B';
    report(ok, "mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 4096): r8, and r9 from the stack", p);
    close(fd);
}

static void high_addresses_are_not_errors(void) {
    long p = my_syscall(SYS_mmap, 0, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    int ok = looks_like_address(p);
    if (ok) ((volatile char*)p)[0] = 1;
    report(ok, "an anonymous mmap: a large address is a result, not an error", p);
}

static void callee_saved(void) {
    long changed = clobbered_callee_saved();
    report(changed == 0, "rbx, rbp, r12-r15 preserved", changed);
}

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);  /* every line out at once, even if a later test crashes */
    no_arguments();
    three_arguments();
    an_error();
    another_error();
    no_such_call();
    fourth_argument();
    six_arguments();
    high_addresses_are_not_errors();
    callee_saved();
    printf("1..%d\n", number);
    return failures;
}
