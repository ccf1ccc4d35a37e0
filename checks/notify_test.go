package checks

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/store"
)

// A delivery sent twice (a retry, or the other host of a pair after a
// takeover) carries the same key both times, in the header and the body,
// so the receiver can keep one.
func TestDeliverySentTwiceCarriesOneKey(t *testing.T) {
	var mu sync.Mutex
	var keys []string
	var ids []int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var n model.Notification
		if err := json.Unmarshal(body, &n); err != nil {
			t.Errorf("webhook body: %v: %s", err, body)
		}
		mu.Lock()
		keys, ids = append(keys, r.Header.Get("Idempotency-Key")), append(ids, n.DeliveryID)
		mu.Unlock()
	}))
	defer srv.Close()
	q := store.Queued{ID: 42, Channel: model.Channel{Kind: "webhook", URL: srv.URL}, Payload: model.Notification{Event: "fired", Title: "[FIRING] web"}}
	n := NewNotifier()
	for range 2 {
		if err := n.Send(context.Background(), q); err != nil {
			t.Fatal(err)
		}
	}
	q.ID = 43
	if err := n.Send(context.Background(), q); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(keys) != 3 || keys[0] != "opsdeck-delivery-42" || keys[1] != keys[0] || keys[2] != "opsdeck-delivery-43" ||
		ids[0] != 42 || ids[1] != 42 || ids[2] != 43 {
		t.Fatalf("keys %q, delivery ids %v", keys, ids)
	}
}
