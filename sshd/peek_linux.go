package sshd

import (
	"net"
	"syscall"
)

// hasPendingBytes reports whether c's peer has sent bytes the server has
// not read yet: a non-blocking MSG_PEEK, which leaves them in the socket.
// Only while no other goroutine reads c: RawConn.Read takes c's read lock.
func hasPendingBytes(c net.Conn) bool {
	sc, ok := c.(syscall.Conn)
	if !ok {
		return false
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return false
	}
	var n int
	var buf [1]byte
	if err := rc.Read(func(fd uintptr) bool {
		n, _, _ = syscall.Recvfrom(int(fd), buf[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
		return true // never wait
	}); err != nil {
		return false
	}
	return n > 0
}
