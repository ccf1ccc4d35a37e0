package main

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"github.com/opsdeck/opsdeck/internal/testenv"
)

// BenchmarkSSHSessions50 runs `opsdeck serve` as its own process on the demo
// company, opens 50 concurrent interactive sessions with the Go SSH client,
// and has each send keystrokes (j/k on the people table) at ten a second,
// a fast typist. It reports the
// p50/p99 time from a keystroke to the first byte of the redrawn frame, and
// the server's CPU time per wall second (from /proc).
//
//	go test -run '^$' -bench SSHSessions50 -benchtime 1x .
func BenchmarkSSHSessions50(b *testing.B) {
	const sessions, keys = 50, 40
	dir := b.TempDir()
	db := filepath.Join(dir, "opsdeck.db")
	mustRun(b, db, "demo")
	keyPath := filepath.Join(dir, "oscar")
	testenv.Require(b, "ssh-keygen")
	if out, err := exec.Command("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", keyPath).CombinedOutput(); err != nil {
		b.Fatalf("ssh-keygen: %v %s", err, out)
	}
	mustRun(b, db, "people", "add-key", "oscar@example.com", keyPath+".pub")
	pem, _ := os.ReadFile(keyPath)
	signer, err := gossh.ParsePrivateKey(pem)
	if err != nil {
		b.Fatal(err)
	}
	port := freePort(b)
	srv := exec.Command(binPath, "--db", db, "serve", "--listen", "127.0.0.1:"+port, "--max-sessions", "64", "--host-key", filepath.Join(dir, "host"))
	var srvLog bytes.Buffer
	srv.Stderr = &srvLog
	if err := srv.Start(); err != nil {
		b.Fatal(err)
	}
	defer func() { srv.Process.Kill(); srv.Wait() }()
	waitPort(b, port)

	for b.Loop() {
		cpu0, t0 := procCPU(b, srv.Process.Pid), time.Now()
		var mu sync.Mutex
		var lat []time.Duration
		var wg sync.WaitGroup
		errs := make(chan error, sessions)
		for i := 0; i < sessions; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				d, err := sshSession(port, signer, keys)
				if err != nil {
					errs <- err
					return
				}
				mu.Lock()
				lat = append(lat, d...)
				mu.Unlock()
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			b.Fatalf("%v\nserver log:\n%s", err, srvLog.String())
		}
		wall := time.Since(t0)
		cpu := procCPU(b, srv.Process.Pid) - cpu0
		sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
		p := func(q float64) float64 { return float64(lat[int(q*float64(len(lat)-1))].Microseconds()) / 1000 }
		b.ReportMetric(p(0.50), "p50-ms")
		b.ReportMetric(p(0.99), "p99-ms")
		b.ReportMetric(cpu.Seconds()/wall.Seconds()*100, "server-cpu-%")
		b.ReportMetric(float64(len(lat)), "keystrokes")
	}
}

// sshSession opens one PTY session, waits for the first frame, then sends
// keys one at a time, timing each until output arrives.
func sshSession(port string, signer gossh.Signer, keys int) ([]time.Duration, error) {
	c, err := gossh.Dial("tcp", "127.0.0.1:"+port, &gossh.ClientConfig{User: "ops", Auth: []gossh.AuthMethod{gossh.PublicKeys(signer)},
		HostKeyCallback: gossh.InsecureIgnoreHostKey(), Timeout: 10 * time.Second})
	if err != nil {
		return nil, fmt.Errorf("dial: %w", err)
	}
	defer c.Close()
	s, err := c.NewSession()
	if err != nil {
		return nil, err
	}
	defer s.Close()
	if err := s.RequestPty("xterm-256color", 24, 80, gossh.TerminalModes{}); err != nil {
		return nil, err
	}
	in, _ := s.StdinPipe()
	outR, _ := s.StdoutPipe()
	frames := make(chan int, 1024)
	go func() {
		buf := make([]byte, 64<<10)
		for {
			n, err := outR.Read(buf)
			if n > 0 {
				frames <- n
			}
			if err != nil {
				close(frames)
				return
			}
		}
	}()
	if err := s.Shell(); err != nil {
		return nil, err
	}
	// First frame, then let the initial loads settle.
	if err := drain(frames, 5*time.Second, 300*time.Millisecond); err != nil {
		return nil, fmt.Errorf("first frame: %w", err)
	}
	var out []time.Duration
	for i := 0; i < keys; i++ {
		k := "j"
		if i%2 == 1 {
			k = "k"
		}
		start := time.Now()
		if _, err := in.Write([]byte(k)); err != nil {
			return nil, err
		}
		select {
		case _, ok := <-frames:
			if !ok {
				return nil, fmt.Errorf("session closed")
			}
			out = append(out, time.Since(start))
		case <-time.After(5 * time.Second):
			return nil, fmt.Errorf("no frame 5s after keystroke %d", i)
		}
		drain(frames, 0, 30*time.Millisecond) // the rest of this frame
		// A fast typist: ten keys a second per session.
		time.Sleep(time.Until(start.Add(100 * time.Millisecond)))
	}
	in.Write([]byte("q"))
	return out, nil
}

// drain waits up to first for output, then reads until quiet for idle.
func drain(frames chan int, first, idle time.Duration) error {
	if first > 0 {
		select {
		case <-frames:
		case <-time.After(first):
			return fmt.Errorf("no output within %s", first)
		}
	}
	for {
		select {
		case _, ok := <-frames:
			if !ok {
				return nil
			}
		case <-time.After(idle):
			return nil
		}
	}
}

func freePort(tb testing.TB) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer l.Close()
	return strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
}

func waitPort(tb testing.TB, port string) {
	for i := 0; i < 200; i++ {
		if c, err := net.Dial("tcp", "127.0.0.1:"+port); err == nil {
			c.Close()
			return
		}
		time.Sleep(25 * time.Millisecond)
	}
	tb.Fatalf("nothing listening on %s", port)
}

// procCPU is a process's user+system CPU time from /proc/PID/stat.
func procCPU(tb testing.TB, pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		tb.Fatal(err)
	}
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+2:]))
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(utime+stime) * time.Second / 100 // USER_HZ is 100 on Linux
}
