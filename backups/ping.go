package backups

import (
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/store"
)

// PingHandler lets an external backup job report over HTTP, the way a
// cron line ends with `curl`: GET or POST /backup/TOKEN on success,
// /backup/TOKEN/fail on failure, with an optional ?size=BYTES. A POST body
// (up to 4 KiB) is kept as the run's output. The token, shown by
// `opsdeck backups show`, is the only credential, so unknown tokens get a
// plain 404.
func PingHandler(s *store.Store) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodPost {
			http.Error(w, "use GET or POST", http.StatusMethodNotAllowed)
			return
		}
		rest, ok := strings.CutPrefix(r.URL.Path, "/backup/")
		token, suffix, _ := strings.Cut(rest, "/")
		if !ok || token == "" || (suffix != "" && suffix != "fail") {
			http.NotFound(w, r)
			return
		}
		job, err := s.FindBackupJobByToken(r.Context(), token)
		if err != nil {
			http.NotFound(w, r)
			return
		}
		o := store.JobOutcome{OK: suffix == ""}
		if v := r.URL.Query().Get("size"); v != "" {
			size, err := strconv.ParseInt(v, 10, 64)
			if err != nil || size < 0 {
				http.Error(w, fmt.Sprintf("size: %q is not a number of bytes", model.Truncate(v, 40)), http.StatusBadRequest)
				return
			}
			o.SizeBytes = &size
		}
		if r.Method == http.MethodPost {
			b, _ := io.ReadAll(io.LimitReader(r.Body, 4096))
			o.Output = string(b) // sanitized where the store records it
		}
		if !o.OK {
			o.Error = "reported failed over HTTP"
		}
		var run model.BackupJobRun
		err = s.Write(r.Context(), model.SystemActor("backup-ping"), func(t *store.Tx) error {
			run, err = t.ReportJobRun(job.ID, false, o)
			return err
		})
		if err != nil {
			http.Error(w, "could not record the report", http.StatusInternalServerError)
			return
		}
		fmt.Fprintf(w, "%s: %s\n", job.Name, run.Status)
	})
}
