package main

import (
	"bytes"
	"io"
	"net/http"
	"os/exec"
	"strings"
	"syscall"
	"testing"
)

// An external backup job (a cron line ending in curl) reports over HTTP to
// `opsdeck run --listen`, with its secret token; a wrong token learns
// nothing.
func TestBackupJobReportsOverHTTP(t *testing.T) {
	db := demoDB(t)
	mustRun(t, db, "backups", "add", "nas-sync", "--service", "Postgres Primary", "--heartbeat", "26h")
	var shown struct {
		Job struct {
			PingToken string `json:"ping_token"`
		} `json:"job"`
	}
	runJSON(t, db, &shown, "backups", "show", "nas-sync")
	token := shown.Job.PingToken
	if len(token) < 16 {
		t.Fatalf("job token %q", token)
	}

	port := freePort(t)
	run := exec.Command(binPath, "--db", db, "run", "--listen", "127.0.0.1:"+port)
	var log bytes.Buffer
	run.Stderr = &log
	if err := run.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		run.Process.Signal(syscall.SIGINT)
		run.Wait()
		if t.Failed() {
			t.Logf("run log:\n%s", log.String())
		}
	}()
	waitPort(t, port)
	base := "http://127.0.0.1:" + port + "/backup/"
	get := func(method, url, body string) (int, string) {
		req, _ := http.NewRequest(method, url, strings.NewReader(body))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := get("GET", base+token+"?size=123456", ""); code != 200 || body != "nas-sync: ok\n" {
		t.Fatalf("ok report: %d %q", code, body)
	}
	if code, body := get("POST", base+token+"/fail", "rsync: connection reset\x1b[31m"); code != 200 || body != "nas-sync: failed\n" {
		t.Fatalf("failed report: %d %q", code, body)
	}
	if code, _ := get("GET", base+"not-a-token", ""); code != 404 {
		t.Fatalf("unknown token: %d", code)
	}
	if code, _ := get("GET", base+token+"?size=lots", ""); code != 400 {
		t.Fatalf("bad size: %d", code)
	}

	var show struct {
		Health struct {
			State string `json:"state"`
		} `json:"health"`
		Runs []struct {
			Source    string `json:"source"`
			Status    string `json:"status"`
			SizeBytes *int64 `json:"size_bytes"`
			Output    string `json:"output"`
		} `json:"runs"`
	}
	runJSON(t, db, &show, "backups", "show", "nas-sync")
	if len(show.Runs) != 2 || show.Runs[0].Status != "failed" || show.Runs[0].Output != "rsync: connection reset" ||
		show.Runs[1].Status != "ok" || show.Runs[1].SizeBytes == nil || *show.Runs[1].SizeBytes != 123456 || show.Health.State != "failed" {
		t.Fatalf("runs after two HTTP reports: %+v", show)
	}
}
