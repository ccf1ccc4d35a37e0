// Package sshd serves the opsdeck console over SSH to the people whose
// public keys are registered in the store. It is a security boundary, so
// it is small and says why at each decision:
//
//   - Only public-key authentication; no passwords, no keyboard-interactive.
//   - Who a session is, is decided inside the session from the key that
//     actually authenticated it (ssh.Session.PublicKey, which the ssh
//     library takes from the successful authentication, not from keys that
//     were merely offered), and re-checked against the store then.
//   - A person who is not active (leaving or departed) is refused, and an
//     open session is closed within about a second of their status changing
//     or their key being removed.
//   - The client's environment is untrusted: only TERM, COLORTERM and
//     NO_COLOR reach the program, for colour detection.
package sshd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/ssh"
	"charm.land/wish/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/jonboulle/clockwork"
	gossh "golang.org/x/crypto/ssh"

	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/store"
)

// Config is what the server needs. NewModel and Exec are injected by main
// so that this package does not depend on the console or the CLI.
type Config struct {
	Listen           string
	HostKeyPath      string
	MaxSessions      int           // default 32
	IdleTimeout      time.Duration // since the last keypress; default 30m
	MaxSessionLength time.Duration // default 12h
	// LoginTimeout bounds handshake, authentication and the first session
	// request; default DefaultLoginTimeout (30s).
	LoginTimeout time.Duration
	// MaxPending caps connections that have not opened a session yet;
	// default DefaultMaxPending.
	MaxPending int
	Store      *store.Store

	// NewModel builds the console for one interactive session. ctx is the
	// session's: it ends when the session does (the client leaves, access
	// is revoked, the idle timeout passes), so the console's store calls
	// must run on it rather than on the server's.
	NewModel func(ctx context.Context, s *Session) tea.Model
	// Exec runs a command line for a non-interactive session and returns
	// its exit status; stdin is what the client sends (import KIND -).
	Exec func(ctx context.Context, s *Session, args []string, stdin io.Reader, stdout, stderr io.Writer) int
	// Logf receives one line per session event; nil discards.
	Logf func(format string, args ...any)
	// Poll is how often open sessions re-check their person; default 1s.
	Poll time.Duration
	// Clock times sessions (start, idle); nil: the store's clock.
	Clock clockwork.Clock
}

// Session is one connected person, as the console and the presence list
// see it.
type Session struct {
	ID          int64
	Person      model.Person
	Actor       model.Actor
	Fingerprint string
	Remote      string
	Started     time.Time
	Interactive bool

	lastInput atomic.Int64 // unix nanos of the last byte typed
	clock     clockwork.Clock
}

// Server is a running SSH front door.
type Server struct {
	cfg    Config
	srv    *ssh.Server
	ln     net.Listener
	nextID atomic.Int64

	gate    *loginGate
	closing chan struct{} // closed by Shutdown: sessions say goodbye

	mu       sync.Mutex
	sessions map[int64]*Session
}

// New validates cfg, generates the host key on first start (mode 0600) and
// builds the server. Call Serve to accept connections.
func New(cfg Config) (*Server, error) {
	if cfg.Store == nil || cfg.NewModel == nil || cfg.Exec == nil {
		return nil, errors.New("sshd: Store, NewModel and Exec are required")
	}
	if cfg.Listen == "" {
		cfg.Listen = "127.0.0.1:2222"
	}
	if cfg.MaxSessions <= 0 {
		cfg.MaxSessions = 32
	}
	if cfg.IdleTimeout <= 0 {
		cfg.IdleTimeout = 30 * time.Minute
	}
	if cfg.MaxSessionLength <= 0 {
		cfg.MaxSessionLength = 12 * time.Hour
	}
	if cfg.Poll <= 0 {
		cfg.Poll = time.Second
	}
	if cfg.LoginTimeout <= 0 {
		cfg.LoginTimeout = DefaultLoginTimeout
	}
	if cfg.MaxPending <= 0 {
		cfg.MaxPending = DefaultMaxPending
	}
	if cfg.Clock == nil {
		cfg.Clock = cfg.Store.Clock()
	}
	if cfg.Logf == nil {
		cfg.Logf = func(string, ...any) {}
	}
	if cfg.HostKeyPath == "" {
		return nil, errors.New("sshd: a host key path is required")
	}
	if err := os.MkdirAll(filepath.Dir(cfg.HostKeyPath), 0o700); err != nil {
		return nil, fmt.Errorf("host key dir: %w", err)
	}
	hostKey, err := hostKeyOption(cfg.HostKeyPath, cfg.Logf)
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, sessions: map[int64]*Session{}, closing: make(chan struct{}),
		gate: &loginGate{timeout: cfg.LoginTimeout, max: cfg.MaxPending, logf: cfg.Logf}}
	srv, err := wish.NewServer(
		wish.WithAddress(cfg.Listen),
		hostKey,
		wish.WithPublicKeyAuth(s.offeredKey),
		// watch closes a session at MaxSessionLength with a message; this
		// is the library's backstop for the connection as a whole.
		wish.WithMaxTimeout(cfg.LoginTimeout+cfg.MaxSessionLength+10*time.Second),
		s.gateOption(),
		capturePty(),
		// The last middleware runs first: the gate lets go of the
		// connection before the session is admitted.
		wish.WithMiddleware(s.handle, s.gate.opened),
	)
	if err != nil {
		return nil, fmt.Errorf("ssh server: %w", err)
	}
	s.srv = srv
	return s, nil
}

// Listen binds the address; Addr is valid afterwards (useful with port 0).
func (s *Server) Listen() error {
	ln, err := net.Listen("tcp", s.cfg.Listen)
	if err != nil {
		return fmt.Errorf("listen %s: %w", s.cfg.Listen, err)
	}
	s.ln = ln
	return nil
}

// Addr is the bound address.
func (s *Server) Addr() net.Addr { return s.ln.Addr() }

// Serve accepts connections until Shutdown.
func (s *Server) Serve() error {
	if s.ln == nil {
		if err := s.Listen(); err != nil {
			return err
		}
	}
	err := s.srv.Serve(s.ln)
	if errors.Is(err, ssh.ErrServerClosed) {
		return nil
	}
	return err
}

// gateOption bounds logging in: the handshake deadline, and the gate's
// deadline and cap on connections without a session.
func (s *Server) gateOption() ssh.Option {
	return func(srv *ssh.Server) error {
		srv.HandshakeTimeout = s.cfg.LoginTimeout
		srv.ConnCallback = s.gate.connCallback
		return nil
	}
}

// Shutdown stops accepting, tells every open session why it closes, and
// closes them (waiting for them until ctx ends, at most 2 s).
func (s *Server) Shutdown(ctx context.Context) error {
	select {
	case <-s.closing:
	default:
		close(s.closing)
	}
	wait, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	for len(s.Sessions()) > 0 && wait.Err() == nil {
		time.Sleep(20 * time.Millisecond)
	}
	s.srv.Close()
	return s.srv.Shutdown(ctx)
}

// Sessions lists who is connected, oldest first.
func (s *Server) Sessions() []*Session {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]*Session, 0, len(s.sessions))
	for _, ss := range s.sessions {
		out = append(out, ss)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// offeredKey is the authentication callback. It may run for keys a client
// only offers, so it decides nothing about identity: it refuses unknown
// keys (so the client moves on to its next key) and lets registered ones
// through to admit, which tells a leaver in one clear line why they are
// refused.
func (s *Server) offeredKey(ctx ssh.Context, key ssh.PublicKey) bool {
	_, err := s.cfg.Store.PersonForKey(ctx, gossh.FingerprintSHA256(key))
	return err == nil
}

// admit decides who the session is, from the key that authenticated it.
func (s *Server) admit(sess ssh.Session) (*Session, error) {
	key := sess.PublicKey()
	if key == nil {
		return nil, errors.New("public key authentication is required")
	}
	fp := gossh.FingerprintSHA256(key)
	p, err := s.cfg.Store.PersonForKey(sess.Context(), fp)
	if err != nil {
		return nil, fmt.Errorf("key %s is not registered", fp)
	}
	if p.Status != "active" {
		return nil, fmt.Errorf("%s is %s; access is closed", p.Email, p.Status)
	}
	_, isPty := sessionPty(sess)
	ss := &Session{
		ID: s.nextID.Add(1), Person: p, Fingerprint: fp, Remote: sess.RemoteAddr().String(), Started: s.cfg.Clock.Now(), clock: s.cfg.Clock,
		Actor: model.Actor{Kind: "ssh", Name: p.Email, PersonID: p.ID, Role: p.Role},
		// Decided here, before the session is shared: watch and the
		// presence list read it from other goroutines.
		Interactive: isPty && len(sess.Command()) == 0,
	}
	ss.lastInput.Store(ss.Started.UnixNano())
	return ss, nil
}

func (s *Server) handle(next ssh.Handler) ssh.Handler {
	return func(sess ssh.Session) {
		ss, err := s.admit(sess)
		if err != nil {
			s.cfg.Logf("refused %s: %v", sess.RemoteAddr(), err)
			wish.Fatalln(sess, "opsdeck: access refused: "+err.Error())
			return
		}
		if !s.register(ss) {
			s.cfg.Logf("refused %s (%s): session limit", ss.Person.Email, ss.Remote)
			wish.Fatalln(sess, fmt.Sprintf("opsdeck: too many sessions (at most %d); try again later", s.cfg.MaxSessions))
			return
		}
		defer s.unregister(ss)
		ctx, cancel := context.WithCancelCause(sess.Context())
		defer cancel(nil)
		go s.watch(ctx, cancel, ss)

		s.log(ss, "session_start")
		defer s.log(ss, "session_end")

		code := 0
		if !ss.Interactive {
			code = s.cfg.Exec(ctx, ss, command(sess), sess, sess, sess.Stderr())
		} else {
			code = s.console(ctx, cancel, sess, ss)
		}
		if cause := context.Cause(ctx); cause != nil && !errors.Is(cause, context.Canceled) {
			fmt.Fprintf(sess.Stderr(), "\r\nopsdeck: session closed: %v\r\n", cause)
			code = 1
		}
		_ = sess.Exit(code)
	}
}

func (s *Server) register(ss *Session) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.sessions) >= s.cfg.MaxSessions {
		return false
	}
	s.sessions[ss.ID] = ss
	return true
}

func (s *Server) unregister(ss *Session) {
	s.mu.Lock()
	delete(s.sessions, ss.ID)
	s.mu.Unlock()
}

func (s *Server) log(ss *Session, action string) {
	data := map[string]any{"session": ss.ID, "fingerprint": ss.Fingerprint, "remote": ss.Remote, "interactive": ss.Interactive}
	if action == "session_end" {
		data["seconds"] = int(s.cfg.Clock.Since(ss.Started).Seconds())
	}
	if err := s.cfg.Store.LogEvent(context.Background(), ss.Actor, action, "ssh_session", ss.Person.ID, data); err != nil {
		s.cfg.Logf("audit %s: %v", action, err)
	}
	s.cfg.Logf("%s %s key %s from %s", action, ss.Person.Email, ss.Fingerprint, ss.Remote)
}

var (
	errIdle     = errors.New("idle for too long")
	errRevoked  = errors.New("access revoked")
	errTooLong  = errors.New("open for the longest a session may be")
	errShutdown = errors.New("the server is shutting down")
)

// watch closes the session when its person is no longer admitted (an
// offboarding started, the key was removed), it has been idle too long,
// it reached the longest a session may be, or the server shuts down;
// every close carries its reason, which the session prints.
// Idle counts from the last keypress: screen refreshes do not count.
func (s *Server) watch(ctx context.Context, cancel context.CancelCauseFunc, ss *Session) {
	t := s.cfg.Clock.NewTicker(s.cfg.Poll)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-s.closing:
			cancel(errShutdown)
			return
		case <-t.Chan():
		}
		if s.cfg.Clock.Since(ss.Started) >= s.cfg.MaxSessionLength {
			cancel(fmt.Errorf("%w (%s); reconnect to go on", errTooLong, s.cfg.MaxSessionLength))
			return
		}
		p, err := s.cfg.Store.PersonForKey(ctx, ss.Fingerprint)
		if ctx.Err() != nil {
			return
		}
		if err != nil || p.Status != "active" || p.Role != ss.Person.Role {
			reason := "key removed"
			if err == nil && p.Status != "active" {
				reason = p.Email + " is " + p.Status
			} else if err == nil {
				reason = "role changed to " + p.Role + "; reconnect"
			}
			s.cfg.Logf("closing session %d of %s: %s", ss.ID, ss.Person.Email, reason)
			cancel(fmt.Errorf("%w: %s", errRevoked, reason))
			return
		}
		if ss.Interactive && s.cfg.Clock.Since(time.Unix(0, ss.lastInput.Load())) > s.cfg.IdleTimeout {
			cancel(fmt.Errorf("%w (%s without a keypress)", errIdle, s.cfg.IdleTimeout))
			return
		}
	}
}

// console runs one Bubble Tea program for an interactive session.
func (s *Server) console(ctx context.Context, cancel context.CancelCauseFunc, sess ssh.Session, ss *Session) int {
	pi, _ := sessionPty(sess)
	pty, windows := pi.pty, pi.windows
	env := safeEnv(sess.Environ(), pty.Term)
	opts := []tea.ProgramOption{
		// When the client's input ends (ssh -tt host </dev/null) no key can
		// ever arrive: end the session instead of rendering forever.
		tea.WithInput(&activityReader{r: sess, ss: ss, eof: func() { cancel(nil) }}),
		tea.WithOutput(sess),
		tea.WithEnvironment(env),
		tea.WithColorProfile(colorprofile.Env(env)),
		tea.WithWindowSize(clampWindow(pty.Window.Width, pty.Window.Height)),
		tea.WithContext(ctx),
		tea.WithoutSignalHandler(),
		// ctrl+z must never suspend the server process.
		tea.WithFilter(func(_ tea.Model, msg tea.Msg) tea.Msg {
			if _, ok := msg.(tea.SuspendMsg); ok {
				return nil
			}
			return msg
		}),
	}
	p := tea.NewProgram(s.cfg.NewModel(ctx, ss), opts...)
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case w, ok := <-windows:
				if !ok {
					return
				}
				width, height := clampWindow(w.Width, w.Height)
				p.Send(tea.WindowSizeMsg{Width: width, Height: height})
			}
		}
	}()
	if _, err := p.Run(); err != nil && !errors.Is(err, tea.ErrProgramKilled) && ctx.Err() == nil {
		s.cfg.Logf("session %d: %v", ss.ID, err)
		return 1
	}
	return 0
}

// activityReader records when the person last typed, and reports the end
// of input.
type activityReader struct {
	r   io.Reader
	ss  *Session
	eof func()
}

func (a *activityReader) Read(p []byte) (int, error) {
	n, err := a.r.Read(p)
	if n > 0 {
		a.ss.lastInput.Store(a.ss.clock.Now().UnixNano())
	}
	if err != nil {
		a.eof()
	}
	return n, err
}

// safeEnv keeps only what colour detection needs from the client.
func safeEnv(client []string, term string) []string {
	out := []string{}
	if term != "" {
		out = append(out, "TERM="+model.SanitizeN(term, 64))
	}
	for _, kv := range client {
		for _, k := range []string{"COLORTERM=", "NO_COLOR="} {
			if len(kv) > len(k) && kv[:len(k)] == k {
				out = append(out, k+model.SanitizeN(kv[len(k):], 64))
			}
		}
	}
	return out
}

// Others names the people connected in sessions other than self, once
// each, for the console's "also here" status.
func (s *Server) Others(self *Session) []string {
	seen := map[string]bool{}
	var out []string
	for _, ss := range s.Sessions() {
		if ss.ID == self.ID || ss.Person.ID == self.Person.ID || seen[ss.Person.Email] {
			continue
		}
		seen[ss.Person.Email] = true
		out = append(out, strings.Fields(ss.Person.Name + " ?")[0]) // first names keep the status bar short

	}
	return out
}

// command is the session's command line; never nil, so that no parser
// falls back to the server process's own arguments.
func command(sess ssh.Session) []string {
	if args := sess.Command(); args != nil {
		return args
	}
	return []string{}
}
