package main

// The security regression suite: each test replays an attack from issue 14
// against the built binary, with the real OpenSSH client (or x/crypto/ssh
// where OpenSSH cannot ask for what an attacker would), and fails if the
// attack works again. Remote sessions must never make opsdeck read a file
// on the server outside the import directory, nor show any file's content;
// imports are bounded; unauthenticated sockets cannot hold the door; a
// window's size cannot cost memory without bound.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/opsdeck/opsdeck/internal/testenv"
	gossh "golang.org/x/crypto/ssh"
)

// lockedBuffer is a bytes.Buffer a process may write while the test reads.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// secServer is `opsdeck serve` started with extra flags, optionally under
// a wrapper (prlimit).
type secServer struct {
	*sshServer
	cmd *exec.Cmd
	log *lockedBuffer
}

func startSecServe(t *testing.T, db string, wrapper []string, flags ...string) *secServer {
	t.Helper()
	for _, tool := range []string{"ssh", "ssh-keygen"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skip(tool + " is not installed")
		}
	}
	s, cmd, log := serveSSH(t, db, wrapper, flags...)
	return &secServer{sshServer: s, cmd: cmd, log: log}
}

// run is ssh HOST command... with stdin, bounded by a deadline: an attack
// that hangs the server must fail the test, not hang it.
func (s *secServer) run(key string, stdin io.Reader, command ...string) result {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	args := s.sshLine(key, append([]string{"127.0.0.1", "--"}, command...)...)
	cmd := exec.CommandContext(ctx, args[0], args[1:]...)
	cmd.Stdin = stdin
	out, errb, code, _ := testenv.Run(cmd)
	if ctx.Err() != nil {
		s.t.Fatalf("ssh %v did not return within 60s", command)
	}
	return result{out, errb, code}
}

// rss is the server's resident memory in bytes.
func (s *secServer) rss() int64 {
	s.t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", s.cmd.Process.Pid))
	if err != nil {
		s.t.Skipf("no /proc: %v", err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
			kb, _ := strconv.ParseInt(f[1], 10, 64)
			return kb << 10
		}
	}
	s.t.Fatal("no VmRSS")
	return 0
}

// secrets are telltale pieces of files a remote user must never see.
func secrets(t *testing.T, files ...string) []string {
	t.Helper()
	out := []string{"root:x:0:0", "SQLite format", "PRIVATE KEY"}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(string(data), "\n") {
			if len(line) >= 24 && !strings.HasPrefix(line, "-----") {
				out = append(out, line[:24])
			}
		}
	}
	return out
}

func assertNoLeak(t *testing.T, where, text string, secrets []string) {
	t.Helper()
	for _, s := range secrets {
		if strings.Contains(text, s) {
			t.Fatalf("%s shows %q:\n%s", where, s, text)
		}
	}
}

// The import directory an admin set up: one good file, and traps pointing
// at what must stay unreadable (the host key, the database, /etc/passwd,
// /dev/zero), plus a named pipe.
func importDirWithTraps(t *testing.T, hostKey, db string) string {
	t.Helper()
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "people.csv"), []byte("name,email,role\nZed Zee,zed@example.com,viewer\n"), 0o600)
	for name, target := range map[string]string{"key.yaml": hostKey, "db.csv": db, "passwd.csv": "/etc/passwd", "zero.csv": "/dev/zero", "up": ".."} {
		if err := os.Symlink(target, filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	if err := syscall.Mkfifo(filepath.Join(dir, "fifo.csv"), 0o600); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestSecurityExecImportReadsOnlyWhatTheSessionSends(t *testing.T) {
	db := demoDB(t)
	srv := startSecServe(t, db, nil)
	hostKey := filepath.Join(srv.dir, "host_key")
	oscar := srv.key("oscar", "oscar@example.com")       // admin
	kristen := srv.key("kristen", "kristen@example.com") // viewer
	dave := srv.key("dave", "dave@example.com")          // operator
	leak := secrets(t, hostKey)
	fifo := filepath.Join(t.TempDir(), "fifo")
	syscall.Mkfifo(fifo, 0o600)

	// Naming a server file: refused for every path and format, content never shown.
	for _, path := range []string{hostKey, db, "/etc/passwd", "/dev/zero", fifo, "~/.ssh/id_ed25519", "../../etc/passwd"} {
		for _, format := range []string{"yaml", "csv", "json"} {
			r := srv.run(oscar, nil, "import", "people", path, "--format", format)
			if r.code == 0 || !strings.Contains(r.stderr, "import reads the file you send, not a file on the server") {
				t.Fatalf("ssh import people %s --format %s: %+v", path, format, r)
			}
			assertNoLeak(t, "ssh import "+path, r.stdout+r.stderr, leak)
		}
	}
	// A viewer cannot import even what they send; an operator cannot
	// import people (the store's rule); an admin can.
	people := "name,email,role\nZed Zee,zed@example.com,viewer\n"
	if r := srv.run(kristen, strings.NewReader(people), "import", "people", "-"); r.code != 3 || !strings.Contains(r.stderr, "your role (viewer) cannot import") {
		t.Fatalf("viewer import: %+v", r)
	}
	if r := srv.run(dave, strings.NewReader(people), "import", "people", "-"); r.code == 0 || !strings.Contains(r.stderr, "forbidden") && !strings.Contains(r.stderr, "may not") {
		t.Fatalf("operator import of people: %+v", r)
	}
	if r := srv.run(oscar, strings.NewReader(people), "import", "people", "-"); r.code != 0 || !strings.Contains(r.stdout, "1 new") {
		t.Fatalf("admin import from stdin: %+v", r)
	}
	if out := mustRun(t, db, "people", "--json"); !strings.Contains(out, "zed@example.com") {
		t.Fatal("the admin's import did not arrive")
	}
	// An endless stream is cut at the remote limit, promptly, with bounded memory.
	zero, err := os.Open("/dev/zero")
	if err != nil {
		t.Fatal(err)
	}
	defer zero.Close()
	r := srv.run(oscar, zero, "import", "people", "-")
	if r.code == 0 || !strings.Contains(r.stderr, "the most an import over SSH may be") {
		t.Fatalf("import of an endless stream: %+v", r)
	}
	if rss := srv.rss(); rss > 600<<20 {
		t.Fatalf("server holds %d MiB after an endless import", rss>>20)
	}
	// A client may not raise the limit.
	if r := srv.run(oscar, strings.NewReader(people), "import", "people", "-", "--max-size", "10GiB"); r.code == 0 || !strings.Contains(r.stderr, "--max-size is for local imports") {
		t.Fatalf("remote --max-size: %+v", r)
	}
}

func TestSecurityRemoteConsoleImportStaysInTheImportDir(t *testing.T) {
	db := demoDB(t)
	keyDir := t.TempDir()
	hostKey := filepath.Join(keyDir, "host_key")
	dir := importDirWithTraps(t, hostKey, db)
	srv := startSecServe(t, db, nil, "--import-dir", dir, "--host-key", hostKey)
	oscar := srv.key("oscar", "oscar@example.com")
	leak := secrets(t, hostKey)

	c := srv.console(oscar, 160, 45)
	c.waitFor("ssh:oscar@example.com (admin)")
	c.keys("1") // from Home to people, where i imports
	c.waitFor("people 20")
	if s := c.screen(); strings.Contains(s, db) || strings.Contains(s, filepath.Base(db)) {
		t.Fatalf("the remote console shows the database path:\n%s", s)
	}
	try := func(line, want string) {
		t.Helper()
		c.keys("i", "text:"+line, "Enter")
		s := c.waitFor(want)
		// (The path typed is echoed in the prompt, so the database path
		// is checked in the status bar above, not here.)
		assertNoLeak(t, "console import "+line, s, append(leak, dir))
		c.keys("Escape")
		c.waitFor("people 2")
	}
	try(hostKey+" --format yaml", "absolute paths are not allowed here")
	try(db, "absolute paths are not allowed here")
	try("/etc/passwd", "absolute paths are not allowed here")
	try("/dev/zero", "absolute paths are not allowed here")
	try("~/.ssh/id_ed25519", "~ is not expanded here")
	try("../host_key --format yaml", `".." is not allowed here`)
	try("key.yaml", "leads outside the import directory")
	try("key.yaml --format csv", "leads outside the import directory")
	try("db.csv", "leads outside the import directory")
	try("passwd.csv", "leads outside the import directory")
	try("zero.csv", "leads outside the import directory")
	try("up/host_key", "leads outside the import directory")
	try("fifo.csv", "is a named pipe; import reads regular files only")

	// Completion offers the import directory only.
	c.keys("i", "Tab")
	s := c.waitFor("people.csv", "key.yaml")
	assertNoLeak(t, "completion", s, []string{"host_key", "opsdeck.db"})
	c.keys("C-u", "text:/", "Tab")
	c.waitFor("absolute paths are not allowed here")
	c.keys("C-u", "text:up/", "Tab")
	s = c.waitFor("no directory up/ in the import directory")
	assertNoLeak(t, "completion of up/", s, []string{"host_key"})
	c.keys("Escape")

	// What the admin put there imports.
	c.keys("i", "text:people.csv", "Enter")
	c.waitFor("1 rows: 1 new")
	c.keys("Enter")
	c.waitFor("imported people.csv: 1 new", "people 21")
}

func TestSecurityRemoteConsoleImportIsOffWithoutImportDir(t *testing.T) {
	db := demoDB(t)
	srv := startSecServe(t, db, nil)
	oscar := srv.key("oscar", "oscar@example.com")
	c := srv.console(oscar, 160, 40)
	c.waitFor("ssh:oscar@example.com (admin)")
	c.keys("1") // from Home to people, where i imports
	c.waitFor("people 20")
	c.keys("i")
	s := c.waitFor("import from server files is off over SSH", "import people - < FILE")
	if strings.Contains(s, "file:") {
		t.Fatalf("an import prompt opened:\n%s", s)
	}
}

func TestSecurityLocalImportReadsRegularFilesOnly(t *testing.T) {
	db := demoDB(t)
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo.csv")
	syscall.Mkfifo(fifo, 0o600)
	big := filepath.Join(dir, "big.csv")
	os.WriteFile(big, bytes.Repeat([]byte("x"), 4096), 0o600)
	bounded := func(args ...string) result {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, binPath, append([]string{"--db", db}, args...)...)
		out, errb, code, _ := testenv.Run(cmd)
		if ctx.Err() != nil {
			t.Fatalf("opsdeck %v did not return within 20s", args)
		}
		return result{out, errb, code}
	}
	for path, want := range map[string]string{
		"/dev/zero": "is a character device; import reads regular files only",
		fifo:        "is a named pipe; import reads regular files only",
		dir:         "is a directory; import reads regular files only",
	} {
		if r := bounded("import", "people", path); r.code != 1 || !strings.Contains(r.stderr, want) {
			t.Errorf("import %s: %+v", path, r)
		}
	}
	if r := bounded("import", "people", big, "--max-size", "1KiB"); r.code != 1 || !strings.Contains(r.stderr, "over the import size limit") {
		t.Errorf("import over --max-size: %+v", r)
	}

	// The console's prompt is bounded the same way.
	c := startConsole(t, db, 140, 40)
	c.waitFor("people 20")
	for path, want := range map[string]string{"/dev/zero": "is a character device", fifo: "is a named pipe", dir: "is a directory"} {
		c.keys("i", "text:"+path, "Enter")
		c.waitFor("cannot read "+path+": "+want, "file:")
		c.keys("Escape")
		c.waitFor("people 20")
	}
}

func TestSecurityIdleSocketsUnderALowFileLimit(t *testing.T) {
	if _, err := exec.LookPath("prlimit"); err != nil {
		t.Skip("prlimit is not installed")
	}
	db := demoDB(t)
	srv := startSecServe(t, db, []string{"prlimit", "--nofile=256:256"}, "--login-timeout", "3s")
	oscar := srv.key("oscar", "oscar@example.com")
	whoami := func(when string) {
		t.Helper()
		if r := srv.run(oscar, nil, "whoami"); r.code != 0 || r.stdout != "ssh:oscar@example.com admin\n" {
			t.Fatalf("%s: a real user cannot log in: %+v", when, r)
		}
	}
	dial := func(n int) []net.Conn {
		var conns []net.Conn
		for range n {
			c, err := net.Dial("tcp", "127.0.0.1:"+srv.port)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { c.Close() })
			conns = append(conns, c)
		}
		return conns
	}
	closedBy := func(conns []net.Conn, deadline time.Time) {
		t.Helper()
		for i, c := range conns {
			c.SetReadDeadline(deadline)
			_, err := io.Copy(io.Discard, c)
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				t.Fatalf("idle unauthenticated connection %d of %d still open past the login deadline", i, len(conns))
			}
		}
	}

	start := time.Now()
	idle := dial(50)
	whoami("beside 50 idle sockets")
	closedBy(idle, start.Add(3*time.Second+10*time.Second))
	whoami("after the idle sockets were closed")

	// More idle sockets than the server has file descriptors: the oldest
	// are closed to make room, and a real user still gets in.
	start = time.Now()
	many := dial(300)
	whoami("beside 300 idle sockets, with 256 file descriptors")
	closedBy(many, start.Add(3*time.Second+10*time.Second))
	whoami("after 300 idle sockets")
}

// window opens an interactive session of w×h with x/crypto/ssh (OpenSSH
// takes its size from a real terminal) and resizes it to the same again.
func (s *secServer) window(keyPath string, w, h int) func() {
	s.t.Helper()
	pem, err := os.ReadFile(keyPath)
	if err != nil {
		s.t.Fatal(err)
	}
	signer, err := gossh.ParsePrivateKey(pem)
	if err != nil {
		s.t.Fatal(err)
	}
	client, err := gossh.Dial("tcp", "127.0.0.1:"+s.port, &gossh.ClientConfig{
		User: "ops", Auth: []gossh.AuthMethod{gossh.PublicKeys(signer)},
		HostKeyCallback: gossh.InsecureIgnoreHostKey(), Timeout: 10 * time.Second,
	})
	if err != nil {
		s.t.Fatal(err)
	}
	sess, err := client.NewSession()
	if err != nil {
		s.t.Fatal(err)
	}
	if err := sess.RequestPty("xterm-256color", h, w, gossh.TerminalModes{}); err != nil {
		s.t.Fatal(err)
	}
	stdin, _ := sess.StdinPipe()
	out := &lockedBuffer{}
	sess.Stdout = out
	if err := sess.Shell(); err != nil {
		s.t.Fatal(err)
	}
	sess.WindowChange(h, w)
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(out.String(), "people") {
		if time.Now().After(deadline) {
			s.t.Fatalf("the console never drew in a %d×%d window", w, h)
		}
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(time.Second) // a few frames
	return func() { stdin.Close(); sess.Close(); client.Close() }
}

func TestSecurityOversizeWindowCostsNoMoreThanTheClamp(t *testing.T) {
	db := demoDB(t)
	srv := startSecServe(t, db, nil)
	oscar := srv.key("oscar", "oscar@example.com")
	var closers []func()
	for range 3 {
		closers = append(closers, srv.window(oscar, 500, 200))
	}
	clamped := srv.rss()
	for _, c := range closers {
		c()
	}
	closers = nil
	for range 3 {
		closers = append(closers, srv.window(oscar, 1000, 1000))
	}
	huge := srv.rss()
	for _, c := range closers {
		c()
	}
	// Unclamped, each 1000×1000 session held about 230 MB.
	if huge > clamped+100<<20 {
		t.Fatalf("three 1000×1000 sessions: server at %d MiB; three 500×200 ones: %d MiB", huge>>20, clamped>>20)
	}
}

func TestSecuritySessionWithoutCommandRunsNothing(t *testing.T) {
	db := demoDB(t)
	srv := startSecServe(t, db, nil)
	oscar := srv.key("oscar", "oscar@example.com")
	// No -t and no command: an exec-less shell request with empty args.
	args := srv.sshLine(oscar, "-T", "127.0.0.1")
	cmd := exec.Command(args[0], args[1:]...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 1 || !strings.Contains(errb.String(), "the console is not available here") {
		t.Fatalf("session without a command: %v stdout %q stderr %q", err, out.String(), errb.String())
	}
}

func TestSecurityHostKeyFiles(t *testing.T) {
	if _, err := exec.LookPath("ssh-keygen"); err != nil {
		t.Skip("ssh-keygen is not installed")
	}
	db := demoDB(t)
	dir := t.TempDir()
	keygen := func(name string, args ...string) string {
		p := filepath.Join(dir, name)
		if out, err := exec.Command("ssh-keygen", append([]string{"-q", "-N", "", "-f", p}, args...)...).CombinedOutput(); err != nil {
			t.Fatalf("ssh-keygen: %v %s", err, out)
		}
		return p
	}
	serveFails := func(key, want string) {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		out, err := exec.CommandContext(ctx, binPath, "--db", db, "serve", "--listen", "127.0.0.1:"+freePort(t), "--host-key", key).CombinedOutput()
		if ctx.Err() != nil {
			t.Fatalf("serve with host key %s started; want it refused", key)
		}
		if err == nil || !strings.Contains(string(out), want) || !strings.Contains(string(out), key) {
			t.Fatalf("serve with host key %s: %v %s", key, err, out)
		}
	}
	open := keygen("readable", "-t", "ed25519")
	os.Chmod(open, 0o644)
	serveFails(open, "chmod 600")
	corrupt := filepath.Join(dir, "corrupt")
	os.WriteFile(corrupt, []byte("-----BEGIN OPENSSH PRIVATE KEY-----\ngarbage\n-----END OPENSSH PRIVATE KEY-----\n"), 0o600)
	serveFails(corrupt, "not a usable private key")

	weak := keygen("weak", "-t", "rsa", "-b", "1024")
	port := freePort(t)
	cmd := exec.Command(binPath, "--db", db, "serve", "--listen", "127.0.0.1:"+port, "--host-key", weak)
	log := &lockedBuffer{}
	cmd.Stderr = log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	waitPort(t, port)
	if !strings.Contains(log.String(), "WARNING: host key "+weak+" is a 1024-bit RSA key") {
		t.Fatalf("no warning about a 1024-bit host key:\n%s", log.String())
	}
}

func TestSecurityServerSideClosesSayWhy(t *testing.T) {
	db := demoDB(t)
	srv := startSecServe(t, db, nil, "--max-session", "3s")
	oscar := srv.key("oscar", "oscar@example.com")
	args := srv.sshLine(oscar, "-tt", "127.0.0.1")
	cmd := exec.Command(args[0], args[1:]...)
	in, _ := cmd.StdinPipe()
	defer in.Close()
	out := &lockedBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		cmd.Process.Kill()
		t.Fatal("the session outlived --max-session 3s")
	}
	if !strings.Contains(out.String(), "session closed: open for the longest a session may be (3s)") {
		t.Fatalf("closed without saying why: %q", out.String())
	}
}

// An import directory that holds the database or the host key would hand
// them to remote users: serve refuses it.
func TestSecurityImportDirMayNotHoldTheDatabase(t *testing.T) {
	db := demoDB(t)
	keyDir := t.TempDir()
	for _, dir := range []string{filepath.Dir(db), "/", keyDir} {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		out, err := exec.CommandContext(ctx, binPath, "--db", db, "serve", "--listen", "127.0.0.1:"+freePort(t),
			"--host-key", filepath.Join(keyDir, "host_key"), "--import-dir", dir).CombinedOutput()
		cancel()
		if err == nil || !strings.Contains(string(out), "which remote users must not read") {
			t.Fatalf("serve --import-dir %s: %v %s", dir, err, out)
		}
	}
}
