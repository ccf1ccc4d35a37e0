package checks

import (
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/store"
)

// PingHandler is the heartbeat endpoint external jobs call:
//
//	GET or POST /ping/TOKEN        the job ran fine
//	GET or POST /ping/TOKEN/fail   the job failed (a POST body becomes the message)
//
// TOKEN is the check's secret ping token (`opsdeck checks show NAME`), so
// the endpoint needs no other authentication and reveals no check names.
func PingHandler(s *store.Store, np store.NotifyPolicy) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodPost && r.Method != http.MethodHead {
			http.Error(w, "use GET or POST", http.StatusMethodNotAllowed)
			return
		}
		rest, ok := strings.CutPrefix(r.URL.Path, "/ping/")
		if !ok {
			http.NotFound(w, r)
			return
		}
		token, suffix, _ := strings.Cut(rest, "/")
		if suffix != "" && suffix != "fail" {
			http.NotFound(w, r)
			return
		}
		c, err := s.FindCheckByToken(r.Context(), token)
		if err != nil {
			http.NotFound(w, r)
			return
		}
		var msg string
		if r.Method == http.MethodPost {
			b, _ := io.ReadAll(io.LimitReader(r.Body, 4096))
			msg = string(b)
		}
		var res model.CheckResult
		err = s.Write(r.Context(), model.SystemActor("ping"), func(t *store.Tx) error {
			res, err = t.RecordPing(c.ID, suffix == "fail", msg, np)
			return err
		})
		if err != nil {
			http.Error(w, "could not record the ping", http.StatusInternalServerError)
			return
		}
		fmt.Fprintf(w, "%s: %s\n", res.Status, res.Message)
	})
}
