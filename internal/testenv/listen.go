package testenv

import (
	"net"
	"testing"
)

// TCPUp is a loopback TCP port that accepts every connection and closes
// it at once: a host a tcp check finds up. It closes when the test ends.
func TCPUp(t testing.TB) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	return ln
}
