package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/opsdeck/opsdeck/internal/testenv"
)

// The status page: `opsdeck run --listen` serves the demo's public
// services as HTML and /status.json; real headless Chromium (from the
// distribution) renders it light on a desktop and dark on a phone, with
// screenshots kept in the test's artifact directory; and no private value
// of the database (people, emails, owners, URLs, check names and targets,
// account logins) appears in either.
func TestStatusPageInChromium(t *testing.T) {
	testenv.Require(t, "chromium")
	db := demoDB(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cmd := exec.CommandContext(ctx, binPath, "--db", db, "run", "--listen", "127.0.0.1:0")
	cmd.Env = append(os.Environ(), "NO_COLOR=1", "OPSDECK_DB=")
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cancel(); cmd.Wait() }()
	addr := make(chan string, 1)
	go func() {
		re := regexp.MustCompile(`status page on http://([0-9.:]+)/`)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if m := re.FindStringSubmatch(sc.Text()); m != nil {
				addr <- m[1]
			}
		}
	}()
	var base string
	select {
	case a := <-addr:
		base = "http://" + a
	case <-time.After(60 * time.Second):
		t.Fatal("opsdeck run --listen did not say where the status page is")
	}
	get := func(path string) (string, string) {
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 {
			t.Fatalf("GET %s: %s", path, resp.Status)
		}
		return string(b), resp.Header.Get("Content-Type")
	}
	js, ctype := get("/status.json")
	var page struct {
		State    string `json:"state"`
		Services []struct {
			Name  string `json:"name"`
			State string `json:"state"`
			Days  []struct {
				Level string `json:"level"`
			} `json:"days"`
		} `json:"services"`
	}
	if err := json.Unmarshal([]byte(js), &page); err != nil || !strings.HasPrefix(ctype, "application/json") {
		t.Fatalf("status.json (%s): %v\n%s", ctype, err, js)
	}
	var names []string
	for _, s := range page.Services {
		names = append(names, s.Name)
		if len(s.Days) != 90 {
			t.Errorf("%s: %d days of bars, want 90", s.Name, len(s.Days))
		}
	}
	if strings.Join(names, ",") != "Jenkins CI,Postgres Primary,Production App" {
		t.Errorf("public services %v, want the demo's three", names)
	}
	html, _ := get("/")
	// Every private value in the database, none of which may be on the page.
	var private []string
	var people []struct{ Name, Email string }
	runJSON(t, db, &people, "people", "list")
	for _, p := range people {
		private = append(private, p.Name, p.Email)
	}
	var services []struct {
		Name       string
		URL        string
		RunbookURL string `json:"runbook_url"`
		Public     bool
	}
	runJSON(t, db, &services, "services", "list")
	for _, s := range services {
		private = append(private, s.URL, s.RunbookURL)
		if !s.Public {
			private = append(private, s.Name)
		}
	}
	var checks []struct{ Name, Target string }
	runJSON(t, db, &checks, "checks", "list")
	for _, c := range checks {
		private = append(private, c.Name, c.Target)
	}
	var accounts []struct{ Username string }
	runJSON(t, db, &accounts, "accounts", "list")
	for _, a := range accounts {
		private = append(private, a.Username)
	}
	private = append(private, "127.0.0.1:1", "@example.com")
	for _, v := range private {
		if len(v) < 4 {
			continue // too short to mean anything on its own
		}
		for where, text := range map[string]string{"/": html, "/status.json": js} {
			if strings.Contains(strings.ToLower(text), strings.ToLower(v)) {
				t.Errorf("%s shows the private value %q", where, v)
			}
		}
	}
	if strings.Contains(html, "<script") {
		t.Error("the page carries JavaScript")
	}
	// Real Chromium: the DOM it builds, and screenshots light and dark.
	dir := t.ArtifactDir()
	browse := func(args ...string) []byte {
		profile := t.TempDir()
		all := append([]string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
			"--disable-component-update", "--disable-sync", "--no-first-run", "--user-data-dir=" + profile}, args...)
		c := exec.CommandContext(ctx, "chromium", append(all, base+"/")...)
		out, err := c.Output()
		if err != nil {
			t.Fatalf("chromium %v: %v", args, err)
		}
		return out
	}
	dom := string(browse("--dump-dom"))
	for _, want := range []string{"Production App", "Postgres Primary", "Jenkins CI", `class="bar `, "90 days ago"} {
		if !strings.Contains(dom, want) {
			t.Errorf("Chromium's DOM lacks %q", want)
		}
	}
	if n := strings.Count(dom, `class="bar `); n != 270 {
		t.Errorf("%d bars in Chromium's DOM, want 270 (3 services × 90 days)", n)
	}
	for _, shot := range []struct{ name, size, extra string }{
		{"status-desktop-light.png", "1280,900", ""},
		{"status-phone-dark.png", "390,844", "--force-dark-mode"},
	} {
		path := filepath.Join(dir, shot.name)
		args := []string{"--window-size=" + shot.size, "--screenshot=" + path, "--hide-scrollbars"}
		if shot.extra != "" {
			args = append(args, shot.extra)
		}
		browse(args...)
		fi, err := os.Stat(path)
		if err != nil || fi.Size() < 5000 {
			t.Fatalf("screenshot %s: %v (%d bytes)", path, err, sizeOf(fi))
		}
		t.Logf("screenshot: %s", path)
	}
}

func sizeOf(fi os.FileInfo) int64 {
	if fi == nil {
		return 0
	}
	return fi.Size()
}
