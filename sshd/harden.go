package sshd

// The parts of the front door that face people who have not logged in:
// the host key, the login deadline, the cap on connections still logging
// in, and the window size a client may ask for.

import (
	"container/list"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"charm.land/ssh"
	gossh "golang.org/x/crypto/ssh"
)

// Defaults for the login gate and window clamp.
const (
	// DefaultLoginTimeout bounds the handshake, authentication and the
	// first session request of a connection.
	DefaultLoginTimeout = 30 * time.Second
	// DefaultMaxPending caps connections that have not yet opened a
	// session; when it is reached the oldest of them is closed, so idle
	// sockets cannot hold the door shut (nor all of the file descriptors).
	DefaultMaxPending = 64
	// MaxWindowWidth and MaxWindowHeight clamp what a client says its
	// terminal is: the console allocates per cell, and a 1000×1000 window
	// must cost no more than a 500×200 one.
	MaxWindowWidth  = 500
	MaxWindowHeight = 200
	// maxHostKeySize is more than any private key file ssh-keygen writes.
	maxHostKeySize = 64 << 10
)

// clampWindow limits a client's window to MaxWindowWidth×MaxWindowHeight.
func clampWindow(w, h int) (int, int) {
	return max(min(w, MaxWindowWidth), 0), max(min(h, MaxWindowHeight), 0)
}

// hostKeyOption loads the host key at path (generating an ed25519 key,
// mode 0600, on first start) and refuses a key other users can read: it
// would let them impersonate the server. A weak key (RSA under 2048 bits,
// DSA) is used but warned about through logf. Every error names the file.
func hostKeyOption(path string, logf func(string, ...any)) (ssh.Option, error) {
	if _, err := os.Lstat(path); errors.Is(err, os.ErrNotExist) {
		// A public half left without its private key is stale; generating
		// a new pair must not trip over it.
		os.Remove(path + ".pub")
		if err := generateHostKey(path); err != nil {
			return nil, fmt.Errorf("host key %s: generate: %w", path, err)
		}
		logf("generated a new host key %s", path)
	}
	signer, err := readHostKey(path)
	if err != nil {
		return nil, err
	}
	if weak := weakKey(signer.PublicKey()); weak != "" {
		logf("WARNING: host key %s is %s; replace it with a stronger one (ssh-keygen -t ed25519 -N '' -f %s)", path, weak, path)
	}
	return func(s *ssh.Server) error {
		s.AddHostKey(signer)
		return nil
	}, nil
}

func readHostKey(path string) (gossh.Signer, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("host key %s: %w", path, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("host key %s: %w", path, err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("host key %s: not a regular file (%s)", path, fi.Mode().Type())
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		return nil, fmt.Errorf("host key %s: mode %04o lets other users read or change it; run chmod 600 %s", path, perm, path)
	}
	data, err := io.ReadAll(io.LimitReader(f, maxHostKeySize+1))
	if err != nil {
		return nil, fmt.Errorf("host key %s: %w", path, err)
	}
	if len(data) > maxHostKeySize {
		return nil, fmt.Errorf("host key %s: larger than %d KiB; not a private key file", path, maxHostKeySize>>10)
	}
	signer, err := gossh.ParsePrivateKey(data)
	var pass *gossh.PassphraseMissingError
	switch {
	case errors.As(err, &pass):
		return nil, fmt.Errorf("host key %s: encrypted with a passphrase; the server needs an unencrypted key (mode 0600)", path)
	case err != nil:
		return nil, fmt.Errorf("host key %s: not a usable private key: %w", path, err)
	}
	return signer, nil
}

// weakKey describes a host key too weak to trust, or returns "".
func weakKey(k gossh.PublicKey) string {
	switch k.Type() {
	case gossh.KeyAlgoDSA:
		return "a DSA key"
	case gossh.KeyAlgoRSA:
		if ck, ok := k.(gossh.CryptoPublicKey); ok {
			if rk, ok := ck.CryptoPublicKey().(*rsa.PublicKey); ok && rk.N.BitLen() < 2048 {
				return fmt.Sprintf("a %d-bit RSA key (under 2048 bits)", rk.N.BitLen())
			}
		}
	}
	return ""
}

// generateHostKey writes a new ed25519 key pair: path (0600, created
// exclusively) and path.pub.
func generateHostKey(path string) error {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return err
	}
	block, err := gossh.MarshalPrivateKey(priv, "opsdeck host key")
	if err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(pem.EncodeToMemory(block)); err != nil {
		f.Close()
		os.Remove(path)
		return err
	}
	if err := f.Close(); err != nil {
		os.Remove(path)
		return err
	}
	sp, err := gossh.NewPublicKey(pub)
	if err != nil {
		return err
	}
	return os.WriteFile(path+".pub", gossh.MarshalAuthorizedKey(sp), 0o644)
}

// loginGate tracks connections that have not yet opened a session. Each
// must do so within timeout or is closed; when max of them are waiting,
// the oldest silent one (it has sent not a byte: an idle socket, not a
// client in the middle of its handshake) is closed to make room for the
// newest, or the oldest of all when every one has spoken. Preferring the
// silent keeps a real user's login alive beside a flood of idle sockets
// whatever order the server's goroutines register them in.
type loginGate struct {
	timeout time.Duration
	max     int
	logf    func(string, ...any)

	mu      sync.Mutex
	pending list.List // of *pendingConn, oldest first
}

type pendingKey struct{}

// pendingConn is a connection as the gate sees it.
type pendingConn struct {
	net.Conn
	gate  *loginGate
	elem  *list.Element // nil once it opened a session or closed
	timer *time.Timer
	spoke atomic.Bool // a Read returned data
}

func (pc *pendingConn) Read(b []byte) (int, error) {
	n, err := pc.Conn.Read(b)
	if n > 0 {
		pc.spoke.Store(true)
	}
	return n, err
}

// silent reports whether pc has sent nothing yet: no Read returned data,
// and nothing was waiting in the socket when it was accepted.
func (pc *pendingConn) silent() bool { return !pc.spoke.Load() }

// evictable picks the connection to close when the gate is full: the
// oldest silent one, else the oldest. Called with g.mu held.
func (g *loginGate) evictable() *pendingConn {
	for e := g.pending.Front(); e != nil; e = e.Next() {
		if pc := e.Value.(*pendingConn); pc.silent() {
			return pc
		}
	}
	return g.pending.Front().Value.(*pendingConn)
}

// connCallback is the server's ConnCallback: it registers every new
// connection as pending.
func (g *loginGate) connCallback(ctx ssh.Context, c net.Conn) net.Conn {
	pc := &pendingConn{Conn: c, gate: g}
	// Nobody reads c yet (the handshake starts after this callback), so a
	// peek cannot block; a client's version line is usually here already.
	pc.spoke.Store(hasPendingBytes(c))
	g.mu.Lock()
	var evict *pendingConn
	if g.pending.Len() >= g.max {
		evict = g.evictable()
		g.pending.Remove(evict.elem)
		evict.elem = nil
	}
	pc.elem = g.pending.PushBack(pc)
	pc.timer = time.AfterFunc(g.timeout, func() {
		if g.release(pc) {
			pc.Conn.Close()
			g.logf("closed %s: no session within %s of connecting", pc.RemoteAddr(), g.timeout)
		}
	})
	g.mu.Unlock()
	if evict != nil {
		evict.timer.Stop()
		evict.Conn.Close()
		g.logf("closed %s: %d connections were still logging in (the most allowed); closed the oldest idle one", evict.RemoteAddr(), g.max)
	}
	ctx.SetValue(pendingKey{}, pc)
	return pc
}

// release takes pc off the pending list; it reports whether pc was on it.
func (g *loginGate) release(pc *pendingConn) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if pc.elem == nil {
		return false
	}
	g.pending.Remove(pc.elem)
	pc.elem = nil
	return true
}

// Pending is how many connections are logging in right now.
func (g *loginGate) Pending() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.pending.Len()
}

func (pc *pendingConn) Close() error {
	if pc.gate.release(pc) {
		pc.timer.Stop()
	}
	return pc.Conn.Close()
}

// opened is middleware that runs first for every session: the connection
// is logged in and no longer counts against the gate.
func (g *loginGate) opened(next ssh.Handler) ssh.Handler {
	return func(sess ssh.Session) {
		if pc, ok := sess.Context().Value(pendingKey{}).(*pendingConn); ok && g.release(pc) {
			pc.timer.Stop()
		}
		next(sess)
	}
}
