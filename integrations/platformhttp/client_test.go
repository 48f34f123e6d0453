package platformhttp

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/ezscale/ezscale/integrations/provisioning"
)

func TestDo(t *testing.T) {
	var gotType, gotAuth, gotBody string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotType, gotAuth = r.Header.Get("Content-Type"), r.Header.Get("Authorization")
		b, _ := io.ReadAll(r.Body)
		gotBody = string(b)
		switch r.URL.Path {
		case "/ok":
			w.Write([]byte(`{"id": 7}`))
		case "/empty":
			w.WriteHeader(http.StatusNoContent)
		case "/garbled":
			w.Write([]byte(`<html>`))
		case "/refused":
			w.WriteHeader(http.StatusUnprocessableEntity)
			w.Write([]byte(`{"msg": "name is required"}`))
		}
	}))
	defer srv.Close()
	c := &Client{Platform: "panel", HTTP: srv.Client(), Detail: func(body []byte) string {
		if strings.Contains(string(body), "required") {
			return "name is required"
		}
		return ""
	}}
	req := func(path string, body any) Request {
		return Request{Method: http.MethodPost, URL: srv.URL + path, Path: path, Body: body,
			Header: http.Header{"Authorization": {"Bearer t"}}}
	}
	ctx := context.Background()

	var out struct{ ID int }
	if err := c.Do(ctx, req("/ok", map[string]string{"name": "a"}), &out); err != nil || out.ID != 7 {
		t.Fatalf("ok: %v %+v", err, out)
	}
	if gotType != "application/json" || gotAuth != "Bearer t" || gotBody != `{"name":"a"}` {
		t.Errorf("sent Content-Type %q, Authorization %q, body %q", gotType, gotAuth, gotBody)
	}
	if err := c.Do(ctx, req("/empty", nil), &out); err != nil || gotType != "" {
		t.Errorf("empty: %v, Content-Type %q without a body", err, gotType)
	}
	var pe *provisioning.Error
	if err := c.Do(ctx, req("/garbled", nil), &out); !errors.As(err, &pe) || pe.Permanent || pe.Status != 200 ||
		!strings.HasPrefix(pe.Message, "panel: POST /garbled: decode response: ") {
		t.Errorf("garbled: %#v", err)
	}
	if err := c.Do(ctx, req("/refused", nil), nil); !errors.As(err, &pe) || !pe.Permanent ||
		pe.Message != "panel: POST /refused: 422 name is required" {
		t.Errorf("refused: %#v", err)
	}
}

// A call that gets no answer is retried, and its message names the call,
// never the address with the credential in its query.
func TestDoWithoutAnswer(t *testing.T) {
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(time.Second):
		}
	}))
	defer slow.Close()
	gone := httptest.NewServer(http.NotFoundHandler())
	gone.Close()
	for name, base := range map[string]string{"timeout": slow.URL, "refused": gone.URL} {
		c := &Client{Platform: "panel", HTTP: &http.Client{Timeout: 50 * time.Millisecond}}
		err := c.Do(context.Background(), Request{Method: http.MethodGet, URL: base + "/server?key=s3cret", Path: "/server"}, nil)
		var pe *provisioning.Error
		if !errors.As(err, &pe) || pe.Permanent || !strings.HasPrefix(pe.Message, "panel: GET /server: ") ||
			strings.Contains(pe.Message, "s3cret") {
			t.Errorf("%s: %#v", name, err)
		}
	}
}

func TestSendCannotEncode(t *testing.T) {
	c := &Client{Platform: "panel", HTTP: http.DefaultClient}
	_, err := c.Send(context.Background(), Request{Method: http.MethodPost, URL: "http://127.0.0.1:1/x", Path: "/x", Body: func() {}})
	var pe *provisioning.Error
	if !errors.As(err, &pe) || !pe.Permanent || !strings.HasPrefix(pe.Message, "panel: POST /x: encode request: ") {
		t.Errorf("%#v", err)
	}
}
