// Linux's event interfaces, which Swift's Glibc module leaves out: epoll for the server's
// I/O loop and eventfd for waking it from other threads. Both are part of glibc itself, so
// nothing extra is linked.
#include <sys/epoll.h>
#include <sys/eventfd.h>
