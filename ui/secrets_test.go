package ui

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/store"
)

// The console as a viewer (and as an admin: credentials other than ping
// tokens are never shown to anyone): check and service pages, their
// history sections and the services list show no credential.
func TestConsoleMasksCredentials(t *testing.T) {
	s := openStore(t, true)
	ctx := context.Background()
	admin := model.LocalActor("tester")
	var chk model.Check
	var svc model.Service
	err := s.Write(ctx, admin, func(tx *store.Tx) error {
		sv, err := tx.FindService("Production App")
		if err != nil {
			return err
		}
		if _, svc, err = tx.UpdateService(sv.ID, func(x *model.Service) error {
			x.URL = "postgres://app:SVCpa55@db.example.com/app"
			return nil
		}); err != nil {
			return err
		}
		chk = model.Check{Name: "api-auth", Kind: "http", ServiceID: &sv.ID, Target: "https://ops:URLpa55z@127.0.0.1:9/x",
			Headers: "Authorization: Bearer BEARERs3kr1t"}
		if err := tx.AddCheck(&chk); err != nil {
			return err
		}
		_, _, err = tx.UpdateCheck(chk.ID, func(c *model.Check) error { c.Target = "https://ops:URLpa55z2@127.0.0.1:9/y"; return nil })
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, actor := range []model.Actor{{Kind: "ssh", Name: "kristen@example.com", Role: "viewer"}, admin} {
		a := newApp(Options{StartTab: "people", Store: s, Actor: actor, Width: 120, Height: 40, NoColor: true})
		run(t, a, a.load(a.active))
		var text strings.Builder
		for _, page := range []func(TabEnv, int64) (any, error){
			func(e TabEnv, id int64) (any, error) { return checkDetail(e, chk.ID) },
			func(e TabEnv, id int64) (any, error) { return serviceDetail(e, svc.ID) },
		} {
			d, err := page(a.env, 0)
			if err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(&text, "%+v\n", d)
		}
		send(t, a, "3") // the services tab
		text.WriteString(a.View().Content)
		out := text.String()
		for _, sec := range []string{"SVCpa55", "URLpa55z", "BEARERs3kr1t"} {
			if strings.Contains(out, sec) {
				t.Errorf("%s's console shows %q", actor.Role, sec)
			}
		}
		if !strings.Contains(out, "https://ops:••••@127.0.0.1:9/") {
			t.Errorf("%s's console should still show the check's target host", actor.Role)
		}
	}
}
